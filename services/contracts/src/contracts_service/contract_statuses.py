"""A contract's status lifecycle by hand and by the clock: staff move a contract, quote, order or
invoice through its statuses (:data:`.logic.TRANSITIONS`), send a contract or quote (or a reminder) to
a contact, and unsigned contracts and quotes are abandoned once their delay (the contract type's, else
the license's) has passed. The signing service's events move them too (:mod:`.signatures`).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from nameko.timer import timer
from sqlalchemy import or_, select, true

from paraph_platform.actor import MANAGERS, SYSTEM, load_actor, require_role
from paraph_platform.config import env_float
from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.errors import article
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import ContractsBase
from .contracts import contract_detail
from .exceptions import Conflict, InvalidInput
from .models import Contract, ContractType
from .signatures import signature_pending


log = logging.getLogger(__name__)


class ContractStatusesEndpoints(ContractsBase):
    """Status changes, sending, and the automatic abandon."""

    @endpoint(write=True)
    def change_status(self, actor, contract_id, payload):
        actor, data = self._caller_and_payload(actor, schemas.StatusSchema, payload)
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id, lock=True)
            if c.kind not in logic.TRANSITIONS or data["status"] not in logic.TRANSITIONS[c.kind]:
                raise InvalidInput(f"Unknown status for a {c.kind}.",
                                   {"fields": {"status": [f"one of {', '.join(logic.TRANSITIONS[c.kind])}"]}})
            if data["status"] in logic.MANAGER_STATUSES:
                require_role(actor, *MANAGERS)
            logic.check_transition(c.kind, c.status, data["status"])
            logic.check_not_signed_by_hand(c.kind, data["status"], signature_pending(s, c.id))
            if c.status == data["status"]:
                return contract_detail(s, c, actor)
            before = c.status
            c.status = data["status"]
            if c.status in ("signed", "accepted") and c.signed_at is None:
                c.signed_at = utcnow()
            if c.status in ("validated", "refused", "abandoned", "paid", "cancelled", "delivered"):
                c.closed_at = utcnow()
            elif c.status == "draft":
                c.closed_at = None
            self._touch(c)
            self._status_event(s, c, before, actor["user_id"], data["reason"])
            if c.status == "abandoned":
                self._abandoned_event(s, c, None)
            s.flush()
            return contract_detail(s, c, actor)

    @endpoint(write=True)
    def mark_sent(self, actor, contract_id, payload=None):
        """Record that the contract/quote was sent (or a reminder was) to a contact of its customer."""
        actor = load_actor(actor)
        data = schemas.SendSchema().load(payload or {})
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id, lock=True)
            if c.kind not in ("contract", "quote"):
                raise Conflict(f"An {c.kind} is not sent for agreement.")
            if c.status not in ("draft", "sent"):
                raise Conflict(f"{article(c.status)} {c.status} {c.kind} cannot be sent.")
            contact_id = data["contact_id"] or c.contact_id
            if contact_id:
                contact = self._contact(s, actor, contact_id, field="contact_id" if data["contact_id"] else None)
                if contact.customer_id != c.customer_id:
                    raise InvalidInput("The contact belongs to another customer.")
            if c.contract_type_id:
                logic.require_merge_fields(s.get(ContractType, c.contract_type_id).merge_fields or [], c.data or {})
            before = c.status
            c.status = "sent"
            c.sent_at = c.sent_at or utcnow()
            self._touch(c)
            self._history(s, c, actor["user_id"], "reminded" if data["reminder"] else "sent", contact_id=contact_id)
            if before != "sent":
                self._status_event(s, c, before, actor["user_id"])
            self.outbox.add(s, "contract.sent.v1", {
                "contract_id": c.id, "kind": c.kind, "number": c.number, "customer_id": c.customer_id,
                "owner_id": c.owner_id, "contact_id": contact_id, "reminder": data["reminder"]},
                subject=c.id, license_id=c.license_id)
            s.flush()
            return contract_detail(s, c, actor)

    # -- automatic abandon -------------------------------------------------------------------------------

    def _abandoned_event(self, s, c: Contract, delay_days):
        self.outbox.add(s, "contract.abandoned.v1", {
            "contract_id": c.id, "kind": c.kind, "number": c.number, "customer_id": c.customer_id,
            "owner_id": c.owner_id, "delay_days": delay_days, "created_at": iso(c.created_at)},
            subject=c.id, license_id=c.license_id)

    def _abandon_due(self, now: datetime, batch: int = 500) -> int:
        done = 0
        with self.db.session() as s:
            licenses = [lid for (lid,) in s.execute(select(Contract.license_id).where(
                Contract.status.in_(logic.UNSIGNED), Contract.kind.in_(("contract", "quote"))).distinct())]
        for license_id in licenses:
            with self.db.session() as s:
                settings = self._settings(s, license_id)
            if settings is None:
                continue  # identity unreachable and nothing replicated yet: try again next round
            with self.db.session() as s:
                types = {t.id: t.abandon_delay_days for t in s.execute(select(ContractType).where(
                    ContractType.license_id == license_id, ContractType.abandon_delay_days.is_not(None))).scalars()}
            groups = [(settings.abandon_delay_days, None)] + [(d, tid) for tid, d in types.items()]
            for delay, type_id in groups:
                cutoff = now - timedelta(days=delay)
                while True:
                    with self.db.session() as s:
                        q = select(Contract).where(Contract.license_id == license_id,
                                                   Contract.status.in_(logic.UNSIGNED),
                                                   Contract.kind.in_(("contract", "quote")),
                                                   Contract.created_at < cutoff)
                        if type_id is None:
                            q = q.where(or_(Contract.contract_type_id.is_(None),
                                            Contract.contract_type_id.not_in(list(types)) if types else true()))
                        else:
                            q = q.where(Contract.contract_type_id == type_id)
                        if self.db.dialect == "postgresql":
                            q = q.with_for_update(skip_locked=True)
                        rows = s.execute(q.limit(batch)).scalars().all()
                        for c in rows:
                            before = c.status
                            c.status, c.closed_at = "abandoned", now
                            self._touch(c)
                            self._status_event(s, c, before, "system", reason_code="not_signed_in_time", delay_days=delay)
                            self._abandoned_event(s, c, delay)
                        done += len(rows)
                    if len(rows) < batch:
                        break
        return done

    @timer(interval=env_float("ABANDON_SCAN_INTERVAL", 3600.0))
    def abandon_scan(self):
        try:
            n = self._abandon_due(utcnow())
            if n:
                log.info("abandoned %d unsigned contracts", n)
        except Exception:  # noqa: BLE001 - next tick retries
            log.exception("abandon scan failed")

    @endpoint(write=True)
    def run_abandon(self, actor, payload=None):
        """The operator (and tests): run the abandon scan now, optionally as of a given time. It scans every
        license, so no license's admin may run it (nor move its clock)."""
        _, data = self._caller_and_payload(actor, schemas.AbandonRunSchema, payload or {}, roles=(SYSTEM,))
        return {"abandoned": self._abandon_due(data["now"] or utcnow())}
