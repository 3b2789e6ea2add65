"""``/settings``: the license's settings. The emailed links (``/settings/webhooks`` in "webhook
disabled") land on a signed-in page; each section gets its own page as it is built (see web/README.md)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, session
from flask_babel import lazy_gettext as _l

from paraph_platform.actor import ADMINS, MANAGERS

from ..auth import signed_in

bp = Blueprint("settings", __name__)

# section slug -> title, in the order of the settings menu (UI.md page map)
SECTIONS = {
    "users": _l("Users and seats"),
    "perimeters": _l("Perimeters"),
    "columns": _l("Columns and flags"),
    "company-profile": _l("Company profile"),
    "document-templates": _l("Contract types and templates"),  # what the page lists: each type with its template
    "email-templates": _l("Email templates"),
    "notifications": _l("Notifications"),
    "webhooks": _l("Webhooks"),
    "service-accounts": _l("Service accounts and API keys"),
    "portal": _l("Client portal"),
    "erp-sync": _l("ERP user sync"),
    "e-signature": _l("Signature"),
    "abandon-delay": _l("Document defaults"),
}

# what each section is for, under its link on /settings: a license admin setting up the company in the first week
# sees where each thing is done without opening every section
SECTION_HINTS = {
    "users": _l("Invite your colleagues, give their roles, free the seats of those who left."),
    "perimeters": _l("Share customers and contract types out between teams, zones or resellers."),
    "columns": _l("Extra information on contracts and quotes, and colour flags to sort them."),
    "company-profile": _l("Your company's name, logo, address and legal mentions on every PDF."),
    "document-templates": _l("The kinds of quotes and contracts, their fields and the layout of their PDF."),
    "email-templates": _l("The words of the emails and SMS Paraph sends for you."),
    "notifications": _l("Every email and SMS sent, with its status."),
    "webhooks": _l("Send Paraph's events to your other systems."),
    "service-accounts": _l("API keys for your ERP, CRM or scripts."),
    "portal": _l("Your customers' contacts who sign in to the client portal."),
    "erp-sync": _l("Create and link users from your ERP's export of collaborators."),
    "e-signature": _l("Online signature of quotes, embedding in your sites, reminders."),
    "abandon-delay": _l("Country, language, currency, time zone and abandon delay of new documents."),
}

# the sections a front user manager reaches (users and seats); license admins reach them all (contract types and
# templates among them: the API lets only admins write those, contracts_service/contract_types.py says why)
MANAGER_SECTIONS = ("users", "portal")


@bp.app_context_processor
def settings_menu():
    """``settings_sections``: the settings menu of the signed-in user (templates/settings/layout.html)."""
    role = session.get("role")
    if role in ADMINS:
        return {"settings_sections": SECTIONS}
    return {"settings_sections": {k: SECTIONS[k] for k in MANAGER_SECTIONS} if role in MANAGERS else {}}


def render_section(page: str, section: str, status: int = 200, /, **context):
    """A settings page: the settings menu (``section`` current) beside the section's own content
    (templates extend ``settings/layout.html``)."""
    return render_template(page, sections=SECTIONS, section=section, title=SECTIONS[section], **context), status


@bp.get("/settings")
@signed_in
def index():
    return render_template("settings/index.html", hints=SECTION_HINTS)  # the sections this user may open


@bp.get("/settings/<section>")
@signed_in
def section(section: str):
    if section not in SECTIONS:
        abort(404)
    return render_template("settings/section.html", sections=SECTIONS, section=section, title=SECTIONS[section])
