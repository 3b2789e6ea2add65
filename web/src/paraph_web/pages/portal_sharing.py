"""``/contracts/<id>/portal``: "Show in client portal" (LEXZUR's "Afficher dans le portail client"), in three
tabs (``?tab=``, no JavaScript needed):

* sharing — choose the requester (a portal client of the contract's customer: the contract's contact by default)
  and observers (portal clients of the requester's company only, and a client limited to a branch only for a share
  of that branch: the others are listed, cannot be chosen, and the page says why, with a link to the portal client
  settings where a client's company is set), whether every attachment shows, a message;
  stop sharing (asked once). The API emails the requester and the observers. A requester or observer who no
  longer sees the contract (their contact deleted, their access revoked) is still named, saying so.
* attachments — show or hide each file, or a whole folder, in the portal.
* milestones — show or hide each milestone (visible by default once the contract is in the portal).

The green mark (``ui.portal_mark``) is what the client sees: the contract when shared, each visible document
and milestone."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import api
from ..api import ApiError
from ..auth import signed_in
from . import documents
from .forms import refusal_said

bp = Blueprint("portal_sharing", __name__)

TABS = {"sharing": _l("Sharing"), "attachments": _l("Attachments"), "milestones": _l("Milestones")}
FORM_ERRORS = (400, 409, 422)


def company_key(label) -> str:
    """Companies compare like the portal service compares them: trimmed, spaces squeezed, case-insensitive."""
    return " ".join(str(label or "").split()).lower()


def share_branch(requester: dict | None, contacts: list, share: dict | None) -> str | None:
    """The branch the share is for, as the portal service decides it (logic.share_branch): the share's own while
    its requester stays, else the requester contact's branch, else the branch the requester's access is limited
    to; None: no branch."""
    if requester is None:
        return None
    if share and share["requester"]["contact_id"] == requester["contact_id"]:
        return share.get("branch") or None
    contact = next((c for c in contacts if c["id"] == requester["contact_id"]), {})
    return " ".join(str(contact.get("branch") or requester.get("branch") or "").split()) or None


def observer_choices(clients: list, requester: dict | None, branch: str | None = None) -> list:
    """Every other active portal client of the customer, each either selectable (same company as the
    requester, and, when their access is limited to a branch, the share's ``branch``) or with the reason it
    cannot be chosen."""
    out = []
    for client in clients:
        if requester and client["contact_id"] == requester["contact_id"]:
            continue
        same = requester is not None and company_key(client.get("company")) == company_key(requester.get("company"))
        reason = None
        if requester is None:
            reason = _("Choose the requester first.")
        elif not same and requester.get("company"):  # the client's own company is beside their name already
            reason = _("Not in the requester's company (%(company)s).", company=requester["company"])
        elif not same:
            reason = _("The requester has no company: only contacts without one can be observers.")
        elif client.get("branch") and company_key(client["branch"]) != company_key(branch):
            reason = (_("Their access is limited to the branch %(branch)s; this document is shared for the branch "
                        "%(share_branch)s.", branch=client["branch"], share_branch=branch) if branch else
                      _("Their access is limited to the branch %(branch)s; this document is shared for no branch.",
                        branch=client["branch"]))
        # a branch is not the company: the page leads to the client's access, where its restriction is changed
        out.append({**client, "allowed": reason is None, "reason": reason,
                    "branch_limited": same and reason is not None})
    return sorted(out, key=lambda choice: not choice["allowed"])  # those who can be chosen first


def no_longer_sees(person: dict) -> str | None:
    """Why the contract no longer shows to a requester or observer of its share (the API's staff view says it:
    their contact deleted, which revokes their access, or their access revoked), or None while it shows."""
    if person.get("contact_deleted"):
        return _("contact deleted")
    if person.get("access_status") == "deactivated":
        return _("access revoked")
    return None


def folders(attachments: list) -> list:
    """[(folder, [attachments])] in the order they first appear ("" = outside any folder, first)."""
    grouped: dict[str, list] = {}
    for a in sorted(attachments, key=lambda a: (a.get("folder") or "") != ""):
        grouped.setdefault(a.get("folder") or "", []).append(a)
    return list(grouped.items())


def render_page(contract_id: str, tab: str = "sharing", errors=None, values=None, message=None, status=200):
    tab = tab if tab in TABS else "sharing"
    contract = api.get(f"/contracts/{contract_id}")
    portal = api.get(f"/contracts/{contract_id}/portal")
    share = portal.get("share") if portal.get("shared") else None
    clients = [c for c in api.get(f"/customers/{contract['customer_id']}/portal-accesses")
               if c["status"] != "deactivated"]
    values = values or {}
    # the contract's contact asked for it: the requester offered until the page is told another (or it is shared)
    wanted = values.get("requester_contact_id") or request.args.get("requester") or \
        (share["requester"]["contact_id"] if share else contract.get("contact_id") or "")
    requester = next((c for c in clients if c["contact_id"] == wanted), None) or (clients[0] if clients else None)
    branch = share_branch(requester, api.get(f"/customers/{contract['customer_id']}").get("contacts") or [], share) \
        if any(c.get("branch") for c in clients) else None  # the customer's contacts asked only when it matters
    if "observer_contact_ids" in values:
        observers = set(values["observer_contact_ids"])
    else:
        observers = {o["contact_id"] for o in share["observers"]} if share else set()
    show_attachments = values.get("show_attachments", bool(share and share.get("show_attachments")))
    return render_template(
        "contracts/portal.html", contract=contract, portal=portal, share=share, clients=clients, tab=tab, tabs=TABS,
        requester=requester, observers=observer_choices(clients, requester, branch), chosen_observers=observers,
        show_attachments=show_attachments, message_text=values.get("message", share["message"] if share else ""),
        folders=folders(contract.get("attachments") or []), no_longer_sees=no_longer_sees, errors=errors or {},
        problem=message,
        nav=documents.nav_section(contract.get("kind"))), status


@bp.get("/contracts/<contract_id>/portal")
@signed_in
def show(contract_id: str):
    return render_page(contract_id, request.args.get("tab", "sharing"))


@bp.post("/contracts/<contract_id>/portal")
@signed_in
def share(contract_id: str):
    """Share (or change the share): the API checks the requester and observers again and emails them."""
    form = request.form
    values = {"requester_contact_id": form.get("requester_contact_id", ""),
              "observer_contact_ids": form.getlist("observer_contact_ids"),
              "show_attachments": form.get("show_attachments") == "1", "message": form.get("message", "").strip()}
    body = {**values, "show_attachments": values["show_attachments"] or None}  # unticked: each file keeps its setting
    try:
        result = api.post(f"/contracts/{contract_id}/portal-share", body)
    except ApiError as exc:
        if exc.status not in FORM_ERRORS:
            raise
        errors = exc.field_errors  # translated; the detail (English) only when no field is named
        return render_page(contract_id, "sharing", errors=errors, values=values, status=422,
                           message=_("The sharing is refused: see the reasons below.") if errors else exc.detail)
    people = [result["requester"]["name"]] + [o["name"] for o in result["observers"]]
    flash(_("The contract is shown in the client portal; %(people)s received an email.", people=", ".join(people)),
          "success")
    return redirect(url_for("portal_sharing.show", contract_id=contract_id))


@bp.post("/contracts/<contract_id>/portal/stop")
@signed_in
@refusal_said(back=lambda contract_id: redirect(url_for("portal_sharing.show", contract_id=contract_id)))
def stop(contract_id: str):
    api.delete(f"/contracts/{contract_id}/portal-share")
    flash(_("The contract is no longer shown in the client portal."), "success")
    return redirect(url_for("portal_sharing.show", contract_id=contract_id))


def _visible() -> bool:
    return request.form.get("visible") == "1"


def _back(contract_id: str, tab: str):
    return redirect(url_for("portal_sharing.show", contract_id=contract_id, tab=tab, _anchor=tab))


@bp.post("/contracts/<contract_id>/portal/<any(attachments, milestones):tab>/<item_id>")
@signed_in
@refusal_said(back=lambda contract_id, tab, **_: _back(contract_id, tab))
def toggle_item(contract_id: str, tab: str, item_id: str):
    """Show or hide one file (tab "attachments") or milestone ("milestones") in the client portal."""
    api.patch(f"/{tab}/{item_id}", {"portal_visible": _visible()})
    return _back(contract_id, tab)


@bp.post("/contracts/<contract_id>/portal/folder")
@signed_in
@refusal_said(back=lambda contract_id, **_: _back(contract_id, "attachments"))
def toggle_folder(contract_id: str):
    api.put(f"/contracts/{contract_id}/portal-visibility",
            {"attachments": _visible(), "folder": request.form.get("folder", "")})
    return _back(contract_id, "attachments")
