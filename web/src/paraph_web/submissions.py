"""A form posted twice does its writes once.

A double click, a POST the browser sends again after a slow answer, or the Back button and the same form
submitted again would otherwise make a second quote, customer or invitation. Each form shown carries a new
one-time token (the hidden field ``SUBMISSION_FIELD``, rendered by ``ui.csrf()`` with the CSRF token), and
each write the web app sends while handling that form goes to the gateway with an ``Idempotency-Key`` made
of the token, the write's place among the submission's writes, and what it sends (method, path, body). The
same submission posted again makes the same writes under the same keys, and the services answer them with
the first answer instead of doing them again (:mod:`paraph_platform.service`); a form changed before it is
posted again sends other bodies, hence other keys, and is done.

A request without the token (a link, the sign-out form) sends no key: the gateway then uses its request id.
"""
from __future__ import annotations

import hashlib
import json
import secrets

from flask import g, has_request_context, request

SUBMISSION_FIELD = "submission"


def submission_token() -> str:
    """A new token each time a form is rendered."""
    return secrets.token_urlsafe(16)


def idempotency_key(method: str, path: str, sent: dict) -> str | None:
    """The Idempotency-Key of this write, ``sent`` being the keyword arguments of the HTTP call (``json``,
    ``data``, ``files``); None outside a submitted form, for reads, and for a file that cannot be read again."""
    if method == "GET" or not has_request_context() or request.method != "POST":
        return None
    token = request.form.get(SUBMISSION_FIELD)
    if not token:
        return None
    body = _fingerprint(sent)
    if body is None:
        return None
    g.submission_writes = place = g.get("submission_writes", 0) + 1
    return hashlib.sha256(f"web-form\n{token}\n{place}\n{method} {path}\n{body}".encode()).hexdigest()


def _fingerprint(sent: dict) -> str | None:
    digest = hashlib.sha256(json.dumps({key: sent.get(key) for key in ("json", "data", "params")},
                                       sort_keys=True, default=str).encode())
    for name, (filename, stream, content_type) in sorted((sent.get("files") or {}).items()):
        if not getattr(stream, "seekable", lambda: False)():
            return None
        digest.update(f"\n{name}\n{filename}\n{content_type}\n".encode())
        for chunk in iter(lambda: stream.read(1 << 16), b""):  # the file itself: another one is another upload
            digest.update(chunk)
        stream.seek(0)
    return digest.hexdigest()
