"""Electronic signatures, as the signing service reports them: a request sends the draft (its content is
locked while a request is open, see :func:`signature_pending`), a completed request signs the contract
or accepts the quote, a declined one refuses it; cancelled and expired requests only unlock it. Every
request is tracked in :class:`~.models.SignatureTracking`.
"""
from __future__ import annotations

from sqlalchemy import select

from paraph_platform.db import utcnow
from paraph_platform.events import subscribe

from . import logic
from .base import ContractsBase, contract_event
from .models import SignatureTracking


def signature_pending(s, contract_id) -> bool:
    """Whether a signature request on the contract is still open (its content is locked meanwhile)."""
    return s.execute(select(SignatureTracking.request_id).where(
        SignatureTracking.contract_id == contract_id, SignatureTracking.closed.is_(False))).first() is not None


def _request_closed_handler(event_type: str, action: str):
    """The handler of a signature request that ended without a signature (``action``: its history entry)."""
    @subscribe("signing", event_type)
    @contract_event(f"contracts.on_{action}")
    def handle(self, s, c, data):
        self._track_signature(s, data["request_id"], c.id, closed=True)
        self._touch(c)  # unlocked: a sync by updated_at learns it
        self._history(s, c, "system", action, request_id=data["request_id"])
    return handle


class SignaturesEndpoints(ContractsBase):
    """The signing service's events about a contract's signature requests."""

    def _track_signature(self, s, request_id, contract_id, closed: bool):
        row = s.get(SignatureTracking, request_id)
        if row is None:
            s.add(SignatureTracking(request_id=request_id, contract_id=contract_id, closed=closed))
        elif closed:
            row.closed = True

    @subscribe("signing", "signature.requested.v1")
    @contract_event("contracts.on_signature_requested")
    def on_signature_requested(self, s, c, data):
        """Sending a draft for signature sends it; its content is locked until the request is over. The history
        names who sent it (an event published before ``requested_by``: Paraph itself)."""
        self._track_signature(s, data["request_id"], c.id, closed=False)
        self._touch(c)  # locked, and sent if a draft: a sync by updated_at learns it
        requested_by = data.get("requested_by") or "system"
        self._history(s, c, requested_by, "signature_requested", request_id=data.get("request_id"))
        if c.status == "draft":
            c.status, c.sent_at = "sent", c.sent_at or utcnow()
            self._status_event(s, c, "draft", requested_by, reason_code="sent_for_signature")

    @subscribe("signing", "signature.completed.v1")
    @contract_event("contracts.on_signature_completed")
    def on_signature_completed(self, s, c, data):
        """Signed electronically: a quote becomes Accepted, a contract Signed."""
        self._track_signature(s, data["request_id"], c.id, closed=True)
        c.signers = list(data.get("signers") or [])
        c.signature_request_id = data.get("request_id")
        self._touch(c)  # its signers, whatever its kind and status: a sync by updated_at learns them
        target = logic.SIGNED_STATUS.get(c.kind)
        if target and c.status in ("draft", "sent"):
            before = c.status
            c.status = target
            c.signed_at = utcnow()
            self._status_event(s, c, before, "system", reason_code="signed_electronically")
        self._history(s, c, "system", "signature_completed", request_id=data.get("request_id"),
                      signers=[x.get("name") or x.get("email") for x in c.signers])

    @subscribe("signing", "signer.declined.v1")
    @contract_event("contracts.on_signer_declined")
    def on_signer_declined(self, s, c, data):
        if data.get("request_id"):
            self._track_signature(s, data["request_id"], c.id, closed=True)
        self._touch(c)  # its request ended (unlocked), refused if it was still open
        if c.status in ("draft", "sent"):
            before = c.status
            c.status, c.closed_at = "refused", utcnow()
            self._status_event(s, c, before, "system", reason_code="signature_declined",
                               declined_by=data.get("name") or data.get("email"), decline_reason=data.get("reason") or "")

    # a request ended without a signature only unlocks the contract
    on_signature_cancelled = _request_closed_handler("signature.cancelled.v1", "signature_cancelled")
    on_signature_expired = _request_closed_handler("signature.expired.v1", "signature_expired")
