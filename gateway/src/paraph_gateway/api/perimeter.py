"""Perimeters (SELL&SIGN Enterprise): definitions and their users, customers and contract types."""
from __future__ import annotations

from flask import Blueprint, request
from marshmallow import Schema, fields, validate

from paraph_platform.pagination import PageParams

from ..routing import call, route
from ..service_results import service_result

bp = Blueprint("perimeters", __name__)

STAFF = ("license_admin", "front_user_manager", "user")
IDS = fields.List(fields.String(validate=validate.Length(min=1, max=64)), validate=validate.Length(max=100000))


class PerimeterIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(load_default="", validate=validate.Length(max=2000))


class PerimeterPatch(Schema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    description = fields.String(validate=validate.Length(max=2000))


class PerimeterQuery(PageParams):
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=500),
                           metadata={"description": "rows per page (default 200, at most 500)"})


class MembersIn(Schema):
    users = IDS
    customers = IDS
    contract_types = IDS


class AssignIn(Schema):
    perimeter_ids = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                                validate=validate.Length(max=1000))


@route(bp, "/perimeters", ["GET"], query=PerimeterQuery, response=service_result("perimeter", "list_perimeters"),
       roles=STAFF)
def list_perimeters(actor, query):
    """Perimeters of this license with their member counts, by name: a page (`items`), walk with
    `next_cursor`; `count=true` adds `total`."""
    return call("perimeter", "list_perimeters", actor, query)


@route(bp, "/perimeters", ["POST"], body=PerimeterIn, response=service_result("perimeter", "create_perimeter"),
       status=201, roles=("license_admin",))
def create_perimeter(actor, body):
    """Create a perimeter (name and optional description)."""
    return call("perimeter", "create_perimeter", actor, body)


@route(bp, "/perimeters/<perimeter_id>", ["GET"], response=service_result("perimeter", "get_perimeter"), roles=STAFF)
def get_perimeter(actor, perimeter_id):
    """A perimeter and its members."""
    return call("perimeter", "get_perimeter", actor, perimeter_id)


@route(bp, "/perimeters/<perimeter_id>", ["PATCH"], body=PerimeterPatch,
       response=service_result("perimeter", "update_perimeter"), roles=("license_admin",))
def update_perimeter(actor, perimeter_id, body):
    """Rename or describe a perimeter."""
    return call("perimeter", "update_perimeter", actor, perimeter_id, body)


@route(bp, "/perimeters/<perimeter_id>", ["DELETE"], response=service_result("perimeter", "delete_perimeter"),
       roles=("license_admin",))
def delete_perimeter(actor, perimeter_id):
    """Delete a perimeter; refused (409) while it is the only perimeter of a customer or contract type,
    unless ``?force=true``."""
    force = request.args.get("force", "false").lower() in ("1", "true", "yes")
    return call("perimeter", "delete_perimeter", actor, perimeter_id, force)


@route(bp, "/perimeters/<perimeter_id>/members", ["PUT"], body=MembersIn,
       response=service_result("perimeter", "set_members"), roles=("license_admin", "front_user_manager"))
def set_members(actor, perimeter_id, body):
    """Set the users, customers and/or contract types of a perimeter (each list given replaces that kind)."""
    return call("perimeter", "set_members", actor, perimeter_id, body, timeout=30)


@route(bp, "/users/<user_id>/perimeters", ["GET"], response=service_result("perimeter", "get_assignments"), roles=STAFF)
def get_user_perimeters(actor, user_id):
    """The perimeters a user has access to."""
    return call("perimeter", "get_assignments", actor, "user", user_id)


@route(bp, "/users/<user_id>/perimeters", ["PUT"], body=AssignIn, response=service_result("perimeter", "set_assignments"),
       roles=("license_admin",))
def set_user_perimeters(actor, user_id, body):
    """Give a user access to these perimeters (replaces the previous list)."""
    call("identity", "get_user", actor, user_id)  # 404 for users of other licenses
    return call("perimeter", "set_assignments", actor, "user", user_id, body)
