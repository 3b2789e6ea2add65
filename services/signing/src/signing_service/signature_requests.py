"""Signature requests as their requester and the contract's staff handle them: creating one (the
contract's current PDF frozen, its participants resolved from users, contacts or plain addresses),
reading it with its evidence and audit trail, listing, the portal's latest request of a contract,
cancelling, and reminding whoever's turn it is.
"""
from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from paraph_platform.actor import LICENSE_ADMIN, STAFF_ROLES, SYSTEM, load_actor, require_role
from paraph_platform.company_country import known_code
from paraph_platform.db import as_utc, new_id, utcnow
from paraph_platform.errors import article
from paraph_platform.pagination import Ordering, keyset_page, page_result
from paraph_platform import phones
from paraph_platform.service import endpoint

from . import envelopes, flow, logic, schemas
from .base import SigningBase
from .exceptions import Conflict, InvalidInput, NotFound, PayloadTooLarge
from .fields import field_view
from .logic import iso
from .models import ACTIVE_STATUSES, AuditEntry, Evidence, Participant, SignatureRequest
from .participants import participant_view
from .sealed_documents import audit_view, evidence_view
from .signer_attachments import attachment_view

SIGNABLE_KINDS = ("contract", "quote")
SIGNABLE_STATUSES = ("draft", "sent")
# the requests list's order, newest first, ending with the unique id (the cursor's keyset; index
# ix_request_license_created_id, read backwards)
REQUESTS_ORDER = [Ordering(SignatureRequest.created_at, descending=True),
                  Ordering(SignatureRequest.id, descending=True)]


def request_view(r: SignatureRequest, participants: list, links: dict | None = None) -> dict:
    return {
        "id": r.id, "license_id": r.license_id, "contract_id": r.contract_id, "contract_kind": r.contract_kind,
        "contract_number": r.contract_number, "contract_title": r.contract_title, "customer_id": r.customer_id,
        "status": r.status, "stage": r.stage, "owner_id": r.owner_id, "owner_name": r.owner_name,
        "created_by": r.created_by, "message": r.message, "locale": r.locale, "expires_at": iso(r.expires_at),
        "created_at": iso(r.created_at), "updated_at": iso(r.updated_at), "completed_at": iso(r.completed_at),
        "ended_at": iso(r.ended_at), "end_reason": r.end_reason,
        "document": {"filename": r.document_filename, "sha256": r.document_sha256, "size": r.document_size},
        "documents": envelopes.documents_of(r),
        "sealed_sha256": r.sealed_sha256, "proof_sha256": r.proof_sha256, "seal": dict(r.seal_info or {}),
        # set with the sealed PDF, so its bytes stay unread here
        "signed_pdf_available": r.sealed_sha256 is not None,
        "participants": [participant_view(p, (links or {}).get(p.id)) for p in participants],
        "signing_order": r.signing_order, "cc": list(r.cc or []),
    }


