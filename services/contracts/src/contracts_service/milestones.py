"""A contract's milestones: the dated steps of its execution, in order, each shown or hidden on the
customer portal.
"""
from __future__ import annotations

from sqlalchemy import func, select

from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from .base import ContractsBase
from .models import Milestone
from .schemas.milestones import MilestoneInSchema, MilestonePatchSchema


def milestone_view(m: Milestone) -> dict:
    return {"id": m.id, "contract_id": m.contract_id, "title": m.title, "description": m.description,
            "due_date": m.due_date.isoformat() if m.due_date else None, "done": m.done_at is not None,
            "done_at": iso(m.done_at), "portal_visible": m.portal_visible, "position": m.position}


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
            return milestone_view(m)

    @endpoint(write=True)
    def update_milestone(self, actor, milestone_id, payload):
        actor, data = self._caller_and_payload(actor, MilestonePatchSchema, payload)
        with self.db.session() as s:
            m, c = self._child(s, actor, Milestone, milestone_id)
            if "done" in data:
                done = data.pop("done")
                m.done_at = (m.done_at or utcnow()) if done else None
            for key, value in data.items():
                setattr(m, key, value)
            self._history(s, c, actor["user_id"], "milestone_updated", milestone_id=m.id, title=m.title)
            return milestone_view(m)

    @endpoint(write=True)
    def delete_milestone(self, actor, milestone_id):
        return self._delete_child(actor, Milestone, milestone_id, "milestone_deleted", "milestone_id")
