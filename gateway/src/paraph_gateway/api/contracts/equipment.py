"""A customer's equipment base (parc matériel): what is installed there, recorded by hand or from what it bought."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from paraph_platform.pagination import WholeListPageParams

from ...routing import forward
from .common import STAFF, bp

EQUIPMENT_STATUSES = ["in_service", "retired"]


class EquipmentQuery(WholeListPageParams):
    status = fields.String(validate=validate.OneOf(EQUIPMENT_STATUSES))


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


forward(bp, "GET", "/customers/<customer_id>/equipment", "contracts.list_equipment", query=EquipmentQuery, roles=STAFF,
        tags=["equipment"],
        doc="""A customer's equipment base: what is installed at the customer, with serial numbers and warranty.

    Pages of up to 200 (the default: the whole base for most customers), then by `next_cursor`.""")

forward(bp, "POST", "/customers/<customer_id>/equipment", "contracts.add_equipment", roles=STAFF, status=201,
        tags=["equipment"], doc="Add an item to a customer's equipment base by hand.")

forward(bp, "PATCH", "/equipment/<equipment_id>", "contracts.update_equipment", roles=STAFF, tags=["equipment"],
        doc="Edit an item (serial number, dates, notes) or retire it.")

forward(bp, "DELETE", "/equipment/<equipment_id>", "contracts.delete_equipment", roles=STAFF, tags=["equipment"],
        status=204, doc="Remove an item entered by mistake (retire it instead to keep its history).")

forward(bp, "GET", "/contracts/<contract_id>/equipment", "contracts.contract_equipment", query=EquipmentQuery,
        roles=STAFF, tags=["equipment"],
        doc="The equipment base of a quote's or contract's customer, opened from the quote.")

forward(bp, "POST", "/contracts/<contract_id>/equipment", "contracts.record_equipment", roles=STAFF, tags=["equipment"],
        doc="""Record what the customer bought in its equipment base: the taken lines (not optional, or optional and
    selected) of a confirmed or delivered order, an issued or paid invoice, a signed contract or an accepted
    quote; by default every such line with a product code. Lines already recorded are skipped.""")
