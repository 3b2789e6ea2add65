"""A customer's equipment base (parc matériel): what is installed there, recorded by hand or from what it bought."""
from __future__ import annotations

from paraph_platform.actor import STAFF_ROLES

from ...routing import forward
from ...service_results import service_params
from .common import bp


forward(bp, "GET", "/customers/<customer_id>/equipment", "contracts.list_equipment",
        query=service_params("contracts", "list_equipment"), roles=STAFF_ROLES, tags=["equipment"],
        doc="""A customer's equipment base: what is installed at the customer, with serial numbers and warranty.

    Pages of up to 200 (the default: the whole base for most customers), then by `next_cursor`.""")

forward(bp, "POST", "/customers/<customer_id>/equipment", "contracts.add_equipment", roles=STAFF_ROLES, status=201,
        tags=["equipment"], doc="Add an item to a customer's equipment base by hand.")

forward(bp, "PATCH", "/equipment/<equipment_id>", "contracts.update_equipment", roles=STAFF_ROLES, tags=["equipment"],
        doc="Edit an item (serial number, dates, notes) or retire it.")

forward(bp, "DELETE", "/equipment/<equipment_id>", "contracts.delete_equipment", roles=STAFF_ROLES, tags=["equipment"],
        status=204, doc="Remove an item entered by mistake (retire it instead to keep its history).")

forward(bp, "GET", "/contracts/<contract_id>/equipment", "contracts.contract_equipment",
        query=service_params("contracts", "contract_equipment"), roles=STAFF_ROLES, tags=["equipment"],
        doc="The equipment base of a quote's or contract's customer, opened from the quote.")

forward(bp, "POST", "/contracts/<contract_id>/equipment", "contracts.record_equipment", roles=STAFF_ROLES, tags=["equipment"],
        doc="""Record what the customer bought in its equipment base: the taken lines (not optional, or optional and
    selected) of a confirmed or delivered order, an issued or paid invoice, a signed contract or an accepted
    quote; by default every such line with a product code. Lines already recorded are skipped.""")
