"""Contracts, quotes, orders and invoices: their lines and totals, lifecycle, history and PDF, and the operator's
automatic abandon of unsigned contracts."""
from __future__ import annotations

from datetime import timezone

from flask import request
from marshmallow import Schema, fields, validate

from paraph_platform.pagination import PageParams

from ...downloads import file_response
from ...routing import call, route
from ...service_results import service_result
from ..identity import _operator
from .common import DEC, ID, STAFF, _dec_range, _json, bp

# the columns a list of contracts sorts by (the contracts service's ListSchema checks the same names)
LIST_SORT_KEYS = ("number", "title", "customer_name", "status", "owner_name", "total", "view_count",
                  "download_count", "created_at", "sent_at", "last_viewed_at")


class LineIn(Schema):
    product_code = fields.String(allow_none=True, validate=validate.Length(max=64))
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    quantity = fields.Decimal(required=True, validate=_dec_range(0, 10**9),
                              metadata={"description": "0 to 1e9"}, **DEC)
    unit = fields.String(allow_none=True, validate=validate.Length(max=20))
    unit_price = fields.Decimal(required=True, validate=_dec_range(-(10**10), 10**10),
                                metadata={"description": "-1e10 to 1e10, 2 decimals"}, **DEC)
    discount_pct = fields.Decimal(validate=_dec_range(0, 100),
                                  metadata={"description": "percent, 0 to 100"}, **DEC)
    tax_rate = fields.Decimal(validate=_dec_range(0, 100),
                              metadata={"description": "percent, 0 to 100"}, **DEC)
    optional = fields.Boolean(metadata={"description": "optional product: not in the totals unless selected"})
    selected = fields.Boolean()


class TotalsIn(Schema):
    lines = fields.List(fields.Nested(LineIn), validate=validate.Length(max=1000))


