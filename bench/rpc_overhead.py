"""RPC overhead of the gateway's RpcClientPool against a bare nameko ClusterRpcProxy, same method.

The perimeter service runs as in production (``python -m paraph_platform.run perimeter``) on a private
vhost; the same cheap method (``perimeters_of``: one indexed SQL query) is called

* sequentially through a long-lived bare ``ClusterRpcProxy`` (the floor: one connection, one reply queue),
* sequentially through ``RpcClientPool.call`` (what every gateway request does: deadline in the
  context data, message TTL, pooled reply queues, thread-safe checkout),
* sequentially through a new ``ClusterRpcProxy`` per call (what naive code does; shows what the pool saves),
* concurrently from N threads sharing one pool, versus N threads each with its own bare proxy.

    ./paraph bench rpc_overhead [--calls 500] [--threads 8]
"""
from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.common import (Processes, private_vhost, ratio, save, scratch_databases, service_env, summary, table,
                          timed_calls, wait_until)

SUITE = True


def concurrent(make_call, threads: int, calls_per_thread: int) -> dict:
    latencies, lock = [], threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def worker(k):
        call = make_call(k)
        for i in range(5):
            call(i)
        barrier.wait()
        local = timed_calls(call, calls_per_thread, warmup=0)
        with lock:
            latencies.extend(local)

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in pool:
        t.join()
    return summary(latencies, time.perf_counter() - t0)


def run(calls: int, threads: int) -> dict:
    from nameko.standalone.rpc import ClusterRpcProxy
    from paraph_platform.rpc import RpcClientPool

    with tempfile.TemporaryDirectory(prefix="paraph-bench-") as tmp, private_vhost() as amqp, \
            scratch_databases("perimeter") as dbs:
        procs = Processes(Path(tmp))
        try:
            procs.service("perimeter", service_env(amqp, dbs, Path(tmp)))
            config = {"AMQP_URI": amqp, "serializer": "json"}
            license_id = str(uuid.uuid4())
            ids = [str(uuid.uuid4()) for _ in range(5)]
            args = (license_id, "customer", ids)
            pool = RpcClientPool(config, size=threads, timeout=10)

            def ready():
                return pool.call("perimeter", "perimeters_of", *args) is not None
            wait_until(ready, 90, "the perimeter service")
            procs.check()
            results = {}
            with ClusterRpcProxy(config, timeout=10) as bare:
                results["bare_proxy"] = summary(t := timed_calls(lambda i: bare.perimeter.perimeters_of(*args), calls),
                                                sum(t))
            results["pool"] = summary(t := timed_calls(lambda i: pool.call("perimeter", "perimeters_of", *args), calls),
                                      sum(t))

            def fresh(i):
                with ClusterRpcProxy(config, timeout=10) as p:
                    return p.perimeter.perimeters_of(*args)
            n_fresh = max(20, calls // 5)
            results["proxy_per_call"] = summary(t := timed_calls(fresh, n_fresh, warmup=3), sum(t))

            per_thread = max(20, calls // threads)
            results[f"pool_x{threads}_threads"] = concurrent(
                lambda k: (lambda i: pool.call("perimeter", "perimeters_of", *args)), threads, per_thread)
            proxies = []

            def own_proxy(k):
                proxy = ClusterRpcProxy(config, timeout=10)
                proxies.append(proxy)
                service = proxy.start()
                return lambda i: service.perimeter.perimeters_of(*args)
            try:
                results[f"bare_x{threads}_threads"] = concurrent(own_proxy, threads, per_thread)
            finally:
                for p in proxies:
                    p.stop()
            pool.close()
            procs.check()
            return results
        finally:
            procs.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench rpc_overhead", description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    r = run(args.calls, args.threads)
    rows = [[k, v["requests"], v["mean_ms"], v["p50_ms"], v["p95_ms"], v["throughput"]] for k, v in r.items()]
    print(table(rows, ["client", "calls", "mean ms", "p50 ms", "p95 ms", "calls/s"]))
    t = args.threads
    ratios = {
        "pool_vs_bare_mean_latency": ratio(r["pool"]["mean_ms"], r["bare_proxy"]["mean_ms"]),
        "pool_overhead_ms": round(r["pool"]["mean_ms"] - r["bare_proxy"]["mean_ms"], 3),
        "proxy_per_call_vs_pool_mean_latency": ratio(r["proxy_per_call"]["mean_ms"], r["pool"]["mean_ms"]),
        f"pool_vs_bare_throughput_x{t}": ratio(r[f"pool_x{t}_threads"]["throughput"], r[f"bare_x{t}_threads"]["throughput"]),
    }
    for k, v in ratios.items():
        print(f"  {k}: {v}")
    path = save("rpc_overhead", {"params": vars(args), "results": r, "ratios": ratios})
    print(f"  saved {path.relative_to(path.parents[2])}")
    return 0
