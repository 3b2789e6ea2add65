"""Drill (b): RabbitMQ stops and restarts while events are being produced.

A private RabbitMQ node is started for the drill (its own node name, ports, data and logs in a temp
dir): the machine's shared broker on :5672 is never touched. A producer service (outbox + relay) and
a consumer service (@subscribe, idempotent through its inbox) run as real subprocesses
(``python -m paraph_platform.run``) against it. Events are written to the producer's outbox before,
during and right after the outage. Expected: the outbox drains once the broker is back, the consumer
resumes by itself, every event has exactly one effect (redeliveries, if any, are deduplicated).
"""
from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.drills.harness import ServiceProcess, count, ensure_svc_path, scratch_db, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.integration, pytest.mark.timeout(420)]

PER_PHASE = 25
IN_FLIGHT = 400  # events still moving (in the outbox, queued, being handled) when the broker stops


def write_outbox(url: str, tag: str, n: int, **extra) -> list[str]:
    """What a producer's endpoint does in its transaction: ``outbox.add(session, type, data)``."""
    from drillpub_service.models import Outbox
    from paraph_platform.db import Db, make_engine
    from paraph_platform.envelope import make_event
    db = Db(make_engine(url))
    ids = []
    with db.session() as s:
        for i in range(n):
            env = make_event("drillpub", "thing.happened.v1", {"n": i, "tag": tag, **extra},
                         subject=f"{tag}-{i}")
            s.add(Outbox(event_id=env["id"], type=env["type"], payload=env))
            ids.append(env["id"])
    return ids


@pytest.fixture
def pubsub(broker, tmp_path):
    """drillpub (outbox + relay) and drillsub (@subscribe, inbox) as real processes on the private broker,
    each with a scratch database; started by the test, stopped and dropped afterwards."""
    ensure_svc_path()
    from drillpub_service.models import Base as PubBase
    from drillsub_service.models import Base as SubBase
    from paraph_platform.testing import drop_database

    pub_db, sub_db = scratch_db("drillpub", PubBase), scratch_db("drillsub", SubBase)
    env = {"AMQP_URI": broker.uri, "DRILLPUB_DATABASE_URL": pub_db, "DRILLSUB_DATABASE_URL": sub_db,
           "PARAPH_DATA_DIR": str(tmp_path), "OUTBOX_POLL_INTERVAL": "0.3", "AMQP_HEARTBEAT": "5",
           "LOG_LEVEL": "INFO"}
    x = SimpleNamespace(pub_db=pub_db, sub_db=sub_db, producer=ServiceProcess("drillpub", env, tmp_path),
                        consumer=ServiceProcess("drillsub", env, tmp_path))
    try:
        yield x
    finally:
        x.producer.stop()
        x.consumer.stop()
        drop_database(pub_db)
        drop_database(sub_db)


