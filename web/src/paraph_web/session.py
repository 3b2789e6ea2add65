"""The session cookie: the user's API tokens live on the server side of the browser, encrypted.

The whole session (tokens, who is signed in, the CSRF token) is a JSON document encrypted and
authenticated with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from ``WEB_SESSION_KEY``;
the browser holds an opaque, HttpOnly, SameSite=Lax cookie it can neither read nor change. The
cookie is Secure when the request came over HTTPS or ``PUBLIC_URL`` is https.
"""
from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

COOKIE_NAME = "paraph_session"
# a session cookie older than this is refused even if the refresh token would still work
MAX_AGE_SECONDS = 14 * 24 * 3600


class EncryptedSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None):
        def on_update(self):
            self.modified = True
        super().__init__(initial, on_update)
        self.modified = False


def fernet_for(secret: str) -> Fernet:
    """A Fernet key derived from any secret string (a random value generated once per deployment)."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"paraph-web-session:" + secret.encode()).digest()))


class EncryptedCookieSessionInterface(SessionInterface):
    def open_session(self, app, request):
        raw = request.cookies.get(COOKIE_NAME)
        if not raw:
            return EncryptedSession()
        try:
            data = json.loads(fernet_for(app.config["WEB_SESSION_KEY"]).decrypt(raw.encode(), ttl=MAX_AGE_SECONDS))
        except (InvalidToken, ValueError):
            return EncryptedSession()  # tampered, expired or from another key: signed out
        return EncryptedSession(data if isinstance(data, dict) else None)

    def secure(self, app, request) -> bool:
        return request.is_secure or app.config["PUBLIC_URL"].startswith("https://")

    def save_session(self, app, session, response):
        from flask import request
        if not session:
            if session.modified:
                response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="Lax",
                                       secure=self.secure(app, request))
            return
        if not session.modified:
            return
        token = fernet_for(app.config["WEB_SESSION_KEY"]).encrypt(json.dumps(dict(session)).encode()).decode()
        response.set_cookie(COOKIE_NAME, token, max_age=MAX_AGE_SECONDS, path="/", httponly=True,
                            samesite="Lax", secure=self.secure(app, request))
        response.vary.add("Cookie")
