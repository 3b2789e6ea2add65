"""``/settings/erp-sync``: the one-way user sync from the ERP (seed: Sage 100 -> SSM, keyed by email).

Upload the collaborators export (CSV), see what it would do (``POST /erp/collaborators/preview``: linked by
email, to create, users to check by hand, row errors), run it, see the result. The run goes through the API
in chunks of ``CHUNK_ROWS`` rows (``POST /erp/collaborators/import`` with ``invite_new``), one request per
chunk, so a large export shows its progress ("n of N" and a ``<progress>``) instead of one long wait: with
JavaScript each step posts the next one by itself (htmx); without it, the person presses "Continue".

The web app keeps nothing: the export and the running totals travel in the step form's hidden fields (the
same person posts them back; the API checks every row again), so any web worker can take the next step.
"""
from __future__ import annotations

import json

from flask import Blueprint, request
from flask_babel import gettext as _

from .. import api
from ..api import ApiError
from ..auth import admin_only
from .settings import render_section

bp = Blueprint("settings_erp", __name__)
SECTION = "erp-sync"
CHUNK_ROWS = 50
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def split_export(content: str) -> tuple[str, list[str]]:
    """The CSV header and its non-blank data rows (blank lines are not rows, as for the API's row numbers)."""
    lines = content.lstrip("\ufeff").splitlines()
    if not lines:
        return "", []
    return lines[0], [line for line in lines[1:] if line.strip()]


def _decode(raw: bytes) -> str:
    """ERP exports are UTF-8 or, from Windows tools such as Sage 100, Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _upload_form(error: str | None = None, status: int = 200):
    return render_section("settings/erp_sync.html", SECTION, status, stage="upload",
                          errors={"export": error} if error else {})


@bp.get("/settings/erp-sync")
@admin_only
def index():
    return _upload_form()


@bp.post("/settings/erp-sync/preview")
@admin_only
def preview():
    upload = request.files.get("export")
    raw = upload.read(MAX_UPLOAD_BYTES + 1) if upload else b""
    if not raw.strip():
        return _upload_form(_("Choose the CSV export of the ERP's collaborators."), 422)
    if len(raw) > MAX_UPLOAD_BYTES:
        return _upload_form(_("The file is larger than 5 MB; split the export."), 422)
    content = _decode(raw)
    try:
        result = api.post("/erp/collaborators/preview", {"format": "csv", "content": content})
    except ApiError as exc:
        if exc.status != 422:
            raise
        return _upload_form(exc.detail, 422)
    return render_section("settings/erp_sync.html", SECTION, stage="preview", preview=result, content=content,
                          filename=upload.filename)


@bp.post("/settings/erp-sync/run")
@admin_only
def run():
    """One step of the run: the next chunk of rows through the API, then the progress or the result."""
    # the export travels back in a form field, URL-encoded (up to 3 bytes a byte): above Flask's 500 kB default
    request.max_form_memory_size = 4 * MAX_UPLOAD_BYTES
    content = request.form.get("content", "")
    header, rows = split_export(content)
    offset = max(0, request.form.get("offset", 0, type=int))
    totals = {"created": request.form.get("created", 0, type=int), "linked": request.form.get("linked", 0, type=int)}
    try:
        errors = json.loads(request.form.get("errors") or "[]")
    except ValueError:
        errors = []
    chunk = rows[offset:offset + CHUNK_ROWS]
    if chunk:
        try:
            result = api.post("/erp/collaborators/import", {"format": "csv", "content": "\n".join([header, *chunk]),
                                                            "invite_new": True})
        except ApiError as exc:
            if exc.status != 422:
                raise
            return _upload_form(exc.detail, 422)
        totals["created"] += len(result["invited"])
        totals["linked"] += result["linked"]
        errors += [{**error, "row": error["row"] + offset} for error in result["errors"]]
    done = min(len(rows), offset + len(chunk))
    context = {"content": content, "offset": done, "total": len(rows), "errors": errors, **totals}
    if done < len(rows):
        return render_section("settings/erp_sync.html", SECTION, stage="running", **context)
    to_check = api.get("/erp/sync-report")["users_without_collaborator"]
    return render_section("settings/erp_sync.html", SECTION, stage="done", to_check=to_check, **context)
