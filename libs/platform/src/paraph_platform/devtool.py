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
# given to no process: read by none (JWT_SECRET is gone, the passwords are compose's), or opening every
# service's database (DATABASE_URL); each service gets its own <SERVICE>_DATABASE_URL instead
WITHHELD = {"JWT_SECRET", "DATABASE_URL", "RABBITMQ_PASSWORD", "POSTGRES_PASSWORD",
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


def up(args):
    from .config import amqp_uri
    from .run import broker_reachable
    ok, message = broker_reachable(amqp_uri())
    if not ok:
        print(f"error: {message}", file=sys.stderr)
        return 2
    envs = process_environments(args)
    py = sys.executable
    procs: list[tuple[str, subprocess.Popen]] = []

    def spawn(name, cmd):
        print(f"==> starting {name}: {' '.join(cmd)}", flush=True)
        procs.append((name, subprocess.Popen(cmd, env=envs[name], cwd=root())))

    if args.mail_sink:
        spawn("mailsink", [py, "-m", "paraph_platform.mailsink", "--smtp-port", str(args.smtp_port),
                           "--http-port", str(args.mail_http_port)])
    for service in services():
        spawn(service, [py, "-m", "paraph_platform.run", service, "--migrate"])
    spawn("gateway", [str(Path(py).parent / "gunicorn"), "-c", str(root() / "gateway" / "gunicorn.conf.py")])
    spawn("web", [str(Path(py).parent / "gunicorn"), "-c", str(root() / "web" / "gunicorn.conf.py")])
    gateway, web = envs["gateway"], envs["web"]
    token = ("from OPERATOR_TOKEN" if os.environ.get("OPERATOR_TOKEN") else
             f"{gateway['OPERATOR_TOKEN']} (kept in {Path(gateway['PARAPH_DATA_DIR']) / 'operator_token'})")
    print(f"==> Paraph on http://{web['WEB_BIND']}/ (sign in there; the first admin's invitation is in "
          f"the mail sink)", flush=True)
    print(f"==> Paraph API on http://{web['WEB_BIND']}/api/v1 (OpenAPI: /api/v1/openapi.json); "
          f"mail sink on http://127.0.0.1:{args.mail_http_port}; Ctrl-C stops\n"
          f"==> operator token: {token}", flush=True)

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for name, p in procs:
            if p.poll() is not None:
                print(f"error: {name} exited with code {p.returncode}; stopping everything", file=sys.stderr)
                stopping, code = True, 1
                break
        time.sleep(0.5)
    for _, p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.time() + 15
    for _, p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
    return code


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
