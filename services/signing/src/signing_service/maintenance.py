"""Moving requests along when nobody acts: a timer (and an operations endpoint) expires overdue
requests, reminds participants asked long ago (each request at its own cadence, see reminders.py), deletes
embed URLs long dead (embedded_signing.py) and retries seals that got stuck (the sealing itself is ``SealedDocumentsEndpoints._complete`` in
sealed_documents.py).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from nameko.timer import timer
from sqlalchemy import select

from paraph_platform.actor import LICENSE_ADMIN, SYSTEM, load_actor, require_role
from paraph_platform.config import env_float
from paraph_platform.db import as_of, as_utc, utcnow
from paraph_platform.service import endpoint

from .models import SignatureRequest
from .reminders import RemindersMixin

log = logging.getLogger(__name__)


class MaintenanceEndpoints(RemindersMixin):
    """Expiry, reminders and stuck seals, on a timer or on demand."""

    def _maintain(self, now: datetime, license_id: str | None = None) -> dict:
        counts = {"expired": 0, "reminded": 0, "sealed": 0, "embed_urls_deleted": 0}
        q = select(SignatureRequest.id).where(SignatureRequest.status == "pending",
                                              SignatureRequest.expires_at <= now)
        if license_id:
            q = q.where(SignatureRequest.license_id == license_id)
        with self.db.session() as s:
            due = [rid for (rid,) in s.execute(q.limit(500))]
        for rid in due:
            with self.db.session() as s:
                r = self._lock(s, rid)
                if r.status == "pending" and as_utc(r.expires_at) <= now:
                    self._expire(s, r, now)
                    counts["expired"] += 1
        counts["reminded"] = self._send_due_reminders(now, license_id)
        counts["embed_urls_deleted"] = self._purge_embed_tokens(now, license_id)
        q = select(SignatureRequest.id).where(
            SignatureRequest.status == "sealing",
            SignatureRequest.sealing_since <= now - timedelta(seconds=self.settings.seal_retry_after))
        if license_id:
            q = q.where(SignatureRequest.license_id == license_id)
        with self.db.session() as s:
            stuck = [rid for (rid,) in s.execute(q.limit(50))]
        for rid in stuck:
            try:
                if self._complete(rid):
                    counts["sealed"] += 1
            except Exception:  # noqa: BLE001 - logged; retried at the next scan
                log.exception("sealing request %s failed again", rid)
        return counts

    @timer(interval=env_float("SIGNATURE_SCAN_INTERVAL", 300.0))
    def maintenance_scan(self):
        try:
            counts = self._maintain(utcnow())
            if any(counts.values()):
                log.info("signing maintenance: %s", counts)
        except Exception:  # noqa: BLE001 - next tick retries
            log.exception("signing maintenance scan failed")

    @endpoint(write=True)
    def run_maintenance(self, actor, now=None):
        """Operations/tests: expire, remind and retry seals now (optionally as of an ISO time).
        A license admin only touches their license."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        at = as_of(now)
        return self._maintain(at, None if actor["role"] == SYSTEM else actor["license_id"])
