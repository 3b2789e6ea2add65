"""Health command for containers: ``python -m paraph_platform.health <service> [--check broker,db,opa,http]``.

Used by the Dockerfile ``HEALTHCHECK`` and the Kubernetes exec probes. It opens
(and closes) one AMQP connection to ``AMQP_URI`` and runs ``SELECT 1`` on the
service's database, with short timeouts, and exits 0 when every check passes,
1 otherwise (one line per check on stdout). It does not import the service nor
eventlet, so it is cheap enough to run every few seconds.

Checks:

* ``broker`` — AMQP connection to ``AMQP_URI`` (any of its ``;``-separated URLs).
* ``ping``   — the service's ``ping`` RPC answers within the timeout (it consumes over a live broker
  connection: a service whose own connection is down, or that has not started consuming, is not ready).
  With several replicas any one of them may answer.
* ``db``     — ``SELECT 1`` on ``<SERVICE>_DATABASE_URL`` / ``DATABASE_URL`` (see :mod:`.config`).
* ``opa``    — ``GET $OPA_URL/health`` when ``OPA_URL`` is set (perimeter).
* ``http``   — ``GET --url`` (default ``http://127.0.0.1:8000/healthz``; the gateway).

Default checks: ``broker,db,ping`` for a service, ``broker,db,opa,ping`` for perimeter, ``http`` for gateway
and web (the gateway's ``/readyz`` pings every service itself).
"""
from __future__ import annotations

import argparse
import json
import re
import socket
import sys
import time
import uuid
from urllib.parse import urlparse

from .config import ConfigError, amqp_uri, amqp_urls, database_url, env, mask_url

DEFAULT_CHECKS = {"gateway": ("http",), "web": ("http",), "perimeter": ("broker", "db", "opa", "ping")}
SERVICE_CHECKS = ("broker", "db", "ping")
RPC_EXCHANGE = "nameko-rpc"  # nameko's default


def broker_reachable(amqp_uri: str, timeout: float = 3.0) -> tuple[bool, str]:
    """Whether the broker lets us in (address, credentials and vhost), checked once with a short timeout:
    a wrong vhost or password is then one clear sentence, not every process retrying with tracebacks.
    With several ``;``-separated URLs (a cluster), every one is tried in turn: one node letting us in is
    enough (a process started while the first-listed node is down starts normally)."""
    reasons = []
    for url in amqp_urls(amqp_uri):
        ok, message = _node_reachable(url, timeout)
        if ok:
            return ok, message
        reasons.append(message)
    return False, " ".join(reasons) or "AMQP_URI names no broker."


AMQP_SCHEMES = ("amqp", "amqps", "pyamqp")
BACKGROUND_LINK = re.compile(r"\s*\(Background on this error at: [^)]*\)")  # SQLAlchemy's, in its messages


def _said_lines(exc: BaseException) -> list[str]:
    """The lines of what ``exc`` says: a driver's message without SQLAlchemy's "(Background on this error
    at ...)" and SQL echo."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
    text = BACKGROUND_LINK.sub("", str(orig if orig is not None else exc))
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("[SQL:", "[parameters:")):
            continue
        lines.append(line)
    return lines


def _masked(said: str) -> str:
    return " ".join(mask_url(word) if "://" in word else word for word in said.split(" "))


def one_line(exc: BaseException) -> str:
    """What ``exc`` says, on one line: a driver's message without SQLAlchemy's "(Background on this
    error at ...)" and SQL echo, line breaks folded, passwords of URLs masked."""
    return _masked(" ".join(_said_lines(exc)) or type(exc).__name__)


def first_line(exc: BaseException) -> str:
    """``exc`` in a warning that recurs while a database or the broker is down: its class and the first line
    of what it says (psycopg2 goes on with hints on further lines, SQLAlchemy with a link), passwords of URLs
    masked. Operators grep logs by line; the whole traceback is for DEBUG."""
    said = _said_lines(exc)
    return _masked(f"{type(exc).__name__}: {said[0]}" if said else type(exc).__name__)


