"""``/settings/email-templates``: the emails (and SMS) notify sends, each editable per language with its
variables listed, a preview rendered with sample data (and the admin's own company's name), and a reset to the
built-in default."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import api
from ..api import ApiError
from ..auth import admin_only, company_name
from ..i18n import DOCUMENT_LANGUAGES
from ..security import showing_an_email
from .settings import render_section

bp = Blueprint("settings_templates", __name__)
SECTION = "email-templates"
LOCALES = DOCUMENT_LANGUAGES  # a template's languages, named in the page's language as elsewhere ("Anglais")
# what each of notify's templates is for (its name is an identifier)
PURPOSES = {
    "invitation": _l("Invitation of a colleague"),
    "client_invitation": _l("Customer portal access"),
    "password_reset": _l("Password reset"),
    "client_password_reset": _l("Password reset (customer portal)"),
    "quote_send": _l("Quote sent"),
    "quote_reminder": _l("Quote reminder"),
    "contract_shared": _l("Document shared on the portal (to the clients)"),
    "contract_shared_owner": _l("Document shared on the portal (to the salesperson)"),
    "signature_request": _l("Signature request"),
    "signature_reminder": _l("Signature reminder"),
    "signature_otp": _l("Signature code"),
    "signature_completed": _l("Document signed (to the signers)"),
    "signature_completed_owner": _l("Document signed (to the salesperson)"),
    "signature_cc": _l("Copy of the signed document (CC recipients)"),
    "signature_declined": _l("Document declined (to the sender)"),
    "signature_expired": _l("Signature request expired (to the sender)"),
    "quote_viewed": _l("Quote viewed (to the salesperson)"),
    "quote_downloaded": _l("Quote downloaded (to the salesperson)"),
    "quote_feedback": _l("Customer feedback on a quote"),
    "customer_self_updated": _l("Contact details updated by a customer (to the salesperson)"),
    "webhook_disabled": _l("Webhook disabled (to admins)"),
}
PARTS = ("subject", "text", "html", "sms")


def _locale() -> str:
    locale = request.values.get("locale", "fr")
    if locale not in LOCALES:
        abort(404)
    return locale


def _path(name: str, locale: str, suffix: str = "") -> str:
    return f"/notification-templates/{name}{suffix}?locale={locale}"


def _draft() -> dict:
    """The parts as typed; an empty HTML or SMS part means "derived from the text" / "the default"."""
    return {part: (request.form.get(part, "").replace("\r\n", "\n") or None) for part in PARTS} | {
        "subject": request.form.get("subject", ""), "text": request.form.get("text", "").replace("\r\n", "\n")}


def unsaved_changes(saved: dict, draft: dict) -> bool:
    """Does the draft differ from the saved template as the edit page shows it (an uncustomized template's HTML
    left empty: it follows the text)? Then its preview shows changes the next emails do not use yet."""
    shown = {**saved, "html": saved.get("html") if saved.get("customized") else None}
    return any((draft.get(part) or "") != (shown.get(part) or "").replace("\r\n", "\n") for part in PARTS)


def sample_vars() -> dict:
    """What the preview's sample data takes from the admin's own company, for them to read their emails as their
    customers will (notify's samples otherwise: "ACME Paris"); the send screen's preview signs alike."""
    company = company_name()
    return {"license_name": company} if company else {}


def _edit_page(name: str, locale: str, template: dict, status: int = 200, **context):
    if context.get("preview"):
        showing_an_email()
    context.setdefault("errors", {})
    context.setdefault("message", None)
    return render_section("settings/email_template.html", SECTION, status, name=name, locale=locale,
                          template=template, purpose=PURPOSES.get(name, name), locales=LOCALES, **context)


@bp.get("/settings/email-templates")
@admin_only
def index():
    by_name: dict[str, dict] = {}
    for template in api.get("/notification-templates"):
        by_name.setdefault(template["name"], {})[template["locale"]] = template
    columns = [(None, _("Message"), False)] + [(None, label, False) for label in LOCALES.values()]
    return render_section("settings/email_templates.html", SECTION, templates=by_name, purposes=PURPOSES,
                          locales=LOCALES, columns=columns)


@bp.get("/settings/email-templates/<name>")
@admin_only
def edit(name: str):
    locale = _locale()
    template = api.get(f"/notification-templates/{name}", locale=locale)
    if not template["customized"]:
        # the built-in HTML repeats the text: left empty, it follows the text the admin edits
        template["html"] = None
    return _edit_page(name, locale, template)


@bp.post("/settings/email-templates/<name>")
@admin_only
def save_or_preview(name: str):
    """One form, two buttons: "Preview" renders the draft with sample data (saying so when it holds changes not
    saved yet), "Save" stores it."""
    locale = _locale()
    draft = _draft()
    saved = api.get(f"/notification-templates/{name}", locale=locale)
    template = {**saved, **draft}
    try:
        if request.form.get("do") == "preview":
            return _edit_page(name, locale, template, unsaved=unsaved_changes(saved, draft),
                              preview=api.post(_path(name, locale, "/preview"), {**draft, "vars": sample_vars()}))
        api.put(_path(name, locale), draft)
    except ApiError as exc:
        if exc.status != 422:
            raise
        return _edit_page(name, locale, template, 422, errors=exc.field_errors,
                          message=None if exc.field_errors else exc.detail)
    flash(_("The template is saved: the next emails use it."), "success")
    return redirect(url_for("settings_templates.edit", name=name, locale=locale))


@bp.post("/settings/email-templates/<name>/reset")
@admin_only
def reset(name: str):
    locale = _locale()
    api.delete(_path(name, locale))
    flash(_("The template is back to its default."), "success")
    return redirect(url_for("settings_templates.edit", name=name, locale=locale))
