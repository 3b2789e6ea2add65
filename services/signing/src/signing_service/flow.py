"""How a request moves besides its participants' acts: the options chosen when it is sent (turn order,
expiry as a date, reminder cadence, CC recipients), the copies sent to CC recipients once it is signed,
and what its detail shows about them (cadence, decline, reassignments).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from .base import REASSIGNED, Recipient, SigningBase
from .logic import SIGNED, file_name, iso
from .models import Participant, SignatureRequest
from .reminders import cadence_view, request_cadence


def expiry(data: dict, now: datetime, default_days: int) -> datetime:
    """When a new request expires: at the end (UTC) of ``expires_at``, or ``expires_in_days`` from now."""
    last_day: date | None = data.get("expires_at")
    if last_day is not None:
        return datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=timezone.utc)
    return now + timedelta(days=data.get("expires_in_days") or default_days)


def creation_fields(s, actor: dict, data: dict) -> dict:
    """The new request's columns for these options (the cadence falls back to the license's setting)."""
    return {"created_by_email": (actor.get("email") or "").strip().lower(),
            "signing_order": data.get("signing_order") or "sequential",
            "cc": [{"name": x["name"].strip(), "email": x["email"].strip().lower()} for x in data.get("cc") or []],
            **request_cadence(s, actor["license_id"], data.get("reminder_every_days"), data.get("reminder_max"))}


class FlowMixin(SigningBase):
    """Copies to CC recipients and the detail's view of the flow options."""

    def _send_cc(self, s, r: SignatureRequest, signers: list, now: datetime):
        """Once sealed: each CC recipient gets the signed document (called by _complete). Not the proof: it
        holds every participant's addresses, devices and reasons, which people outside the signing have no
        need of (the sealed PDF verifies on its own)."""
        if not r.cc:
            return
        files = [{"kind": "signed_pdf", "id": r.id, "filename": file_name(r, SIGNED)}]
        for person in r.cc:
            who = Recipient(person["name"], person["email"])
            self._notify(s, r, who, "signature_cc", f"signature_cc:{r.id}:{who.email}", {
                "sender_name": r.sender_name, "signers": signers, "completed_at": iso(now)},
                attachments=files)
        self._audit(s, r, "copies_sent", None, {"cc": list(r.cc)}, at=now)

    def _flow_detail(self, s, r: SignatureRequest, participants: list) -> dict:
        declined = next((p for p in participants if p.status == "declined"), None)
        replaced = s.execute(select(Participant).where(Participant.request_id == r.id,
                                                       Participant.status == REASSIGNED)
                             .order_by(Participant.acted_at)).scalars().all()
        return {
            "reminders": cadence_view(self.settings, r),
            "decline": None if declined is None else {
                "participant_id": declined.id, "role": declined.role, "name": declined.name,
                "email": declined.email, "reason": declined.decline_reason, "declined_at": iso(declined.acted_at)},
            "reassigned": [{"id": p.id, "role": p.role, "order": p.order, "name": p.name, "email": p.email,
                            "replaced_by": p.replaced_by, "reassigned_at": iso(p.acted_at)} for p in replaced],
        }
