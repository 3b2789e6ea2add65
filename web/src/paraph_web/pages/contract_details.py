"""A document's follow-up details on its page's summary card (``/contracts/<id>``, template
``contracts/_details.html``): its owner, its flags, the license's custom columns and the deal it belongs to,
shown, and changed at any status ("Edit the details"): ``PATCH /contracts/<id>`` refuses only a change of the
content (title, lines...) outside draft, and these are not content, so a sent or signed document keeps being
followed up.

The owner is offered as the lists offer it (``documents.owners_call``): managers pick among the license's active
staff (a searchable picker); the others do not get the picker (the user list is not theirs to read). The deals offered are those of the
document's customer (the API refuses another customer's). The form sends the version the page showed: a change
someone made meanwhile is refused (409) and said, with the details as they are now."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from .. import api
from ..api import ApiError
from ..auth import signed_in
from . import pickers, quote_actions
from .deals import STAGES
from .documents import owners_call
from .forms import as_typed, whole_number, with_chosen
from .quotes import custom_value

bp = Blueprint("contract_details", __name__)

FORM = "details"  # the form's name among the contract page's forms (its errors, values and message)


def values_of(contract: dict, columns: list[dict]) -> dict:
    """The form's values as the document has them (a number as the user types it: 12,5 in French)."""
    numbers = {c["key"] for c in columns if c["type"] == "number"}
    return {"owner_id": contract.get("owner_id") or "", "deal_id": contract.get("deal_id") or "",
            "flags": list(contract.get("flags") or []),
            "custom": {key: as_typed(value) if key in numbers else "" if value is None else value
                       for key, value in (contract.get("custom") or {}).items()}}


def values_posted(form) -> dict:
    """The form's values as posted (shown again next to the API's errors)."""
    return {"owner_id": form.get("owner_id", ""), "deal_id": form.get("deal_id", ""), "flags": form.getlist("flags"),
            "custom": {key[len("custom."):]: value for key, value in form.items() if key.startswith("custom.")}}


def owner_picker(contract: dict, chosen: str, users_page: dict) -> dict:
    """Whom a manager may make the owner: the license's active staff, searched when longer than a page (the API
    refuses anyone else, said next to the picker), the current owner shown even when not among them (a user
    deactivated since, marked so; an ERP import's service account), so that saving the other details keeps it."""
    owner = {"user_id": contract.get("owner_id"), "name": contract.get("owner_name"),
             "email": contract.get("owner_email") or ""}
    return pickers.picker("owners", chosen, users_page, unlisted=[owner] if owner["user_id"] else [])


def context(contract: dict, posted=None) -> dict:
    """What the summary card shows and its form offers: the license's columns and flags, the customer's deals (and
    the document's own deal), the owners a manager may pick; the form's values (``posted``: after a refusal)."""
    columns, flags, deals, *users = api.get_many(  # at once: the page waits for the slowest, not for their sum
        ("/settings/columns", {}), ("/settings/flags", {}),
        ("/deals", {"customer_id": contract["customer_id"], "limit": api.LARGEST_PAGE}), *owners_call("owners"))
    deals = deals.get("items", [])
    deal = with_chosen(deals, contract.get("deal_id"), f"/deals/{contract.get('deal_id')}")
    form = values_posted(posted) if posted is not None else values_of(contract, columns)
    return {"columns": columns, "flags": flags, "flag_choices": [{"id": f["key"], "label": f["label"]} for f in flags],
            "deals": [{"id": d["id"], "name": f"{d['title']} ({STAGES.get(d.get('stage'), d.get('stage'))})"}
                      for d in deals],
            "deal": deal, "form": form,
            "owners": owner_picker(contract, form["owner_id"], users[0]) if users else None}


def api_body(form, columns: list[dict]) -> dict:
    """The PATCH of what the form shows (an owner only when it offers one, flags only when the license has some):
    the version the page showed, so that a change made meanwhile is refused rather than overwritten."""
    version = whole_number(form.get("version", ""))
    body = {"expected_version": version if isinstance(version, int) else None,
            "deal_id": form.get("deal_id") or None,
            "custom": {c["key"]: custom_value(c, form[f"custom.{c['key']}"].strip())
                       for c in columns if f"custom.{c['key']}" in form}}
    if form.get("owner_id"):
        body["owner_id"] = form["owner_id"]
    if form.get("flags_shown"):  # no box ticked is no flag (a box unticked sends nothing)
        body["flags"] = form.getlist("flags")
    return {key: value for key, value in body.items() if key == "deal_id" or value not in (None, {})}


@bp.post("/contracts/<contract_id>/details")
@signed_in
def update(contract_id: str):
    from .contracts import render_page  # the page imports this module for its summary card
    try:
        api.patch(f"/contracts/{contract_id}", api_body(request.form, api.get("/settings/columns")))
    except ApiError as exc:
        if exc.status == 409:  # someone changed the document since the page was shown: start again from now
            return render_page(contract_id, errors={FORM: {}}, messages={FORM: _(
                "Someone else changed this document meanwhile: here are its details as they are now; make your change "
                "again.")}, status=409)
        if exc.status not in (400, 404, 422):
            raise
        return quote_actions.show_again(contract_id, FORM, exc)  # a deal gone meanwhile (404): said above the form
    flash(_("The details are saved."), "success")
    return redirect(url_for("contracts.show", contract_id=contract_id))
