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


def up(args):
    from .config import amqp_uri, data_dir, jwt_secret
    from .run import broker_reachable
    ok, message = broker_reachable(amqp_uri())
    if not ok:
        print(f"error: {message}", file=sys.stderr)
        return 2
    env = dict(os.environ)
    env.setdefault("PARAPH_DATA_DIR", str(data_dir()))
    env.setdefault("JWT_SECRET", jwt_secret())
    env.setdefault("OPERATOR_TOKEN", "dev-operator-token")
    env.setdefault("PUBLIC_URL", f"http://127.0.0.1:{args.port}")
    env.setdefault("SMTP_URL", f"smtp://127.0.0.1:{args.smtp_port}")
    if args.mail_sink:  # SMS go to the mail sink too (GET http://127.0.0.1:8025/sms)
        env.setdefault("SMS_PROVIDER", "sink")
        env.setdefault("SMS_API_URL", f"http://127.0.0.1:{args.mail_http_port}/sms")
    env.setdefault("WEBHOOK_ALLOW_PRIVATE", "1")  # local development: webhooks to localhost receivers
    py = sys.executable
    procs: list[tuple[str, subprocess.Popen]] = []

    def spawn(name, cmd):
        print(f"==> starting {name}: {' '.join(cmd)}", flush=True)
        procs.append((name, subprocess.Popen(cmd, env=env, cwd=root())))

    if args.mail_sink:
        spawn("mailsink", [py, "-m", "paraph_platform.mailsink", "--smtp-port", str(args.smtp_port),
                           "--http-port", str(args.mail_http_port)])
    for service in services():
        spawn(service, [py, "-m", "paraph_platform.run", service, "--migrate"])
    gw_env_bind = f"0.0.0.0:{args.port}"
    env["GATEWAY_BIND"] = gw_env_bind
    spawn("gateway", [str(Path(py).parent / "gunicorn"), "-c", str(root() / "gateway" / "gunicorn.conf.py")])
    print(f"==> Paraph API on http://127.0.0.1:{args.port}/api/v1 (OpenAPI: /api/v1/openapi.json); "
          f"operator token in OPERATOR_TOKEN; mail sink on http://127.0.0.1:{args.mail_http_port}; Ctrl-C stops",
          flush=True)

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


def main(argv=None):
    parser = argparse.ArgumentParser(prog="paraph")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_up = sub.add_parser("up", help="start every service, the gateway and a mail sink")
    p_up.add_argument("--port", type=int, default=int(os.environ.get("GATEWAY_PORT", "8000")))
    p_up.add_argument("--smtp-port", type=int, default=1025)
    p_up.add_argument("--mail-http-port", type=int, default=8025)
    p_up.add_argument("--no-mail-sink", dest="mail_sink", action="store_false")
    p_mm = sub.add_parser("makemigration", help="autogenerate a migration for a service")
    p_mm.add_argument("service")
    p_mm.add_argument("message")
    args = parser.parse_args(argv)
    if args.cmd == "up":
        return up(args)
    if args.cmd == "makemigration":
        makemigration(args.service, args.message)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
