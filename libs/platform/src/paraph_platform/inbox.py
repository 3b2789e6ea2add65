"""Deduplication of consumed events by event id.

Call :func:`first_time` inside the handler's transaction, before its writes::

    with self.db.session() as s:
        if not first_time(s, Inbox, event["id"], "notify.on_contract_sent"):
            return
        ...writes...

The inbox row commits with the writes, so a redelivered event is skipped; two
concurrent deliveries collide on the primary key and the loser rolls back
(and is retried, then skipped).
"""
from __future__ import annotations

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
