"""Back office settings of the contracts: custom columns and flags."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...routing import call, route
from ...service_results import service_result
from .common import ADMIN, STAFF, bp

class ColumnIn(Schema):
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,59}$"))
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    type = fields.String(required=True, validate=validate.OneOf(["text", "number", "date", "boolean", "choice"]))
    choices = fields.List(fields.String(validate=validate.Length(max=120)), validate=validate.Length(max=100))
    position = fields.Integer(validate=validate.Range(min=0, max=10_000))


class ColumnPatch(Schema):
    label = fields.String(validate=validate.Length(min=1, max=120))
    choices = fields.List(fields.String(validate=validate.Length(max=120)), validate=validate.Length(max=100))
    position = fields.Integer(validate=validate.Range(min=0, max=10_000))


class FlagIn(Schema):
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,59}$"))
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    color = fields.String(validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$"))


class FlagPatch(Schema):
    label = fields.String(validate=validate.Length(min=1, max=120))
    color = fields.String(validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$"))


@route(bp, "/settings/columns", ["GET"], response=service_result("contracts", "list_columns"), roles=STAFF,
       tags=["settings"])
def list_columns(actor):
    """Editable custom columns of contracts.

    The whole list, not paginated: a license's custom columns are a settings list, bounded by design."""
    return call("contracts", "list_columns", actor)


@route(bp, "/settings/columns", ["POST"], body=ColumnIn, response=service_result("contracts", "create_column"),
       roles=ADMIN, status=201, tags=["settings"])
def create_column(actor, body):
    """Add a custom column (text, number, date, boolean or choice)."""
    return call("contracts", "create_column", actor, body)


@route(bp, "/settings/columns/<column_id>", ["PATCH"], body=ColumnPatch,
       response=service_result("contracts", "update_column"), roles=ADMIN, tags=["settings"])
def update_column(actor, column_id, body):
    """Rename or reorder a custom column."""
    return call("contracts", "update_column", actor, column_id, body)


@route(bp, "/settings/columns/<column_id>", ["DELETE"], roles=ADMIN, tags=["settings"], status=204)
def delete_column(actor, column_id):
    """Delete a custom column."""
    call("contracts", "delete_column", actor, column_id)
    return None


@route(bp, "/settings/flags", ["GET"], response=service_result("contracts", "list_flags"), roles=STAFF,
       tags=["settings"])
def list_flags(actor):
    """Flags usable on contracts.

    The whole list, not paginated: a license's flags are a settings list, bounded by design."""
    return call("contracts", "list_flags", actor)


@route(bp, "/settings/flags", ["POST"], body=FlagIn, response=service_result("contracts", "create_flag"),
       roles=ADMIN, status=201, tags=["settings"])
def create_flag(actor, body):
    """Create a flag."""
    return call("contracts", "create_flag", actor, body)


@route(bp, "/settings/flags/<flag_id>", ["PATCH"], body=FlagPatch, response=service_result("contracts", "update_flag"),
       roles=ADMIN, tags=["settings"])
def update_flag(actor, flag_id, body):
    """Edit a flag."""
    return call("contracts", "update_flag", actor, flag_id, body)


@route(bp, "/settings/flags/<flag_id>", ["DELETE"], response=service_result("contracts", "delete_flag"), roles=ADMIN,
       tags=["settings"])
def delete_flag(actor, flag_id):
    """Delete a flag (removed from the contracts carrying it)."""
    return call("contracts", "delete_flag", actor, flag_id)
