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
from urllib.parse import quote, unquote, urlparse

import requests

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
# figures of the benchmarks run on the tree before issue 13 (same bench code), for the ratios new / baseline
BASELINE = ROOT / "bench" / "baseline_issue13.json"
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

def _management_api() -> tuple[str, tuple[str, str]]:
    """RabbitMQ's management API: (base URL, credentials)."""
    api = urlparse(RABBIT_API)
    return f"{api.scheme}://{api.hostname}:{api.port}/api", (api.username or "guest", api.password or "guest")


def _vhost_of(amqp_uri: str) -> str:
    """The vhost of an AMQP URL, quoted for the management API."""
    return quote(unquote(urlparse(amqp_uri).path[1:]) or "/", safe="")


def queue_consumers(amqp_uri: str, queue: str) -> int:
    """How many consumers the broker shows on ``queue`` of the vhost of ``amqp_uri`` (0 while it does not exist)."""
    base, auth = _management_api()
    vhost = _vhost_of(amqp_uri)
    resp = requests.get(f"{base}/queues/{vhost}/{quote(queue, safe='')}", auth=auth, timeout=10)
    return resp.json().get("consumers", 0) if resp.ok else 0


def event_sink(amqp_uri: str, exchange: str):
    """A queue bound to every event of ``exchange`` (``#``) that keeps none of them (``x-max-length: 0``): it
    stands for the subscribers production has (notify takes every perimeter event), so that the outbox relay's
    events are routed once instead of returned as unroutable and published again with backoff for
    ``OUTBOX_UNROUTED_GRACE`` (that re-publishing costs the service CPU long after the write that made it)."""
    base, auth = _management_api()
    vhost = _vhost_of(amqp_uri)
    queue = f"bench-sink-{exchange}"
    requests.put(f"{base}/queues/{vhost}/{queue}", auth=auth, timeout=10,
                 json={"durable": False, "arguments": {"x-max-length": 0}}).raise_for_status()
    requests.post(f"{base}/bindings/{vhost}/e/{quote(exchange, safe='')}/q/{queue}", auth=auth, timeout=10,
                  json={"routing_key": "#"}).raise_for_status()


@contextmanager
def private_vhost():
    """A RabbitMQ vhost of its own on the shared broker: queues never mix with anyone else's."""
    vhost = f"paraph_bench_{uuid.uuid4().hex[:10]}"
    base, auth = _management_api()
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


def replica_name(service: str, replica: int) -> str:
    """A service process's name in ``Processes``: the first keeps the service's name, the others are numbered."""
    return service if replica == 1 else f"{service}-{replica}"


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

    def service(self, name: str, env: dict, replica: int = 1) -> subprocess.Popen:
        """The service as in production; ``replica`` > 1 is one more process of it (named ``<name>-<replica>``)
        consuming the same queues."""
        return self.spawn(replica_name(name, replica), [sys.executable, "-m", "paraph_platform.run", name], env)

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
        # one user drives thousands of requests a minute: a limit far above that keeps the limiter's cost in the
        # measurement without refusing the load (an env of the caller's still wins)
        extra.setdefault("RATE_LIMIT_USER_PER_WINDOW", str(10 ** 9))
        self.spawn(name, cmd, {**extra, **env, "GATEWAY_BIND": f"127.0.0.1:{port}", "GATEWAY_WORKERS": str(workers),
                               "GATEWAY_THREADS": str(threads), "GATEWAY_ACCESS_LOG": "0"})
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: requests.get(f"{url}/healthz", timeout=1).ok, 60, "gunicorn")
        return url

    def pids(self, *names: str) -> list[int]:
        """The pids of these processes and of their children (a gunicorn master's workers), for CPU meters
        and profilers; every process started here when no name is given."""
        return [pid for name, proc in self.procs if not names or name in names for pid in descendants(proc.pid)]

    def check(self):
        for name, proc in self.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.log_dir / (name + '.log')}")

    def stop(self, *names: str):
        """Stop these processes (every one when no name is given) and forget them."""
        chosen = [(name, proc) for name, proc in self.procs if not names or name in names]
        for _, proc in chosen:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _, proc in chosen:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.procs = [entry for entry in self.procs if entry not in chosen]


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


# -- CPU per request ---------------------------------------------------------------------------------
# "CPU per request" = CPU seconds (user + system, /proc/<pid>/stat) a group of processes spent during a
# measured phase, divided by the requests answered in it. It depends much less than throughput on what else
# runs on the shared cores (a busy machine still inflates it by 10-30%: cache misses, more wake-ups per
# request), so compare figures taken under similar load averages.

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (index 0 = state, 1 = ppid, 11 = utime,
    12 = stime), or None once the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()


