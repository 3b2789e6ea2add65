"""``/account``: my name, language and mobile number, my notification preferences (each event a salesperson
is told about, by email and/or SMS: the SMS boxes wait for a mobile number), my password (with the current one,
or by an emailed reset link) and signing out of every session."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from .. import api
from ..api import ApiError
from ..auth import signed_in
from .auth import PASSWORD_MIN_LENGTH
from .forms import form_values, render_with_errors

bp = Blueprint("account", __name__)

# the events a salesperson can be told about, and on which channels (identity's PreferencesSchema, notify's
# OWNER_EVENTS; a customer's feedback on a quote has no preference: always by email)
NOTIFICATION_EVENTS = ("quote_viewed", "quote_downloaded", "signed", "contract_shared", "customer_self_updated")
CHANNELS = ("email", "sms")
# what notify does for an event never set (notify_service.logic.DEFAULT_PREFERENCES): email on, SMS off
DEFAULT_CHANNELS = {"email": True, "sms": False}
LANGUAGES = {"fr": "Français", "en": "English"}  # each in its own language


PAGE_CONTEXT = {"events": NOTIFICATION_EVENTS, "channels": CHANNELS, "default_channels": DEFAULT_CHANNELS,
                "languages": LANGUAGES, "min_length": PASSWORD_MIN_LENGTH}


def _page(me: dict, errors=None, status=200):
    return render_template("account.html", me=me, errors=errors or {}, values={}, **PAGE_CONTEXT), status


@bp.get("/account")
@signed_in
def show():
    return _page(api.get("/me"))


@bp.post("/account/profile")
@signed_in
def profile():
    body = {**form_values("name", "phone"), "locale": request.form.get("locale", "")}  # an empty phone clears it
    try:
        me = api.patch("/me", body)
    except ApiError as exc:
        if exc.status not in (400, 422):
            raise
        # the form keeps what was typed (``values``); the rest of the page says what is saved (the SMS boxes)
        return render_with_errors("account.html", exc, me=api.get("/me"), **PAGE_CONTEXT)
    session["user"] = {**session["user"], "name": me.get("name") or "", "locale": me.get("locale")}
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("account.show"))


@bp.post("/account/preferences")
@signed_in
def preferences():
    # without a mobile number the SMS boxes are disabled, so not posted: the SMS choices saved earlier are kept
    channels = CHANNELS if api.get("/me").get("phone") else ("email",)
    body = {event: {channel: f"{event}.{channel}" in request.form for channel in channels}
            for event in NOTIFICATION_EVENTS}
    api.patch("/me/preferences", body)
    flash(_("Your notification preferences are saved."), "success")
    return redirect(url_for("account.show"))


@bp.post("/account/password")
@signed_in
def password():
    """A new password, proven with the current one. Identity ends every session of mine and answers with a
    new one for this browser, which the page keeps: only the other devices are signed out."""
    if request.form.get("new_password", "") != request.form.get("new_password_confirm", ""):
        return _page(api.get("/me"), errors={"new_password_confirm": _("The two passwords differ.")}, status=422)
    try:
        answer = api.post("/me/password", {"current_password": request.form.get("current_password", ""),
                                           "new_password": request.form.get("new_password", "")})
    except ApiError as exc:
        if exc.status == 429:  # too many wrong current passwords: said next to that field
            return _page(api.get("/me"), errors={"current_password": exc.detail}, status=429)
        if exc.status not in (400, 422):
            raise
        return render_with_errors("account.html", exc, me=api.get("/me"), **PAGE_CONTEXT)
    api.start_session(answer, same_person=True)
    flash(_("Your password is changed. Your other sessions are signed out."), "success")
    return redirect(url_for("account.show"))


@bp.post("/account/password-link")
@signed_in
def password_link():
    """Forgot the current password: the same emailed link as "forgot password" proves the mailbox."""
    api.public("POST", "/auth/forgot-password", json={"email": session["user"].get("email", "")})
    flash(_("We sent you an email with a link to choose a new password."), "success")
    return redirect(url_for("account.show"))


@bp.post("/account/sign-out-everywhere")
@signed_in
def sign_out_everywhere():
    """Every session of mine ends (other devices on their next click), this one too."""
    api.post("/auth/logout-everywhere")
    api.sign_out_locally()
    return redirect(url_for("auth.sign_in", signed_out=1))
