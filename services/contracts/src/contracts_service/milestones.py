"""A contract's milestones: the dated steps of its execution, in order, each shown or hidden on the
customer portal. Adding, changing (one at a time here, shown or hidden all at once by :mod:`.portal`, both
through :func:`change_milestone`) and deleting one are published (milestone.created.v1, milestone.updated.v1,
milestone.deleted.v1), a change only when it changed something.
"""
from __future__ import annotations

from sqlalchemy import func, select

from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from .base import ContractsBase, publish_about, publish_change
from .models import Milestone
from .schemas.milestones import MilestoneInSchema, MilestonePatchSchema


def milestone_view(m: Milestone) -> dict:
    return {"id": m.id, "contract_id": m.contract_id, "title": m.title, "description": m.description,
            "due_date": m.due_date.isoformat() if m.due_date else None, "done": m.done_at is not None,
            "done_at": iso(m.done_at), "portal_visible": m.portal_visible, "position": m.position}


def milestone_event(m: Milestone) -> dict:
    """What the milestone events say of the milestone (contract.MilestoneEventV1)."""
    return {"milestone_id": m.id, "contract_id": m.contract_id, "title": m.title,
            "due_date": m.due_date.isoformat() if m.due_date else None, "done": m.done_at is not None,
            "portal_visible": m.portal_visible}


def _set(m: Milestone, field: str, value):
    if field == "done":  # a milestone done again keeps when it was done: no change
        m.done_at = (m.done_at or utcnow()) if value else None
    else:
        setattr(m, field, value)


def change_milestone(s, outbox, m: Milestone, patch: dict, actor_id: str) -> list[str]:
    """Edit a milestone, mark it done or not, show or hide it on the portal (``patch``): milestone.updated.v1
    naming what really changed, nothing when nothing did. Returns the fields changed."""
    return publish_change(s, outbox, "milestone.updated.v1", m, milestone_view, milestone_event, patch, actor_id,
                          assign=_set)


class MilestonesEndpoints(ContractsBase):
    """Contract milestones."""

    @endpoint(write=True)
    def add_milestone(self, actor, contract_id, payload):
        actor, data = self._caller_and_payload(actor, MilestoneInSchema, payload)
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            position = (s.execute(select(func.max(Milestone.position)).where(
                Milestone.contract_id == c.id)).scalar_one() or 0) + 1
            m = Milestone(license_id=c.license_id, contract_id=c.id, title=data["title"],
                          description=data["description"], due_date=data["due_date"],
                          portal_visible=data["portal_visible"], position=position,
                          done_at=utcnow() if data["done"] else None)
            s.add(m)
            s.flush()
            self._history(s, c, actor["user_id"], "milestone_added", milestone_id=m.id, title=m.title)
            publish_about(s, self.outbox, "milestone.created.v1", m,
                          {**milestone_event(m), "created_by": actor["user_id"]})
            return milestone_view(m)

    @endpoint(write=True)
    def update_milestone(self, actor, milestone_id, payload):
        """The same values again are a no-op: no event, no history entry."""
        actor, data = self._caller_and_payload(actor, MilestonePatchSchema, payload)
        with self.db.session() as s:
            m, c = self._child(s, actor, Milestone, milestone_id)
            changed = change_milestone(s, self.outbox, m, data, actor["user_id"])
            if changed:
                # shown on the portal or hidden from it: said with its new value, as a document's change is
                self._history(s, c, actor["user_id"], "milestone_updated", milestone_id=m.id, title=m.title,
                              fields=changed, **({"portal_visible": m.portal_visible} if "portal_visible" in changed
                                                 else {}))
            return milestone_view(m)

    @endpoint(write=True)
    def delete_milestone(self, actor, milestone_id):
        return self._delete_child(actor, Milestone, milestone_id, "milestone", milestone_event)
