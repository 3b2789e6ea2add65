"""The Enterprise admin area (SELL&SIGN): ``/settings/users`` — the license's seats, its users (invite,
role, deactivate, reactivate, resend the invitation) and each user's perimeters — and
``/settings/perimeters`` — perimeters and their users, customers and contract types.

License admins do everything; front user managers manage plain users only (identity's ``can_manage``):
they invite users, deactivate and reactivate them, and see (not change) their perimeters. The API
decides; these pages only avoid offering what it would refuse.

The users list is the team: the customers' contacts with a client portal access (role client) take no seat
and are managed on ``/settings/portal`` and in their customer's file."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _

from paraph_platform.actor import ADMINS

from .. import api
from ..api import ApiError
from ..api_messages import translate
from ..auth import admin_only, manager_only
from . import paging, pickers
from .forms import form_values, refusal_said, render_with_errors
from .settings import render_section

bp = Blueprint("admin", __name__)

STAFF_ROLES = ("license_admin", "front_user_manager", "user")
# the roles each manager may give and manage (identity's logic.can_manage)
GIVABLE_ROLES = {"license_admin": STAFF_ROLES, "front_user_manager": ("user",)}
MANAGEABLE_ROLES = {"license_admin": STAFF_ROLES + ("client",), "front_user_manager": ("user", "client")}
USER_STATUSES = ("invited", "active", "deactivated")
USER_SORTS = ("name", "email", "role", "status")
PAGE_SIZE = 50
MEMBER_KINDS = ("users", "customers", "contract_types")
USER_ACTIONS = ("deactivate", "reactivate", "resend-invitation")  # POST /users/<id>/<action>


def _is_admin() -> bool:
    return session.get("role") in ADMINS


# -- users and seats --------------------------------------------------------------------------------

def seat_summary() -> dict | None:
    """Seats of the pool shared by the subscription's companies: ours + the others' of the total
    ("7 + 3 of 10"). For the managers (license admins and front user managers), who invite: the API gives users
    no seat figures."""
    lic = api.get("/license")
    if "seats_total" not in lic:
        return None
    here = lic.get("seats_used_here") or 0
    return {"here": here, "others": max((lic.get("seats_used") or 0) - here, 0), "total": lic["seats_total"],
            "free": max(lic["seats_total"] - (lic.get("seats_used") or 0), 0),
            "active": lic.get("active_users") or 0, "expires_at": lic.get("expires_at"), "company": lic.get("name")}


@bp.get("/settings/users")
@manager_only
def users():
    """The license's team: search by name or email, filter by status and role (all in the URL). A link of
    the time this list held the portal clients too (``role=client``) opens their own list."""
    q = request.args.get("q", "").strip()[:200]
    status = request.args.get("status") if request.args.get("status") in USER_STATUSES else None
    if request.args.get("role") == "client":
        return redirect(url_for("settings_portal.index", **{k: v for k, v in (("q", q), ("status", status)) if v}))
    role = request.args.get("role") if request.args.get("role") in STAFF_ROLES else None
    sort = request.args.get("sort", "")
    params = {"limit": PAGE_SIZE, "count": "true", "staff": "true", **paging.position(),
              **{k: v for k, v in (("q", q), ("status", status), ("role", role)) if v}}
    page = api.get("/users", **params)
    items = page["items"]
    if sort.lstrip("-") in USER_SORTS:  # the API pages by email; a page is sorted as asked
        items = sorted(items, key=lambda u: (u.get(sort.lstrip("-")) or "").lower(), reverse=sort.startswith("-"))
    next_url, previous_url = paging.links(page)
    return render_section("admin/users.html", "users", users=items, total=page["total"],
                          seats=seat_summary(),
                          filters={"q": q, "status": status or "", "role": role or ""}, sort=sort,
                          next_url=next_url, previous_url=previous_url, statuses=USER_STATUSES,
                          roles=STAFF_ROLES)


def invite_choices() -> dict:
    """What the invitation form offers: the roles this manager gives and, to a license admin (only they set a
    user's perimeters), the perimeters; a front user manager is only told whether the license has any (then a
    license admin chooses the newcomer's)."""
    if _is_admin():
        perimeters, has_perimeters = perimeter_choices(), None
    else:
        perimeters, has_perimeters = [], bool(api.get("/perimeters", limit=1)["items"])
    return {"roles": GIVABLE_ROLES[session["role"]], "perimeters": perimeters, "has_perimeters": has_perimeters,
            "chosen_perimeters": request.form.getlist("perimeter_ids"), "seats": seat_summary()}


@bp.get("/settings/users/invite")
@manager_only
def invite_form():
    return render_section("admin/invite.html", "users", errors={}, message=None, values={}, **invite_choices())


@bp.post("/settings/users/invite")
@manager_only
def invite():
    """Invite, then give the ticked perimeters at once (a newcomer with none sees only the customers in no
    perimeter). Posted twice, the form's submission token makes both writes once (submissions.py)."""
    body = form_values("email", "name", "role")
    body["role"] = body["role"] or "user"
    perimeter_ids = request.form.getlist("perimeter_ids") if _is_admin() else []
    inviter_name = request.form.get("inviter_name", "").strip()
    if inviter_name:  # a manager who had given no name: saved on their profile, so the email names them
        try:
            me = api.patch("/me", {"name": inviter_name})
        except ApiError as exc:
            if exc.status not in (400, 422):
                raise
            said = exc.field_errors.get("name") or translate(exc.detail)  # too long: the field of their own name
            return render_section("admin/invite.html", "users", 422, errors={"inviter_name": said}, message=None,
                                  values=request.form, **invite_choices())
        session["user"] = {**session["user"], "name": me.get("name") or ""}
    try:
        member = api.post("/users", body)
    except ApiError as exc:
        if exc.status not in (400, 403, 409, 422):
            raise  # a full seat pool (409), an email already here, a role not theirs to give (403): said above the form
        return render_with_errors("admin/invite.html", exc, section="users", **invite_choices())
    name = member.get("name") or body["name"]  # the person, when known; their email tells namesakes apart
    flash(_("Invitation sent to %(name)s (%(email)s): they choose their password from its email.", name=name,
            email=member["email"]) if name else
          _("Invitation sent to %(email)s: they choose their password from its email.", email=member["email"]),
          "success")
    if perimeter_ids:
        try:
            api.put(f"/users/{member['user_id']}/perimeters", {"perimeter_ids": perimeter_ids})
        except ApiError as exc:
            if exc.status not in (400, 404, 422):
                raise  # a perimeter deleted meanwhile: the invitation stands, their page offers the perimeters
            flash(_("Their perimeters could not be saved: tick them again below."), "err")
    return redirect(url_for("admin.user", user_id=member["user_id"]))


@bp.get("/settings/users/<user_id>")
@manager_only
def user(user_id: str):
    member = api.get(f"/users/{user_id}")
    manageable = member["role"] in MANAGEABLE_ROLES[session["role"]]
    roles = GIVABLE_ROLES[session["role"]] if manageable and member["role"] != "client" else ()
    assigned = api.get(f"/users/{user_id}/perimeters") if member["role"] != "client" else None
    return render_section("admin/user.html", "users", member=member, manageable=manageable, roles=roles,
                          assigned=assigned, perimeters=perimeter_choices() if _is_admin() else [])


def perimeter_choices() -> list[dict]:
    return [{"id": p["id"], "label": p["name"], "detail": p.get("description") or ""}
            for p in api.get_all("/perimeters")]


def _back_to_user(user_id: str, message: str | None = None, category: str = "success"):
    if message:
        flash(message, category)
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/settings/users/<user_id>/role")
@manager_only
def change_role(user_id: str):
    try:
        api.patch(f"/users/{user_id}", {"role": request.form.get("role", "")})
    except ApiError as exc:
        if exc.status not in (400, 403, 409, 422):
            raise  # the last license admin keeps their role: said on the page (in its language)
        return _back_to_user(user_id, translate(exc.detail), "err")
    return _back_to_user(user_id, _("The role is changed."))


@bp.post("/settings/users/<user_id>/perimeters")
@manager_only
def user_perimeters(user_id: str):
    """License admins give a user's perimeters; a front user manager sees them read-only, and a form posted from
    an older page (a role changed meanwhile) is refused on the user's page, not with an error page."""
    try:
        api.put(f"/users/{user_id}/perimeters", {"perimeter_ids": request.form.getlist("perimeter_ids")})
    except ApiError as exc:
        if exc.status != 403:
            raise
        return _back_to_user(user_id, _("Only a license admin gives a user's perimeters."), "err")
    return _back_to_user(user_id, _("The perimeters are saved."))


@bp.post("/settings/users/<user_id>/<action>")
@manager_only
def user_action(user_id: str, action: str):
    """Deactivate (frees the seat, ends the sessions), reactivate (takes a seat, new invitation) or
    resend the invitation."""
    if action not in USER_ACTIONS:
        return redirect(url_for("admin.user", user_id=user_id))
    try:
        member = api.post(f"/users/{user_id}/{action}")
    except ApiError as exc:
        if exc.status not in (403, 409, 422):
            raise  # no seat left, the last admin, an invitation already accepted: said on the page (in its language)
        return _back_to_user(user_id, translate(exc.detail), "err")
    done = {"deactivate": _("%(name)s is deactivated: their seat is free and their sessions are ended."),
            "reactivate": _("%(name)s is reactivated: they received a new invitation."),
            "resend-invitation": _("The invitation is sent again to %(name)s.")}[action]
    return _back_to_user(user_id, done % {"name": member.get("name") or member["email"]})


# -- perimeters -------------------------------------------------------------------------------------

@bp.get("/settings/perimeters")
@admin_only
def perimeters():
    return render_section("admin/perimeters.html", "perimeters", perimeters=api.get_all("/perimeters"))


@bp.get("/settings/perimeters/new")
@admin_only
def new_perimeter():
    return render_section("admin/perimeter_new.html", "perimeters", errors={}, values={})


@bp.post("/settings/perimeters/new")
@admin_only
def create_perimeter():
    try:
        perimeter = api.post("/perimeters", form_values("name", "description"))
    except ApiError as exc:
        if exc.status not in (400, 409, 422):
            raise
        return render_with_errors("admin/perimeter_new.html", exc, section="perimeters")
    flash(_("The perimeter %(name)s is created: choose its users, customers and contract types.",
            name=perimeter["name"]), "success")
    return redirect(url_for("admin.perimeter", perimeter_id=perimeter["id"]))


def member_choices(perimeter: dict) -> dict:
    """What a perimeter may hold: the license's staff users but its admins (they see everything: a perimeter
    changes nothing for them) and customers (pickers: their first page, the perimeter's members beyond it, and
    a search of the others), and its contract types (a short list). An admin made a member earlier (or while
    another role) stays one, unlisted: saving the page keeps them."""
    members = perimeter["members"]
    users, customers, types = api.get_many(pickers.first_page("perimeter_users"), pickers.first_page("customers"),
                                           ("/contract-types", {}))
    in_perimeter = api.get_all("/customers", perimeter_id=perimeter["id"], limit=pickers.page_size()) \
        if customers.get("next_cursor") and members.get("customers") else []
    return {
        "users": pickers.picker("perimeter_users", members.get("users", []), users),
        "customers": pickers.picker("customers", members.get("customers", []), customers, known=in_perimeter),
        "contract_types": [{"id": t["id"], "label": t["name"], "detail": ""} for t in types],
    }


def offered_ids(choices) -> set:
    """The ids a perimeter page offers (ticked or not) of one kind of member: a picker's or a list's."""
    return {c["id"] for c in (choices["options"] if isinstance(choices, dict) else choices)}


def _perimeter_page(perimeter: dict, status: int = 200, **context):
    return render_section("admin/perimeter.html", "perimeters", status, perimeter=perimeter,
                          choices=member_choices(perimeter), **{"errors": {}, "values": {}, "message": None, **context})


@bp.get("/settings/perimeters/<perimeter_id>")
@admin_only
def perimeter(perimeter_id: str):
    return _perimeter_page(api.get(f"/perimeters/{perimeter_id}"))


@bp.post("/settings/perimeters/<perimeter_id>")
@admin_only
def save_perimeter(perimeter_id: str):
    current = api.get(f"/perimeters/{perimeter_id}")
    choices = member_choices(current)
    members = {}
    for kind in MEMBER_KINDS:
        # the ticked ones (offered on the page, or found by its search); a member the page could not offer (no
        # longer readable by its name) is kept, not dropped
        ticked = set(request.form.getlist(kind))
        offered = offered_ids(choices[kind])
        kept = [i for i in current["members"].get(kind, []) if i not in offered and i not in ticked]
        members[kind] = sorted(ticked) + kept
    try:
        api.patch(f"/perimeters/{perimeter_id}", form_values("name", "description"))
        api.put(f"/perimeters/{perimeter_id}/members", members)
    except ApiError as exc:
        if exc.status not in (400, 409, 422):
            raise
        # the refused name and description in the form, the saved name in the title (a taken name refused the
        # rename: the page is still that perimeter's)
        return _perimeter_page({**current, "members": members}, 422, values=form_values("name", "description"),
                               errors=exc.field_errors, message=None if exc.field_errors else translate(exc.detail))
    flash(_("The perimeter %(name)s is saved.", name=request.form.get("name", "").strip()), "success")
    return redirect(url_for("admin.perimeters"))


@bp.post("/settings/perimeters/<perimeter_id>/delete")
@admin_only
@refusal_said(back=lambda perimeter_id: redirect(url_for("admin.perimeters")))
def delete_perimeter(perimeter_id: str):
    """Asked once on the page (naming the perimeter and what it holds), so the API's force applies:
    its customers and contract types with no other perimeter become visible to every user."""
    perimeter = api.get(f"/perimeters/{perimeter_id}")
    api.delete(f"/perimeters/{perimeter_id}?force=true")
    flash(_("The perimeter %(name)s is deleted.", name=perimeter["name"]), "success")
    return redirect(url_for("admin.perimeters"))
