"""``/settings/erp-sync``: the one-way user sync from the ERP (seed: Sage 100 -> SSM, keyed by email).

Upload the collaborators export (CSV), see what it would do (``POST /erp/collaborators/preview``: linked by
email, to create, users to check by hand, row errors), run it, see the result. The run goes through the API
in steps of ``CHUNK_ROWS`` rows (``POST /erp/collaborators/import`` with ``invite_new``, ``first_row`` and
``row_count``; the whole export each time, so that the API numbers its rows and refuses a repeated email as in one
run), so a large export shows its progress ("n of N" and a ``<progress>``) instead of one long wait: with
JavaScript each step posts the next one by itself (htmx); without it, the person presses "Continue".

The web app keeps nothing: the export and the running totals travel in the step form's hidden fields (the
same person posts them back; the API checks every row again), so any web worker can take the next step.

The run invites the new collaborators only when the admin leaves "invite them" checked; otherwise (and after any
run) ``/settings/erp-sync/review`` lets them choose, from ``GET /erp/sync-report``: tick the collaborators without
an account to invite (``POST /erp/collaborators/invite``: each takes a seat), or link one whose email changed in
the ERP to the existing user without ERP code (``POST /erp/collaborators/link``).
"""
from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from .. import api
from ..api import ApiError
from ..api_messages import translate
from ..auth import admin_only
from .admin import GIVABLE_ROLES, seat_summary
from .settings import render_section

bp = Blueprint("settings_erp", __name__)
SECTION = "erp-sync"
CHUNK_ROWS = 50
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _decode(raw: bytes) -> str | None:
    """ERP exports are UTF-8 or, from Windows tools such as Sage 100, Windows-1252. None for a file that is not
    text: a spreadsheet (.xlsx) or a UTF-16 text chosen instead of the CSV holds NUL bytes, which no CSV has."""
    if b"\x00" in raw:
        return None
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
    if len(raw) > MAX_UPLOAD_BYTES:
        return _upload_form(_("The file is larger than 5 MB; split the export."), 422)
    content = _decode(raw)
    if content is None:
        return _upload_form(_("This file is not a CSV text export: save the collaborators as CSV (UTF-8 or "
                              "Windows-1252)."), 422)
    if not content.strip():  # no file, or an empty one (a byte order mark alone included)
        return _upload_form(_("Choose the CSV export of the ERP's collaborators."), 422)
    try:
        result = api.post("/erp/collaborators/preview", {"format": "csv", "content": content})
    except ApiError as exc:
        if exc.status != 422:
            raise
        return _upload_form(translate(exc.detail), 422)  # not a CSV text, no code or email column...
    # the seats the invitations would take and those free, as the preview counts them (the run's own rule: a
    # deactivated user's row is linked, not invited again)
    seats = {key: result[f"seats_{key}"] for key in ("needed", "free", "total", "used")}
    return render_section("settings/erp_sync.html", SECTION, stage="preview", preview=result, content=content,
                          filename=upload.filename, seats=seats)


@bp.post("/settings/erp-sync/run")
@admin_only
def run():
    """One step of the run: the next chunk of rows through the API, then the progress or the result."""
    # the export travels back in a form field, URL-encoded (up to 3 bytes a byte): above Flask's 500 kB default
    request.max_form_memory_size = 4 * MAX_UPLOAD_BYTES
    content = request.form.get("content", "")
    offset = max(0, request.form.get("offset", 0, type=int))
    invite_new = bool(request.form.get("invite_new"))  # the preview's checkbox, then each step's hidden field
    totals = {"created": request.form.get("created", 0, type=int), "linked": request.form.get("linked", 0, type=int)}
    try:
        errors = json.loads(request.form.get("errors") or "[]")
    except ValueError:
        errors = []
    try:  # the whole export each step: the API numbers its rows and refuses an email seen in an earlier step
        result = api.post("/erp/collaborators/import", {"format": "csv", "content": content, "invite_new": invite_new,
                                                        "first_row": offset + 1, "row_count": CHUNK_ROWS})
    except ApiError as exc:
        if exc.status != 422:
            raise
        return _upload_form(translate(exc.detail), 422)
    totals["created"] += len(result["invited"])
    totals["linked"] += result["linked"]
    errors += result["errors"]
    total = result["total"]
    done = min(total, offset + CHUNK_ROWS)
    context = {"content": content, "offset": done, "total": total, "errors": errors, "invite_new": invite_new,
               **totals}
    if done < total:
        return render_section("settings/erp_sync.html", SECTION, stage="running", **context)
    report = api.get("/erp/sync-report")
    # the users missing from this export, as its preview listed them (the run never changes who they are): the
    # report's users_without_collaborator are another group, those no export ever linked (the review's to link)
    missing = api.post("/erp/collaborators/preview", {"format": "csv", "content": content})["to_check"]
    return render_section("settings/erp_sync.html", SECTION, stage="done", missing=missing,
                          to_invite=_active(report["collaborators_without_user"]), **context)


