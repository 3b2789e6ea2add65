"""signing nameko entrypoints: approval and signature requests on contracts and quotes, one-time
codes, evidence, the hash-chained audit trail, PAdES sealing and proof of signature, verification of
sealed PDFs, offline (tablet) signing and its synchronisation, collaborators' tasks.

Every change of a request happens with the request row locked (PostgreSQL ``FOR UPDATE``), so the
turn order, one-time codes and the audit chain are never raced; state transitions are also written
as conditional updates so that SQLite (embedded dev) stays correct.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
from datetime import datetime, timedelta, timezone

from marshmallow import ValidationError
from nameko.timer import timer
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from paraph_platform.actor import (
    CLIENT, FRONT_USER_MANAGER, LICENSE_ADMIN, STAFF_ROLES, SYSTEM, load_actor, require_role,
)
from paraph_platform import offhub
from paraph_platform.config import env_float
from paraph_platform.db import Database, new_id
from paraph_platform.events import subscribe
from paraph_platform.outbox import Outbox as OutboxProvider
from paraph_platform.rpc import Rpc
from paraph_platform.readiness import PlatformService
from paraph_platform.service import RequestContext, endpoint

from . import crypto, logic, proof, schemas
from .dependencies import KeyStore, Settings
from .exceptions import (
    Conflict, Forbidden, Gone, InvalidInput, NotFound, PayloadTooLarge, PreconditionFailed, TooManyRequests,
)
from .logic import iso
from .models import (
    ACTIVE_STATUSES, AuditEntry, Evidence, IdempotencyKey, OfflineSyncItem, OtpChallenge, Outbox,
    Participant, SignatureRequest,
)

log = logging.getLogger(__name__)

MANAGERS = (LICENSE_ADMIN, FRONT_USER_MANAGER)
SIGNABLE_KINDS = ("contract", "quote")
SIGNABLE_STATUSES = ("draft", "sent")
COLLECTED = "signature.collected.v1"  # every signer signed: this service seals (completed.v1 follows)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


class _Deferred(Exception):
    """Raised inside a unit of work that must still commit (attempt counters, expiry) before the
    caller gets the wrapped error."""

    def __init__(self, error):
        super().__init__(str(error))
        self.error = error


# -- views --------------------------------------------------------------------------------------------

def participant_view(p: Participant, link_path: str | None = None) -> dict:
    view = {"id": p.id, "role": p.role, "order": p.order, "kind": p.kind, "user_id": p.user_id,
            "contact_id": p.contact_id, "name": p.name, "email": p.email,
            "phone_masked": logic.mask_phone(p.phone) or None, "otp_channel": p.otp_channel, "status": p.status,
            "asked_at": iso(p.asked_at), "viewed_at": iso(p.viewed_at), "acted_at": iso(p.acted_at),
            "reminders_sent": p.reminders_sent, "decline_reason": p.decline_reason}
    if link_path is not None:
        view["sign_path"] = link_path
    return view


def request_view(r: SignatureRequest, participants: list, links: dict | None = None) -> dict:
    return {
        "id": r.id, "license_id": r.license_id, "contract_id": r.contract_id, "contract_kind": r.contract_kind,
        "contract_number": r.contract_number, "contract_title": r.contract_title, "customer_id": r.customer_id,
        "status": r.status, "stage": r.stage, "owner_id": r.owner_id, "owner_name": r.owner_name,
        "created_by": r.created_by, "message": r.message, "locale": r.locale, "expires_at": iso(r.expires_at),
        "created_at": iso(r.created_at), "updated_at": iso(r.updated_at), "completed_at": iso(r.completed_at),
        "ended_at": iso(r.ended_at), "end_reason": r.end_reason,
        "document": {"filename": r.document_filename, "sha256": r.document_sha256, "size": r.document_size},
        "sealed_sha256": r.sealed_sha256, "proof_sha256": r.proof_sha256, "seal": dict(r.seal_info or {}),
        "signed_pdf_available": r.sealed_pdf is not None, "proof_available": r.status in logic.FINAL_REQUEST_STATUSES,
        "participants": [participant_view(p, (links or {}).get(p.id)) for p in participants],
    }


def audit_view(a: AuditEntry) -> dict:
    body = json.loads(a.body)
    return {"seq": a.seq, "at": body.get("at"), "type": a.type, "actor": body.get("actor"),
            "data": body.get("data"), "prev_hash": a.prev_hash, "entry_hash": a.entry_hash}


def evidence_view(e: Evidence, p: Participant | None = None) -> dict:
    return {"id": e.id, "participant_id": e.participant_id, "role": p.role if p else None,
            "action": e.action, "mode": e.mode, "document_sha256": e.document_sha256, "identity": e.identity,
            "authentication": e.authentication, "consent_text": e.consent_text, "consent_sha256": e.consent_sha256,
            "consent_accepted": e.consent_accepted, "at": iso(e.at), "client_signed_at": iso(e.client_signed_at),
            "ip": e.ip, "user_agent": e.user_agent, "device_id": e.device_id, "geolocation": e.geolocation,
            "typed_name": e.typed_name, "signature_image_sha256": e.signature_image_sha256, "reason": e.reason,
            "audit_seq": e.audit_seq, "audit_hash": e.audit_hash}


def _file(filename: str, content: bytes, content_type: str = "application/pdf") -> dict:
    return {"filename": filename, "content_type": content_type, "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content), "content_base64": base64.b64encode(content).decode()}


class SigningService(PlatformService):
    name = "signing"

    db = Database(idempotency_model=IdempotencyKey)
    outbox = OutboxProvider(Outbox)
    ctx = RequestContext()
    settings = Settings()
    keys = KeyStore()
    contracts = Rpc("contracts")
    identity = Rpc("identity")

    # -- helpers ----------------------------------------------------------------------------------------

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
        rows = s.execute(select(Participant).where(Participant.request_id == request_id)).scalars().all()
        return sorted(rows, key=lambda p: (p.role != logic.APPROVER, p.order, p.position))

    def _visible(self, actor: dict, r: SignatureRequest):
        """Staff see a request iff they see its contract (perimeter policy, in contracts)."""
        if actor["role"] == SYSTEM:
            return
        if actor["role"] not in STAFF_ROLES:
            raise NotFound("Signature request not found.")
        self.contracts.get_contract(actor, r.contract_id)

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
        at = at or _now()
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
    def _staff(actor: dict, name: str | None = None) -> dict:
        return {"type": actor["role"] if actor["role"] == SYSTEM else "user", "id": actor["user_id"],
                "name": name or actor.get("email") or actor["user_id"]}

    def _notify(self, s, r: SignatureRequest, p: Participant, template: str, dedupe_key: str, vars: dict,
                *, channel: str = "email", to: str | None = None, attachments: list | None = None):
        data = {"channel": channel, "to": to or p.email, "to_name": p.name, "locale": r.locale,
                "template": template, "user_id": p.user_id, "customer_id": r.customer_id, "dedupe_key": dedupe_key,
                "vars": {"name": p.name, "license_name": r.license_name, "number": r.contract_number,
                         "title": r.contract_title, **vars}}
        if attachments:
            data["attachments"] = attachments
        self.outbox.add(s, "notification.requested.v1", data, subject=r.id, license_id=r.license_id)

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
            "sender_name": r.created_by_name or r.owner_name, "message": r.message, "link": self._link(p.id),
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

    def _consent(self, r: SignatureRequest, role: str) -> str:
        return logic.consent_text(r.locale, role, r.contract_number, r.contract_title, r.document_sha256)

    # -- creating a request -----------------------------------------------------------------------------

    def _resolve(self, actor: dict, contract: dict, data: dict) -> list[dict]:
        license_id = actor["license_id"]
        items = [{**x, "role": logic.APPROVER} for x in logic.normalize_orders(data["approvers"])] + \
                [{**x, "role": logic.SIGNER} for x in logic.normalize_orders(data["signers"])]
        user_ids = sorted({x["user_id"] for x in items if x.get("user_id")})
        contact_ids = sorted({x["contact_id"] for x in items if x.get("contact_id")})
        users = self.identity.resolve_users(license_id, user_ids) if user_ids else {}
        contacts = self.contracts.get_contacts_internal(license_id, contact_ids) if contact_ids else {}
        missing_users = [u for u in user_ids if u not in users]
        if missing_users:
            raise NotFound("User not found in this license.", {"user_ids": missing_users})
        missing_contacts = [c for c in contact_ids if c not in contacts]
        if missing_contacts:
            raise NotFound("Contact not found.", {"contact_ids": missing_contacts})
        for cid in contact_ids:
            if contacts[cid].get("customer_id") != contract.get("customer_id"):
                # a contact of another customer: only if the caller may see that customer (else 404)
                self.contracts.get_contact(actor, cid)
        out, seen = [], set()
        for x in items:
            if x.get("user_id"):
                u = users[x["user_id"]]
                if u.get("status") != "active":
                    raise InvalidInput("A participant is not an active user of this license.",
                                       {"fields": {"user_id": [f"{x['user_id']} is {u.get('status')}"]}})
                person = {"kind": "user", "user_id": u["user_id"], "contact_id": u.get("contact_id"),
                          "name": u.get("name") or u["email"], "email": u["email"], "phone": u.get("phone")}
            elif x.get("contact_id"):
                c = contacts[x["contact_id"]]
                if not c.get("email"):
                    raise InvalidInput("This contact has no email address to send the signing link to.",
                                       {"fields": {"contact_id": [f"{x['contact_id']} has no email"]}})
                person = {"kind": "contact", "user_id": None, "contact_id": c["id"],
                          "name": c.get("name") or c["email"], "email": c["email"],
                          "phone": c.get("mobile") or c.get("phone")}
            else:
                person = {"kind": "external", "user_id": None, "contact_id": None, "name": x["name"].strip(),
                          "email": x["email"].strip().lower(), "phone": x.get("phone")}
            key = (x["role"], person["email"].lower())
            if key in seen:
                raise InvalidInput(f"{person['email']} appears twice as {x['role']}.",
                                   {"fields": {x["role"] + "s": [f"duplicate participant {person['email']}"]}})
            seen.add(key)
            if x["otp_channel"] == "sms" and not person["phone"]:
                raise InvalidInput(f"No phone number is known for {person['name']}: one-time codes go by email.",
                                   {"fields": {"otp_channel": ["sms needs a phone number"]}})
            out.append({**person, "role": x["role"], "order": x["order"], "position": x["position"],
                        "otp_channel": x["otp_channel"]})
        return out

    @endpoint(write=True)
    def create_request(self, actor, payload):
        """Freeze the contract's current PDF and ask its approvers, then its signers, in turn."""
        raw_actor = actor if isinstance(actor, dict) else {}
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.RequestIn().load(payload)
        contract = self.contracts.get_contract(actor, data["contract_id"])  # 404 outside the perimeter
        if contract["kind"] not in SIGNABLE_KINDS:
            raise Conflict(f"An {contract['kind']} is not signed electronically.")
        if contract["status"] not in SIGNABLE_STATUSES:
            raise Conflict(f"A {contract['status']} {contract['kind']} cannot be sent for signature.",
                           {"status": contract["status"]})
        with self.db.session() as s:
            if s.execute(select(SignatureRequest.id).where(
                    SignatureRequest.contract_id == contract["id"],
                    SignatureRequest.status.in_(ACTIVE_STATUSES))).first():
                raise Conflict("A signature request is already under way for this document; cancel it first.")
        people = self._resolve(actor, contract, data)
        try:
            license_name = self.identity.license_settings(actor["license_id"]).get("name") or ""
        except Exception:  # noqa: BLE001 - cosmetic (email wording)
            license_name = ""
        pdf = self.contracts.get_pdf(actor["license_id"], contract["id"])
        try:
            document = base64.b64decode(pdf["content_base64"], validate=True)
        except (ValueError, KeyError, TypeError):
            raise Conflict("The document could not be read; try again.") from None
        sha = hashlib.sha256(document).hexdigest()
        if pdf.get("sha256") and pdf["sha256"] != sha:
            raise Conflict("The document changed in transit; try again.")
        if len(document) > self.settings.max_document_bytes:
            raise PayloadTooLarge("The document is too large to be signed.")
        now = _now()
        ttl = data["expires_in_days"] or self.settings.request_ttl_days
        creator_name = raw_actor.get("name") or actor.get("email") or ""
        try:
            with self.db.session() as s:
                r = SignatureRequest(
                    license_id=actor["license_id"], license_name=license_name, contract_id=contract["id"],
                    contract_kind=contract["kind"], contract_number=contract["number"],
                    contract_title=contract.get("title") or "", customer_id=contract.get("customer_id"),
                    owner_id=contract.get("owner_id") or actor["user_id"], owner_name=contract.get("owner_name") or "",
                    owner_email=contract.get("owner_email") or "", created_by=actor["user_id"],
                    created_by_name=creator_name, status="pending", stage="approval",
                    locale=data["locale"] or contract.get("locale") or "fr", message=data["message"],
                    expires_at=now + timedelta(days=ttl), document_filename=pdf.get("filename") or
                    f"{contract['number']}.pdf", document_sha256=sha, document_size=len(document),
                    document=document, created_at=now, updated_at=now)
                s.add(r)
                s.flush()
                for x in people:
                    pid = new_id()
                    s.add(Participant(id=pid, request_id=r.id, license_id=r.license_id, role=x["role"],
                                      order=x["order"], position=x["position"], kind=x["kind"], user_id=x["user_id"],
                                      contact_id=x["contact_id"], name=x["name"], email=x["email"], phone=x["phone"],
                                      otp_channel=x["otp_channel"], status="waiting",
                                      token_hash=logic.token_hash(self._token(pid)), created_at=now))
                s.flush()
                participants = self._participants(s, r.id)
                self._audit(s, r, "request_created", self._staff(actor, creator_name), {
                    "contract_id": r.contract_id, "contract_number": r.contract_number, "kind": r.contract_kind,
                    "document": {"filename": r.document_filename, "sha256": sha, "size": len(document)},
                    "expires_at": iso(r.expires_at), "message": r.message,
                    "participants": [{"id": p.id, "role": p.role, "order": p.order, "kind": p.kind,
                                      "name": p.name, "email": p.email} for p in participants]}, at=now)
                self.outbox.add(s, "signature.requested.v1", {
                    "request_id": r.id, "contract_id": r.contract_id, "kind": r.contract_kind,
                    "number": r.contract_number, "owner_id": r.owner_id, "document_sha256": sha,
                    "expires_at": iso(r.expires_at),
                    "approvers": [{"participant_id": p.id, "name": p.name, "email": p.email, "order": p.order}
                                  for p in participants if p.role == logic.APPROVER],
                    "signers": [{"participant_id": p.id, "name": p.name, "email": p.email, "order": p.order}
                                for p in participants if p.role == logic.SIGNER]},
                    subject=r.id, license_id=r.license_id)
                # the participants asked right now were already given a way to sign by the caller
                self._invitations_sent_by_caller = not data["send_invitations"]
                try:
                    self._advance(s, r, now)
                finally:
                    self._invitations_sent_by_caller = False
                return request_view(r, self._participants(s, r.id))
        except IntegrityError:
            raise Conflict("A signature request is already under way for this document; cancel it first.") from None

    # -- reading -------------------------------------------------------------------------------------------

    def _detail(self, s, r: SignatureRequest) -> dict:
        participants = self._participants(s, r.id)
        by_id = {p.id: p for p in participants}
        entries = s.execute(select(AuditEntry).where(AuditEntry.request_id == r.id)
                            .order_by(AuditEntry.seq)).scalars().all()
        evidence = s.execute(select(Evidence).where(Evidence.request_id == r.id)
                             .order_by(Evidence.audit_seq)).scalars().all()
        view = request_view(r, participants)
        view["audit_trail"] = [audit_view(a) for a in entries]
        view["chain"] = logic.verify_chain(entries, r.id)
        view["evidence"] = [evidence_view(e, by_id.get(e.participant_id)) for e in evidence]
        return view

    @endpoint
    def get_request(self, actor, request_id):
        """A request with its participants, evidence and audit trail (and the chain's verification)."""
        actor = load_actor(actor)
        with self.db.session() as s:
            r = self._request(s, actor["license_id"], request_id)
        self._visible(actor, r)
        with self.db.session() as s:
            return self._detail(s, self._request(s, actor["license_id"], request_id))

    @endpoint
    def list_requests(self, actor, params=None):
        """Requests of a contract (if you see it), or the requests you created or own (admins: all)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        p = schemas.ListIn().load(params or {})
        q = select(SignatureRequest).where(SignatureRequest.license_id == actor["license_id"])
        if p["contract_id"]:
            self.contracts.get_contract(actor, p["contract_id"])
            q = q.where(SignatureRequest.contract_id == p["contract_id"])
        elif actor["role"] not in (LICENSE_ADMIN, SYSTEM):
            q = q.where(or_(SignatureRequest.created_by == actor["user_id"],
                            SignatureRequest.owner_id == actor["user_id"]))
        if p["status"]:
            q = q.where(SignatureRequest.status == p["status"])
        with self.db.session() as s:
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar_one()
            rows = s.execute(q.order_by(SignatureRequest.created_at.desc(), SignatureRequest.id)
                             .limit(p["limit"]).offset(p["offset"])).scalars().all()
            return {"items": [request_view(r, self._participants(s, r.id)) for r in rows], "total": total,
                    "limit": p["limit"], "offset": p["offset"]}

    @endpoint
    def request_for_contract(self, license_id, contract_id):
        """Internal (portal): the latest request of a contract with each participant's signing path."""
        with self.db.session() as s:
            r = s.execute(select(SignatureRequest).where(
                SignatureRequest.license_id == license_id, SignatureRequest.contract_id == contract_id)
                .order_by(SignatureRequest.created_at.desc()).limit(1)).scalar_one_or_none()
            if r is None:
                return None
            participants = self._participants(s, r.id)
            return request_view(r, participants, {p.id: self._path(p.id) for p in participants})

    @endpoint
    def verify_chain(self, license_id, request_id):
        """Internal/ops: recompute the audit trail's hash chain."""
        with self.db.session() as s:
            r = self._request(s, license_id, request_id)
            entries = s.execute(select(AuditEntry).where(AuditEntry.request_id == r.id)
                                .order_by(AuditEntry.seq)).scalars().all()
            return logic.verify_chain(entries, r.id)

    # -- files ---------------------------------------------------------------------------------------------

    def _signed_pdf(self, license_id, request_id) -> dict:
        with self.db.session() as s:
            r = self._request(s, license_id, request_id)
            if r.sealed_pdf is None:
                raise Conflict("The document is not signed by everybody yet.", {"status": r.status})
            return _file(f"{r.contract_number}-signed.pdf", r.sealed_pdf)

    def _proof_pdf(self, license_id, request_id) -> dict:
        with self.db.session() as s:
            r = self._request(s, license_id, request_id)
            if r.proof_pdf is not None:
                return _file(f"{r.contract_number}-proof.pdf", r.proof_pdf)
            if r.status not in ("declined", "cancelled", "expired"):
                raise Conflict("The proof of signature is available once the request is finished.",
                               {"status": r.status})
        # a request that ended without signatures: its audit report, rendered once
        with self.db.session() as s:
            r = self._lock(s, request_id, license_id)
            if r.proof_pdf is None:
                content = offhub.run(proof.render_proof, self._proof_context(s, r))
                r.proof_pdf = content
                r.proof_sha256 = hashlib.sha256(content).hexdigest()
            return _file(f"{r.contract_number}-proof.pdf", r.proof_pdf)

    @endpoint
    def get_signed_pdf(self, license_id, request_id):
        """Internal (portal, notify): the sealed PDF."""
        return self._signed_pdf(license_id, request_id)

    @endpoint
    def get_proof(self, license_id, request_id):
        """Internal (portal, notify): the proof of signature PDF."""
        return self._proof_pdf(license_id, request_id)

    @endpoint
    def download_signed_pdf(self, actor, request_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            r = self._request(s, actor["license_id"], request_id)
        self._visible(actor, r)
        return self._signed_pdf(actor["license_id"], request_id)

    @endpoint
    def download_proof(self, actor, request_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            r = self._request(s, actor["license_id"], request_id)
        self._visible(actor, r)
        return self._proof_pdf(actor["license_id"], request_id)

    # -- owner actions ---------------------------------------------------------------------------------------

    @endpoint(write=True)
    def cancel_request(self, actor, request_id, payload=None):
        """The requester, the contract's owner or a manager cancels a request under way."""
        raw_actor = actor if isinstance(actor, dict) else {}
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.CancelIn().load(payload or {})
        with self.db.session() as s:
            r = self._request(s, actor["license_id"], request_id)
        self._visible(actor, r)
        if not self._in_charge(actor, r):
            raise Forbidden("Only the requester, the document's owner or a manager can cancel this request.")
        now = _now()
        with self.db.session() as s:
            r = self._lock(s, request_id, actor["license_id"])
            if r.status == "cancelled":
                return request_view(r, self._participants(s, r.id))
            if r.status != "pending":
                raise Conflict(f"A {r.status} request cannot be cancelled.", {"status": r.status})
            r.status, r.ended_at, r.updated_at = "cancelled", now, now
            r.end_reason = data["reason"] or "cancelled"
            self._audit(s, r, "cancelled", self._staff(actor, raw_actor.get("name")), {"reason": data["reason"]},
                        at=now)
            self.outbox.add(s, "signature.cancelled.v1", {
                "request_id": r.id, "contract_id": r.contract_id, "owner_id": r.owner_id,
                "cancelled_by": actor["user_id"], "reason": data["reason"]}, subject=r.id, license_id=r.license_id)
            return request_view(r, self._participants(s, r.id))

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
            last = _aware(p.last_reminded_at or (p.asked_at if since_asked else None))
            if last is not None and (now - last).total_seconds() < min_interval:
                continue
            p.reminders_sent += 1
            p.last_reminded_at = now
            self._notify(s, r, p, "signature_reminder", f"signature_reminder:{p.id}:{p.reminders_sent}", {
                "sender_name": r.created_by_name or r.owner_name, "message": r.message, "link": self._link(p.id),
                "expires_at": iso(r.expires_at), "role": p.role,
                "action": "approve" if p.role == logic.APPROVER else "sign"})
            self._audit(s, r, "reminder_sent", actor, {"participant_id": p.id, "email": p.email,
                                                       "reminder": p.reminders_sent}, at=now)
            reminded.append(p.id)
        return reminded

    @endpoint(write=True)
    def remind(self, actor, request_id, payload=None):
        """Remind now everybody whose turn it is, or one participant (not twice within
        SIGNATURE_REMINDER_MIN_INTERVAL)."""
        raw_actor = actor if isinstance(actor, dict) else {}
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.RemindIn().load(payload or {})
        with self.db.session() as s:
            r = self._request(s, actor["license_id"], request_id)
        self._visible(actor, r)
        with self.db.session() as s:
            r = self._lock(s, request_id, actor["license_id"])
            if r.status != "pending":
                raise Conflict(f"A {r.status} request has nobody to remind.", {"status": r.status})
            one = data["participant_id"]
            if one is not None:
                target = next((p for p in self._participants(s, r.id) if p.id == one), None)
                if target is None:
                    raise NotFound("This person is not a participant of the request.")
                if target.status != "pending":
                    raise Conflict("It is not this person's turn: only whoever is asked now can be reminded.",
                                   {"participant_status": target.status})
            now = _now()
            reminded = self._remind(s, r, now, self.settings.reminder_min_interval,
                                    self._staff(actor, raw_actor.get("name")), participant_id=one)
            return {"reminded": len(reminded), "participant_ids": reminded}

    # -- one-time codes -----------------------------------------------------------------------------------------

    def _send_otp(self, s, r: SignatureRequest, p: Participant, channel: str | None, now: datetime,
                  actor: dict | None = None) -> dict:
        window_start = now - timedelta(seconds=self.settings.otp_send_window)
        recent = s.execute(select(func.count()).select_from(OtpChallenge).where(
            OtpChallenge.participant_id == p.id, OtpChallenge.created_at >= window_start)).scalar_one()
        if recent >= self.settings.otp_send_limit:
            raise TooManyRequests("Too many codes were requested; wait a few minutes.",
                                  {"retry_after": self.settings.otp_send_window})
        channel, to, masked = logic.otp_destination(p.otp_channel, p.email, p.phone, channel)
        s.execute(update(OtpChallenge).where(OtpChallenge.participant_id == p.id, OtpChallenge.used_at.is_(None),
                                             OtpChallenge.superseded_at.is_(None)).values(superseded_at=now))
        code = logic.new_otp()
        cid = new_id()
        expires = now + timedelta(seconds=self.settings.otp_ttl)
        s.add(OtpChallenge(id=cid, participant_id=p.id, code_hash=logic.otp_hash(self.keys.link_keys(self.db).otp, cid, code),
                           channel=channel, destination_masked=masked, created_at=now, expires_at=expires))
        self._notify(s, r, p, "signature_otp", f"signature_otp:{cid}",
                     {"code": code, "minutes": max(1, self.settings.otp_ttl // 60)}, channel=channel, to=to)
        self._audit(s, r, "otp_sent", actor or self._who(p),
                    {"participant_id": p.id, "challenge_id": cid, "channel": channel, "destination": masked,
                     "expires_at": iso(expires)}, at=now)
        return {"sent": True, "channel": channel, "destination": masked, "expires_at": iso(expires),
                "expires_in": self.settings.otp_ttl}

    def _check_otp(self, s, r: SignatureRequest, p: Participant, code: str | None, now: datetime) -> dict:
        """Verify and consume the participant's current code. Failures that change state (attempt counter,
        lock) are raised as _Deferred so that they commit first."""
        if not code:
            raise InvalidInput("Enter the one-time code sent to you (request one first).",
                               {"fields": {"otp": ["required"]}})
        ch = s.execute(select(OtpChallenge).where(OtpChallenge.participant_id == p.id,
                                                  OtpChallenge.superseded_at.is_(None))
                       .order_by(OtpChallenge.created_at.desc()).limit(1)).scalar_one_or_none()
        if ch is None:
            raise InvalidInput("Request a one-time code first.", {"fields": {"otp": ["no code was requested"]}})
        if ch.used_at is not None:
            raise Conflict("This one-time code was already used; request a new one.", {"code_status": "used"})
        if ch.locked_at is not None or ch.attempts >= self.settings.otp_max_attempts:
            raise TooManyRequests("Too many wrong codes: request a new one.", {"code_status": "locked"})
        if _aware(ch.expires_at) <= now:
            raise InvalidInput("This one-time code has expired; request a new one.",
                               {"fields": {"otp": ["expired"]}, "code_status": "expired"})
        if not logic.otp_matches(self.keys.link_keys(self.db).otp, ch.id, code, ch.code_hash):
            attempts = ch.attempts + 1
            values = {"attempts": OtpChallenge.attempts + 1}
            if attempts >= self.settings.otp_max_attempts:
                values["locked_at"] = now
            s.execute(update(OtpChallenge).where(OtpChallenge.id == ch.id).values(**values))
            left = max(0, self.settings.otp_max_attempts - attempts)
            self._audit(s, r, "otp_locked" if left == 0 else "otp_failed", self._who(p),
                        {"participant_id": p.id, "challenge_id": ch.id, "attempt": attempts}, at=now)
            if left == 0:
                raise _Deferred(TooManyRequests("Too many wrong codes: request a new one.",
                                                {"code_status": "locked", "attempts_left": 0}))
            raise _Deferred(InvalidInput("Wrong code.", {"fields": {"otp": ["wrong code"]}, "attempts_left": left}))
        used = s.execute(update(OtpChallenge).where(OtpChallenge.id == ch.id, OtpChallenge.used_at.is_(None),
                                                    OtpChallenge.locked_at.is_(None)).values(used_at=now)).rowcount
        if used != 1:
            raise Conflict("This one-time code was already used; request a new one.", {"code_status": "used"})
        return {"method": "otp", "otp_verified": True, "channel": ch.channel, "destination": ch.destination_masked,
                "challenge_id": ch.id, "verified_at": iso(now)}

    # -- acting (approve, sign, decline) -------------------------------------------------------------------------

    def _open(self, s, r: SignatureRequest, now: datetime):
        """Refuse acts on a request that is not under way (expiring it if its time is up)."""
        if r.status == "pending" and _aware(r.expires_at) <= now:
            self._expire(s, r, now)
            raise _Deferred(Gone("This signature request has expired."))
        if r.status in ("cancelled", "expired"):
            raise Gone(f"This signature request was {r.status}.", {"request_status": r.status})
        if r.status != "pending":
            raise Conflict(f"This signature request is {r.status}.", {"request_status": r.status})

    @staticmethod
    def _check_turn(p: Participant, action: str):
        if action == "approve" and p.role != logic.APPROVER:
            raise Conflict("Signers sign; only approvers approve.", {"role": p.role})
        if action == "sign" and p.role != logic.SIGNER:
            raise Conflict("Approvers approve; only signers sign.", {"role": p.role})
        if p.status == "waiting":
            raise Conflict("It is not your turn yet: earlier approvers or signers have not finished.",
                           {"participant_status": p.status})
        if p.status in ("approved", "signed"):
            raise Conflict(f"You already {p.status} this document.", {"participant_status": p.status})
        if p.status == "declined":
            raise Conflict("You declined this document.", {"participant_status": p.status})

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
            self.outbox.add(s, "signer.declined.v1" if p.role == logic.SIGNER else "approver.declined.v1",
                            {**base, ("signer_id" if p.role == logic.SIGNER else "approver_id"): p.id,
                             "reason": reason, "declined_at": iso(now), "owner_id": r.owner_id},
                            subject=r.id, license_id=r.license_id)
            return
        self._advance(s, r, now)

    def _act(self, participant_id: str, action: str, payload: dict, *, mode: str, client: dict,
             session_actor: dict | None = None) -> dict:
        data = schemas.SignIn().load(payload)
        client = schemas.ClientInfo().load({k: client.get(k) for k in ("ip", "user_agent")} if client else {})
        if client.get("user_agent"):
            client["user_agent"] = client["user_agent"][:512]
        image = logic.decode_signature_image(data["signature_image"]) if action == "sign" else None
        if image:
            logic.check_png(image)
        if action == "decline" and not (data["reason"] or "").strip():
            raise InvalidInput("Say why you decline.", {"fields": {"reason": ["required"]}})
        now = _now()

        def work(s):
            p = s.get(Participant, participant_id)
            if p is None:
                raise NotFound("Signature request not found.")
            r = self._lock(s, p.request_id)
            s.refresh(p)
            self._open(s, r, now)
            if action != "decline":
                self._check_turn(p, action)
            elif p.status not in ("pending", "waiting"):  # anyone named may decline at any time
                raise Conflict(f"You already {p.status} this document.", {"participant_status": p.status})
            consent = None
            if action in ("approve", "sign"):
                consent = self._consent(r, p.role)
                if action == "sign" and not data["consent"]:
                    raise InvalidInput("Tick the consent box to sign.", {"fields": {"consent": ["required"]}})
                if data["consent_sha256"] and data["consent_sha256"] != logic.sha256_hex(consent):
                    raise Conflict("The consent text changed; reload the page.",
                                   {"consent_sha256": logic.sha256_hex(consent)})
                if action == "approve" and not data["consent"]:
                    consent = None
            auth = {"method": mode, "otp_verified": False}
            if action == "sign" or (action == "approve" and data["otp"]):
                auth = self._check_otp(s, r, p, data["otp"], now)
            if session_actor is not None:
                auth["session"] = {"user_id": session_actor["user_id"], "role": session_actor["role"]}
            auth["mode"] = mode
            self._record(s, r, p, action, mode=mode, auth=auth, now=now, client=client, data=data,
                         consent=consent, image=image)
            self._apply(s, r, p, action, now, reason=(data["reason"] or "").strip() or None)
            s.flush()
            return {"participant": participant_view(p), "request_status": r.status, "stage": r.stage,
                    "request_id": r.id, "document_sha256": r.document_sha256}

        return self._unit(work)

    # -- public link (token) --------------------------------------------------------------------------------------

    def _by_token(self, s, token) -> Participant:
        if not logic.valid_token_shape(token):
            raise NotFound("This signing link is not valid.")
        p = s.execute(select(Participant).where(Participant.token_hash == logic.token_hash(token))).scalar_one_or_none()
        if p is None:
            raise NotFound("This signing link is not valid.")
        return p

    def _info(self, s, r: SignatureRequest, p: Participant, now: datetime) -> dict:
        consent = self._consent(r, p.role)
        expired = r.status == "pending" and _aware(r.expires_at) <= now
        status = "expired" if expired else r.status
        can_act = status == "pending" and p.status == "pending"
        channel, _to, masked = logic.otp_destination(p.otp_channel, p.email, p.phone, None)
        return {
            "participant": {"id": p.id, "name": p.name, "email_masked": logic.mask_email(p.email),
                            "role": p.role, "status": p.status, "order": p.order, "acted_at": iso(p.acted_at)},
            "request": {"id": r.id, "status": status, "stage": r.stage, "kind": r.contract_kind,
                        "number": r.contract_number, "title": r.contract_title, "message": r.message,
                        "sender_name": r.created_by_name or r.owner_name, "license_name": r.license_name,
                        "expires_at": iso(r.expires_at), "completed_at": iso(r.completed_at), "locale": r.locale},
            "document": {"filename": r.document_filename, "sha256": r.document_sha256, "size": r.document_size},
            "consent_text": consent, "consent_sha256": logic.sha256_hex(consent),
            "action": "approve" if p.role == logic.APPROVER else "sign",
            "can_act": can_act, "your_turn": p.status == "pending",
            "otp": {"channel": channel, "destination": masked, "sms_available": bool(p.phone),
                    "required": p.role == logic.SIGNER},
            "signed_pdf_available": r.sealed_pdf is not None,
        }

    @endpoint
    def public_info(self, token):
        """What the signing page shows (the link's token is the credential)."""
        with self.db.session() as s:
            p = self._by_token(s, token)
            r = s.get(SignatureRequest, p.request_id)
            return self._info(s, r, p, _now())

    @endpoint
    def public_document(self, token, client=None):
        """The exact document to approve or sign (its first opening is recorded in the audit trail)."""
        client = client or {}
        with self.db.session() as s:
            p = self._by_token(s, token)
            r = self._lock(s, p.request_id)
            s.refresh(p)
            if r.status in ("cancelled", "expired"):
                raise Gone(f"This signature request was {r.status}.")
            if p.viewed_at is None:
                p.viewed_at = _now()
                self._audit(s, r, "document_viewed", self._who(p), {
                    "participant_id": p.id, "document_sha256": r.document_sha256,
                    "ip": (client.get("ip") or None), "user_agent": (client.get("user_agent") or "")[:512] or None})
            return _file(r.document_filename, r.document)

    @endpoint
    def public_signed_pdf(self, token):
        """Once completed, every participant may download the sealed document from their link."""
        with self.db.session() as s:
            p = self._by_token(s, token)
            r = s.get(SignatureRequest, p.request_id)
            if r.sealed_pdf is None:
                raise Conflict("The document is not signed by everybody yet.", {"status": r.status})
            return _file(f"{r.contract_number}-signed.pdf", r.sealed_pdf)

    @endpoint(write=True)
    def public_request_otp(self, token, payload=None, client=None):
        data = schemas.OtpIn().load(payload or {})
        now = _now()

        def work(s):
            p = self._by_token(s, token)
            r = self._lock(s, p.request_id)
            s.refresh(p)
            self._open(s, r, now)
            self._check_turn(p, "sign" if p.role == logic.SIGNER else "approve")
            return self._send_otp(s, r, p, data["channel"], now)

        return self._unit(work)

    def _token_participant(self, token) -> str:
        with self.db.session() as s:
            return self._by_token(s, token).id

    @endpoint(write=True)
    def public_sign(self, token, payload=None, client=None):
        return self._act(self._token_participant(token), "sign", payload or {}, mode="link", client=client or {})

    @endpoint(write=True)
    def public_approve(self, token, payload=None, client=None):
        return self._act(self._token_participant(token), "approve", payload or {}, mode="link", client=client or {})

    @endpoint(write=True)
    def public_decline(self, token, payload=None, client=None):
        return self._act(self._token_participant(token), "decline", payload or {}, mode="link", client=client or {})

    # -- collaborators' tasks (portal) --------------------------------------------------------------------------

    @staticmethod
    def _mine(actor: dict):
        if actor["role"] == CLIENT:
            conds = [Participant.user_id == actor["user_id"]]
            if actor.get("contact_id"):
                conds.append(Participant.contact_id == actor["contact_id"])
            return or_(*conds)
        return Participant.user_id == actor["user_id"]

    def _my_participant(self, s, actor: dict, participant_id: str) -> Participant:
        p = s.execute(select(Participant).where(Participant.id == participant_id,
                                                Participant.license_id == actor["license_id"],
                                                self._mine(actor))).scalar_one_or_none()
        if p is None:
            raise NotFound("Task not found.")
        return p

    @endpoint
    def tasks_for(self, actor):
        """My pending approvals and signatures (staff: by user; portal clients: by contact)."""
        actor = load_actor(actor)
        now = _now()
        with self.db.session() as s:
            rows = s.execute(select(Participant, SignatureRequest)
                             .join(SignatureRequest, SignatureRequest.id == Participant.request_id)
                             .where(Participant.license_id == actor["license_id"], self._mine(actor),
                                    Participant.status == "pending", SignatureRequest.status == "pending",
                                    SignatureRequest.expires_at > now)
                             .order_by(Participant.asked_at, Participant.id)).all()
            out = []
            for p, r in rows:
                consent = self._consent(r, p.role)
                out.append({"participant_id": p.id, "role": p.role, "order": p.order,
                            "action": "approve" if p.role == logic.APPROVER else "sign",
                            "request_id": r.id, "contract_id": r.contract_id, "contract_kind": r.contract_kind,
                            "contract_number": r.contract_number, "contract_title": r.contract_title,
                            "requested_by": r.created_by_name or r.owner_name, "message": r.message,
                            "asked_at": iso(p.asked_at), "expires_at": iso(r.expires_at),
                            "document_sha256": r.document_sha256, "document_filename": r.document_filename,
                            "consent_text": consent, "consent_sha256": logic.sha256_hex(consent),
                            "otp_required": p.role == logic.SIGNER, "sign_path": self._path(p.id)})
            return out

    @endpoint(write=True)
    def task_otp(self, actor, participant_id, payload=None):
        """Send the one-time code of one of my tasks."""
        actor = load_actor(actor)
        data = schemas.OtpIn().load(payload or {})
        now = _now()

        def work(s):
            p = self._my_participant(s, actor, participant_id)
            r = self._lock(s, p.request_id)
            s.refresh(p)
            self._open(s, r, now)
            self._check_turn(p, "sign" if p.role == logic.SIGNER else "approve")
            return self._send_otp(s, r, p, data["channel"], now, self._staff(actor))

        return self._unit(work)

    @endpoint(write=True)
    def act(self, actor, participant_id, payload):
        """Approve, sign (one-time code required: without one, a code is sent and 412 tells so) or decline
        one of my tasks from the portal."""
        actor = load_actor(actor)
        if not isinstance(payload, dict):
            raise InvalidInput("The payload must be an object.")
        data = schemas.ActIn().load(payload)
        with self.db.session() as s:
            p = self._my_participant(s, actor, participant_id)
        if data["action"] == "sign" and not data["otp"]:
            sent = self.task_otp.__wrapped__(self, actor, participant_id, {})
            raise PreconditionFailed("A one-time code was sent to you: send it back with the signature.",
                                     {"otp_required": True, **sent})
        body = {k: v for k, v in data.items() if k not in ("action", "ip", "user_agent")}
        return self._act(p.id, data["action"], body, mode="portal",
                         client={"ip": data["ip"], "user_agent": data["user_agent"]}, session_actor=actor)

    # -- completion: seal, proof, events -------------------------------------------------------------------------

    def _proof_context(self, s, r: SignatureRequest) -> dict:
        participants = {p.id: p for p in self._participants(s, r.id)}
        entries = s.execute(select(AuditEntry).where(AuditEntry.request_id == r.id)
                            .order_by(AuditEntry.seq)).scalars().all()
        evidence = s.execute(select(Evidence).where(Evidence.request_id == r.id)
                             .order_by(Evidence.audit_seq)).scalars().all()
        names = {"user": "user", "system": "system"}
        audit = []
        for a in entries:
            v = audit_view(a)
            actor = v["actor"] or {}
            who = actor.get("name") or actor.get("email") or names.get(actor.get("type"), actor.get("type", ""))
            d = v["data"] or {}
            summary = ", ".join(f"{k}={d[k]}" for k in ("name", "email", "channel", "destination", "mode", "reason",
                                                        "sealed_sha256") if d.get(k))
            audit.append({**v, "actor": who, "summary": summary[:300]})
        ev = []
        for e in evidence:
            p = participants.get(e.participant_id)
            auth = dict(e.authentication or {})
            ev.append({**evidence_view(e, p), "role": p.role if p else "signer", "order": p.order if p else "",
                       "signature_image": e.signature_image,
                       "clock_skew": logic.clock_skew_seconds(_aware(e.client_signed_at), _aware(e.at)),
                       "authentication": {"method": auth.get("method"), "channel": auth.get("channel"),
                                          "destination": auth.get("destination"),
                                          "verified_at": auth.get("verified_at"),
                                          "attested_by_name": auth.get("attested_by_name"),
                                          "session": auth.get("session")}})
        seal = dict(r.seal_info or {})
        return {"locale": r.locale,
                "document": {"filename": r.document_filename, "sha256": r.document_sha256},
                "contract": {"number": r.contract_number, "title": r.contract_title},
                "sealed": {"sha256": r.sealed_sha256, "signer": seal.get("signer"),
                           "timestamp": seal.get("timestamp"), "tsa": seal.get("tsa")},
                "request": {"id": r.id, "status": r.status, "owner_name": r.owner_name,
                            "owner_email": r.owner_email, "created_at": iso(r.created_at),
                            "completed_at": iso(r.completed_at)},
                "evidence": ev, "audit": audit, "chain": logic.verify_chain(entries, r.id),
                "generated_at": iso(_now())}

    def _complete(self, request_id: str):
        with self.db.session() as s:
            r = s.get(SignatureRequest, request_id)
            if r is None or r.status != "sealing":
                return False
            document, number, title = r.document, r.contract_number, r.contract_title
            signers = [p.name for p in self._participants(s, r.id) if p.role == logic.SIGNER]
        km = self.keys.material(self.db)
        fingerprints = self.keys.fingerprints(self.db)
        try:
            sealed = offhub.run(crypto.seal_pdf, document, km,
                                   reason=f"{number} {title} signed by {', '.join(signers)} (Paraph request "
                                          f"{request_id})", location="Paraph", contact=request_id)
            check = offhub.run(crypto.verify_pdf, sealed, km.trust_roots, fingerprints)
            sig = (check["signatures"] or [{}])[-1]
            if not (sig.get("intact") and sig.get("covers_whole_file") and sig.get("timestamp", {}).get("present")):
                raise RuntimeError(f"the sealed PDF does not validate: {check}")
        except Exception as exc:
            with self.db.session() as s:
                s.execute(update(SignatureRequest).where(SignatureRequest.id == request_id).values(
                    seal_attempts=SignatureRequest.seal_attempts + 1, last_seal_error=str(exc)[:2000]))
            raise
        now = _now()
        with self.db.session() as s:
            r = self._lock(s, request_id)
            if r.status != "sealing":
                return False
            sealed_sha = hashlib.sha256(sealed).hexdigest()
            r.sealed_pdf, r.sealed_sha256 = sealed, sealed_sha
            r.seal_info = {"level": "PAdES-B-T", "field": crypto.FIELD_NAME, "signer": km.signer_name,
                           "certificate_sha256": km.signing_cert.sha256.hex(), "key_source": km.source,
                           "timestamp": sig["timestamp"]["time"], "tsa": self.keys.tsa_label,
                           "sealed_at": iso(now)}
            self._audit(s, r, "document_sealed", None, {
                "document_sha256": r.document_sha256, "sealed_sha256": sealed_sha, "level": "PAdES-B-T",
                "certificate_sha256": km.signing_cert.sha256.hex(), "timestamp": sig["timestamp"]["time"],
                "tsa": self.keys.tsa_label}, at=now)
            r.status, r.stage, r.completed_at, r.ended_at, r.updated_at = "completed", "done", now, now, now
            participants = self._participants(s, r.id)
            signed = s.execute(select(Evidence.participant_id, Evidence.client_signed_at, Evidence.at).where(
                Evidence.request_id == r.id, Evidence.action == "sign")).all()
            when = {pid: _aware(device or at) for pid, device, at in signed}
            signers = [{"participant_id": p.id, "name": p.name, "email": p.email,
                        "signed_at": iso(when.get(p.id) or _aware(p.acted_at))}
                       for p in participants if p.role == logic.SIGNER]
            self._audit(s, r, "completed", None, {"signers": signers, "sealed_sha256": sealed_sha}, at=now)
            report = offhub.run(proof.render_proof, self._proof_context(s, r))
            report = offhub.run(crypto.seal_pdf, report, km,
                                   reason=f"Proof of signature of {number} (Paraph request {request_id})",
                                   location="Paraph", contact=request_id)
            r.proof_pdf, r.proof_sha256 = report, hashlib.sha256(report).hexdigest()
            self.outbox.add(s, "signature.completed.v1", {
                "request_id": r.id, "contract_id": r.contract_id, "kind": r.contract_kind,
                "number": r.contract_number, "title": r.contract_title, "owner_id": r.owner_id,
                "owner_email": r.owner_email, "owner_name": r.owner_name, "customer_id": r.customer_id,
                "signers": [{k: x[k] for k in ("name", "email", "signed_at")} for x in signers],
                "document_sha256": r.document_sha256, "sealed_sha256": sealed_sha,
                "proof_sha256": r.proof_sha256, "completed_at": iso(now)}, subject=r.id, license_id=r.license_id)
            for p in participants:
                self._notify(s, r, p, "signature_completed", f"signature_completed:{p.id}", {
                    "signers": [{k: x[k] for k in ("name", "email", "signed_at")} for x in signers],
                    "completed_at": iso(now), "at": iso(now), "link": self._link(p.id)},
                    attachments=[{"kind": "signed_pdf", "id": r.id, "filename": f"{r.contract_number}-signed.pdf"}])
            return True

    @subscribe("signing", COLLECTED)
    def on_collected(self, event):
        """Every signer signed: seal the document (PAdES B-T), render the proof, announce completion."""
        # idempotent by state (only a request in "sealing" is sealed, under its row lock); a failure
        # (TSA down...) is retried with backoff, then parked in the DLQ while the maintenance scan retries
        self._complete(event["data"]["request_id"])

    # -- maintenance: expiry, reminders, stuck seals ---------------------------------------------------------

    def _maintain(self, now: datetime, license_id: str | None = None) -> dict:
        counts = {"expired": 0, "reminded": 0, "sealed": 0}
        q = select(SignatureRequest.id).where(SignatureRequest.status == "pending",
                                              SignatureRequest.expires_at <= now)
        if license_id:
            q = q.where(SignatureRequest.license_id == license_id)
        with self.db.session() as s:
            due = [rid for (rid,) in s.execute(q.limit(500))]
        for rid in due:
            with self.db.session() as s:
                r = self._lock(s, rid)
                if r.status == "pending" and _aware(r.expires_at) <= now:
                    self._expire(s, r, now)
                    counts["expired"] += 1
        cutoff = now - timedelta(seconds=self.settings.reminder_after)
        q = (select(SignatureRequest.id).join(Participant, Participant.request_id == SignatureRequest.id)
             .where(SignatureRequest.status == "pending", SignatureRequest.expires_at > now,
                    Participant.status == "pending", Participant.asked_at <= cutoff,
                    Participant.reminders_sent < self.settings.reminder_max,
                    or_(Participant.last_reminded_at.is_(None), Participant.last_reminded_at <= cutoff)).distinct())
        if license_id:
            q = q.where(SignatureRequest.license_id == license_id)
        with self.db.session() as s:
            due = [rid for (rid,) in s.execute(q.limit(500))]
        for rid in due:
            with self.db.session() as s:
                r = self._lock(s, rid)
                if r.status != "pending":
                    continue
                counts["reminded"] += len(self._remind(s, r, now, self.settings.reminder_after, None,
                                                       since_asked=True, max_count=self.settings.reminder_max))
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
            counts = self._maintain(_now())
            if any(counts.values()):
                log.info("signing maintenance: %s", counts)
        except Exception:  # noqa: BLE001 - next tick retries
            log.exception("signing maintenance scan failed")

    @endpoint(write=True)
    def run_maintenance(self, actor, now=None):
        """Operations/tests: expire, remind and retry seals now (optionally as of an ISO time).
        A license admin only touches their license."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        at = _now()
        if now:
            try:
                at = datetime.fromisoformat(str(now).replace("Z", "+00:00"))
            except ValueError:
                raise InvalidInput("now must be an ISO 8601 date-time") from None
            if at.tzinfo is None:
                at = at.replace(tzinfo=timezone.utc)
        return self._maintain(at, None if actor["role"] == SYSTEM else actor["license_id"])

    # -- verification ---------------------------------------------------------------------------------------

    @endpoint
    def verify_document(self, actor, payload):
        """Is this PDF a document sealed by Paraph? (known SHA-256 + pyHanko: intact, whole file, timestamp)"""
        actor = load_actor(actor)
        data = schemas.VerifyIn().load(payload)
        limit = self.settings.max_document_bytes
        if len(data["content_base64"]) > (limit * 4) // 3 + 8:
            raise PayloadTooLarge(f"The file exceeds {limit} bytes.", {"limit": limit})
        try:
            content = base64.b64decode(data["content_base64"], validate=True)
        except ValueError:
            raise InvalidInput("content_base64 is not valid base64.",
                               {"fields": {"content_base64": ["invalid base64"]}}) from None
        if b"%PDF-" not in content[:1024]:
            raise InvalidInput("This file is not a PDF.", {"fields": {"file": ["not a PDF"]}})
        sha = hashlib.sha256(content).hexdigest()
        with self.db.session() as s:
            r = s.execute(select(SignatureRequest).where(or_(SignatureRequest.sealed_sha256 == sha,
                                                             SignatureRequest.proof_sha256 == sha)).limit(1)
                          ).scalar_one_or_none()
            known = None
            if r is not None:
                known = {"kind": "sealed_document" if r.sealed_sha256 == sha else "proof",
                         "same_license": r.license_id == actor["license_id"]}
                if known["same_license"]:
                    signers = s.execute(select(Participant.name, Participant.email, Participant.acted_at).where(
                        Participant.request_id == r.id, Participant.role == logic.SIGNER,
                        Participant.status == "signed").order_by(Participant.order, Participant.position)).all()
                    known["request"] = {"id": r.id, "contract_id": r.contract_id, "number": r.contract_number,
                                        "title": r.contract_title, "completed_at": iso(r.completed_at),
                                        "document_sha256": r.document_sha256,
                                        "signers": [{"name": n, "email": e, "signed_at": iso(a)}
                                                    for n, e, a in signers]}
        km = self.keys.material(self.db)
        report = offhub.run(crypto.verify_pdf, content, km.trust_roots, self.keys.fingerprints(self.db))
        sigs = report["signatures"]
        problems = list(report["problems"])
        if known is None:
            problems.append("this exact file was not sealed by Paraph (its SHA-256 is unknown)")
        for sig in sigs:
            if not sig["intact"]:
                problems.append(f"signature {sig['field']}: the signed bytes were modified")
            elif not sig["covers_whole_file"]:
                problems.append(f"signature {sig['field']}: the file was changed after it was signed")
            if not sig["timestamp"]["present"]:
                problems.append(f"signature {sig['field']}: no timestamp")
            elif not sig["timestamp"]["intact"]:
                problems.append(f"signature {sig['field']}: the timestamp does not match")
        intact = bool(sigs) and all(x["intact"] and x["covers_whole_file"] and x["timestamp"]["present"]
                                    and x["timestamp"]["intact"] for x in sigs)
        sealed_by_paraph = known is not None and intact and any(x["paraph_key"] for x in sigs)
        return {"valid": sealed_by_paraph, "sealed_by_paraph": sealed_by_paraph, "known": known is not None,
                "kind": known["kind"] if known else None, "request": (known or {}).get("request"),
                "sha256": sha, "size": len(content), "filename": data["filename"],
                "intact": intact, "trusted": bool(sigs) and all(x["trusted"] for x in sigs),
                "signatures": sigs, "problems": problems}

    # -- offline signing (tablet) ------------------------------------------------------------------------------

    @endpoint(write=True)
    def offline_package(self, actor, request_id, params=None):
        """Everything a device needs to collect signatures without network: the exact document, its hash,
        the participants and the consent wording."""
        raw_actor = actor if isinstance(actor, dict) else {}
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        p = schemas.PackageIn().load(params or {})
        with self.db.session() as s:
            r = self._request(s, actor["license_id"], request_id)
        self._visible(actor, r)
        if not self._in_charge(actor, r):
            raise Forbidden("Only the request's requester, the contract owner or a manager may collect "
                            "signatures offline.")
        now = _now()

        def work(s):
            r = self._lock(s, request_id, actor["license_id"])
            self._open(s, r, now)
            participants = self._participants(s, r.id)
            self._audit(s, r, "offline_package_issued", self._staff(actor, raw_actor.get("name")),
                        {"device_id": p["device_id"], "document_sha256": r.document_sha256}, at=now)
            return {
                "request_id": r.id, "issued_at": iso(now), "expires_at": iso(r.expires_at),
                "contract": {"id": r.contract_id, "kind": r.contract_kind, "number": r.contract_number,
                             "title": r.contract_title},
                "document": {"filename": r.document_filename, "sha256": r.document_sha256,
                             "size": r.document_size, "content_type": "application/pdf",
                             "content_base64": base64.b64encode(r.document).decode()},
                "participants": [{"id": x.id, "role": x.role, "order": x.order, "name": x.name,
                                  "email_masked": logic.mask_email(x.email), "status": x.status}
                                 for x in participants],
                "consent": {role: {"text": self._consent(r, role),
                                   "sha256": logic.sha256_hex(self._consent(r, role))}
                            for role in (logic.SIGNER, logic.APPROVER)},
                "locale": r.locale,
            }

        return self._unit(work)

    def _sync_one(self, actor: dict, operator: dict, raw: dict, batch_device: str, access: dict) -> dict:
        client_id = raw.get("client_id") if isinstance(raw, dict) and isinstance(raw.get("client_id"), str) else None
        try:
            item = schemas.OfflineItem().load(raw if isinstance(raw, dict) else {})
            image = logic.decode_signature_image(item["signature_image"])
            if image:
                logic.check_png(image)
        except ValidationError as exc:
            return {"client_id": client_id, "status": "rejected", "code": "invalid", "retryable": False,
                    "detail": "The item is not valid.", "errors": exc.messages}
        except InvalidInput as exc:
            return {"client_id": client_id, "status": "rejected", "code": "invalid", "retryable": False,
                    "detail": exc.message, "errors": exc.details.get("fields", {})}
        if not item["consent"]:
            return {"client_id": client_id, "status": "rejected", "code": "consent_missing", "retryable": False,
                    "detail": "The signer did not accept the consent text."}
        fingerprint = logic.item_fingerprint({k: (iso(v) if isinstance(v, datetime) else v)
                                              for k, v in item.items()})
        device_id = item["device_id"] or batch_device
        lic = actor["license_id"]
        # checked before the replay lookup: a caller who may not attest learns nothing from client ids
        rid = item["request_id"]
        if rid not in access:
            access[rid] = self._offline_access(actor, lic, rid)
        if access[rid] == "unknown":
            return {"client_id": client_id, "status": "conflict", "code": "unknown_request", "retryable": False,
                    "detail": "No such signature request (or not visible to you)."}
        if access[rid] == "not_allowed":
            return {"client_id": client_id, "status": "rejected", "code": "not_allowed", "retryable": False,
                    "detail": "Only the request's requester, the contract owner or a manager may record "
                              "in-person signatures."}
        with self.db.session() as s:
            done = s.execute(select(OfflineSyncItem).where(OfflineSyncItem.license_id == lic,
                                                           OfflineSyncItem.client_id == client_id)).scalar_one_or_none()
            if done is not None:
                if done.fingerprint != fingerprint:
                    return {"client_id": client_id, "status": "conflict", "code": "client_id_reused",
                            "retryable": False, "detail": "This client id was already used for another signature."}
                return {**done.result, "replayed": True}
        now = _now()

        def outcome(status, code, detail, retryable=False, **extra):
            return {"client_id": client_id, "status": status, "code": code, "detail": detail,
                    "retryable": retryable, **extra}

        try:
            with self.db.session() as s:
                r = self._lock(s, rid, lic)
                p = s.execute(select(Participant).where(Participant.id == item["participant_id"],
                                                        Participant.request_id == r.id)).scalar_one_or_none()
                result = None
                if p is None:
                    result = outcome("conflict", "unknown_participant", "This person is not a participant of the request.")
                elif r.status == "pending" and _aware(r.expires_at) <= now:
                    self._expire(s, r, now)
                    result = outcome("conflict", "request_expired", "The signature request expired.")
                elif r.status in ("cancelled", "expired", "declined"):
                    result = outcome("conflict", f"request_{r.status}", f"The signature request was {r.status}.")
                elif p.status == "signed":
                    result = outcome("conflict", "already_signed", "This person already signed (online or from "
                                     "another device).", signed_at=iso(p.acted_at))
                elif p.status == "declined":
                    result = outcome("conflict", "declined", "This person declined to sign.")
                elif r.status in ("sealing", "completed"):
                    result = outcome("conflict", "request_completed", "Everybody already signed.")
                elif item["document_sha256"] != r.document_sha256:
                    result = outcome("conflict", "document_changed", "The document changed since the package was "
                                     "downloaded: download it again and have it signed again.",
                                     expected_sha256=r.document_sha256)
                elif p.role != logic.SIGNER:
                    result = outcome("conflict", "not_a_signer", "Approvals are given online.")
                elif p.status == "waiting":
                    result = outcome("conflict", "wrong_order", "It is not this signer's turn yet (approvals or "
                                     "earlier signers pending): sync again later.", retryable=True)
                elif item["consent_sha256"] and item["consent_sha256"] != logic.sha256_hex(self._consent(r, p.role)):
                    result = outcome("conflict", "consent_changed", "The consent text differs from the package's.")
                if result is None:
                    consent = self._consent(r, p.role)
                    auth = {"method": "in_person", "otp_verified": False, "attested_by": operator["user_id"],
                            "attested_by_name": operator["name"], "attested_by_email": operator["email"],
                            "device_id": device_id, "mode": "offline"}
                    self._record(s, r, p, "sign", mode="offline", auth=auth, now=now, client={}, data=item,
                                 consent=consent, image=image, device_time=item["signed_at"], device_id=device_id,
                                 geolocation=item["geolocation"],
                                 audit_actor={**self._who(p), "attested_by": operator["user_id"],
                                              "operator": operator})
                    self._apply(s, r, p, "sign", now, signed_at=item["signed_at"])
                    result = outcome("accepted", "signed", "Signature recorded.", participant_id=p.id,
                                     request_status=r.status, received_at=iso(now),
                                     device_signed_at=iso(item["signed_at"]))
                if not result.get("retryable"):
                    s.add(OfflineSyncItem(license_id=lic, client_id=client_id, fingerprint=fingerprint, request_id=rid,
                                          participant_id=item["participant_id"], device_id=device_id,
                                          synced_by=actor["user_id"], result=result, created_at=now))
                return result
        except IntegrityError:
            # the same client id arrived concurrently from a retry: report what was recorded
            with self.db.session() as s:
                done = s.execute(select(OfflineSyncItem).where(OfflineSyncItem.license_id == lic,
                                                               OfflineSyncItem.client_id == client_id)).scalar_one_or_none()
            if done is not None and done.fingerprint == fingerprint:
                return {**done.result, "replayed": True}
            return outcome("error", "retry", "A concurrent sync touched this request; sync again.", retryable=True)

    def _offline_access(self, actor: dict, license_id: str, request_id: str) -> str:
        """'unknown' (absent or not visible: nothing to tell), 'not_allowed' (visible, but the caller may not
        attest in-person signatures on it) or 'allowed'."""
        with self.db.session() as s:
            r = s.execute(select(SignatureRequest).where(SignatureRequest.id == request_id,
                                                         SignatureRequest.license_id == license_id)).scalar_one_or_none()
        if r is None:
            return "unknown"
        try:
            self._visible(actor, r)
        except NotFound:
            return "unknown"
        return "allowed" if self._in_charge(actor, r) else "not_allowed"

    @endpoint(write=True)
    def offline_sync(self, actor, payload):
        """Upload signatures collected offline. Per item: accepted, conflict (with a code) or rejected;
        the same client id always gets the same answer and never signs twice."""
        raw_actor = actor if isinstance(actor, dict) else {}
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.OfflineSyncIn().load(payload if isinstance(payload, dict) else {})
        # who operated the device: the authenticated caller (gateway-verified token), never the payload
        operator = {"user_id": actor["user_id"], "email": actor.get("email"),
                    "name": raw_actor.get("name") or actor.get("email") or actor["user_id"]}
        access: dict = {}
        results = []
        for raw in data["items"]:
            try:
                results.append(self._sync_one(actor, operator, raw, data["device_id"], access))
            except Exception:  # noqa: BLE001 - one bad item never fails the batch
                log.exception("offline sync item failed")
                results.append({"client_id": raw.get("client_id") if isinstance(raw, dict) else None,
                                "status": "error", "code": "retry", "retryable": True,
                                "detail": "This item could not be processed now; sync again."})
        summary = {k: sum(1 for x in results if x["status"] == k) for k in ("accepted", "conflict", "rejected", "error")}
        return {"device_id": data["device_id"], "received_at": iso(_now()), "summary": summary, "items": results}


SERVICE = SigningService
