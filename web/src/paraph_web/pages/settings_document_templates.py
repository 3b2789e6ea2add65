"""``/settings/document-templates``: the HTML template each contract type's PDF is rendered from, edited beside
a reference of every variable a template may use (served by the API: its type, an example, what it is) and
the type's own merge fields. A template the API refuses is shown again with its error ("line 12:
'customer.nmae' is undefined") next to it."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import api
from ..api import ApiError
from ..auth import admin_only
from .settings import render_section

bp = Blueprint("settings_document_templates", __name__)
SECTION = "document-templates"
TYPES = {
    "text": _l("text"), "number": _l("number"), "boolean": _l("yes/no"), "date": _l("date"),
    "money": _l("amount"), "rate": _l("rate"), "object": _l("group"), "list": _l("list"),
}


def _language() -> str:
    return "fr" if str(get_locale() or "fr").startswith("fr") else "en"


def _edit_page(contract_type: dict, template_html: str, status: int = 200, errors=None, message=None):
    variables = api.get("/contract-types/template-variables", locale=_language())["variables"]
    return render_section("settings/document_template.html", SECTION, status, contract_type=contract_type,
                          template_html=template_html, variables=variables, types=TYPES, errors=errors or {},
                          message=message)


@bp.get("/settings/document-templates")
@admin_only
def index():
    types = api.get("/contract-types", archived="true")
    columns = [(None, _("Contract type"), False), (None, _("Kind"), False), (None, _("Template"), False)]
    return render_section("settings/document_templates.html", SECTION, contract_types=types, columns=columns)


@bp.get("/settings/document-templates/<type_id>")
@admin_only
def edit(type_id: str):
    contract_type = api.get(f"/contract-types/{type_id}")
    return _edit_page(contract_type, contract_type.get("template_html") or "")


@bp.post("/settings/document-templates/<type_id>")
@admin_only
def save(type_id: str):
    template_html = request.form.get("template_html", "").replace("\r\n", "\n")
    try:
        api.patch(f"/contract-types/{type_id}", {"template_html": template_html})
    except ApiError as exc:
        if exc.status != 422:
            raise
        return _edit_page(api.get(f"/contract-types/{type_id}"), template_html, 422, errors=exc.field_errors,
                          message=None if exc.field_errors else exc.detail)
    flash(_("The template is saved: the next PDFs use it."), "success")
    return redirect(url_for("settings_document_templates.edit", type_id=type_id))
