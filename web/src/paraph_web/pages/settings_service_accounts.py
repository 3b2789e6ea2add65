"""``/settings/service-accounts`` (license admins): the service accounts integrations call the API as, and
their API keys — the list and a new account, an account's page (its details, role and perimeters, its keys),
a new key (its text shown once, on the answer page, never stored here), revoking a key, disabling the account.

The API decides (README "API keys"); these pages only offer what a license admin may do."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import api
from ..api import ApiError
from ..auth import admin_only
from .admin import perimeter_choices
from .forms import form_values, refusal_said
from .settings import render_section

bp = Blueprint("settings_service_accounts", __name__)
SECTION = "service-accounts"

# the staff role an account's keys act with, and what it means for a key (the gateway's STAFF_ROLES)
ROLE_MEANINGS = {
    "user": _l("Its keys work like a salesperson: customers, quotes and contracts of its perimeters."),
    "front_user_manager": _l("Its keys may also invite and deactivate plain users (with the users scopes)."),
    "license_admin": _l("Its keys may do what a license admin does within their scopes, such as the ERP user sync."),
}
# what each area of the keys' scopes (paraph_platform.api_keys.AREAS) covers: each read, or write (which
# includes read)
SCOPE_AREAS = {
    "customers": _l("Customers, contacts, equipment, client portal"),
    "contracts": _l("Contracts, quotes, deals and their documents, settings"),
    "signing": _l("Electronic and offline signatures"),
    "webhooks": _l("Webhooks"),
    "users": _l("Users and seats, perimeters, ERP user sync"),
}
ACCOUNT_FIELDS = ("name", "description", "role")


def key_state(key: dict) -> str:
    """revoked, expired or active: what the key's next request would meet."""
    if key.get("revoked_at"):
        return "revoked"
    if key.get("expires_at") and datetime.fromisoformat(key["expires_at"]) <= datetime.now(timezone.utc):
        return "expired"
    return "active"


def _accounts_page(errors=None, message=None, status=200):
    """The accounts with their number of working keys, and the form of a new one."""
    accounts = api.get("/service-accounts")
    key_lists = api.get_many(*((f"/service-accounts/{a['id']}/keys", {}) for a in accounts))
    active_keys = {a["id"]: sum(key_state(k) == "active" for k in keys) for a, keys in zip(accounts, key_lists)}
    return render_section("settings/service_accounts.html", SECTION, status, accounts=accounts,
                          active_keys=active_keys, roles=ROLE_MEANINGS, errors=errors or {}, message=message,
                          values=request.form)


def _account_page(account_id: str, status=200, **forms):
    """An account's page; ``forms`` carries a refused form's errors and values (``details_form`` or ``key_form``)."""
    account, keys, assigned = api.get_many((f"/service-accounts/{account_id}", {}),
                                           (f"/service-accounts/{account_id}/keys", {}),
                                           (f"/service-accounts/{account_id}/perimeters", {}))
    for key in keys:
        key["state"] = key_state(key)
    return render_section("settings/service_account.html", SECTION, status, account=account, keys=keys,
                          assigned=assigned, perimeters=perimeter_choices(), roles=ROLE_MEANINGS,
                          scope_areas=SCOPE_AREAS, **{"details_form": {}, "key_form": {}, **forms})


def _refused_form(exc: ApiError) -> dict:
    """A form refused by the API (422): its errors by field (``allowed_ips.2`` is the ``allowed_ips`` field's),
    the problem's detail when it names no field, and what was typed."""
    if exc.status != 422:
        raise exc
    errors: dict[str, str] = {}
    for name, error in exc.field_errors.items():
        errors.setdefault(name.split(".")[0], error)
    return {"errors": errors, "message": None if errors else exc.detail, "values": request.form}


def _back_to_account(account_id: str, **_ignored):
    return redirect(url_for("settings_service_accounts.show", account_id=account_id))


@bp.get("/settings/service-accounts")
@admin_only
def index():
    return _accounts_page()


@bp.post("/settings/service-accounts")
@admin_only
def create():
    try:
        account = api.post("/service-accounts", form_values(*ACCOUNT_FIELDS))
    except ApiError as exc:
        refused = _refused_form(exc)
        return _accounts_page(refused["errors"], refused["message"], 422)
    flash(_("The service account %(name)s is created: give it a key.", name=account["name"]), "success")
    return _back_to_account(account["id"])


@bp.get("/settings/service-accounts/<account_id>")
@admin_only
def show(account_id: str):
    return _account_page(account_id)


@bp.post("/settings/service-accounts/<account_id>")
@admin_only
def update(account_id: str):
    try:
        api.patch(f"/service-accounts/{account_id}", form_values(*ACCOUNT_FIELDS))
    except ApiError as exc:
        return _account_page(account_id, 422, details_form=_refused_form(exc))
    flash(_("The service account is saved; its keys act with its new role from their next request."), "success")
    return _back_to_account(account_id)


@bp.post("/settings/service-accounts/<account_id>/perimeters")
@admin_only
@refusal_said(_back_to_account)
def save_perimeters(account_id: str):
    api.put(f"/service-accounts/{account_id}/perimeters", {"perimeter_ids": request.form.getlist("perimeter_ids")})
    flash(_("The perimeters are saved."), "success")
    return _back_to_account(account_id)


@bp.post("/settings/service-accounts/<account_id>/keys")
@admin_only
def create_key(account_id: str):
    expires_on = request.form.get("expires_at", "").strip()
    body = {"name": request.form.get("name", "").strip(), "scopes": request.form.getlist("scopes"),
            "allowed_ips": [line.strip() for line in request.form.get("allowed_ips", "").splitlines() if line.strip()],
            # a date picker's day: the key works until the end of that day (UTC)
            "expires_at": f"{expires_on}T23:59:59+00:00" if expires_on else None}
    try:
        created = api.post(f"/service-accounts/{account_id}/keys", body)
    except ApiError as exc:
        if exc.status == 409:  # the account was disabled meanwhile
            flash(exc.detail, "err")
            return _back_to_account(account_id)
        refused = _refused_form(exc)
        if not body["scopes"]:  # the API's "Length must be between 1 and 10." of a list read as characters
            refused["errors"]["scopes"] = _("Choose at least one scope.")
        return _account_page(account_id, 422, key_form=refused)
    # the key is in this answer only: shown here once, never stored by the web app
    account = api.get(f"/service-accounts/{account_id}")
    return render_section("settings/service_account_key.html", SECTION, account=account, key=created)


@bp.post("/settings/service-accounts/<account_id>/keys/<key_id>/revoke")
@admin_only
@refusal_said(_back_to_account)
def revoke_key(account_id: str, key_id: str):
    key = api.delete(f"/service-accounts/{account_id}/keys/{key_id}")
    flash(_("The key %(name)s is revoked: its next request is refused.", name=key["name"]), "success")
    return _back_to_account(account_id)


@bp.post("/settings/service-accounts/<account_id>/disable")
@admin_only
@refusal_said(_back_to_account)
def disable(account_id: str):
    account = api.delete(f"/service-accounts/{account_id}")
    flash(_("The service account %(name)s is disabled: every one of its keys is refused from now on.",
            name=account["name"]), "success")
    return _back_to_account(account_id)
