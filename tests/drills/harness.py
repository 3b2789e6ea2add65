"""Helpers of the reliability drills: service subprocesses, a private RabbitMQ node, scratch databases.

Everything is on loopback and bounded in time; every process started here is stopped by the test
that started it (by its own pid, never by name).
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SVC_PATH = Path(__file__).resolve().parent / "svc"
RABBITMQ_BIN = Path(os.environ.get("RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except Exception as exc:  # noqa: BLE001 - keep polling, report the last error
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message} (last: {last!r})")


def tcp_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class ServiceProcess:
    """``python -m paraph_platform.run <name>`` in a subprocess, as in production."""

    def __init__(self, name: str, env: dict, log_dir: Path):
        self.name = name
        self.env = {**os.environ, **env,
                    "PYTHONPATH": os.pathsep.join([str(SVC_PATH), env.get("PYTHONPATH", os.environ.get("PYTHONPATH", ""))])}
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self):
        self.starts += 1
        log = open(self.log_path, "a")
        log.write(f"--- start #{self.starts} at {time.time():.3f}\n")
        log.flush()
        self.proc = subprocess.Popen([sys.executable, "-m", "paraph_platform.run", self.name], env=self.env,
                                     cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        return self

    def kill(self):
        """SIGKILL: no graceful stop, in-flight work is lost, unacked messages go back to the broker."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def output(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


class PrivateRabbit:
    """A RabbitMQ node of its own (own node name, ports, data and log dirs), so the drill can stop and
    restart a broker without touching the shared one on :5672."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="paraph-drill-rmq-"))
        self.node = f"drill-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\nloopback_users = none\n"
            "log.console = false\nlog.file.level = warning\n")
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq-env.conf").write_text("")
        self.env = {
            **os.environ,
            "HOME": str(self.dir),  # own Erlang cookie
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(self.dir / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.dir / "log"),
            "RABBITMQ_PID_FILE": str(self.dir / "rabbitmq.pid"),
            "RABBITMQ_PLUGINS_EXPAND_DIR": str(self.dir / "plugins-expand"),
        }
        self.env.pop("ERL_FLAGS", None)
        self.env.pop("RABBITMQ_SERVER_START_ARGS", None)

    @classmethod
    def available(cls) -> str | None:
        """None when a private node can run here, else why not."""
        if not (RABBITMQ_BIN / "rabbitmq-server").exists() or not (RABBITMQ_BIN / "rabbitmqctl").exists():
            return f"rabbitmq-server not found in {RABBITMQ_BIN}"
        if shutil.which("erl") is None:
            return "Erlang (erl) is not installed"
        return None

    @property
    def uri(self) -> str:
        return f"pyamqp://guest:guest@127.0.0.1:{self.port}//"

    def start(self, timeout: float = 60):
        subprocess.run([str(RABBITMQ_BIN / "rabbitmq-server"), "-detached"], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        wait_for(lambda: tcp_open(self.port), timeout, 0.2, f"private RabbitMQ {self.node} on :{self.port}")

    def stop(self, timeout: float = 60):
        result = subprocess.run([str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, "stop"], env=self.env,
                                capture_output=True, text=True, timeout=timeout)
        wait_for(lambda: not tcp_open(self.port), 30, 0.2, f"{self.node} to stop")
        return result

    def queues(self) -> str:
        """name, ready, unacknowledged and consumers of every queue (for a drill's failure report)."""
        result = subprocess.run([str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, "list_queues", "name",
                                 "messages_ready", "messages_unacknowledged", "consumers"],
                                env=self.env, capture_output=True, text=True, timeout=30)
        return result.stdout + result.stderr

    def cleanup(self):
        try:
            if tcp_open(self.port):
                self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def scratch_db(service: str, base) -> str:
    """A fresh PostgreSQL database holding ``base``'s tables (test services have no migrations)."""
    from sqlalchemy import create_engine
    from paraph_platform.db import normalize_url
    from paraph_platform.testing import create_database
    url = create_database(service, migrate=False)
    engine = create_engine(normalize_url(url))
    base.metadata.create_all(engine)
    engine.dispose()
    return url


def count(url: str, sql: str) -> int:
    from sqlalchemy import text
    from paraph_platform.db import make_engine
    with make_engine(url).connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def ensure_svc_path():
    if str(SVC_PATH) not in sys.path:
        sys.path.insert(0, str(SVC_PATH))
