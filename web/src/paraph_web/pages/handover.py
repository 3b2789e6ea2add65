"""A device handed to a customer is locked until its member of staff takes it back.

"Sign now on this device" (the signature center, an uploaded document's page) sends this browser to a signing
page for a customer to sign face to face, while the salesperson's session stays in it. From then on, every page
of the staff app answers with ``/handed-over``, which names who the device was handed to and asks the
salesperson's password (checked by signing in with it, that session ended at once: the one in this browser goes
on, in the same company). The signing page itself and the other pages the gateway serves (``/sign/``, ``/q/``,
``/portal``) are not the app's and stay open; so does signing out."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from .. import api
from ..api import ApiError
from ..api_messages import translate
from ..auth import safe_next

bp = Blueprint("handover", __name__)

HANDED_OVER = "handed_over"  # in the session: {"name": whom the device was handed to}
OPEN_ENDPOINTS = {"static", "handover.unlock", "auth.sign_out"}


def hand_over(to_name: str):
    """Lock the staff app in this browser: it is about to show a customer's signing page."""
    session[HANDED_OVER] = {"name": to_name}


@bp.before_app_request
def locked():
    if HANDED_OVER not in session or request.endpoint in OPEN_ENDPOINTS:
        return None
    wanted = request.full_path.rstrip("?") if request.method == "GET" else request.path  # a POST is not replayed
    return redirect(url_for("handover.unlock", next=wanted), 303)


@bp.route("/handed-over", methods=["GET", "POST"])
def unlock():
    held = session.get(HANDED_OVER)
    next_path = safe_next(request.values.get("next"))
    if not held:
        return redirect(next_path)
    email = (session.get("user") or {}).get("email", "")
    errors, message = {}, None
    if request.method == "POST":
        try:
            check = api.public("POST", "/auth/login", json={"email": email,
                                                             "password": request.form.get("password", "")})
        except ApiError as exc:
            if exc.status not in (400, 401, 403, 422, 429):
                raise
            errors, message = ({"password": _("This is not your password.")}, None) if exc.status == 401 else (
                {}, translate(exc.detail))
        else:
            api.public("POST", "/auth/logout", json={"refresh_token": check["refresh_token"]})
            session.pop(HANDED_OVER, None)
            return redirect(next_path)
    # user=None: no menu of the staff app's pages on this page
    return render_template("auth/handed_over.html", held=held, email=email, next=next_path, errors=errors,
                           message=message, values={}, user=None), 422 if errors else 200
