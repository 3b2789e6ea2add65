"""``/settings/portal``: the license's client portal clients ("Paramètres > Portail du client > Gérer les
clients"), for license admins and front user managers (who see their perimeters' customers): the list with
customer, company, status and restrictions (search, status, company and customer filters in the URL, pages of
50), edit a client's company (clients of the same company see each other's requests and can be observers of
them), deactivate (asked once, by name) and send the invitation again."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from .. import api
from ..api import ApiError
from ..auth import manager_only
from . import paging
from .forms import refusal_said
from .settings import render_section

bp = Blueprint("settings_portal", __name__)

PAGE_SIZE = 50
STATUSES = ("invited", "active", "deactivated")


def list_filters() -> dict:
    args = request.args
    return {"q": args.get("q", "").strip()[:200], "status": args.get("status") if args.get("status") in STATUSES else "",
            "company": args.get("company", "").strip()[:200], "customer_id": args.get("customer_id", "")[:64]}


def _page(errors=None, editing=None, status=200):
    filters = list_filters()
    page = api.get("/portal-clients", limit=PAGE_SIZE, count="true", **paging.position(),
                   **{key: value for key, value in filters.items() if value})
    next_url, previous_url = paging.links(page)
    return render_section("settings/portal.html", "portal", status, clients=page["items"], total=page["total"],
                          filters=filters, statuses=STATUSES, errors=errors or {}, editing=editing,
                          next_url=next_url, previous_url=previous_url)


@bp.get("/settings/portal")
@manager_only
def index():
    return _page()


def _back():
    """The list as it was filtered (the forms post the current query string along)."""
    return redirect(url_for("settings_portal.index") + (("?" + request.form["query"]) if request.form.get("query")
                                                         else ""))


@bp.post("/settings/portal/<contact_id>/company")
@manager_only
def set_company(contact_id: str):
    company = request.form.get("company", "").strip()
    try:
        access = api.patch(f"/contacts/{contact_id}/portal-access", {"company": company or None})
    except ApiError as exc:
        if exc.status not in (400, 409, 422):
            raise
        return _page(errors=exc.field_errors or {"company": exc.detail}, editing=contact_id, status=422)
    flash(_("%(name)s now belongs to the company “%(company)s”.", name=access["name"] or access["email"],
            company=access.get("company") or _("none")), "success")
    return _back()


@bp.post("/settings/portal/<contact_id>/deactivate")
@manager_only
@refusal_said(back=lambda **_: _back())
def deactivate(contact_id: str):
    access = api.delete(f"/contacts/{contact_id}/portal-access")
    flash(_("The portal access of %(email)s is deactivated.", email=access["email"]), "success")
    return _back()


@bp.post("/settings/portal/<contact_id>/resend")
@manager_only
@refusal_said(back=lambda **_: _back())
def resend(contact_id: str):
    access = api.post(f"/contacts/{contact_id}/portal-access/resend-invitation", {})
    flash(_("The invitation is sent again to %(email)s.", email=access["email"]), "success")
    return _back()
