"""Schemas of the license's settings: custom columns and flags."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from paraph_platform.numbers import Integer

from ..logic import COLUMN_TYPES, MERGE_FIELD_RE
from . import StrictSchema


# a column's place among the license's columns (an INTEGER column: 32 bits)
COLUMN_POSITION = validate.Range(min=0, max=10_000)


class ColumnInSchema(StrictSchema):
    key = fields.String(required=True, validate=validate.Regexp(MERGE_FIELD_RE, error="lowercase letters, digits, _"))
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    type = fields.String(required=True, validate=validate.OneOf(COLUMN_TYPES))
    choices = fields.List(fields.String(validate=validate.Length(max=120)), load_default=list,
                          validate=validate.Length(max=100))
    position = Integer(load_default=0, validate=COLUMN_POSITION)

    @validates_schema(skip_on_field_errors=False)  # said with a wrong key, not at the next try
    def _choices(self, data, **kwargs):
        if data.get("type") == "choice" and not data.get("choices"):
            raise ValidationError("a choice column needs choices", "choices")


class ColumnPatchSchema(StrictSchema):
    label = fields.String(validate=validate.Length(min=1, max=120))
    choices = fields.List(fields.String(validate=validate.Length(max=120)), validate=validate.Length(max=100))
    position = Integer(validate=COLUMN_POSITION)


class FlagInSchema(StrictSchema):
    key = fields.String(required=True, validate=validate.Regexp(MERGE_FIELD_RE, error="lowercase letters, digits, _"))
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    color = fields.String(load_default="#2f80ed", validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$"))


class FlagPatchSchema(StrictSchema):
    label = fields.String(validate=validate.Length(min=1, max=120))
    color = fields.String(validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$"))
