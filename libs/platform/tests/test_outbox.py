"""The outbox relay against the real broker: confirmed publishing, late subscribers, pruning."""
from datetime import timedelta

import pytest
from kombu import Connection, Queue
from marshmallow import ValidationError
from nameko.standalone.events import get_event_exchange
from sqlalchemy.orm import DeclarativeBase

from paraph_platform.db import Db, make_engine, utcnow
from paraph_platform.envelope import make_event, validate_envelope
from paraph_platform.models import OutboxMixin
from paraph_platform.outbox import Relay


class Base(DeclarativeBase):
    pass


class Outbox(OutboxMixin, Base):
    pass


@pytest.fixture
def db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}", shared=False)
    Base.metadata.create_all(engine)
    return Db(engine)


def add(db, type_="thing.happened.v1", data=None):
    event = make_event("tester", type_, data or {"n": 1}, subject="s1", license_id="l1")
    with db.session() as s:
        s.add(Outbox(event_id=event["id"], type=type_, payload=event))
    return event


def consume_all(amqp_uri, queue_name):
    out = []
    with Connection(amqp_uri) as conn:
        q = Queue(queue_name).bind(conn.channel())
        while True:
            msg = q.get(no_ack=True)
            if msg is None:
                return out
            out.append(msg.payload)


@pytest.mark.integration
def test_an_event_waits_for_a_late_subscriber_then_flows(db, rabbit_config):
    amqp = rabbit_config["AMQP_URI"]
    relay = Relay(db, Outbox, "tester", amqp, grace=300)
    event = add(db)
    assert relay.drain_once() == 1
    assert relay.pending() == 1  # nobody bound yet: kept, retried later
    with Connection(amqp) as conn:
        exchange = get_event_exchange("tester", {})
        Queue("late-subscriber", exchange=exchange, routing_key="thing.happened.v1",
              durable=True).bind(conn.channel()).declare()
    with db.session() as s:
        s.query(Outbox).update({"next_attempt_at": None})
    relay.drain()
    assert relay.pending() == 0
    received = consume_all(amqp, "late-subscriber")
    assert [e["id"] for e in received] == [event["id"]]
    assert validate_envelope(received[0])["data"] == {"n": 1}


@pytest.mark.integration
def test_unrouted_after_the_grace_period_and_pruned_after_retention(db, rabbit_config):
    relay = Relay(db, Outbox, "tester", rabbit_config["AMQP_URI"], grace=0)
    add(db, "nobody.listens.v1")
    relay.drain()
    with db.session() as s:
        row = s.query(Outbox).one()
        assert row.unrouted and row.published_at is not None
        row.published_at = utcnow() - timedelta(hours=100)
    add(db, "nobody.listens.v1")
    relay.drain()
    assert relay.prune(72) == 1
    with db.session() as s:
        assert s.query(Outbox).count() == 1


def test_envelopes_are_validated():
    with pytest.raises(ValueError):
        make_event("tester", "NotAFact", {})
    with pytest.raises(ValidationError):
        validate_envelope({"id": "1", "type": "x.y.v1"})
    with pytest.raises(ValidationError):
        validate_envelope("not an object")
