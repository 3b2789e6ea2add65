"""A contract on the customer portal: what it shows of the contract (its attachments and milestones
marked visible) and what the portal service reports back (the quote viewed or downloaded online, the
contract shared or unshared), counted on the contract and written to its history.
"""
from __future__ import annotations

from sqlalchemy import and_, update

from paraph_platform.actor import STAFF_ROLES, load_actor, require_role
from paraph_platform.db import utcnow
from paraph_platform.events import subscribe
from paraph_platform.inbox import first_time
from paraph_platform.service import endpoint

from . import schemas
from .base import ContractsBase
from .contracts import contract_detail
from .models import Attachment, Inbox, Milestone


class PortalEndpoints(ContractsBase):
    """What the customer portal shows of a contract, and its activity there."""

    @endpoint(write=True)
    def set_portal_visibility(self, actor, contract_id, payload):
        """Show or hide every attachment (or those of one folder) and/or every milestone of a contract on
        the portal at once."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = schemas.PortalVisibilitySchema().load(payload or {})
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            if "attachments" in data:
                which = Attachment.contract_id == c.id
                if data.get("folder") is not None:
                    which = and_(which, Attachment.folder == data["folder"].strip())
                s.execute(update(Attachment).where(which).values(portal_visible=data["attachments"]))
            if "milestones" in data:
                s.execute(update(Milestone).where(Milestone.contract_id == c.id)
                          .values(portal_visible=data["milestones"]))
            self._history(s, c, actor["user_id"], "portal_visibility", **data)
            s.flush()
            return contract_detail(s, c)["portal"]

    def _portal_activity(self, event, action):
        data = event["data"]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], f"contracts.on_{action}"):
                return
            c = self._contract_by_id(s, event["license_id"], data["contract_id"])
            if c is None:
                return
            if action == "viewed":
                c.view_count += 1
                c.last_viewed_at = utcnow()
            elif action == "downloaded":
                c.download_count += 1
            elif action == "shared":
                c.portal_shared = True
            elif action == "unshared":
                c.portal_shared = False
            self._history(s, c, data.get("contact_id") or data.get("shared_by") or data.get("unshared_by") or "portal",
                          f"portal_{action}",
                          contact_id=data.get("contact_id"), at=data.get("at"), ip=data.get("ip"),
                          channel=data.get("channel"))  # quote_page | portal (absent from older events)

    @subscribe("portal", "quote.viewed.v1")
    def on_quote_viewed(self, event):
        self._portal_activity(event, "viewed")

    @subscribe("portal", "quote.downloaded.v1")
    def on_quote_downloaded(self, event):
        self._portal_activity(event, "downloaded")

    @subscribe("portal", "contract.shared.v1")
    def on_contract_shared(self, event):
        self._portal_activity(event, "shared")

    @subscribe("portal", "contract.unshared.v1")
    def on_contract_unshared(self, event):
        """No longer shown on the customer portal: the green line goes off."""
        self._portal_activity(event, "unshared")
