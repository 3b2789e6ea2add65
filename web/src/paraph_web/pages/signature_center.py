"""``/contracts/<id>/signature``: the approval center and the signature center of a contract or a quote
(LEXZUR). Before a request: choose the approvers and the signers — collaborators (the active staff of the
license, ``GET /colleagues``) or the customer's contacts — and their order (equal numbers act in
parallel), then send (``POST /contracts/<id>/signature-requests``); every approver acts before any signer
is asked (the signing service's rule); the signing order when no turn is typed (one after the other or all at
once), the last day to sign, the reminder cadence (the license's setting unless changed) and the people
copied on the signed document (CC). During the request: each participant's status and placed fields, the CC,
the cadence, a reminder to one participant or to everybody whose turn it is, the reassignment of someone who
has not acted yet (with a reason, refusals said next to its form, then listed in the history), the
cancellation of the request (asked once) and, face to face, "Sign now on this device": the signing page of the
signer whose turn it is opens in this browser for them to sign there and then. Earlier requests stay listed
with their outcome."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import api
from ..api import ApiError
from ..api_messages import translate
from ..auth import signed_in
from ..i18n import de, moment, ngettext
from . import documents, handover
from .forms import field_said, refusal_said, rows_shown, whole_number

bp = Blueprint("signature_center", __name__)

ROLES = ("approvers", "signers")
# people offered per center, and CC recipients: one row shown, "Add" shows the next (forms.rows_shown); a longer
# list is made in several sendings
ROWS = 6
CC_ROWS = 5
PERSON_INPUTS = ("person", "order")  # a center's row: <role>-<row>-person, <role>-<row>-order
CC_INPUTS = ("name", "email")
REMINDER_FIELDS = ("reminder_every_days", "reminder_max")
OPTION_FIELDS = ("expires_at", *REMINDER_FIELDS)  # their API errors are said next to them
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


def _reminder_defaults() -> dict[str, str]:
    """The license's reminder cadence as the form shows it (its setting, else the service's default)."""
    saved = api.get("/signing/settings")
    return {name: "" if value is None else f"{value:g}" for name in REMINDER_FIELDS
            for value in [saved[name] if saved[name] is not None else saved["defaults"].get(name)]}


def reassignment_history(detail: dict) -> list[dict]:
    """The reassignments of a request, oldest first, from its audit trail (who replaced whom and why): the history
    of _status.html's reassignment_history, on this page and an uploaded document's."""
    return [{"at": entry["at"], "name": (entry["data"].get("from") or {}).get("name"),
             "replaced_by": (entry["data"].get("to") or {}).get("name"), "reason": entry["data"].get("reason")}
            for entry in detail.get("audit_trail") or [] if entry.get("type") == "participant_reassigned"]


def _cadence(detail: dict) -> str:
    """The request's reminder cadence in words ("Every 2 days, at most 3 per person")."""
    cadence = detail.get("reminders") or {}
    if cadence.get("max") == 0:
        return _("No automatic reminder")
    every = cadence.get("every_days")
    every = every if every is not None else (cadence.get("interval_hours") or 0) / 24
    text = ngettext("Every %(days)s day", "Every %(days)s days", int(every) if every == int(every) else 2,
                    days=format_decimal(round(every, 2)))
    if cadence.get("max") is None:
        return text
    return _("%(every)s, at most %(max)s per person", every=text, max=cadence["max"])


def _last_day(expires_at: str) -> date | None:
    """The last day to act: a request expires at the end of the day chosen (midnight UTC, the next day)."""
    try:
        return (datetime.fromisoformat(expires_at) - timedelta(seconds=1)).date()
    except (AttributeError, ValueError):
        return None


