"""Service accounts and API keys (license admins): how integrations call this API without a person.

A key authenticates with ``Authorization: Bearer pk_live_...`` or ``X-Api-Key: pk_live_...``; what it may
call is decided once, in api_keys.py (``AREAS``: the area of each tag, read or write by method).
These routes themselves are for signed-in license admins only: no API key manages keys."""
from __future__ import annotations

from flask import Blueprint

from paraph_platform.actor import ADMINS

from ..routing import call, forward, route
from ..service_results import service_params, service_result

bp = Blueprint("service_accounts", __name__)

TAGS = ["service accounts"]


forward(bp, "POST", "/service-accounts", "identity.create_service_account", roles=ADMINS, status=201, tags=TAGS,
        doc="Create a service account (takes no seat; not in the users list). Give it keys next.")

forward(bp, "GET", "/service-accounts", "identity.list_service_accounts", roles=ADMINS, tags=TAGS,
        doc="The license's service accounts, by name.")

forward(bp, "GET", "/service-accounts/<account_id>", "identity.get_service_account", roles=ADMINS, tags=TAGS,
        doc="A service account.")

forward(bp, "PATCH", "/service-accounts/<account_id>", "identity.update_service_account", roles=ADMINS, tags=TAGS,
        doc="Rename, describe or change the role of a service account (applies from its keys' next request).")

forward(bp, "DELETE", "/service-accounts/<account_id>", "identity.disable_service_account", roles=ADMINS, tags=TAGS,
        doc="Disable a service account: every key of it is refused (401) from its next request.")

forward(bp, "POST", "/service-accounts/<account_id>/keys", "identity.create_api_key", roles=ADMINS, status=201,
        tags=TAGS, doc="Create an API key: its text (`key`) is in this answer only; Paraph keeps its SHA-256.")

forward(bp, "GET", "/service-accounts/<account_id>/keys", "identity.list_api_keys", roles=ADMINS, tags=TAGS,
        doc="The account's keys (prefix, scopes, last use), newest first; never their text.")

forward(bp, "DELETE", "/service-accounts/<account_id>/keys/<key_id>", "identity.revoke_api_key", roles=ADMINS, tags=TAGS,
        doc="Revoke a key: it is refused (401) from its next request.")


@route(bp, "/service-accounts/<account_id>/perimeters", ["GET"],
       response=service_result("perimeter", "get_assignments"), roles=ADMINS, tags=TAGS)
def get_service_account_perimeters(actor, account_id):
    """The perimeters a service account's keys are limited to."""
    call("identity", "get_service_account", actor, account_id)  # 404 for other licenses' accounts
    return call("perimeter", "get_assignments", actor, "user", account_id)


@route(bp, "/service-accounts/<account_id>/perimeters", ["PUT"], body=service_params("perimeter", "set_assignments"),
       response=service_result("perimeter", "set_assignments"), roles=ADMINS, tags=TAGS)
def set_service_account_perimeters(actor, account_id, body):
    """Limit a service account's keys to these perimeters (replaces the previous list), as for a user."""
    call("identity", "get_service_account", actor, account_id)  # 404 for other licenses' accounts
    return call("perimeter", "set_assignments", actor, "user", account_id, body)
