"""Flask application factory of the staff web app.

Pages are blueprints in ``paraph_web.pages`` (one module per area, each exporting ``bp``), registered
automatically; see web/README.md "How to add a page".
"""
from __future__ import annotations

import logging

from flask import (Blueprint, Flask, Response, get_flashed_messages, jsonify, redirect, render_template, request,
                   session)
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from paraph_platform import client_pages
from paraph_platform.actor import ADMINS, MANAGERS
from paraph_platform.config import env, env_int, public_url
from paraph_platform.modules import exported_by_modules
from paraph_platform.totals import vat_lines

from . import i18n, status_labels
from .api import ApiError, GatewayUnavailable, SignInRequired, sign_out_locally
from .api_messages import translate
from .auth import current_user, sign_in_url
from .proxy import GatewayProxy
from .security import CSRF_FIELD, CSRF_HEADER, check_csrf, csp_nonce, csrf_token, secure_headers
from .session import EncryptedCookieSessionInterface
from .submissions import SUBMISSION_FIELD, submission_token
from .tables import breakable_email, labelled_cells

log = logging.getLogger(__name__)


def load_config(overrides: dict | None = None) -> dict:
    config = {
        # the gateway's base URL (without /api/v1): the internal address, not the public one
        "GATEWAY_URL": env("GATEWAY_URL", "http://127.0.0.1:8000"),
        "API_TIMEOUT": float(env("WEB_API_TIMEOUT", "30")),
        "PUBLIC_URL": public_url(),
        "WEB_SESSION_KEY": env("WEB_SESSION_KEY"),
        # addresses in X-Forwarded-For written by our own proxies (the ingress): 0 when browsers connect directly
        "TRUSTED_PROXY_HOPS": env_int("WEB_TRUSTED_PROXY_HOPS", 0),
        # serve the gateway's paths too (one public address without an ingress: ./paraph up, compose)
        "PROXY_GATEWAY": env("WEB_PROXY_GATEWAY", "0") == "1",
        "MAX_CONTENT_LENGTH": env_int("MAX_UPLOAD_BYTES", 26 * 1024 * 1024),
        # items a picker (a customer, a user) lists before it is searched: pages/pickers.py
        "PICKER_PAGE_SIZE": env_int("WEB_PICKER_PAGE_SIZE", 200),
    }
    config.update(overrides or {})
    if not config["WEB_SESSION_KEY"]:
        raise RuntimeError("WEB_SESSION_KEY is not set: the session cookies cannot be encrypted.")
    return config


def _blueprints():
    """The blueprint (``bp``) of each page module of paraph_web.pages."""
    from . import pages
    return (bp for _module, bp in exported_by_modules(pages, "bp", Blueprint))


def _error_page(status: int, title: str, text: str, home: bool = True, code: bool = True):
    """``code``: the status shown big above the text (not on a page whose title says it all in words)."""
    return render_template("errors/error.html", status=status, title=title, text=text, home=home,
                           show_code=code), status


def _subscription_ended(exc: ApiError):
    """Every page of the license answers this until the subscription is renewed: no role would open it, and the
    home page would say it again. A message flashed on the way here (an action refused) said the same: it is
    taken out of the session, and the page does not show it."""
    get_flashed_messages()
    if session.get("role") in ADMINS:  # the reader is the one who sees to it: with whoever sold the subscription
        renewal = _("As an administrator of your company, renew it with the provider of your Paraph subscription "
                    "(who gave you its activation code): the pages open again as soon as it is renewed.")
    else:  # the license is no word of a salesperson's: their company's administrators see to it
        renewal = _("The pages open again once it is renewed: ask an administrator of your company.")
    return _error_page(403, _("Subscription ended"), f"{translate(exc.detail)} {renewal}", home=False, code=False)


