"""Developer commands behind ./paraph (start everything, make migrations)."""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def root() -> Path:
    return Path(os.environ.get("PARAPH_ROOT", Path.cwd()))


def services() -> list[str]:
    return sorted(p.name for p in (root() / "services").iterdir()
                  if (p / "pyproject.toml").exists())


def makemigration(service: str, message: str):
    """Autogenerate a migration for ``service`` against a scratch PostgreSQL database."""
    from alembic import command
    from .migrations import alembic_config, upgrade
    from .testing import create_database, drop_database
    url = create_database(service, migrate=False)
    try:
        upgrade(service, url)
        cfg = alembic_config(service, url)
        command.revision(cfg, message=message, autogenerate=True)
    finally:
        drop_database(url)


# Secrets, each given only to the process that reads it (the rest of the environment is shared);
# tests/security/test_secrets_per_service.py checks this against what each process's code reads.
SECRETS_OF = {
    "identity": ("JWT_PRIVATE_KEY",),
    "perimeter": ("OPA_TOKEN",),
    "signing": ("SIGNING_LINK_SECRET", "SIGNING_P12_PATH", "SIGNING_P12_PASSWORD", "SIGNING_KEY_PEM",
                "SIGNING_KEY_PASSWORD"),
    "notify": ("SMTP_URL", "SMS_API_KEY"),
    "gateway": ("OPERATOR_TOKEN",),
    "web": ("WEB_SESSION_KEY",),
}
# given to no process: read by none (JWT_SECRET is gone, the passwords and the Erlang cookie are the
# brokers' and databases'), or opening every
# service's database (DATABASE_URL); each service gets its own <SERVICE>_DATABASE_URL instead
WITHHELD = {"JWT_SECRET", "DATABASE_URL", "RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "RABBITMQ_ERLANG_COOKIE",
            *(name for names in SECRETS_OF.values() for name in names)}


def operator_token(data: Path) -> str:
    """A random operator token generated once per data dir (``operator_token``, readable by its owner only)."""
    return private_secret(data / "operator_token")


def web_session_key(data: Path) -> str:
    """The key encrypting the web app's session cookies, generated once per data dir like the operator
    token (sessions survive a restart of ./paraph up)."""
    return private_secret(data / "web_session_key")


