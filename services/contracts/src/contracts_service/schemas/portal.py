"""Schemas of what the customer portal shows of a contract."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from . import StrictSchema


# -- portal visibility of attachments and milestones ---------------------------------------------------

class PortalVisibilitySchema(StrictSchema):
    """Show or hide at once every attachment (or those of one folder) and/or every milestone."""
    attachments = fields.Boolean()
    milestones = fields.Boolean()
    folder = fields.String(allow_none=True, validate=validate.Length(max=200),
                           metadata={"description": "with attachments: only the attachments of this folder "
                                                    "(\"\" = those outside any folder)"})

    @validates_schema
    def _something_to_change(self, data, **_):
        if "attachments" not in data and "milestones" not in data:
            raise ValidationError("Give attachments and/or milestones as true or false.", "attachments")
        if data.get("folder") is not None and "attachments" not in data:
            raise ValidationError("A folder applies to attachments: give attachments too.", "folder")
