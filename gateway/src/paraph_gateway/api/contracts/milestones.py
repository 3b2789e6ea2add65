"""Milestones of a contract, shown on the customer portal."""
from __future__ import annotations

from ...routing import forward
from .common import STAFF, bp


forward(bp, "POST", "/contracts/<contract_id>/milestones", "contracts.add_milestone", roles=STAFF, status=201,
        tags=["milestones"], doc="Add a milestone (visible on the portal by default).")

forward(bp, "PATCH", "/milestones/<milestone_id>", "contracts.update_milestone", roles=STAFF, tags=["milestones"],
        doc="Edit a milestone, mark it done, show or hide it on the portal.")

forward(bp, "DELETE", "/milestones/<milestone_id>", "contracts.delete_milestone", roles=STAFF, tags=["milestones"],
        status=204, doc="Delete a milestone.")
