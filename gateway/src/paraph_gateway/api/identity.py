"""Licenses, seats, users, client access and ERP user sync."""
from __future__ import annotations

import hmac

from flask import Blueprint, current_app, request
from marshmallow import Schema, fields, validate

from paraph_platform.actor import system_actor
from paraph_platform.errors import Forbidden, Unauthorized
from paraph_platform.pagination import PageParams

from ..routing import call, route
from ..service_results import service_result

bp = Blueprint("identity", __name__)

ADMIN = ("license_admin",)
MANAGERS = ("license_admin", "front_user_manager")
STAFF_ROLES = ("license_admin", "front_user_manager", "user")


class PoolCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    seats = fields.Integer(required=True, validate=validate.Range(min=1, max=100000))
    expires_at = fields.AwareDateTime(required=True)
    activation_code = fields.String(load_default=None, validate=validate.Length(min=6, max=64))


class PoolUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    seats = fields.Integer(validate=validate.Range(min=1, max=100000))
    expires_at = fields.AwareDateTime()


class RateLimitsSchema(Schema):
    rate_limit_per_window = fields.Integer(
        allow_none=True, validate=validate.Range(min=1, max=1_000_000),
        metadata={"description": "requests per window for each user of the license (null: the default)"})
    api_key_rate_limit_per_window = fields.Integer(
        allow_none=True, validate=validate.Range(min=1, max=1_000_000),
        metadata={"description": "requests per window for each API key of the license (null: the default)"})


class ActivateSchema(Schema):
    activation_code = fields.String(required=True, validate=validate.Length(min=6, max=64))
    company_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    admin_email = fields.String(required=True, validate=validate.Length(min=3, max=320))
    admin_name = fields.String(load_default="", validate=validate.Length(max=200))


class LicenseSettingsPatchSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    abandon_delay_days = fields.Integer(validate=validate.Range(min=1, max=3650),
                                        metadata={"description": "unsigned contracts are abandoned after this delay"})
    default_locale = fields.String(validate=validate.OneOf(["fr", "en"]))
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    portal_attachments_visible_by_default = fields.Boolean()
    electronic_signature_enabled = fields.Boolean()


class InviteSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=320))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    role = fields.String(load_default="user", validate=validate.OneOf(STAFF_ROLES))
    erp_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    locale = fields.String(load_default="fr", validate=validate.OneOf(["fr", "en"]))


class MemberUpdateSchema(Schema):
    role = fields.String(validate=validate.OneOf(STAFF_ROLES))
    name = fields.String(validate=validate.Length(max=200))
    erp_code = fields.String(allow_none=True, validate=validate.Length(max=64))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))


class UserQuerySchema(PageParams):
    q = fields.String(load_default=None, validate=validate.Length(max=200))
    role = fields.String(load_default=None, validate=validate.OneOf(STAFF_ROLES + ("client",)))
    status = fields.String(load_default=None, validate=validate.OneOf(["invited", "active", "deactivated"]))


class ColleagueQuerySchema(PageParams):
    q = fields.String(load_default=None, validate=validate.Length(max=200))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=500),
                           metadata={"description": "rows per page (default 200, at most 500)"})


class PreferencesSchema(Schema):
    quote_viewed = fields.Dict(keys=fields.String(validate=validate.OneOf(["email", "sms"])), values=fields.Boolean())
    quote_downloaded = fields.Dict(keys=fields.String(validate=validate.OneOf(["email", "sms"])),
                                   values=fields.Boolean())
    contract_shared = fields.Dict(keys=fields.String(validate=validate.OneOf(["email", "sms"])),
                                  values=fields.Boolean())
    signed = fields.Dict(keys=fields.String(validate=validate.OneOf(["email", "sms"])), values=fields.Boolean())
    customer_self_updated = fields.Dict(keys=fields.String(validate=validate.OneOf(["email", "sms"])),
                                        values=fields.Boolean(),
                                        metadata={"description": "a portal client changed their or their company's "
                                                                 "details (customers you own)"})


class ProfileSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    locale = fields.String(validate=validate.OneOf(["fr", "en"]))


class PreviewImportSchema(Schema):
    format = fields.String(required=True, validate=validate.OneOf(["csv", "json"]))
    content = fields.String(required=True, validate=validate.Length(min=1, max=20_000_000),
                            metadata={"description": "the ERP export (CSV with code;email;name columns, or JSON list)"})


