"""License settings sections: the documents' defaults (``/settings/abandon-delay``: the company's country, language,
currency, the abandon delay, attachments shown on the client portal, the time zone of the emails), the custom columns
and flags of contracts (``/settings/columns``, ``/settings/flags``) and the notifications' delivery log
(``/settings/notifications``)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from paraph_platform import time_zones

from .. import api
from ..api import ApiError
from ..api_messages import translate
from ..auth import admin_only
from ..i18n import COMMON_CURRENCIES, COMPANY_COUNTRY, DOCUMENT_LANGUAGES, page_language, posted_currency
from . import paging, settings_templates
from .forms import form_values, whole_number
from .settings import render_section

bp = Blueprint("settings_license", __name__)
DEFAULT_ABANDON_DELAY_DAYS = 60  # identity's default for a new license
# "number" is a quantity here (French "Nombre"), not the "Number" of a document's number column ("Numéro")
COLUMN_TYPES = {"text": _l("Text"), "number": lazy_pgettext("column type", "Number"), "date": _l("Date"),
                "boolean": _l("Yes / no"), "choice": _l("Choice in a list")}
# a notification's states (the API's) -> the same state of a webhook delivery (settings_webhooks.DELIVERY_STATUSES):
# waiting for an attempt, being sent, done (the mail or SMS provider took it / the receiver answered 2xx), given
# up. The log shows each with the delivery's badge, so that both logs name and colour a state the same way
NOTIFICATION_STATUSES = {"queued": "pending", "sending": "sending", "sent": "succeeded", "failed": "failed"}
NOTIFICATIONS_PER_PAGE = 50


def _refused(exc: ApiError) -> tuple[dict, str | None]:
    """A 4xx the form can show: (errors next to their fields, message on top); anything else is raised."""
    if exc.status not in (409, 422):
        raise exc
    return exc.field_errors, None if exc.field_errors else translate(exc.detail)


# -- the documents' defaults -----------------------------------------------------------------------------

# a license's defaults for its documents (identity's LicenseSettingsSchema; a customer's own language and
# currency win), as a new license has them, and the country its company is established in ("" for a license that
# has not said it: paraph_platform.company_country), where a new customer's form starts
DOCUMENT_DEFAULTS = {"default_locale": "fr", "currency": "EUR", "abandon_delay_days": DEFAULT_ABANDON_DELAY_DAYS,
                     "portal_attachments_visible_by_default": False, "country": ""}


def document_defaults(settings: dict | None = None) -> dict:
    """The license's defaults as its documents get them (any signed-in user may read them: ``GET /license``), a
    setting never saved being the new license's (as the contracts service reads them)."""
    settings = (api.get("/license").get("settings") or {}) if settings is None else settings
    return {name: settings.get(name) or default for name, default in DOCUMENT_DEFAULTS.items()}


# the groups of the time zones offered (paraph_platform.time_zones.OFFERED), named in the page's language
TIME_ZONE_GROUPS = {"europe": _l("Europe"), "overseas": _l("French overseas territories"),
                    "north_america": _l("North America"), "other": _l("Other")}


