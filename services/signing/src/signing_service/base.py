"""What every aggregate of the signing service shares: the unit of work (errors deferred until it
committed), the request's row lock and lookups, who may see or manage a request, participants' signing
links, the hash-chained audit trail, notifications, and the turn order a request moves through (asking
the next approvers or signers, expiry, recording an act with its evidence, reminders). Every change of
a request happens with the request row locked (PostgreSQL ``FOR UPDATE``), so the turn order, one-time
codes and the audit chain are never raced; state transitions are also written as conditional updates
so that SQLite (embedded dev) stays correct.
"""
from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import NamedTuple

from marshmallow import Schema
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from paraph_platform import phones, staff_pages
from paraph_platform.actor import MANAGERS, STAFF_ROLES, SYSTEM, load_actor, require_role
from paraph_platform.db import Db, as_utc, new_id, utcnow
from paraph_platform.outbox import OutboxWriter
from paraph_platform.rpc import Rpc

from . import logic
from .dependencies import Keys, SigningSettings
from .exceptions import Conflict, Forbidden, Gone, NotFound
from .logic import iso
from .models import AuditEntry, Evidence, Participant, SignatureRequest

COLLECTED = "signature.collected.v1"  # every signer signed: this service seals (completed.v1 follows)
REASSIGNED = "reassigned"  # a participant replaced before acting: out of the turn order, link dead
# what a request that ended this way answers (410) to an act on it, and an offline item (conflict)
ENDED = {"cancelled": "This signature request was cancelled.", "expired": "This signature request has expired."}


class Recipient(NamedTuple):
    """Someone told about a request who is not one of its participants (its sender, a CC recipient)."""
    name: str
    email: str
    user_id: str | None = None


class _Deferred(Exception):
    """Raised inside a unit of work that must still commit (attempt counters, expiry) before the
    caller gets the wrapped error."""

    def __init__(self, error):
        super().__init__(str(error))
        self.error = error


