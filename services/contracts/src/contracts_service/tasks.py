"""Tasks on contracts: the follow-ups staff give themselves or a colleague who can see the contract,
and the list of open tasks across the contracts the caller may see. Adding, changing and deleting one are
published (task.created.v1, task.updated.v1, task.deleted.v1), a change only when it changed something.
"""
from __future__ import annotations

from sqlalchemy import select

from paraph_platform.actor import STAFF_ROLES
from paraph_platform.envelope import iso
from paraph_platform.pagination import Ordering, keyset_page, page_result
from paraph_platform.service import endpoint

from .base import ContractsBase, publish_about, publish_change
from .exceptions import InvalidInput
from .models import Contract, Customer, Task
from .schemas.tasks import TaskInSchema, TaskListSchema, TaskPatchSchema


def task_view(t: Task) -> dict:
    return {"id": t.id, "contract_id": t.contract_id, "title": t.title,
            "due_date": t.due_date.isoformat() if t.due_date else None, "assignee_id": t.assignee_id,
            "done": t.done, "created_by": t.created_by, "created_at": iso(t.created_at)}


def task_event(t: Task) -> dict:
    """What the task events say of the task (contract.TaskEventV1)."""
    return {"task_id": t.id, "contract_id": t.contract_id, "title": t.title,
            "due_date": t.due_date.isoformat() if t.due_date else None, "assignee_id": t.assignee_id,
            "done": t.done}


class TasksEndpoints(ContractsBase):
    """Tasks on contracts."""

    def _check_assignee(self, s, actor, c: Contract, assignee_id):
        """A task goes to an active staff user of the license who can see the contract (its customer,
        by the perimeter policy applied to the assignee), never to a stranger or a portal client."""
        if assignee_id is None or assignee_id == actor["user_id"]:
            return
        user = self.identity.resolve_users(actor["license_id"], [assignee_id]).get(assignee_id)
        visible = False
        if user and user["status"] == "active" and user["role"] in STAFF_ROLES:
            assignee = {"user_id": assignee_id, "license_id": actor["license_id"], "role": user["role"]}
            visible = s.execute(select(Customer.id).where(
                Customer.id == c.customer_id, self._customer_filter(assignee))).first() is not None
        if not visible:
            raise InvalidInput("The assignee must be an active user of this license who can see this contract.",
                               {"fields": {"assignee_id": ["not an active user who can see this contract"]}})

    @endpoint(write=True)
    def add_task(self, actor, contract_id, payload):
        actor, data = self._caller_and_payload(actor, TaskInSchema, payload)
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            self._check_assignee(s, actor, c, data["assignee_id"])
            t = Task(license_id=c.license_id, contract_id=c.id, created_by=actor["user_id"], **data)
            s.add(t)
            s.flush()
            self._history(s, c, actor["user_id"], "task_added", task_id=t.id, title=t.title)
            publish_about(s, self.outbox, "task.created.v1", t, {**task_event(t), "created_by": actor["user_id"]})
            return task_view(t)

    @endpoint
    def list_tasks(self, actor, params=None):
        """Open tasks on contracts of customers the caller may see (the perimeter filter of every list),
        soonest due first."""
        actor, p = self._caller_and_payload(actor, TaskListSchema, params or {})
        with self.db.session() as s:
            q = (select(Task, Contract, Customer.name).join(Contract, Contract.id == Task.contract_id)
                 .join(Customer, Customer.id == Contract.customer_id)
                 .where(Task.license_id == actor["license_id"], Task.done == p["done"],
                        self._customer_filter(actor, self._where(actor))))
            if p["assignee"]:
                q = q.where(Task.assignee_id == (actor["user_id"] if p["assignee"] == "me" else p["assignee"]))
            if p["due_before"]:
                q = q.where(Task.due_date <= p["due_before"])
            # undated tasks last (Ordering puts NULLs last)
            order = [Ordering(Task.due_date), Ordering(Task.created_at), Ordering(Task.id)]
            page = keyset_page(s, q, order, limit=p["limit"], cursor=p["cursor"], offset=p["offset"],
                               count=p["count"], order_name="due")
            return page_result(page, [{**task_view(t), "contract": {"id": c.id, "kind": c.kind, "number": c.number,
                                                                    "title": c.title, "customer_name": name}}
                                      for t, c, name in page["rows"]])

    @endpoint(write=True)
    def update_task(self, actor, task_id, payload):
        """Edit a task, reassign it, mark it done or not: published as task.updated.v1 naming what really changed;
        the same values again are a no-op (no event, no history entry)."""
        actor, data = self._caller_and_payload(actor, TaskPatchSchema, payload)
        with self.db.session() as s:
            t, c = self._child(s, actor, Task, task_id)
            if "assignee_id" in data and data["assignee_id"] != t.assignee_id:
                self._check_assignee(s, actor, c, data["assignee_id"])
            changed = publish_change(s, self.outbox, "task.updated.v1", t, task_view, task_event, data,
                                     actor["user_id"])
            if changed:
                self._history(s, c, actor["user_id"], "task_updated", task_id=t.id, title=t.title, fields=changed)
            return task_view(t)

    @endpoint(write=True)
    def delete_task(self, actor, task_id):
        """Delete a task (done or not): it leaves the contract and the lists of tasks; the contract's history
        keeps its title."""
        return self._delete_child(actor, Task, task_id, "task", task_event)
