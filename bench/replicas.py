"""Read and write throughput and CPU per request with 1, 2 and 3 replicas of the services behind them.

The same setup as ``gateway_http`` (a real gunicorn gateway, 2 gthread workers, in front of the perimeter and
identity services started as in production, ``python -m paraph_platform.run``, on a private vhost and fresh
databases), measured at each replica count in turn, in one run: after the measurements at N replicas, one
more process of each service is started (``perimeter-2``, ``identity-2``, ...), consuming the same queues
(``rpc-perimeter``, ``rpc-identity`` and the event queues), and the next measurement waits until the broker
shows N + 1 consumers on each RPC queue; then back down (3, 2, 1: the last replica stopped each time), so that a
drift of the shared machine's load shows as two different figures for the same count. Each step measures the
processes' CPU with no request for 3 s (heartbeats, outbox polls), then, with ``wrk`` (as ``gateway_http``):

* read  ``GET /api/v1/perimeters/<id>``  (1 RPC to perimeter, SQL)
* write ``POST /api/v1/perimeters``      (1 RPC, policy decision, insert + outbox + idempotency key)

and CPU milliseconds per request from /proc of every process group, summed over the group's replicas: the
gateway (master + workers), perimeter, identity, and the PostgreSQL backends of the run's databases.

On two cores shared by the load generator, the gateway, the services, RabbitMQ and PostgreSQL, throughput is
capped by CPU, not by the number of consumers: more replicas cannot raise it much, but they must not make
each request cost more. So the ratios printed (N replicas vs 1) are throughput and CPU per request, with
the load average.

    ./paraph bench replicas [--replicas 1 2 3] [--no-down] [--seconds 8] [--connections 16] [--workers 2]
                            [--gateway-threads 8] [--services perimeter identity]
"""
from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import requests

from bench.common import (CpuMeter, Processes, event_sink, free_port, load_average, measured_phase, per_request,
                          pg_backends, private_vhost, queue_consumers, ratio, real_session, replica_name, save,
                          scratch_databases, service_env, table, wait_until, wrk_load)
from bench.gateway_http import WRITE_BODY

SUITE = False  # five steps of two scenarios each (~3 minutes): `./paraph bench replicas`
SCENARIOS = ("read", "write")


def context_switches(pids: list[int]) -> dict:
    """Voluntary (the process waited, then was woken) and involuntary (preempted) context switches of these
    processes, summed (/proc/<pid>/status)."""
    fields = {"voluntary_ctxt_switches:": "voluntary", "nonvoluntary_ctxt_switches:": "involuntary"}
    total = dict.fromkeys(fields.values(), 0)
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            field, _, value = line.partition("\t")
            if field in fields:
                total[fields[field]] += int(value.split()[0])
    return total


def steps_of(counts: list[int], down: bool) -> list[tuple[str, int]]:
    """(label, replicas) in the order measured: up, then (``down``) back down to the first count, so that a
    drift of the machine's load during the run shows as a difference between the two measurements of a count."""
    up = sorted(set(counts))
    steps = [(str(n), n) for n in up]
    return steps + ([(f"{n} down", n) for n in reversed(up[:-1])] if down else [])


