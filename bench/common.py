"""Shared pieces of the benchmarks: a private RabbitMQ vhost, scratch PostgreSQL databases, services
started as in production (``python -m paraph_platform.run``), a real gunicorn gateway, a threaded
HTTP load generator, percentiles and result files.

Everything runs on loopback against the machine's RabbitMQ (management API on :15672, for the
vhost) and PostgreSQL (``PARAPH_TEST_PG``); every process started is stopped by its pid.
"""
from __future__ import annotations

import functools
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlparse

import requests

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
AMQP_BASE = os.environ.get("PARAPH_BENCH_AMQP", "amqp://guest:guest@127.0.0.1:5672")
RABBIT_API = os.environ.get("PARAPH_BENCH_RABBIT_API", "http://guest:guest@127.0.0.1:15672")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception as exc:  # noqa: BLE001
            last = exc
        time.sleep(interval)
    raise RuntimeError(f"timed out waiting for {what} ({last!r})")


def percentile(values, p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(latencies: list[float], elapsed: float, errors: int = 0) -> dict:
    n = len(latencies)
    return {"requests": n, "errors": errors, "seconds": round(elapsed, 3),
            "throughput": round(n / elapsed, 1) if elapsed else 0.0,
            "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if n else None,
            "p50_ms": round(percentile(latencies, 50) * 1000, 2),
            "p95_ms": round(percentile(latencies, 95) * 1000, 2),
            "p99_ms": round(percentile(latencies, 99) * 1000, 2)}


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform()}


def save(name: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"benchmark": name, "machine": machine(), **result}, indent=2))
    return path


# -- infrastructure ------------------------------------------------------------------------------

@contextmanager
def private_vhost():
    """A RabbitMQ vhost of its own on the shared broker: queues never mix with anyone else's."""
    vhost = f"paraph_bench_{uuid.uuid4().hex[:10]}"
    api = urlparse(RABBIT_API)
    base = f"{api.scheme}://{api.hostname}:{api.port}/api"
    auth = (api.username or "guest", api.password or "guest")
    user = urlparse(AMQP_BASE).username or "guest"
    requests.put(f"{base}/vhosts/{vhost}", auth=auth, timeout=10).raise_for_status()
    requests.put(f"{base}/permissions/{vhost}/{user}", json={"configure": ".*", "write": ".*", "read": ".*"},
                 auth=auth, timeout=10).raise_for_status()
    try:
        yield f"{AMQP_BASE}/{quote(vhost, safe='')}"
    finally:
        requests.delete(f"{base}/vhosts/{vhost}", auth=auth, timeout=30)


@contextmanager
def scratch_databases(*services: str):
    """Fresh PostgreSQL databases migrated to head, dropped afterwards: {service: url}."""
    from paraph_platform.testing import create_database, drop_database
    urls = {}
    try:
        for service in services:
            urls[service] = create_database(service)
        yield urls
    finally:
        for url in urls.values():
            drop_database(url)


class Processes:
    """Subprocesses started by a benchmark; all stopped on exit (by pid)."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def spawn(self, name: str, cmd: list[str], env: dict) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "w")
        proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.procs.append((name, proc))
        return proc

    def service(self, name: str, env: dict) -> subprocess.Popen:
        return self.spawn(name, [sys.executable, "-m", "paraph_platform.run", name], env)

    def gateway(self, port: int, env: dict, workers: int = 2, threads: int = 8, config: dict | None = None,
                name: str = "gateway") -> str:
        """The production gateway (gunicorn.conf.py) or, given ``config``, the same app built by
        ``bench._gateway_app`` with these overrides and a bench-only route (``GET /api/v1/bench/whoami``)."""
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        cmd = [gunicorn, "-c", str(ROOT / "gateway" / "gunicorn.conf.py")]
        extra = {}
        if config is not None:
            cmd.append("bench._gateway_app:app()")
            extra["BENCH_GATEWAY_CONFIG"] = json.dumps(config)
        self.spawn(name, cmd, {**env, **extra, "GATEWAY_BIND": f"127.0.0.1:{port}", "GATEWAY_WORKERS": str(workers),
                               "GATEWAY_THREADS": str(threads), "GATEWAY_ACCESS_LOG": "0"})
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: requests.get(f"{url}/healthz", timeout=1).ok, 60, "gunicorn")
        return url

    def check(self):
        for name, proc in self.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.log_dir / (name + '.log')}")

    def stop(self):
        for _, proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _, proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def service_env(amqp_uri: str, db_urls: dict, data_dir: Path) -> dict:
    env = {"AMQP_URI": amqp_uri, "PARAPH_DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING",
           "RPC_TIMEOUT": "10", "OPERATOR_TOKEN": OPERATOR_TOKEN}
    for service, url in db_urls.items():
        env[f"{service.upper()}_DATABASE_URL"] = url
    return env


OPERATOR_TOKEN = "bench-operator-token"


@functools.cache
def bench_token_key():
    from paraph_platform.testing import TestTokenKey
    return TestTokenKey("bench")


def offline_gateway() -> dict:
    """Gateway overrides for benchmarks of something else than sign-in (no identity, made-up users):
    tokens signed by the benchmark's own key (``access_token``), rights taken from their claims."""
    return {"TOKEN_JWKS": bench_token_key().jwks, "ACCESS_STATE_CHECK": False}