def not_amqp(url: str) -> str | None:
    """Why ``url`` (one of AMQP_URI's) names no broker, as the sentence to show (kombu would take an http://
    or redis:// URL for another transport and fail with a KeyError or an AttributeError), or None."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in AMQP_SCHEMES:
        return None
    shown = f"{scheme}://..." if scheme else "a value that is not a URL"  # the rest may hold a password
    return (f"AMQP_URI is not an amqp:// URL (got {shown}): it must be amqp://user:password@host:5672/vhost "
            f"(amqps:// for TLS; several separated by ';').")


def checked_amqp_uri() -> str:
    """``AMQP_URI``, every URL of it an AMQP one, else :class:`ConfigError` saying which is not."""
    uri = amqp_uri()
    urls = amqp_urls(uri)
    if not urls:
        raise ConfigError("AMQP_URI names no broker.")
    for url in urls:
        reason = not_amqp(url)
        if reason:
            raise ConfigError(reason)
    return uri


def _node_reachable(amqp_uri: str, timeout: float) -> tuple[bool, str]:
    from kombu import Connection
    reason = not_amqp(amqp_uri)
    if reason:
        return False, reason
    parsed = urlparse(amqp_uri.replace("pyamqp://", "amqp://", 1))
    host, port = parsed.hostname or "127.0.0.1", parsed.port or (5671 if parsed.scheme == "amqps" else 5672)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        return False, (f"RabbitMQ is not reachable at {host}:{port} ({exc}). "
                       f"Start it (e.g. `rabbitmq-server -detached`) or set AMQP_URI.")
    conn = Connection(amqp_uri, connect_timeout=timeout, heartbeat=0)
    vhost, user = conn.virtual_host, conn.userid
    try:
        conn.connect()
    except Exception as exc:  # noqa: BLE001 - every refusal becomes one sentence
        reason = getattr(exc, "reply_text", None) or str(exc) or type(exc).__name__
        if getattr(exc, "reply_code", None) == 530:  # NOT_ALLOWED: the vhost does not exist (or no access)
            hint = f"create it (`rabbitmqctl add_vhost {vhost}`, then grant {user} access) or fix the vhost in AMQP_URI"
        elif getattr(exc, "reply_code", None) == 403:  # ACCESS_REFUSED: user or password
            hint = "fix the user and password in AMQP_URI"
        else:
            hint = "check AMQP_URI"
        return False, f"RabbitMQ at {host}:{port} refused user {user!r} on vhost {vhost!r} ({reason}): {hint}."
    finally:
        conn.release()
    return True, f"{host}:{port} vhost {vhost!r}"


def connect(conn, timeout: float):
    """Connect ``conn`` to the first node of its URLs that answers (kombu switches to the next URL after
    each failed attempt: one attempt per URL, at least two)."""
    conn.ensure_connection(max_retries=max(1, len(conn.alt) - 1), interval_start=0, interval_step=0,
                           timeout=timeout)


def check_broker(service: str, timeout: float) -> str:
    from kombu import Connection
    with Connection(checked_amqp_uri(), connect_timeout=timeout, heartbeat=0) as conn:
        connect(conn, timeout)
        host = conn.as_uri().split("@")[-1]
    return f"connected to {host}"


def ping(amqp_uri: str, service: str, timeout: float) -> dict:
    """Call ``<service>.ping`` the way nameko's RPC does (JSON body, reply to an exclusive queue) over a
    bare kombu connection (no nameko, no eventlet: the probe stays cheap) and return its result; raise
    when nothing answers within ``timeout`` seconds or the reply is an error."""
    from kombu import Connection, Consumer, Exchange, Producer, Queue

    correlation_id = str(uuid.uuid4())
    replies: list = []
    exchange = Exchange(RPC_EXCHANGE, type="topic", durable=True)
    reply_to = f"rpc.reply-health-{service}-{correlation_id}"
    with Connection(amqp_uri, connect_timeout=timeout, heartbeat=0) as conn:
        connect(conn, timeout)
        channel = conn.channel()
        # nameko answers through its RPC exchange with the reply_to as routing key
        reply_queue = Queue(reply_to, exchange=exchange, routing_key=reply_to, exclusive=True, auto_delete=True,
                            channel=channel)
        reply_queue.declare()
        deadline = time.time() + timeout  # the service's time to answer (connecting is the broker check's)
        with Consumer(channel, queues=[reply_queue], accept=["json"], no_ack=True,
                      callbacks=[lambda body, message: replies.append(body)]):
            # the deadline travels as nameko context data (a header) and as the message's TTL, so a ping
            # nobody waits for any more is never answered late
            Producer(channel).publish(
                json.dumps({"args": [], "kwargs": {}}), exchange=exchange,
                routing_key=f"{service}.ping", reply_to=reply_to, correlation_id=correlation_id,
                content_type="application/json", content_encoding="utf-8",
                headers={"nameko.deadline": deadline}, expiration=timeout)
            while not replies:
                left = deadline - time.time()
                if left <= 0:
                    raise TimeoutError(f"{service} did not answer ping within {timeout:.1f}s")
                try:
                    conn.drain_events(timeout=left)
                except socket.timeout:
                    continue
    reply = replies[0]
    if reply.get("error"):
        error = reply["error"]
        raise RuntimeError(f"{service}.ping failed: {error.get('exc_type')}: {error.get('value')}")
    return reply["result"]


def check_ping(service: str, timeout: float) -> str:
    return f"{ping(checked_amqp_uri(), service, timeout)['service']} answered ping"


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


CHECKS = {"broker": check_broker, "db": check_db, "opa": check_opa, "ping": check_ping}


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
            # a ConfigError is a sentence written for the operator, already on one line and without passwords
            said = str(exc) if isinstance(exc, ConfigError) else f"{type(exc).__name__}: {one_line(exc)}"
            lines.append(f"FAIL {name}: {said}")
    return ok, lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m paraph_platform.health", description=__doc__.split("\n")[0])
    parser.add_argument("service")
    parser.add_argument("--check", help="comma-separated: broker,db,opa,ping,http")
    parser.add_argument("--url", help="URL of the http check")
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args(argv)
    checks = tuple(c.strip() for c in args.check.split(",") if c.strip()) if args.check else \
        DEFAULT_CHECKS.get(args.service, SERVICE_CHECKS)
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