def _time_zone_choices(current: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The zones the select offers, by group, each named by its place in the page's language (as the emails name
    it: "heure de La Réunion"); a zone set through the API that is not offered stays offered, under its key."""
    language = page_language()
    groups = [(str(TIME_ZONE_GROUPS[group]), [(zone.key, _capitalized(time_zones.place(zone.key, language)))
                                              for zone in zones])
              for group, zones in time_zones.OFFERED.items()]
    if current and all(current != key for _group, zones in groups for key, _label in zones):
        groups[-1][1].append((current, current))
    return groups


def _capitalized(place: str) -> str:
    return place[:1].upper() + place[1:]  # "la Martinique" after "heure de", "La Martinique" in a list


def _defaults_page(values: dict, errors=None, message=None, status=200):
    return render_section("settings/abandon.html", "abandon-delay", status, values=values, errors=errors or {},
                          message=message, default=DEFAULT_ABANDON_DELAY_DAYS, languages=DOCUMENT_LANGUAGES,
                          currencies=COMMON_CURRENCIES, time_zones=_time_zone_choices(values.get("time_zone")))


@bp.get("/settings/abandon-delay")
@admin_only
def abandon():
    settings = api.get("/license").get("settings") or {}
    # the zone its emails write their times in (notify reads it the same way)
    return _defaults_page({**document_defaults(settings), "time_zone": time_zones.of_settings(settings)})


@bp.get("/settings/abandon")
def abandon_short():
    return redirect(url_for("settings_license.abandon"))


@bp.post("/settings/abandon-delay")
@admin_only
def save_abandon():
    days = request.form.get("abandon_delay_days", "").strip()
    values = {"default_locale": request.form.get("default_locale", ""),
              "currency": posted_currency(request.form),  # chosen in the list, or typed
              # the API judges the delay (a whole number of days in its range): its error shows next to the field;
              # none typed is sent as none, which it says is required (not "not a valid number")
              "abandon_delay_days": whole_number(days) if days else None,
              "portal_attachments_visible_by_default": "portal_attachments_visible_by_default" in request.form,
              "time_zone": request.form.get("time_zone", "")}
    if request.form.get("country"):  # a license that has not said its country may leave it unsaid
        values["country"] = request.form["country"]
    try:
        saved = api.patch("/license", values)
    except ApiError as exc:
        errors, message = _refused(exc)
        # the delay shown as typed, next to what is wrong with it ("0" too: the field's value 0 showed empty)
        return _defaults_page({**values, "abandon_delay_days": days}, errors, message, 422)
    # this admin's pages write dates as the company's new country does from now on (others' from their next sign-in)
    settings = (saved or {}).get("settings") or {}
    if "country" in settings:
        session[COMPANY_COUNTRY] = settings["country"]
    flash(_("The documents' defaults are saved."), "success")
    return redirect(url_for("settings_license.abandon"))


# -- custom columns and flags ---------------------------------------------------------------------------

def _columns_page(errors=None, message=None, form=None, status=200):
    return render_section("settings/columns.html", "columns", status, columns=api.get("/settings/columns"),
                          flags=api.get("/settings/flags"), types=COLUMN_TYPES, errors=errors or {},
                          message=message, form=form, values=request.form)


def _choices() -> list[str]:
    return [c.strip() for c in request.form.get("choices", "").split(",") if c.strip()]


def _save(form: str, do, done: str):
    """Create/edit/delete a column or flag; a refusal shows the page again with the errors of ``form``."""
    try:
        do()
    except ApiError as exc:
        errors, message = _refused(exc)
        if exc.status == 409 and not errors:  # a duplicate key: said next to the key
            errors, message = {"key": translate(exc.detail)}, None
        return _columns_page(errors, message, form, 422)
    flash(done, "success")
    return redirect(url_for("settings_license.columns") + f"#{form.split('-')[0]}s")


@bp.get("/settings/columns")
@admin_only
def columns():
    return _columns_page()


@bp.get("/settings/flags")
def flags():
    return redirect(url_for("settings_license.columns") + "#flags")


@bp.post("/settings/columns")
@admin_only
def create_column():
    body = form_values("key", "label", "type")
    if body["type"] == "choice":
        body["choices"] = _choices()
    return _save("column-new", lambda: api.post("/settings/columns", body),
                 _("The column %(label)s is added.", label=body["label"]))


@bp.post("/settings/columns/<column_id>")
@admin_only
def update_column(column_id: str):
    body = form_values("label")
    if "choices" in request.form:
        body["choices"] = _choices()
    return _save(f"column-{column_id}", lambda: api.patch(f"/settings/columns/{column_id}", body),
                 _("The column %(label)s is saved.", label=body["label"]))


@bp.post("/settings/columns/<column_id>/delete")
@admin_only
def delete_column(column_id: str):
    return _save("column-delete", lambda: api.delete(f"/settings/columns/{column_id}"), _("The column is deleted."))


@bp.post("/settings/flags")
@admin_only
def create_flag():
    body = form_values("key", "label", "color")
    return _save("flag-new", lambda: api.post("/settings/flags", body),
                 _("The flag %(label)s is added.", label=body["label"]))


@bp.post("/settings/flags/<flag_id>")
@admin_only
def update_flag(flag_id: str):
    body = form_values("label", "color")
    return _save(f"flag-{flag_id}", lambda: api.patch(f"/settings/flags/{flag_id}", body),
                 _("The flag %(label)s is saved.", label=body["label"]))


@bp.post("/settings/flags/<flag_id>/delete")
@admin_only
def delete_flag(flag_id: str):
    return _save("flag-delete", lambda: api.delete(f"/settings/flags/{flag_id}"), _("The flag is deleted."))


# -- notifications' delivery log --------------------------------------------------------------------------

@bp.get("/settings/notifications")
@admin_only
def notifications():
    status = request.args.get("status") if request.args.get("status") in NOTIFICATION_STATUSES else None
    page = api.get("/notifications", status=status, limit=NOTIFICATIONS_PER_PAGE, **paging.position())
    next_url, previous_url = paging.links(page)
    return render_section("settings/notifications.html", "notifications", page=page, statuses=NOTIFICATION_STATUSES,
                          status_filter=status, next_url=next_url, previous_url=previous_url,
                          purposes=settings_templates.PURPOSES)  # which email it was, named as on the templates page
