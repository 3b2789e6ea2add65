"""Health command for containers: ``python -m paraph_platform.health <service> [--check broker,db,opa,http]``.

Used by the Dockerfile ``HEALTHCHECK`` and the Kubernetes exec probes. It opens
(and closes) one AMQP connection to ``AMQP_URI`` and runs ``SELECT 1`` on the
service's database, with short timeouts, and exits 0 when every check passes,
1 otherwise (one line per check on stdout). It does not import the service nor
eventlet, so it is cheap enough to run every few seconds.

Checks:

* ``broker`` — AMQP connection to ``AMQP_URI``.
* ``db``     — ``SELECT 1`` on ``<SERVICE>_DATABASE_URL`` / ``DATABASE_URL`` (see :mod:`.config`).
* ``opa``    — ``GET $OPA_URL/health`` when ``OPA_URL`` is set (perimeter).
* ``http``   — ``GET --url`` (default ``http://127.0.0.1:8000/healthz``; the gateway).

Default checks: ``broker,db`` for a service, ``broker,db,opa`` for perimeter, ``http`` for gateway and web.
"""
from __future__ import annotations

import argparse
import sys
import time

from .config import amqp_uri, database_url, env

DEFAULT_CHECKS = {"gateway": ("http",), "web": ("http",), "perimeter": ("broker", "db", "opa")}


def check_broker(service: str, timeout: float) -> str:
    from kombu import Connection
    with Connection(amqp_uri(), connect_timeout=timeout, heartbeat=0) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        host = conn.as_uri().split("@")[-1]
    return f"connected to {host}"


def check_db(service: str, timeout: float) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool
    url = database_url(service)
    args = {"connect_timeout": max(1, int(timeout))} if url.startswith("postgres") else {}
    engine = create_engine(normalize_url(url), poolclass=NullPool, connect_args=args)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1")).scalar_one()
    finally:
        engine.dispose()
    return f"{engine.dialect.name} answers"


def _http_get(url: str, timeout: float) -> str:
    import urllib.request
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - local probe
        if resp.status >= 400:
            raise RuntimeError(f"{url} answered {resp.status}")
        return f"{url} answered {resp.status}"


def check_opa(service: str, timeout: float) -> str:
    url = env("OPA_URL")
    if not url:
        return "embedded engine (OPA_URL unset)"
    return _http_get(url.rstrip("/") + "/health", timeout)


def normalize_url(url: str) -> str:
    """Same as :func:`paraph_platform.db.normalize_url`, without importing nameko/eventlet."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


CHECKS = {"broker": check_broker, "db": check_db, "opa": check_opa}


def run_checks(service: str, checks, timeout: float = 3.0, url: str | None = None) -> tuple[bool, list[str]]:
    ok, lines = True, []
    for name in checks:
        started = time.monotonic()
        try:
            if name == "http":
                detail = _http_get(url or env("HEALTH_URL", "http://127.0.0.1:8000/healthz"), timeout)
            else:
                detail = CHECKS[name](service, timeout)
            lines.append(f"ok   {name}: {detail} ({(time.monotonic() - started) * 1000:.0f} ms)")
        except Exception as exc:  # noqa: BLE001 - any failure makes the probe fail
            ok = False
            lines.append(f"FAIL {name}: {type(exc).__name__}: {exc}")
    return ok, lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m paraph_platform.health", description=__doc__.split("\n")[0])
    parser.add_argument("service")
    parser.add_argument("--check", help="comma-separated: broker,db,opa,http")
    parser.add_argument("--url", help="URL of the http check")
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args(argv)
    checks = tuple(c.strip() for c in args.check.split(",") if c.strip()) if args.check else \
        DEFAULT_CHECKS.get(args.service, ("broker", "db"))
    unknown = [c for c in checks if c not in CHECKS and c != "http"]
    if unknown:
        parser.error(f"unknown checks: {', '.join(unknown)}")
    ok, lines = run_checks(args.service, checks, args.timeout, args.url)
    print(f"{args.service}: {'healthy' if ok else 'UNHEALTHY'}")
    for line in lines:
        print("  " + line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
