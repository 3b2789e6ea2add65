"""``/deals``: a customer's sales opportunities (Initiative CRM's "affaires") — the list (stage, owner,
customer, search, sort: all in the URL; pages of 50), ``/deals/new`` (``?customer_id=`` from a customer
file) and the deal page ``/deals/<id>``: its stage, expected amount, owner and close date (edited in place),
and the quotes, contracts, orders and invoices made for it with their totals; "+ Quote" opens the quote
editor in the deal (``/quotes/new?deal_id=``).

A deal is visible when its customer is (the API filters by the customer's perimeters): the customer picker
offers the customers the user sees, and a deal of another perimeter is the 404 page."""
from __future__ import annotations


from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import api
from ..api import ApiError
from ..auth import current_user, signed_in
from . import pickers
from .documents import DOCUMENT_KINDS, filter_pickers, owners_call
from .forms import as_typed, form_values, typed_number, whole_number
from .paging import list_page

bp = Blueprint("deals", __name__)

PAGE_SIZE = 50
# the API's stages, in the pipeline's order (won and lost close a deal)
STAGES = {"prospecting": _l("Prospecting"), "qualification": _l("Qualification"), "proposal": _l("Proposal"),
          "negotiation": _l("Negotiation"), "won": _l("Won"), "lost": _l("Lost")}
SORTS = ("title", "customer_name", "stage", "amount", "owner_name", "expected_close_date", "updated_at")
DEAL_FIELDS = ("title", "stage", "amount", "owner_id", "expected_close_date", "notes")
FORM_ERRORS = (400, 409, 422)


def list_query() -> dict:
    """The API query of the list's URL: ``stage``, ``owner`` (``me`` or a user), ``customer``, ``q``, ``sort``."""
    args = request.args
    query = {"q": args.get("q", "").strip()[:200], "stage": args.get("stage") if args.get("stage") in STAGES else "",
             "customer_id": args.get("customer", "")[:64], "owner_id": args.get("owner", "")[:64],
             "sort": args.get("sort", "") if args.get("sort", "").lstrip("-") in SORTS else ""}
    if query["owner_id"] == "me":
        query["owner_id"] = (current_user() or {}).get("user_id") or ""
    return {key: value for key, value in query.items() if value}


@bp.get("/deals")
@signed_in
def index():
    query = list_query()
    page, next_url, previous_url, _filtered = list_page("/deals", query, limit=PAGE_SIZE)
    customers, *users = api.get_many(pickers.first_page("customers"), *owners_call())  # at once
    return render_template("deals/index.html", page=page, deals=page["items"], total=page["total"],
                           filters=request.args, stages=STAGES, **filter_pickers(customers, users),
                           next_url=next_url, previous_url=previous_url)


# -- create -----------------------------------------------------------------------------------------

def deal_body(*names: str) -> dict:
    """The form's fields as the API's body: the amount as typed in French or English ("12 000,50"), as the quote
    editor reads its prices; an emptied amount or close date is null; an emptied title is sent as it is (the API
    says it is required, next to the field); the owner only when the form offers it."""
    body = {}
    for key, value in form_values(*names).items():
        if key == "amount":
            body[key] = typed_number(value) or None
        elif key == "expected_close_date":
            body[key] = value or None
        elif value or key != "owner_id":
            body[key] = value
    return body


def deal_values(deal: dict) -> dict:
    """A saved deal as its form shows it: the amount as the user would type it ("12000", "11500,50" in French),
    as the quote editor shows its prices, not the API's "12000.00"."""
    return {**deal, "amount": as_typed(deal.get("amount"), money=True)}


def owner_picker(values) -> dict | None:
    """The deal's owner picker (the deal's, else the user), for managers: the others do not choose (the API makes
    them the owner); the list is the license's users, searched when longer than a page."""
    if not owners_call():
        return None
    return pickers.picker("owners", values.get("owner_id") or (current_user() or {}).get("user_id") or "")


def render_new(errors=None, values=None, message=None, status=200):
    return render_template("deals/new.html", errors=errors or {}, values=values or {}, message=message,
                           stages=STAGES, owners=owner_picker(values or {}),
                           customers=pickers.picker("customers", (values or {}).get("customer_id", ""))), status


@bp.get("/deals/new")
@signed_in
def new():
    return render_new(values={"customer_id": request.args.get("customer_id", ""), "stage": "prospecting"})


@bp.post("/deals/new")
@signed_in
def create():
    body = deal_body("customer_id", *DEAL_FIELDS)
    try:
        deal = api.post("/deals", body)
    except ApiError as exc:
        if exc.status not in FORM_ERRORS:
            raise
        return render_new(errors=exc.field_errors, values=request.form,
                          message=None if exc.field_errors else exc.detail, status=422)
    flash(_("The deal %(title)s is created.", title=deal["title"]), "success")
    return redirect(url_for("deals.show", deal_id=deal["id"]))


# -- the deal page ----------------------------------------------------------------------------------

def render_deal(deal_id: str, errors=None, values=None, message=None, status=200):
    deal = api.get(f"/deals/{deal_id}")
    documents = {kind: [] for kind in DOCUMENT_KINDS}
    for doc in api.get("/contracts", deal_id=deal_id, limit=api.LARGEST_PAGE)["items"]:
        documents.setdefault(doc["kind"], []).append(doc)
    values = deal_values(deal) if values is None else values
    return render_template("deals/show.html", deal=deal, documents=documents, document_kinds=DOCUMENT_KINDS,
                           stages=STAGES, owners=owner_picker(values), errors=errors or {}, values=values,
                           message=message), status


@bp.get("/deals/<deal_id>")
@signed_in
def show(deal_id: str):
    return render_deal(deal_id)


@bp.post("/deals/<deal_id>")
@signed_in
def update(deal_id: str):
    body = deal_body(*DEAL_FIELDS)
    version = whole_number(request.form.get("version", ""))
    if isinstance(version, int):  # someone else's change meanwhile is said, not overwritten
        body["expected_version"] = version
    try:
        api.patch(f"/deals/{deal_id}", body)
    except ApiError as exc:
        if exc.status not in FORM_ERRORS:
            raise
        message = (_("Someone else changed this deal meanwhile: here it is as it is now; make your change again.")
                   if exc.status == 409 else None if exc.field_errors else exc.detail)
        return render_deal(deal_id, errors=exc.field_errors, message=message, status=exc.status,
                           values=None if exc.status == 409 else request.form)
    flash(_("The deal is saved."), "success")
    return redirect(url_for("deals.show", deal_id=deal_id))


@bp.post("/deals/<deal_id>/delete")
@signed_in
def delete(deal_id: str):
    """A deal opened by mistake (the page offers it only while the deal holds no document)."""
    try:
        api.delete(f"/deals/{deal_id}")
    except ApiError as exc:
        if exc.status != 409:
            raise
        return render_deal(deal_id, message=exc.detail, status=409)
    flash(_("The deal is deleted."), "success")
    return redirect(url_for("deals.index"))