def register_errors(app: Flask):
    @app.errorhandler(SignInRequired)
    def sign_in_required(_exc):
        sign_out_locally()
        # after signing in, a form's page opens again (its POST cannot be replayed)
        return redirect(sign_in_url(request.path if request.method != "GET" else None))

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        if exc.status == 401:
            return sign_in_required(exc)
        if exc.status == 403 and exc.problem.get("expires_at"):  # the subscription's end (gateway and identity)
            return _subscription_ended(exc)
        if exc.status == 403:
            return _error_page(403, _("Not allowed"), _("Your role does not give access to this page."))
        if exc.status in (404, 410):
            return _error_page(404, _("Not found"), _("This page does not exist, or is no longer available."))
        if exc.status == 429:  # the gateway's words are English: the wait is said here
            wait = exc.problem.get("retry_after")
            return _error_page(429, _("Too many attempts"), _(
                "Too many requests in a short time: try again in %(seconds)s seconds.", seconds=wait) if wait
                else _("Too many requests in a short time: try again in a moment."))
        if exc.status < 500:
            return _error_page(400, _("Request refused"), translate(exc.detail or ""))
        log.warning("gateway answered %s: %s", exc.status, exc.problem)
        return _error_page(503, _("Service unavailable"), _("Paraph is temporarily unavailable. Please try "
                                                            "again in a moment."))

    @app.errorhandler(GatewayUnavailable)
    def unavailable(exc):
        log.warning("gateway unreachable: %s", exc)
        return _error_page(503, _("Service unavailable"), _("Paraph is temporarily unavailable. Please try "
                                                            "again in a moment."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 400 and exc.description == "csrf":
            return _error_page(400, _("This form has expired"),
                               _("Go back, reload the page and submit the form again."))
        if exc.code == 403:
            return _error_page(403, _("Not allowed"), _("Your role does not give access to this page."))
        if exc.code == 404:
            return _error_page(404, _("Not found"), _("This page does not exist, or is no longer available."))
        if exc.code == 405:
            return _error_page(405, _("Not allowed"), _("This action is not available here."))
        if (exc.code or 500) >= 500:  # an unexpected error (Flask logged it with its traceback): in the page's words
            return _error_page(500, _("Something went wrong"), _(
                "An unexpected error stopped this page. Try again in a moment; if it happens again, tell your "
                "administrator when it happened."))
        # 400, 413, 414, 431...: a request the app could not take (a field tampered with, a URL too long)
        return _error_page(exc.code, _("Request refused"), _("This request cannot be handled. Go back and try "
                                                             "again."))


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(load_config(config))
    app.session_interface = EncryptedCookieSessionInterface()
    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
    if app.config["PROXY_GATEWAY"]:
        app.wsgi_app = GatewayProxy(app.wsgi_app, app.config["GATEWAY_URL"])
    i18n.init_app(app)
    app.jinja_env.filters["labelled_cells"] = labelled_cells
    app.jinja_env.filters["breakable_email"] = breakable_email
    app.jinja_env.globals["vat_lines"] = vat_lines
    app.jinja_env.globals["status_labels"] = status_labels  # the badges' words (macros.html status_label)
    register_errors(app)
    app.before_request(check_csrf)
    app.after_request(secure_headers)

    @app.context_processor
    def page_context():
        user = current_user()
        return {"csrf_token": csrf_token, "csrf_field": CSRF_FIELD, "csrf_header": CSRF_HEADER,
                "submission_token": submission_token, "submission_field": SUBMISSION_FIELD,
                "csp_nonce": csp_nonce, "user": user,
                "is_admin": bool(user and user["role"] in ADMINS),
                "is_manager": bool(user and user["role"] in MANAGERS)}

    for bp in _blueprints():
        app.register_blueprint(bp)

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @app.get("/favicon.ico")  # asked by browsers and tools whatever the page says: the same icon, not a 404
    @app.get("/favicon.svg")  # the one the pages name (base.html)
    def favicon():
        """Paraph's icon (paraph_platform's, which the client pages inline), cached for a day."""
        response = Response(client_pages.icon(), mimetype="image/svg+xml")
        response.cache_control.public = True
        response.cache_control.max_age = 86400
        return response

    return app
