"""Deals: the sales opportunities of a customer, which its quotes, contracts, orders and invoices belong to."""
from __future__ import annotations

from paraph_platform.actor import STAFF_ROLES

from ...routing import call, forward, route
from ...service_results import service_params, service_result
from .common import bp


@route(bp, "/deals", ["GET"], query=service_params("contracts", "list_deals"),
       response=service_result("contracts", "list_deals"), roles=STAFF_ROLES, tags=["deals"])
def list_deals(actor, query):
    """Deals (sales opportunities) of the customers you can see.

    Pages by cursor: pass the answer's `next_cursor` as `cursor` for the next page; `count=true` for `total`."""
    return call("contracts", "list_deals", actor, query)


forward(bp, "POST", "/deals", "contracts.create_deal", roles=STAFF_ROLES, status=201, tags=["deals"],
        doc="Open a deal for a customer; its quotes, orders and invoices then carry its `deal_id`.")

forward(bp, "GET", "/deals/<deal_id>", "contracts.get_deal", roles=STAFF_ROLES, tags=["deals"],
        doc="""A deal with the count and total of its quotes, contracts, orders and invoices
    (the documents themselves: `GET /contracts?deal_id=`).""")

forward(bp, "PATCH", "/deals/<deal_id>", "contracts.update_deal", roles=STAFF_ROLES, tags=["deals"],
        doc="Move a deal to another stage, change its amount, owner, close date or title.")

forward(bp, "DELETE", "/deals/<deal_id>", "contracts.delete_deal", roles=STAFF_ROLES, tags=["deals"], status=204,
        doc="Delete a deal opened by mistake; one with quotes, contracts, orders or invoices is closed instead (409).")