def run(counts: list[int], services: list[str], seconds: float, connections: int, workers: int,
        gateway_threads: int, down: bool = True, idle_seconds: float = 3.0) -> dict:
    with tempfile.TemporaryDirectory(prefix="paraph-bench-") as tmp, private_vhost() as amqp, \
            scratch_databases(*services) as dbs:
        procs = Processes(Path(tmp))
        try:
            env = service_env(amqp, dbs, Path(tmp))
            running = {service: 0 for service in services}

            def scale_to(n: int):
                for service in services:
                    while running[service] < n:
                        running[service] += 1
                        procs.service(service, env, replica=running[service])
                    while running[service] > n:
                        procs.stop(replica_name(service, running[service]))
                        running[service] -= 1
                # a replica counts once it consumes its RPC queue (migrations and start-up take seconds); a
                # stopped one once the broker dropped its consumer
                for service in services:
                    wait_until(lambda s=service: procs.check() or queue_consumers(amqp, f"rpc-{s}") == n, 120,
                               f"{n} consumers on rpc-{service}")

            def replicas_of(service: str) -> list[int]:
                return procs.pids(*(replica_name(service, i) for i in range(1, running[service] + 1)))

            steps = steps_of(counts, down)
            scale_to(steps[0][1])
            url = procs.gateway(free_port(), env, workers=workers, threads=gateway_threads, config={})
            wait_until(lambda: requests.get(f"{url}/api/v1/.well-known/jwks.json", timeout=5).ok, 90, "identity")
            auth = {"Authorization": f"Bearer {real_session(url, dbs['identity'])['access_token']}"}

            def create():
                return requests.post(f"{url}/api/v1/perimeters", json={"name": f"P-{uuid.uuid4().hex[:12]}"},
                                     headers=auth, timeout=15)

            wait_until(lambda: create().status_code == 201, 90, "services to answer through the gateway")
            seed = create().json()["id"]
            # stands for notify, which takes every perimeter event in production (the exchange exists once the
            # outbox relay published the first write's event)
            wait_until(lambda: event_sink(amqp, "perimeter.events") is None, 60, "the perimeter.events exchange")
            meter = CpuMeter({"gateway": lambda: procs.pids("gateway"),
                              **{s: (lambda s=s: replicas_of(s)) for s in services},
                              "postgres": lambda: pg_backends(dbs.values())})
            paths = {"read": f"/api/v1/perimeters/{seed}", "write": "/api/v1/perimeters"}

            def scenario_load(name: str) -> dict:
                """wrk's arguments: a write is a POST with a unique body and Idempotency-Key per request."""
                headers = dict(auth)
                if name == "write":
                    headers["Content-Type"] = "application/json"
                return dict(headers=headers, post_body=WRITE_BODY if name == "write" else None,
                            connections=connections)

            results: dict = {}
            run_label = uuid.uuid4().hex[:10]
            for label, n in steps:
                scale_to(n)
                procs.check()
                step = results[label] = {"replicas": n, "load_average_before": load_average()}
                # what the processes cost with no request at all (heartbeats, outbox polls), per second
                with measured_phase(f"idle-{n}", meter) as idle:
                    time.sleep(idle_seconds)
                step["idle_cpu_ms_per_s"] = {g: round(v * 1000 / idle["wall_s"], 2) for g, v in idle["cpu_s"].items()}
                # the writes' Idempotency-Keys are <label>.<thread>.<counter>: a label per step and per warm-up, or
                # a later step would replay the keys of an earlier one (answered from the idempotency store: cheap)
                tag = f"{run_label}-{label.replace(' ', '-')}"
                for name in SCENARIOS:
                    load = scenario_load(name)
                    wrk_load(url + paths[name], seconds=1, label=f"{tag}-warm", phase="warm-up", **load)
                    switches = context_switches(replicas_of("perimeter"))
                    r = step[name] = wrk_load(url + paths[name], seconds=seconds, label=tag, meter=meter,
                                              phase=f"{name}-{n}", **load)
                    # how often the perimeter processes were scheduled per request (voluntary: woken from a wait)
                    r["perimeter_switches_per_request"] = {
                        kind: round((count - switches[kind]) / max(1, r["requests"]), 2)
                        for kind, count in context_switches(replicas_of("perimeter")).items()}
                    other = r["machine_busy_s"] - sum(r["cpu_s"].values())
                    r["cpu_ms_per_request"] = {**per_request(r["cpu_s"], r["requests"]),
                                               "other": round(other * 1000 / max(1, r["requests"]), 3)}
                    procs.check()
                step["load_average_after"] = load_average()
            return results
        finally:
            procs.stop()


