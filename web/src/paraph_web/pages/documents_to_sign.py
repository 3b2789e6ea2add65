"""``/signatures/documents``: a salesperson's own PDFs sent for signature without a contract (issue 15). The
list of the requests on uploaded documents, and a form (the file, a title, signers by name and email, CC, the
last day to sign, a message) posted here as multipart and sent to the API as JSON (``POST
/signature-requests``, the file in base64); the API's refusals of the file (encrypted, JavaScript, too many
pages, not a PDF...) are said next to the file input. ``/signatures/documents/<id>``: one request, its
participants and their statuses, reminders and cancellation (the signature center's), and the signed PDF and
its proof once completed."""
from __future__ import annotations

import base64
import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import api
from ..api import ApiError
from ..auth import signed_in
from .contracts import _stream
from .forms import refusal_said
from .paging import list_page
from .signature_center import (
    ACTIVE,
    FORM_ERRORS,
    _cadence,
    _cc,
    _last_day,
    cancel_request,
    name_email_rows,
    send_reminder,
)

bp = Blueprint("documents_to_sign", __name__)

UPLOADED_KIND = "document"  # the contract_kind of a request without a contract
PAGE_SIZE = 50
SIGNER_ROWS = 4  # signers offered without JavaScript
CC_ROWS = 2
SIGNING_FIELDS = ("title", "expires_at", "message")


def _page():
    """The page of the user's requests on uploaded documents the URL asks for."""
    page, next_url, previous_url, _filtered = list_page("/signature-requests", {"kind": UPLOADED_KIND},
                                                        limit=PAGE_SIZE)
    return page["items"], next_url, previous_url, page.get("error")


def _render(values: dict | None = None, errors: dict | None = None, message: str | None = None, status: int = 200):
    items, next_url, previous_url, list_error = _page()
    return render_template("signatures/documents.html", items=items, next_url=next_url, previous_url=previous_url,
                           list_error=list_error, values=values or {}, errors=errors or {}, message=message,
                           signer_rows=SIGNER_ROWS, cc_rows=CC_ROWS, active=ACTIVE), status


@bp.get("/signatures/documents")
@signed_in
def index():
    return _render()


def _signers(form) -> tuple[list[dict], list[int]]:
    """The signer rows filled in, and the rows they come from."""
    return name_email_rows(form, "signers", SIGNER_ROWS)


def _form_errors(field_errors: dict[str, str], rows: dict[str, list[int]]) -> tuple[dict[str, str], list[str]]:
    """The API's errors by the form's field names (``signers.1.email`` → ``signers-3-email``: blank rows are
    not sent), and those that name no field of the form."""
    beside, above = {}, []
    for field, text in field_errors.items():
        match = re.match(r"^(signers|cc)\.(\d+)\.(name|email)$", field)
        if match and int(match.group(2)) < len(rows[match.group(1)]):
            beside[f"{match.group(1)}-{rows[match.group(1)][int(match.group(2))]}-{match.group(3)}"] = text
        elif field.startswith("document"):
            beside["document"] = text
        elif field in SIGNING_FIELDS:
            beside[field] = text
        elif field == "signers":
            beside["signers-0-name"] = text
        else:
            above.append(_("%(field)s: %(error)s", field=field, error=text))
    return beside, above


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
    body = {"title": request.form.get("title", "").strip(), "signers": signers,
            "document": {"filename": upload.filename or "document.pdf",
                         "content_base64": base64.b64encode(content).decode()}}
    for name in ("expires_at", "message"):
        if request.form.get(name, "").strip():
            body[name] = request.form[name].strip()
    cc, cc_rows = _cc(request.form)
    if cc:
        body["cc"] = cc
    try:
        created = api.post("/signature-requests", body)
    except ApiError as exc:
        if exc.status not in (*FORM_ERRORS, 413):
            raise
        if exc.status == 413:
            return _render(values=request.form, errors={"document": _("The file is too large.")}, status=422)
        beside, above = _form_errors(exc.field_errors, {"signers": signer_rows, "cc": cc_rows})
        return _render(values=request.form, errors=beside,
                       message=" ".join(above) or (None if beside else exc.detail), status=422)
    flash(_("The document is sent: each signer receives an email when it is their turn."), "success")
    return redirect(url_for("documents_to_sign.show", request_id=created["id"]))


@bp.get("/signatures/documents/<request_id>")
@signed_in
def show(request_id: str):
    detail = api.get(f"/signature-requests/{request_id}")
    return render_template("signatures/document.html", r=detail, active=ACTIVE, cadence=_cadence(detail),
                           last_day=_last_day(detail.get("expires_at")))


def _back(request_id: str, **_):
    return redirect(url_for("documents_to_sign.show", request_id=request_id))


@bp.post("/signatures/documents/<request_id>/remind")
@signed_in
@refusal_said(back=_back)
def remind(request_id: str):
    send_reminder(request_id)
    return _back(request_id)


@bp.post("/signatures/documents/<request_id>/cancel")
@signed_in
@refusal_said(back=_back)
def cancel(request_id: str):
    cancel_request(request_id)
    return _back(request_id)


@bp.get("/signatures/documents/<request_id>/<any(signed, proof):document>.pdf")
@signed_in
def download(request_id: str, document: str):
    return _stream(f"/signature-requests/{request_id}/{document}.pdf")
