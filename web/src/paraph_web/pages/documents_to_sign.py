"""``/signatures/documents``, "Sent for signature" in the main menu: what a salesperson sent for signature (a license
admin: everyone's), quotes and contracts (each opens its signature center) and their own PDFs sent without a
contract (issue 15; not "documents to sign": they are the salesperson's to send, not to sign). The list of the
requests, and a form for a PDF (the file, a title (empty: the file's name), approvers and
signers by name and email, CC, the last day to sign, a message) posted here as multipart and sent to the API as JSON (``POST
/signature-requests``, the file in base64); the API's refusals of the file (encrypted, JavaScript, too many
pages, not a PDF...) are said next to the file input. ``/signatures/documents/<id>``: one request, its
participants and their statuses, reminders, cancellation, the reassignment of someone who has not acted yet (then
listed in the history, as on the signature center) and "Sign now on this device" (the signature center's), and the
signed PDF and its proof once completed."""
from __future__ import annotations

import os
import re

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import api
from ..auth import signed_in
from .contracts import _stream
from .forms import filled_in, post_upload, refusal_said, rows_shown, uploaded_document
from .paging import list_page
from .signature_center import (
    ACTIVE,
    CC_INPUTS,
    CC_ROWS,
    FORM_ERRORS,
    REQUEST_ACTIONS,
    _cadence,
    _cc,
    _last_day,
    name_email_rows,
    open_in_person,
    reassign_participant,
    reassignment_history,
)

bp = Blueprint("documents_to_sign", __name__)

UPLOADED_KIND = "document"  # the contract_kind of a request without a contract
PAGE_SIZE = 50
SIGNER_ROWS = 6  # signers offered: one row shown, "Add a signer" shows the next (forms.rows_shown)
APPROVER_ROWS = 3  # approvers offered (none needed: their first row may stay empty), who approve before the signers
SIGNING_FIELDS = ("title", "expires_at", "message")


def _page():
    """The page of the user's requests the URL asks for, of every kind: a salesperson looking for the quote they
    just sent for signature looks here (the page listed uploaded PDFs only, and said nothing had been sent)."""
    page, next_url, previous_url, _filtered = list_page("/signature-requests", {}, limit=PAGE_SIZE)
    return page["items"], next_url, previous_url, page.get("error")


def _render(values: dict | None = None, errors: dict | None = None, message: str | None = None, status: int = 200):
    items, next_url, previous_url, list_error = _page()
    values = values or {}
    shown = {"approvers": rows_shown(values, "approvers", APPROVER_ROWS, CC_INPUTS),
             "signers": rows_shown(values, "signers", SIGNER_ROWS, CC_INPUTS),
             "cc": rows_shown(values, "cc", CC_ROWS, CC_INPUTS)}
    return render_template("signatures/documents.html", items=items, next_url=next_url, previous_url=previous_url,
                           list_error=list_error, values=values, errors=errors or {}, message=message,
                           signer_rows=SIGNER_ROWS, approver_rows=APPROVER_ROWS, cc_rows=CC_ROWS, shown=shown,
                           active=ACTIVE, uploaded_kind=UPLOADED_KIND), status


@bp.get("/signatures/documents")
@signed_in
def index():
    return _render()


def _signers(form) -> tuple[list[dict], list[int]]:
    """The signer rows filled in, and the rows they come from."""
    return name_email_rows(form, "signers", SIGNER_ROWS)


def _input_for(field: str, rows: dict[str, list[int]]) -> str | None:
    """The form's input an API error is said next to: ``signers.1.email`` → ``signers-3-email`` (blank rows
    are not sent, ``rows`` gives the row each person sent comes from); None for a field the form lacks."""
    match = re.match(r"^(approvers|signers|cc)\.(\d+)\.(name|email)$", field)
    if match and int(match.group(2)) < len(rows[match.group(1)]):
        return f"{match.group(1)}-{rows[match.group(1)][int(match.group(2))]}-{match.group(3)}"
    if field.startswith("document"):
        return "document"
    if field in SIGNING_FIELDS:
        return field
    return "signers-0-name" if field == "signers" else None


@bp.post("/signatures/documents")
@signed_in
def create():
    upload = request.files.get("document")
    content = upload.read() if upload else b""
    signers, signer_rows = _signers(request.form)
    errors = {}
    if not content:
        errors["document"] = _("Choose the PDF to sign.")
    if not signers:
        errors["signers-0-name"] = _("Add at least one signer.")
    if errors:
        return _render(values=request.form, errors=errors, status=422)
    approvers, approver_rows = name_email_rows(request.form, "approvers", APPROVER_ROWS)
    # no title typed: the file's name, as the list and the emails show it (not a refusal that loses the file)
    title = request.form.get("title", "").strip() or os.path.splitext(upload.filename or "")[0].strip()
    body = {"title": title, "signers": signers,
            "document": uploaded_document(upload, content), **filled_in("expires_at", "message")}
    if approvers:
        body["approvers"] = approvers
    cc, cc_rows = _cc(request.form)
    if cc:
        body["cc"] = cc
    rows = {"approvers": approver_rows, "signers": signer_rows, "cc": cc_rows}
    return post_upload("/signature-requests", body, FORM_ERRORS, _render, lambda field: _input_for(field, rows),
                       _("The document is sent: each signer receives an email when it is their turn."),
                       lambda created: url_for("documents_to_sign.show", request_id=created["id"]))


@bp.get("/signatures/documents/<request_id>")
@signed_in
def show(request_id: str):
    return _show(request_id)


def _show(request_id: str, reassign: dict | None = None, status: int = 200):
    """The request's page; ``reassign``: a refused reassignment, said next to its participant's form."""
    detail = api.get(f"/signature-requests/{request_id}")
    return render_template("signatures/document.html", r=detail, active=ACTIVE, cadence=_cadence(detail),
                           last_day=_last_day(detail.get("expires_at")), reassign=reassign or {},
                           history=reassignment_history(detail)), status


def _back(request_id: str, **_):
    return redirect(url_for("documents_to_sign.show", request_id=request_id))


@bp.post("/signatures/documents/<request_id>/<any(remind, cancel):action>")
@signed_in
@refusal_said(back=_back)
def act(request_id: str, action: str):
    """A reminder, or the cancellation, of the request (the signature center's)."""
    REQUEST_ACTIONS[action](request_id)
    return _back(request_id)


@bp.post("/signatures/documents/<request_id>/participants/<participant_id>/in-person")
@signed_in
def sign_in_person(request_id: str, participant_id: str):
    """"Sign now on this device" (the signature center's): after signing, the signing page links back here (the
    signing service's page of a request without a contract); a refusal is said here."""
    return open_in_person(request_id, participant_id, back=_back(request_id))


@bp.post("/signatures/documents/<request_id>/participants/<participant_id>/reassign")
@signed_in
def reassign(request_id: str, participant_id: str):
    """Hand the turn of someone who has not acted yet to another person (the signature center's form)."""
    return reassign_participant(request_id, participant_id,
                                lambda refused: _show(request_id, reassign=refused, status=422),
                                back=_back(request_id))


@bp.get("/signatures/documents/<request_id>/<any(signed, proof):document>.pdf")
@signed_in
def download(request_id: str, document: str):
    return _stream(f"/signature-requests/{request_id}/{document}.pdf")
