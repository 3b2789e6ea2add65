"""Schemas of the tasks aggregate: a contract's tasks and the task list."""
from __future__ import annotations

from marshmallow import fields, validate

from paraph_platform.dates import Date
from paraph_platform.pagination import PageParams

from . import ID, StrictSchema


class TaskInSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    due_date = Date(load_default=None, allow_none=True)
    assignee_id = fields.String(load_default=None, allow_none=True, validate=ID)


class TaskListSchema(StrictSchema, PageParams):
    assignee = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36),
                             metadata={"description": "'me' or a user id"})
    due_before = Date(load_default=None, allow_none=True,
                             metadata={"description": "due on or before this day (overdue included)"})
    done = fields.Boolean(load_default=False, metadata={"description": "default false: open tasks"})


class TaskPatchSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=300))
    due_date = Date(allow_none=True)
    assignee_id = fields.String(allow_none=True, validate=ID)
    done = fields.Boolean()
