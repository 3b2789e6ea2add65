"""Errors that cross service boundaries.

Each class is registered with nameko's ``deserialize_to_instance`` so that a
caller (another service or the gateway) gets the same class back, with its
message and structured ``details``.  The gateway maps ``status`` to HTTP and
renders an ``application/problem+json`` body.
"""
from __future__ import annotations

import json

from nameko.exceptions import deserialize_to_instance


class PlatformError(Exception):
    status = 500
    code = "internal_error"
    title = "Internal error"

    def __init__(self, message: str = "", details: dict | str | None = None):
        if isinstance(details, str):  # rebuilt from a remote error: details travel as JSON text
            try:
                details = json.loads(details)
            except ValueError:
                details = {"info": details}
        self.message = message or self.title
        self.details = details or {}
        # nameko stringifies every non-string argument (True -> "True"); JSON keeps the types
        super().__init__(self.message, json.dumps(self.details, default=str))

    def __str__(self) -> str:  # nameko puts str(exc) in the remote error "value"
        return self.message

    def to_problem(self) -> dict:
        body = {"type": f"https://paraph.dev/problems/{self.code}", "title": self.title,
                "status": self.status, "detail": self.message, "code": self.code}
        for key, value in self.details.items():
            body["errors" if key == "fields" else key] = value
        return body


def article(word: str) -> str:
    """The article that starts a message naming a status or a kind: "An accepted quote", "A sent quote"."""
    return "An" if word[:1].lower() in "aeiou" else "A"


def _register(cls):
    return deserialize_to_instance(cls)


@_register
class InvalidInput(PlatformError):
    """The request is well-formed but its content is invalid (field errors in details['fields'])."""
    status = 422
    code = "invalid_input"
    title = "Invalid input"


@_register
class PayloadRefused(InvalidInput):
    """An RPC payload its declared schema refused (the same 422 to a client). Nothing was done, so a write
    call's Idempotency-Key does not keep this answer: the client corrects the body and retries under the same
    key (:mod:`.service`). A class of its own, not a flag, so that it stays what it is through a nested call
    (portal passes a client's changes on to contracts, which validates them)."""


@_register
class BadRequest(PlatformError):
    status = 400
    code = "bad_request"
    title = "Bad request"


@_register
class Unauthorized(PlatformError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


@_register
class Forbidden(PlatformError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


@_register
class NotFound(PlatformError):
    status = 404
    code = "not_found"
    title = "Not found"


@_register
class Conflict(PlatformError):
    status = 409
    code = "conflict"
    title = "Conflict"


@_register
class Gone(PlatformError):
    status = 410
    code = "gone"
    title = "Gone"


@_register
class PreconditionFailed(PlatformError):
    status = 412
    code = "precondition_failed"
    title = "Precondition failed"


@_register
class PayloadTooLarge(PlatformError):
    status = 413
    code = "payload_too_large"
    title = "Payload too large"


@_register
class UnsupportedMediaType(PlatformError):
    status = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"


@_register
class TooManyRequests(PlatformError):
    status = 429
    code = "too_many_requests"
    title = "Too many requests"


@_register
class DeadlineExceeded(PlatformError):
    status = 504
    code = "deadline_exceeded"
    title = "Deadline exceeded"


@_register
class Unavailable(PlatformError):
    status = 503
    code = "unavailable"
    title = "Service unavailable"


EXPECTED = (PlatformError,)


def from_marshmallow(err) -> PayloadRefused:
    """Turn a marshmallow ValidationError into PayloadRefused (an InvalidInput) with per-field messages."""
    messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
    return PayloadRefused("The request contains invalid fields.", {"fields": messages})
