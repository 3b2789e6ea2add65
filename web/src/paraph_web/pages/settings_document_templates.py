"""``/settings/document-templates``: the license's contract types, created here (name, kind, language, abandon
delay, attachments on the client portal, merge fields), their details changed and archived or restored on their
page, beside the HTML template each type's PDF is rendered from, edited beside a reference of every variable a
template may use (served by the API: its type, an example, what it is) and the type's own merge fields. A
template the API refuses is shown again with its error ("line 12: 'customer.nmae' is undefined") next to it.
"Preview the PDF" opens, in a new tab, the template as typed rendered by the API on sample data (nothing saved);
refused, the same error is said next to it there.
The type's page also sets its perimeters (SELL&SIGN: a type in none is offered to every user), as a customer's
file does, rather than making the admin tick it on each perimeter's page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import api
from ..api import ApiError
from ..auth import admin_only
from ..i18n import DOCUMENT_LANGUAGES, page_language
from .contracts import _stream
from .customers import perimeter_choices
from .forms import confirmed_name, errors_on_page, whole_number
from .settings import render_section
from .settings_license import document_defaults

bp = Blueprint("settings_document_templates", __name__)
SECTION = "document-templates"
TYPES = {
    "text": _l("text"), "number": _l("number"), "boolean": _l("yes/no"), "date": _l("date"),
    "money": _l("amount"), "rate": _l("rate"), "object": _l("group"), "list": _l("list"),
}
KINDS = {"quote": _l("Quote"), "contract": _l("Contract")}
FIELD_TYPES = ("text", "number", "date", "boolean")  # a merge field's types (the API's)
# attachments on the client portal: the license's default (null), or the type's own choice
PORTAL_CHOICES = {"": None, "shown": True, "hidden": False}
# the contracts service's own words about merge fields that api_messages does not know (a key's format it says for
# every page), in the page's language
MERGE_FIELD_MESSAGES = {"merge field keys must be unique": _l("Two merge fields have the same key.")}
EMPTY_FIELD_ROWS = 3  # merge field rows offered empty, under a type's own (as the CC rows of a signature request)
# a type's details refused: fields the API refuses (422), or a name another type of the license has (409, said of
# the name field)
NAME_OR_FIELDS_REFUSED = (409, 422)


def _form_context(values: dict, rows: int) -> dict:
    """What the type's details form shows: the posted or saved ``values`` (keyed as the inputs are named), its
    ``rows`` merge field rows, the choices and the license's defaults the empty choices stand for."""
    return {"values": values, "field_rows": rows, "kinds": KINDS, "languages": DOCUMENT_LANGUAGES,
            "field_types": FIELD_TYPES, "types": TYPES, "defaults": document_defaults()}


def _saved_values(contract_type: dict) -> dict:
    """A saved type as its details form's inputs hold it."""
    portal = contract_type.get("attachments_portal_visible")
    values = {"name": contract_type.get("name") or "", "kind": contract_type.get("kind") or "contract",
              "description": contract_type.get("description") or "", "locale": contract_type.get("locale") or "",
              "abandon_delay_days": contract_type.get("abandon_delay_days") or "",
              "attachments_portal_visible": "" if portal is None else "shown" if portal else "hidden"}
    for row, merge_field in enumerate(contract_type.get("merge_fields") or []):
        for key in ("key", "label", "type"):
            values[f"merge_fields.{row}.{key}"] = merge_field.get(key) or ""
        values[f"merge_fields.{row}.required"] = bool(merge_field.get("required"))
    return values


