"""Transactional outbox and its relay.

A service writes its events into the ``outbox`` table in the same transaction
as the state change (``self.outbox.add(session, ...)``); the relay, a managed
thread of the service container, publishes pending rows to the nameko events
exchange ``<service>.events`` (routing key = event type), a batch at a time on
a channel in publisher-confirm mode, waits once for the batch's confirms, then
marks the confirmed rows published.  A crash between publish and mark means
the event is published again with the same id: consumers dedupe on it.

An event nobody is bound to yet (a subscriber that has not started) is kept
and retried for ``OUTBOX_UNROUTED_GRACE`` seconds before being marked
``unrouted``, so a fresh system does not lose its first events.
"""
from __future__ import annotations

import json
import logging
import os
import random
import time
from datetime import timedelta

import eventlet
from eventlet.event import Event
from kombu import Connection, Producer
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange
from sqlalchemy import delete, select, update

from .config import env_float
from .db import Db, make_engine, utcnow
from .envelope import make_event
from .health import first_line

log = logging.getLogger(__name__)


class OutboxWriter:
    """What a worker gets: ``add(session, type, data, subject=, license_id=)``."""

    def __init__(self, provider: "Outbox"):
        self._provider = provider

    def add(self, session, type: str, data: dict, *, subject: str | None = None,
            license_id: str | None = None, id: str | None = None) -> dict:
        envelope = make_event(self._provider.source, type, data, subject=subject,
                              license_id=license_id, id=id)
        session.add(self._provider.model(event_id=envelope["id"], type=type, payload=envelope))
        self._provider.wake_after_commit(session)
        return envelope


CONFIRMS_TIMEOUT = 30.0  # seconds to wait for a batch's confirms before leaving the rest for the next round
KEPT_CONNECTION_IDLE = 10.0  # seconds after which the connection kept between batches is opened anew


class Unconfirmed(Exception):
    """The broker did not answer every message of a batch within CONFIRMS_TIMEOUT."""


class _Confirms:
    """The broker's answers to a batch published on a channel in confirm mode: delivery tags acked or
    nacked and the message ids of the messages returned as unroutable (a basic.return comes before the ack
    of its message). Tags are the batch's own, 1, 2, ...: RabbitMQ numbers a channel's messages from
    confirm.select on, across batches, so the broker's tag is the batch's plus ``offset`` (the messages the
    channel carried before the batch); ``multiple`` answers every tag up to the one given."""

    def __init__(self):
        self.reset()

    def reset(self, offset: int = 0):
        self.offset = offset
        self.acked: set[int] = set()
        self.nacked: set[int] = set()
        self.returned: set[str] = set()
        self.published = 0  # the last delivery tag given out
        self._settled_to = 0  # every tag up to this one was answered (by a ``multiple`` answer)

    def _answer(self, into: set[int], tag: int, multiple: bool):
        tag -= self.offset
        if tag <= 0:  # a late answer to an earlier batch (it was complete, or its channel is gone)
            return
        if multiple:
            into.update(t for t in range(self._settled_to + 1, tag + 1)
                        if t not in self.acked and t not in self.nacked)
            self._settled_to = max(self._settled_to, tag)
        else:
            into.add(tag)

    def on_ack(self, tag, multiple):
        self._answer(self.acked, tag, multiple)

    def on_nack(self, tag, multiple):
        self._answer(self.nacked, tag, multiple)

    def on_return(self, _exc, _exchange, _routing_key, message):
        self.returned.add(message.properties.get("message_id"))

    def answered(self) -> int:
        return len(self.acked) + len(self.nacked)

    def all_answered(self) -> bool:
        return self.answered() >= self.published

    def outcome(self, tag: int, message_id: str) -> str | None:
        """"delivered", "unroutable", "nacked", or None when the broker did not answer."""
        if tag in self.nacked:
            return "nacked"
        if tag not in self.acked:
            return None
        return "unroutable" if message_id in self.returned else "delivered"


# test suites only: every envelope a relay publishes is appended to this file, and the root conftest checks
# them all against the AsyncAPI document (public events) or the committed contract (internal ones)
PUBLISHED_EVENTS_LOG = os.environ.get("PARAPH_CHECK_EVENTS", "")


def _log_published(rows) -> None:
    with open(PUBLISHED_EVENTS_LOG, "a") as f:
        f.write("".join(json.dumps(row.payload) + "\n" for row in rows))