def test_broker_restart_loses_nothing_and_duplicates_nothing(broker, pubsub):
    from drillsub_service.models import Effect
    from paraph_platform.db import make_engine
    from sqlalchemy.orm import Session

    pub_db, sub_db, producer, consumer = pubsub.pub_db, pubsub.sub_db, pubsub.producer, pubsub.consumer
    consumer.start()
    producer.start()
    pending = lambda: count(pub_db, "select count(*) from outbox where published_at is null")  # noqa: E731
    effects = lambda: count(sub_db, "select count(*) from effects")  # noqa: E731

    # phase A: the system works
    ids = write_outbox(pub_db, "before", PER_PHASE)
    wait_for(lambda: effects() == PER_PHASE, 60, 0.2, "phase A events to be handled")

    # phase B: the broker goes away while a burst is in flight (some events handled, some queued,
    # some being handled, some not yet relayed); the producer keeps committing events to its outbox
    ids += write_outbox(pub_db, "inflight", IN_FLIGHT)
    wait_for(lambda: effects() >= PER_PHASE + 20, 30, 0.01, "the burst to be under way")
    t_stop = time.monotonic()
    broker.stop()
    at_stop = {"handled": effects(), "in_outbox": pending()}
    during = write_outbox(pub_db, "during", PER_PHASE)
    ids += during
    time.sleep(2.0)  # the relay fails and backs off; nothing may be lost meanwhile
    # (the pending count of the in-flight burst may still drop here: the relay commits the marks of the
    # rows the broker confirmed before it went away when its batch fails, which can be after stop returns)
    in_list = ", ".join(f"'{i}'" for i in during)
    assert count(pub_db, f"select count(*) from outbox where published_at is null and event_id in ({in_list})") \
        == PER_PHASE, "events written during the outage must wait in the outbox"
    assert producer.alive() and consumer.alive(), "services must survive a broker outage"
    broker.start()
    t_back = time.monotonic()
    # phase C: right after the restart
    ids += write_outbox(pub_db, "after", PER_PHASE)

    total = 3 * PER_PHASE + IN_FLIGHT
    wait_for(lambda: pending() == 0, 150, 0.25, "the outbox to drain after the restart")
    drained = time.monotonic() - t_back
    try:
        wait_for(lambda: effects() >= total, 150, 0.25, "every event to be handled after the restart")
    except AssertionError:
        print(f"\n[drill b] effects {effects()}/{total}; queues:\n{broker.queues()}\n"
              f"--- consumer log (tail)\n{consumer.output()[-6000:]}\n"
              f"--- producer log (tail)\n{producer.output()[-3000:]}")
        raise
    recovered = time.monotonic() - t_back
    time.sleep(1.5)  # let any redelivery arrive before counting

    with Session(make_engine(sub_db)) as s:
        handled = s.execute(select(Effect.event_id)).scalars().all()
        per_tag = dict(s.execute(select(Effect.tag, func.count()).group_by(Effect.tag)).all())
    deliveries = count(sub_db, "select count(*) from deliveries")
    assert len(handled) == total, f"{len(handled)} effects for {total} events"
    assert len(set(handled)) == total, "an event had its effect twice"
    assert set(handled) == set(ids), "an event was lost"
    assert per_tag == {"before": PER_PHASE, "inflight": IN_FLIGHT, "during": PER_PHASE, "after": PER_PHASE}
    assert count(pub_db, "select count(*) from outbox where unrouted") == 0
    print(f"\n[drill b] private node {broker.node} on :{broker.port}; outage {t_back - t_stop:.1f}s, "
          f"starting with {IN_FLIGHT} events in flight ({at_stop['handled'] - PER_PHASE} handled, "
          f"{at_stop['in_outbox']} not yet relayed, the rest queued or being handled); "
          f"outbox drained {drained:.1f}s and all {total} events handled {recovered:.1f}s after the restart; "
          f"{deliveries} deliveries for {total} events ({deliveries - total} redelivered, deduplicated); "
          f"0 lost, 0 duplicated effects")


def test_broker_lost_while_a_handler_runs_keeps_the_consumer_alive(broker, pubsub):
    """The ack of a message whose handler finished after the broker went away fails on a dead socket
    (ConnectionResetError / BrokenPipeError, not amqp's ConnectionError that nameko ignores): the
    consumer must survive it, reconnect, and the redelivered event must have no second effect."""
    sub_db, producer, consumer = pubsub.sub_db, pubsub.producer, pubsub.consumer
    effects = lambda: count(sub_db, "select count(*) from effects")  # noqa: E731
    deliveries = lambda: count(sub_db, "select count(*) from deliveries")  # noqa: E731

    consumer.start()
    producer.start()
    write_outbox(pubsub.pub_db, "warmup", 1)
    wait_for(lambda: effects() == 1, 60, 0.2, "the consumer to work")
    write_outbox(pubsub.pub_db, "slow", 1, slow=4)
    wait_for(lambda: deliveries() == 2, 30, 0.05, "the slow handler to start")
    broker.stop()
    wait_for(lambda: effects() == 2, 30, 0.1, "the slow handler to finish while the broker is down")
    time.sleep(1.0)  # its ack fails now
    assert consumer.alive(), "the consumer died when an ack failed on a lost connection:\n" + \
        consumer.output()[-4000:]
    broker.start()
    write_outbox(pubsub.pub_db, "after", 1)
    try:
        wait_for(lambda: effects() == 3, 90, 0.25, "the consumer to resume after the restart")
    except AssertionError:
        print(f"\n{broker.queues()}\n--- consumer log (tail)\n{consumer.output()[-6000:]}")
        raise
    time.sleep(1.5)  # the slow event comes back (it was never acked): deduplicated
    assert effects() == 3 and consumer.alive()
