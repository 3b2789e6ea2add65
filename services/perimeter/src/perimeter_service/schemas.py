"""Marshmallow schemas for perimeter RPC payloads."""
from marshmallow import Schema, fields, validate

from paraph_platform.numbers import Integer
from paraph_platform.pagination import PageParams

from .models import SUBJECT_TYPES

ID = fields.String(validate=validate.Length(min=1, max=64))


class StrictSchema(Schema):
    class Meta:
        unknown = "raise"


class PerimeterListSchema(StrictSchema, PageParams):
    # a license may define many perimeters (1,000 in the bench): paginated, by name; the pickers walk the pages
    limit = Integer(load_default=200, validate=validate.Range(min=1, max=500),
                           metadata={"description": "rows per page (default 200, at most 500)"})


class PerimeterInSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(load_default="", validate=validate.Length(max=2000))


class PerimeterPatchSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    description = fields.String(validate=validate.Length(max=2000))


class AssignSchema(StrictSchema):
    perimeter_ids = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                                validate=validate.Length(max=1000))


class MembersSchema(StrictSchema):
    """A perimeter's members by kind; a kind that is present replaces that kind's members."""
    users = fields.List(fields.String(validate=validate.Length(min=1, max=64)), validate=validate.Length(max=100000))
    customers = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                            validate=validate.Length(max=100000))
    contract_types = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                                 validate=validate.Length(max=100000))


SUBJECT_TYPE = validate.OneOf(SUBJECT_TYPES)
DIALECT = validate.OneOf(["postgresql", "sqlite", "mysql", "sqlserver"])
