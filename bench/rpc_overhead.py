"""RPC overhead of the gateway's RpcClientPool against a bare nameko ClusterRpcProxy, same method.

The perimeter service runs as in production (``python -m paraph_platform.run perimeter``) on a private
vhost; the same cheap method (``perimeters_of``: one indexed SQL query) is called

* sequentially through a long-lived bare ``ClusterRpcProxy`` (the floor: one connection, one reply queue),
* sequentially through ``RpcClientPool.call`` (what every gateway request does: deadline in the
  context data, message TTL, pooled reply queues, thread-safe checkout),
* sequentially through a new ``ClusterRpcProxy`` per call (what naive code does; shows what the pool saves),
* concurrently from N threads sharing one pool, versus N threads each with its own bare proxy.

    ./paraph bench rpc_overhead [--calls 500] [--threads 8]
    ./paraph bench rpc_overhead --reply-confirms-ab [--calls 2000] [--rounds 10]

It also reports the service's own CPU time per call. The service's replies are confirmed by the broker
(``RPC_REPLY_CONFIRMS``, default 1); ``RPC_REPLY_CONFIRMS=0 ./paraph bench rpc_overhead`` measures them without.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.common import (Processes, cpu_seconds, private_vhost, ratio, save, scratch_databases, service_env,
                          summary, table, timed_calls, wait_until)

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
            service = procs.service("perimeter", service_env(amqp, dbs, Path(tmp)))
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
            cpu_before = cpu_seconds(service.pid)
            results["pool"] = summary(t := timed_calls(lambda i: pool.call("perimeter", "perimeters_of", *args), calls),
                                      sum(t))
            # what one call costs the service itself, its reply included (--reply-confirms-ab compares with/without)
            results["pool"]["service_cpu_ms_per_call"] = round(
                (cpu_seconds(service.pid) - cpu_before) * 1000 / results["pool"]["requests"], 3)

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


def reply_confirms_ab(rounds: int, batch: int) -> dict:
    """Replies with and without publisher confirms (``RPC_REPLY_CONFIRMS``), paired: two perimeter processes,
    one of each, on vhosts of their own, called in alternating batches so that the machine's load drifts
    alike for both; the service's CPU time and the caller's latency per call."""
    from paraph_platform.rpc import RpcClientPool

    args = (str(uuid.uuid4()), "customer", [str(uuid.uuid4()) for _ in range(5)])
    with tempfile.TemporaryDirectory(prefix="paraph-bench-") as tmp, private_vhost() as amqp_off, \
            private_vhost() as amqp_on, scratch_databases("perimeter") as dbs:
        procs = Processes(Path(tmp))
        pools = []
        try:
            sides = {}
            for label, amqp, flag in (("without", amqp_off, "0"), ("with", amqp_on, "1")):
                process = procs.service("perimeter", {**service_env(amqp, dbs, Path(tmp)), "RPC_REPLY_CONFIRMS": flag})
                pool = RpcClientPool({"AMQP_URI": amqp, "serializer": "json"}, size=2, timeout=10)
                pools.append(pool)
                sides[label] = (process, pool, {"cpu": 0.0, "wall": 0.0, "calls": 0})
            for label, (_, pool, _) in sides.items():
                wait_until(lambda: pool.call("perimeter", "perimeters_of", *args) is not None, 90, label)
                timed_calls(lambda i: pool.call("perimeter", "perimeters_of", *args), 0, warmup=50)
            for r in range(rounds):
                for label in (["without", "with"] if r % 2 == 0 else ["with", "without"]):
                    process, pool, total = sides[label]
                    cpu, t0 = cpu_seconds(process.pid), time.perf_counter()
                    for _ in range(batch):
                        pool.call("perimeter", "perimeters_of", *args)
                    total["wall"] += time.perf_counter() - t0
                    total["cpu"] += cpu_seconds(process.pid) - cpu
                    total["calls"] += batch
            return {label: {"calls": t["calls"], "service_cpu_ms_per_call": round(t["cpu"] * 1000 / t["calls"], 3),
                            "mean_ms": round(t["wall"] * 1000 / t["calls"], 2)} for label, (_, _, t) in sides.items()}
        finally:
            for pool in pools:
                pool.close()
            procs.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench rpc_overhead", description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--reply-confirms-ab", action="store_true",
                        help="only compare replies with and without publisher confirms (paired batches)")
    parser.add_argument("--rounds", type=int, default=10, help="--reply-confirms-ab: batches per side")
    args = parser.parse_args(argv)
    if args.reply_confirms_ab:
        r = reply_confirms_ab(args.rounds, max(1, args.calls // args.rounds))
        for label, v in r.items():
            print(f"  replies {label} confirms: {v['calls']} calls, service CPU {v['service_cpu_ms_per_call']} ms "
                  f"per call, mean latency {v['mean_ms']} ms")
        ratios = {"unconfirmed_vs_confirmed_service_cpu": ratio(r["without"]["service_cpu_ms_per_call"],
                                                                 r["with"]["service_cpu_ms_per_call"]),
                  "unconfirmed_vs_confirmed_mean_latency": ratio(r["without"]["mean_ms"], r["with"]["mean_ms"])}
        for k, v in ratios.items():
            print(f"  {k}: {v}")
        path = save("rpc_overhead_reply_confirms", {"params": vars(args), "results": r, "ratios": ratios})
        print(f"  saved {path.relative_to(path.parents[2])}")
        return 0
    r = run(args.calls, args.threads)
    rows = [[k, v["requests"], v["mean_ms"], v["p50_ms"], v["p95_ms"], v["throughput"]] for k, v in r.items()]
    print(table(rows, ["client", "calls", "mean ms", "p50 ms", "p95 ms", "calls/s"]))
    print(f"  service CPU per call (pool, sequential): {r['pool']['service_cpu_ms_per_call']} ms "
          f"(RPC_REPLY_CONFIRMS={os.environ.get('RPC_REPLY_CONFIRMS', '1')})")
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
