"""Everything that goes wrong becomes an ``application/problem+json`` answer (RFC 9457)."""
from __future__ import annotations

import logging
import uuid

from flask import Flask, current_app, g, jsonify, request
from marshmallow import ValidationError
from nameko.exceptions import RemoteError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from paraph_platform.errors import InvalidInput, PlatformError

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, code: str, **extra):
    body = {"type": f"https://paraph.dev/problems/{code}", "title": title, "status": status,
            "detail": detail, "code": code, "instance": request.path}
    rid = getattr(g, "request_id", None)
    if rid:
        body["request_id"] = rid
    body.update({k: v for k, v in extra.items() if v is not None})
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = PROBLEM
    return resp


def log_answer(status: int, code: str, detail: str):
    """One line per error answer, no traceback: a 4xx is the client's doing (INFO), a 503/504 is an
    outage or a slow dependency worth a WARNING; unexpected errors are logged with their traceback below."""
    log.log(logging.INFO if status < 500 else logging.WARNING, "%s %s answered %s %s: %s",
            request.method, request.path, status, code, detail)


def _platform(exc: PlatformError):
    log_answer(exc.status, exc.code, exc.message)
    body = exc.to_problem()
    extra = {k: v for k, v in body.items() if k not in ("type", "title", "status", "detail", "code")}
    resp = problem(exc.status, exc.title, exc.message, exc.code, **extra)
    if exc.status == 401:  # how to authenticate (RFC 9110): a bearer token, an access token or an API key
        resp.headers["WWW-Authenticate"] = 'Bearer realm="paraph"'
    elif exc.status in (503, 504):  # an outage or a slow dependency: a retry (same Idempotency-Key) is safe
        resp.headers["Retry-After"] = "5"
    elif exc.status == 429 and exc.details.get("retry_after"):
        resp.headers["Retry-After"] = str(int(exc.details["retry_after"]))
    return resp


def register(app: Flask):
    @app.errorhandler(PlatformError)
    def _on_platform(exc):
        return _platform(exc)

    @app.errorhandler(ValidationError)
    def _on_validation(exc):
        return _platform(InvalidInput("The request contains invalid fields.",
                                      {"fields": exc.messages if isinstance(exc.messages, dict)
                                       else {"_schema": exc.messages}}))

    @app.errorhandler(RequestEntityTooLarge)
    def _on_too_large(exc):
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        return problem(413, "Payload too large", f"The request body exceeds {limit} bytes.", "payload_too_large")

    @app.errorhandler(HTTPException)
    def _on_http(exc):
        code = (exc.name or "error").lower().replace(" ", "_")
        log_answer(exc.code or 500, code, exc.description or exc.name)
        resp = problem(exc.code or 500, exc.name, exc.description or exc.name, code)
        if exc.code == 405 and exc.valid_methods:
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
        return resp

    @app.errorhandler(RemoteError)
    def _on_remote(exc):
        ref = str(uuid.uuid4())
        log.error("unexpected remote error %s (ref %s): %s", exc.exc_type, ref, exc.value)
        return problem(500, "Internal error", "An unexpected error occurred in a service.", "internal_error",
                       reference=ref)

    @app.errorhandler(Exception)
    def _on_any(exc):
        ref = str(uuid.uuid4())
        log.exception("unhandled gateway error (ref %s)", ref)
        return problem(500, "Internal error", "An unexpected error occurred.", "internal_error", reference=ref)
