"""Gateway HTTP throughput, latency and CPU per request (read, write, and what a read is made of).

A real gunicorn gateway (gthread workers, as deployed) on a free port, in front of the perimeter and
identity services started as in production (``python -m paraph_platform.run``) on a private RabbitMQ
vhost and fresh PostgreSQL databases. A native closed-loop load generator (``wrk``, one thread and 16
connections by default: it uses a small share of one core, printed) measures, one scenario after another:

* ``GET /healthz``                 — HTTP + Flask only: the ceiling of the gateway itself
* ``GET /api/v1/bench/whoami``     — + token verification and the caller's rights (cached per worker)
* ``GET /api/v1/bench/echo``       — + one no-op RPC (the perimeter service's ``ping``) through the RPC pool
* ``GET /api/v1/perimeters/<id>``  — read: the same RPC doing 2 SQL queries
* ``POST /api/v1/perimeters``      — write: body validation, 1 RPC, policy decision, insert + outbox row +
  idempotency key in one transaction (a unique body and Idempotency-Key per request, from wrk's Lua)

and prints ratios measured in this one run (read/healthz, read/echo, write/read) with the load average.
For each scenario it also reads /proc/<pid>/stat (utime + stime) of each process group before and after:
CPU milliseconds per request of the gateway (master + workers), the perimeter and identity services and
the PostgreSQL backends of the run's own databases (RabbitMQ is shared by the machine: what the cores did
besides the groups is printed as "other", the broker and other users of the machine included).

The cost of checking every request against the caller's current rights (identity's access state, cached
per worker and invalidated by events) is measured on ``GET /api/v1/bench/whoami`` (authenticated, no RPC),
one client at a time, on two gateways side by side: the same app with the check, and without it. Their
p50 difference is what the check adds to each request (a cache hit); the load average is printed with it.

    ./paraph bench gateway_http [--connections 16] [--wrk-threads 1] [--seconds 8] [--workers 2]
                                [--gateway-threads 8] [--client wrk|threads]

``--client threads`` is the former Python load generator (``requests`` sessions, one per connection): its
own CPU competes with the gateway's on 2 cores, which is why wrk is the default.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

import requests

from bench.common import (BASELINE, CpuMeter, Processes, http_load, load_average, measured_phase, per_request,
                          pg_backends, private_vhost, ratio, real_session, save, scratch_databases, service_env,
                          summary, table, wait_until, wrk_load)

SUITE = True
SCENARIOS = ("healthz", "whoami", "echo", "read", "write")
WRITE_BODY = '{"name": "P-%s"}'


def run(connections: int, wrk_threads: int, seconds: float, workers: int, gateway_threads: int,
        client: str = "wrk") -> dict:
    from bench.common import free_port
    with tempfile.TemporaryDirectory(prefix="paraph-bench-") as tmp, private_vhost() as amqp, \
            scratch_databases("identity", "perimeter") as dbs:
        procs = Processes(Path(tmp))
        try:
            env = service_env(amqp, dbs, Path(tmp))
            for service in dbs:
                procs.service(service, env)
            url = procs.gateway(free_port(), env, workers=workers, threads=gateway_threads, config={})
            unchecked = procs.gateway(free_port(), env, workers=workers, threads=gateway_threads,
                                      config={"ACCESS_STATE_CHECK": False}, name="gateway-without-access-check")
            wait_until(lambda: requests.get(f"{url}/api/v1/.well-known/jwks.json", timeout=5).ok, 90, "identity")
            auth = {"Authorization": f"Bearer {real_session(url, dbs['identity'])['access_token']}"}

            def create(session, i):
                return session.post(f"{url}/api/v1/perimeters", json={"name": f"P-{uuid.uuid4().hex[:12]}"},
                                    headers=auth, timeout=15)

            wait_until(lambda: create(requests, 0).status_code == 201, 90, "services to answer through the gateway")
            procs.check()
            seed = create(requests, 0).json()["id"]
            meter = CpuMeter({"gateway": lambda: procs.pids("gateway"),
                              "perimeter": lambda: procs.pids("perimeter"),
                              "identity": lambda: procs.pids("identity"),
                              "postgres": lambda: pg_backends(dbs.values())})
            paths = {"healthz": "/healthz", "whoami": "/api/v1/bench/whoami", "echo": "/api/v1/bench/echo",
                     "read": f"/api/v1/perimeters/{seed}", "write": "/api/v1/perimeters"}
            results = {"load_average_before": load_average()}
            run_label = uuid.uuid4().hex[:10]
            for name in SCENARIOS:
                headers = {} if name == "healthz" else dict(auth)
                if client == "wrk":
                    post = WRITE_BODY if name == "write" else None
                    if post:
                        headers["Content-Type"] = "application/json"
                    load = dict(headers=headers, post_body=post, connections=connections, threads=wrk_threads)
                    wrk_load(url + paths[name], seconds=1, label=f"{run_label}-warm", phase="warm-up", **load)
                    results[name] = wrk_load(url + paths[name], seconds=seconds, label=run_label, meter=meter,
                                             phase=name, **load)
                else:
                    make = create if name == "write" else \
                        (lambda s, i, path=paths[name], h=headers: s.get(url + path, headers=h, timeout=15))
                    with measured_phase(name, meter) as cpu:
                        results[name] = http_load(make, threads=connections, seconds=seconds)
                    results[name].update(cpu)
                procs.check()
            results.update(paired_latencies({"auth_with_access_check": f"{url}/api/v1/bench/whoami",
                                             "auth_without_access_check": f"{unchecked}/api/v1/bench/whoami"},
                                            auth, seconds=2 * seconds))
            results["load_average_1m"] = os.getloadavg()[0]
            results["load_average_after"] = load_average()
            procs.check()
            return results
        finally:
            procs.stop()


def paired_latencies(urls: dict, headers: dict, seconds: float, warmup: int = 50) -> dict:
    """One client alternating between the URLs (in turn, each round in a new order), so that whatever
    else loads the machine weighs the same on each: {name: summary of its latencies}."""
    sessions = {name: requests.Session() for name in urls}
    latencies: dict = {name: [] for name in urls}
    names = list(urls)
    started = time.monotonic()
    rounds = 0
    while time.monotonic() - started < seconds:
        random.shuffle(names)
        for name in names:
            t0 = time.perf_counter()
            sessions[name].get(urls[name], headers=headers, timeout=15).raise_for_status()
            if rounds >= warmup:
                latencies[name].append(time.perf_counter() - t0)
        rounds += 1
    elapsed = time.monotonic() - started
    return {name: summary(values, elapsed / len(urls)) for name, values in latencies.items()}


def cpu_rows(results: dict) -> list[list]:
    """CPU ms per request by process group, and "other" (the machine's busy time not in a group: RabbitMQ,
    the load generator, anything else running), per scenario."""
    rows = []
    for name in SCENARIOS:
        r = results[name]
        if "cpu_s" not in r:
            continue
        per = per_request(r["cpu_s"], r["requests"])
        other = r["machine_busy_s"] - sum(r["cpu_s"].values())
        r["cpu_ms_per_request"] = {**per, "other": round(other * 1000 / max(1, r["requests"]), 3)}
        rows.append([name] + [per.get(g, "") for g in r["cpu_s"]] + [per["total"], r["cpu_ms_per_request"]["other"],
                     f"{r['machine_busy_s'] / r['wall_s']:.2f}" if r.get("wall_s") else ""])
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench gateway_http", description=__doc__.split("\n")[0])
    parser.add_argument("--connections", "--threads", type=int, default=16, help="concurrent clients")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (1 is plenty for 2 cores)")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per scenario")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--gateway-threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--client", choices=("wrk", "threads"), default="wrk", help="load generator")
    args = parser.parse_args(argv)
    r = run(args.connections, args.wrk_threads, args.seconds, args.workers, args.gateway_threads, args.client)
    print(f"gateway: gunicorn {args.workers} workers x {args.gateway_threads} threads; load: {args.client}, "
          f"{args.connections} connections, {args.seconds:.0f}s per scenario; load average before "
          f"{r['load_average_before']}, after {r['load_average_after']}")
    load = r["load_average_1m"]
    scenarios = [n for n in r if isinstance(r[n], dict)]
    rows = [[name, v["throughput"], v["p50_ms"], v["p95_ms"], v["p99_ms"], v["errors"], v.get("wrk_cpu_s", "")]
            for name, v in ((n, r[n]) for n in scenarios)]
    print(table(rows, ["scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "wrk cpu s"]))
    groups = list(r["read"].get("cpu_s", {}))
    print("\nCPU ms per request (utime + stime of each group / requests answered):")
    print(table(cpu_rows(r), ["scenario", *groups, "total", "other", "busy cores"]))
    baseline = json.loads(BASELINE.read_text()).get("gateway_http") if BASELINE.exists() else None
    if baseline and "cpu_ms_per_request" in r["read"]:
        print(f"  CPU per request new / baseline ({baseline['date']}, load average {baseline['load_average_1m']}): " +
              ", ".join(f"{n} {ratio(r[n]['cpu_ms_per_request'][g], baseline['scenarios'][n]['cpu_ms_per_request'][g])}"
                        f" ({g})" for n in ("read", "write") for g in ("gateway", "perimeter", "total")))
    ratios = {
        "read_vs_healthz_throughput": ratio(r["read"]["throughput"], r["healthz"]["throughput"]),
        "read_vs_echo_throughput": ratio(r["read"]["throughput"], r["echo"]["throughput"]),
        "echo_vs_whoami_throughput": ratio(r["echo"]["throughput"], r["whoami"]["throughput"]),
        "write_vs_read_throughput": ratio(r["write"]["throughput"], r["read"]["throughput"]),
        "write_vs_read_p95": ratio(r["write"]["p95_ms"], r["read"]["p95_ms"]),
        "read_vs_healthz_p95": ratio(r["read"]["p95_ms"], r["healthz"]["p95_ms"]),
        "access_check_p50_ratio": ratio(r["auth_with_access_check"]["p50_ms"], r["auth_without_access_check"]["p50_ms"]),
        "access_check_added_p50_ms": round(r["auth_with_access_check"]["p50_ms"]
                                           - r["auth_without_access_check"]["p50_ms"], 3),
        "load_average_1m": round(load, 2),
    }
    for k, v in ratios.items():
        print(f"  {k}: {v}")
    path = save("gateway_http", {"params": vars(args), "results": r, "ratios": ratios})
    print(f"  saved {path.relative_to(path.parents[2])}")
    return 0 if all(r[n]["requests"] for n in scenarios) else 1
