"""Helpers for nameko entrypoints: ``@endpoint`` and the per-call :class:`RequestContext`.

``@endpoint`` wraps ``@rpc`` so that every public method

* refuses work whose caller's deadline already passed (no late side effects),
* turns marshmallow ``ValidationError`` into :class:`InvalidInput` (a 422, not a 500),
* for ``write=True`` methods, honours the caller's Idempotency-Key: the method's
  writes and its result are committed in one transaction, so a redelivered or
  retried call returns the first result instead of running twice, and a crash
  before the commit leaves nothing behind (see :mod:`.idempotency` for what a
  second run must repeat: nested calls' keys, ids sent out).
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os

from marshmallow import ValidationError
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc

from . import amqp_safety  # noqa: F401 - acks survive a lost broker connection
from . import poison  # noqa: F401 - undecodable and unanswerable messages are parked, not dropped
from . import expected_errors
from .errors import EXPECTED, Conflict, PlatformError, from_marshmallow
from .idempotency import IDEMPOTENCY_KEY, call_scope_key  # noqa: F401 - IDEMPOTENCY_KEY re-exported
from .rpc import check_deadline

log = logging.getLogger(__name__)
expected_errors.install()  # a 4xx raised on purpose is one INFO line, not a WARNING traceback


class RequestContext(DependencyProvider):
    """Injects the call's context data (deadline, idempotency key, call id stack)."""

    def get_dependency(self, worker_ctx):
        return worker_ctx.data


def _fingerprint(name, args, kwargs) -> str:
    raw = json.dumps([name, args, kwargs], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _stored(db, key, name):
    with db.session() as s:
        return s.get(db.idempotency_model, (key, name))


def _replay(row, fingerprint):
    if row.fingerprint != fingerprint:
        raise Conflict("This Idempotency-Key was already used for a different request.",
                       {"idempotency": "key reused with another payload"})
    if row.result is not None:
        return row.result.get("value")
    raise Conflict("A request with this Idempotency-Key was already processed; its result is not available.")


_CHECK_RESULTS = os.environ.get("PARAPH_CHECK_RESULTS", "")


def _check_result(service, method: str, result) -> None:
    """Test suites: append to the PARAPH_CHECK_RESULTS file every result that breaks its declared schema."""
    from .contract import result_violations
    problems = result_violations(type(service).__module__, method, result)
    if problems:
        with open(_CHECK_RESULTS, "a") as f:
            f.write(json.dumps({"service": type(service).__module__, "method": method, "problems": problems}) + "\n")


def _run(service, fn, name, args, kwargs):
    try:
        result = fn(service, *args, **kwargs)
    except ValidationError as exc:
        raise from_marshmallow(exc) from None
    if _CHECK_RESULTS:
        _check_result(service, name, result)
    return result


def _is_refusal(exc: Exception) -> bool:
    """A 4xx the method raised on purpose: what it did before stays (a failed attempt counted, a code
    sent), as the client will not retry it as is. A 5xx or a bug rolls everything back for the retry."""
    return isinstance(exc, PlatformError) and exc.status < 500


def _run_once(service, fn, name, key, args, kwargs):
    """Run a write call once per Idempotency-Key: its writes and its result are committed in one
    transaction, so a crash before the commit leaves nothing (a redelivery runs it again) and a
    redelivery after it gets the stored result."""
    db = getattr(service, "db", None)
    if db is None or getattr(db, "idempotency_model", None) is None:
        return _run(service, fn, name, args, kwargs)
    fingerprint = _fingerprint(name, args, kwargs)
    row = _stored(db, key, name)
    if row is not None:
        return _replay(row, fingerprint)
    try:
        with db.one_transaction(keep_on_error=_is_refusal):
            result = _run(service, fn, name, args, kwargs)
            with db.session() as s:
                s.add(db.idempotency_model(key=key, method=name, fingerprint=fingerprint, result={"value": result}))
        return result
    except Exception:
        # a concurrent delivery of the same call committed first (our writes or our key row collided
        # with its own, whatever error the method made of that): answer what it answered
        try:
            row = _stored(db, key, name)
        except Exception:  # noqa: BLE001 - the database itself failed: report the call's own error
            row = None
        if row is not None:
            return _replay(row, fingerprint)
        raise


def endpoint(fn=None, *, write: bool = False):
    def decorate(fn):
        name = fn.__name__

        @functools.wraps(fn)
        def wrapper(self, *args, **kwargs):
            context = getattr(self, "ctx", None)
            check_deadline(context)
            key = (context or {}).get(IDEMPOTENCY_KEY) if write else None
            if not key:
                return _run(self, fn, name, args, kwargs)
            # the method, its nested calls and stable_id() work under a key bound to this very call
            context[IDEMPOTENCY_KEY] = call_scope_key(key, getattr(self, "name", type(self).__name__), name)
            try:
                return _run_once(self, fn, name, key, args, kwargs)
            finally:
                context[IDEMPOTENCY_KEY] = key

        return rpc(expected_exceptions=EXPECTED)(wrapper)

    if fn is not None:
        return decorate(fn)
    return decorate
