"""Service accounts and API keys (license admins): how integrations call this API without a person.

A key authenticates with ``Authorization: Bearer pk_live_...`` or ``X-Api-Key: pk_live_...``; what it may
call is decided once, in api_keys.py (``AREAS``: the area of each tag, read or write by method).
These routes themselves are for signed-in license admins only: no API key manages keys."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from paraph_platform.api_keys import SCOPES

from ..routing import call, route
from ..service_results import service_result
from .perimeter import AssignIn

bp = Blueprint("service_accounts", __name__)

ADMIN = ("license_admin",)
STAFF_ROLES = ("license_admin", "front_user_manager", "user")
TAGS = ["service accounts"]


class ServiceAccountIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    role = fields.String(load_default="user", validate=validate.OneOf(STAFF_ROLES),
                         metadata={"description": "the staff role its keys act with (default user)"})


class ServiceAccountPatch(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=2000))
    role = fields.String(validate=validate.OneOf(STAFF_ROLES))


class ApiKeyIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), required=True,
                         validate=validate.Length(min=1, max=len(SCOPES)),
                         metadata={"description": "<area>:read or <area>:write (write implies read)"})
    allowed_ips = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=list,
                              validate=validate.Length(max=100),
                              metadata={"description": "addresses or CIDR networks (IPv4/IPv6); empty = any"})
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                      metadata={"description": "in the future; none = never"})


@route(bp, "/service-accounts", ["POST"], body=ServiceAccountIn,
       response=service_result("identity", "create_service_account"), roles=ADMIN, status=201, tags=TAGS)
def create_service_account(actor, body):
    """Create a service account (takes no seat; not in the users list). Give it keys next."""
    return call("identity", "create_service_account", actor, body)


@route(bp, "/service-accounts", ["GET"], response=service_result("identity", "list_service_accounts"), roles=ADMIN,
       tags=TAGS)
def list_service_accounts(actor):
    """The license's service accounts, by name."""
    return call("identity", "list_service_accounts", actor)


@route(bp, "/service-accounts/<account_id>", ["GET"], response=service_result("identity", "get_service_account"),
       roles=ADMIN, tags=TAGS)
def get_service_account(actor, account_id):
    """A service account."""
    return call("identity", "get_service_account", actor, account_id)


@route(bp, "/service-accounts/<account_id>", ["PATCH"], body=ServiceAccountPatch,
       response=service_result("identity", "update_service_account"), roles=ADMIN, tags=TAGS)
def update_service_account(actor, account_id, body):
    """Rename, describe or change the role of a service account (applies from its keys' next request)."""
    return call("identity", "update_service_account", actor, account_id, body)


@route(bp, "/service-accounts/<account_id>", ["DELETE"], response=service_result("identity", "disable_service_account"),
       roles=ADMIN, tags=TAGS)
def disable_service_account(actor, account_id):
    """Disable a service account: every key of it is refused (401) from its next request."""
    return call("identity", "disable_service_account", actor, account_id)


@route(bp, "/service-accounts/<account_id>/keys", ["POST"], body=ApiKeyIn,
       response=service_result("identity", "create_api_key"), roles=ADMIN, status=201, tags=TAGS)
def create_api_key(actor, account_id, body):
    """Create an API key: its text (`key`) is in this answer only; Paraph keeps its SHA-256."""
    return call("identity", "create_api_key", actor, account_id, body)


@route(bp, "/service-accounts/<account_id>/keys", ["GET"], response=service_result("identity", "list_api_keys"),
       roles=ADMIN, tags=TAGS)
def list_api_keys(actor, account_id):
    """The account's keys (prefix, scopes, last use), newest first; never their text."""
    return call("identity", "list_api_keys", actor, account_id)


@route(bp, "/service-accounts/<account_id>/keys/<key_id>", ["DELETE"],
       response=service_result("identity", "revoke_api_key"), roles=ADMIN, tags=TAGS)
def revoke_api_key(actor, account_id, key_id):
    """Revoke a key: it is refused (401) from its next request."""
    return call("identity", "revoke_api_key", actor, account_id, key_id)


@route(bp, "/service-accounts/<account_id>/perimeters", ["GET"],
       response=service_result("perimeter", "get_assignments"), roles=ADMIN, tags=TAGS)
def get_service_account_perimeters(actor, account_id):
    """The perimeters a service account's keys are limited to."""
    call("identity", "get_service_account", actor, account_id)  # 404 for other licenses' accounts
    return call("perimeter", "get_assignments", actor, "user", account_id)


@route(bp, "/service-accounts/<account_id>/perimeters", ["PUT"], body=AssignIn,
       response=service_result("perimeter", "set_assignments"), roles=ADMIN, tags=TAGS)
def set_service_account_perimeters(actor, account_id, body):
    """Limit a service account's keys to these perimeters (replaces the previous list), as for a user."""
    call("identity", "get_service_account", actor, account_id)  # 404 for other licenses' accounts
    return call("perimeter", "set_assignments", actor, "user", account_id, body)