class ContractIn(Schema):
    kind = fields.String(validate=validate.OneOf(["contract", "quote"]))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    customer_id = fields.String(allow_none=True, validate=ID, metadata={"description": "the account"})
    contact_id = fields.String(allow_none=True, validate=ID, metadata={"description": "or one of its contacts"})
    contract_type_id = fields.String(allow_none=True, validate=ID)
    owner_id = fields.String(allow_none=True, validate=ID, metadata={"description": "assigned salesperson"})
    currency = fields.String(allow_none=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    locale = fields.String(allow_none=True, validate=validate.OneOf(["fr", "en"]))
    data = fields.Dict(metadata={"description": "merge field values"})
    custom = fields.Dict(metadata={"description": "custom column values"})
    flags = fields.List(fields.String(validate=validate.Length(max=60)), validate=validate.Length(max=50))
    notes = fields.String(validate=validate.Length(max=20000))
    deal_ref = fields.String(allow_none=True, validate=validate.Length(max=120))
    deal_id = fields.String(allow_none=True, validate=ID,
                            metadata={"description": "the deal it belongs to: of the same customer (alone, it "
                                                     "gives the customer); null on PATCH leaves the deal"})
    valid_until = fields.Date(allow_none=True)
    lines = fields.List(fields.Nested(LineIn), validate=validate.Length(max=1000))


class ContractPatch(ContractIn):
    class Meta:
        exclude = ("kind", "customer_id", "contract_type_id")

    title = fields.String(validate=validate.Length(min=1, max=300))
    owner_id = fields.String(validate=ID, metadata={"description": "assigned salesperson"})
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    locale = fields.String(validate=validate.OneOf(["fr", "en"]))
    expected_version = fields.Integer(validate=validate.Range(min=1))


class ContractQuery(PageParams):
    kind = fields.String(validate=validate.OneOf(["contract", "quote", "order", "invoice"]))
    status = fields.String(validate=validate.Length(max=16))
    customer_id = fields.String(validate=ID)
    owner_id = fields.String(validate=ID)
    contract_type_id = fields.String(validate=ID)
    deal_id = fields.String(validate=ID, metadata={"description": "the documents of this deal"})
    custom_column = fields.String(validate=validate.Length(max=60),
                                  metadata={"description": "with `custom_value`: that custom column has that value"})
    custom_value = fields.String(validate=validate.Length(max=2000))
    flag = fields.String(validate=validate.Length(max=60))
    q = fields.String(validate=validate.Length(max=200))
    sort = fields.String(validate=validate.OneOf([f"{sign}{key}" for key in LIST_SORT_KEYS for sign in ("", "-")]),
                         metadata={"description": "a column, `-` first for descending (default: newest first): "
                                                  + ", ".join(LIST_SORT_KEYS)})
    viewed_since = fields.AwareDateTime(default_timezone=timezone.utc, metadata={
        "description": "only those the customer viewed online since then, most recently viewed first"})
    with_total = fields.Boolean(metadata={"description": "deprecated: use `count` (an alias of it)", "deprecated": True})


class StatusIn(Schema):
    status = fields.String(required=True, validate=validate.Length(min=1, max=16))
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


class SendIn(Schema):
    contact_id = fields.String(allow_none=True, validate=ID)
    reminder = fields.Boolean()


class ConvertIn(Schema):
    target = fields.String(required=True, validate=validate.OneOf(["order", "invoice"]))


class AbandonIn(Schema):
    now = fields.AwareDateTime(allow_none=True, metadata={"description": "run as of this time (tests/ops)"})


def _list(actor, query, kind=None):
    params = _json(query)
    if kind:
        params["kind"] = kind
    return call("contracts", "list_contracts", actor, params)


@route(bp, "/contracts", ["GET"], query=ContractQuery, response=service_result("contracts", "list_contracts"),
       roles=STAFF, tags=["contracts"])
def list_contracts(actor, query):
    """Contracts, quotes, orders and invoices of customers you can see.

    Pages by cursor: pass the answer's `next_cursor` as `cursor` for the next page (page 2,000 costs what page
    1 costs); `count=true` for `total`; `offset` (bounded) stays for compatibility."""
    return _list(actor, query)


@route(bp, "/quotes", ["GET"], query=ContractQuery, response=service_result("contracts", "list_contracts"),
       roles=STAFF, tags=["quotes"])
def list_quotes(actor, query):
    """Quotes, with how many times each was viewed and downloaded online."""
    return _list(actor, query, "quote")


@route(bp, "/contracts", ["POST"], body=ContractIn, response=service_result("contracts", "create_contract"),
       roles=STAFF, status=201, tags=["contracts"])
def create_contract(actor, body):
    """Create a contract or a quote for a customer (from the account, a contact or a deal)."""
    return call("contracts", "create_contract", actor, _json(body), timeout=20)


@route(bp, "/quotes", ["POST"], body=ContractIn, response=service_result("contracts", "create_contract"), roles=STAFF,
       status=201, tags=["quotes"])
def create_quote(actor, body):
    """Create a quote with product lines and optional products."""
    return call("contracts", "create_contract", actor, {**_json(body), "kind": "quote"}, timeout=20)


@route(bp, "/quotes/totals", ["POST"], body=TotalsIn, response=service_result("contracts", "compute_totals"),
       roles=STAFF, tags=["quotes"])
def quote_totals(actor, body):
    """The totals of lines as a saved quote would have them (optional products count only when selected,
    taxes by rate), without saving anything: a quote editor shows them while lines are typed."""
    return call("contracts", "compute_totals", actor, _json(body))


@route(bp, "/contracts/<contract_id>", ["GET"], response=service_result("contracts", "get_contract"), roles=STAFF,
       tags=["contracts"])
def get_contract(actor, contract_id):
    """A contract or quote with lines, totals, attachments, milestones, tasks and portal visibility."""
    return call("contracts", "get_contract", actor, contract_id)


@route(bp, "/contracts/<contract_id>", ["PATCH"], body=ContractPatch,
       response=service_result("contracts", "update_contract"), roles=STAFF, tags=["contracts"])
def update_contract(actor, contract_id, body):
    """Edit a contract; `expected_version` refuses the change if someone else changed it meanwhile."""
    return call("contracts", "update_contract", actor, contract_id, _json(body), timeout=20)


@route(bp, "/contracts/<contract_id>/status", ["POST"], body=StatusIn,
       response=service_result("contracts", "change_status"), roles=STAFF, tags=["contracts"])
def change_status(actor, contract_id, body):
    """Move a contract through its lifecycle (draft, sent, signed/accepted, validated, refused, abandoned)."""
    return call("contracts", "change_status", actor, contract_id, body)


@route(bp, "/contracts/<contract_id>/mark-sent", ["POST"], body=SendIn,
       response=service_result("contracts", "mark_sent"), roles=STAFF, tags=["contracts"])
def mark_sent(actor, contract_id, body):
    """Record that the document was sent to the customer outside Paraph (or a reminder was)."""
    return call("contracts", "mark_sent", actor, contract_id, body)


@route(bp, "/contracts/<contract_id>/duplicate", ["POST"], response=service_result("contracts", "duplicate"),
       roles=STAFF, status=201, tags=["contracts"])
def duplicate(actor, contract_id):
    """Duplicate a contract or quote (new number, draft)."""
    return call("contracts", "duplicate", actor, contract_id)


@route(bp, "/contracts/<contract_id>/convert", ["POST"], body=ConvertIn,
       response=service_result("contracts", "convert"), roles=STAFF, status=201, tags=["quotes"])
def convert(actor, contract_id, body):
    """Create a customer order or an invoice from a quote."""
    return call("contracts", "convert", actor, contract_id, body)


@route(bp, "/contracts/<contract_id>/history", ["GET"], response=service_result("contracts", "history"), roles=STAFF,
       tags=["contracts"])
def history(actor, contract_id):
    """Every change of the contract, with who and when (online views and downloads included)."""
    return call("contracts", "history", actor, contract_id)


@route(bp, "/contracts/<contract_id>/pdf", ["GET"], roles=STAFF, tags=["contracts"],
       responses={200: "application/pdf"})
def download_pdf(actor, contract_id):
    """The contract's PDF (rendered from its type's template)."""
    return file_response(call("contracts", "download_pdf", actor, contract_id, timeout=60),
                   inline=request.args.get("inline") == "1")


@route(bp, "/operator/abandon-scan", ["POST"], body=AbandonIn, response=service_result("contracts", "run_abandon"),
       public=True, tags=["operator"])
def abandon_scan(body):
    """Run the automatic abandon of unsigned contracts now (operator token)."""
    now = body.get("now")
    return call("contracts", "run_abandon", _operator(), now.isoformat() if now else None, timeout=120)
