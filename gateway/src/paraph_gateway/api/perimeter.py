"""Perimeters (SELL&SIGN Enterprise): definitions and their users, customers and contract types."""
from __future__ import annotations

from flask import Blueprint, request

from paraph_platform.actor import ADMINS, MANAGERS, STAFF_ROLES

from ..routing import call, forward, route
from ..service_results import service_params, service_result

bp = Blueprint("perimeters", __name__)



forward(bp, "GET", "/perimeters", "perimeter.list_perimeters", query=service_params("perimeter", "list_perimeters"),
        roles=STAFF_ROLES,
        doc="""Perimeters of this license with their member counts, by name: a page (`items`), walk with
    `next_cursor`; `count=true` adds `total`.""")

forward(bp, "POST", "/perimeters", "perimeter.create_perimeter", status=201, roles=ADMINS,
        doc="Create a perimeter (name and optional description).")

forward(bp, "GET", "/perimeters/<perimeter_id>", "perimeter.get_perimeter", roles=STAFF_ROLES,
        doc="A perimeter and its members.")

forward(bp, "PATCH", "/perimeters/<perimeter_id>", "perimeter.update_perimeter", roles=ADMINS,
        doc="Rename or describe a perimeter.")


@route(bp, "/perimeters/<perimeter_id>", ["DELETE"], response=service_result("perimeter", "delete_perimeter"),
       roles=ADMINS)
def delete_perimeter(actor, perimeter_id):
    """Delete a perimeter; refused (409) while it is the only perimeter of a customer or contract type,
    unless ``?force=true``."""
    force = request.args.get("force", "false").lower() in ("1", "true", "yes")
    return call("perimeter", "delete_perimeter", actor, perimeter_id, force)


forward(bp, "PUT", "/perimeters/<perimeter_id>/members", "perimeter.set_members",
        roles=MANAGERS, timeout=30,
        doc="Set the users, customers and/or contract types of a perimeter (each list given replaces that kind).")


@route(bp, "/users/<user_id>/perimeters", ["GET"], response=service_result("perimeter", "get_assignments"), roles=STAFF_ROLES)
def get_user_perimeters(actor, user_id):
    """The perimeters a user has access to."""
    return call("perimeter", "get_assignments", actor, "user", user_id)


@route(bp, "/users/<user_id>/perimeters", ["PUT"], body=service_params("perimeter", "set_assignments"),
       response=service_result("perimeter", "set_assignments"), roles=ADMINS)
def set_user_perimeters(actor, user_id, body):
    """Give a user access to these perimeters (replaces the previous list)."""
    call("identity", "get_user", actor, user_id)  # 404 for users of other licenses
    return call("perimeter", "set_assignments", actor, "user", user_id, body)