def ratios_vs_first(results: dict, services: list[str]) -> dict:
    """Throughput and CPU per request (total, and each group's) at each step vs the first (1 replica); and each
    replicated service's CPU per request against the gateway's as a control: the gateway does the same work
    for a request at every step (it is not replicated), so a change in its CPU per request is the shared
    machine's (its load, the cores' caches and frequency), and the service's ratio divided by the gateway's
    is what is left for the replicas themselves (``..._beyond_gateway``)."""
    labels = list(results)
    first = results[labels[0]]
    out = {}
    for label in labels[1:]:
        tag = label.replace(" ", "_")
        for name in SCENARIOS:
            now, base = results[label][name]["cpu_ms_per_request"], first[name]["cpu_ms_per_request"]
            out[f"{name}_throughput_{tag}_vs_{labels[0]}"] = ratio(results[label][name]["throughput"],
                                                                    first[name]["throughput"])
            for group, ms in now.items():
                if group != "other":
                    out[f"{name}_cpu_per_request_{group}_{tag}_vs_{labels[0]}"] = ratio(ms, base[group])
            machine = now["gateway"] / base["gateway"] if base["gateway"] else None
            for service in services:
                grown = now[service] / base[service] if base[service] else None
                out[f"{name}_cpu_per_request_{service}_{tag}_vs_{labels[0]}_beyond_gateway"] = ratio(grown, machine)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench replicas", description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 3],
                        help="replica counts measured, in increasing order")
    parser.add_argument("--no-down", dest="down", action="store_false",
                        help="do not measure again on the way back down (3, then 2, then 1 again)")
    parser.add_argument("--services", nargs="+", default=["perimeter", "identity"],
                        help="the services replicated (perimeter and identity answer the read and the write)")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per scenario and step")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--gateway-threads", type=int, default=8, help="threads per gunicorn worker")
    args = parser.parse_args(argv)
    if "perimeter" not in args.services or "identity" not in args.services:
        parser.error("--services must include perimeter and identity (the read and the write need both)")
    r = run(args.replicas, args.services, args.seconds, args.connections, args.workers, args.gateway_threads,
            args.down)
    print(f"gateway: gunicorn {args.workers} workers x {args.gateway_threads} threads; wrk {args.connections} "
          f"connections, {args.seconds:.0f}s per scenario; replicated: {', '.join(args.services)}")
    groups = ["gateway", *args.services, "postgres"]
    rows = []
    for label, step in r.items():
        for name in SCENARIOS:
            v = step[name]
            cpu = v["cpu_ms_per_request"]
            rows.append([label, name, v["throughput"], v["p50_ms"], v["p95_ms"], v["errors"],
                         *(cpu[g] for g in groups), cpu["total"], cpu["other"],
                         f"{v['machine_busy_s'] / v['wall_s']:.2f}", step["load_average_before"].split()[0],
                         "{voluntary} / {involuntary}".format(**v["perimeter_switches_per_request"])])
    print(table(rows, ["replicas", "scenario", "req/s", "p50 ms", "p95 ms", "errors",
                       *(f"{g} ms" for g in groups), "total ms", "other ms", "busy cores", "load 1m",
                       "perimeter switches/req (vol / invol)"]))
    print("(CPU ms per request: utime + stime of each group, all its replicas, / requests answered; "
          "other = the machine's busy time outside the groups: RabbitMQ, wrk, other users)")
    print("\nidle CPU ms per second (no request, before each step's load):")
    print(table([[label, *(step["idle_cpu_ms_per_s"][g] for g in groups)] for label, step in r.items()],
                ["replicas", *groups]))
    ratios = ratios_vs_first(r, args.services)
    for k, v in ratios.items():
        if "_cpu_per_request_" not in k or k.split("_cpu_per_request_")[1].startswith(("total", "perimeter")):
            print(f"  {k}: {v}")
    labels = list(r)
    print(f"  load average before {r[labels[0]]['load_average_before']}, after {r[labels[-1]]['load_average_after']}")
    path = save("replicas", {"params": vars(args), "results": r, "ratios": ratios})
    print(f"  saved {path.relative_to(path.parents[2])}")
    return 0 if all(step[n]["requests"] for step in r.values() for n in SCENARIOS) else 1
