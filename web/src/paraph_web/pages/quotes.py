"""The quote editor: ``/quotes/new`` (a new draft quote), ``/contracts/new`` (the same editor in contract mode:
a new draft contract) and ``/contracts/<id>/edit`` (a draft quote or contract), one page whose ``kind``
("quote" or "contract") says what is made: its title, buttons and hints, and the contract types offered (a
type is for quotes or for contracts: the API refuses the other kind). In contract mode the type is chosen
first when the license has contract types; lines and totals are the same (a contract keeps lines too).

What it edits: the contract type (the pickers offer only what the salesperson's perimeters allow: the API
filters), the customer and one of its contacts, the lines (product code, designation, quantity, unit, unit
price, discount, tax rate; optional products, selected or not), the type's merge fields (required ones
marked), the license's custom columns and flags.

It works without JavaScript: every button posts the whole form, and ``action`` says what to do with it
(save, recalculate, add a line, remove or move line ``n``, show the chosen customer's contacts and the
chosen type's fields). With JavaScript, htmx asks ``/quotes/totals`` for the totals while lines are typed.
Totals always come from the API (``POST /quotes/totals``, the saved quote's own rule): never computed here.

"+ Quote" and "+ Contract" pre-fill what they know: ``?customer_id=`` (a customer file), ``?contact_id=`` (a
contact: its customer and itself), ``?deal_id=`` (a deal: its customer, and the document is created in the deal).
"""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from paraph_platform.company_country import standard_vat_rate

from .. import api
from ..api import ApiError
from ..auth import signed_in
from ..i18n import COMPANY_COUNTRY
from . import pickers
from .forms import as_typed, errors_on_page, typed_number, whole_number, with_chosen
from .settings_license import document_defaults

bp = Blueprint("quotes", __name__)

LINE_FIELDS = ("product_code", "description", "quantity", "unit", "unit_price", "discount_pct", "tax_rate")
NUMERIC_LINE_FIELDS = ("quantity", "unit_price", "discount_pct", "tax_rate")
LINE_ACTION = re.compile(r"^(remove|up|down)-(\d+)$")
MAX_LINES = 1000  # the API's limit
KINDS = ("quote", "contract")  # what the editor makes (orders and invoices come from a quote)


# -- reading the form ---------------------------------------------------------------------------

def lines_from_form() -> list[dict]:
    """The lines posted as ``lines.<n>.<field>`` (``line_count`` of them), in order; a blank one stays on
    the page (a line just added) and is left out when the quote is saved."""
    count = whole_number(request.form.get("line_count", "0"))
    count = min(count, MAX_LINES) if isinstance(count, int) else 0
    lines = []
    for n in range(count):
        line = {key: request.form.get(f"lines.{n}.{key}", "").strip() for key in LINE_FIELDS}
        line["optional"] = request.form.get(f"lines.{n}.optional") == "on"
        line["selected"] = line["optional"] and request.form.get(f"lines.{n}.selected") == "on"
        lines.append(line)
    return lines


def new_line(lines: list[dict]) -> dict:
    """A line added to ``lines``: its tax rate already written, the last line's (a quote's lines mostly share one),
    for the first the standard rate of the company's country; a field's placeholder instead left the rate unsent,
    so a line that seemed at 20 % was saved at 0 %."""
    rate = next((line["tax_rate"] for line in reversed(lines) if line["tax_rate"]), "")
    return {**{key: "" for key in LINE_FIELDS}, "tax_rate": rate or standard_vat_rate(session.get(COMPANY_COUNTRY)),
            "optional": False, "selected": False}


def is_blank(line: dict) -> bool:
    """Nothing typed on the line (the tax rate it starts with aside): left out when the quote is saved."""
    return not any(line[key] for key in LINE_FIELDS if key != "tax_rate")


def quote_from_form(kind: str) -> dict:
    """The quote (or contract, by ``kind``) as the editor shows it, from the posted form (values kept as typed)."""
    form = request.form
    return {
        "kind": kind, "id": form.get("quote_id", ""), "version": form.get("version", ""),
        "currency": form.get("currency", ""),
        "title": form.get("title", "").strip(), "customer_id": form.get("customer_id", ""),
        "contact_id": form.get("contact_id", ""), "contract_type_id": form.get("contract_type_id", ""),
        "deal_id": form.get("deal_id", ""), "deal_title": form.get("deal_title", ""),
        "valid_until": form.get("valid_until", ""),
        "data": {key[len("data."):]: value for key, value in form.items() if key.startswith("data.")},
        "custom": {key[len("custom."):]: value for key, value in form.items() if key.startswith("custom.")},
        "flags": form.getlist("flags"), "lines": lines_from_form(),
    }


