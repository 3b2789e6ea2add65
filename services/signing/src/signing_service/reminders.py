"""The reminder cadence of a request: whoever's turn it is gets reminded every N days, at most M times.
N and M are fixed when the request is sent: the request's own choice, else the license's setting
(``license_settings``, written by the settings API), else NULL, which means the service's
SIGNATURE_REMINDER_AFTER_HOURS / SIGNATURE_REMINDER_MAX at the time of the scan.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from .base import SigningBase
from .dependencies import SigningSettings
from .models import LicenseSettings, Participant, SignatureRequest

DAY = 86400.0


def license_reminder_defaults(s, license_id: str) -> dict:
    """The license's reminder cadence: {reminder_every_days, reminder_max}, None where the license has no
    setting (the service's default applies)."""
    row = s.get(LicenseSettings, license_id)
    return {"reminder_every_days": row.reminder_every_days if row is not None else None,
            "reminder_max": row.reminder_max if row is not None else None}


def request_cadence(s, license_id: str, every_days: int | None, max_count: int | None) -> dict:
    """What a new request keeps: its own values, else the license's (None: the service's default)."""
    defaults = license_reminder_defaults(s, license_id)
    return {"reminder_every_days": every_days if every_days is not None else defaults["reminder_every_days"],
            "reminder_max": max_count if max_count is not None else defaults["reminder_max"]}


def interval_seconds(settings: SigningSettings, every_days: int | None) -> float:
    return every_days * DAY if every_days is not None else settings.reminder_after


def cadence_view(settings: SigningSettings, r: SignatureRequest) -> dict:
    """The cadence shown in a request's view."""
    return {"every_days": r.reminder_every_days,
            "interval_hours": round(interval_seconds(settings, r.reminder_every_days) / 3600, 2),
            "max": r.reminder_max if r.reminder_max is not None else settings.reminder_max}


class RemindersMixin(SigningBase):
    """The maintenance scan's reminders, each request at its own cadence."""

    def _send_due_reminders(self, now: datetime, license_id: str | None = None) -> int:
        """Remind the pending participants asked (or last reminded) at least one interval ago, up to the
        request's maximum. Requests are taken one cadence at a time (a handful of distinct values), so each
        query compares with a plain cutoff on any database."""
        pending = [SignatureRequest.status == "pending", SignatureRequest.expires_at > now]
        if license_id:
            pending.append(SignatureRequest.license_id == license_id)
        with self.db.session() as s:
            cadences = [every for (every,) in s.execute(
                select(SignatureRequest.reminder_every_days).where(*pending).distinct())]
        max_count = func.coalesce(SignatureRequest.reminder_max, self.settings.reminder_max)
        reminded = 0
        for every in cadences:
            interval = interval_seconds(self.settings, every)
            cutoff = now - timedelta(seconds=interval)
            same = (SignatureRequest.reminder_every_days.is_(None) if every is None
                    else SignatureRequest.reminder_every_days == every)
            q = (select(SignatureRequest.id).join(Participant, Participant.request_id == SignatureRequest.id)
                 .where(*pending, same, Participant.status == "pending", Participant.asked_at <= cutoff,
                        Participant.reminders_sent < max_count,
                        or_(Participant.last_reminded_at.is_(None), Participant.last_reminded_at <= cutoff))
                 .distinct())
            with self.db.session() as s:
                due = [rid for (rid,) in s.execute(q.limit(500))]
            for rid in due:
                with self.db.session() as s:
                    r = self._lock(s, rid)
                    if r.status != "pending":
                        continue
                    limit = r.reminder_max if r.reminder_max is not None else self.settings.reminder_max
                    reminded += len(self._remind(s, r, now, interval, None, since_asked=True, max_count=limit))
        return reminded
