"""perimeter's public contract (see paraph_platform.contract)."""
from marshmallow import Schema, fields

from paraph_platform.contract import Rpc
from paraph_platform.numbers import Integer
from paraph_platform.pagination import PageResult

from . import schemas


class _PerimeterEvent(Schema):
    """What the events about one perimeter (created, updated, deleted) start with: its id and name."""
    perimeter_id = fields.String(required=True)
    name = fields.String(required=True)


class PerimeterV1(_PerimeterEvent):
    description = fields.String(required=True)


class PerimeterDeletedV1(_PerimeterEvent):
    pass


class AssignmentsChangedV1(Schema):
    license_id = fields.String(required=True)
    subject_type = fields.String(required=True, metadata={"enum": ["user", "customer", "contract_type"]})
    subject_id = fields.String(required=True)
    perimeter_ids = fields.List(fields.String(), required=True)
    version = Integer(required=True, metadata={"description": "apply only if newer than what you hold"})


class AssignmentsResult(Schema):
    subject_type = fields.String(required=True)
    subject_id = fields.String(required=True)
    perimeter_ids = fields.List(fields.String(), required=True)
    version = Integer(required=True)


class AssignmentsDetail(AssignmentsResult):
    perimeters = fields.List(fields.Dict(), required=True, metadata={"description": "id, name"})


class PerimeterResult(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    counts = fields.Dict(metadata={"description": "subject type -> number of holders (list and create)"})
    members = fields.Dict(metadata={"description": "users, customers, contract_types: ids (get and set_members)"})


class PerimeterDeleted(Schema):
    deleted = fields.Boolean(required=True)
    id = fields.String(required=True)
    reassigned = Integer(required=True, metadata={"description": "users, customers and contract types it held"})


class PerimeterPage(PageResult):
    items = fields.List(fields.Nested(PerimeterResult), required=True)


class FilterResult(Schema):
    where = fields.String(required=True, allow_none=True,
                          metadata={"description": "SQL condition over alias `scope`; '' = all, null = none"})
    perimeters = fields.List(fields.String(), required=True)
    version = Integer(required=True, metadata={
        "description": "version of the actor's assignments the filter was compiled from (0: never assigned)"})


class FilterVersionResult(Schema):
    version = Integer(required=True, metadata={
        "description": "current version of the actor's assignments: a cached filter of another version is stale"})


EVENTS = {
    "perimeter.created.v1": PerimeterV1,
    "perimeter.updated.v1": PerimeterV1,
    "perimeter.deleted.v1": PerimeterDeletedV1,
    "perimeter.assignments_changed.v1": AssignmentsChangedV1,
}
INTERNAL_EVENTS: set = set()

RPC = {
    "create_perimeter": Rpc(schemas.PerimeterInSchema, PerimeterResult, args=("actor",)),
    "list_perimeters": Rpc(schemas.PerimeterListSchema, PerimeterPage, args=("actor",)),
    "get_perimeter": Rpc(result=PerimeterResult, args=("actor", "perimeter_id")),
    "update_perimeter": Rpc(schemas.PerimeterPatchSchema, PerimeterResult, args=("actor", "perimeter_id")),
    "delete_perimeter": Rpc(result=PerimeterDeleted, args=("actor", "perimeter_id", "force"),
                            description="refused (409) while it is the only perimeter of a customer or contract "
                                        "type, unless force"),
    "set_members": Rpc(schemas.MembersSchema, PerimeterResult, args=("actor", "perimeter_id")),
    "get_assignments": Rpc(result=AssignmentsDetail, args=("actor", "subject_type", "subject_id")),
    "set_assignments": Rpc(schemas.AssignSchema, AssignmentsResult, args=("actor", "subject_type", "subject_id")),
    "inherit": Rpc(result=AssignmentsResult, args=("actor", "subject_type", "subject_id")),
    "compile_filter": Rpc(result=FilterResult, args=("actor", "dialect")),
    "filter_version": Rpc(result=FilterVersionResult, args=("actor",)),
    "decide": Rpc(args=("actor", "perimeter_ids")),
    "perimeters_of": Rpc(args=("license_id", "subject_type", "subject_ids")),
    "export_assignments": Rpc(args=("license_id", "subject_type", "after", "limit")),
}
# subjects are registered in their license from their owning services' creation events
CONSUMES_EVENTS = {
    ("identity", "user.invited.v1"): ["user_id"],
    ("identity", "user.activated.v1"): ["user_id"],
    ("identity", "service_account.created.v1"): ["service_account_id"],
    ("contracts", "customer.created.v1"): ["customer_id"],
    ("contracts", "contract_type.created.v1"): ["contract_type_id"],
}
# ... and asked to them for ids not registered yet (created before registration, or event not relayed yet)
CONSUMES_RPC = {
    ("identity", "known_users_internal"): ["ids"],
    ("contracts", "known_subjects_internal"): ["ids"],
}
