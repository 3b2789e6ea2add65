"""``/signatures/bulk``: bulk send (issue 15), reached from the documents sent for signature. One PDF sent to many
recipients listed in a CSV file (name, email, phone, in English or in French), each getting a request of their own: the form posts
the two files here as multipart, sent to the API as JSON (``POST /signature-requests/bulk``), which answers
at once; ``/signatures/bulk/<id>`` shows the job's progress, refreshed by htmx every 2 seconds until it is
done (``/signatures/bulk/<id>/progress``), the rows refused and links to the requests created."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import api
from ..i18n import page_language
from ..auth import signed_in
from . import paging
from .forms import filled_in, post_upload, refusal_said, uploaded_document
from .signature_center import ACTIVE, FORM_ERRORS

bp = Blueprint("bulk_sends", __name__)

RUNNING = ("queued", "running")  # the job page polls while the job is in one of these
CSV_MAX_BYTES = 2 * 1024 * 1024
JOBS_PER_PAGE = 20
FORM_FIELDS = ("title", "message", "expires_at")
# the CSV's columns as the form names them in the user's language (the signing service reads them in English or in
# French: signing_service.bulk_sends.column_of): name, email, phone
CSV_COLUMNS = {"fr": ("nom", "email", "téléphone"), "en": ("name", "email", "phone")}


def _render(values: dict | None = None, errors: dict | None = None, message: str | None = None, status: int = 200):
    page = api.get("/signature-requests/bulk", limit=JOBS_PER_PAGE, **paging.position())
    next_url, previous_url = paging.links(page)
    return render_template("signatures/bulk.html", jobs=page["items"], next_url=next_url, previous_url=previous_url,
                           values=values or {}, errors=errors or {}, message=message, active=ACTIVE,
                           csv_columns=CSV_COLUMNS.get(page_language(), CSV_COLUMNS["en"])), status


@bp.get("/signatures/bulk")
@signed_in
def index():
    return _render()


def _input_for(field: str) -> str | None:
    """The form's input an API error is said next to (the recipients' problems next to the CSV file)."""
    name = field.split(".", 1)[0]
    if name in ("csv", "recipients"):
        return "csv"
    return name if name == "document" or name in FORM_FIELDS else None


@bp.post("/signatures/bulk")
@signed_in
def create():
    upload, rows = request.files.get("document"), request.files.get("csv")
    content = upload.read() if upload else b""
    csv_bytes = rows.read(CSV_MAX_BYTES + 1) if rows else b""
    errors = {}
    if not content:
        errors["document"] = _("Choose the PDF to send.")
    if not csv_bytes:
        errors["csv"] = _("Choose the CSV file of the recipients.")
    elif len(csv_bytes) > CSV_MAX_BYTES:
        errors["csv"] = _("The CSV file is too large (2 MB at most).")
    if not request.form.get("title", "").strip():
        errors["title"] = _("Give the document a title.")
    if errors:
        return _render(values=request.form, errors=errors, status=422)
    body = {"title": request.form["title"].strip(), "csv": csv_bytes.decode("utf-8-sig", "replace"),
            "document": uploaded_document(upload, content), **filled_in("expires_at", "message")}
    return post_upload("/signature-requests/bulk", body, FORM_ERRORS, _render, _input_for,
                       _("The bulk send has started: its progress and results show below."),
                       lambda job: url_for("bulk_sends.show", bulk_send_id=job["id"]))


@bp.get("/signatures/bulk/<bulk_send_id>")
@signed_in
def show(bulk_send_id: str):
    job = api.get(f"/signature-requests/bulk/{bulk_send_id}")
    return render_template("signatures/bulk_job.html", job=job, running=RUNNING, active=ACTIVE)


@bp.get("/signatures/bulk/<bulk_send_id>/progress")
@signed_in
def progress(bulk_send_id: str):
    """The job's progress block alone (what htmx swaps in every 2 seconds while the job runs)."""
    job = api.get(f"/signature-requests/bulk/{bulk_send_id}")
    return render_template("signatures/_bulk_progress.html", job=job, running=RUNNING)


def _back(bulk_send_id: str, **_):
    return redirect(url_for("bulk_sends.show", bulk_send_id=bulk_send_id))


@bp.post("/signatures/bulk/<bulk_send_id>/cancel")
@signed_in
@refusal_said(back=_back)
def cancel(bulk_send_id: str):
    api.post(f"/signature-requests/bulk/{bulk_send_id}/cancel")
    return _back(bulk_send_id)
