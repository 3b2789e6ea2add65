"""Retention: final notifications and final webhook deliveries older than their retention are deleted,
oldest first, in small batches of one short transaction each. A notification or a webhook delivery still
queued, pending or being sent is never deleted. (Inbox rows and idempotency keys are purged by the
platform, ``paraph_platform.db.Database``: INBOX_RETENTION_DAYS, IDEMPOTENCY_RETENTION_HOURS.) The
purge runs on a timer, ``RetentionEndpoints.purge_old_rows``."""
from __future__ import annotations

import logging
from datetime import timedelta

from nameko.timer import timer

from paraph_platform.config import env_float
from paraph_platform.db import HOUSEKEEPING_BATCH, purge_rows, utcnow

from .base import NotifyBase
from .models import Notification, WebhookDelivery

log = logging.getLogger(__name__)

NOTIFICATION_FINAL = ("sent", "failed")
WEBHOOK_DELIVERY_FINAL = ("succeeded", "failed")
BATCH = HOUSEKEEPING_BATCH
PURGE_INTERVAL = env_float("NOTIFY_PURGE_INTERVAL", 3600.0)


def purge(db, settings, now=None, batch: int = BATCH) -> dict[str, int]:
    """Apply ``settings.retention_days`` (0 = keep forever); returns how many rows of each kind were deleted."""
    now = now or utcnow()
    counts = {"notifications": 0, "webhook_deliveries": 0}
    if settings.retention_days > 0:
        cutoff = now - timedelta(days=settings.retention_days)
        for key, model, final in (("notifications", Notification, NOTIFICATION_FINAL),
                                  ("webhook_deliveries", WebhookDelivery, WEBHOOK_DELIVERY_FINAL)):
            table = model.__table__
            counts[key] = purge_rows(db, table, (table.c.created_at < cutoff, table.c.status.in_(final)),
                                     table.c.created_at, batch)
    return counts


class RetentionEndpoints(NotifyBase):
    """The purge timer."""

    @timer(interval=PURGE_INTERVAL)
    def purge_old_rows(self):
        """Delivery logs and webhook deliveries past their retention (the platform purges the inbox)."""
        try:
            counts = purge(self.db, self.settings)
            if any(counts.values()):
                log.info("notify: purged %s", counts)
        except Exception:  # noqa: BLE001 - next tick retries
            log.exception("notify: retention purge failed")
