"""Gateway HTTP throughput and latency under concurrent load (read, write, and a no-RPC baseline).

A real gunicorn gateway (gthread workers, as deployed) on a free port, in front of the perimeter and
identity services started as in production (``python -m paraph_platform.run``) on a private RabbitMQ
vhost and fresh PostgreSQL databases. A closed-loop load generator (threads) measures:

* ``GET /healthz``                 — HTTP + Flask only (no RPC): the ceiling of the gateway itself
* ``GET /api/v1/perimeters/<id>``  — read: JWT check, 1 RPC, 2 SQL queries
* ``POST /api/v1/perimeters``      — write: JWT, body validation, 1 RPC, policy decision, insert +
  outbox row + idempotency key in one transaction

and prints ratios measured in this one run (read/baseline, write/read).

The cost of checking every request against the caller's current rights (identity's access state, cached
per worker and invalidated by events) is measured on ``GET /api/v1/bench/whoami`` (authenticated, no RPC),
one client at a time, on two gateways side by side: the same app with the check, and without it. Their
p50 difference is what the check adds to each request (a cache hit); the load average is printed with it.

    ./paraph bench gateway_http [--threads 16] [--seconds 8] [--workers 2] [--gateway-threads 8]
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

import requests

from bench.common import (Processes, http_load, private_vhost, ratio, real_session, save, scratch_databases,
                          service_env, summary, table, wait_until)

SUITE = True


def run(threads: int, seconds: float, workers: int, gateway_threads: int) -> dict:
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
            results = {
                "healthz": http_load(lambda s, i: s.get(f"{url}/healthz", timeout=15),
                                     threads=threads, seconds=seconds),
                "read": http_load(lambda s, i: s.get(f"{url}/api/v1/perimeters/{seed}", headers=auth, timeout=15),
                                  threads=threads, seconds=seconds),
                "write": http_load(create, threads=threads, seconds=seconds),
            }
            results.update(paired_latencies({"auth_with_access_check": f"{url}/api/v1/bench/whoami",
                                             "auth_without_access_check": f"{unchecked}/api/v1/bench/whoami"},
                                            auth, seconds=2 * seconds))
            results["load_average_1m"] = os.getloadavg()[0]
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench gateway_http", description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=16, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per scenario")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--gateway-threads", type=int, default=8, help="threads per gunicorn worker")
    args = parser.parse_args(argv)
    r = run(args.threads, args.seconds, args.workers, args.gateway_threads)
    print(f"gateway: gunicorn {args.workers} workers x {args.gateway_threads} threads; "
          f"{args.threads} concurrent clients, {args.seconds:.0f}s per scenario")
    load = r.pop("load_average_1m")
    rows = [[name, v["throughput"], v["p50_ms"], v["p95_ms"], v["p99_ms"], v["errors"]] for name, v in r.items()]
    print(table(rows, ["scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]))
    ratios = {
        "read_vs_healthz_throughput": ratio(r["read"]["throughput"], r["healthz"]["throughput"]),
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
    return 0 if all(v["requests"] for v in r.values()) else 1