def quote_from_contract(contract: dict) -> dict:
    """A saved quote as the editor shows it."""
    return {
        "kind": contract["kind"], "id": contract["id"], "version": contract.get("version", ""),
        "currency": contract.get("currency") or "",
        "title": contract.get("title") or "",
        "customer_id": contract.get("customer_id") or "", "contact_id": contract.get("contact_id") or "",
        "contract_type_id": contract.get("contract_type_id") or "", "deal_id": contract.get("deal_id") or "",
        "valid_until": contract.get("valid_until") or "", "data": dict(contract.get("data") or {}),
        "custom": {k: "" if v is None else v for k, v in (contract.get("custom") or {}).items()},
        "flags": list(contract.get("flags") or []),
        "lines": [{**{key: line.get(key) or "" for key in LINE_FIELDS},
                   **{key: as_typed(line.get(key), money=key == "unit_price") for key in NUMERIC_LINE_FIELDS},
                   "optional": bool(line.get("optional")), "selected": bool(line.get("selected"))}
                  for line in contract.get("lines") or []],
    }


def api_line(line: dict) -> dict:
    body = {key: line[key] or None for key in ("product_code", "description", "unit")}
    body.update({key: typed_number(line[key]) for key in NUMERIC_LINE_FIELDS if line[key]})
    body.update(optional=line["optional"], selected=line["selected"])
    return body


def custom_value(column: dict, value: str):
    """A custom column's value as typed in a form (``ui.typed_field``), as the API takes it: empty is no value."""
    if value == "":
        return None
    if column["type"] == "boolean":
        return value == "true"
    if column["type"] == "number":
        return typed_number(value)
    return value


def _merge_value(field: dict, value: str):
    if field.get("type") == "boolean":
        return value == "true"
    if field.get("type") == "number" and value:
        return typed_number(value)
    return value


def api_body(quote: dict, choices: dict) -> dict:
    """What the API is sent to save the quote (create: everything; edit: what a draft may change)."""
    columns = {c["key"]: c for c in choices["columns"]}
    fields = {f["key"]: f for f in choices["merge_fields"]}
    body = {
        "title": quote["title"], "contact_id": quote["contact_id"] or None,
        "valid_until": quote["valid_until"] or None, "flags": quote["flags"],
        # an unticked yes/no field is an answer (no), not a missing value
        "data": {**{key: False for key, f in fields.items() if f.get("type") == "boolean"},
                 **{key: _merge_value(fields[key], value) for key, value in quote["data"].items() if key in fields}},
        "custom": {key: custom_value(columns[key], value) for key, value in quote["custom"].items()
                   if key in columns},
        "lines": [api_line(line) for line in quote["lines"] if not is_blank(line)],
    }
    if not quote["id"]:
        body.update(kind=quote["kind"], customer_id=quote["customer_id"] or None,
                    contract_type_id=quote["contract_type_id"] or None)
        if quote["deal_id"]:
            body["deal_id"] = quote["deal_id"]
    else:
        version = whole_number(quote["version"])
        body["expected_version"] = version if isinstance(version, int) else None
        body = {k: v for k, v in body.items() if v is not None or k in ("contact_id", "valid_until")}
    return body


# -- what the pickers offer ------------------------------------------------------------------------

