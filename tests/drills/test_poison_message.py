"""Drill (c): a poison event. Its handler always fails: after ``max_attempts`` deliveries (with backoff
through the ``<queue>.retry.<n>`` TTL queues) it is parked in ``<queue>.dlq`` with the attempt count
and the last error, while the events behind it keep flowing. An envelope that does not even validate
is parked at once.
"""
from __future__ import annotations

import json
import time

import pytest
from kombu import Connection, Exchange, Producer

from tests.drills.harness import count, ensure_svc_path, scratch_db, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.integration, pytest.mark.timeout(120)]


def outbox_events(url, datas):
    from drillpub_service.models import Outbox
    from paraph_platform.db import Db, make_engine
    from paraph_platform.envelope import make_event
    ids = []
    with Db(make_engine(url)).session() as s:
        for data in datas:
            env = make_event("drillpub", "thing.happened.v1", data)
            s.add(Outbox(event_id=env["id"], type=env["type"], payload=env))
            ids.append(env["id"])
    return ids


def queue_depth(amqp_uri, name) -> int:
    with Connection(amqp_uri) as conn:
        return conn.default_channel.queue_declare(name, passive=True).message_count


def test_poison_event_is_parked_in_the_dlq_while_others_flow(container_factory, rabbit_config):
    ensure_svc_path()
    from drillpub_service.models import Base as PubBase, Outbox
    from drillsub_service.models import Base as SubBase
    from drillsub_service.service import DrillSubService
    from paraph_platform.config import nameko_config
    from paraph_platform.db import Db, make_engine
    from paraph_platform.events import ATTEMPTS_HEADER, ERROR_HEADER, ReliableEventHandler, dlq_name
    from paraph_platform.outbox import Relay
    from paraph_platform.testing import drop_database

    amqp = rabbit_config["AMQP_URI"]
    pub_db, sub_db = scratch_db("drillpub", PubBase), scratch_db("drillsub", SubBase)
    try:
        config = {**nameko_config("drillsub"), "AMQP_URI": amqp, "DATABASE_URL": sub_db}
        config.pop("LOGGING")
        container = container_factory(DrillSubService, config)
        container.start()
        handler = next(e for e in container.entrypoints if isinstance(e, ReliableEventHandler))
        queue, dlq = handler.queue.name, dlq_name(handler.queue.name)
        relay = Relay(Db(make_engine(pub_db)), Outbox, "drillpub", amqp)

        started = time.monotonic()
        (poison,) = outbox_events(pub_db, [{"poison": True, "n": -1, "tag": "poison"}])
        good = outbox_events(pub_db, [{"n": i, "tag": "good"} for i in range(20)])
        assert relay.drain() == 21
        # the good events behind the poison are handled without waiting for its retries to end
        wait_for(lambda: count(sub_db, "select count(*) from effects") == 20, 30, 0.05, "good events")
        flowed = time.monotonic() - started
        poison_deliveries_then = count(sub_db, f"select count(*) from deliveries where event_id = '{poison}'")

        # an envelope that does not validate: parked at once, never handed to the handler
        with Connection(amqp) as conn:
            Producer(conn.default_channel).publish(
                json.dumps({"type": "not a valid event"}), exchange=Exchange("drillpub.events", type="topic"),
                routing_key="thing.happened.v1", content_type="application/json", content_encoding="utf-8")

        wait_for(lambda: queue_depth(amqp, dlq) == 2, 30, 0.1, "the poison events in the DLQ")
        parked_after = time.monotonic() - started
        with Connection(amqp) as conn:
            parked = []
            for _ in range(2):
                msg = conn.default_channel.basic_get(dlq, no_ack=True)
                parked.append((json.loads(msg.body), msg.headers))
        by_id = {body.get("id"): headers for body, headers in parked}
        assert by_id[poison][ATTEMPTS_HEADER] == handler.max_attempts == 3
        assert "PoisonError" in by_id[poison][ERROR_HEADER]
        assert "invalid envelope" in by_id[None][ERROR_HEADER] and by_id[None][ATTEMPTS_HEADER] == 1
        assert count(sub_db, f"select count(*) from deliveries where event_id = '{poison}'") == 3
        assert count(sub_db, "select count(*) from effects") == 20
        assert count(sub_db, "select count(distinct event_id) from effects") == 20
        assert queue_depth(amqp, queue) == 0
        for n in range(1, handler.max_attempts):
            assert queue_depth(amqp, f"{queue}.retry.{n}") == 0
        # and the consumer still works after parking
        more = outbox_events(pub_db, [{"n": 100, "tag": "after"}])
        relay.drain()
        wait_for(lambda: count(sub_db, f"select count(*) from effects where event_id = '{more[0]}'") == 1, 10, 0.05,
                 "an event after the poison")
        print(f"\n[drill c] 20 good events handled {flowed:.2f}s after publication while the poison was on "
              f"delivery {poison_deliveries_then}; poison parked in {dlq} after {handler.max_attempts} attempts "
              f"({parked_after:.2f}s, backoff {handler.backoff}); invalid envelope parked at once")
        assert good
    finally:
        drop_database(pub_db)
        drop_database(sub_db)
