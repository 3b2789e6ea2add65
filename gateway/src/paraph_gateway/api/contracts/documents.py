"""Contracts, quotes, orders and invoices: their lines and totals, lifecycle, history and PDF, and the operator's
automatic abandon of unsigned contracts."""
from __future__ import annotations

from datetime import timezone

from flask import request
from marshmallow import Schema, fields, validate

from paraph_platform.pagination import PageParams

from ...downloads import file_response
from ...routing import call, forward, route
from ...service_results import service_params, service_result
from ..identity import _operator
from .common import ID, STAFF, _json, bp

# the columns a list of contracts sorts by (the contracts service's ListSchema checks the same names)
LIST_SORT_KEYS = ("number", "title", "customer_name", "status", "owner_name", "total", "view_count",
                  "download_count", "created_at", "sent_at", "last_viewed_at")


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


forward(bp, "POST", "/contracts", "contracts.create_contract", roles=STAFF, status=201, tags=["contracts"], timeout=20,
        doc="Create a contract or a quote for a customer (from the account, a contact or a deal).")


@route(bp, "/quotes", ["POST"], body=service_params("contracts", "create_contract"),
       response=service_result("contracts", "create_contract"), roles=STAFF, status=201, tags=["quotes"])
def create_quote(actor, body):
    """Create a quote with product lines and optional products."""
    return call("contracts", "create_contract", actor, {**body, "kind": "quote"}, timeout=20)


forward(bp, "POST", "/quotes/totals", "contracts.compute_totals", roles=STAFF, tags=["quotes"], endpoint="quote_totals",
        doc="""The totals of lines as a saved quote would have them (optional products count only when selected,
    taxes by rate), without saving anything: a quote editor shows them while lines are typed.""")

forward(bp, "GET", "/contracts/<contract_id>", "contracts.get_contract", roles=STAFF, tags=["contracts"],
        doc="A contract or quote with lines, totals, attachments, milestones, tasks and portal visibility.")

forward(bp, "PATCH", "/contracts/<contract_id>", "contracts.update_contract", roles=STAFF, tags=["contracts"],
        timeout=20, doc="Edit a contract; `expected_version` refuses the change if someone else changed it meanwhile.")

forward(bp, "POST", "/contracts/<contract_id>/status", "contracts.change_status", roles=STAFF, tags=["contracts"],
        doc="Move a contract through its lifecycle (draft, sent, signed/accepted, validated, refused, abandoned).")

forward(bp, "POST", "/contracts/<contract_id>/mark-sent", "contracts.mark_sent", roles=STAFF, tags=["contracts"],
        doc="Record that the document was sent to the customer outside Paraph (or a reminder was).")

forward(bp, "POST", "/contracts/<contract_id>/duplicate", "contracts.duplicate", roles=STAFF, status=201,
        tags=["contracts"], doc="Duplicate a contract or quote (new number, draft).")

forward(bp, "POST", "/contracts/<contract_id>/convert", "contracts.convert", roles=STAFF, status=201, tags=["quotes"],
        doc="Create a customer order or an invoice from a quote.")

forward(bp, "GET", "/contracts/<contract_id>/history", "contracts.history", roles=STAFF, tags=["contracts"],
        doc="Every change of the contract, with who and when (online views and downloads included).")


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
