"""Deduplication of consumed events by event id.

Delivery is at least once: ``@subscribe`` (:mod:`.events`) acks an event only after the handler's worker
has returned, so an event whose ack was lost (broker connection dropped, consumer killed after the
commit) is delivered again, and a failed attempt comes back from a retry queue. A handler is therefore
idempotent on the event id.

A handler that does all its work in one transaction is decorated with :func:`handled_once`; one that
does part of it elsewhere (RPCs before or after the transaction, a filter that should not record
anything) calls :func:`first_time` inside its transaction, before its writes::

    with self.db.session() as s:
        if not first_time(s, Inbox, event["id"], "notify.on_contract_sent"):
            return
        ...writes...

The inbox row commits with the writes, so a redelivered event is skipped; two
concurrent deliveries collide on the primary key and the loser rolls back
(and is retried, then skipped).
"""
from __future__ import annotations

import functools

from sqlalchemy import select


def first_time(session, model, event_id: str, consumer: str) -> bool:
    seen = session.execute(
        select(model.event_id).where(model.event_id == event_id, model.consumer == consumer)
    ).first()
    if seen:
        return False
    session.add(model(event_id=event_id, consumer=consumer))
    session.flush()
    return True


def handled_once(model, consumer: str):
    """For an event handler that does all its work in one transaction: the event is applied once however
    often it is delivered (the ack follows the worker, so a lost ack or a retry redelivers it). The handler
    runs in a session of ``self.db`` whose inbox (``model``, the service's ``InboxMixin`` table) records the
    event's id under ``consumer`` with the handler's writes (:func:`first_time`); a redelivery does nothing.
    It is called as ``handler(self, s, event)``; put ``@subscribe`` above this decorator."""
    def decorate(handler):
        @functools.wraps(handler)
        def handle(self, event):
            with self.db.session() as s:
                if first_time(s, model, event["id"], consumer):
                    handler(self, s, event)
        return handle
    return decorate
