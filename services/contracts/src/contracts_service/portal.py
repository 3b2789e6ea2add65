"""A contract on the customer portal: what it shows of the contract (its attachments and milestones
marked visible, each change of which is published as when it is made one at a time) and what the portal
service reports back (the quote viewed or downloaded online, the contract shared or unshared), counted on
the contract and written to its history.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import defer

from paraph_platform.db import utcnow
from paraph_platform.events import subscribe
from paraph_platform.service import endpoint

from .attachments import change_attachment
from .base import ContractsBase, contract_event
from .contracts import contract_detail
from .milestones import change_milestone
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
        the portal at once: each one shown or hidden by it is published (attachment.updated.v1,
        milestone.updated.v1) and the contract's history keeps the change; when every one already was as
        asked, it is a no-op (no event, no history entry)."""
        actor, data = self._caller_and_payload(actor, PortalVisibilitySchema, payload or {})
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            changed = []
            if "attachments" in data:
                which = [Attachment.contract_id == c.id, Attachment.portal_visible != data["attachments"]]
                if data.get("folder") is not None:
                    which.append(Attachment.folder == data["folder"].strip())
                for a in s.execute(select(Attachment).where(*which).options(defer(Attachment.content))
                                   .order_by(Attachment.created_at, Attachment.id)).scalars():
                    changed += change_attachment(s, self.outbox, a, {"portal_visible": data["attachments"]},
                                                 actor["user_id"])
            if "milestones" in data:
                for m in s.execute(select(Milestone).where(
                        Milestone.contract_id == c.id, Milestone.portal_visible != data["milestones"])
                        .order_by(Milestone.position, Milestone.id)).scalars():
                    changed += change_milestone(s, self.outbox, m, {"portal_visible": data["milestones"]},
                                                actor["user_id"])
            if changed:
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
                      channel=data.get("channel"))  # quote_page | portal | signing_link (absent from older events)

    on_quote_viewed = _portal_activity_handler("quote.viewed.v1", "viewed")
    on_quote_downloaded = _portal_activity_handler("quote.downloaded.v1", "downloaded")
    on_contract_shared = _portal_activity_handler("contract.shared.v1", "shared")
    on_contract_unshared = _portal_activity_handler("contract.unshared.v1", "unshared")
