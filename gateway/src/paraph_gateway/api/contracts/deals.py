"""Deals: the sales opportunities of a customer, which its quotes, contracts, orders and invoices belong to."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from paraph_platform.pagination import PageParams

from ...routing import call, route
from ...service_results import service_result
from .common import DEC, ID, STAFF, _dec_range, _json, bp

DEAL_STAGES = ("prospecting", "qualification", "proposal", "negotiation", "won", "lost")
DEAL_SORT_KEYS = ("title", "customer_name", "stage", "amount", "owner_name", "expected_close_date", "created_at",
                  "updated_at")


class DealIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    customer_id = fields.String(required=True, validate=ID)
    stage = fields.String(validate=validate.OneOf(DEAL_STAGES), metadata={"description": "default prospecting"})
    amount = fields.Decimal(allow_none=True, places=2, validate=_dec_range(0, 10**12, max_inclusive=False),
                            metadata={"description": "expected amount excl. tax, 0 to under 1e12"}, **DEC)
    currency = fields.String(allow_none=True, validate=validate.Regexp(r"^[A-Z]{3}$"),
                             metadata={"description": "default: the customer's, else the license's"})
    owner_id = fields.String(allow_none=True, validate=ID, metadata={"description": "default: you"})
    expected_close_date = fields.Date(allow_none=True)
    notes = fields.String(validate=validate.Length(max=20000))


class DealPatch(DealIn):
    class Meta:
        exclude = ("customer_id",)

    title = fields.String(validate=validate.Length(min=1, max=300))
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    owner_id = fields.String(validate=ID)
    expected_version = fields.Integer(validate=validate.Range(min=1),
                                      metadata={"description": "refuse the change if the deal changed since"})


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


@route(bp, "/deals", ["POST"], body=DealIn, response=service_result("contracts", "create_deal"), roles=STAFF,
       status=201, tags=["deals"])
def create_deal(actor, body):
    """Open a deal for a customer; its quotes, orders and invoices then carry its `deal_id`."""
    return call("contracts", "create_deal", actor, _json(body))


@route(bp, "/deals/<deal_id>", ["GET"], response=service_result("contracts", "get_deal"), roles=STAFF, tags=["deals"])
def get_deal(actor, deal_id):
    """A deal with the count and total of its quotes, contracts, orders and invoices
    (the documents themselves: `GET /contracts?deal_id=`)."""
    return call("contracts", "get_deal", actor, deal_id)


@route(bp, "/deals/<deal_id>", ["PATCH"], body=DealPatch, response=service_result("contracts", "update_deal"),
       roles=STAFF, tags=["deals"])
def update_deal(actor, deal_id, body):
    """Move a deal to another stage, change its amount, owner, close date or title."""
    return call("contracts", "update_deal", actor, deal_id, _json(body))


@route(bp, "/deals/<deal_id>", ["DELETE"], roles=STAFF, tags=["deals"], status=204)
def delete_deal(actor, deal_id):
    """Delete a deal opened by mistake; one with quotes, contracts, orders or invoices is closed instead (409)."""
    call("contracts", "delete_deal", actor, deal_id)
    return None
