"""Milestones of a contract, shown on the customer portal."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...routing import call, route
from ...service_results import service_result
from .common import STAFF, _json, bp

class MilestoneIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(validate=validate.Length(max=5000))
    due_date = fields.Date(allow_none=True)
    portal_visible = fields.Boolean()
    done = fields.Boolean()


class MilestonePatch(MilestoneIn):
    title = fields.String(validate=validate.Length(min=1, max=300))


@route(bp, "/contracts/<contract_id>/milestones", ["POST"], body=MilestoneIn,
       response=service_result("contracts", "add_milestone"), roles=STAFF, status=201, tags=["milestones"])
def add_milestone(actor, contract_id, body):
    """Add a milestone (visible on the portal by default)."""
    return call("contracts", "add_milestone", actor, contract_id, _json(body))


@route(bp, "/milestones/<milestone_id>", ["PATCH"], body=MilestonePatch,
       response=service_result("contracts", "update_milestone"), roles=STAFF, tags=["milestones"])
def update_milestone(actor, milestone_id, body):
    """Edit a milestone, mark it done, show or hide it on the portal."""
    return call("contracts", "update_milestone", actor, milestone_id, _json(body))


@route(bp, "/milestones/<milestone_id>", ["DELETE"], roles=STAFF, tags=["milestones"], status=204)
def delete_milestone(actor, milestone_id):
    """Delete a milestone."""
    call("contracts", "delete_milestone", actor, milestone_id)
    return None
