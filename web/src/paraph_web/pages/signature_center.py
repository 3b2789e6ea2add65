"""``/contracts/<id>/signature``: the approval center and the signature center of a contract or a quote
(LEXZUR). Before a request: choose the approvers and the signers — collaborators (the active staff of the
license, ``GET /colleagues``) or the customer's contacts — and their order (equal numbers act in
parallel), then send (``POST /contracts/<id>/signature-requests``); every approver acts before any signer
is asked (the signing service's rule). During the request: each participant's status, a reminder to one
participant or to everybody whose turn it is, and the cancellation of the request (asked once). Earlier
requests stay listed with their outcome."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .. import api
from ..api import ApiError
from ..auth import signed_in
from .forms import refusal_said

bp = Blueprint("signature_center", __name__)

ROLES = ("approvers", "signers")
ROWS = 4  # people offered per center without JavaScript; a longer list is made in several sendings
ACTIVE = ("pending", "sealing")
SIGNABLE_KINDS = ("quote", "contract")
SIGNABLE_STATUSES = ("draft", "sent")
KIND_LABELS = {"user": _l("Collaborator"), "contact": _l("Customer contact"), "external": _l("Other person")}
FORM_ERRORS = (400, 404, 409, 422)


def _people(contract: dict) -> dict:
    """Whom the centers may name: the license's collaborators and the customer's contacts with an email."""
    colleagues = api.get("/colleagues")["items"]
    customer = api.get(f"/customers/{contract['customer_id']}") if contract.get("customer_id") else {}
    contacts = [c for c in customer.get("contacts") or [] if c.get("email")]
    return {"colleagues": colleagues, "contacts": contacts}


def _render(contract_id: str, values: dict | None = None, errors: list | None = None, status: int = 200):
    contract = api.get(f"/contracts/{contract_id}")
    requests = api.get("/signature-requests", contract_id=contract_id).get("items") or []
    current = next((r for r in requests if r.get("status") in ACTIVE), None)
    can_request = (current is None and contract.get("kind") in SIGNABLE_KINDS
                   and contract.get("status") in SIGNABLE_STATUSES)
    people = _people(contract) if can_request else {"colleagues": [], "contacts": []}
    if values is None:  # the contract's contact signs by default
        values = {"signers-0-person": f"contact:{contract['contact_id']}" if contract.get("contact_id") else ""}
    return render_template("contracts/signature_center.html", contract=contract, current=current,
                           past=[r for r in requests if r is not current], can_request=can_request,
                           roles=ROLES, rows=ROWS, kind_labels=KIND_LABELS, values=values, errors=errors or [],
                           nav="quotes" if contract.get("kind") == "quote" else "contracts", **people), status


@bp.get("/contracts/<contract_id>/signature")
@signed_in
def show(contract_id: str):
    return _render(contract_id)


def _participants(form, role: str) -> tuple[list[dict], list[int]]:
    """The rows of one center that name somebody (``user:<id>`` or ``contact:<id>``) with their turn, and
    the rows they come from (blank rows are not sent: the API's ``signers.0`` may be the form's second)."""
    chosen, rows = [], []
    for row in range(ROWS):
        person = form.get(f"{role}-{row}-person", "")
        kind, _sep, ident = person.partition(":")
        if kind not in ("user", "contact") or not ident:
            continue
        participant = {f"{kind}_id": ident}
        order = form.get(f"{role}-{row}-order", "").strip()
        if order:
            participant["order"] = int(order) if order.isdigit() else order  # the API says what is wrong
        chosen.append(participant)
        rows.append(row)
    return chosen, rows


def _row_label(field: str, rows: dict[str, list[int]]) -> str:
    """An API error's field (``signers.1.order``) named after the form's row ("Signer 3")."""
    match = re.match(r"^(approvers|signers)\.(\d+)", field)
    if not match:
        return {"approvers": _("Approvers"), "signers": _("Signers")}.get(field, field)
    role, index = match.group(1), int(match.group(2))
    n = (rows[role][index] if index < len(rows[role]) else index) + 1
    return _("Approver %(n)s", n=n) if role == "approvers" else _("Signer %(n)s", n=n)


@bp.post("/contracts/<contract_id>/signature")
@signed_in
def create(contract_id: str):
    chosen = {role: _participants(request.form, role) for role in ROLES}
    body = {role: people for role, (people, _rows) in chosen.items()}
    if not body["signers"]:
        return _render(contract_id, values=request.form, errors=[_("Choose at least one signer.")], status=422)
    message = request.form.get("message", "").strip()
    if message:
        body["message"] = message
    try:
        api.post(f"/contracts/{contract_id}/signature-requests", body)
    except ApiError as exc:
        if exc.status not in FORM_ERRORS:
            raise
        rows = {role: from_rows for role, (_people, from_rows) in chosen.items()}
        errors = [_("%(field)s: %(error)s", field=_row_label(field, rows), error=text)
                  for field, text in exc.field_errors.items()] or [exc.detail]
        return _render(contract_id, values=request.form, errors=errors, status=422)
    flash(_("The request is sent: each person receives an email when it is their turn."), "success")
    return redirect(url_for("signature_center.show", contract_id=contract_id))


def _back_to_center(contract_id: str, **_):
    return redirect(url_for("signature_center.show", contract_id=contract_id))


@bp.post("/contracts/<contract_id>/signature/<request_id>/remind")
@signed_in
@refusal_said(back=_back_to_center)
def remind(contract_id: str, request_id: str):
    participant_id = request.form.get("participant_id") or None
    result = api.post(f"/signature-requests/{request_id}/remind",
                      {"participant_id": participant_id} if participant_id else {})
    if result.get("reminded"):
        flash(ngettext("A reminder was sent.", "%(num)s reminders were sent.", result["reminded"]), "success")
    else:
        flash(_("Nobody was reminded: a reminder was sent a short while ago."), "err")
    return redirect(url_for("signature_center.show", contract_id=contract_id))


@bp.post("/contracts/<contract_id>/signature/<request_id>/cancel")
@signed_in
@refusal_said(back=_back_to_center)
def cancel(contract_id: str, request_id: str):
    api.post(f"/signature-requests/{request_id}/cancel", {"reason": request.form.get("reason", "").strip()})
    flash(_("The signature request is cancelled."), "success")
    return redirect(url_for("signature_center.show", contract_id=contract_id))
