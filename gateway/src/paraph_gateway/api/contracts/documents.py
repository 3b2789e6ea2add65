"""Contracts, quotes, orders and invoices: their lines and totals, lifecycle, history and PDF, and the operator's
automatic abandon of unsigned contracts."""
from __future__ import annotations

from paraph_platform.actor import STAFF_ROLES

from ...downloads import InlineQuery, file_response
from ...routing import call, forward, route
from ...service_results import service_params, service_result
from ..identity import _operator
from .common import bp


@route(bp, "/contracts", ["GET"], query=service_params("contracts", "list_contracts"),
       response=service_result("contracts", "list_contracts"), roles=STAFF_ROLES, tags=["contracts"])
def list_contracts(actor, query):
    """Contracts, quotes, orders and invoices of customers you can see.

    Pages by cursor: pass the answer's `next_cursor` as `cursor` for the next page (page 2,000 costs what page
    1 costs); `count=true` for `total`; `offset` (bounded) stays for compatibility."""
    return call("contracts", "list_contracts", actor, query)


@route(bp, "/quotes", ["GET"], query=service_params("contracts", "list_contracts", not_from_client=("kind",)),
       response=service_result("contracts", "list_contracts"), roles=STAFF_ROLES, tags=["quotes"])
def list_quotes(actor, query):
    """Quotes, with how many times each was viewed and downloaded online."""
    return call("contracts", "list_contracts", actor, {**query, "kind": "quote"})


forward(bp, "POST", "/contracts", "contracts.create_contract", roles=STAFF_ROLES, status=201, tags=["contracts"], timeout=20,
        doc="Create a contract or a quote for a customer (from the account, a contact or a deal).")


@route(bp, "/quotes", ["POST"], body=service_params("contracts", "create_contract"),
       response=service_result("contracts", "create_contract"), roles=STAFF_ROLES, status=201, tags=["quotes"])
def create_quote(actor, body):
    """Create a quote with product lines and optional products."""
    return call("contracts", "create_contract", actor, {**body, "kind": "quote"}, timeout=20)


forward(bp, "POST", "/quotes/totals", "contracts.compute_totals", roles=STAFF_ROLES, tags=["quotes"], endpoint="quote_totals",
        doc="""The totals of lines as a saved quote would have them (optional products count only when selected,
    taxes by rate), without saving anything: a quote editor shows them while lines are typed.""")

forward(bp, "GET", "/contracts/<contract_id>", "contracts.get_contract", roles=STAFF_ROLES, tags=["contracts"],
        doc="A contract or quote with lines, totals, attachments, milestones, tasks and portal visibility.")

forward(bp, "PATCH", "/contracts/<contract_id>", "contracts.update_contract", roles=STAFF_ROLES, tags=["contracts"],
        timeout=20, doc="""Edit a contract; `expected_version` refuses the change if someone else changed it meanwhile.

    The history entry and contract.updated.v1 name the fields that really changed; the same values again are a
    no-op answering the contract as it is (no history entry, no event, `version` and `updated_at` stay).""")

forward(bp, "POST", "/contracts/<contract_id>/status", "contracts.change_status", roles=STAFF_ROLES, tags=["contracts"],
        doc="Move a contract through its lifecycle (draft, sent, signed/accepted, validated, refused, abandoned).")

forward(bp, "POST", "/contracts/<contract_id>/mark-sent", "contracts.mark_sent", roles=STAFF_ROLES, tags=["contracts"],
        doc="Record that the document was sent to the customer outside Paraph (or a reminder was).")

forward(bp, "POST", "/contracts/<contract_id>/duplicate", "contracts.duplicate", roles=STAFF_ROLES, status=201,
        tags=["contracts"], doc="Duplicate a contract or quote (new number, draft).")

forward(bp, "POST", "/contracts/<contract_id>/convert", "contracts.convert", roles=STAFF_ROLES, status=201, tags=["quotes"],
        doc="Create a customer order or an invoice from a quote.")

forward(bp, "GET", "/contracts/<contract_id>/history", "contracts.history", roles=STAFF_ROLES, tags=["contracts"],
        doc="Every change of the contract, with who and when (online views and downloads included).")


@route(bp, "/contracts/<contract_id>/pdf", ["GET"], query=InlineQuery, roles=STAFF_ROLES, tags=["contracts"],
       responses={200: "application/pdf"})
def download_pdf(actor, contract_id, query):
    """The contract's PDF (rendered from its type's template, in the contract's own `locale`)."""
    return file_response(call("contracts", "download_pdf", actor, contract_id, timeout=60), inline=query["inline"])


@route(bp, "/operator/abandon-scan", ["POST"], body=service_params("contracts", "run_abandon"),
       response=service_result("contracts", "run_abandon"), public=True, tags=["operator"])
def abandon_scan(body):
    """Run the automatic abandon of unsigned contracts now (operator token)."""
    return call("contracts", "run_abandon", _operator(), body, timeout=120)
