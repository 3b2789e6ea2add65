"""The work around a quote or contract, on its page (``/contracts/<id>``, template
``contracts/_work.html``): its milestones (add one: title, due date, shown on the portal; mark it done or to do
again; show or hide it on the client portal; delete it), its tasks (create one: title, due date, assignee; mark it done or to do again, here or from
the home page's tasks due; delete it), its documents (add a file to a folder; rename one or move it to another
folder, show or hide it on the client portal, delete it),
the customer's equipment base (a link to the customer file's tab) and what was bought recorded in it from the
document's lines (``POST /contracts/<id>/equipment``, serial numbers optional).

Each form posts here and comes back to the contract page saying what was done, or the API's refusal next to
its field (the page again, with the errors of that form only)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import api
from ..api import ApiError
from ..auth import safe_next, signed_in
from ..i18n import ngettext
from .forms import confirmed_name, form_values, refusal_said

bp = Blueprint("quote_actions", __name__)


def _owner_named(contract: dict) -> dict:
    """{the document's owner: their name}, as the document keeps them."""
    return {contract.get("owner_id"): contract.get("owner_name") or contract.get("owner_email")}


def assignees(contract: dict) -> list[dict]:
    """Who a task may go to: the license's active staff (``GET /colleagues``: not the document's owner when they
    were deactivated since), else the salesperson and the document's owner. The API refuses anyone who cannot see
    the document (said next to the picker)."""
    me = session.get("user") or {}
    try:
        people = {person["user_id"]: person.get("name") or person.get("email")
                  for person in api.get("/colleagues").get("items", [])}
    except ApiError as exc:
        if exc.status not in (403, 404, 405):
            raise
        people = _owner_named(contract)  # a gateway without /colleagues yet: the two people known here
    people.pop(me.get("user_id"), None)
    # "Me" first and chosen by default: my tasks are on my home page ("assignee=me")
    return [{"id": me.get("user_id") or "", "name": _("Me")}] + [
        {"id": uid, "name": name} for uid, name in people.items() if uid]


def takeable_lines(contract: dict) -> list[dict]:
    """The lines the customer bought: not optional, or optional and selected."""
    return [line for line in contract.get("lines") or [] if not line.get("optional") or line.get("selected")]


def context(contract: dict) -> dict:
    """What the contract page's work sections need besides the contract."""
    can_record = contract.get("can_record_equipment", False)  # what was bought can be recorded: the API says when
    recorded = set()
    if can_record:
        base = api.get(f"/contracts/{contract['id']}/equipment")
        recorded = {(item.get("source") or {}).get("line_id") for item in base.get("items", [])}
    folders = sorted({a["folder"] for a in contract.get("attachments") or [] if a.get("folder")})
    offered = assignees(contract)
    # the tasks' assignees named: those offered, and the owner (a task of theirs still names them once deactivated)
    named = {**_owner_named(contract), **{a["id"]: a["name"] for a in offered}}
    return {"assignees": offered, "assignee_names": {uid: name for uid, name in named.items() if uid},
            "folders": folders, "can_record": can_record,
            "bought_lines": [{**line, "recorded": line["id"] in recorded} for line in takeable_lines(contract)]}


def show_again(contract_id: str, form: str, exc: ApiError):
    """The contract page with the API's refusal next to the fields of the form that was posted."""
    from .contracts import render_page
    errors = exc.field_errors
    return render_page(contract_id, errors={form: errors}, values={form: request.form},
                       messages={form: None if errors else exc.detail}, status=exc.status)


def back(contract_id: str, anchor: str):
    return redirect(url_for("contracts.show", contract_id=contract_id, _anchor=anchor))


def add_dated_item(contract_id: str, form: str, body: dict, said: str):
    """Post a task or a milestone (``form``: its form's name, its API path's singular) to the contract, and come
    back to its section saying so, or to the page with the API's refusal next to the form's fields."""
    try:
        api.post(f"/contracts/{contract_id}/{form}s", body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        return show_again(contract_id, form, exc)
    flash(said, "success")
    return back(contract_id, f"{form}s")


@bp.post("/contracts/<contract_id>/milestones")
@signed_in
def add_milestone(contract_id: str):
    form = form_values("title", "due_date")
    return add_dated_item(contract_id, "milestone", {
        "title": form["title"], "due_date": form["due_date"] or None,
        "portal_visible": request.form.get("portal_visible") == "1"},
        _("The milestone %(title)s is added.", title=form["title"]))


def back_from_item(contract_id: str, items: str, **_ignored):
    """Where a dated item's button goes back to: the page it was clicked on (``next``: the home page's tasks),
    else the contract page's section of those items."""
    if request.form.get("next"):
        return redirect(safe_next(request.form["next"]))
    return back(contract_id, items)


@bp.post("/contracts/<contract_id>/<any(milestones, tasks):items>/<item_id>/<any(done, to_do):state>")
@signed_in
@refusal_said(back=back_from_item)
def set_item_state(contract_id: str, items: str, item_id: str, state: str):
    """Mark a milestone reached (the portal shows it done when it shows it) or a task done (it leaves the open
    tasks of the home page), or either to do again; a refusal (gone meanwhile...) is said on the page."""
    api.patch(f"/{items}/{item_id}", {"done": state == "done"})
    return back_from_item(contract_id, items)


# what is said once a dated item is deleted, naming it as the question did
_DELETED = {"milestones": _l("The milestone %(title)s is deleted."), "tasks": _l("The task %(title)s is deleted.")}


@bp.post("/contracts/<contract_id>/<any(milestones, tasks):items>/<item_id>/delete")
@signed_in
@refusal_said(back=lambda contract_id, items, **_ignored: back(contract_id, items))
def delete_item(contract_id: str, items: str, item_id: str):
    """Delete a milestone or a task, asked once on the contract page; already gone (a colleague, another tab) is
    said on the page."""
    api.delete(f"/{items}/{item_id}")
    flash(_DELETED[items] % {"title": confirmed_name()}, "success")
    return back(contract_id, items)


@bp.post("/contracts/<contract_id>/tasks")
@signed_in
def add_task(contract_id: str):
    form = form_values("title", "due_date", "assignee_id")
    return add_dated_item(contract_id, "task", {"title": form["title"], "due_date": form["due_date"] or None,
                                                "assignee_id": form["assignee_id"] or None}, _("The task is created."))


@bp.post("/contracts/<contract_id>/documents")
@signed_in
def add_document(contract_id: str):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return show_again(contract_id, "document", ApiError(422, {"errors": {"file": [_("Choose a file.")]}}))
    folder = request.form.get("folder", "").strip()
    try:
        api.call("POST", f"/contracts/{contract_id}/attachments",
                 files={"file": (upload.filename, upload.stream, upload.mimetype or "application/octet-stream")},
                 data={"folder": folder, "portal_visible": "true" if request.form.get("portal_visible") else "false"})
    except ApiError as exc:
        if exc.status not in (413, 415, 422):
            raise  # too large, a type not accepted, empty: said next to the file
        errors = exc.field_errors or {"file": exc.detail}
        return show_again(contract_id, "document", ApiError(422, {"errors": errors}))
    flash(_("The document is added."), "success")
    return back(contract_id, "documents")


def back_to_documents(contract_id: str, **_ignored):
    return back(contract_id, "documents")


@bp.post("/contracts/<contract_id>/attachments/<attachment_id>")
@signed_in
@refusal_said(back=back_to_documents)
def update_document(contract_id: str, attachment_id: str):
    """Rename a document or move it to another folder (emptied: no folder); refused, the row's "Edit" form
    comes back open with the API's errors (its form's name: ``attachment-<id>``)."""
    try:
        saved = api.patch(f"/attachments/{attachment_id}", form_values("filename", "folder"))
    except ApiError as exc:
        if exc.status != 422:
            raise  # gone meanwhile, not allowed: said on the page (refusal_said)
        return show_again(contract_id, f"attachment-{attachment_id}", exc)
    flash(_("The document %(name)s is saved.", name=saved["filename"]), "success")
    return back_to_documents(contract_id)


# the rows with a "Show on the portal" / "Hide from the portal" button: their section of the page, the field naming
# one, and what is said once shown or hidden
_ON_PORTAL = {
    "attachments": ("documents", "filename", _l("The document %(name)s is shown on the client portal."),
                    _l("The document %(name)s is hidden from the client portal.")),
    "milestones": ("milestones", "title", _l("The milestone %(name)s is shown on the client portal."),
                   _l("The milestone %(name)s is hidden from the client portal.")),
}


@bp.post("/contracts/<contract_id>/<any(attachments, milestones):items>/<item_id>/portal/<any(show, hide):state>")
@signed_in
@refusal_said(back=lambda contract_id, items, **_ignored: back(contract_id, _ON_PORTAL[items][0]))
def show_on_portal(contract_id: str, items: str, item_id: str, state: str):
    """Show a document or a milestone on the client portal, or hide it (the portal shows it once the contract is
    shared): the button of its row on the contract page (ui.portal_button)."""
    section, name, shown, hidden = _ON_PORTAL[items]
    saved = api.patch(f"/{items}/{item_id}", {"portal_visible": state == "show"})
    flash((shown if state == "show" else hidden) % {"name": saved[name]}, "success")
    return back(contract_id, section)


@bp.post("/contracts/<contract_id>/attachments/<attachment_id>/delete")
@signed_in
@refusal_said(back=back_to_documents)
def delete_document(contract_id: str, attachment_id: str):
    """Asked once on the contract page, naming the file."""
    api.delete(f"/attachments/{attachment_id}")
    flash(_("The document %(name)s is deleted.", name=confirmed_name()), "success")
    return back_to_documents(contract_id)


@bp.post("/contracts/<contract_id>/equipment")
@signed_in
def record_equipment(contract_id: str):
    """Record the chosen lines in the customer's equipment base, then give each its serial number if one was
    typed. A second click adds nothing (each line is recorded once) and sets the same serial numbers."""
    line_ids = request.form.getlist("line_ids")
    if not line_ids:
        return show_again(contract_id, "equipment", ApiError(422, {"errors": {"line_ids": [
            _("Choose at least one line.")]}}))
    body = {"line_ids": line_ids, "installed_on": request.form.get("installed_on") or None,
            "warranty_until": request.form.get("warranty_until") or None}
    try:
        recorded = api.post(f"/contracts/{contract_id}/equipment", body)
        for item in recorded["created"]:
            serial = request.form.get(f"serial.{(item.get('source') or {}).get('line_id')}", "").strip()
            if serial:
                api.patch(f"/equipment/{item['id']}", {"serial_number": serial})
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return show_again(contract_id, "equipment", exc)
    created, skipped = len(recorded["created"]), recorded["already_recorded"]
    said = ngettext("%(num)s item recorded in the equipment base.", "%(num)s items recorded in the equipment base.",
                    created)
    if skipped:  # recorded before (a second click, or from the order of this quote)
        said += " " + ngettext("%(num)s line was already recorded.", "%(num)s lines were already recorded.", skipped)
    flash(said, "success")
    return back(contract_id, "equipment")
