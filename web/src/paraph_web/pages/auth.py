"""Sign in and out, forgotten password, the emailed set-password and reset-password links, the license
switcher, and the activation of a company's environment with its subscription's code."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from paraph_platform import client_pages

from .. import api, i18n
from ..api import ApiError
from ..auth import safe_next, signed_in
from .forms import form_values, render_with_errors

bp = Blueprint("auth", __name__)

PASSWORD_MIN_LENGTH = 10  # identity's rule (logic.MIN_PASSWORD_LENGTH), shown next to the field
# the country the activation page offers first, by its language: France in French, the United Kingdom in English
# (the company says its own: its time zone, currency and documents' language start as that country's)
ACTIVATION_COUNTRY = {"fr": "FR", "en": "GB"}
# customers' contacts (role "client") share the set-password link but work in the client portal
CLIENT_ROLE, CLIENT_HOME = "client", "/portal"


def _portal_sign_in(notice: str, link: dict | None = None) -> str:
    """The portal's sign-in form, in this page's language, with one of its notices above it: ``password_set`` (a
    client who just chose her password) or ``portal_account`` (one who signed in at the staff's sign-in); filled
    in for her emailed ``link`` (see _filled_in)."""
    return f"{CLIENT_HOME}?{notice}=1&lang={i18n.page_language()}{_filled_in(link)}"


def _filled_in(link: dict | None) -> str:
    """The portal's sign-in form filled with the email and user code of a client's emailed ``link`` (link_info):
    they go in the address's fragment, which the portal's script reads (portal.js: prefill) and no server receives
    nor logs."""
    given = {key: link[key] for key in ("email", "user_code") if (link or {}).get(key)}
    return f"#{urlencode(given)}" if given else ""


def _in_the_emails_language(link: dict) -> None:
    """The page of an emailed link is in the language of its email (link_info's ``locale``: the person's profile),
    whatever the browser says: a French salesperson's English browser showed her French invitation's page in
    English, and a customer's contact lands on her portal in it too. Once signed in, staff pages follow the profile
    (:func:`_signed_in_as`), which is the same language."""
    i18n.use_locale(link.get("locale"))


def _signed_in_as(answer: dict, next_path: str, client_home: str = CLIENT_HOME):
    """Keep the session, with the user's language from their profile and their company's country for the pages'
    locale, and go on to ``next_path``; a customer's contact is sent to the client portal instead (``client_home``:
    no staff session, they sign in there)."""
    if answer.get("role") == CLIENT_ROLE:
        api.public("POST", "/auth/logout", json={"refresh_token": answer["refresh_token"]})
        return redirect(client_home)
    api.start_session(answer)
    try:
        me = api.get("/me")
    except ApiError:
        return redirect(next_path)
    session["user"] = {**session["user"], "locale": me.get("locale"), "name": me.get("name") or ""}
    try:  # the company's country: the order its pages write dates in (i18n.select_locale); any user may read it
        session[i18n.COMPANY_COUNTRY] = (api.get("/license").get("settings") or {}).get("country")
    except ApiError:
        pass  # written as a company that has not said its country
    return redirect(next_path)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    next_path = safe_next(request.values.get("next"))
    if request.method == "GET":
        if session.get("access_token"):
            return redirect(next_path)
        return render_template("auth/sign_in.html", next=next_path, values={}, errors={})
    values = form_values("email")
    try:
        answer = api.public("POST", "/auth/login", json={"email": values["email"],
                                                          "password": request.form.get("password", "")})
    except ApiError as exc:
        if exc.status in (401, 403, 429, 422, 400):
            return render_with_errors("auth/sign_in.html", exc, status=exc.status if exc.status != 400 else 422,
                                      next=next_path)
        raise
    # a client signs in again on the portal's form, told why (the staff's session is not hers)
    return _signed_in_as(answer, next_path, client_home=_portal_sign_in("portal_account"))


@bp.get("/language/<code>")
def choose_language(code):
    """The "Français / English" switch of the pages before signing in (sign-in, activation, forgotten password):
    the language chosen is kept in a cookie for the visit (i18n.LANGUAGE_COOKIE, no expiry date: gone with the
    browser's session) and the browser goes back to ``next``. Once signed in, the profile's language wins; an
    emailed link's page is in its email's language (:func:`_in_the_emails_language`)."""
    if code not in i18n.LANGUAGES:
        abort(404)
    response = redirect(safe_next(request.args.get("next") or url_for("auth.sign_in")))
    response.set_cookie(i18n.LANGUAGE_COOKIE, code, path="/", httponly=True, samesite="Lax",
                        secure=request.is_secure or current_app.config["PUBLIC_URL"].startswith("https://"))
    return response


@bp.post("/sign-out")
def sign_out():
    token = session.get("refresh_token")
    if token:
        try:
            api.public("POST", "/auth/logout", json={"refresh_token": token})
        except ApiError:
            pass  # already ended: the local session goes anyway
    api.sign_out_locally()
    return redirect(url_for("auth.sign_in", signed_out=1))


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    if request.method == "GET":
        return render_template("auth/forgot_password.html", values=request.args, errors={}, sent=False)
    values = form_values("email")
    try:
        api.public("POST", "/auth/forgot-password", json=values)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return render_with_errors("auth/forgot_password.html", exc, sent=False)
    return render_template("auth/forgot_password.html", values=values, errors={}, sent=True)


@bp.route("/activate", methods=["GET", "POST"])
def activate():
    """A company activates its environment with the activation code its subscription came with (seed: the
    number of seats is the code's); the person activating becomes its license admin and is emailed a link
    to choose a password. An admin of another company of the same subscription uses the same code: the
    seats are shared."""
    if request.method == "GET":
        values = {"country": ACTIVATION_COUNTRY.get(i18n.page_language(), "FR"), **request.args.to_dict()}
        return render_template("auth/activate.html", values=values, errors={}, message=None, done=None)
    values = form_values("activation_code", "company_name", "admin_name", "admin_email", "country")
    # the admin's pages and emails in the language it was activated in; the company's country (none chosen: none
    # said, and the license starts as a French one did)
    body = {**{key: value for key, value in values.items() if key != "country" or value},
            "locale": i18n.page_language()}
    try:
        answer = api.public("POST", "/licenses/activate", json=body)
    except ApiError as exc:
        if exc.status >= 500 or exc.status in (401, 429):
            raise
        problem = {404: {"activation_code": _("This activation code is unknown: check it in the email that "
                                              "came with your subscription.")},
                   403: {"activation_code": _("This subscription has expired: ask your provider to renew it.")}}
        errors = problem.get(exc.status) or exc.field_errors
        # sent again (a second click), a name already taken, or an admin whose invitation was lost or expired: the
        # page offers "forgot password", which sends them a fresh invitation (identity)
        already_activated = exc.status == 409 and "company_name" in errors
        if already_activated:
            errors = {"company_name": _(
                "%(company)s is already activated on this subscription: its administrator was emailed a link to "
                "choose a password. Link lost or expired? They get a new one with “Forgot your password?” on the "
                "sign-in page. To activate another company of the subscription, give it another name.",
                company=exc.problem.get("license_name") or values["company_name"])}
        message = None if errors else (
            _("This subscription has no seat left for another company. Free a seat in one of its companies, "
              "or ask your provider for more seats.") if exc.status == 409 else exc.detail)
        return render_template("auth/activate.html", values=request.form, errors=errors, message=message,
                               done=None, already_activated=already_activated), 422 if exc.status != 409 else 409
    return render_template("auth/activate.html", values=values, errors={}, message=None,
                           done={"company": answer["license"]["name"], "email": answer["admin"]["email"]})


def _password_page(kind: str):
    """The emailed links: /set-password (invitation) and /reset-password; the token comes in the query
    string and travels in a hidden field (the page sends no Referer: see security.py)."""
    template = "auth/set_password.html"
    token = request.values.get("token", "")
    context = {"kind": kind, "token": token, "min_length": PASSWORD_MIN_LENGTH, "link": None, "joining": False,
               "client_home": CLIENT_HOME, "client_pages_css": client_pages.stylesheet()}
    if not 10 <= len(token) <= 200:
        return render_template(template, link_problem="invalid", values={}, errors={}, **context), 404
    try:  # who the link is for (company, email), and whether it can still be used
        context["link"] = api.public("POST", "/auth/link-info", json={"token": token, "purpose": kind})
    except ApiError as exc:
        if exc.status not in (404, 410):
            raise
        return _link_problem(template, exc, context)
    _in_the_emails_language(context["link"])
    # someone with an account already (another company's) joins with it: their password stays as it is
    context["joining"] = joining = kind == "invitation" and bool(context["link"].get("has_password"))
    if request.method == "GET":
        return render_template(template, link_problem=None, values={}, errors={}, **context)
    password, confirm = request.form.get("password", ""), request.form.get("password_confirm", "")
    if password != confirm and not joining:
        return render_template(template, link_problem=None, values=request.form,
                               errors={"password_confirm": _("The two passwords differ.")}, **context), 422
    path = "/auth/accept-invitation" if kind == "invitation" else "/auth/reset-password"
    try:
        body = {"token": token, "password": None if joining else password}
        if kind == "invitation" and not joining and request.form.get("name", "").strip():
            body["name"] = request.form["name"].strip()
        answer = api.public("POST", path, json=body)
    except ApiError as exc:
        if exc.status in (404, 410):
            return _link_problem(template, exc, context)
        if exc.status in (400, 422):
            return render_with_errors(template, exc, link_problem=None, **context)
        raise
    if kind == "invitation":
        # a portal client lands on the portal's sign-in form, in this page's language, told her password is saved
        portal = (CLIENT_HOME + _filled_in(context["link"]) if joining
                  else _portal_sign_in("password_set", context["link"]))
        return _signed_in_as(answer, url_for("home.index"), client_home=portal)
    if (context["link"] or {}).get("role") == CLIENT_ROLE:  # her reset link was for her company's portal (link_info)
        return redirect(_portal_sign_in("password_set", context["link"]))
    return redirect(url_for("auth.sign_in", password_reset=1))


def _link_problem(template: str, exc: ApiError, context: dict):
    """A used, expired or unknown link: say which, with the way to a new one."""
    problem = "used" if "used" in exc.detail else "expired" if exc.status == 410 else "invalid"
    if "role" in exc.problem:  # whose it was (link_info's 410): a portal client asks the company that invited them
        context = {**context, "link": {"company": exc.problem.get("company"), "role": exc.problem["role"]}}
        _in_the_emails_language({**context["link"], "locale": exc.problem.get("locale")})
    return render_template(template, link_problem=problem, values={}, errors={}, **context), exc.status


@bp.route("/set-password", methods=["GET", "POST"])
def set_password():
    return _password_page("invitation")


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password():
    return _password_page("reset")


@bp.route("/switch-license", methods=["GET", "POST"])
@signed_in
def switch_license():
    if request.method == "GET":
        return render_template("auth/switch_license.html")
    previous = session.get("refresh_token")
    answer = api.post("/auth/switch-license", {"license_id": request.form.get("license_id", "")})
    api.public("POST", "/auth/logout", json={"refresh_token": previous})  # one live session at a time
    return _signed_in_as(answer, url_for("home.index"))
