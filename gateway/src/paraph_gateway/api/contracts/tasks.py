"""Tasks on contracts and quotes, assigned to staff."""
from __future__ import annotations

from paraph_platform.actor import STAFF_ROLES

from ...routing import call, forward, route
from ...service_results import service_params, service_result
from .common import bp

forward(bp, "POST", "/contracts/<contract_id>/tasks", "contracts.add_task", roles=STAFF_ROLES, status=201, tags=["tasks"],
        doc="Create a task on a contract or quote.")


@route(bp, "/tasks", ["GET"], query=service_params("contracts", "list_tasks"),
       response=service_result("contracts", "list_tasks"), roles=STAFF_ROLES, tags=["tasks"])
def list_tasks(actor, query):
    """Open tasks on contracts and quotes of customers you can see, soonest due first
    (``assignee=me&due_before=<today>``: my tasks due today or overdue)."""
    return call("contracts", "list_tasks", actor, query)


forward(bp, "PATCH", "/tasks/<task_id>", "contracts.update_task", roles=STAFF_ROLES, tags=["tasks"],
        doc="Edit or complete a task.")

forward(bp, "DELETE", "/tasks/<task_id>", "contracts.delete_task", roles=STAFF_ROLES, tags=["tasks"], status=204,
        doc="Delete a task, done or not (the contract's history keeps its title).")