class Relay:
    """Publishes pending outbox rows; usable inside a container or standalone (tests, CLI)."""

    def __init__(self, db: Db, model, source: str, amqp_uri: str, *, batch: int = 200,
                 grace: float | None = None):
        self.db = db
        self.model = model
        self.source = source
        self.amqp_uri = amqp_uri
        self.exchange = get_event_exchange(source, {})
        self.batch = batch
        self.grace = grace if grace is not None else env_float("OUTBOX_UNROUTED_GRACE", 300.0)
        self._conn: Connection | None = None  # kept between batches (a trickle of events is one batch each)
        self._conn_used = 0.0  # monotonic time of its last batch
        # the channel in confirm mode kept on it with its producer (opening a channel, declaring the exchange
        # and selecting confirm mode are three round trips to the broker), and the confirms of its last batch,
        # where its broker answers are recorded (their offset and count are the messages the channel carried)
        self._producer: Producer | None = None
        self._batch_confirms = _Confirms()

    def _publish_batch(self, rows, confirms: _Confirms):
        """Publish ``rows`` and wait once for the broker to answer them all, recording its answers in
        ``confirms`` (also those received before a lost connection or :class:`Unconfirmed` ended the
        wait). The connection kept from the previous batch may have died meanwhile (a broker restart):
        then the batch goes once more on a new one."""
        kept = self._conn is not None
        try:
            self._publish_on(self._connection(), rows, confirms)
            return
        except Exception as exc:
            lost = isinstance(exc, self._conn.connection_errors) if self._conn is not None else True
            self.close()
            if not (kept and lost and not confirms.answered()):
                raise
        self._publish_on(self._connection(), rows, confirms)  # (which resets ``confirms`` first)

    def _connection(self) -> Connection:
        if self._conn is not None and time.monotonic() - self._conn_used > KEPT_CONNECTION_IDLE:
            # it has no heartbeat: a node that died without closing the socket would go unnoticed until a
            # batch's confirms time out, so a connection idle for a while is replaced rather than trusted
            self.close()
        self._conn_used = time.monotonic()
        if self._conn is None:
            conn = Connection(self.amqp_uri)
            conn.ensure_connection(max_retries=2, interval_start=0.2, interval_step=0.5, interval_max=1)
            self._conn = conn
        return self._conn

    def close(self):
        """Close the connection kept between batches, and its channel (the next batch opens new ones)."""
        conn, self._conn, self._producer = self._conn, None, None
        if conn is not None:
            try:
                conn.release()
            except Exception:  # noqa: BLE001 - a dead connection: nothing left to close
                pass

    def _publish_on(self, conn: Connection, rows, confirms: _Confirms):
        """``rows`` (mandatory routing, persistent) on the connection's channel in confirm mode, then one wait."""
        producer = self._producer_on(conn)
        carried = self._batch_confirms.offset + self._batch_confirms.published
        confirms.reset(offset=carried)
        self._batch_confirms = confirms
        for row in rows:
            producer.publish(row.payload, routing_key=row.type, mandatory=True, delivery_mode=2,
                             message_id=row.event_id, headers={"paraph-event-id": row.event_id})
            confirms.published += 1
        if PUBLISHED_EVENTS_LOG:
            _log_published(rows)
        self._await_confirms(conn, confirms)

    def _producer_on(self, conn: Connection) -> Producer:
        """The producer on ``conn``'s channel in confirm mode, opened at the connection's first batch. A batch
        that fails closes the connection with its channel (:meth:`_publish_batch`), and so does replacing an
        idle one (:meth:`_connection`): a kept channel is ``conn``'s and has had every message answered."""
        if self._producer is None:
            channel = conn.channel()
            producer = Producer(channel, exchange=self.exchange, serializer="json",
                                on_return=lambda *returned: self._batch_confirms.on_return(*returned))
            producer.declare()
            channel.confirm_select()
            channel.events["basic_ack"].add(lambda tag, multiple: self._batch_confirms.on_ack(tag, multiple))
            channel.events["basic_nack"].add(lambda tag, multiple: self._batch_confirms.on_nack(tag, multiple))
            self._producer, self._batch_confirms = producer, _Confirms()  # a new channel has carried nothing
        return self._producer

    @staticmethod
    def _await_confirms(conn, confirms: _Confirms):
        deadline = time.monotonic() + CONFIRMS_TIMEOUT
        while not confirms.all_answered():
            left = deadline - time.monotonic()
            if left <= 0:
                raise Unconfirmed(f"{confirms.published - confirms.answered()} of "
                                  f"{confirms.published} events unconfirmed after {CONFIRMS_TIMEOUT:.0f}s")
            try:
                conn.drain_events(timeout=left)
            except TimeoutError:
                pass  # socket.timeout: checked against the deadline above

    def drain_once(self) -> int:
        """Publish one batch; returns how many rows were handled."""
        model = self.model
        now = utcnow()
        with self.db.session() as session:
            query = (select(model)
                     .where(model.published_at.is_(None))
                     .where((model.next_attempt_at.is_(None)) | (model.next_attempt_at <= now))
                     .order_by(model.seq).limit(self.batch))
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = session.execute(query).scalars().all()
            if not rows:
                return 0
            confirms = _Confirms()
            try:
                self._publish_batch(rows, confirms)
            except Exception:
                # broker gone mid-batch: keep the marks of the rows already confirmed, so that only
                # the unconfirmed rest is published again (fewer duplicates after an outage)
                self._mark(session, rows, confirms, now)
                session.commit()
                raise
            self._mark(session, rows, confirms, now)
            return len(rows)

    def _mark(self, session, rows, confirms: _Confirms, now):
        """Record the broker's answers: acked rows published (one UPDATE for them all); returned as
        unroutable, retried with backoff until the grace is over, then marked unrouted; nacked rows
        retried with backoff; unanswered rows left as they were."""
        outcomes = [(row, confirms.outcome(tag, row.event_id)) for tag, row in enumerate(rows, 1)]
        delivered = [row.seq for row, outcome in outcomes if outcome == "delivered"]
        if delivered:
            session.execute(update(self.model).where(self.model.seq.in_(delivered))
                            .values(published_at=utcnow(), last_error=None),
                            execution_options={"synchronize_session": False})
        for row, outcome in outcomes:
            if outcome in ("delivered", None):
                continue
            row.attempts += 1
            age = (now - row.created_at).total_seconds()
            if outcome == "nacked":
                row.last_error = "nacked by the broker"
            elif age >= self.grace:
                log.warning("outbox: %s %s has no subscriber after %.0fs, marked unrouted",
                            row.type, row.event_id, age)
                row.published_at = utcnow()
                row.unrouted = True
                continue
            else:
                row.last_error = "unroutable: no queue bound yet"
            row.next_attempt_at = now + timedelta(seconds=min(30.0, 0.5 * 2 ** min(row.attempts, 6)))

    def prune(self, retention_hours: float) -> int:
        """Delete rows published more than ``retention_hours`` ago (they may carry one-time links)."""
        cutoff = utcnow() - timedelta(hours=retention_hours)
        with self.db.session() as session:
            return session.execute(delete(self.model).where(self.model.published_at.is_not(None),
                                                            self.model.published_at < cutoff)).rowcount

    def drain(self, max_rounds: int = 1000) -> int:
        total = 0
        for _ in range(max_rounds):
            n = self.drain_once()
            total += n
            if n < self.batch:
                break
        return total

    def pending(self) -> int:
        with self.db.session() as session:
            return len(session.execute(select(self.model.seq).where(self.model.published_at.is_(None))).all())


