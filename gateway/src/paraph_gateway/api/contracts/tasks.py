"""Tasks on contracts and quotes, assigned to staff."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from paraph_platform.pagination import PageParams

from ...routing import call, route
from ...service_results import service_result
from .common import ID, STAFF, _json, bp

class TaskIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    due_date = fields.Date(allow_none=True)
    assignee_id = fields.String(allow_none=True, validate=ID)


class TaskQuery(PageParams):
    assignee = fields.String(validate=validate.Length(min=1, max=36), metadata={"description": "'me' or a user id"})
    due_before = fields.Date(metadata={"description": "due on or before this day (overdue included)"})
    done = fields.Boolean(metadata={"description": "default false: open tasks"})


class TaskPatch(TaskIn):
    title = fields.String(validate=validate.Length(min=1, max=300))
    done = fields.Boolean()


@route(bp, "/contracts/<contract_id>/tasks", ["POST"], body=TaskIn, response=service_result("contracts", "add_task"),
       roles=STAFF, status=201, tags=["tasks"])
def add_task(actor, contract_id, body):
    """Create a task on a contract or quote."""
    return call("contracts", "add_task", actor, contract_id, _json(body))


@route(bp, "/tasks", ["GET"], query=TaskQuery, response=service_result("contracts", "list_tasks"), roles=STAFF,
       tags=["tasks"])
def list_tasks(actor, query):
    """Open tasks on contracts and quotes of customers you can see, soonest due first
    (``assignee=me&due_before=<today>``: my tasks due today or overdue)."""
    return call("contracts", "list_tasks", actor, _json(query))


@route(bp, "/tasks/<task_id>", ["PATCH"], body=TaskPatch, response=service_result("contracts", "update_task"),
       roles=STAFF, tags=["tasks"])
def update_task(actor, task_id, body):
    """Edit or complete a task."""
    return call("contracts", "update_task", actor, task_id, _json(body))