def private_secret(path: Path) -> str:
    """A random secret kept in ``path`` (created once, readable by its owner only)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    import secrets
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def free_loopback_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gateway_bind(args) -> str:
    """Loopback unless --host or GATEWAY_BIND says otherwise: a development system is not a public server."""
    if args.host:
        return f"{args.host}:{args.port}"
    return os.environ.get("GATEWAY_BIND") or f"127.0.0.1:{args.port}"


def process_environments(args) -> dict[str, dict[str, str]]:
    """The environment of each process `up` starts: what they all share (no secret), plus each one's own
    database URL and the secrets only that process reads."""
    from .config import data_dir, database_url
    data = data_dir()
    shared = {k: v for k, v in os.environ.items() if k not in WITHHELD and not k.endswith("_DATABASE_URL")}
    shared["PARAPH_DATA_DIR"] = str(data)
    shared.setdefault("PUBLIC_URL", f"http://127.0.0.1:{args.port}")

    def own(process: str) -> dict[str, str]:
        return {**shared, **{k: os.environ[k] for k in SECRETS_OF.get(process, ()) if os.environ.get(k)}}

    envs = {"mailsink": dict(shared)} if args.mail_sink else {}
    for service in services():
        envs[service] = {**own(service), f"{service.upper()}_DATABASE_URL": database_url(service)}
    notify = envs.get("notify", {})
    notify.setdefault("SMTP_URL", f"smtp://127.0.0.1:{args.smtp_port}")
    if args.mail_sink:  # SMS go to the mail sink too (GET http://127.0.0.1:8025/sms)
        notify.setdefault("SMS_PROVIDER", "sink")
        notify.setdefault("SMS_API_URL", f"http://127.0.0.1:{args.mail_http_port}/sms")
    notify.setdefault("WEBHOOK_ALLOW_PRIVATE", "1")  # local development: webhooks to localhost receivers
    # one public address: the web app listens on it (--port) and forwards the gateway's paths (/api/, /q/,
    # /sign/, /portal, /readyz) to the gateway on a loopback port of its own, which trusts that one hop
    internal = f"127.0.0.1:{free_loopback_port()}"
    envs["gateway"] = {**own("gateway"), "GATEWAY_BIND": internal, "TRUSTED_PROXY_HOPS": "1"}
    envs["gateway"].setdefault("OPERATOR_TOKEN", operator_token(data))
    envs["web"] = {**own("web"), "WEB_BIND": gateway_bind(args), "GATEWAY_URL": f"http://{internal}",
                   "WEB_PROXY_GATEWAY": "1"}
    envs["web"].setdefault("WEB_SESSION_KEY", web_session_key(data))
    return envs


# `up` supervises its children like a small init: a child that exits on its own is restarted after a
# growing delay (a crash loop stays readable and cheap), reset once it has stayed up for a while.
RESTART_DELAYS = (1, 2, 4, 8, 16, 30)
STABLE_AFTER = 60  # seconds up after which a child's next crash starts again from the first delay
STOP_GRACE = 15  # seconds children get to stop on SIGTERM before SIGKILL
PR_SET_PDEATHSIG = 1


class Output:
    """`up`'s own lines. When whoever reads them goes away (`./paraph up | head -1`, a closed terminal),
    writing fails with EPIPE: `up` then stops everything instead of dying with children left behind."""

    def __init__(self):
        self.broken: set = set()  # the streams whose reader is gone

    @property
    def closed(self) -> bool:
        return bool(self.broken)

    def say(self, line: str, err: bool = False):
        stream = sys.stderr if err else sys.stdout
        if stream in self.broken:
            return
        try:
            print(line, file=stream, flush=True)
        except (OSError, ValueError):  # EPIPE, or EIO from a terminal that was closed
            self.lost(stream)

    def reader_gone(self) -> bool:
        """A pipe whose read end is closed polls POLLERR, even when nothing is being written to it."""
        import select
        for stream in (sys.stdout, sys.stderr):
            if stream in self.broken:
                continue
            poller = select.poll()
            try:
                poller.register(stream.fileno(), 0)
            except (ValueError, OSError):
                continue
            if any(event & select.POLLERR for _, event in poller.poll(0)):
                self.lost(stream)
        return self.closed

    def lost(self, stream):
        # nothing more can be said there: point it at /dev/null so that the last flush at exit does not
        # raise again (Python's advice for SIGPIPE); the other stream may still be read
        self.broken.add(stream)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, stream.fileno())
        except (ValueError, OSError):
            pass
        finally:
            os.close(devnull)


def _child_setup(parent: int, prctl):
    """Runs in each child between fork and exec: its own process group (a Ctrl-C in the terminal reaches
    `up` alone, which stops the children in order, and `up` can kill a child's leftover processes with
    killpg), and SIGKILL when `up` dies, even by SIGKILL (PR_SET_PDEATHSIG). Grandchildren follow: gunicorn
    workers exit when their master is gone, off-hub workers when their stdin closes."""
    os.setpgid(0, 0)
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # `up` died before prctl took effect
        os._exit(1)


class Child:
    """One process run by `up`, restarted with backoff when it exits on its own."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str]):
        self.name, self.cmd, self.env = name, cmd, env
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        self.crashes = 0
        self.restart_at: float | None = None

    def start(self, out: Output):
        import ctypes
        parent, prctl = os.getpid(), ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=root(), stdin=subprocess.DEVNULL,
                                     preexec_fn=lambda: _child_setup(parent, prctl))
        self.started_at, self.restart_at = time.monotonic(), None
        out.say(f"==> started {self.name} (pid {self.proc.pid}): {' '.join(self.cmd)}")

    def exited(self) -> bool:
        return self.proc is not None and self.restart_at is None and self.proc.poll() is not None

    def schedule_restart(self, out: Output):
        code = self.proc.returncode
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        if code < 0 and -code in signal.valid_signals():
            how = f"was killed by {signal.Signals(-code).name}"
        self.kill_group()  # what it left behind (off-hub or gunicorn workers) goes with it
        if time.monotonic() - self.started_at >= STABLE_AFTER:
            self.crashes = 0
        delay = RESTART_DELAYS[min(self.crashes, len(RESTART_DELAYS) - 1)]
        self.crashes += 1
        self.restart_at = time.monotonic() + delay
        out.say(f"==> {self.name} {how}; restarting it in {delay}s (restart #{self.crashes})", err=True)

    def kill_group(self, sig=signal.SIGKILL):
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def readyz_status(url: str) -> int | None:
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def local_url(bind: str) -> str:
    """An address of ``host:port`` this machine can connect to (a wildcard bind listens on loopback too)."""
    host, port = bind.rsplit(":", 1)
    if host in ("", "0.0.0.0", "::", "[::]"):
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def up(args):
    from .config import ConfigError, amqp_uri
    from .health import broker_reachable
    out = Output()
    # checked once, before anything starts: a wrong broker address, vhost or password, or a DATABASE_URL
    # that cannot work, is one line here rather than every child failing with tracebacks
    ok, message = broker_reachable(amqp_uri())
    if not ok:
        out.say(f"error: {message}", err=True)
        return 2
    try:
        envs = process_environments(args)
    except ConfigError as exc:
        out.say(f"error: {exc}", err=True)
        return 2
    children = [Child(name, cmd, envs[name]) for name, cmd in up_commands(args).items()]

    stop_reason = None

    def stop(signum, _frame):
        nonlocal stop_reason
        if stop_reason:  # a second Ctrl-C: no more waiting
            for child in children:
                if child.proc is not None:
                    child.kill_group()
        stop_reason = signal.Signals(signum).name

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    for child in children:
        child.start(out)
        if stop_reason or out.closed:
            break

    gateway, web = envs["gateway"], envs["web"]
    token = ("from OPERATOR_TOKEN" if os.environ.get("OPERATOR_TOKEN") else
             f"{gateway['OPERATOR_TOKEN']} (kept in {Path(gateway['PARAPH_DATA_DIR']) / 'operator_token'})")
    out.say(f"==> operator token: {token}")
    readyz = f"{local_url(web['WEB_BIND'])}/readyz"  # the web app forwards it to the gateway: both answer
    out.say(f"==> waiting for {readyz} (every service answering)")
    ready, announced, waiting_since, last_poll = False, False, time.monotonic(), 0.0
    while not stop_reason and not out.reader_gone():
        now = time.monotonic()
        for child in children:
            if child.proc is None:
                continue
            if child.exited():
                child.schedule_restart(out)
                ready = False
            elif child.restart_at is not None and now >= child.restart_at:
                child.start(out)
        if not ready and now - last_poll >= 1:
            last_poll = now
            ready = readyz_status(readyz) == 200
            if ready and not announced:
                announced = True
                out.say(f"==> Paraph is ready on http://{web['WEB_BIND']}/ (sign in there; a first company: "
                        f"README, 'Try it', with the operator token)\n"
                        f"==> Paraph API on http://{web['WEB_BIND']}/api/v1 (OpenAPI: /api/v1/openapi.json); "
                        f"mail sink on http://127.0.0.1:{args.mail_http_port}; Ctrl-C stops")
            elif ready:
                out.say("==> Paraph is ready again")
            elif not announced and now - waiting_since > 120:
                waiting_since = now
                out.say(f"==> still not ready after 120s ({readyz} does not answer 200)", err=True)
        time.sleep(0.5)

    out.say(f"==> stopping ({stop_reason or 'output closed'})", err=True)
    stop_all([c for c in children if c.proc is not None], out)
    return 1 if out.closed else 0