def editor_choices(quote: dict) -> dict:
    """Customers and quote types the salesperson may use (the API filters by perimeter), the chosen
    customer's contacts, the chosen type's merge fields, the license's custom columns and flags."""
    # asked at once (the page waits for the slowest, not for their sum)
    page, types, columns, flags = api.get_many(pickers.first_page("customers"), ("/contract-types", {}),
                                               ("/settings/columns", {}), ("/settings/flags", {}))
    customer = None
    if quote["customer_id"]:
        try:  # with its contacts (a list's items have none)
            customer = api.get(f"/customers/{quote['customer_id']}")
        except ApiError as exc:
            if exc.status != 404:
                raise
            quote["customer_id"] = ""  # gone from the perimeter meanwhile
    # the chosen customer is offered even beyond the picker's first page
    customers = pickers.picker("customers", quote["customer_id"], page, known=[customer] if customer else [])
    types = [t for t in types if t.get("kind", "quote") == quote["kind"]]
    # an edited quote of an archived type keeps it
    chosen_type = with_chosen(types, quote["contract_type_id"], f"/contract-types/{quote['contract_type_id']}")
    return {"customers": customers, "contract_types": types,
            "contacts": (customer or {}).get("contacts") or [],
            "customer_currency": (customer or {}).get("currency") or "",
            "merge_fields": (chosen_type or {}).get("merge_fields") or [],
            "columns": columns, "flags": flags,
            "flag_choices": [{"id": f["key"], "label": f["label"]} for f in flags]}


def totals_of(lines: list[dict]) -> tuple[dict | None, dict]:
    """(totals, field errors) of the lines, by the API; lines not complete yet (no quantity or price) are
    left out of the totals while they are typed; a value the API refuses is said next to its field."""
    indexed = [(n, line) for n, line in enumerate(lines) if line["quantity"] and line["unit_price"]]
    # the designation is not needed for a total: a line being typed may not have it yet
    body = [{**api_line(line), "description": line["description"] or "-"} for _n, line in indexed]
    try:
        totals = api.post("/quotes/totals", {"lines": body})
    except ApiError as exc:
        if exc.status != 422:
            raise
        return None, errors_on_page(exc.field_errors, "lines", [n for n, _line in indexed])
    amounts = {n: amount for (n, _line), amount in zip(indexed, totals.get("line_amounts", []))}
    return {**totals, "amounts": amounts}, {}


# -- the pages ------------------------------------------------------------------------------------

def prefilled(kind: str) -> dict:
    """A new quote (or contract) with what "+ Quote" ("+ Contract") knows: the customer file's, the contact's or
    the deal's customer."""
    quote = {"kind": kind, "id": "", "version": "", "currency": "", "title": "",
             "customer_id": request.args.get("customer_id", ""),
             "contact_id": "", "contract_type_id": request.args.get("contract_type_id", ""), "deal_id": "",
             "deal_title": "",
             "valid_until": "", "data": {}, "custom": {}, "flags": [], "lines": []}
    if request.args.get("contact_id"):
        contact = api.get(f"/contacts/{request.args['contact_id']}")
        quote.update(customer_id=contact["customer_id"], contact_id=contact["id"])
    if request.args.get("deal_id"):
        quote.update(deal_from(request.args["deal_id"], kind))
    return quote


def deal_from(deal_id: str, kind: str) -> dict:
    """The deal's customer, and the deal the quote (contract) is created in. Deals come with ``GET /deals/<id>``; a
    gateway without deals answers 404 like an unknown deal, and the quote is then started without it."""
    try:
        deal = api.get(f"/deals/{deal_id}")
    except ApiError as exc:
        if exc.status != 404:
            raise
        flash(_("This deal was not found: the contract is not linked to a deal.") if kind == "contract" else
              _("This deal was not found: the quote is not linked to a deal."), "warn")
        return {}
    return {"deal_id": deal["id"], "deal_title": deal.get("title") or "", "customer_id": deal.get("customer_id") or "",
            "title": deal.get("title") or ""}


def license_currency() -> str:
    """The license's default currency (Settings > Document defaults)."""
    return document_defaults()["currency"]


def render_editor(quote: dict, errors: dict | None = None, message: str | None = None, status: int = 200,
                  choices: dict | None = None, focus: str | None = None):
    """The editor's page; ``focus``: the id of the field it opens on (a line just added)."""
    choices = choices or editor_choices(quote)
    if quote["contact_id"] not in {c["id"] for c in choices["contacts"]}:
        quote["contact_id"] = ""  # another customer was chosen: its contacts are offered instead
    totals, line_errors = totals_of(quote["lines"])
    # a saved quote's currency; a new one will have its customer's, else the license's (the API's rule), shown
    # while it is made
    currency = quote["currency"] if quote["id"] else choices["customer_currency"] or license_currency()
    return render_template("quotes/edit.html", quote=quote, errors={**line_errors, **(errors or {})},
                           message=message, totals=totals, currency=currency, focus=focus,
                           nav="contracts" if quote["kind"] == "contract" else "quotes",
                           **choices), status


