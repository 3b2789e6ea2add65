"""perimeter's public contract (see paraph_platform.contract)."""
from marshmallow import Schema, fields

from paraph_platform.contract import Rpc

from . import schemas


class PerimeterV1(Schema):
    perimeter_id = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)


class PerimeterDeletedV1(Schema):
    perimeter_id = fields.String(required=True)
    name = fields.String(required=True)


class AssignmentsChangedV1(Schema):
    license_id = fields.String(required=True)
    subject_type = fields.String(required=True, metadata={"enum": ["user", "customer", "contract_type"]})
    subject_id = fields.String(required=True)
    perimeter_ids = fields.List(fields.String(), required=True)
    version = fields.Integer(required=True, metadata={"description": "apply only if newer than what you hold"})


class AssignmentsResult(Schema):
    subject_type = fields.String(required=True)
    subject_id = fields.String(required=True)
    perimeter_ids = fields.List(fields.String(), required=True)
    version = fields.Integer(required=True)


class FilterResult(Schema):
    where = fields.String(required=True, allow_none=True,
                          metadata={"description": "SQL condition over alias `scope`; '' = all, null = none"})
    perimeters = fields.List(fields.String(), required=True)


EVENTS = {
    "perimeter.created.v1": PerimeterV1,
    "perimeter.updated.v1": PerimeterV1,
    "perimeter.deleted.v1": PerimeterDeletedV1,
    "perimeter.assignments_changed.v1": AssignmentsChangedV1,
}
INTERNAL_EVENTS: set = set()

RPC = {
    "create_perimeter": Rpc(schemas.PerimeterInSchema, args=("actor",)),
    "set_assignments": Rpc(schemas.AssignSchema, AssignmentsResult, args=("actor", "subject_type", "subject_id")),
    "inherit": Rpc(result=AssignmentsResult, args=("actor", "subject_type", "subject_id")),
    "compile_filter": Rpc(result=FilterResult, args=("actor", "dialect")),
    "decide": Rpc(args=("actor", "perimeter_ids")),
    "perimeters_of": Rpc(args=("license_id", "subject_type", "subject_ids")),
    "export_assignments": Rpc(args=("license_id", "subject_type", "after", "limit")),
}
CONSUMES_EVENTS: dict = {}
CONSUMES_RPC: dict = {}