def up_commands(args) -> dict[str, list[str]]:
    """The processes `up` runs, by name (the names of :func:`process_environments`)."""
    py = sys.executable
    gunicorn = str(Path(py).parent / "gunicorn")
    commands = {}
    if args.mail_sink:
        commands["mailsink"] = [py, "-m", "paraph_platform.mailsink", "--smtp-port", str(args.smtp_port),
                                "--http-port", str(args.mail_http_port)]
    for service in services():
        commands[service] = [py, "-m", "paraph_platform.run", service, "--migrate"]
    commands["gateway"] = [gunicorn, "-c", str(root() / "gateway" / "gunicorn.conf.py")]
    commands["web"] = [gunicorn, "-c", str(root() / "web" / "gunicorn.conf.py")]
    return commands


def stop_all(running: list[Child], out: Output):
    """SIGTERM to each child, SIGKILL to what is left of its process group after the grace period."""
    for child in running:
        if child.proc.poll() is None:
            child.proc.terminate()
    deadline = time.monotonic() + STOP_GRACE
    for child in running:
        try:
            child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            out.say(f"==> {child.name} did not stop within {STOP_GRACE}s; killing it", err=True)
        child.kill_group()  # the child if still there, and whatever it left behind
        child.proc.wait()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paraph")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_up = sub.add_parser("up", help="start every service, the gateway and a mail sink")
    p_up.add_argument("--port", type=int, default=int(os.environ.get("GATEWAY_PORT", "8000")))
    p_up.add_argument("--host", help="address the gateway listens on (default: GATEWAY_BIND, else 127.0.0.1)")
    p_up.add_argument("--smtp-port", type=int, default=1025)
    p_up.add_argument("--mail-http-port", type=int, default=8025)
    p_up.add_argument("--no-mail-sink", dest="mail_sink", action="store_false")
    p_mm = sub.add_parser("makemigration", help="autogenerate a migration for a service")
    p_mm.add_argument("service")
    p_mm.add_argument("message")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.cmd == "up":
        return up(args)
    if args.cmd == "makemigration":
        makemigration(args.service, args.message)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
