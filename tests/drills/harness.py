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
from functools import partial
from pathlib import Path

from paraph_platform import testing

ROOT = Path(__file__).resolve().parents[2]
SVC_PATH = Path(__file__).resolve().parent / "svc"
RABBITMQ_BIN = Path(os.environ.get("RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))
# to look into a private node's side of a drill: its log level (``info`` shows quorum queues' leader
# elections), and a folder its logs are copied to before its scratch directory goes
RABBIT_LOG_LEVEL = os.environ.get("PARAPH_DRILL_RABBIT_LOG_LEVEL", "warning")
RABBIT_LOG_COPY = os.environ.get("PARAPH_DRILL_RABBIT_LOGS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# a drill asks processes it stops and restarts: their errors mean "not yet"
wait_for = partial(testing.wait_for, retry_errors=True)


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
    restart a broker without touching the shared one on :5672. ``cluster`` (a :class:`PrivateCluster`)
    makes it one node of a private cluster: its Erlang cookie and its peers."""

    def __init__(self, cluster: "PrivateCluster | None" = None, name: str | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix="paraph-drill-rmq-", dir=cluster.dir if cluster else None))
        self.node = name or f"drill-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        peers = ""
        if cluster is not None:  # the nodes find each other from the config (classic peer discovery)
            peers = "cluster_formation.peer_discovery_backend = classic_config\n" + "".join(
                f"cluster_formation.classic_config.nodes.{i} = {node}\n" for i, node in enumerate(cluster.names, 1))
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\nloopback_users = none\n"
            f"log.console = false\nlog.file.level = {RABBIT_LOG_LEVEL}\n" + peers)
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq-env.conf").write_text("")
        self.env = {
            **os.environ,
            "HOME": str(cluster.dir if cluster else self.dir),  # own Erlang cookie (the cluster's, shared)
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            # inter-node and CLI traffic on loopback only, like the AMQP listener
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
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

    def start(self, timeout: float = 60, wait: bool = True):
        subprocess.run([str(RABBITMQ_BIN / "rabbitmq-server"), "-detached"], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        if wait:
            self.wait_started(timeout)

    def wait_started(self, timeout: float = 60):
        wait_for(lambda: tcp_open(self.port), timeout, 0.2, f"private RabbitMQ {self.node} on :{self.port}")

    def ctl(self, *args, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def pid(self) -> int | None:
        try:
            return int((self.dir / "rabbitmq.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def kill9(self):
        """SIGKILL of the node's Erlang VM: no goodbye to its peers nor to its clients."""
        pid = self.pid()
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        wait_for(lambda: not tcp_open(self.port), 30, 0.1, f"{self.node} to die")

    def stop(self, timeout: float = 60):
        result = self.ctl("stop", timeout=timeout)
        wait_for(lambda: not tcp_open(self.port), 30, 0.2, f"{self.node} to stop")
        return result

    def queues(self) -> str:
        """name, ready, unacknowledged and consumers of every queue (for a drill's failure report)."""
        result = self.ctl("list_queues", "name", "messages_ready", "messages_unacknowledged", "consumers", timeout=30)
        return result.stdout + result.stderr

    def cleanup(self):
        try:
            if tcp_open(self.port):
                self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class PrivateCluster:
    """Three (``size``) private RabbitMQ nodes on this machine clustered together: each its own node name,
    AMQP and distribution ports, data and log dirs; one Erlang cookie (the cluster dir is their HOME);
    no management plugin. The drill may kill, stop and start each node."""

    def __init__(self, size: int = 3):
        self.dir = Path(tempfile.mkdtemp(prefix="paraph-drill-cluster-"))
        tag = uuid.uuid4().hex[:6]
        self.names = [f"drill-{tag}-{i}@localhost" for i in range(1, size + 1)]
        cookie = self.dir / ".erlang.cookie"
        cookie.write_text(uuid.uuid4().hex.upper())
        cookie.chmod(0o400)
        self.nodes = [PrivateRabbit(self, name) for name in self.names]

    @property
    def uri(self) -> str:
        """Every node's URL, ``;``-separated, in node order."""
        return ";".join(node.uri for node in self.nodes)

    def start(self, timeout: float = 120):
        # the first node forms the cluster; the others join it as they boot (classic peer discovery)
        self.nodes[0].start(timeout)
        for node in self.nodes[1:]:
            node.start(wait=False)
        for node in self.nodes[1:]:
            node.wait_started(timeout)
        wait_for(lambda: self.running_nodes() == len(self.nodes), timeout, 0.5, "the cluster to form")

    def running_nodes(self, via: PrivateRabbit | None = None) -> int:
        via = via or next(node for node in self.nodes if tcp_open(node.port))
        out = via.ctl("eval", "length(rabbit_nodes:all_running()).").stdout.strip()
        return int(out) if out.isdigit() else 0

    def node_named(self, name: str) -> PrivateRabbit:
        return next(node for node in self.nodes if node.node == name)

    def any_up(self) -> PrivateRabbit:
        return next(node for node in self.nodes if tcp_open(node.port))

    def queues(self, *fields: str) -> list[dict]:
        """Every queue of the default vhost, as seen by a node that is up (``rabbitmqctl list_queues``)."""
        fields = fields or ("name", "type", "leader", "messages_ready", "messages_unacknowledged", "consumers")
        out = self.any_up().ctl("list_queues", "--quiet", "--no-table-headers", *fields).stdout
        rows = []
        for line in out.splitlines():
            values = line.split("\t")
            if len(values) == len(fields):
                rows.append(dict(zip(fields, values)))
        return rows

    def cleanup(self):
        try:
            for node in self.nodes:
                try:
                    node.kill9() if node.pid() and tcp_open(node.port) else None
                except Exception:  # noqa: BLE001 - best effort, the directory goes anyway
                    pass
            if RABBIT_LOG_COPY:
                for node in self.nodes:
                    shutil.copytree(node.dir / "log", Path(RABBIT_LOG_COPY) / self.dir.name / node.node,
                                    dirs_exist_ok=True)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class PrivatePostgres:
    """A PostgreSQL server of its own (initdb in a scratch directory, a free loopback port, trust auth), so a
    drill can restart the primary without touching the shared server on :5432. As root, the server runs
    as the ``postgres`` system user (PostgreSQL refuses root)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="paraph-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    @staticmethod
    def _bin(tool: str) -> str | None:
        found = shutil.which(tool)
        if found:
            return found
        versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), key=lambda p: int(p.parts[-3]))
        return str(versions[-1]) if versions else None

    @classmethod
    def available(cls) -> str | None:
        """None when a private server can run here, else why not."""
        for tool in ("initdb", "pg_ctl"):
            if cls._bin(tool) is None:
                return f"{tool} not found (PATH, /usr/lib/postgresql/*/bin)"
        if os.geteuid() == 0:
            import pwd
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user to run the server as"
            if shutil.which("runuser") is None:
                return "runuser not found"
        return None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def _run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [self._bin(tool), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        # output to a file, not a pipe: the server pg_ctl starts inherits it and would keep a pipe open
        with tempfile.TemporaryFile("w+") as out:
            result = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, timeout=timeout)
            out.seek(0)
            assert result.returncode == 0, f"{tool} {' '.join(args)}: {out.read()}"
        return result

    def start(self):
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self._run("pg_ctl", "start", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.dir / "server.log"),
                  "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=200")
        return self

    def restart(self, mode: str = "fast"):
        """``pg_ctl restart -m fast`` (sessions ended cleanly) or ``-m immediate`` (a crash: recovery from
        the WAL at the next start). The server's options are kept from its start."""
        self._run("pg_ctl", "restart", "-D", str(self.data), "-m", mode, "-w", "-t", "60",
                  "-l", str(self.dir / "server.log"))

    def create_database(self, service: str) -> str:
        """A database of ``service`` on this server, migrated as the service's own migrations say."""
        from sqlalchemy import create_engine, text
        from paraph_platform.db import normalize_url
        from paraph_platform.migrations import upgrade
        name = f"t_{service}_{uuid.uuid4().hex[:12]}"
        admin = create_engine(normalize_url(f"{self.url}/postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'create database "{name}"'))
        admin.dispose()
        url = f"{self.url}/{name}"
        upgrade(service, url)
        return url

    def cleanup(self):
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30")
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