def _posted() -> tuple[dict, list[int], int]:
    """The details form as the API takes it, the rows its merge fields come from (the API's errors are keyed by
    their place in the list sent: merge_fields.<n>.key) and how many rows the form had. A row with a label but
    no key is sent without one, for the API to say the key is missing; the delay is sent as typed when it is
    not a number, for the API to say what is wrong."""
    form = request.form
    days = form.get("abandon_delay_days", "").strip()
    body = {"name": form.get("name", "").strip(), "description": form.get("description", "").strip(),
            "locale": form.get("locale") or None,
            "abandon_delay_days": whole_number(days) if days else None,
            "attachments_portal_visible": PORTAL_CHOICES.get(form.get("attachments_portal_visible", ""))}
    rows_sent = whole_number(form.get("field_rows"))
    count = min(rows_sent, 200) if isinstance(rows_sent, int) and rows_sent > 0 else 0
    merge_fields, rows = [], []
    for row in range(count):
        key, label = (form.get(f"merge_fields.{row}.{name}", "").strip() for name in ("key", "label"))
        if key or label:
            merge_field = {"label": label, "type": form.get(f"merge_fields.{row}.type") or "text",
                           "required": f"merge_fields.{row}.required" in form}
            if key:
                merge_field["key"] = key
            merge_fields.append(merge_field)
            rows.append(row)
    body["merge_fields"] = merge_fields
    return body, rows, count


def _errors_by_input(field_errors: dict[str, str], rows: list[int]) -> dict[str, str]:
    """The API's errors keyed by the form's inputs (merge_fields.<n>.key is the error of the n-th row sent), the
    contracts service's words about merge fields in the page's language."""
    return {field: str(MERGE_FIELD_MESSAGES.get(text, text))
            for field, text in errors_on_page(field_errors, "merge_fields", rows).items()}


def _edit_page(contract_type: dict, template_html: str, status: int = 200, errors=None, message=None,
               details=None, details_errors=None, details_message=None, rows=None):
    reference = api.get("/contract-types/template-variables", locale=page_language())
    if not template_html and request.args.get("start") == "default":  # "Start from Paraph's template"
        template_html = reference["default_template"]
    values = details if details is not None else _saved_values(contract_type)
    rows = rows if rows is not None else len(contract_type.get("merge_fields") or []) + 2
    perimeters = perimeter_choices()
    in_type = set(contract_type.get("perimeter_ids") or [])
    return render_section("settings/document_template.html", SECTION, status, contract_type=contract_type,
                          perimeters=perimeters, type_perimeters=[p["label"] for p in perimeters if p["id"] in in_type],
                          template_html=template_html, variables=reference["variables"], errors=errors or {},
                          message=message, details_errors=details_errors or {}, details_message=details_message,
                          **_form_context(values, rows))


@bp.get("/settings/document-templates")
@admin_only
def index():
    """The types with their perimeters (SELL&SIGN: which users are offered each one; none: every user), so that the
    admin sees at a glance what each perimeter is offered without opening every type."""
    types = api.get("/contract-types", archived="true")
    names = {p["id"]: p["label"] for p in perimeter_choices()}
    for t in types:  # a perimeter deleted meanwhile is not named
        t["perimeters"] = sorted(names[i] for i in t.get("perimeter_ids") or () if i in names)
    columns = [(None, _("Contract type"), False), (None, _("Kind"), False), (None, _("Perimeters"), False)]
    return render_section("settings/document_templates.html", SECTION, contract_types=types, columns=columns,
                          kinds=KINDS)


def _new_page(values: dict, rows: int = EMPTY_FIELD_ROWS, status: int = 200, errors=None, message=None):
    return render_section("settings/document_template_new.html", SECTION, status, errors=errors or {},
                          message=message, **_form_context(values, rows))


@bp.get("/settings/document-templates/new")
@admin_only
def new():
    return _new_page({"kind": request.args.get("kind") if request.args.get("kind") in KINDS else "quote"})


@bp.post("/settings/document-templates/new")
@admin_only
def create():
    body, rows, count = _posted()
    body["kind"] = request.form.get("kind") or "contract"
    try:
        created = api.post("/contract-types", body)
    except ApiError as exc:
        if exc.status not in NAME_OR_FIELDS_REFUSED:
            raise
        errors = _errors_by_input(exc.field_errors, rows)
        return _new_page(request.form, count, 422, errors, None if errors else exc.detail)
    flash(_("The contract type %(name)s is created. Write its document's template below, or keep Paraph's "
            "default one.", name=created["name"]), "success")
    return redirect(url_for("settings_document_templates.edit", type_id=created["id"]))


