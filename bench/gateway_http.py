"""Gateway HTTP throughput and latency under concurrent load (read, write, and a no-RPC baseline).

A real gunicorn gateway (gthread workers, as deployed) on a free port, in front of the perimeter and
identity services started as in production (``python -m paraph_platform.run``) on a private RabbitMQ
vhost and fresh PostgreSQL databases. A closed-loop load generator (threads) measures:

* ``GET /healthz``                 — HTTP + Flask only (no RPC): the ceiling of the gateway itself
* ``GET /api/v1/perimeters/<id>``  — read: JWT check, 1 RPC, 2 SQL queries
* ``POST /api/v1/perimeters``      — write: JWT, body validation, 1 RPC, policy decision, insert +
  outbox row + idempotency key in one transaction

and prints ratios measured in this one run (read/baseline, write/read).

    ./paraph bench gateway_http [--threads 16] [--seconds 8] [--workers 2] [--gateway-threads 8]
"""
from __future__ import annotations

import argparse
import tempfile
import uuid
from pathlib import Path

import requests

from bench.common import (Processes, access_token, http_load, private_vhost, ratio, save, scratch_databases,
                          service_env, table, wait_until)

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
            url = procs.gateway(free_port(), env, workers=workers, threads=gateway_threads)
            license_id, user_id = str(uuid.uuid4()), str(uuid.uuid4())
            auth = {"Authorization": f"Bearer {access_token(license_id, user_id)}"}

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
            procs.check()
            return results
        finally:
            procs.stop()


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
    rows = [[name, v["throughput"], v["p50_ms"], v["p95_ms"], v["p99_ms"], v["errors"]] for name, v in r.items()]
    print(table(rows, ["scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]))
    ratios = {
        "read_vs_healthz_throughput": ratio(r["read"]["throughput"], r["healthz"]["throughput"]),
        "write_vs_read_throughput": ratio(r["write"]["throughput"], r["read"]["throughput"]),
        "write_vs_read_p95": ratio(r["write"]["p95_ms"], r["read"]["p95_ms"]),
        "read_vs_healthz_p95": ratio(r["read"]["p95_ms"], r["healthz"]["p95_ms"]),
    }
    for k, v in ratios.items():
        print(f"  {k}: {v}")
    path = save("gateway_http", {"params": vars(args), "results": r, "ratios": ratios})
    print(f"  saved {path.relative_to(path.parents[2])}")
    return 0 if all(v["requests"] for v in r.values()) else 1
