"""A customer's equipment base (parc matériel): what is installed there, recorded by hand or from what it bought."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from paraph_platform.pagination import WholeListPageParams

from ...routing import call, route
from ...service_results import service_result
from .common import DEC, ID, STAFF, _dec_range, _json, bp

EQUIPMENT_STATUSES = ["in_service", "retired"]


class EquipmentIn(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    product_code = fields.String(allow_none=True, validate=validate.Length(max=64))
    serial_number = fields.String(allow_none=True, validate=validate.Length(max=100))
    quantity = fields.Decimal(validate=_dec_range(0, 10**9, min_inclusive=False), metadata={"description": "more than 0, up to 1e9; default 1"}, **DEC)
    installed_on = fields.Date(allow_none=True)
    warranty_until = fields.Date(allow_none=True, metadata={"description": "not before installed_on"})
    status = fields.String(validate=validate.OneOf(EQUIPMENT_STATUSES), metadata={"description": "default in_service"})
    notes = fields.String(validate=validate.Length(max=5000))


class EquipmentPatch(EquipmentIn):
    description = fields.String(validate=validate.Length(min=1, max=5000))


class EquipmentQuery(WholeListPageParams):
    status = fields.String(validate=validate.OneOf(EQUIPMENT_STATUSES))


class EquipmentFromContract(Schema):
    line_ids = fields.List(fields.String(validate=ID), allow_none=True, validate=validate.Length(min=1, max=1000),
                           metadata={"description": "default: every taken line with a product code"})
    installed_on = fields.Date(allow_none=True)
    warranty_until = fields.Date(allow_none=True, metadata={"description": "not before installed_on"})


class EquipmentSource(Schema):
    contract_id = fields.String()
    number = fields.String()
    line_id = fields.String(allow_none=True)


class Equipment(Schema):
    id = fields.String()
    customer_id = fields.String()
    product_code = fields.String(allow_none=True)
    description = fields.String()
    serial_number = fields.String(allow_none=True)
    quantity = fields.String()
    installed_on = fields.Date(allow_none=True)
    warranty_until = fields.Date(allow_none=True)
    under_warranty = fields.Boolean()
    status = fields.String(metadata={"enum": EQUIPMENT_STATUSES})
    notes = fields.String()
    source = fields.Nested(EquipmentSource, allow_none=True,
                           metadata={"description": "the order/invoice line it was recorded from"})
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


@route(bp, "/customers/<customer_id>/equipment", ["GET"], query=EquipmentQuery,
       response=service_result("contracts", "list_equipment"), roles=STAFF, tags=["equipment"])
def list_equipment(actor, customer_id, query):
    """A customer's equipment base: what is installed at the customer, with serial numbers and warranty.

    Pages of up to 200 (the default: the whole base for most customers), then by `next_cursor`."""
    return call("contracts", "list_equipment", actor, customer_id, query)


@route(bp, "/customers/<customer_id>/equipment", ["POST"], body=EquipmentIn,
       response=service_result("contracts", "add_equipment"), roles=STAFF, status=201, tags=["equipment"])
def add_equipment(actor, customer_id, body):
    """Add an item to a customer's equipment base by hand."""
    return call("contracts", "add_equipment", actor, customer_id, _json(body))


@route(bp, "/equipment/<equipment_id>", ["PATCH"], body=EquipmentPatch,
       response=service_result("contracts", "update_equipment"), roles=STAFF, tags=["equipment"])
def update_equipment(actor, equipment_id, body):
    """Edit an item (serial number, dates, notes) or retire it."""
    return call("contracts", "update_equipment", actor, equipment_id, _json(body))


@route(bp, "/equipment/<equipment_id>", ["DELETE"], roles=STAFF, tags=["equipment"], status=204)
def delete_equipment(actor, equipment_id):
    """Remove an item entered by mistake (retire it instead to keep its history)."""
    call("contracts", "delete_equipment", actor, equipment_id)
    return None


@route(bp, "/contracts/<contract_id>/equipment", ["GET"], query=EquipmentQuery,
       response=service_result("contracts", "contract_equipment"), roles=STAFF, tags=["equipment"])
def contract_equipment(actor, contract_id, query):
    """The equipment base of a quote's or contract's customer, opened from the quote."""
    return call("contracts", "contract_equipment", actor, contract_id, query)


@route(bp, "/contracts/<contract_id>/equipment", ["POST"], body=EquipmentFromContract,
       response=service_result("contracts", "record_equipment"), roles=STAFF, tags=["equipment"])
def record_equipment(actor, contract_id, body):
    """Record what the customer bought in its equipment base: the taken lines (not optional, or optional and
    selected) of a confirmed or delivered order, an issued or paid invoice, a signed contract or an accepted
    quote; by default every such line with a product code. Lines already recorded are skipped."""
    return call("contracts", "record_equipment", actor, contract_id, _json(body))