@bp.get("/settings/document-templates/<type_id>")
@admin_only
def edit(type_id: str):
    contract_type = api.get(f"/contract-types/{type_id}")
    return _edit_page(contract_type, contract_type.get("template_html") or "")


def _typed_template() -> str:
    return request.form.get("template_html", "").replace("\r\n", "\n")


def _template_refused(type_id: str, template_html: str, exc: ApiError):
    """The editor again with what was typed and the API's 422 next to the template (its line and variable, or
    the URL it may not fetch); any other error is the app's error page."""
    if exc.status != 422:
        raise exc
    return _edit_page(api.get(f"/contract-types/{type_id}"), template_html, 422, errors=exc.field_errors,
                      message=None if exc.field_errors else exc.detail)


@bp.post("/settings/document-templates/<type_id>")
@admin_only
def save(type_id: str):
    template_html = _typed_template()
    try:
        api.patch(f"/contract-types/{type_id}", {"template_html": template_html})
    except ApiError as exc:
        return _template_refused(type_id, template_html, exc)
    flash(_("The template is saved: the next PDFs use it."), "success")
    return redirect(url_for("settings_document_templates.edit", type_id=type_id))


@bp.post("/settings/document-templates/<type_id>/preview")
@admin_only
def preview(type_id: str):
    """The template as typed (empty: Paraph's), rendered by the API on sample data, shown by the browser in the
    tab the button opened (nothing is saved); refused, the editor with the error, as saving says it."""
    template_html = _typed_template()
    try:
        return _stream(f"/contract-types/{type_id}/preview.pdf", {"template_html": template_html}, inline="1")
    except ApiError as exc:
        return _template_refused(type_id, template_html, exc)


@bp.post("/settings/document-templates/<type_id>/details")
@admin_only
def save_details(type_id: str):
    body, rows, count = _posted()
    try:
        saved = api.patch(f"/contract-types/{type_id}", body)
    except ApiError as exc:
        if exc.status not in NAME_OR_FIELDS_REFUSED:
            raise
        contract_type = api.get(f"/contract-types/{type_id}")
        errors = _errors_by_input(exc.field_errors, rows)
        return _edit_page(contract_type, contract_type.get("template_html") or "", 422, details=request.form,
                          details_errors=errors, details_message=None if errors else exc.detail, rows=count)
    flash(_("The details of the contract type %(name)s are saved.", name=saved["name"]), "success")
    return redirect(url_for("settings_document_templates.edit", type_id=type_id))


@bp.post("/settings/document-templates/<type_id>/perimeters")
@admin_only
def set_perimeters(type_id: str):
    """Only the users of the ticked perimeters are offered the type; none ticked: every user is."""
    api.put(f"/contract-types/{type_id}/perimeters", {"perimeter_ids": request.form.getlist("perimeter_ids")})
    flash(_("The contract type's perimeters are saved."), "success type-perimeters")  # said in its section
    return redirect(url_for("settings_document_templates.edit", type_id=type_id, _anchor="type-perimeters"))


ARCHIVED_SAID = {
    True: _l("The contract type %(name)s is archived."),  # what it means: the page's banner
    False: _l("The contract type %(name)s is restored: new quotes and contracts offer it again."),
}


@bp.post("/settings/document-templates/<type_id>/<any(archive, restore):action>")
@admin_only
def set_archived(type_id: str, action: str):
    """Archive a type (asked once, naming it: new documents no longer offer it) or restore it."""
    archived = action == "archive"
    saved = api.patch(f"/contract-types/{type_id}", {"archived": archived})
    flash(ARCHIVED_SAID[archived] % {"name": saved.get("name") or confirmed_name()}, "success")
    return redirect(url_for("settings_document_templates.edit", type_id=type_id))
