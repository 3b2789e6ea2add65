"""bulk_send: one PDF sent to 1,000 recipients (``POST /api/v1/signature-requests/bulk``): how long the job
takes to finish (rows per second), and whether the signing service keeps answering meanwhile: the latency
of its ``ping`` RPC while the job runs vs idle, measured in the same run (ratios, never pass/fail; the load
average is printed with them).

The signing and identity services run as in production (``python -m paraph_platform.run``), the gateway
is a real gunicorn (a made-up license admin, ``offline_gateway``); the job's rows are created by the signing
service itself, ``--concurrency`` at a time (``BULK_SEND_CONCURRENCY``), while one client pings it back to
back through the gateway's RPC pool.

    ./paraph bench bulk_send [--rows 1000] [--concurrency 4] [--pings 200]
"""
from __future__ import annotations

import argparse
import base64
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.common import (Processes, access_token, free_port, load_average, offline_gateway, private_vhost, ratio,
                          save, scratch_databases, service_env, summary, table, wait_until)

SUITE = False  # ~1-3 minutes; run it by name


def _pdf() -> bytes:
    from signing_service.testing import pdf_file
    return pdf_file(pages=1)


def _pings(pool, stop: threading.Event | None = None, count: int | None = None) -> list[float]:
    """Latencies of back-to-back ``signing.ping`` calls: ``count`` of them, or until ``stop`` is set."""
    out = []
    while (count is None or len(out) < count) and not (stop is not None and stop.is_set()):
        t0 = time.perf_counter()
        pool.call("signing", "ping", timeout=30)
        out.append(time.perf_counter() - t0)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="./paraph bench bulk_send", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4, help="BULK_SEND_CONCURRENCY of the service")
    parser.add_argument("--pings", type=int, default=200, help="idle pings measured before the job")
    args = parser.parse_args(argv)

    from paraph_platform.rpc import RpcClientPool

    tmp = Path(tempfile.mkdtemp(prefix="paraph-bench-bulk-"))
    procs = Processes(tmp)
    result: dict = {"params": vars(args)}
    with private_vhost() as amqp, scratch_databases("identity", "signing") as urls:
        pool = RpcClientPool({"AMQP_URI": amqp}, size=2, timeout=30)
        try:
            env = service_env(amqp, urls, tmp)
            procs.service("identity", env)
            procs.service("signing", {**env, "BULK_SEND_CONCURRENCY": str(args.concurrency),
                                      "BULK_SEND_SCAN_INTERVAL": "0.5"})
            base = procs.gateway(free_port(), env, config=offline_gateway())
            headers = {"Authorization": f"Bearer {access_token('bench-license', 'bench-admin')}"}
            wait_until(lambda: _ok(pool), 60, "the signing service")
            _pings(pool, count=20)  # warm-up
            load_before = load_average()
            idle = _pings(pool, count=args.pings)
            result["ping_idle"] = summary(idle, sum(idle))

            recipients = [{"name": f"Client {i}", "email": f"client{i}@bulk.bench"} for i in range(1, args.rows + 1)]
            body = {"title": "Bench", "recipients": recipients,
                    "document": {"filename": "bench.pdf", "content_base64": base64.b64encode(_pdf()).decode()}}
            t0 = time.perf_counter()
            r = requests.post(f"{base}/api/v1/signature-requests/bulk", json=body, headers=headers, timeout=120)
            answered = time.perf_counter() - t0
            r.raise_for_status()
            job = r.json()
            stop = threading.Event()
            during: list[float] = []
            pinger = threading.Thread(target=lambda: during.extend(_pings(pool, stop=stop)))
            pinger.start()
            try:
                while True:
                    state = requests.get(f"{base}/api/v1/signature-requests/bulk/{job['id']}", headers=headers,
                                         timeout=30).json()
                    if state["status"] in ("completed", "cancelled"):
                        break
                    procs.check()
                    time.sleep(0.5)
            finally:
                stop.set()
                pinger.join()
            finished = time.perf_counter() - t0
            load_after = load_average()
            result.update({"post_answered_s": round(answered, 3), "finished_s": round(finished, 1),
                           "rows_per_s": round(args.rows / finished, 1), "created": state["created"],
                           "failed": state["failed"], "ping_during_job": summary(during, sum(during) or 1),
                           "load_average_before": load_before, "load_average_after": load_after})
        finally:
            pool.close()
            procs.stop()

    idle, during = result["ping_idle"], result["ping_during_job"]
    print(table([["ping, idle", idle["requests"], idle["p50_ms"], idle["p95_ms"]],
                 ["ping, during the job", during["requests"], during["p50_ms"], during["p95_ms"]]],
                ["scenario", "calls", "p50 ms", "p95 ms"]))
    print(f"\n{args.rows} rows at {args.concurrency} at a time: POST answered in {result['post_answered_s']} s, "
          f"job finished in {result['finished_s']} s ({result['rows_per_s']} rows/s; created {result['created']}, "
          f"failed {result['failed']})")
    print(f"ping during the job / idle: p50 {ratio(during['p50_ms'], idle['p50_ms'])}, "
          f"p95 {ratio(during['p95_ms'], idle['p95_ms'])} (load average before {result['load_average_before']}, "
          f"after {result['load_average_after']})")
    print(f"results: {save('bulk_send', result)}")
    return 0


def _ok(pool) -> bool:
    try:
        return pool.call("signing", "ping", timeout=5)["status"] == "ok"
    except Exception:  # noqa: BLE001 - not up yet
        return False


if __name__ == "__main__":
    raise SystemExit(main())
