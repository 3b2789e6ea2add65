"""Who is signed in, and the decorators pages use: ``@signed_in`` (any staff member) and
``@admin_only`` (license admins). The session's tokens are checked by the gateway on every API call:
a deactivated user's next click ends in ``SignInRequired`` (see api.py)."""
from __future__ import annotations

import functools
from urllib.parse import urlencode

from flask import abort, redirect, request, session, url_for

from paraph_platform.actor import ADMINS, MANAGERS


def current_user() -> dict | None:
    if not session.get("access_token"):
        return None
    return {**(session.get("user") or {}), "role": session.get("role"), "license_id": session.get("license_id"),
            "licenses": session.get("licenses") or []}


def company_name() -> str | None:
    """The name of the company (license) the signed-in user works in now, from the licenses their sign-in
    listed: what the emails they send or preview sign with."""
    user = current_user() or {}
    return next((lic.get("name") for lic in user.get("licenses") or []
                 if lic.get("license_id") == user.get("license_id")), None)


def safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect through ?next=."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("home.index")
    return target


def sign_in_url(next_path: str | None = None) -> str:
    path = next_path if next_path is not None else request.full_path.rstrip("?")
    return url_for("auth.sign_in") + "?" + urlencode({"next": path})


def signed_in(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not session.get("access_token"):
            return redirect(sign_in_url())
        return view(*args, **kwargs)
    return wrapper


def roles_only(roles: tuple[str, ...]):
    """A page for these roles only (403 for the others, sign-in first when signed out)."""
    def decorator(view):
        @functools.wraps(view)
        @signed_in
        def wrapper(*args, **kwargs):
            if session.get("role") not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapper
    return decorator


admin_only = roles_only(ADMINS)      # license admins
manager_only = roles_only(MANAGERS)  # license admins and front user managers (users and seats)
