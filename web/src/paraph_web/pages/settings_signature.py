"""``/settings/e-signature``: the license's e-signature settings, for license admins: whether quotes sent by
email can be signed online (the license's ``electronic_signature_enabled``), the sites allowed to show the
signing page inside their own pages (embedded signing: one origin per line) and the reminder cadence (every N
days, at most M reminders; empty: Paraph's default)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from .. import api
from ..api import ApiError
from ..auth import admin_only
from .forms import whole_number
from .settings import render_section

bp = Blueprint("settings_signature", __name__)
SECTION = "e-signature"
NUMBERS = ("reminder_every_days", "reminder_max")


def _page(saved: dict, values: dict | None = None, errors=None, message=None, status=200):
    values = values if values is not None else {
        "embed_origins": "\n".join(saved["embed_origins"]),
        **{name: "" if saved[name] is None else str(saved[name]) for name in NUMBERS}}  # 0 is shown
    defaults = saved["defaults"]
    online = bool((api.get("/license").get("settings") or {}).get("electronic_signature_enabled"))
    return render_section("settings/signature.html", SECTION, status, values=values, errors=errors or {},
                          message=message, default_days=f"{defaults['reminder_every_days']:g}",
                          default_max=defaults["reminder_max"], online_signature=online)


def _number(raw: str):
    """Empty: back to the default (null); a whole number; anything else as typed (the API says why not)."""
    raw = raw.strip()
    return None if raw == "" else whole_number(raw)


def _errors(exc: ApiError) -> dict[str, str]:
    """The API's errors by form field: ``embed_origins.2`` is the origins' third line."""
    errors: dict[str, str] = {}
    for name, error in exc.field_errors.items():
        field, _sep, index = name.partition(".")
        if field == "embed_origins" and index.isdigit():
            error = _("Line %(line)s: %(error)s", line=int(index) + 1, error=error)
        errors.setdefault(field, error)
    return errors


@bp.get("/settings/e-signature")
@admin_only
def index():
    return _page(api.get("/signing/settings"))


@bp.post("/settings/e-signature")
@admin_only
def save():
    origins = [line.strip() for line in request.form.get("embed_origins", "").splitlines() if line.strip()]
    body = {"embed_origins": origins, **{name: _number(request.form.get(name, "")) for name in NUMBERS}}
    try:
        api.patch("/signing/settings", body)
    except ApiError as exc:
        if exc.status not in (400, 409, 422):
            raise
        errors = _errors(exc)
        return _page(api.get("/signing/settings"), request.form, errors, None if errors else exc.detail, 422)
    flash(_("The e-signature settings are saved."), "success")
    return redirect(url_for("settings_signature.index"))


@bp.post("/settings/e-signature/online-quotes")
@admin_only
def save_online_quotes():
    enabled = request.form.get("electronic_signature_enabled") == "on"
    api.patch("/license", {"electronic_signature_enabled": enabled})
    flash(_("Quotes sent by email can now be signed online.") if enabled
          else _("Quotes sent by email are now for reading only."), "success")
    return redirect(url_for("settings_signature.index"))
