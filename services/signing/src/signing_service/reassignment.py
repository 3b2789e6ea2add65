"""Handing a participant's turn to someone else before they acted (they left, the wrong person was
named...): the sender, the document's owner or a manager names the new person and says why. The old
participant row stays (status ``reassigned``, ``replaced_by``) so its signing link answers 410; the new
person takes the same role and order and is asked at once if it is their turn. The audit trail records who
did it, from whom to whom and why; ``signature.reassigned.v1`` tells integrators.
"""
from __future__ import annotations

from paraph_platform import phones
from paraph_platform.actor import STAFF_ROLES, load_actor, require_role
from paraph_platform.db import new_id, utcnow
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import REASSIGNED, SigningBase
from .exceptions import Conflict, InvalidInput, NotFound
from .logic import iso
from .models import Participant
from .signature_requests import request_view

REASSIGNABLE = ("waiting", "pending")


class ReassignmentEndpoints(SigningBase):
    """reassign_participant."""

    @endpoint(write=True)
    def reassign_participant(self, actor, request_id, participant_id, payload=None):
        """Replace an approver or signer who has not acted yet (409 once they did)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        if not isinstance(payload, dict):
            raise InvalidInput("The payload must be an object.")
        with self._outsiders_phones(actor):
            data = schemas.ReassignIn().load(payload)
            phone = phones.written(data["phone"])  # in E.164, where the one-time codes go
        self._request_in_charge(actor, request_id, "Only the requester, the document's owner or a manager can "
                                                   "reassign a participant.")
        now = utcnow()
        by = self._staff(actor)

        def work(s):
            r = self._lock(s, request_id, actor["license_id"])
            old = s.get(Participant, participant_id)
            if old is None or old.request_id != r.id:
                raise NotFound("This person is not a participant of the request.")
            self._open(s, r, now)
            if old.status == REASSIGNED:
                raise Conflict("This participant was already replaced.", {"participant_status": old.status,
                                                                           "replaced_by": old.replaced_by})
            if old.status not in REASSIGNABLE:
                raise Conflict(f"This participant already {old.status}: they cannot be replaced.",
                               {"participant_status": old.status})
            email = data["email"].strip().lower()
            if any(p.email.lower() == email and p.role == old.role and p.id != old.id
                   for p in self._participants(s, r.id)):
                raise InvalidInput(f"{email} is already a {old.role} of this request.",
                                   {"fields": {"email": [f"already a {old.role}"]}})
            pid = new_id()
            new = Participant(id=pid, request_id=r.id, license_id=r.license_id, role=old.role, order=old.order,
                              position=old.position, kind="external", user_id=None, contact_id=None,
                              name=data["name"].strip(), email=email, phone=phone,
                              otp_channel=old.otp_channel if phone else "email", status="waiting",
                              token_hash=logic.token_hash(self._token(pid)), created_at=now)
            s.add(new)
            old.status, old.replaced_by, old.acted_at = REASSIGNED, pid, now
            s.flush()
            self._hand_over_fields(s, old.id, pid)
            self._hand_over_attachments(s, old.id, pid)
            self._audit(s, r, "participant_reassigned", by, {
                "participant_id": old.id, "role": old.role, "order": old.order,
                "from": {"name": old.name, "email": old.email, "kind": old.kind, "user_id": old.user_id,
                         "contact_id": old.contact_id},
                "to": {"participant_id": pid, "name": new.name, "email": new.email,
                       "phone_masked": logic.mask_phone(new.phone) or None},
                "reason": data["reason"]}, at=now)
            self.outbox.add(s, "signature.reassigned.v1", {
                "request_id": r.id, "contract_id": r.contract_id, "owner_id": r.owner_id, "role": old.role,
                "previous_participant_id": old.id, "previous_name": old.name, "previous_email": old.email,
                "participant_id": pid, "name": new.name, "email": new.email, "reason": data["reason"],
                "reassigned_by": actor["user_id"], "reassigned_at": iso(now)}, subject=r.id, license_id=r.license_id)
            self._advance(s, r, now)  # the new person is asked now if the turn was the old one's
            return request_view(r, self._participants(s, r.id))

        return self._unit(work)