def _render(contract_id: str, values: dict | None = None, errors: list | None = None, status: int = 200,
            reassign: dict | None = None, field_errors: dict | None = None):
    """The page; ``errors``: said above the form, ``field_errors``: next to their inputs (by the input's name);
    ``reassign``: the participant whose reassignment was refused, with the form's values and the errors to show
    next to it (``participant_id``, ``values``, ``errors``, ``message``)."""
    contract = api.get(f"/contracts/{contract_id}")
    requests = api.get("/signature-requests", contract_id=contract_id).get("items") or []
    current = next((r for r in requests if r.get("status") in ACTIVE), None)
    if current is not None:  # the detail adds the cadence, the fields and the audit trail
        current = api.get(f"/signature-requests/{current['id']}")
    # a quote an order or invoice was made from: the customer ordered, it is not asked to sign (the template says so)
    can_request = (current is None and contract.get("kind") in SIGNABLE_KINDS
                   and contract.get("status") in SIGNABLE_STATUSES and not contract.get("converted_into"))
    people = _people(contract) if can_request else {"colleagues": [], "contacts": []}
    reminder_defaults = _reminder_defaults() if can_request else {}
    if values is None:  # the contract's contact signs by default; the license's reminder cadence
        values = {"signers-0-person": f"contact:{contract['contact_id']}" if contract.get("contact_id") else "",
                  **reminder_defaults}
    shown = {**{role: rows_shown(values, role, ROWS, PERSON_INPUTS) for role in ROLES},
             "cc": rows_shown(values, "cc", CC_ROWS, CC_INPUTS)}
    fields_of: dict[str, list] = {}
    for placed in (current or {}).get("fields") or []:
        fields_of.setdefault(placed["participant_id"], []).append(placed)
    return render_template("contracts/signature_center.html", contract=contract, current=current,
                           past=[r for r in requests if current is None or r["id"] != current["id"]],
                           can_request=can_request, roles=ROLES, rows=ROWS, cc_rows=CC_ROWS, shown=shown,
                           kind_labels=KIND_LABELS, values=values, errors=errors or [],
                           field_errors=field_errors or {},
                           reminder_defaults=reminder_defaults, fields_of=fields_of,
                           history=reassignment_history(current) if current else [],
                           cadence=_cadence(current) if current else "",
                           last_day=_last_day(current["expires_at"]) if current else None, reassign=reassign or {},
                           nav=documents.nav_section(contract.get("kind")), **people), status


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
            participant["order"] = whole_number(order)  # anything but a whole number: the API says why
        chosen.append(participant)
        rows.append(row)
    return chosen, rows


def name_email_rows(form, prefix: str, count: int) -> tuple[list[dict], list[int]]:
    """The ``<prefix>-<row>-name`` / ``-email`` rows filled in (a row with only one of them is sent for the
    API to say what is missing), and the rows they come from."""
    chosen, rows = [], []
    for row in range(count):
        person = {key: form.get(f"{prefix}-{row}-{key}", "").strip() for key in ("name", "email")}
        if any(person.values()):
            chosen.append({key: value for key, value in person.items() if value})
            rows.append(row)
    return chosen, rows


def _cc(form) -> tuple[list[dict], list[int]]:
    """The CC recipients' rows filled in, and the rows they come from."""
    return name_email_rows(form, "cc", CC_ROWS)


def _options(form) -> dict:
    """The request's options: the signing order, the last day, the reminder cadence when changed from the
    license's (sent as typed: the API says what is wrong)."""
    body = {"signing_order": "parallel" if form.get("signing_order") == "parallel" else "sequential"}
    if form.get("expires_at", "").strip():
        body["expires_at"] = form["expires_at"].strip()
    for name in REMINDER_FIELDS:
        raw = form.get(name, "").strip()
        if raw != form.get(f"{name}-default", "").strip():
            body[name] = None if raw == "" else whole_number(raw)
    return body


_ROW_FIELD = re.compile(r"^(approvers|signers|cc)\.(\d+)(?:\.(\w+))?")


def _form_row(field: str, rows: dict[str, list[int]]) -> tuple[str, int, str | None] | None:
    """An API error's field (``signers.1.order``, ``cc.0.email``) as the form's (role, row, field): the API
    numbers the people sent, the form its rows, some left empty."""
    match = _ROW_FIELD.match(field)
    if not match:
        return None
    role, index, name = match.group(1), int(match.group(2)), match.group(3)
    return role, (rows[role][index] if index < len(rows[role]) else index), name