@bp.get("/contracts/new", defaults={"kind": "contract"})
@bp.get("/quotes/new", defaults={"kind": "quote"})  # registered first: url_for without kind builds it
@signed_in
def new(kind: str):
    quote = prefilled(kind)
    choices = editor_choices(quote)
    if not quote["contact_id"] and len(choices["contacts"]) == 1:  # the customer's only contact: whom it is for
        quote["contact_id"] = choices["contacts"][0]["id"]
    # the license's only type for this kind of document: chosen already, on the new page only (a form on which the
    # salesperson then chose none keeps none)
    types = choices["contract_types"]
    if not quote["contract_type_id"] and len(types) == 1:
        quote["contract_type_id"] = types[0]["id"]
        choices["merge_fields"] = types[0].get("merge_fields") or []
    return render_editor(quote, choices=choices)


@bp.get("/contracts/<contract_id>/edit")
@signed_in
def edit(contract_id: str):
    contract = api.get(f"/contracts/{contract_id}")
    if contract.get("kind") not in KINDS or contract.get("status") != "draft":
        flash(_("Only a draft contract can be edited: duplicate it to change it.") if contract.get("kind") == "contract"
              else _("Only a draft quote can be edited: duplicate it to change it."), "warn")
        return redirect(url_for("contracts.show", contract_id=contract_id))
    return render_editor(quote_from_contract(contract))


@bp.post("/contracts/new", defaults={"kind": "contract"})
@bp.post("/quotes/new", defaults={"kind": "quote"})  # registered first: url_for without kind builds it
@signed_in
def create(kind: str):
    return submit(quote_from_form(kind))


@bp.post("/contracts/<contract_id>/edit")
@signed_in
def update(contract_id: str):
    # the kind only words the page again (a saved document keeps its kind: it is not sent)
    quote = quote_from_form("contract" if request.form.get("kind") == "contract" else "quote")
    quote["id"] = contract_id
    return submit(quote)


def submit(quote: dict):
    """One of the editor's buttons: change the lines and show the page again, or save."""
    action = request.form.get("action", "save")
    lines = quote["lines"]
    move = LINE_ACTION.match(action)
    focus = None
    if action == "add-line" and len(lines) < MAX_LINES:
        lines.append(new_line(lines))
        focus = f"line-{len(lines) - 1}-product_code"  # the page opens on it, not at its top (a phone's screen)
    elif move:
        verb, n = move.group(1), int(move.group(2))
        if n < len(lines):
            if verb == "remove":
                lines.pop(n)
            elif verb == "up" and n > 0:
                lines[n - 1], lines[n] = lines[n], lines[n - 1]
            elif verb == "down" and n + 1 < len(lines):
                lines[n + 1], lines[n] = lines[n], lines[n + 1]
    if action != "save":  # recalculate, refresh the pickers, or a line changed: the page again
        return render_editor(quote, focus=focus)
    choices = editor_choices(quote)
    try:  # the API checks everything, the type's required merge fields too (said next to each field)
        if quote["id"]:
            saved = api.patch(f"/contracts/{quote['id']}", api_body(quote, choices))
        else:
            saved = api.post("/contracts", api_body(quote, choices))
    except ApiError as exc:
        if exc.status not in (400, 404, 409, 422):
            raise  # a customer or type that vanished from the perimeter meanwhile (404): said on the form
        errors = errors_on_page(exc.field_errors, "lines", [n for n, line in enumerate(quote["lines"]) if not is_blank(line)])
        # a 404 names the id that is gone ("Affaire introuvable."), maybe one the page holds in a hidden input (the
        # deal): said above the form too
        message = (" ".join(errors.values()) if exc.status == 404 else None) if errors else exc.detail
        return render_editor(quote, errors, message, status=exc.status, choices=choices)
    flash(_("The contract is saved.") if quote["kind"] == "contract" else _("The quote is saved."), "success")
    return redirect(url_for("contracts.show", contract_id=saved["id"]))


@bp.post("/quotes/totals")
@signed_in
def totals():
    """The editor's totals while lines are typed (htmx): the totals block, and each line's amount."""
    lines = lines_from_form()
    totals, errors = totals_of(lines)
    return render_template("quotes/_totals.html", totals=totals, errors=errors, lines=lines, oob=True,
                           currency=request.form.get("currency") or "EUR")