class SignatureRequestsEndpoints(SigningBase):
    """Create, read, list, cancel and remind."""

    # -- creating a request -----------------------------------------------------------------------------

    def _resolve(self, actor: dict, contract: dict, data: dict) -> list[dict]:
        license_id = actor["license_id"]
        parallel = data["signing_order"] == "parallel"
        items = [{**x, "role": logic.APPROVER} for x in logic.normalize_orders(data["approvers"], parallel)] + \
                [{**x, "role": logic.SIGNER} for x in logic.normalize_orders(data["signers"], parallel)]
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
                # the participants' numbers are stored in E.164, the number their one-time codes go to (the SMS
                # providers take no other): a user's written by identity, read in the country it checked it in (its
                # license's); an older identity: in France, as it checked it (paraph_platform.phones)
                person = {"kind": "user", "user_id": u["user_id"], "contact_id": u.get("contact_id"),
                          "name": u.get("name") or u["email"], "email": u["email"],
                          "phone": u["sms_phone"] if "sms_phone" in u else phones.e164(u.get("phone"))}
            elif x.get("contact_id"):
                c = contacts[x["contact_id"]]
                if not c.get("email"):
                    raise InvalidInput("This contact has no email address to send the signing link to.",
                                       {"fields": {"contact_id": [f"{x['contact_id']} has no email"]}})
                person = {"kind": "contact", "user_id": None, "contact_id": c["id"],
                          "name": c.get("name") or c["email"], "email": c["email"],
                          # written by contracts, in the contact's customer's country; an older contracts: in France
                          "phone": c["sms_phone"] if "sms_phone" in c else phones.sms_number(c.get("mobile"),
                                                                                             c.get("phone"))}
            else:
                person = {"kind": "external", "user_id": None, "contact_id": None, "name": x["name"].strip(),
                          "email": x["email"].strip().lower(), "phone": phones.written(x.get("phone"))}
            key = (x["role"], person["email"].lower())
            if key in seen:
                raise InvalidInput(f"{person['email']} appears twice as {x['role']}.",
                                   {"fields": {x["role"] + "s": [f"duplicate participant {person['email']}"]}})
            seen.add(key)
            if x["otp_channel"] == "sms" and not person["phone"]:
                raise InvalidInput(f"No phone number an SMS can go to is known for {person['name']}: one-time "
                                   "codes go by email.",
                                   {"fields": {"otp_channel": ["sms needs a phone number"]}})
            out.append({**person, "role": x["role"], "order": x["order"], "position": x["position"],
                        "otp_channel": x["otp_channel"]})
        return out

    @endpoint(write=True)
    def create_request(self, actor, payload):
        """Freeze the contract's current PDF and ask its approvers, then its signers, in turn."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self._outsiders_phones(actor):  # typed numbers loaded, then written by _resolve, in one country
            data = schemas.RequestIn().load(payload)
            return self._request_on_contract(actor, data)

    def _request_on_contract(self, actor: dict, data: dict) -> dict:
        """A request on the contract ``data["contract_id"]``: its current PDF, frozen (create_request, and each
        row of a bulk send of a contract type)."""
        contract = self.contracts.get_contract(actor, data["contract_id"])  # 404 outside the perimeter
        if contract["kind"] not in SIGNABLE_KINDS:
            raise Conflict(f"An {contract['kind']} is not signed electronically.")
        if contract["status"] not in SIGNABLE_STATUSES:
            status = contract["status"]
            raise Conflict(f"{article(status)} {status} {contract['kind']} cannot be sent for signature.",
                           {"contract_status": status})
        made = contract.get("converted_into") or []
        if made:  # the customer ordered already: a signature would ask them to accept it again
            raise Conflict(f"This quote was turned into {article(made[0]['kind']).lower()} {made[0]['kind']} "
                           f"({made[0]['number']}): it is not sent for signature any more.",
                           {"converted_into": made})
        with self.db.session() as s:
            if s.execute(select(SignatureRequest.id).where(
                    SignatureRequest.contract_id == contract["id"],
                    SignatureRequest.status.in_(ACTIVE_STATUSES))).first():
                raise Conflict("A signature request is already under way for this document; cancel it first.")
        pdf = self.contracts.get_pdf(actor["license_id"], contract["id"])
        try:
            document = base64.b64decode(pdf["content_base64"], validate=True)
        except (ValueError, KeyError, TypeError):
            raise Conflict("The document could not be read; try again.") from None
        if pdf.get("sha256") and pdf["sha256"] != hashlib.sha256(document).hexdigest():
            raise Conflict("The document changed in transit; try again.")
        if len(document) > self.settings.max_document_bytes:
            raise PayloadTooLarge("The document is too large to be signed.")
        filename = pdf.get("filename") or f"{contract['number']}.pdf"
        documents = None
        if data["documents"]:  # annexes signed with it: an envelope, the contract first
            files = [(filename, document), *self._uploaded_files(data["documents"])]
            document, documents = self._envelope(files)
        return self._open_request(actor, data, contract, filename, document, documents)

    def _open_request(self, actor: dict, data: dict, contract: dict, filename: str, document: bytes,
                      documents: list[dict] | None = None) -> dict:
        """Store a request on ``document`` (checked by the caller) and ask its first participants. ``contract``
        is the contract's view, or for an uploaded document a stand-in (id None, kind "document");
        ``documents``: an envelope's, combined into ``document`` (envelopes.py)."""
        people = self._resolve(actor, contract, data)
        try:  # kept on the request, read by its pages and emails without asking identity again
            license = self.identity.license_settings(actor["license_id"]) or {}
        except Exception:  # noqa: BLE001 - cosmetic (email wording, the order of the page's dates)
            license = {}
        license_name = license.get("name") or ""
        license_country = known_code((license.get("settings") or {}).get("country"))
        sha = hashlib.sha256(document).hexdigest()
        specs, misplaced = envelopes.place_on_envelope(
            data["fields"], documents or [{"filename": filename, "first_page": 1, "pages": None}])
        if misplaced:
            raise InvalidInput("Some fields cannot be placed on the document.", {"fields": {"fields": misplaced}})
        placement = self._place_fields(document, specs, data["text_tags"], len(data["signers"]))
        now = utcnow()
        creator_name = actor.get("name") or actor.get("email") or ""
        try:
            with self.db.session() as s:
                r = SignatureRequest(
                    license_id=actor["license_id"], license_name=license_name, license_country=license_country,
                    contract_id=contract["id"],
                    contract_kind=contract["kind"], contract_number=contract["number"],
                    contract_title=contract.get("title") or "", customer_id=contract.get("customer_id"),
                    owner_id=contract.get("owner_id") or actor["user_id"], owner_name=contract.get("owner_name") or "",
                    owner_email=contract.get("owner_email") or "", created_by=actor["user_id"],
                    created_by_name=creator_name, status="pending", stage="approval",
                    locale=data["locale"] or contract.get("locale") or "fr", message=data["message"],
                    expires_at=flow.expiry(data, now, self.settings.request_ttl_days),
                    **flow.creation_fields(s, actor, data), document_filename=filename, document_sha256=sha,
                    document_size=len(document), document=document, page_sizes=placement["pages"] or None,
                    documents=documents, created_at=now, updated_at=now)
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
                signers = sorted((p for p in participants if p.role == logic.SIGNER), key=lambda p: p.position)
                self._store_fields(s, r, placement["fields"], signers)
                self._store_attachments_requested(s, r, data.get("attachments_requested") or [], signers)
                self._audit(s, r, "request_created", self._staff(actor), {
                    "contract_id": r.contract_id, "contract_number": r.contract_number, "kind": r.contract_kind,
                    "document": {"filename": r.document_filename, "sha256": sha, "size": len(document)},
                    **({"documents": documents} if documents else {}),
                    "expires_at": iso(r.expires_at), "message": r.message, "signing_order": r.signing_order,
                    "reminders": {"every_days": r.reminder_every_days, "max": r.reminder_max}, "cc": r.cc,
                    "participants": [{"id": p.id, "role": p.role, "order": p.order, "kind": p.kind,
                                      "name": p.name, "email": p.email} for p in participants]}, at=now)
                self.outbox.add(s, "signature.requested.v1", {
                    "request_id": r.id, "contract_id": r.contract_id, "kind": r.contract_kind,
                    "number": r.contract_number, "owner_id": r.owner_id, "document_sha256": sha,
                    "expires_at": iso(r.expires_at), "requested_by": r.created_by,
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
                return {**request_view(r, self._participants(s, r.id)),
                        "fields": [field_view(f) for f in self._fields(s, r.id)]}
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
        view.update(self._flow_detail(s, r, participants))
        view["fields"] = [field_view(f) for f in self._fields(s, r.id)]
        view["attachments"] = [attachment_view(a) for a in self._attachments(s, r.id)]
        return view

    @endpoint
    def get_request(self, actor, request_id):
        """A request with its participants, evidence and audit trail (and the chain's verification)."""
        actor = load_actor(actor)
        self._visible_request(actor, request_id)
        with self.db.session() as s:
            return self._detail(s, self._request(s, actor["license_id"], request_id))

    @endpoint
    def list_requests(self, actor, params=None):
        """Requests of a contract (if you see it), or the requests you created or own (admins: all)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        p = schemas.ListIn().load(params or {})
        # a page of requests, not their documents: the PDFs (up to MAX_DOCUMENT_BYTES each) stay in the database
        q = (select(SignatureRequest).where(SignatureRequest.license_id == actor["license_id"])
             .options(defer(SignatureRequest.document), defer(SignatureRequest.sealed_pdf),
                      defer(SignatureRequest.proof_pdf)))
        if p["contract_id"]:
            self.contracts.get_contract(actor, p["contract_id"])
            q = q.where(SignatureRequest.contract_id == p["contract_id"])
        elif actor["role"] not in (LICENSE_ADMIN, SYSTEM):
            q = q.where(or_(SignatureRequest.created_by == actor["user_id"],
                            SignatureRequest.owner_id == actor["user_id"]))
        if p["status"]:
            q = q.where(SignatureRequest.status == p["status"])
        if p["kind"]:
            q = q.where(SignatureRequest.contract_kind == p["kind"])
        with self.db.session() as s:
            page = keyset_page(s, q, REQUESTS_ORDER, limit=p["limit"], cursor=p["cursor"], offset=p["offset"],
                               count=p["count"], order_name="requests")
            requests = [r for r, in page["rows"]]
            participants = self._participants_of(s, [r.id for r in requests])
            return page_result(page, [request_view(r, participants.get(r.id, [])) for r in requests])

    def _latest_requests(self, license_id, contract_ids) -> dict:
        """{contract_id: the view of its latest request, with each participant's signing path} for the contracts
        of ``contract_ids`` that have one, in two queries whatever their number (the documents stay unread)."""
        newest_first = (SignatureRequest.created_at.desc(), SignatureRequest.id.desc())
        ranked = (select(SignatureRequest.id, func.row_number().over(
                      partition_by=SignatureRequest.contract_id, order_by=newest_first).label("rank"))
                  .where(SignatureRequest.license_id == license_id,
                         SignatureRequest.contract_id.in_(list(contract_ids))).subquery())
        with self.db.session() as s:
            requests = s.execute(
                select(SignatureRequest).where(SignatureRequest.id.in_(select(ranked.c.id).where(ranked.c.rank == 1)))
                .options(defer(SignatureRequest.document), defer(SignatureRequest.sealed_pdf),
                         defer(SignatureRequest.proof_pdf))).scalars().all()
            participants = self._participants_of(s, [r.id for r in requests])
            return {r.contract_id: request_view(r, participants.get(r.id, []),
                                                {p.id: self._path(p.id) for p in participants.get(r.id, [])})
                    for r in requests}

    @endpoint
    def request_for_contract(self, license_id, contract_id):
        """Internal (portal's document and quote pages): the latest request of a contract with each
        participant's signing path, or None."""
        return self._latest_requests(license_id, [contract_id]).get(contract_id)

    @endpoint
    def requests_for_contracts(self, license_id, payload):
        """Internal (portal's list of a client's documents): the latest request of each of several contracts,
        keyed by contract id (a contract without one is left out), as ``request_for_contract`` answers one: a
        list asks once, not once per document."""
        data = schemas.ContractRequestsIn().load(payload or {})
        out = schemas.RequestOut()
        return {contract_id: out.dump(view)
                for contract_id, view in self._latest_requests(license_id, set(data["contract_ids"])).items()}

    # -- owner actions ---------------------------------------------------------------------------------------

    @endpoint(write=True)
    def cancel_request(self, actor, request_id, payload=None):
        """The requester, the contract's owner or a manager cancels a request under way."""
        actor, by, data = self._staff_in_charge(
            actor, request_id, "Only the requester, the document's owner or a manager can cancel this request.",
            schemas.CancelIn(), payload)
        now = utcnow()
        with self.db.session() as s:
            r = self._lock(s, request_id, actor["license_id"])
            if r.status == "cancelled":
                return request_view(r, self._participants(s, r.id))
            if r.status != "pending":
                raise Conflict(f"{article(r.status)} {r.status} request cannot be cancelled.", {"request_status": r.status})
            r.status, r.ended_at, r.updated_at = "cancelled", now, now
            r.end_reason = data["reason"] or "cancelled"
            self._audit(s, r, "cancelled", by, {"reason": data["reason"]}, at=now)
            self.outbox.add(s, "signature.cancelled.v1", {
                "request_id": r.id, "contract_id": r.contract_id, "owner_id": r.owner_id,
                "cancelled_by": actor["user_id"], "reason": data["reason"]}, subject=r.id, license_id=r.license_id)
            return request_view(r, self._participants(s, r.id))

    @endpoint(write=True)
    def remind(self, actor, request_id, payload=None):
        """Remind now everybody whose turn it is, or one participant (not twice within
        SIGNATURE_REMINDER_MIN_INTERVAL)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.RemindIn().load(payload or {})
        self._visible_request(actor, request_id)
        with self.db.session() as s:
            r = self._lock(s, request_id, actor["license_id"])
            if r.status != "pending":
                raise Conflict(f"{article(r.status)} {r.status} request has nobody to remind.", {"request_status": r.status})
            one = data["participant_id"]
            if one is not None:
                target = next((p for p in self._participants(s, r.id) if p.id == one), None)
                if target is None:
                    raise NotFound("This person is not a participant of the request.")
                if target.status != "pending":
                    raise Conflict("It is not this person's turn: only whoever is asked now can be reminded.",
                                   {"participant_status": target.status})
            now = utcnow()
            reminded = self._remind(s, r, now, self.settings.reminder_min_interval,
                                    self._staff(actor), participant_id=one)
            return {"reminded": len(reminded), "participant_ids": reminded,
                    "next_reminder_at": None if reminded else self._next_reminder_at(s, r, one)}

    def _next_reminder_at(self, s, r: SignatureRequest, participant_id: str | None) -> str | None:
        """Nobody reminded (one was sent a short while ago): when the first of those asked (or ``participant_id``)
        may be reminded again; None when nobody is asked any more."""
        interval = timedelta(seconds=self.settings.reminder_min_interval)
        times = [as_utc(p.last_reminded_at) + interval for p in self._participants(s, r.id)
                 if p.status == "pending" and p.last_reminded_at is not None
                 and participant_id in (None, p.id)]
        return iso(min(times)) if times else None
