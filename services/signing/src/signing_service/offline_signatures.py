"""Signatures collected in person on a tablet without network: the package a device downloads (the
exact document, the participants, the consent wording), then the synchronisation of what it collected,
item by item, where the same client id always gets the same answer and never signs twice.
"""
from __future__ import annotations

import base64
import logging
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from paraph_platform.actor import STAFF_ROLES, load_actor, require_role
from paraph_platform.db import as_utc, utcnow
from paraph_platform.service import endpoint

from . import logic
from .base import ENDED, REASSIGNED, SigningBase
from .exceptions import InvalidInput, NotFound
from .logic import iso
from .models import OfflineSyncItem, Participant, SignatureRequest
from .schemas.offline_signatures import OfflineItem, OfflineSyncIn, PackageIn

log = logging.getLogger(__name__)


class OfflineSignaturesEndpoints(SigningBase):
    """The offline package and the offline sync (the caller attests the in-person signatures)."""

    @endpoint(write=True)
    def offline_package(self, actor, request_id, params=None):
        """Everything a device needs to collect signatures without network: the exact document, its hash,
        the participants and the consent wording."""
        actor, by, p = self._staff_in_charge(
            actor, request_id, "Only the request's requester, the contract owner or a manager may collect "
                               "signatures offline.", PackageIn(), params)
        now = utcnow()

        def work(s):
            r = self._lock_open_request(s, request_id, actor["license_id"], now)
            participants = self._participants(s, r.id)
            self._audit(s, r, "offline_package_issued", by,
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
            item = OfflineItem().load(raw)  # not an object: "Invalid input type.", not its fields missing
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
        now = utcnow()

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
                elif r.status == "pending" and as_utc(r.expires_at) <= now:
                    self._expire(s, r, now)
                    result = outcome("conflict", "request_expired", ENDED["expired"])
                elif r.status in ENDED:
                    result = outcome("conflict", f"request_{r.status}", ENDED[r.status])
                elif r.status == "declined":
                    result = outcome("conflict", "request_declined", "The signature request was declined.")
                elif p.status == "signed":
                    result = outcome("conflict", "already_signed", "This person already signed (online or from "
                                     "another device).",
                                     signed_at=iso(self._signed_at(s, r.id).get(p.id) or as_utc(p.acted_at)))
                elif p.status == "declined":
                    result = outcome("conflict", "declined", "This person declined to sign.")
                elif p.status == REASSIGNED:
                    result = outcome("conflict", "reassigned", "This person's turn was handed to someone else: "
                                     "download the package again.")
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
                elif self._accepted_consent(r, p.role, item["consent_sha256"]) is None:
                    result = outcome("conflict", "consent_changed", "The consent text differs from the package's.")
                if result is None:
                    consent = self._accepted_consent(r, p.role, item["consent_sha256"])
                    auth = {"method": "in_person", "otp_verified": False, "attested_by": operator["user_id"],
                            "attested_by_name": operator["name"], "attested_by_email": operator["email"],
                            "device_id": device_id, "mode": "offline"}
                    self._fill_fields(s, p, item, image, now, in_person=True)
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
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = OfflineSyncIn().load(payload if isinstance(payload, dict) else {})
        # who operated the device: the authenticated caller (gateway-verified token), never the payload
        operator = {"user_id": actor["user_id"], "email": actor.get("email"),
                    "name": actor.get("name") or actor.get("email") or actor["user_id"]}
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
        return {"device_id": data["device_id"], "received_at": iso(utcnow()), "summary": summary, "items": results}
