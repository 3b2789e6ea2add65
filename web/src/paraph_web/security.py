"""Per-request defences: the CSRF token of the session checked on every unsafe request, and the
response headers (strict CSP with a per-response nonce, no framing, no sniffing, no referrer leak)."""
from __future__ import annotations

import hmac
import secrets

from flask import abort, g, request, session

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"  # htmx and fetch() requests send it as a header (see static/app.js)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def csrf_token() -> str:
    """The session's CSRF token (created on first use); forms put it in a hidden field."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf():
    """before_request: an unsafe request must carry the session's token (form field or header)."""
    if request.method in SAFE_METHODS:
        return None
    expected = session.get("csrf")
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not expected or not hmac.compare_digest(str(expected), sent):
        abort(400, description="csrf")
    return None


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def showing_an_email():
    """The page shows an email as its recipient sees it (macros.email_preview): a sandboxed frame, which keeps
    this page's policy, where the email's style attributes must apply."""
    g.email_preview = True


def secure_headers(response):
    """after_request: the headers every page gets."""
    nonce = csp_nonce()
    # framing stays off except for the contract page's PDF preview: that page may frame this app
    # (g.frame_src_self) and the inline PDF it frames may be framed by this app only (g.framable_by_self)
    frame_src = "; frame-src 'self'" if g.get("frame_src_self") else ""
    ancestors = "'self'" if g.get("framable_by_self") else "'none'"
    # an email template's preview is the email in a sandboxed frame (no script, no origin), which keeps this
    # policy: its style attributes are how emails are styled, so that page lets style attributes apply
    style_attributes = "; style-src-attr 'unsafe-inline'" if g.get("email_preview") else ""
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'{style_attributes}; "
        f"img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'{frame_src}; "
        f"frame-ancestors {ancestors}")
    response.headers["X-Frame-Options"] = "SAMEORIGIN" if g.get("framable_by_self") else "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # the emailed token links never leak in a Referer
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response
