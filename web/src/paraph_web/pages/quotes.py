"""``/quotes/new``: a draft quote for a customer, from a contract type. The pickers offer only what the
salesperson may use: the API lists the customers and contract types of their perimeters (and those in
no perimeter), so a perimeter needs nothing here."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from .. import api
from ..api import ApiError
from ..auth import signed_in
from .forms import form_values, render_with_errors

bp = Blueprint("quotes", __name__)

PICKER_LIMIT = 200  # the API's largest page


def pickers() -> dict:
    return {"customers": api.get("/customers", limit=PICKER_LIMIT)["items"],
            "contract_types": [t for t in api.get("/contract-types") if t.get("kind", "quote") == "quote"]}


@bp.get("/quotes/new")
@signed_in
def new():
    # "+ Quote" on a customer file: that customer is chosen (offered even beyond the picker's first 200)
    values = {"customer_id": request.args.get("customer_id", "")}
    choices = pickers()
    if values["customer_id"] and values["customer_id"] not in {c["id"] for c in choices["customers"]}:
        choices["customers"].insert(0, api.get(f"/customers/{values['customer_id']}"))
    return render_template("quotes/new.html", errors={}, values=values, message=None, **choices)


@bp.post("/quotes/new")
@signed_in
def create():
    form = form_values("title", "customer_id", "contract_type_id")
    body = {"kind": "quote", "title": form["title"], "customer_id": form["customer_id"] or None,
            "contract_type_id": form["contract_type_id"] or None}
    try:
        quote = api.post("/contracts", body)
    except ApiError as exc:
        if exc.status not in (400, 404, 409, 422):
            raise  # a customer or type that vanished from the perimeter meanwhile (404): said on the form
        return render_with_errors("quotes/new.html", exc, **pickers())
    return redirect(url_for("contracts.show", contract_id=quote["id"]))
