"""The outbox relay against the real broker: batches published with one wait for their confirms, late
subscribers, unroutable and nacked events, a lost connection, pruning."""
import logging
import socket
import time
from datetime import timedelta

import eventlet
import pytest
from kombu import Connection, Queue
from marshmallow import ValidationError
from nameko.standalone.events import get_event_exchange
from sqlalchemy.orm import DeclarativeBase

from paraph_platform.db import Db, make_engine, utcnow
from paraph_platform.envelope import make_event, validate_envelope
from paraph_platform.models import OutboxMixin
from paraph_platform.outbox import Outbox as OutboxProvider, Relay


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


def bind(amqp_uri, queue_name, routing_key, **queue_arguments):
    with Connection(amqp_uri) as conn:
        Queue(queue_name, exchange=get_event_exchange("tester", {}), routing_key=routing_key, durable=True,
              queue_arguments=queue_arguments or None).bind(conn.channel()).declare()


def outbox_rows(db):
    with db.session() as s:
        return {row.event_id: row for row in s.query(Outbox)}


@pytest.mark.integration
def test_a_batch_is_published_with_one_wait_for_its_confirms(db, rabbit_config, monkeypatch):
    amqp = rabbit_config["AMQP_URI"]
    bind(amqp, "all-things", "thing.happened.v1")
    relay = Relay(db, Outbox, "tester", amqp, batch=500, grace=300)
    waits, wait = [], Relay._await_confirms

    def counted_wait(conn, confirms):
        waits.append(confirms.published)  # messages already sent when the relay starts waiting
        wait(conn, confirms)
    monkeypatch.setattr(Relay, "_await_confirms", staticmethod(counted_wait))
    sent = [make_event("tester", "thing.happened.v1", {"n": i}) for i in range(500)]
    with db.session() as s:
        s.add_all(Outbox(event_id=e["id"], type=e["type"], payload=e) for e in sent)
    assert relay.drain_once() == 500 and relay.pending() == 0
    assert waits == [500]  # one wait, after the whole batch (before: a confirm awaited per event)
    received = consume_all(amqp, "all-things")
    assert [e["id"] for e in received] == [e["id"] for e in sent]  # all of them, in outbox order


@pytest.mark.integration
def test_an_unroutable_event_among_routable_ones_is_kept_for_its_subscriber_alone(db, rabbit_config):
    amqp = rabbit_config["AMQP_URI"]
    bind(amqp, "things", "thing.happened.v1")
    relay = Relay(db, Outbox, "tester", amqp, grace=300)
    before = add(db)
    unroutable = add(db, "nobody.listens.v1")
    after = add(db)
    assert relay.drain_once() == 3
    rows = outbox_rows(db)
    assert rows[before["id"]].published_at and rows[after["id"]].published_at
    kept = rows[unroutable["id"]]
    assert (kept.published_at, kept.unrouted, kept.attempts) == (None, False, 1)
    assert kept.last_error == "unroutable: no queue bound yet" and kept.next_attempt_at is not None
    assert [e["id"] for e in consume_all(amqp, "things")] == [before["id"], after["id"]]


def bind_things_and_a_full_queue(amqp):
    """``things`` takes thing.happened.v1; ``full`` refuses thing.refused.v1 (a full queue that refuses new
    messages: RabbitMQ nacks what is routed to it)."""
    bind(amqp, "things", "thing.happened.v1")
    bind(amqp, "full", "thing.refused.v1", **{"x-max-length": 0, "x-overflow": "reject-publish"})


def is_kept_as_nacked(row) -> bool:
    return (row.published_at, row.unrouted, row.last_error) == (None, False, "nacked by the broker")


@pytest.mark.integration
def test_a_nacked_event_stays_pending_and_the_rest_of_the_batch_is_published(db, rabbit_config):
    amqp = rabbit_config["AMQP_URI"]
    bind_things_and_a_full_queue(amqp)
    relay = Relay(db, Outbox, "tester", amqp, grace=0)
    ok = add(db)
    refused = add(db, "thing.refused.v1")
    assert relay.drain_once() == 2
    rows = outbox_rows(db)
    assert rows[ok["id"]].published_at is not None and is_kept_as_nacked(rows[refused["id"]])
    assert relay.pending() == 1


