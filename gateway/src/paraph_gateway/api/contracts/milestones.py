"""Milestones of a contract, shown on the customer portal."""
from __future__ import annotations

from paraph_platform.actor import STAFF_ROLES

from ...routing import forward
from .common import bp


forward(bp, "POST", "/contracts/<contract_id>/milestones", "contracts.add_milestone", roles=STAFF_ROLES, status=201,
        tags=["milestones"], doc="Add a milestone (visible on the portal by default).")

forward(bp, "PATCH", "/milestones/<milestone_id>", "contracts.update_milestone", roles=STAFF_ROLES, tags=["milestones"],
        doc="Edit a milestone, mark it done, show or hide it on the portal.")

forward(bp, "DELETE", "/milestones/<milestone_id>", "contracts.delete_milestone", roles=STAFF_ROLES, tags=["milestones"],
        status=204, doc="Delete a milestone.")