class Outbox(DependencyProvider):
    """Injects an :class:`OutboxWriter` and runs the relay thread of the container."""

    def __init__(self, model, poll_interval: float | None = None):
        self.model = model
        self.poll_interval = poll_interval
        self._wake = Event()
        self._running = False
        self._gt = None
        self.relay: Relay | None = None

    @property
    def source(self) -> str:
        return self.container.service_name

    def setup(self):
        url = self.container.config["DATABASE_URL"]
        self.relay = Relay(Db(make_engine(url)), self.model, self.source, self.container.config["AMQP_URI"])
        if self.poll_interval is None:
            self.poll_interval = env_float("OUTBOX_POLL_INTERVAL", 1.0)

    def start(self):
        self._running = True
        self._gt = self.container.spawn_managed_thread(self._run, identifier="outbox-relay")

    def stop(self):
        self._running = False
        self._wake_now()
        if self._gt is not None:
            try:
                self._gt.wait()
            except Exception:  # pragma: no cover
                pass
        if self.relay is not None:
            self.relay.close()

    def kill(self):
        self._running = False
        if self._gt is not None:
            self._gt.kill()
        if self.relay is not None:
            self.relay.close()

    def _wake_now(self):
        if not self._wake.ready():
            self._wake.send(True)

    def wake_after_commit(self, session):
        from sqlalchemy import event as sa_event
        if not session.info.get("outbox_hook"):
            session.info["outbox_hook"] = True
            sa_event.listen(session, "after_transaction_end", self._wake_after_commit)

    def _wake_after_commit(self, _session, transaction):
        # only once the database transaction ended: a released savepoint (a block of a write call's one
        # transaction) fires after_commit too, when the rows are not visible yet, and waking the relay
        # then would leave them until its next poll (a wake after a rollback finds nothing: harmless)
        if transaction.parent is None:
            self._wake_now()

    def _run(self):
        failures = 0
        retention = env_float("OUTBOX_RETENTION_HOURS", 72.0)
        next_prune = 0.0
        while self._running:
            if retention > 0 and time.monotonic() >= next_prune:
                next_prune = time.monotonic() + 3600
                try:
                    self.relay.prune(retention)
                except Exception as exc:  # noqa: BLE001 - housekeeping retries next hour
                    log.warning("outbox pruning of %s failed: %s", self.source, first_line(exc),
                                exc_info=log.isEnabledFor(logging.DEBUG))
            try:
                n = self.relay.drain_once()
                failures = 0
            except Exception as exc:  # broker or database down: rows stay pending
                failures += 1
                delay = min(30.0, 0.5 * 2 ** min(failures, 6)) * (0.5 + random.random())
                # one line each time (ops grep by line; a database down says it every few seconds), the
                # traceback at DEBUG
                log.warning("outbox relay of %s failed (%s), retrying in %.1fs", self.source, first_line(exc), delay,
                            exc_info=log.isEnabledFor(logging.DEBUG))
                eventlet.sleep(delay)
                continue
            if n >= self.relay.batch:
                eventlet.sleep(0)
                continue
            with eventlet.Timeout(self.poll_interval, False):
                self._wake.wait()
            if self._wake.ready():
                self._wake.reset()

    def get_dependency(self, worker_ctx):
        return OutboxWriter(self)