@pytest.mark.integration
def test_later_batches_go_on_the_same_channel_and_each_answer_marks_its_own_row(db, rabbit_config):
    """The broker numbers a channel's messages across batches: the second batch's answers carry tags 3 and 4."""
    amqp = rabbit_config["AMQP_URI"]
    bind_things_and_a_full_queue(amqp)
    relay = Relay(db, Outbox, "tester", amqp, grace=0)
    try:
        first = [add(db), add(db, "thing.refused.v1")]
        assert relay.drain_once() == 2
        channel = relay._producer.channel
        with db.session() as s:  # the refused one waits for its retry; the next batch is two new rows
            s.query(Outbox).filter(Outbox.event_id == first[1]["id"]).delete()
        second = [add(db, "thing.refused.v1"), add(db)]
        assert relay.drain_once() == 2
        assert relay._producer.channel is channel
        rows = outbox_rows(db)
        assert is_kept_as_nacked(rows[second[0]["id"]]) and rows[second[1]["id"]].published_at is not None
        assert [e["id"] for e in consume_all(amqp, "things")] == [first[0]["id"], second[1]["id"]]
    finally:
        relay.close()


@pytest.mark.integration
def test_a_broker_lost_mid_batch_leaves_the_unconfirmed_rows_pending(db, rabbit_config, monkeypatch):
    amqp = rabbit_config["AMQP_URI"]
    bind(amqp, "things", "thing.happened.v1")
    relay = Relay(db, Outbox, "tester", amqp)
    events = [add(db, data={"n": i}) for i in range(3)]

    def lost_after_the_first_confirm(conn, confirms):
        while not confirms.acked:
            conn.drain_events(timeout=5)
        confirms.acked = {1}
        for channel in conn.connection.channels.values():  # the others' acks never arrive
            getattr(channel, "events", {}).get("basic_ack", set()).clear()
        raise ConnectionResetError("connection lost")
    monkeypatch.setattr(Relay, "_await_confirms", staticmethod(lost_after_the_first_confirm))
    with pytest.raises(ConnectionResetError):
        relay.drain_once()
    rows = outbox_rows(db)
    assert rows[events[0]["id"]].published_at is not None
    assert [rows[e["id"]].published_at for e in events[1:]] == [None, None] and relay.pending() == 2


@pytest.mark.integration
def test_the_connection_kept_between_batches_is_replaced_when_it_died(db, rabbit_config):
    amqp = rabbit_config["AMQP_URI"]
    bind(amqp, "things", "thing.happened.v1")
    relay = Relay(db, Outbox, "tester", amqp)
    first = add(db)
    assert relay.drain_once() == 1
    kept = relay._conn
    kept.connection.sock.shutdown(socket.SHUT_RDWR)  # the broker restarted while the relay was idle
    second = add(db)
    assert relay.drain_once() == 1 and relay.pending() == 0  # no error, no wait for the next round
    assert relay._conn is not kept
    assert [e["id"] for e in consume_all(amqp, "things")] == [first["id"], second["id"]]
    relay.close()


def test_the_connection_kept_between_batches_is_opened_anew_after_a_while_idle(db, rabbit_config):
    """It has no heartbeat: after KEPT_CONNECTION_IDLE without a batch it is not trusted any more."""
    from paraph_platform.outbox import KEPT_CONNECTION_IDLE
    relay = Relay(db, Outbox, "tester", rabbit_config["AMQP_URI"], grace=300)
    try:
        first = relay._connection()
        assert relay._connection() is first  # busy: kept
        relay._conn_used -= KEPT_CONNECTION_IDLE + 1
        second = relay._connection()
        assert second is not first and relay._connection() is second
    finally:
        relay.close()


DATABASE_DOWN = "postgresql://postgres@127.0.0.1:1/paraph_down"  # nothing listens there: refused at once


class RelayingService:
    name = "relay_test"
    outbox = OutboxProvider(Outbox)


@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
def test_a_database_down_is_one_warning_line_each_time_with_the_traceback_at_debug(container_factory, rabbit_config,
                                                                                   caplog, level):
    """Operators grep the logs by line: psycopg2's hint and SQLAlchemy's link made three of each warning."""
    container = container_factory(RelayingService, {"DATABASE_URL": DATABASE_DOWN, "AMQP_URI": rabbit_config["AMQP_URI"]})
    with caplog.at_level(level, logger="paraph_platform.outbox"):
        container.start()
        deadline = time.monotonic() + 10
        while not any(r.getMessage().startswith("outbox relay of") for r in caplog.records) \
                and time.monotonic() < deadline:
            eventlet.sleep(0.05)
        container.stop()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "paraph_platform.outbox"]
    said = [r.getMessage() for r in warnings]
    assert [m.split(" of ")[0] for m in said[:2]] == ["outbox pruning", "outbox relay"], said
    for record, message in zip(warnings, said):
        # the first line of psycopg2's message alone, not its hint nor SQLAlchemy's link
        assert "\n" not in message and "OperationalError: " in message and "Connection refused" in message, message
        assert "Is the server running" not in message and "Background on this error" not in message
        assert bool(record.exc_info) is (level == logging.DEBUG)