def _row_label(field: str, rows: dict[str, list[int]]) -> str:
    """An API error's field named after the form's row ("Signer 3", "Signer 3, turn")."""
    row = _form_row(field, rows)
    if row is None:
        return {"approvers": _("Approvers"), "signers": _("Signers"), "cc": _("CC")}.get(field, field)
    role, index, name = row
    label = {"approvers": _("Approver %(n)s", n=index + 1), "signers": _("Signer %(n)s", n=index + 1),
             "cc": _("CC %(n)s", n=index + 1)}[role]
    return _("%(row)s, turn", row=label) if name == "order" else label


def _beside_inputs(field_errors: dict[str, str], rows: dict[str, list[int]]) -> dict[str, str]:
    """The API's errors by the form's input they are said next to: an option's field, a row's turn, else its
    person (a CC's name or email). A person's row says its errors under the whole row: the turn's names it
    ("Turn: between 1 and 100.")."""
    beside = {}
    for field, text in field_errors.items():
        row = _form_row(field, rows)
        if row is None:
            if field in OPTION_FIELDS:
                beside[field] = text
            continue
        role, index, name = row
        if role == "cc":
            input_name = "name" if name == "name" else "email"
        elif name == "order":
            input_name, text = "order", field_said(_("Turn"), text)
        else:
            input_name = "person"
        beside[f"{role}-{index}-{input_name}"] = text
    return beside


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
    cc, cc_rows = _cc(request.form)
    if cc:
        body["cc"] = cc
    body.update(_options(request.form))
    try:
        api.post(f"/contracts/{contract_id}/signature-requests", body)
    except ApiError as exc:
        if exc.status not in FORM_ERRORS:
            raise
        rows = {**{role: from_rows for role, (_people, from_rows) in chosen.items()}, "cc": cc_rows}
        field_errors = exc.field_errors
        # every error next to its input; those of the people's rows also above the form, named after their row
        # (a long form: the top says which rows to look at)
        errors = [field_said(_row_label(field, rows), text)
                  for field, text in field_errors.items() if field not in OPTION_FIELDS]
        beside = _beside_inputs(field_errors, rows)
        return _render(contract_id, values=request.form, errors=errors or ([] if beside else [exc.detail]),
                       field_errors=beside, status=422)
    flash(_("The request is sent: each person receives an email when it is their turn."), "success")
    return redirect(url_for("signature_center.show", contract_id=contract_id))


def _back_to_center(contract_id: str, **_):
    return redirect(url_for("signature_center.show", contract_id=contract_id))


@bp.post("/contracts/<contract_id>/signature/<request_id>/<any(remind, cancel):action>")
@signed_in
@refusal_said(back=_back_to_center)
def act(contract_id: str, request_id: str, action: str):
    """A reminder, or the cancellation, of one of the contract's requests."""
    REQUEST_ACTIONS[action](request_id)
    return _back_to_center(contract_id)


def send_reminder(request_id: str) -> None:
    """The reminder of the posted form's participant (none: everybody whose turn it is), said by a flash
    (the uploaded documents' page sends its reminders through it too)."""
    participant_id = request.form.get("participant_id") or None
    result = api.post(f"/signature-requests/{request_id}/remind",
                      {"participant_id": participant_id} if participant_id else {})
    if result.get("reminded"):
        flash(ngettext("A reminder was sent.", "%(num)s reminders were sent.", result["reminded"]), "success")
    elif result.get("next_reminder_at"):
        flash(_("Nobody was reminded: a reminder was sent a short while ago. The next one is possible from "
                "%(time)s.", time=moment(result["next_reminder_at"], "short")), "err")
    else:
        flash(_("Nobody was reminded: a reminder was sent a short while ago."), "err")


def cancel_request(request_id: str) -> None:
    api.post(f"/signature-requests/{request_id}/cancel", {"reason": request.form.get("reason", "").strip()})
    flash(_("The signature request is cancelled."), "success")


# what a request's buttons do (the uploaded documents' page has the same ones): /<request_id>/<action>
REQUEST_ACTIONS = {"remind": send_reminder, "cancel": cancel_request}


