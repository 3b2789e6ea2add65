"""Helpers shared by pages: read a posted form, render a form page again with the API's field errors, say an
action's refusal on the page the user goes back to."""
from __future__ import annotations

import functools

from flask import flash, render_template, request

from ..api import ApiError


def form_values(*names: str) -> dict:
    return {name: request.form.get(name, "").strip() for name in names}


def render_with_errors(template: str, exc: ApiError, status: int = 422, **context):
    """The form again with each API error next to its field (``errors``) and the problem's detail on top."""
    errors = exc.field_errors
    return render_template(template, errors=errors, message=None if errors else exc.detail,
                           values=request.form, **context), status


# what the API answers when an action cannot be done as asked: not allowed, gone, changed meanwhile, invalid
REFUSALS = (403, 404, 409, 422)


def refusal_said(back):
    """Decorates an action button's POST view (``back`` takes the view's arguments and gives the redirect): when
    the API refuses the action (a second click, someone else acted first), the user goes back with the reason
    said on the page instead of landing on an error page."""
    def decorate(view):
        @functools.wraps(view)
        def action(**kwargs):
            try:
                return view(**kwargs)
            except ApiError as exc:
                if exc.status not in REFUSALS:
                    raise
                flash(exc.detail, "err")
                return back(**kwargs)
        return action
    return decorate
