"""Files a signer is asked to upload with their signature (an ID, a proof of address): named when the request
is created (``attachments_requested``), uploaded from the signing link and replaceable until the signer
signs, required ones checked when they sign, downloaded by the staff who see the request, and listed with
their SHA-256 in the proof of signature. Each upload is a line of the audit trail.
"""
from __future__ import annotations

from paraph_platform.actor import load_actor
from paraph_platform.db import utcnow
from paraph_platform.service import endpoint
from sqlalchemy import update

from . import logic, schemas
from .base import SigningBase, _file
from .exceptions import Conflict, InvalidInput, NotFound
from .logic import iso
from .models import Participant, SignatureRequest, SignerAttachment


def attachment_view(a: SignerAttachment) -> dict:
    return {"id": a.id, "participant_id": a.participant_id, "name": a.name, "required": a.required,
            "uploaded": a.uploaded_at is not None, "filename": a.filename, "content_type": a.content_type,
            "size": a.size, "sha256": a.sha256, "uploaded_at": iso(a.uploaded_at)}


class SignerAttachmentsEndpoints(SigningBase):
    """Requested files: storing the request's list, the signer's uploads, the check before signing, downloads."""

    @staticmethod
    def _store_attachments_requested(s, r: SignatureRequest, requested: list[dict], signers: list[Participant]):
        for n, a in enumerate(requested):
            s.add(SignerAttachment(request_id=r.id, participant_id=signers[a["signer"] - 1].id, position=n,
                                   name=a["name"].strip(), required=a["required"]))

    @staticmethod
    def _attachments(s, request_id: str, participant_id: str | None = None) -> list[SignerAttachment]:
        return SigningBase._participant_items(s, SignerAttachment, request_id, participant_id)

    @staticmethod
    def _hand_over_attachments(s, from_participant_id: str, to_participant_id: str):
        """A reassigned signer's requested files are asked of their replacement, who uploads their own (a file
        the first person uploaded is about them, not the new signer; the audit trail keeps its hash)."""
        s.execute(update(SignerAttachment).where(SignerAttachment.participant_id == from_participant_id)
                  .values(participant_id=to_participant_id, filename=None, content_type=None, size=None,
                          sha256=None, content=None, uploaded_at=None))

    def _check_attachments(self, s, p: Participant):
        """Signing with a required file missing is a 422 naming each missing file."""
        missing = [a for a in self._attachments(s, p.request_id, p.id) if a.required and a.uploaded_at is None]
        if missing:
            names = ", ".join(a.name for a in missing)
            raise InvalidInput(f"Attach these files before signing: {names}.",
                               {"fields": {"attachments": [f"{a.name}: required" for a in missing]},
                                "missing_attachments": [{"id": a.id, "name": a.name} for a in missing]})

    @endpoint(write=True)
    def public_upload_attachment(self, token, attachment_id, payload=None, client=None):
        """The signer's file for one requested attachment (a new upload replaces it until they sign)."""
        data = schemas.AttachmentUploadIn().load(payload or {})
        content_type, content = logic.decode_attachment(data["content_type"], data["content_base64"])
        now = utcnow()

        def work(s):
            p = self._by_token(s, token)
            r = self._lock_open(s, p, now)
            a = s.get(SignerAttachment, attachment_id)
            if a is None or a.participant_id != p.id:
                raise NotFound("No such file was asked of you.")
            if p.status not in ("waiting", "pending"):
                raise Conflict(f"Files can no longer be changed: you {p.status} this document.",
                               {"participant_status": p.status})
            replaced = a.sha256
            a.filename = logic.attachment_filename(data["filename"], a.name, content_type)
            a.content_type, a.content, a.size = content_type, content, len(content)
            a.sha256, a.uploaded_at = logic.sha256_hex(content), now
            self._audit(s, r, "attachment_uploaded", self._who(p), {
                "participant_id": p.id, "attachment_id": a.id, "name": a.name, "filename": a.filename,
                "sha256": a.sha256, "size": a.size, "replaced_sha256": replaced,
                "ip": (client or {}).get("ip") or None}, at=now)
            s.flush()
            return attachment_view(a)

        return self._unit(work)

    @endpoint
    def get_signer_attachment(self, actor, request_id, attachment_id):
        """A signer's uploaded file, for the staff who see the request."""
        actor = load_actor(actor)
        self._visible_request(actor, request_id)
        with self.db.session() as s:
            a = s.get(SignerAttachment, attachment_id)
            if a is None or a.request_id != request_id:
                raise NotFound("Attachment not found.")
            if a.uploaded_at is None:
                raise NotFound("This file was not uploaded yet.", {"uploaded": False})
            return _file(a.filename, a.content, a.content_type)
