"""The authenticated caller, as the gateway passes it to every service call.

Services trust the gateway for *who* (it verified the JWT) but decide *what*
themselves: every method re-checks the role and scopes its queries by the
actor's license.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .errors import Forbidden, Unauthorized

LICENSE_ADMIN = "license_admin"
FRONT_USER_MANAGER = "front_user_manager"
USER = "user"
CLIENT = "client"
SYSTEM = "system"  # internal callers (schedulers, sync jobs)
ROLES = (LICENSE_ADMIN, FRONT_USER_MANAGER, USER, CLIENT)
# who may call what, as the gateway's routes and the services' checks name them (require_role(actor, *MANAGERS))
STAFF_ROLES = (LICENSE_ADMIN, FRONT_USER_MANAGER, USER)
MANAGERS = (LICENSE_ADMIN, FRONT_USER_MANAGER)  # they manage the users: invitations, roles, portal accesses...
ADMINS = (LICENSE_ADMIN,)
CLIENTS = (CLIENT,)


class ActorSchema(Schema):
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    license_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=validate.OneOf(ROLES + (SYSTEM,)))
    email = fields.String(load_default=None, allow_none=True)
    # the user's name from the token: what a document names its salesperson and an action its author by
    name = fields.String(load_default=None, allow_none=True)
    contact_id = fields.String(load_default=None, allow_none=True)
    customer_id = fields.String(load_default=None, allow_none=True)


_actor_schema = ActorSchema(unknown="exclude")


def load_actor(raw) -> dict:
    if not isinstance(raw, dict):
        raise Unauthorized("missing caller identity")
    from marshmallow import ValidationError
    try:
        return _actor_schema.load(raw)
    except ValidationError as exc:
        raise Unauthorized("invalid caller identity", {"fields": exc.messages}) from None


def require_role(actor: dict, *roles: str) -> dict:
    if actor.get("role") == SYSTEM or actor.get("role") in roles:
        return actor
    raise Forbidden(f"this action needs one of the roles: {', '.join(roles)}")


def require_staff(actor: dict) -> dict:
    return require_role(actor, *STAFF_ROLES)


def system_actor(license_id: str) -> dict:
    return {"user_id": "system", "license_id": license_id, "role": SYSTEM, "email": None}
