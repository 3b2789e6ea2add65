"""Transactional outbox and its relay.

A service writes its events into the ``outbox`` table in the same transaction
as the state change (``self.outbox.add(session, ...)``); the relay, a managed
thread of the service container, publishes pending rows to the nameko events
exchange ``<service>.events`` (routing key = event type) with publisher
confirms, then marks them published.  A crash between publish and mark means
the event is published again with the same id: consumers dedupe on it.

An event nobody is bound to yet (a subscriber that has not started) is kept
and retried for ``OUTBOX_UNROUTED_GRACE`` seconds before being marked
``unrouted``, so a fresh system does not lose its first events.
"""
from __future__ import annotations

import logging
import random
import time
from datetime import timedelta

import eventlet
from eventlet.event import Event
from nameko.amqp.publish import Publisher as AmqpPublisher
from nameko.amqp.publish import UndeliverableMessage
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange
from sqlalchemy import delete, select

from .config import env_float
from .db import Db, make_engine, utcnow
from .envelope import make_event

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


class Relay:
    """Publishes pending outbox rows; usable inside a container or standalone (tests, CLI)."""

    def __init__(self, db: Db, model, source: str, amqp_uri: str, *, batch: int = 200,
                 grace: float | None = None):
        self.db = db
        self.model = model
        self.source = source
        self.exchange = get_event_exchange(source, {})
        self.publisher = AmqpPublisher(amqp_uri, use_confirms=True, serializer="json",
                                       exchange=self.exchange, declare=[self.exchange],
                                       retry=True, retry_policy={"max_retries": 2, "interval_start": 0.2,
                                                                  "interval_step": 0.5, "interval_max": 1})
        self.batch = batch
        self.grace = grace if grace is not None else env_float("OUTBOX_UNROUTED_GRACE", 300.0)

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
            for row in rows:
                try:
                    self.publisher.publish(row.payload, routing_key=row.type, mandatory=True,
                                           headers={"paraph-event-id": row.event_id})
                    row.published_at = utcnow()
                    row.last_error = None
                except UndeliverableMessage:
                    row.attempts += 1
                    age = (now - row.created_at).total_seconds()
                    if age >= self.grace:
                        log.warning("outbox: %s %s has no subscriber after %.0fs, marked unrouted",
                                    row.type, row.event_id, age)
                        row.published_at = utcnow()
                        row.unrouted = True
                    else:
                        row.next_attempt_at = now + timedelta(seconds=min(30.0, 0.5 * 2 ** min(row.attempts, 6)))
                        row.last_error = "unroutable: no queue bound yet"
                except Exception:
                    # broker gone mid-batch: keep the marks of the rows already confirmed, so that only
                    # the unconfirmed rest is published again (fewer duplicates after an outage)
                    session.commit()
                    raise
            return len(rows)

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

    def kill(self):
        self._running = False
        if self._gt is not None:
            self._gt.kill()

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
                    log.warning("outbox pruning of %s failed: %s", self.source, exc)
            try:
                n = self.relay.drain_once()
                failures = 0
            except Exception as exc:  # broker or database down: rows stay pending
                failures += 1
                delay = min(30.0, 0.5 * 2 ** min(failures, 6)) * (0.5 + random.random())
                log.warning("outbox relay of %s failed (%s), retrying in %.1fs", self.source, exc, delay)
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
