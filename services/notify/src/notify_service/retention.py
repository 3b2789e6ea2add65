"""Retention: final notifications and final webhook deliveries older than their retention are deleted,
oldest first, in small batches of one short transaction each. A notification or a webhook delivery still
queued, pending or being sent is never deleted. (Inbox rows and idempotency keys are purged by the
platform, ``paraph_platform.db.Database``: INBOX_RETENTION_DAYS, IDEMPOTENCY_RETENTION_HOURS.)"""
from __future__ import annotations

from datetime import timedelta

import eventlet
from sqlalchemy import delete, select, tuple_

from paraph_platform.db import utcnow

from .models import Notification, WebhookDelivery

NOTIFICATION_FINAL = ("sent", "failed")
WEBHOOK_DELIVERY_FINAL = ("succeeded", "failed")
BATCH = 500


def _purge(db, model, keys: tuple, conditions: tuple, oldest_first, batch: int) -> int:
    """Delete the rows matching ``conditions``, ``batch`` rows per transaction (rows locked by
    someone else are skipped until the next run)."""
    deleted = 0
    while True:
        with db.session() as s:
            q = select(*keys).where(*conditions).order_by(oldest_first).limit(batch)
            if db.dialect == "postgresql":
                q = q.with_for_update(skip_locked=True)
            found = [tuple(row) for row in s.execute(q)]
            if found:
                match = keys[0].in_([k[0] for k in found]) if len(keys) == 1 else tuple_(*keys).in_(found)
                deleted += s.execute(delete(model).where(match, *conditions)
                                     .execution_options(synchronize_session=False)).rowcount
        if len(found) < batch:
            return deleted
        eventlet.sleep(0)


def purge(db, settings, now=None, batch: int = BATCH) -> dict[str, int]:
    """Apply ``settings.retention_days`` (0 = keep forever); returns how many rows of each kind were deleted."""
    now = now or utcnow()
    N, D = Notification, WebhookDelivery
    counts = {"notifications": 0, "webhook_deliveries": 0}
    if settings.retention_days > 0:
        cutoff = now - timedelta(days=settings.retention_days)
        counts["notifications"] = _purge(db, N, (N.id,), (N.created_at < cutoff, N.status.in_(NOTIFICATION_FINAL)),
                                         N.created_at, batch)
        counts["webhook_deliveries"] = _purge(db, D, (D.id,), (D.created_at < cutoff,
                                                               D.status.in_(WEBHOOK_DELIVERY_FINAL)),
                                              D.created_at, batch)
    return counts