REASSIGN_FIELDS = ("name", "email", "phone", "reason")


@bp.post("/contracts/<contract_id>/signature/<request_id>/participants/<participant_id>/reassign")
@signed_in
def reassign(contract_id: str, request_id: str, participant_id: str):
    return reassign_participant(request_id, participant_id,
                                lambda refused: _render(contract_id, status=422, reassign=refused),
                                back=_back_to_center(contract_id))


def reassign_participant(request_id: str, participant_id: str, refused, back):
    """Hand a participant's turn to someone else (the posted form of _status.html's reassign_forms), then ``back``
    (the page the form is on: the signature center, an uploaded document's page); a refusal (already signed, a
    field missing) is said next to that participant's form, the values kept: ``refused(reassign)`` renders the
    page with it (``participant_id``, ``values``, ``errors``, ``message``)."""
    values = {name: request.form.get(name, "").strip() for name in REASSIGN_FIELDS}
    try:
        api.post(f"/signature-requests/{request_id}/participants/{participant_id}/reassign",
                 {name: value for name, value in values.items() if value})  # a missing field is named by the API
    except ApiError as exc:
        if exc.status not in (*FORM_ERRORS, 403):
            raise
        errors = exc.field_errors
        message = (_("This person has already acted or been replaced: they can no longer be replaced.")
                   if exc.status == 409 else None if errors else exc.detail)
        return refused({"participant_id": participant_id, "values": values, "errors": errors, "message": message})
    flash(_("%(name)s replaces the participant: they receive an email when it is their turn.",
            name=values["name"]), "success")
    return back


@bp.post("/contracts/<contract_id>/signature/<request_id>/participants/<participant_id>/in-person")
@signed_in
def sign_in_person(contract_id: str, request_id: str, participant_id: str):
    """"Sign now on this device" from the signature center (a refusal is said there)."""
    return open_in_person(request_id, participant_id, back=_back_to_center(contract_id))


def open_in_person(request_id: str, participant_id: str, back):
    """"Sign now on this device": the signing service makes a one-use URL of the participant's signing page and
    this browser goes there (at the top, not in a frame), for the person to sign face to face; once they
    acted, that page asks them to give the device back and links to the document's page (a contract's, or an
    uploaded document's), which asks the salesperson's password first (handover.py: the staff app is locked in
    this browser meanwhile). A refusal (they already acted, the request ended) is flashed and ``back`` (the
    page the button is on: the signature center, an uploaded document's page) returned."""
    name = request.form.get("name", "").strip()
    try:
        opened = api.post(f"/signature-requests/{request_id}/participants/{participant_id}/in-person-url", {})
    except ApiError as exc:
        if exc.status not in IN_PERSON_REFUSALS:
            raise
        flash(_in_person_refusal(exc, name), "err")
        return back
    # the signing pages are served at the staff app's public address (the ingress, or this app's proxy,
    # routes /sign/ to the gateway): the browser stays on this site
    url = urlsplit(opened["url"])
    handover.hand_over(opened["participant_name"])  # the staff pages wait for the salesperson back
    return redirect(url.path + (f"?{url.query}" if url.query else ""))


IN_PERSON_REFUSALS = (403, 404, 409, 410, 422)


def _in_person_refusal(exc: ApiError, name: str) -> str:
    """Why ``name`` cannot sign on this device (``exc``: the API's refusal: 409 says the participant's status,
    or the request's when it is no longer under way)."""
    participant, request_ = exc.problem.get("participant_status"), exc.problem.get("request_status")
    if participant in ("signed", "approved", "declined") or request_ in ("sealing", "completed"):
        return _("%(name)s has already acted on this document: there is nothing left to sign on this device.",
                 name=name)
    if exc.status == 410 or request_:
        return _("This signature request has ended: nobody can sign it any more.")
    if exc.status == 409:
        return _("It is not %(de_name)s's turn: they can sign on this device once the people before them have "
                 "acted.", de_name=de(name))
    if exc.status == 403:
        return _("Only the requester, the document's owner or a manager can have it signed in person.")
    return translate(exc.detail)