# -- review: invite the chosen collaborators, link by hand -----------------------------------------------------

def _active(collaborators: list[dict]) -> list[dict]:
    """The collaborators still active in the ERP (one who left is neither invited nor linked)."""
    return [c for c in collaborators if c.get("active", True)]


def _back_to_review():
    return redirect(url_for("settings_erp.review"))


@bp.get("/settings/erp-sync/review")
@admin_only
def review():
    """The sync report to act on: collaborators without an account (invite the ticked ones), when Paraph has
    users without ERP code the same collaborators to link by hand (an email changed on one side), and the users
    whose collaborator left the ERP but who still hold a seat (the sync never deactivates anyone: the admin does,
    from the user's page). The API's report sorts them as its preview does: a collaborator whose user was
    deactivated in Paraph is linked, never to invite (their page reactivates them if the admin wants them back),
    and one whose email is a portal client's is neither (one email is one person)."""
    report = api.get("/erp/sync-report")
    without_account = _active(report["collaborators_without_user"])
    deactivated = [c for c in report["matched"] if c.get("user_status") == "deactivated"]
    left_erp = [c for c in report["matched"] if c.get("active") is False and c.get("user_id") and c not in deactivated]
    return render_section("settings/erp_sync_review.html", SECTION, without_account=without_account,
                          inactive=len(report["collaborators_without_user"]) - len(without_account), left_erp=left_erp,
                          deactivated=_active(deactivated), portal_clients=_active(report.get("portal_clients", [])),
                          users_without_code=[u for u in report["users_without_collaborator"] if not u.get("erp_code")],
                          seats=seat_summary(), roles=GIVABLE_ROLES["license_admin"])


@bp.post("/settings/erp-sync/review/invite")
@admin_only
def invite_selected():
    codes = request.form.getlist("codes")
    role = request.form.get("role") or "user"
    if not codes:
        flash(_("Tick the collaborators to invite."), "err")
        return _back_to_review()
    try:
        result = api.post("/erp/collaborators/invite", {"codes": codes, "role": role})
    except ApiError as exc:
        if exc.status == 409:
            _say_seat_shortage(codes, exc)
        elif exc.status in (403, 404, 422):
            flash(translate(exc.detail), "err")  # an expired subscription, a code gone from the ERP since shown
        else:
            raise
        return _back_to_review()
    _say_invited([m["email"] for m in result["invited"]])
    for skipped in result["skipped"]:  # inactive in the ERP, invited meanwhile...
        flash(_("%(collaborator)s was not invited. %(reason)s", collaborator=_named(skipped),
                reason=translate(skipped["reason"])), "err")
    return _back_to_review()


def _named(collaborator: dict) -> str:
    """"Bruno Petit (bruno@acme.test, V03)", or without a name in the ERP "bruno@acme.test (V03)"."""
    if collaborator.get("name"):
        return _("%(name)s (%(email)s, %(code)s)", name=collaborator["name"], email=collaborator["email"],
                 code=collaborator["code"])
    return _("%(email)s (%(code)s)", email=collaborator["email"], code=collaborator["code"])


def _say_invited(emails: list[str]) -> None:
    if emails:
        flash(_("Invited by email: %(emails)s.", emails=", ".join(emails)), "success")


def _say_seat_shortage(codes: list[str], exc: ApiError) -> None:
    """The API invites in order and stops at the first collaborator without a seat: say who got in before, who
    did not, and how many seats are left (the problem's figures, or the license's)."""
    report = api.get("/erp/sync-report")
    still_without = {c["code"]: c["email"] for c in report["collaborators_without_user"]}
    matched = {c["code"]: c["email"] for c in report["matched"]}
    _say_invited([matched[code] for code in codes if code not in still_without and code in matched])
    seats = seat_summary()
    total = exc.problem.get("seats_total", seats["total"] if seats else 0)
    free = max(total - exc.problem["seats_used"], 0) if "seats_used" in exc.problem else (seats or {}).get("free", 0)
    flash(_("Not enough seats (free seats: %(free)s of %(total)s). Not invited for lack of a seat: %(emails)s. "
            "Deactivate users or add seats to the subscription, then invite them.", free=free, total=total,
            emails=", ".join(still_without[code] for code in codes if code in still_without)), "err")


@bp.post("/settings/erp-sync/review/link")
@admin_only
def link():
    code, user_id = request.form.get("code", ""), request.form.get("user_id", "")
    if not user_id:
        flash(_("Choose the user to link to %(code)s.", code=code), "err")
        return _back_to_review()
    try:
        member = api.post("/erp/collaborators/link", {"code": code, "user_id": user_id})
    except ApiError as exc:
        if exc.status not in (403, 404, 409, 422):
            raise  # a code or user gone since the page was shown: said on the page
        flash(translate(exc.detail), "err")
        return _back_to_review()
    flash(_("%(email)s is linked to the collaborator %(code)s.", email=member["email"], code=code), "success")
    return _back_to_review()
