"""A contract's attachments: files (checked by content type and size) filed in folders, each shown or
hidden on the customer portal (by default as the contract type, else the license settings say), and
the internal read the portal downloads them with. Adding, changing (shown or hidden on the portal, renamed,
moved: one at a time here, all at once by :mod:`.portal`, both through :func:`change_attachment`) and deleting
one are published (attachment.added.v1, attachment.updated.v1, attachment.deleted.v1).
"""
from __future__ import annotations

import base64
import hashlib

from paraph_platform.actor import STAFF_ROLES, load_actor, require_role
from paraph_platform.config import env_int
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from . import logic
from .base import ContractsBase, publish_about, publish_change
from .models import Attachment, Contract, ContractType
from .schemas.attachments import AttachmentInSchema, AttachmentPatchSchema


MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def attachment_view(a: Attachment) -> dict:
    return {"id": a.id, "contract_id": a.contract_id, "folder": a.folder, "filename": a.filename,
            "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
            "portal_visible": a.portal_visible, "created_by": a.created_by, "created_at": iso(a.created_at)}


def attachment_event(a: Attachment) -> dict:
    """What the attachment events say of the attachment (contract.AttachmentEventV1)."""
    return {"attachment_id": a.id, "contract_id": a.contract_id, "filename": a.filename,
            "content_type": a.content_type, "size": a.size, "portal_visible": a.portal_visible}


def change_attachment(s, outbox, a: Attachment, patch: dict, actor_id: str) -> list[str]:
    """Show or hide an attachment on the customer portal, rename or move it (``patch``): attachment.updated.v1
    naming what really changed, nothing when nothing did. Returns the fields changed."""
    return publish_change(s, outbox, "attachment.updated.v1", a, attachment_view, attachment_event, patch, actor_id)


class AttachmentsEndpoints(ContractsBase):
    """Contract attachments."""

    @endpoint(write=True)
    def add_attachment(self, actor, contract_id, payload):
        actor, data = self._caller_and_payload(actor, AttachmentInSchema, payload)
        filename, content_type, content = logic.decoded_upload(
            data, env_int("MAX_ATTACHMENT_BYTES", MAX_ATTACHMENT_BYTES))
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            visible = data["portal_visible"]
            if visible is None:
                t = s.get(ContractType, c.contract_type_id) if c.contract_type_id else None
                if t is not None and t.attachments_portal_visible is not None:
                    visible = t.attachments_portal_visible
                else:
                    settings = self._settings(s, c.license_id)
                    visible = bool(settings and settings.portal_attachments_visible_by_default)
            a = Attachment(license_id=c.license_id, contract_id=c.id, folder=data["folder"], filename=filename,
                           content_type=content_type, size=len(content),
                           sha256=hashlib.sha256(content).hexdigest(), content=content, portal_visible=visible,
                           created_by=actor["user_id"])
            s.add(a)
            self._touch(c)
            s.flush()
            self._history(s, c, actor["user_id"], "attachment_added", attachment_id=a.id, filename=filename)
            publish_about(s, self.outbox, "attachment.added.v1", a,
                          {**attachment_event(a), "added_by": actor["user_id"]})
            return attachment_view(a)

    def _attachment(self, s, actor, attachment_id) -> tuple[Attachment, Contract]:
        return self._child(s, actor, Attachment, attachment_id)

    @endpoint
    def get_attachment(self, actor, attachment_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            a, _ = self._attachment(s, actor, attachment_id)
            return {**attachment_view(a), "content_base64": base64.b64encode(a.content).decode()}

    @endpoint(write=True)
    def update_attachment(self, actor, attachment_id, payload):
        """Show/hide an attachment on the customer portal, move or rename it: the contract's history keeps the
        new values of what really changed; the same values again are a no-op (no event, no history entry)."""
        actor, data = self._caller_and_payload(actor, AttachmentPatchSchema, payload)
        with self.db.session() as s:
            a, c = self._attachment(s, actor, attachment_id)
            if "filename" in data:
                data["filename"] = logic.clean_filename(data["filename"])
            changed = change_attachment(s, self.outbox, a, data, actor["user_id"])
            if changed:
                self._history(s, c, actor["user_id"], "attachment_updated", attachment_id=a.id,
                              **{key: data[key] for key in changed})
            return attachment_view(a)

    @endpoint(write=True)
    def delete_attachment(self, actor, attachment_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            a, c = self._attachment(s, actor, attachment_id)
            self._touch(c)  # as adding one does
            self._history(s, c, actor["user_id"], "attachment_deleted", attachment_id=a.id, filename=a.filename)
            publish_about(s, self.outbox, "attachment.deleted.v1", a,
                          {**attachment_event(a), "deleted_by": actor["user_id"]})
            s.delete(a)
        return {"deleted": True}

    @endpoint
    def get_attachment_internal(self, license_id, attachment_id):
        with self.db.session() as s:
            a = self._license_row(s, Attachment, attachment_id, license_id)
            return {**attachment_view(a), "content_base64": base64.b64encode(a.content).decode()}
