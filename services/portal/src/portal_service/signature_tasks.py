"""Signature tasks: the approvals and signatures waiting for the signed-in user (a portal client or a
collaborator) in the signing service, and their answer (approve, sign or decline); a portal client whose
access was withdrawn is refused before signing is asked.
"""
from __future__ import annotations

import logging

from paraph_platform.actor import CLIENT, load_actor
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import UNAVAILABLE, PortalBase


log = logging.getLogger(__name__)


class SignatureTasksEndpoints(PortalBase):
    """Signature tasks of clients and collaborators (the signing service checks they are the caller's)."""

    @endpoint
    def tasks(self, actor):
        """The signed-in user's approvals and signatures waiting in the signing service."""
        if load_actor(actor)["role"] == CLIENT:
            self._client(actor)  # a withdrawn portal access is refused at once
        try:
            result = self.signing.tasks_for(actor)
        except UNAVAILABLE as exc:
            log.warning("signing unavailable for tasks: %s", exc)
            return {"items": [], "signing_available": False}
        items = result.get("items", []) if isinstance(result, dict) else list(result or [])
        for item in items:
            if isinstance(item, dict):
                item["sign_path"] = next((p for p in (logic.sign_path(item.get(k)) for k in logic.PATH_KEYS) if p),
                                         None)
        return {"items": items, "signing_available": True}

    @endpoint(write=True)
    def act(self, actor, participant_id, payload):
        """Approve, sign or decline a task (the signing service checks it is the caller's)."""
        if load_actor(actor)["role"] == CLIENT:
            self._client(actor)
        schemas.ActSchema().load(payload or {})
        return self.signing.act(actor, participant_id, payload)
