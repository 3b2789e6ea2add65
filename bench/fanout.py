"""Event fan-out: outbox relay to N consumer services, each handler idempotent through its inbox.

M events are committed to a producer's outbox, then published by the outbox relay (the same
``Relay`` a service container runs: publisher confirms, mandatory routing, mark published) to the
topic exchange ``benchsrc.events``. N consumer services (distinct queues, as N services subscribing to
the same event) run in a subprocess (``bench/_fanout_consumers.py``) and record each event in their
inbox table (one SQL transaction per delivery). Measured per N: relay publish rate and end-to-end
delivery rate (N x M deliveries until the last inbox row is committed).

    ./paraph bench fanout [--events 1000] [--consumers 1,4]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import DeclarativeBase

from bench.common import Processes, private_vhost, ratio, save, table, wait_until

SUITE = True


def models():
    from paraph_platform.models import InboxMixin, OutboxMixin

    class Base(DeclarativeBase):
        pass

    class Outbox(OutboxMixin, Base):
        pass

    class Inbox(InboxMixin, Base):
        pass

    return Base, Outbox


def run(events: int, consumer_counts: list[int]) -> dict:
    import sys

    from paraph_platform.db import Db, make_engine
    from paraph_platform.envelope import make_event
    from paraph_platform.outbox import Relay
    from paraph_platform.testing import create_database, drop_database

    Base, Outbox = models()
    url = create_database("fanout", migrate=False)
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    db = Db(engine)
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="paraph-bench-") as tmp, private_vhost() as amqp:
            relay = Relay(db, Outbox, "benchsrc", amqp, batch=500, grace=0)
            for n in consumer_counts:
                with engine.begin() as conn:
                    conn.execute(text("delete from outbox"))
                    conn.execute(text("delete from inbox"))
                procs = Processes(Path(tmp))
                try:
                    procs.spawn(f"consumers{n}", [sys.executable, "-m", "bench._fanout_consumers", str(n)],
                                {"AMQP_URI": amqp, "DATABASE_URL": url, "MAX_WORKERS": "10"})
                    log = Path(tmp) / f"consumers{n}.log"
                    wait_until(lambda: "consumers ready" in log.read_text(), 60, f"{n} consumers")
                    procs.check()
                    with db.session() as s:
                        for i in range(events):
                            env = make_event("benchsrc", "bench.fanned.v1", {"i": i})
                            s.add(Outbox(event_id=env["id"], type=env["type"], payload=env))
                    t0 = time.perf_counter()
                    published = relay.drain()
                    t_pub = time.perf_counter() - t0

                    def delivered():
                        with engine.connect() as conn:
                            return conn.execute(text("select count(*) from inbox")).scalar_one()
                    wait_until(lambda: delivered() >= n * events, 300, f"{n * events} deliveries", interval=0.02)
                    t_all = time.perf_counter() - t0
                    procs.check()
                    assert published == events, (published, events)
                    results[f"consumers_{n}"] = {
                        "consumers": n, "events": events, "deliveries": n * events,
                        "publish_seconds": round(t_pub, 3), "publish_rate": round(events / t_pub, 1),
                        "end_to_end_seconds": round(t_all, 3), "delivery_rate": round(n * events / t_all, 1),
                    }
                finally:
                    procs.stop()
    finally:
        engine.dispose()
        drop_database(url)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench fanout", description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--consumers", default="1,4", help="comma-separated consumer counts")
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.consumers.split(",")]
    r = run(args.events, counts)
    rows = [[v["consumers"], v["events"], v["publish_rate"], v["deliveries"], v["end_to_end_seconds"],
             v["delivery_rate"]] for v in r.values()]
    print(table(rows, ["consumers", "events", "relay events/s", "deliveries", "end-to-end s", "deliveries/s"]))
    ratios = {}
    if len(counts) > 1:
        lo, hi = r[f"consumers_{counts[0]}"], r[f"consumers_{counts[-1]}"]
        ratios = {
            f"delivery_rate_{counts[-1]}_vs_{counts[0]}": ratio(hi["delivery_rate"], lo["delivery_rate"]),
            f"end_to_end_time_{counts[-1]}_vs_{counts[0]}": ratio(hi["end_to_end_seconds"], lo["end_to_end_seconds"]),
            "relay_vs_single_consumer_rate": ratio(lo["publish_rate"], lo["delivery_rate"]),
        }
        for k, v in ratios.items():
            print(f"  {k}: {v}")
    path = save("fanout", {"params": vars(args), "results": r, "ratios": ratios})
    print(f"  saved {path.relative_to(path.parents[2])}")
    return 0
