"""Electronic signatures, as the signing service reports them: a request sends the draft (its content is
locked while a request is open, see :func:`signature_pending`), a completed request signs the contract
or accepts the quote, a declined one refuses it; cancelled and expired requests only unlock it. Every
request is tracked in :class:`~.models.SignatureTracking`.
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from paraph_platform.db import utcnow
from paraph_platform.events import subscribe
from paraph_platform.inbox import first_time

from . import logic
from .base import ContractsBase
from .models import Inbox, SignatureTracking


log = logging.getLogger(__name__)


def signature_pending(s, contract_id) -> bool:
    """Whether a signature request on the contract is still open (its content is locked meanwhile)."""
    return s.execute(select(SignatureTracking.request_id).where(
        SignatureTracking.contract_id == contract_id, SignatureTracking.closed.is_(False))).first() is not None


class SignaturesEndpoints(ContractsBase):
    """The signing service's events about a contract's signature requests."""

    def _track_signature(self, s, request_id, contract_id, closed: bool):
        row = s.get(SignatureTracking, request_id)
        if row is None:
            s.add(SignatureTracking(request_id=request_id, contract_id=contract_id, closed=closed))
        elif closed:
            row.closed = True

    @subscribe("signing", "signature.requested.v1")
    def on_signature_requested(self, event):
        """Sending a draft for signature sends it; its content is locked until the request is over."""
        data = event["data"]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "contracts.on_signature_requested"):
                return
            c = self._contract_by_id(s, event["license_id"], data["contract_id"])
            if c is None:
                return
            self._track_signature(s, data["request_id"], c.id, closed=False)
            self._history(s, c, "system", "signature_requested", request_id=data.get("request_id"))
            if c.status == "draft":
                c.status, c.sent_at = "sent", c.sent_at or utcnow()
                self._touch(c)
                self._status_event(s, c, "draft", "system", "sent for signature")

    @subscribe("signing", "signature.completed.v1")
    def on_signature_completed(self, event):
        """Signed electronically: a quote becomes Accepted, a contract Signed."""
        data = event["data"]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "contracts.on_signature_completed"):
                return
            c = self._contract_by_id(s, event["license_id"], data["contract_id"])
            if c is None:
                log.warning("signature completed for unknown contract %s", data.get("contract_id"))
                return
            self._track_signature(s, data["request_id"], c.id, closed=True)
            c.signers = list(data.get("signers") or [])
            c.signature_request_id = data.get("request_id")
            target = logic.SIGNED_STATUS.get(c.kind)
            if target and c.status in ("draft", "sent"):
                before = c.status
                c.status = target
                c.signed_at = utcnow()
                self._touch(c)
                self._status_event(s, c, before, "system", "signed electronically")
            self._history(s, c, "system", "signature_completed", request_id=data.get("request_id"),
                          signers=[x.get("name") or x.get("email") for x in c.signers])

    @subscribe("signing", "signer.declined.v1")
    def on_signer_declined(self, event):
        data = event["data"]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "contracts.on_signer_declined"):
                return
            c = self._contract_by_id(s, event["license_id"], data["contract_id"])
            if c is None:
                return
            if data.get("request_id"):
                self._track_signature(s, data["request_id"], c.id, closed=True)
            if c.status in ("draft", "sent"):
                before = c.status
                c.status, c.closed_at = "refused", utcnow()
                self._touch(c)
                self._status_event(s, c, before, "system",
                                   f"declined by {data.get('name') or data.get('email')}: {data.get('reason') or ''}")

    def _signature_closed(self, event, action):
        data = event["data"]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], f"contracts.on_{action}"):
                return
            # lock the contract first, like every other signing handler: the same lock order means a
            # "cancelled" racing its own "requested" waits instead of deadlocking on the tracking row
            c = self._contract_by_id(s, event["license_id"], data["contract_id"])
            if c is None:
                return
            self._track_signature(s, data["request_id"], c.id, closed=True)
            self._history(s, c, "system", action, request_id=data["request_id"])

    @subscribe("signing", "signature.cancelled.v1")
    def on_signature_cancelled(self, event):
        self._signature_closed(event, "signature_cancelled")

    @subscribe("signing", "signature.expired.v1")
    def on_signature_expired(self, event):
        self._signature_closed(event, "signature_expired")
