"""Helpers shared by pages: read a posted form, render a form page again with the API's field errors."""
from __future__ import annotations

from flask import render_template, request

from ..api import ApiError


def form_values(*names: str) -> dict:
    return {name: request.form.get(name, "").strip() for name in names}


def render_with_errors(template: str, exc: ApiError, status: int = 422, **context):
    """The form again with each API error next to its field (``errors``) and the problem's detail on top."""
    errors = exc.field_errors
    return render_template(template, errors=errors, message=None if errors else exc.detail,
                           values=request.form, **context), status