class ImportSchema(PreviewImportSchema):
    deactivate_missing = fields.Boolean(load_default=False)
    invite_new = fields.Boolean(load_default=False, metadata={
        "description": "also invite this export's active collaborators who have no account yet (a refusal, "
                       "e.g. no seat left, is reported as that row's error)"})
    role = fields.String(load_default="user", validate=validate.OneOf(STAFF_ROLES),
                         metadata={"description": "role of the invited users"})


class LinkSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class InviteCollaboratorsSchema(Schema):
    codes = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                        validate=validate.Length(min=1, max=1000))
    role = fields.String(load_default="user", validate=validate.OneOf(STAFF_ROLES))


def _operator():
    token = current_app.config.get("OPERATOR_TOKEN") or ""
    header = request.headers.get("Authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not token:
        raise Forbidden("Operator endpoints are disabled (set OPERATOR_TOKEN).")
    if not given or not hmac.compare_digest(given, token):
        raise Unauthorized("Operator token required.")
    return system_actor("operator")


# -- operator (subscription management) --------------------------------------------------------

@route(bp, "/operator/seat-pools", ["POST"], body=PoolCreateSchema, response=service_result("identity", "create_pool"),
       public=True, status=201, tags=["operator"])
def create_pool(body):
    """Create a subscription: activation code, seat count and expiry (operator token)."""
    return call("identity", "create_pool", _operator(), body)


@route(bp, "/operator/seat-pools/<pool_id>", ["PATCH"], body=PoolUpdateSchema,
       response=service_result("identity", "update_pool"), public=True, tags=["operator"])
def update_pool(pool_id, body):
    """Change a subscription's seats or expiry (operator token)."""
    return call("identity", "update_pool", _operator(), pool_id, body)


@route(bp, "/operator/licenses/<license_id>/rate-limits", ["PATCH"], body=RateLimitsSchema,
       response=service_result("identity", "set_rate_limits"), public=True, tags=["operator"])
def set_rate_limits(license_id, body):
    """Give a license its own rate limits, per user and per API key, instead of the gateway's defaults
    (operator token)."""
    return call("identity", "set_rate_limits", _operator(), license_id, body)


# -- license ----------------------------------------------------------------------------------

@route(bp, "/operator/token-keys/rotate", ["POST"], response=service_result("identity", "rotate_token_key"),
       public=True, tags=["operator"])
def rotate_token_key():
    """Sign new access tokens with a new key; tokens already issued stay valid until they expire
    (operator token)."""
    return call("identity", "rotate_token_key", _operator())


@route(bp, "/licenses/activate", ["POST"], body=ActivateSchema, response=service_result("identity", "activate_license"),
       public=True, status=201, tags=["licenses"])
def activate(body):
    """Activate a company environment with an activation code; its admin receives an invitation."""
    return call("identity", "activate_license", body)


@route(bp, "/license", ["GET"], response=service_result("identity", "get_license"), tags=["licenses"])
def get_license(actor):
    """The current license: seats (active/total across the subscription) and expiry for admins."""
    return call("identity", "get_license", actor)


@route(bp, "/license", ["PATCH"], body=LicenseSettingsPatchSchema,
       response=service_result("identity", "update_license"), roles=ADMIN, tags=["licenses"])
def update_license(actor, body):
    """Change the license name and settings (abandon delay, locale, currency...)."""
    return call("identity", "update_license", actor, body)


# -- users ------------------------------------------------------------------------------------

@route(bp, "/users", ["GET"], query=UserQuerySchema, response=service_result("identity", "list_users"), roles=MANAGERS,
       tags=["users"])
def list_users(actor, query):
    """Users of this license, searchable by email or name, by email order: walk with `next_cursor`;
    `count=true` adds `total`."""
    return call("identity", "list_users", actor, query)


@route(bp, "/colleagues", ["GET"], query=ColleagueQuerySchema, response=service_result("identity", "list_colleagues"),
       roles=STAFF_ROLES, tags=["users"])
def list_colleagues(actor, query):
    """The active staff of your license (name and email): the collaborators you may add as approvers or
    signers."""
    return call("identity", "list_colleagues", actor, query)


@route(bp, "/users", ["POST"], body=InviteSchema, response=service_result("identity", "invite_user"), roles=MANAGERS,
       status=201, tags=["users"])
def invite_user(actor, body):
    """Invite a user (takes a seat); they receive a single-use link to set their password."""
    return call("identity", "invite_user", actor, body)


@route(bp, "/users/<user_id>", ["GET"], response=service_result("identity", "get_user"), tags=["users"])
def get_user(actor, user_id):
    """One user of this license."""
    return call("identity", "get_user", actor, user_id)


@route(bp, "/users/<user_id>", ["PATCH"], body=MemberUpdateSchema, response=service_result("identity", "update_member"),
       roles=MANAGERS, tags=["users"])
def update_user(actor, user_id, body):
    """Change a user's role, name or ERP collaborator code."""
    return call("identity", "update_member", actor, user_id, body)


@route(bp, "/users/<user_id>/deactivate", ["POST"], response=service_result("identity", "deactivate_user"),
       roles=MANAGERS, tags=["users"])
def deactivate_user(actor, user_id):
    """Deactivate a user: frees their seat and ends their sessions."""
    return call("identity", "deactivate_user", actor, user_id)


@route(bp, "/users/<user_id>/reactivate", ["POST"], response=service_result("identity", "reactivate_user"),
       roles=MANAGERS, tags=["users"])
def reactivate_user(actor, user_id):
    """Give a deactivated user a seat again (sends a new invitation)."""
    return call("identity", "reactivate_user", actor, user_id)


@route(bp, "/users/<user_id>/resend-invitation", ["POST"], response=service_result("identity", "resend_invitation"),
       tags=["users"], roles=STAFF_ROLES)
def resend_invitation(actor, user_id):
    """Send a pending invitation again (earlier links stop working)."""
    return call("identity", "resend_invitation", actor, user_id)


@route(bp, "/me", ["PATCH"], body=ProfileSchema, response=service_result("identity", "update_profile"), tags=["users"])
def update_profile(actor, body):
    """My own name and language (French or English: my emails and the web app's pages)."""
    return call("identity", "update_profile", actor, body)


@route(bp, "/me/preferences", ["PATCH"], body=PreferencesSchema,
       response=service_result("identity", "update_preferences"), tags=["users"])
def update_preferences(actor, body):
    """Notification preferences: per event (quote viewed/downloaded, contract shared, signed), email and/or SMS."""
    return call("identity", "update_preferences", actor, body)


# -- ERP one-way sync -------------------------------------------------------------------------

@route(bp, "/erp/collaborators/import", ["POST"], body=ImportSchema,
       response=service_result("identity", "import_collaborators"), roles=ADMIN, tags=["erp"])
def import_collaborators(actor, body):
    """Import ERP collaborators keyed by email; existing users get their collaborator code."""
    return call("identity", "import_collaborators", actor, body, timeout=60)


@route(bp, "/erp/collaborators/preview", ["POST"], body=PreviewImportSchema,
       response=service_result("identity", "preview_collaborators"), roles=ADMIN, tags=["erp"])
def preview_collaborators(actor, body):
    """What importing this export would do: linked by email, to create, to check by hand, errors per row.
    Nothing is written; send the export in chunks to ``/erp/collaborators/import`` to run it."""
    return call("identity", "preview_collaborators", actor, body, timeout=60)


@route(bp, "/erp/sync-report", ["GET"], response=service_result("identity", "sync_report"), roles=MANAGERS,
       tags=["erp"])
def sync_report(actor):
    """Matched users, collaborators without account, users without collaborator (manual review)."""
    return call("identity", "sync_report", actor)


@route(bp, "/erp/collaborators/link", ["POST"], body=LinkSchema,
       response=service_result("identity", "link_collaborator"), roles=ADMIN, tags=["erp"])
def link_collaborator(actor, body):
    """Manual review: attach a user to a collaborator code."""
    return call("identity", "link_collaborator", actor, body)


@route(bp, "/erp/collaborators/invite", ["POST"], body=InviteCollaboratorsSchema,
       response=service_result("identity", "invite_collaborators"),
       roles=ADMIN, tags=["erp"])
def invite_collaborators(actor, body):
    """Activation wizard: invite ERP collaborators who have no account yet."""
    return call("identity", "invite_collaborators", actor, body, timeout=60)
