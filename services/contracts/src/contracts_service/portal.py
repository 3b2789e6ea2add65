"""A contract on the customer portal: what it shows of the contract (its attachments and milestones
marked visible) and what the portal service reports back (the quote viewed or downloaded online, the
contract shared or unshared), counted on the contract and written to its history.
"""
from __future__ import annotations

from sqlalchemy import and_, update

from paraph_platform.db import utcnow
from paraph_platform.events import subscribe
from paraph_platform.service import endpoint

from .base import ContractsBase, contract_event
from .contracts import contract_detail
from .models import Attachment, Milestone
from .schemas.portal import PortalVisibilitySchema


def _portal_activity_handler(event_type: str, action: str):
    """The handler of the portal's event about a contract's activity there (``action``: viewed, downloaded,
    shared, unshared): counted on the contract and written to its history."""
    @subscribe("portal", event_type)
    @contract_event(f"contracts.on_{action}")
    def handle(self, s, c, data):
        self._portal_activity(s, c, data, action)
    return handle


class PortalEndpoints(ContractsBase):
    """What the customer portal shows of a contract, and its activity there."""

    @endpoint(write=True)
    def set_portal_visibility(self, actor, contract_id, payload):
        """Show or hide every attachment (or those of one folder) and/or every milestone of a contract on
        the portal at once."""
        actor, data = self._caller_and_payload(actor, PortalVisibilitySchema, payload or {})
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

    def _portal_activity(self, s, c, data, action):
        if action == "viewed":
            c.view_count += 1
            c.last_viewed_at = utcnow()
        elif action == "downloaded":
            c.download_count += 1
        elif action == "shared":
            c.portal_shared = True
        elif action == "unshared":
            c.portal_shared = False  # no longer shown on the customer portal: the green line goes off
        self._history(s, c, data.get("contact_id") or data.get("shared_by") or data.get("unshared_by") or "portal",
                      f"portal_{action}",
                      contact_id=data.get("contact_id"), at=data.get("at"), ip=data.get("ip"),
                      channel=data.get("channel"))  # quote_page | portal (absent from older events)

    on_quote_viewed = _portal_activity_handler("quote.viewed.v1", "viewed")
    on_quote_downloaded = _portal_activity_handler("quote.downloaded.v1", "downloaded")
    on_contract_shared = _portal_activity_handler("contract.shared.v1", "shared")
    on_contract_unshared = _portal_activity_handler("contract.unshared.v1", "unshared")
