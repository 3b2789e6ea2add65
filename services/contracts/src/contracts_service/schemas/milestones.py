"""Schemas of a contract's milestones."""
from __future__ import annotations

from marshmallow import fields, validate

from paraph_platform.dates import Date

from . import StrictSchema


class MilestoneInSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    due_date = Date(load_default=None, allow_none=True)
    portal_visible = fields.Boolean(load_default=True)
    done = fields.Boolean(load_default=False)


class MilestonePatchSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=300))
    description = fields.String(validate=validate.Length(max=5000))
    due_date = Date(allow_none=True)
    portal_visible = fields.Boolean()
    done = fields.Boolean()
