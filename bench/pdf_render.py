"""PDF rendering rate through the gateway: cold renders (weasyprint in eventlet.tpool) vs cached PDFs
vs a plain contract read, sequential and from concurrent clients.

Each quote has 20 lines; a cold render is the first download of a quote (nothing cached), a cached one
returns the stored bytes (same fingerprint). While renders run, the service keeps answering reads:
the "reads during renders" row measures read latency with renders in flight.

    ./paraph bench pdf_render [--quotes 30] [--threads 4]
"""
from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.common import (Processes, access_token, free_port, offline_gateway, private_vhost, ratio, save,
                          scratch_databases, service_env, summary, table)

SUITE = True
LINES = [{"product_code": f"P{i}", "description": f"Produit {i} " + "désignation " * 6, "quantity": "2",
          "unit_price": "19.90", "tax_rate": "20"} for i in range(20)]


def timed(session, url, token):
    t0 = time.perf_counter()
    r = session.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=120)
    r.raise_for_status()
    return time.perf_counter() - t0


def run_threads(work, threads):
    """Split `work` (callables returning a latency) across threads; returns (latencies, elapsed)."""
    latencies, lock = [], threading.Lock()
    chunks = [work[i::threads] for i in range(threads)]

    def worker(items):
        for fn in items:
            dt = fn()
            with lock:
                latencies.append(dt)

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return latencies, time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quotes", type=int, default=30)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="paraph-bench-pdf-"))
    procs = Processes(tmp)
    results = {}
    with private_vhost() as amqp, scratch_databases("identity", "perimeter", "contracts") as urls:
        try:
            env = service_env(amqp, urls, tmp)
            for svc in ("identity", "perimeter", "contracts"):
                procs.service(svc, env)
            base = procs.gateway(free_port(), env, config=offline_gateway())  # a made-up admin
            token = access_token("bench-license", "bench-admin", role="license_admin")
            h = {"Authorization": f"Bearer {token}"}
            deadline = time.time() + 60
            while True:  # services up?
                r = requests.post(f"{base}/api/v1/customers", json={"name": "Bench SA"}, headers=h, timeout=30)
                if r.status_code == 201 or time.time() > deadline:
                    break
                time.sleep(0.5)
            r.raise_for_status()
            customer = r.json()["id"]
            ids = []
            for i in range(args.quotes * 2):
                r = requests.post(f"{base}/api/v1/quotes", json={"title": f"Devis {i}", "customer_id": customer,
                                                                 "lines": LINES}, headers=h, timeout=30)
                r.raise_for_status()
                ids.append(r.json()["id"])
            seq_ids, par_ids = ids[:args.quotes], ids[args.quotes:]
            s = requests.Session()
            timed(s, f"{base}/api/v1/contracts/{ids[0]}", token)  # warm up
            reads = [timed(s, f"{base}/api/v1/contracts/{i}", token) for i in seq_ids]
            cold = [timed(s, f"{base}/api/v1/contracts/{i}/pdf", token) for i in seq_ids]
            cached = [timed(s, f"{base}/api/v1/contracts/{i}/pdf", token) for i in seq_ids]
            results["read"] = summary(reads, sum(reads))
            results["cold_render"] = summary(cold, sum(cold))
            results["cached_pdf"] = summary(cached, sum(cached))
            sessions = threading.local()

            def sess():
                if not hasattr(sessions, "s"):
                    sessions.s = requests.Session()
                return sessions.s

            renders = [lambda i=i: timed(sess(), f"{base}/api/v1/contracts/{i}/pdf", token) for i in par_ids]
            during = []
            stop = threading.Event()

            def reader():
                rs = requests.Session()
                while not stop.is_set():
                    during.append(timed(rs, f"{base}/api/v1/contracts/{seq_ids[0]}", token))

            rt = threading.Thread(target=reader)
            rt.start()
            lat, elapsed = run_threads(renders, args.threads)
            stop.set()
            rt.join()
            results["cold_render_concurrent"] = summary(lat, elapsed)
            results["reads_during_renders"] = summary(during, sum(during) or 1)
        finally:
            procs.stop()
    rows = [[name, r["throughput"], r["p50_ms"], r["p95_ms"]] for name, r in (
        ("plain read (GET contract)", results["read"]), ("cached PDF", results["cached_pdf"]),
        ("cold render, sequential", results["cold_render"]),
        (f"cold render, {args.threads} clients", results["cold_render_concurrent"]),
        ("reads during renders", results["reads_during_renders"]))]
    print(table(rows, ["scenario", "per s", "p50 ms", "p95 ms"]))
    print(f"\ncold render / plain read p50: {ratio(results['cold_render']['p50_ms'], results['read']['p50_ms'])}; "
          f"cached / cold p50: {ratio(results['cached_pdf']['p50_ms'], results['cold_render']['p50_ms'])}; "
          f"{args.threads} clients / sequential render rate: "
          f"{ratio(results['cold_render_concurrent']['throughput'], results['cold_render']['throughput'])}; "
          f"read p95 during renders / idle: "
          f"{ratio(results['reads_during_renders']['p95_ms'], results['read']['p95_ms'])}")
    print(f"results: {save('pdf_render', {'params': vars(args), **results})}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
