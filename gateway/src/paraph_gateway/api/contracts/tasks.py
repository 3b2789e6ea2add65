"""Tasks on contracts and quotes, assigned to staff."""
from __future__ import annotations

from marshmallow import fields, validate

from paraph_platform.pagination import PageParams

from ...routing import call, forward, route
from ...service_results import service_result
from .common import STAFF, _json, bp


class TaskQuery(PageParams):
    assignee = fields.String(validate=validate.Length(min=1, max=36), metadata={"description": "'me' or a user id"})
    due_before = fields.Date(metadata={"description": "due on or before this day (overdue included)"})
    done = fields.Boolean(metadata={"description": "default false: open tasks"})


forward(bp, "POST", "/contracts/<contract_id>/tasks", "contracts.add_task", roles=STAFF, status=201, tags=["tasks"],
        doc="Create a task on a contract or quote.")


@route(bp, "/tasks", ["GET"], query=TaskQuery, response=service_result("contracts", "list_tasks"), roles=STAFF,
       tags=["tasks"])
def list_tasks(actor, query):
    """Open tasks on contracts and quotes of customers you can see, soonest due first
    (``assignee=me&due_before=<today>``: my tasks due today or overdue)."""
    return call("contracts", "list_tasks", actor, _json(query))


forward(bp, "PATCH", "/tasks/<task_id>", "contracts.update_task", roles=STAFF, tags=["tasks"],
        doc="Edit or complete a task.")