def access_token(license_id: str, user_id: str, role: str = "license_admin", ttl: int = 3600) -> str:
    """An access token for a made-up user, accepted by a gateway started with ``offline_gateway()``."""
    return bench_token_key().token({"sub": user_id, "lic": license_id, "role": role,
                                    "email": f"{user_id}@bench.test", "iat": int(time.time())}, ttl=ttl)


def real_session(base_url: str, identity_db_url: str, company: str = "Bench SA") -> dict:
    """A license admin's session issued by identity, through the gateway: subscription (operator API),
    activation, and the set-password link read from identity's outbox."""
    from datetime import datetime, timedelta, timezone

    from paraph_platform.testing import emailed_links
    op = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    expires = (datetime.now(timezone.utc) + timedelta(days=30)).isoformat()
    r = requests.post(f"{base_url}/api/v1/operator/seat-pools", headers=op, timeout=30,
                      json={"name": company, "seats": 10, "expires_at": expires})
    r.raise_for_status()
    email = f"admin-{uuid.uuid4().hex[:8]}@bench.test"
    requests.post(f"{base_url}/api/v1/licenses/activate", timeout=30, json={
        "activation_code": r.json()["activation_code"], "company_name": company, "admin_email": email,
    }).raise_for_status()
    secret = emailed_links(identity_db_url, email)[-1].split("token=", 1)[1]
    r = requests.post(f"{base_url}/api/v1/auth/accept-invitation", timeout=30,
                      json={"token": secret, "password": "a bench password, long enough"})
    r.raise_for_status()
    return r.json()


# -- load ------------------------------------------------------------------------------------------

def http_load(make_request, *, threads: int, seconds: float, warmup: float = 1.0) -> dict:
    """Closed-loop load: ``threads`` workers each send ``make_request(session, i)`` back to back for
    ``seconds`` (after ``warmup``); returns throughput and latency percentiles of successful calls."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_at = time.monotonic() + warmup
    stop_at = start_at + seconds
    counter = iter(range(10 ** 9))

    def worker():
        session = requests.Session()
        local, local_errors = [], 0
        while True:
            t0 = time.monotonic()
            if t0 >= stop_at:
                break
            try:
                resp = make_request(session, next(counter))
                ok = resp.status_code < 400
            except requests.RequestException:
                ok = False
            t1 = time.monotonic()
            if t0 >= start_at:
                if ok:
                    local.append(t1 - t0)
                else:
                    local_errors += 1
        with lock:
            latencies.extend(local)
            errors[0] += local_errors

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return summary(latencies, seconds, errors[0])


def timed_calls(fn, n: int, warmup: int = 20) -> list[float]:
    for i in range(warmup):
        fn(i)
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t0)
    return out


def ratio(a, b) -> str:
    try:
        return f"{a / b:.2f}x"
    except (TypeError, ZeroDivisionError):
        return "n/a"


def table(rows: list[list], headers: list[str]) -> str:
    cells = [headers] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
