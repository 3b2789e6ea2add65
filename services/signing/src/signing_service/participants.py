"""What a participant does with a signature request: get a one-time code, then approve, sign or
decline, either from their signing link (the link's token is the credential) or from the portal's list
of their tasks (their own session); and the participant's view.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from paraph_platform.actor import CLIENT, load_actor
from paraph_platform.db import as_utc, new_id, utcnow
from paraph_platform.service import endpoint

from . import logic
from .base import REASSIGNED, SigningBase, _Deferred, _file
from .exceptions import Conflict, Gone, InvalidInput, NotFound, PreconditionFailed, TooManyRequests
from .fields import field_view
from .signer_attachments import attachment_view
from .license_settings import embed_origins
from .logic import iso
from .models import EmbedToken, OtpChallenge, Participant, SignatureRequest
from .schemas.participants import ActIn, ClientInfo, DeclineIn, LinkIn, OtpIn, SignedPdfIn, SignIn

# how long the page opened by an embedded (or in-person) signing URL may act with that URL's token
EMBED_SESSION = timedelta(hours=1)
# EmbedToken.kind of a URL opened on the device of a member of staff, for the participant to sign in person
IN_PERSON_URL = "in_person"
# Evidence.mode of what a participant did on such a page
IN_PERSON_MODE = "in_person_device"


def participant_view(p: Participant, link_path: str | None = None) -> dict:
    view = {"id": p.id, "role": p.role, "order": p.order, "kind": p.kind, "user_id": p.user_id,
            "contact_id": p.contact_id, "name": p.name, "email": p.email,
            "phone_masked": logic.mask_phone(p.phone) or None, "otp_channel": p.otp_channel, "status": p.status,
            "asked_at": iso(p.asked_at), "viewed_at": iso(p.viewed_at), "acted_at": iso(p.acted_at),
            "reminders_sent": p.reminders_sent, "decline_reason": p.decline_reason}
    if link_path is not None:
        view["sign_path"] = link_path
    return view


class ParticipantsEndpoints(SigningBase):
    """One-time codes, acting (approve, sign, decline), the public signing link, the portal's tasks."""

    # -- one-time codes -----------------------------------------------------------------------------------------

    def _send_otp(self, s, r: SignatureRequest, p: Participant, channel: str | None, now: datetime,
                  actor: dict | None = None, locale: str | None = None) -> dict:
        """``locale``: the code message's language when not the request's (the page the signer reads)."""
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
                     {"code": code, "minutes": max(1, self.settings.otp_ttl // 60)}, channel=channel, to=to,
                     locale=locale)
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
        if as_utc(ch.expires_at) <= now:
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

    @staticmethod
    def _check_turn(p: Participant, action: str):
        if p.status == REASSIGNED:
            raise Gone("This request was handed to someone else.", {"participant_status": p.status})
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

    def _act(self, participant_id: str, action: str, payload: dict, *, mode: str, client: dict,
             session_actor: dict | None = None, vouched_by: dict | None = None) -> dict:
        """``vouched_by``: the member of staff on whose device the participant acts in person (``attested_by``,
        ``attested_by_name``), added to the evidence's authentication."""
        data = SignIn().load(payload)
        client = ClientInfo().load({k: client.get(k) for k in ("ip", "user_agent")} if client else {})
        if client.get("user_agent"):
            client["user_agent"] = client["user_agent"][:512]
        image = logic.decode_signature_image(data["signature_image"]) if action == "sign" else None
        if image:
            logic.check_png(image)
        if action == "decline" and not (data["reason"] or "").strip():
            raise InvalidInput("Say why you decline.", {"fields": {"reason": ["required"]}})
        now = utcnow()

        def work(s):
            p = s.get(Participant, participant_id)
            if p is None:
                raise NotFound("Signature request not found.")
            r = self._lock_open(s, p, now)
            if action != "decline" or p.status == REASSIGNED:
                self._check_turn(p, action)
            elif p.status not in ("pending", "waiting"):  # anyone named may decline at any time
                raise Conflict(f"You already {p.status} this document.", {"participant_status": p.status})
            consent = None
            if action in ("approve", "sign"):
                if action == "sign" and not data["consent"]:
                    raise InvalidInput("Tick the consent box to sign.", {"fields": {"consent": ["required"]}})
                # the words as the page showed them, in its language (the signer may have switched it)
                consent = self._accepted_consent(r, p.role, data["consent_sha256"], data["locale"])
                if consent is None:
                    raise Conflict("The consent text changed; reload the page.",
                                   {"consent_sha256": logic.sha256_hex(self._consent(r, p.role, data["locale"]))})
                if action == "approve" and not data["consent"]:
                    consent = None
            if action == "sign":  # before the one-time code is used up
                self._check_attachments(s, p)
            auth = {"method": mode, "otp_verified": False}
            if action == "sign" or (action == "approve" and data["otp"]):
                auth = self._check_otp(s, r, p, data["otp"], now)
            if session_actor is not None:
                auth["session"] = {"user_id": session_actor["user_id"], "role": session_actor["role"]}
            if vouched_by is not None:
                auth.update(vouched_by)
            auth["mode"] = mode
            if action == "sign":
                self._fill_fields(s, p, data, image, now)
            self._record(s, r, p, action, mode=mode, auth=auth, now=now, client=client, data=data,
                         consent=consent, image=image)
            self._apply(s, r, p, action, now, reason=(data["reason"] or "").strip() or None)
            s.flush()
            return {"participant": participant_view(p), "request_status": r.status, "stage": r.stage,
                    "request_id": r.id, "document_sha256": r.document_sha256,
                    "signers_left": self._signers_left(s, r)}

        return self._unit(work)

    def _signers_left(self, s, r: SignatureRequest) -> int:
        """How many signers have still to sign (told to whoever just acted: "2 other signers have still to
        sign"; never who they are)."""
        return sum(1 for x in self._participants(s, r.id) if x.role == logic.SIGNER and x.status in ("pending",
                                                                                                     "waiting"))

    # -- public link (token) --------------------------------------------------------------------------------------

    def _by_token(self, s, token) -> Participant:
        """The participant of a signing link's token, or of an opened embedded or in-person signing URL's (its
        page acts with that token, never with the participant's lasting link)."""
        return self._by_token_and_url(s, token)[0]

    def _by_token_and_url(self, s, token) -> tuple[Participant, EmbedToken | None]:
        """``_by_token``'s participant, and the opened URL the token is (None for a signing link's own)."""
        if not logic.valid_token_shape(token):
            raise NotFound("This signing link is not valid.")
        digest = logic.token_hash(token)
        p = s.execute(select(Participant).where(Participant.token_hash == digest)).scalar_one_or_none()
        opened = None
        if p is None:
            opened = self._opened_url(s, digest)
            p = s.get(Participant, opened.participant_id) if opened is not None else None
        if p is None:
            raise NotFound("This signing link is not valid.")
        if p.status == REASSIGNED:
            raise Gone("This signing link no longer works: the request was handed to someone else.",
                       {"participant_status": p.status})
        return p, opened

    @staticmethod
    def _opened_url(s, digest: str) -> EmbedToken | None:
        """The embedded or in-person signing URL of a token, opened less than EMBED_SESSION ago (None if
        unknown)."""
        e = s.execute(select(EmbedToken).where(EmbedToken.token_hash == digest)).scalar_one_or_none()
        if e is None or e.opened_at is None:
            return None
        if as_utc(e.opened_at) + EMBED_SESSION <= utcnow():
            raise Gone("This embedded signing session has ended: ask for a new one.", {"embed_status": "ended"})
        return e

    def _info(self, s, r: SignatureRequest, p: Participant, now: datetime, locale: str | None = None) -> dict:
        """What the signing page shows, its consent text in ``locale`` (else in the request's language)."""
        locale = locale or r.locale
        consent = self._consent(r, p.role, locale)
        expired = r.status == "pending" and as_utc(r.expires_at) <= now
        status = "expired" if expired else r.status
        can_act = status == "pending" and p.status == "pending"
        channel, _to, masked = logic.otp_destination(p.otp_channel, p.email, p.phone, None)
        signers = sum(1 for x in self._participants(s, r.id) if x.role == logic.SIGNER)
        signers_left = self._signers_left(s, r)
        return {
            "participant": {"id": p.id, "name": p.name, "email_masked": logic.mask_email(p.email),
                            "role": p.role, "status": p.status, "order": p.order, "acted_at": iso(p.acted_at)},
            "request": {"id": r.id, "status": status, "stage": r.stage, "kind": r.contract_kind,
                        "number": r.contract_number, "title": r.contract_title, "message": r.message,
                        "sender_name": r.sender_name, "license_name": r.license_name,
                        "expires_at": iso(r.expires_at), "completed_at": iso(r.completed_at), "locale": r.locale,
                        "signers": signers, "signers_left": signers_left},
            "document": {"filename": r.document_filename, "sha256": r.document_sha256, "size": r.document_size},
            "consent_text": consent, "consent_sha256": logic.sha256_hex(consent), "locale": locale,
            "action": "approve" if p.role == logic.APPROVER else "sign",
            "can_act": can_act, "your_turn": p.status == "pending",
            "otp": {"channel": channel, "destination": masked, "sms_available": bool(p.phone),
                    "required": p.role == logic.SIGNER},
            "signed_pdf_available": r.sealed_pdf is not None,
            "fields": [field_view(f) for f in self._fields(s, r.id, p.id)], "pages": list(r.page_sizes or []),
            "documents": [dict(d) for d in r.documents or []],  # an envelope's, combined into the document
            "attachments": [attachment_view(a) for a in self._attachments(s, r.id, p.id)],
        }

    @endpoint
    def public_info(self, token, payload=None):
        """What the signing page shows (the link's token is the credential), in the language it asks for."""
        data = LinkIn().load(payload or {})
        with self.db.session() as s:
            p = self._by_token(s, token)
            r = s.get(SignatureRequest, p.request_id)
            info = self._info(s, r, p, utcnow(), data["locale"])
            # the company's country (kept at creation), the order the page's English dates read in: month first in
            # the United States
            info["request"]["country"] = r.license_country
            return info

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
                p.viewed_at = utcnow()
                self._audit(s, r, "document_viewed", self._who(p), {
                    "participant_id": p.id, "document_sha256": r.document_sha256,
                    "ip": (client.get("ip") or None), "user_agent": (client.get("user_agent") or "")[:512] or None})
            # the signing page frames the document: framed itself (embedded signing), the document needs
            # the same ancestors
            return {**_file(logic.file_name(r, logic.TO_SIGN), r.document),
                    "embed_origins": embed_origins(s, r.license_id)}

    def _completed_file(self, token, ending: str, column: str, downloaded_by: dict | None = None) -> dict:
        """A file of a request everybody signed (the sealed PDF, the proof), from a participant's link;
        ``downloaded_by``: the caller (ip, user_agent) of a download to tell the portal of."""
        with self.db.session() as s:
            p, opened = self._by_token_and_url(s, token)
            r = s.get(SignatureRequest, p.request_id)
            if r.sealed_pdf is None:
                raise Conflict("The document is not signed by everybody yet.", {"request_status": r.status})
            # an in-person URL is opened on a staff member's device: not the customer's own download
            if downloaded_by is not None and (opened is None or opened.kind != IN_PERSON_URL):
                self._tell_download(s, r, p, downloaded_by)
            return _file(logic.file_name(r, ending), getattr(r, column))

    def _tell_download(self, s, r: SignatureRequest, p: Participant, client: dict):
        """A customer contact saved the sealed document of a contract from their link: one event per download,
        in the transaction that read it (the portal records a quote's download, as it does its own pages')."""
        if p.kind != "contact" or not p.contact_id or r.contract_id is None:
            return
        self.outbox.add(s, "signature.document_downloaded.v1", {
            "request_id": r.id, "contract_id": r.contract_id, "kind": r.contract_kind, "participant_id": p.id,
            "contact_id": p.contact_id, "name": p.name, "email": p.email, "ip": client["ip"],
            "user_agent": client["user_agent"], "at": iso(utcnow())}, subject=r.id, license_id=r.license_id)

    @endpoint
    def public_signed_pdf(self, token, payload=None):
        """Once completed, every participant may download the sealed document from their link (a customer
        contact's download, not the page showing it, is told to the portal)."""
        data = SignedPdfIn().load(payload or {})
        client = {"ip": data["ip"], "user_agent": data["user_agent"]} if data["download"] else None
        return self._completed_file(token, logic.SIGNED, "sealed_pdf", client)

    @endpoint
    def public_proof_pdf(self, token):
        """Once completed, every participant may download the proof of signature from their link, as their
        completion email says (the parties' evidence: copies to CC recipients do not carry it, flow._send_cc)."""
        return self._completed_file(token, logic.PROOF, "proof_pdf")

    @endpoint(write=True)
    def public_request_otp(self, token, payload=None, client=None):
        data = OtpIn().load(payload or {})
        now = utcnow()

        def work(s):
            p = self._by_token(s, token)
            r = self._lock_open(s, p, now)
            self._check_turn(p, "sign" if p.role == logic.SIGNER else "approve")
            return self._send_otp(s, r, p, data["channel"], now, locale=data["locale"])

        return self._unit(work)

    def _act_by_token(self, token, action: str, payload: dict, client: dict | None) -> dict:
        """Act with a signing link's token. The page of an in-person signing URL acts in person, on the
        device of the member of staff who opened it: the evidence names them (they vouch for who acts)."""
        with self.db.session() as s:
            p, opened = self._by_token_and_url(s, token)
            in_person = opened is not None and opened.kind == IN_PERSON_URL
            vouched_by = {"attested_by": opened.created_by, "attested_by_name": opened.created_by_name} \
                if in_person else None
        return self._act(p.id, action, payload, mode=IN_PERSON_MODE if in_person else "link", client=client or {},
                         vouched_by=vouched_by)

    @endpoint(write=True)
    def public_sign(self, token, payload=None, client=None):
        return self._act_by_token(token, "sign", payload or {}, client)

    @endpoint(write=True)
    def public_approve(self, token, payload=None, client=None):
        return self._act_by_token(token, "approve", payload or {}, client)

    @endpoint(write=True)
    def public_decline(self, token, payload=None, client=None):
        declined = DeclineIn().load(payload or {})  # a link's decline must say why (a task's may not)
        return self._act_by_token(token, "decline", declined, client)

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
        now = utcnow()
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
                            "requested_by": r.sender_name, "message": r.message,
                            "asked_at": iso(p.asked_at), "expires_at": iso(r.expires_at),
                            "document_sha256": r.document_sha256, "document_filename": r.document_filename,
                            "consent_text": consent, "consent_sha256": logic.sha256_hex(consent),
                            "otp_required": p.role == logic.SIGNER, "sign_path": self._path(p.id)})
            return out

    @endpoint(write=True)
    def task_otp(self, actor, participant_id, payload=None):
        """Send the one-time code of one of my tasks."""
        actor = load_actor(actor)
        data = OtpIn().load(payload or {})
        now = utcnow()

        def work(s):
            p = self._my_participant(s, actor, participant_id)
            r = self._lock_open(s, p, now)
            self._check_turn(p, "sign" if p.role == logic.SIGNER else "approve")
            return self._send_otp(s, r, p, data["channel"], now, self._staff(actor), locale=data["locale"])

        return self._unit(work)

    @endpoint(write=True)
    def act(self, actor, participant_id, payload):
        """Approve, sign (one-time code required: without one, a code is sent and 412 tells so) or decline
        one of my tasks from the portal."""
        actor = load_actor(actor)
        if not isinstance(payload, dict):
            raise InvalidInput("The payload must be an object.")
        data = ActIn().load(payload)
        with self.db.session() as s:
            p = self._my_participant(s, actor, participant_id)
        if data["action"] == "sign" and not data["otp"]:
            sent = self.task_otp.__wrapped__(self, actor, participant_id, {})
            raise PreconditionFailed("A one-time code was sent to you: send it back with the signature.",
                                     {"otp_required": True, **sent})
        body = {k: v for k, v in data.items() if k not in ("action", "ip", "user_agent")}
        return self._act(p.id, data["action"], body, mode="portal",
                         client={"ip": data["ip"], "user_agent": data["user_agent"]}, session_actor=actor)
