"""The signed document and its evidence: once every signer signed, sealing the PDF (PAdES, B-LTA by
default: ``SIGNATURE_PADES_LEVEL``) and
rendering the proof of signature from the audit trail and the evidence records; downloading both,
recomputing the audit chain, and verifying that an uploaded PDF is one sealed by Paraph.
"""
from __future__ import annotations

import base64
import hashlib
import json

from sqlalchemy import or_, select, update

from paraph_platform.actor import load_actor
from paraph_platform import offhub, time_zones
from paraph_platform.db import as_utc, utcnow
from paraph_platform.events import subscribe
from paraph_platform.service import endpoint

from . import crypto, logic, pdf_verification, proof, schemas
from .base import COLLECTED, SigningBase, _file
from .exceptions import Conflict, InvalidInput, NotFound, PayloadTooLarge
from .logic import iso
from .models import AuditEntry, Evidence, Participant, SignatureField, SignatureRequest


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


class SealedDocumentsEndpoints(SigningBase):
    """Sealing and the proof of signature, their downloads, the audit chain, verification of a PDF."""

    # -- the audit trail ---------------------------------------------------------------------------------------

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
                raise Conflict("The document is not signed by everybody yet.", {"request_status": r.status})
            return _file(logic.file_name(r, logic.SIGNED), r.sealed_pdf)

    def _proof_pdf(self, license_id, request_id) -> dict:
        with self.db.session() as s:
            r = self._request(s, license_id, request_id)
            if r.proof_pdf is not None:
                return _file(logic.file_name(r, logic.PROOF), r.proof_pdf)
            if r.status not in ("declined", "cancelled", "expired"):
                raise Conflict("The proof of signature is available once the request is finished.",
                               {"request_status": r.status})
        # a request that ended without signatures: its audit report, rendered once
        zone = self._license_zone(license_id)
        with self.db.session() as s:
            r = self._lock(s, request_id, license_id)
            if r.proof_pdf is None:
                content = offhub.run(proof.render_proof, self._proof_context(s, r, zone))
                r.proof_pdf = content
                r.proof_sha256 = hashlib.sha256(content).hexdigest()
            return _file(logic.file_name(r, logic.PROOF), r.proof_pdf)

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
        self._visible_request(actor, request_id)
        return self._signed_pdf(actor["license_id"], request_id)

    @endpoint
    def download_proof(self, actor, request_id):
        actor = load_actor(actor)
        self._visible_request(actor, request_id)
        return self._proof_pdf(actor["license_id"], request_id)

    # -- completion: seal, proof, events -------------------------------------------------------------------------

    def _license_zone(self, license_id: str) -> str:
        """The time zone the license writes its times in (its settings in identity), for the proof's times that no
        signer's device gave a zone for: a London company's proof said its own staff's steps in Paris time. Paris
        time when identity cannot say (the proof is rendered all the same)."""
        try:
            return time_zones.of_settings((self.identity.license_settings(license_id) or {}).get("settings") or {})
        except Exception:  # noqa: BLE001 - the zone of the times only: never a reason not to seal
            return logic.DEFAULT_TIME_ZONE

    def _proof_context(self, s, r: SignatureRequest, zone: str = logic.DEFAULT_TIME_ZONE) -> dict:
        participants = {p.id: p for p in self._participants(s, r.id)}
        entries = s.execute(select(AuditEntry).where(AuditEntry.request_id == r.id)
                            .order_by(AuditEntry.seq)).scalars().all()
        evidence = s.execute(select(Evidence).where(Evidence.request_id == r.id)
                             .order_by(Evidence.audit_seq)).scalars().all()
        # the time zone each signer's device gave when they signed (kept with the fields they filled)
        zones = {pid: (value or {}).get("time_zone") for pid, value in s.execute(
            select(SignatureField.participant_id, SignatureField.value).where(
                SignatureField.request_id == r.id, SignatureField.filled_at.is_not(None)))}
        audit = [audit_view(a) for a in entries]  # worded in the request's language by proof.build_html
        ev = []
        for e in evidence:
            p = participants.get(e.participant_id)
            auth = dict(e.authentication or {})
            ev.append({**evidence_view(e, p), "role": p.role if p else "signer", "order": p.order if p else "",
                       "time_zone": zones.get(e.participant_id),
                       "signature_image": e.signature_image,
                       "clock_skew": logic.clock_skew_seconds(as_utc(e.client_signed_at), as_utc(e.at)),
                       "authentication": {"method": auth.get("method"), "channel": auth.get("channel"),
                                          "destination": auth.get("destination"),
                                          "verified_at": auth.get("verified_at"),
                                          "attested_by_name": auth.get("attested_by_name"),
                                          "session": auth.get("session")}})
        seal = dict(r.seal_info or {})
        # the company's country kept on the request: the order its English dates read in, as on its signing page
        return {"locale": r.locale, "time_zone": zone, "country": r.license_country,
                "document": {"filename": r.document_filename, "sha256": r.document_sha256},
                "documents": [dict(d) for d in r.documents or []],  # an envelope's
                # an uploaded document by its title, as its consent text names it (its number is its file's
                # name, shown under "Document")
                "contract": {"number": None if r.contract_kind == logic.UPLOADED_KIND and r.contract_title
                             else r.contract_number, "title": r.contract_title},
                "sealed": {"sha256": r.sealed_sha256, "signer": seal.get("signer"),
                           "timestamp": seal.get("timestamp"), "tsa": seal.get("tsa")},
                "request": {"id": r.id, "status": r.status, "owner_name": r.owner_name,
                            "owner_email": r.owner_email, "created_at": iso(r.created_at),
                            "completed_at": iso(r.completed_at)},
                "evidence": ev, "audit": audit, "chain": logic.verify_chain(entries, r.id),
                "attachments": [{"name": a.name, "filename": a.filename, "sha256": a.sha256, "size": a.size,
                                 "uploaded_at": iso(a.uploaded_at),
                                 "signer": participants[a.participant_id].name
                                 if a.participant_id in participants else ""}
                                for a in self._attachments(s, r.id) if a.uploaded_at is not None],
                "generated_at": iso(utcnow())}

    def _complete(self, request_id: str):
        with self.db.session() as s:
            r = s.get(SignatureRequest, request_id)
            if r is None or r.status != "sealing":
                return False
            document, number, title = r.document, r.contract_number, r.contract_title
            stamp_items, locale, country = self._stamp_items(s, r), r.locale, r.license_country
            signers = [p.name for p in self._participants(s, r.id) if p.role == logic.SIGNER]
            license_id = r.license_id
        zone = self._license_zone(license_id)  # asked before the request is locked below
        km = self.keys.material(self.db)
        fingerprints = self.keys.fingerprints(self.db)
        try:
            document = self._stamped(document, stamp_items, locale, country)  # the signers' fields, under the seal
            sealed = offhub.run(crypto.seal_pdf, document, km,
                                   reason=f"{number} {title} signed by {', '.join(signers)} (Paraph request "
                                          f"{request_id})", location="Paraph", contact=request_id)
            check = offhub.run(pdf_verification.verify_pdf, sealed, km.trust_roots, fingerprints)
            sig = (check["signatures"] or [{}])[-1]
            timestamped = sig.get("timestamp", {}).get("present") or km.pades_level == "B-B"
            if not (sig.get("intact") and sig.get("covers_whole_file") and timestamped):
                raise RuntimeError(f"the sealed PDF does not validate: {check}")
            level = f"PAdES-{sig['pades_level']}"  # reached: B-T when no revocation information could be had
        except Exception as exc:
            with self.db.session() as s:
                s.execute(update(SignatureRequest).where(SignatureRequest.id == request_id).values(
                    seal_attempts=SignatureRequest.seal_attempts + 1, last_seal_error=str(exc)[:2000]))
            raise
        now = utcnow()
        with self.db.session() as s:
            r = self._lock(s, request_id)
            if r.status != "sealing":
                return False
            sealed_sha = hashlib.sha256(sealed).hexdigest()
            r.sealed_pdf, r.sealed_sha256 = sealed, sealed_sha
            r.seal_info = {"level": level, "level_requested": f"PAdES-{km.pades_level}", "field": crypto.FIELD_NAME,
                           "signer": km.signer_name, "certificate_sha256": km.signing_cert.sha256.hex(),
                           "key_source": km.source, "timestamp": sig["timestamp"]["time"],
                           "document_timestamp": sig["document_timestamp"]["time"], "tsa": self.keys.tsa_label,
                           "sealed_at": iso(now)}
            self._audit(s, r, "document_sealed", None, {
                "document_sha256": r.document_sha256, "sealed_sha256": sealed_sha, "level": level,
                "certificate_sha256": km.signing_cert.sha256.hex(), "timestamp": sig["timestamp"]["time"],
                "tsa": self.keys.tsa_label}, at=now)
            r.status, r.stage, r.completed_at, r.ended_at, r.updated_at = "completed", "done", now, now, now
            participants = self._participants(s, r.id)
            when = self._signed_at(s, r.id)
            signers = [{"participant_id": p.id, "name": p.name, "email": p.email,
                        "signed_at": iso(when.get(p.id) or as_utc(p.acted_at))}
                       for p in participants if p.role == logic.SIGNER]
            self._audit(s, r, "completed", None, {"signers": signers, "sealed_sha256": sealed_sha}, at=now)
            report = offhub.run(proof.render_proof, self._proof_context(s, r, zone))
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
                    attachments=[{"kind": "signed_pdf", "id": r.id, "filename": logic.file_name(r, logic.SIGNED)}])
            self._send_cc(s, r, [{k: x[k] for k in ("name", "email", "signed_at")} for x in signers], now)
            return True

    @subscribe("signing", COLLECTED)
    def on_collected(self, event):
        """Every signer signed: seal the document (PAdES), render the proof, announce completion."""
        # idempotent by state (only a request in "sealing" is sealed, under its row lock); a failure
        # (TSA down...) is retried with backoff, then parked in the DLQ while the maintenance scan retries
        self._complete(event["data"]["request_id"])

    # -- verification ---------------------------------------------------------------------------------------

    @endpoint
    def public_ca_file(self, name):
        """Public: the development CA's certificate (``ca.pem``) or CRL (``ca.crl``, DER), which the sealing
        and TSA certificates generated with it name as their CRL distribution point."""
        content = {"ca.crl": self.keys.dev_crl, "ca.pem": self.keys.dev_ca_pem}.get(name, lambda db: None)(self.db)
        if content is None:
            raise NotFound("No development CA is in use (or it predates its CRL).")
        return _file(name, content, "application/pkix-crl" if name == "ca.crl" else "application/x-pem-file")

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
            # a timestamp is required, unless Paraph sealed this very file at B-B (SIGNATURE_PADES_LEVEL)
            timestamp_required = r is None or (r.seal_info or {}).get("level") != "PAdES-B-B"
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
        report = offhub.run(pdf_verification.verify_pdf, content, km.trust_roots, self.keys.fingerprints(self.db))
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
                if timestamp_required:
                    problems.append(f"signature {sig['field']}: no timestamp")
            elif not sig["timestamp"]["intact"]:
                problems.append(f"signature {sig['field']}: the timestamp does not match")
        for ts in report["document_timestamps"]:
            if not ts["intact"]:
                problems.append(f"document timestamp {ts['field']}: the timestamp does not match")
        intact = bool(sigs) and all(x["intact"] and x["covers_whole_file"] and (
            x["timestamp"]["intact"] if x["timestamp"]["present"] else not timestamp_required) for x in sigs) \
            and all(ts["intact"] for ts in report["document_timestamps"])
        levels = [x["pades_level"] for x in sigs]
        document_timestamp = {"present": False, "time": None, "intact": False, "valid": False, "trusted": False}
        if report["document_timestamps"]:  # the latest one: what an archive timestamp chain is judged by
            latest = report["document_timestamps"][-1]
            document_timestamp = {"present": True, **{k: latest[k] for k in ("time", "intact", "valid", "trusted")}}
        sealed_by_paraph = known is not None and intact and any(x["paraph_key"] for x in sigs)
        return {"valid": sealed_by_paraph, "sealed_by_paraph": sealed_by_paraph, "known": known is not None,
                "kind": known["kind"] if known else None, "request": (known or {}).get("request"),
                "sha256": sha, "size": len(content), "filename": data["filename"],
                "intact": intact, "trusted": bool(sigs) and all(x["trusted"] for x in sigs),
                # the lowest level of the signatures (None if one is not PAdES)
                "pades_level": None if not levels or None in levels else min(levels, key=crypto.LEVELS.index),
                "document_timestamp": document_timestamp,
                "signatures": sigs, "problems": problems}
