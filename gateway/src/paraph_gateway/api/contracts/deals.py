"""Deals: the sales opportunities of a customer, which its quotes, contracts, orders and invoices belong to."""
from __future__ import annotations

from marshmallow import fields, validate

from paraph_platform.pagination import PageParams

from ...routing import call, forward, route
from ...service_results import service_result
from .common import ID, STAFF, _json, bp

DEAL_STAGES = ("prospecting", "qualification", "proposal", "negotiation", "won", "lost")
DEAL_SORT_KEYS = ("title", "customer_name", "stage", "amount", "owner_name", "expected_close_date", "created_at",
                  "updated_at")


class DealQuery(PageParams):
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "in the title or customer name"})
    stage = fields.String(validate=validate.OneOf(DEAL_STAGES))
    owner_id = fields.String(validate=ID)
    customer_id = fields.String(validate=ID)
    sort = fields.String(validate=validate.OneOf([f"{sign}{key}" for key in DEAL_SORT_KEYS for sign in ("", "-")]),
                         metadata={"description": "a column, `-` first for descending (default -updated_at): "
                                                  + ", ".join(DEAL_SORT_KEYS)})


@route(bp, "/deals", ["GET"], query=DealQuery, response=service_result("contracts", "list_deals"), roles=STAFF,
       tags=["deals"])
def list_deals(actor, query):
    """Deals (sales opportunities) of the customers you can see.

    Pages by cursor: pass the answer's `next_cursor` as `cursor` for the next page; `count=true` for `total`."""
    return call("contracts", "list_deals", actor, _json(query))


forward(bp, "POST", "/deals", "contracts.create_deal", roles=STAFF, status=201, tags=["deals"],
        doc="Open a deal for a customer; its quotes, orders and invoices then carry its `deal_id`.")

forward(bp, "GET", "/deals/<deal_id>", "contracts.get_deal", roles=STAFF, tags=["deals"],
        doc="""A deal with the count and total of its quotes, contracts, orders and invoices
    (the documents themselves: `GET /contracts?deal_id=`).""")

forward(bp, "PATCH", "/deals/<deal_id>", "contracts.update_deal", roles=STAFF, tags=["deals"],
        doc="Move a deal to another stage, change its amount, owner, close date or title.")

forward(bp, "DELETE", "/deals/<deal_id>", "contracts.delete_deal", roles=STAFF, tags=["deals"], status=204,
        doc="Delete a deal opened by mistake; one with quotes, contracts, orders or invoices is closed instead (409).")
