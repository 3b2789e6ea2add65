"""Schemas of the contract types aggregate: a contract type (its template and merge fields) and the
variables a template may use."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from paraph_platform.numbers import Integer

from ..logic import MERGE_FIELD_RE
from . import LOCALES, StrictSchema


class MergeFieldSchema(StrictSchema):
    key = fields.String(required=True, validate=validate.Regexp(MERGE_FIELD_RE, error="lowercase letters, digits, _"))
    label = fields.String(load_default="", validate=validate.Length(max=120))
    type = fields.String(load_default="text", validate=validate.OneOf(["text", "number", "date", "boolean"]))
    required = fields.Boolean(load_default=False)


class ContractTypeInSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="contract", validate=validate.OneOf(["contract", "quote"]))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    template_html = fields.String(load_default="", validate=validate.Length(max=500_000))
    merge_fields = fields.List(fields.Nested(MergeFieldSchema), load_default=list, validate=validate.Length(max=200))
    locale = fields.String(load_default=None, allow_none=True, validate=LOCALES)
    attachments_portal_visible = fields.Boolean(load_default=None, allow_none=True)
    abandon_delay_days = Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650))

    @validates_schema
    def _unique_keys(self, data, **kwargs):
        keys = [f["key"] for f in data.get("merge_fields", [])]
        if len(keys) != len(set(keys)):
            raise ValidationError("merge field keys must be unique", "merge_fields")


class TemplateVariablesSchema(StrictSchema):
    locale = fields.String(load_default="en", validate=LOCALES,
                           metadata={"description": "language of the descriptions"})


class ContractTypePatchSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=5000))
    template_html = fields.String(validate=validate.Length(max=500_000))
    merge_fields = fields.List(fields.Nested(MergeFieldSchema), validate=validate.Length(max=200))
    locale = fields.String(allow_none=True, validate=LOCALES)
    attachments_portal_visible = fields.Boolean(allow_none=True)
    abandon_delay_days = Integer(allow_none=True, validate=validate.Range(min=1, max=3650))
    archived = fields.Boolean()


class TemplatePreviewSchema(StrictSchema):
    """What a contract type's PDF preview renders: the template as typed in its editor, not saved yet, or else
    the saved one."""
    template_html = fields.String(validate=validate.Length(max=500_000), metadata={
        "description": "the template to preview, as typed (nothing is saved); left out: the type's saved template; "
                       "empty: Paraph's default template, as saving it empty would make it"})