def cpu_seconds(pid: int) -> float | None:
    fields = _stat_fields(pid)
    return None if fields is None else (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (a gunicorn master and its workers; a process's own children)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, ()))
    return found


def pg_backends(db_urls) -> list[int]:
    """The PostgreSQL server processes (backends) connected to these databases (on this machine: PostgreSQL
    runs on loopback), found by database name in pg_stat_activity."""
    from sqlalchemy import text
    names = [url.rsplit("/", 1)[-1] for url in db_urls]
    with _pg_admin().connect() as conn:
        return [row[0] for row in conn.execute(text("select pid from pg_stat_activity where datname = any(:n)"),
                                               {"n": names})]


@functools.cache
def _pg_admin():
    """One engine for the whole run: its pooled connection is reused by every snapshot (a busy server may
    have no connection to spare in the middle of a phase)."""
    from paraph_platform.testing import _admin_engine
    return _admin_engine()


class CpuMeter:
    """CPU seconds spent by groups of processes between two snapshots: ``{group: () -> [pid, ...]}``.

    A process that appears during the phase counts from zero (a new PostgreSQL backend); one that exits
    during it is lost (none of the benchmarks' processes do)."""

    def __init__(self, groups: dict):
        self.groups = groups

    def snapshot(self) -> dict:
        taken = {}
        for group, pids in self.groups.items():
            taken[group] = {pid: cpu for pid in pids() if (cpu := cpu_seconds(pid)) is not None}
        return taken

    def since(self, before: dict) -> dict:
        """{group: CPU seconds} since ``before`` (a snapshot)."""
        after = self.snapshot()
        return {group: round(sum(cpu - before.get(group, {}).get(pid, 0.0) for pid, cpu in now.items()), 3)
                for group, now in after.items()}


def per_request(cpu: dict, requests_done: int) -> dict:
    """{group: CPU milliseconds per request} (and their total)."""
    if not requests_done:
        return {}
    out = {group: round(seconds * 1000 / requests_done, 3) for group, seconds in cpu.items()}
    out["total"] = round(sum(seconds for seconds in cpu.values()) * 1000 / requests_done, 3)
    return out


# The measured phases of a run: ``with measured_phase("read"): ...`` around what a benchmark measures.
# ``bench/profile.py`` listens to them to attach py-spy only while a phase runs.
PHASE_LISTENERS: list = []


@contextmanager
def measured_phase(name: str, meter: CpuMeter | None = None):
    """Yields a dict that holds ``cpu_s`` ({group: CPU seconds}) once the phase ends (with a meter)."""
    for listener in PHASE_LISTENERS:
        listener.started(name)
    out: dict = {}
    before = meter.snapshot() if meter else None
    busy, started = machine_busy_seconds(), time.monotonic()
    try:
        yield out
    finally:
        if meter:
            out["cpu_s"] = meter.since(before)
        # everything the cores did meanwhile (RabbitMQ, other users of the machine included): with the
        # wall time, how busy the machine was, and what the groups above leave unattributed
        out["machine_busy_s"] = round(machine_busy_seconds() - busy, 3)
        out["wall_s"] = round(time.monotonic() - started, 3)
        for listener in reversed(PHASE_LISTENERS):
            listener.stopped(name)


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle since boot (/proc/stat: user, nice, system, irq, softirq, steal)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


# -- native load generator (wrk) ---------------------------------------------------------------------
# A closed loop in C: at the gateway's rates a Python client would be the first bottleneck on 2 cores
# (wrk is in deps/apt.txt). Its Lua report prints one JSON line the benchmark parses.
WRK_REPORT = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "status_errors": %d, '
    .. '"mean_us": %.1f, "p50_us": %d, "p95_us": %d, "p99_us": %d}\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency.mean, latency:percentile(50),
    latency:percentile(95), latency:percentile(99)))
end
"""

# a write per request: a unique body and Idempotency-Key (label.thread.counter), e.g. {"name": "P-<key>"}
WRK_UNIQUE_POST = r"""
local made, counter, label = 0, 0, "run"
function setup(thread) made = made + 1; thread:set("tid", made) end
function init(args) label = args[1] or label end
function request()
  counter = counter + 1
  local key = label .. "." .. tostring(tid) .. "." .. counter
  wrk.headers["Idempotency-Key"] = key
  return wrk.format("POST", nil, nil, string.format(BODY, key))
end
"""


def wrk_load(url: str, *, seconds: float, connections: int = 16, threads: int = 1, headers: dict | None = None,
             post_body: str | None = None, label: str = "run", meter: CpuMeter | None = None,
             phase: str | None = None) -> dict:
    """``wrk`` against ``url`` for ``seconds``; with ``post_body`` (a Lua format string with one ``%s``, e.g.
    ``'{"name":"P-%s"}'``) every request is a POST with a unique body and Idempotency-Key. Returns what
    ``summary()`` does, plus wrk's own CPU seconds and, with a meter, the phase's CPU by process group."""
    import resource
    import shutil
    import tempfile
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (deps/apt.txt), or use the Python client")
    script = WRK_REPORT
    if post_body is not None:
        script += f"BODY = {json.dumps(post_body)}\n" + WRK_UNIQUE_POST
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "15s",
           "-s", f.name]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd += [url, "--", label]
    try:
        with measured_phase(phase or label, meter) as cpu:
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)  # before a profiler's py-spy are reaped
    finally:
        os.unlink(f.name)
    line = next((l for l in out.stdout.splitlines() if l.startswith("WRK_JSON ")), None)
    if out.returncode or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
    raw = json.loads(line.split(" ", 1)[1])
    elapsed = raw["duration_us"] / 1e6
    ok = raw["requests"] - raw["status_errors"]
    result = {"requests": ok, "errors": raw["status_errors"] + raw["socket_errors"], "seconds": round(elapsed, 3),
              "throughput": round(ok / elapsed, 1) if elapsed else 0.0, "mean_ms": round(raw["mean_us"] / 1000, 2),
              **{f"p{p}_ms": round(raw[f"p{p}_us"] / 1000, 2) for p in (50, 95, 99)},
              # the load generator's own share of the cores (it must stay far from saturating one)
              "wrk_cpu_s": round(after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime, 3)}
    result.update(cpu)
    return result
