"""Server-rendered pages of the portal service, mounted at the root (not under /api/v1):

* ``/q/<token>`` — the online quote page (the emails' "Consulter le devis"), its PDF and feedback form (which redirects
  to ``/q/<token>/feedback`` once sent);
* ``/portal`` — the customer portal (sign-in, forgotten password, contracts, contract page, signature tasks).

The portal service renders the HTML (Jinja2, autoescaped) and records views and downloads; this
module only relays, adds the security headers, and shows a minimal page if the service is down.
"""
from __future__ import annotations

import html
import secrets

from flask import Blueprint, Response, redirect, request

from paraph_platform.errors import PlatformError

from ..downloads import file_response
from ..routing import call, client_ip

URL_PREFIX = ""

bp = Blueprint("portal_pages", __name__)

_FALLBACK = {
    "fr": ("Service momentanément indisponible", "Réessayez dans quelques instants."),
    "en": ("Service temporarily unavailable", "Please try again in a moment."),
}


def _lang() -> str | None:
    lang = request.args.get("lang", "")
    return lang if lang in ("fr", "en") else None


def _meta(nonce: str, **extra) -> dict:
    """Request meta for the portal: the method and User-Agent tell link scanners (HEAD, bots) from views."""
    return {"ip": client_ip(), "user_agent": (request.headers.get("User-Agent") or "")[:500],
            "method": request.method, "lang": _lang(), "nonce": nonce, **extra}


def _secure(resp: Response, nonce: str) -> Response:
    resp.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"  # the page token never leaks through Referer
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["X-Robots-Tag"] = "noindex, nofollow"
    return resp


def _page(result: dict, nonce: str) -> Response:
    if result.get("location"):  # after a post: the page to get (the portal's own path)
        return _secure(redirect(result["location"], code=303), nonce)
    resp = Response(result["html"], status=int(result.get("status") or 200), mimetype="text/html")
    return _secure(resp, nonce)


def _fallback(exc: PlatformError, nonce: str) -> Response:
    title, text = _FALLBACK[_lang() or "fr"]
    status = exc.status if exc.status in (404, 410) else 503
    body = (f'<!doctype html><html lang="{_lang() or "fr"}"><head><meta charset="utf-8"><title>{html.escape(title)}'
            f'</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>')
    resp = Response(body, status=status, mimetype="text/html")
    if status == 503:
        resp.headers["Retry-After"] = "5"
    return _secure(resp, nonce)


def _render(method: str, *args, **extra) -> Response:
    nonce = secrets.token_urlsafe(16)
    try:
        return _page(call("portal", method, *args, _meta(nonce, **extra)), nonce)
    except PlatformError as exc:
        return _fallback(exc, nonce)


# -- online quote ------------------------------------------------------------------------------

@bp.get("/q/<token>")
def quote_page(token):
    """The online quote (each opening is recorded as a view; link scanners and previews are not)."""
    return _render("quote_page", token)


@bp.get("/q/<token>/pdf")
def quote_pdf(token):
    """Télécharger le PDF (each download is recorded)."""
    nonce = secrets.token_urlsafe(16)
    try:
        result = call("portal", "quote_pdf", token, _meta(nonce), timeout=60)
    except PlatformError as exc:
        return _fallback(exc, nonce)
    if "html" in result:
        return _page(result, nonce)
    resp = file_response(result, default_type="application/pdf")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


@bp.post("/q/<token>/feedback")
def quote_feedback(token):
    """The feedback form: remarks go to the salesperson, then the browser is sent on (303) to the page below."""
    return _render("quote_feedback", token, message=request.form.get("message", ""))


@bp.get("/q/<token>/feedback")
def quote_feedback_sent(token):
    """The online quote saying the remarks were sent: a refresh shows it again, and sends nothing."""
    return _render("quote_feedback_sent", token)


# -- customer portal -----------------------------------------------------------------------------

@bp.get("/portal")
@bp.get("/portal/")
def portal_home():
    return _render("portal_page", "home")


@bp.get("/portal/forgot-password")
def portal_forgot_password():
    """A client asks for a reset link in the portal's look and language (the page calls /api/v1/auth/forgot-password)."""
    return _render("portal_page", "forgot")


@bp.get("/portal/contracts/<contract_id>")
def portal_contract(contract_id):
    return _render("portal_page", "contract", contract_id=contract_id)


@bp.get("/portal/tasks")
def portal_tasks():
    return _render("portal_page", "tasks")


@bp.get("/portal/profile")
def portal_profile():
    """Self-service: the client's own details and their company's."""
    return _render("portal_page", "profile")