def _file(filename: str, content: bytes, content_type: str = "application/pdf") -> dict:
    return {"filename": filename, "content_type": content_type, "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content), "content_base64": base64.b64encode(content).decode()}


class SigningBase:
    """Helpers the aggregate mixins share. The dependency providers are declared once, on
    :class:`signing_service.service.SigningService` (nameko binds them per worker); the annotations
    say what each one injects into ``self``."""

    db: Db
    outbox: OutboxWriter
    settings: SigningSettings
    keys: Keys
    contracts: Rpc  # the contracts service: perimeter checks, the contract's PDF, contacts
    identity: Rpc  # the identity service: users, license settings

    def _outsiders_phones(self, actor: dict):
        """``phones.read_in`` for the numbers typed for a request's participants (people outside the customer
        files: a contact's number comes written by contracts, a user's is read in France as identity checked it):
        the company's country (contracts' phone_country_internal), asked only when such a number is written
        without its country code. A block loads and writes them (phones.written) alike."""
        return phones.read_in(lambda: self.contracts.phone_country_internal(actor["license_id"], None)["country"])

    # -- units of work, lookups, access, links, the audit chain, notifications -----------------------------

    def _unit(self, fn, *args, **kwargs):
        """Run ``fn(session, ...)`` in a unit of work; a :class:`_Deferred` error is raised only after the
        transaction committed (so attempt counters, locks and expiry stick)."""
        deferred = None
        try:
            with self.db.session() as s:
                try:
                    return fn(s, *args, **kwargs)
                except _Deferred as exc:
                    deferred = exc
        except IntegrityError:
            # only reachable without row locks (SQLite): two writers raced on the audit sequence
            raise Conflict("This request was changed at the same time; try again.") from None
        raise deferred.error

    def _lock(self, s, request_id: str, license_id: str | None = None) -> SignatureRequest:
        q = select(SignatureRequest).where(SignatureRequest.id == request_id)
        if license_id is not None:
            q = q.where(SignatureRequest.license_id == license_id)
        if self.db.dialect == "postgresql":
            q = q.with_for_update()
        r = s.execute(q).scalar_one_or_none()
        if r is None:
            raise NotFound("Signature request not found.")
        return r

    def _request(self, s, license_id: str, request_id: str) -> SignatureRequest:
        r = s.execute(select(SignatureRequest).where(SignatureRequest.id == request_id,
                                                     SignatureRequest.license_id == license_id)).scalar_one_or_none()
        if r is None:
            raise NotFound("Signature request not found.")
        return r

    @staticmethod
    def _participants(s, request_id: str) -> list[Participant]:
        """The request's participants in turn order (those reassigned to someone else are no longer)."""
        return SigningBase._participants_of(s, [request_id]).get(request_id, [])

    @staticmethod
    def _signed_at(s, request_id: str) -> dict[str, datetime]:
        """When each signer of the request signed, by participant id, as the events say it: the device's clock
        for a signature collected offline, else the server's."""
        signed = s.execute(select(Evidence.participant_id, Evidence.client_signed_at, Evidence.at).where(
            Evidence.request_id == request_id, Evidence.action == "sign")).all()
        return {pid: as_utc(device or at) for pid, device, at in signed}

    @staticmethod
    def _participants_of(s, request_ids: list[str]) -> dict[str, list[Participant]]:
        """Each request's participants in turn order, in one query (a list page's requests)."""
        rows = s.execute(select(Participant).where(Participant.request_id.in_(request_ids),
                                                   Participant.status != REASSIGNED)).scalars().all()
        by_request: dict[str, list[Participant]] = {}
        for p in sorted(rows, key=lambda p: (p.role != logic.APPROVER, p.order, p.position)):
            by_request.setdefault(p.request_id, []).append(p)
        return by_request

    def _visible(self, actor: dict, r: SignatureRequest):
        """Staff see a request iff they see its contract (perimeter policy, in contracts); a request on an
        uploaded document (no contract) is seen by whoever is in charge of it."""
        if actor["role"] == SYSTEM:
            return
        if actor["role"] not in STAFF_ROLES:
            raise NotFound("Signature request not found.")
        if r.contract_id is None:
            if not self._in_charge(actor, r):
                raise NotFound("Signature request not found.")
            return
        self.contracts.get_contract(actor, r.contract_id)

    def _visible_request(self, actor: dict, request_id: str) -> SignatureRequest:
        """The actor's license's request, if they may see it (404 otherwise). Read in a session of its own,
        closed before :meth:`_visible` asks contracts: a caller locks the request again to change it."""
        with self.db.session() as s:
            r = self._request(s, actor["license_id"], request_id)
        self._visible(actor, r)
        return r

    def _request_in_charge(self, actor: dict, request_id: str, refusal: str) -> SignatureRequest:
        """The request, if the actor is in charge of it (:meth:`_in_charge`): 404 when they may not see it,
        403 with ``refusal`` (what they may not do) when they only see it."""
        r = self._visible_request(actor, request_id)
        if not self._in_charge(actor, r):
            raise Forbidden(refusal)
        return r

    def _staff_in_charge(self, actor, request_id: str, refusal: str, schema: Schema,
                         payload) -> tuple[dict, dict, dict]:
        """What a staff member's act on a request checks first, in this order: that they are staff (403),
        their payload (``schema``), then that they are in charge of the request (:meth:`_request_in_charge`).
        Returns their actor, how the audit trail names them (:meth:`_staff`) and the loaded payload."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schema.load(payload or {})
        self._request_in_charge(actor, request_id, refusal)
        return actor, self._staff(actor), data

    @staticmethod
    def _participant_items(s, model, request_id: str, participant_id: str | None = None) -> list:
        """A request's signature fields or requested files (``model``: SignatureField, SignerAttachment), of
        one participant when given, in order."""
        q = select(model).where(model.request_id == request_id)
        if participant_id is not None:
            q = q.where(model.participant_id == participant_id)
        return list(s.execute(q.order_by(model.position)).scalars())

    @staticmethod
    def _in_charge(actor: dict, r: SignatureRequest) -> bool:
        """The request's requester, the contract's owner or a manager: who may cancel a request or attest
        in-person (offline) signatures on it; seeing the contract is not enough."""
        return actor["role"] in (SYSTEM, *MANAGERS) or actor["user_id"] in (r.created_by, r.owner_id)

    def _token(self, participant_id: str) -> str:
        return logic.link_token(self.keys.link_keys(self.db).link, participant_id)

    def _path(self, participant_id: str) -> str:
        return f"/sign/{self._token(participant_id)}"

    def _link(self, participant_id: str) -> str:
        return self.settings.public_url + self._path(participant_id)

    def _audit(self, s, r: SignatureRequest, type: str, actor: dict | None = None, data: dict | None = None,
               at: datetime | None = None) -> AuditEntry:
        last = s.execute(select(AuditEntry.seq, AuditEntry.entry_hash).where(AuditEntry.request_id == r.id)
                         .order_by(AuditEntry.seq.desc()).limit(1)).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, logic.GENESIS_HASH)
        at = at or utcnow()
        body = logic.audit_body(r.id, seq, at, type, actor, data)
        entry = AuditEntry(request_id=r.id, seq=seq, type=type, at=at, body=body, prev_hash=prev,
                           entry_hash=logic.chain_hash(prev, body))
        s.add(entry)
        s.flush()
        return entry

    @staticmethod
    def _who(p: Participant) -> dict:
        return {"type": "participant", "id": p.id, "role": p.role, "name": p.name, "email": p.email}

    @staticmethod
    def _staff(actor: dict) -> dict:
        """How the audit trail names a staff member (a loaded actor): their name from the token, else their email."""
        return {"type": actor["role"] if actor["role"] == SYSTEM else "user", "id": actor["user_id"],
                "name": actor.get("name") or actor.get("email") or actor["user_id"]}

    def _notify(self, s, r: SignatureRequest, p: Participant, template: str, dedupe_key: str, vars: dict,
                *, channel: str = "email", to: str | None = None, attachments: list | None = None,
                locale: str | None = None):
        """``locale``: the message's language when not the request's (a one-time code asked for from a page the
        signer switched to the other language)."""
        data = {"channel": channel, "to": to or p.email, "to_name": p.name, "locale": locale or r.locale,
                "template": template, "user_id": p.user_id, "customer_id": r.customer_id, "dedupe_key": dedupe_key,
                "vars": {"name": p.name, "license_name": r.license_name,
                         **logic.emailed_names(r.contract_kind, r.contract_number, r.contract_title), **vars}}
        if attachments:
            data["attachments"] = attachments
        if "sender_name" in vars and r.sender_email:  # from the sender: a reply reaches them, not a no-reply box
            data["reply_to"] = r.sender_email
        self.outbox.add(s, "notification.requested.v1", data, subject=r.id, license_id=r.license_id)

    def _tell_sender(self, s, r: SignatureRequest, template: str, dedupe_key: str, vars: dict):
        """The request's sender, and the document's owner when someone else, hear that it ended unsigned."""
        told = {}
        for name, email, user_id in ((r.created_by_name, r.created_by_email, r.created_by),
                                     (r.owner_name, r.owner_email, r.owner_id)):
            if email and email.lower() not in told:
                told[email.lower()] = Recipient(name or email, email, user_id)
        page = staff_pages.document_page(self.settings.public_url, r.contract_id, r.id)
        for who in told.values():
            self._notify(s, r, who, template, f"{dedupe_key}:{who.email.lower()}", {"link": page, **vars})

    # -- the turn order: ask the next approvers or signers, hand a fully signed request to the sealer, expire

    def _ask(self, s, r: SignatureRequest, p: Participant, now: datetime):
        p.status = "pending"
        p.asked_at = now
        p.notified_count += 1
        if getattr(self, "_invitations_sent_by_caller", False):
            self._audit(s, r, "approval_requested" if p.role == logic.APPROVER else "signature_requested",
                        None, {"participant_id": p.id, "name": p.name, "email": p.email, "order": p.order,
                               "channel": "caller", "round": p.notified_count})
            return
        self._notify(s, r, p, "signature_request", f"signature_request:{p.id}:{p.notified_count}", {
            "sender_name": r.sender_name, "message": r.message, "link": self._link(p.id),
            "expires_at": iso(r.expires_at), "role": p.role,
            "action": "approve" if p.role == logic.APPROVER else "sign"})
        self._audit(s, r, "approval_requested" if p.role == logic.APPROVER else "signature_requested",
                    None, {"participant_id": p.id, "name": p.name, "email": p.email, "order": p.order,
                           "channel": "email", "round": p.notified_count})

    def _advance(self, s, r: SignatureRequest, now: datetime):
        """Ask whoever's turn it is; when every signer signed, hand the request to the sealer."""
        participants = self._participants(s, r.id)
        turn = logic.next_turn(participants)
        r.stage = turn.stage
        r.updated_at = now
        if turn.stage == "done":
            r.status = "sealing"
            r.sealing_since = now
            self._audit(s, r, "all_signed", None, {"signers": [p.id for p in participants
                                                               if p.role == logic.SIGNER]})
            self.outbox.add(s, COLLECTED, {"request_id": r.id, "contract_id": r.contract_id},
                            subject=r.id, license_id=r.license_id)
            return
        for p in participants:
            if p.id in turn.active and p.status == "waiting":
                self._ask(s, r, p, now)

    def _expire(self, s, r: SignatureRequest, now: datetime):
        r.status, r.ended_at, r.updated_at = "expired", now, now
        r.end_reason = "expired"
        self._audit(s, r, "expired", None, {"expires_at": iso(r.expires_at)}, at=now)
        self.outbox.add(s, "signature.expired.v1", {
            "request_id": r.id, "contract_id": r.contract_id, "owner_id": r.owner_id,
            "expired_at": iso(now)}, subject=r.id, license_id=r.license_id)
        waiting = [p.name for p in self._participants(s, r.id) if p.status in ("pending", "waiting")]
        self._tell_sender(s, r, "signature_expired", f"signature_expired:{r.id}", {
            "expires_at": iso(r.expires_at), "waiting_for": waiting})

    # -- reminders (asked by the requester, or by the maintenance scan) ------------------------------------

    def _remind(self, s, r: SignatureRequest, now: datetime, min_interval: float, actor: dict | None, *,
                since_asked: bool = False, max_count: int | None = None, participant_id: str | None = None) -> list:
        """Remind pending participants (or only ``participant_id``) not reminded within ``min_interval``
        seconds (the scan also waits that long after the first request, and stops after ``max_count``
        reminders)."""
        reminded = []
        for p in self._participants(s, r.id):
            if participant_id is not None and p.id != participant_id:
                continue
            if p.status != "pending" or (max_count is not None and p.reminders_sent >= max_count):
                continue
            last = as_utc(p.last_reminded_at or (p.asked_at if since_asked else None))
            if last is not None and (now - last).total_seconds() < min_interval:
                continue
            p.reminders_sent += 1
            p.last_reminded_at = now
            self._notify(s, r, p, "signature_reminder", f"signature_reminder:{p.id}:{p.reminders_sent}", {
                "sender_name": r.sender_name, "message": r.message, "link": self._link(p.id),
                "expires_at": iso(r.expires_at), "role": p.role,
                "action": "approve" if p.role == logic.APPROVER else "sign"})
            self._audit(s, r, "reminder_sent", actor, {"participant_id": p.id, "email": p.email,
                                                       "reminder": p.reminders_sent}, at=now)
            reminded.append(p.id)
        return reminded

    # -- acts (online by the participant, or attested offline) ------------------------------------------------

    def _consent(self, r: SignatureRequest, role: str, locale: str | None = None) -> str:
        """The consent text in ``locale``, the language the signing page is shown in (the signer may switch it),
        else in the request's."""
        return logic.consent_text(locale or r.locale, role, r.contract_number, r.contract_title, r.document_sha256,
                                  r.contract_kind)

    def _accepted_consent(self, r: SignatureRequest, role: str, sha256: str | None,
                          locale: str | None = None) -> str | None:
        """The consent text a participant accepted, in the language their page showed it in (``locale``, else the
        request's): the one whose SHA-256 their page or package sent (the current wording or an earlier one they
        read), the current one when none is sent; None for another."""
        if not sha256:
            return self._consent(r, role, locale)
        return next((text for text in logic.consent_texts(locale or r.locale, role, r.contract_number,
                                                          r.contract_title, r.document_sha256, r.contract_kind)
                     if logic.sha256_hex(text) == sha256), None)

    def _lock_open(self, s, p: Participant, now: datetime) -> SignatureRequest:
        """A participant's request, locked (``p`` read again under the lock), refused unless under way."""
        r = self._lock(s, p.request_id)
        s.refresh(p)
        self._open(s, r, now)
        return r

    def _lock_open_request(self, s, request_id: str, license_id: str, now: datetime) -> SignatureRequest:
        """The license's request, locked, refused unless under way (staff acting on it)."""
        r = self._lock(s, request_id, license_id)
        self._open(s, r, now)
        return r

    def _open(self, s, r: SignatureRequest, now: datetime):
        """Refuse acts on a request that is not under way (expiring it if its time is up)."""
        if r.status == "pending" and as_utc(r.expires_at) <= now:
            self._expire(s, r, now)
            raise _Deferred(Gone(ENDED[r.status], {"request_status": r.status}))
        if r.status in ENDED:
            raise Gone(ENDED[r.status], {"request_status": r.status})
        if r.status != "pending":
            raise Conflict(f"This signature request is {r.status}.", {"request_status": r.status})

    def _identity(self, p: Participant) -> dict:
        return {"kind": p.kind, "name": p.name, "email": p.email, "phone_masked": logic.mask_phone(p.phone) or None,
                "user_id": p.user_id, "contact_id": p.contact_id, "ref": p.user_id or p.contact_id}

    def _record(self, s, r: SignatureRequest, p: Participant, action: str, *, mode: str, auth: dict, now: datetime,
                client: dict, data: dict, consent: str | None = None, image: bytes | None = None,
                device_time: datetime | None = None, device_id: str | None = None, geolocation: dict | None = None,
                audit_actor: dict | None = None) -> Evidence:
        eid = new_id()
        image_sha = hashlib.sha256(image).hexdigest() if image else None
        entry = self._audit(s, r, {"approve": "approved", "sign": "signed", "decline": "declined"}[action],
                            audit_actor or self._who(p), {
                                "participant_id": p.id, "role": p.role, "evidence_id": eid, "mode": mode,
                                "document_sha256": r.document_sha256, "authentication": auth,
                                "consent_sha256": logic.sha256_hex(consent) if consent else None,
                                "ip": client.get("ip"), "user_agent": client.get("user_agent"),
                                "typed_name": data.get("typed_name"), "signature_image_sha256": image_sha,
                                "client_signed_at": iso(device_time), "received_at": iso(now),
                                "device_id": device_id, "geolocation": geolocation,
                                "reason": data.get("reason") if action == "decline" else None}, at=now)
        ev = Evidence(id=eid, request_id=r.id, participant_id=p.id, action=action, mode=mode,
                      document_sha256=r.document_sha256, identity=self._identity(p), authentication=auth,
                      consent_text=consent, consent_sha256=logic.sha256_hex(consent) if consent else None,
                      consent_accepted=bool(consent), at=now, client_signed_at=device_time, ip=client.get("ip"),
                      user_agent=(client.get("user_agent") or None), device_id=device_id, geolocation=geolocation,
                      typed_name=data.get("typed_name"), signature_image=image, signature_image_sha256=image_sha,
                      reason=data.get("reason") if action == "decline" else None, audit_seq=entry.seq,
                      audit_hash=entry.entry_hash)
        s.add(ev)
        return ev

    def _apply(self, s, r: SignatureRequest, p: Participant, action: str, now: datetime, *, signed_at=None,
               reason: str | None = None):
        target = {"approve": "approved", "sign": "signed", "decline": "declined"}[action]
        allowed = ("pending", "waiting") if action == "decline" else ("pending",)
        s.flush()
        changed = s.execute(update(Participant).where(Participant.id == p.id, Participant.status.in_(allowed))
                            .values(status=target, acted_at=now, decline_reason=reason)).rowcount
        if changed != 1:
            raise Conflict("This participant already acted.")
        s.refresh(p)
        base = {"request_id": r.id, "contract_id": r.contract_id, "name": p.name, "email": p.email}
        if action == "approve":
            self.outbox.add(s, "approver.approved.v1", {**base, "approver_id": p.id, "approved_at": iso(now)},
                            subject=r.id, license_id=r.license_id)
        elif action == "sign":
            self.outbox.add(s, "signer.signed.v1", {**base, "signer_id": p.id, "signed_at": iso(signed_at or now),
                                                    "document_sha256": r.document_sha256},
                            subject=r.id, license_id=r.license_id)
        else:
            r.status, r.ended_at, r.updated_at = "declined", now, now
            r.end_reason = f"declined by {p.name}: {reason}"
            self._tell_sender(s, r, "signature_declined", f"signature_declined:{r.id}", {
                "declined_by": p.name, "declined_by_email": p.email, "role": p.role, "reason": reason,
                "declined_at": iso(now)})
            self.outbox.add(s, "signer.declined.v1" if p.role == logic.SIGNER else "approver.declined.v1",
                            {**base, ("signer_id" if p.role == logic.SIGNER else "approver_id"): p.id,
                             "reason": reason, "declined_at": iso(now), "owner_id": r.owner_id},
                            subject=r.id, license_id=r.license_id)
            return
        self._advance(s, r, now)
