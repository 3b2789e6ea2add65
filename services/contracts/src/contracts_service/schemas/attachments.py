"""Schemas of a contract's attachments."""
from __future__ import annotations

from marshmallow import fields, validate

from . import StrictSchema


class AttachmentInSchema(StrictSchema):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    content_base64 = fields.String(required=True)
    portal_visible = fields.Boolean(load_default=None, allow_none=True)
    folder = fields.String(load_default="", validate=validate.Length(max=200))


class AttachmentPatchSchema(StrictSchema):
    portal_visible = fields.Boolean()
    folder = fields.String(validate=validate.Length(max=200))
    filename = fields.String(validate=validate.Length(min=1, max=255))
