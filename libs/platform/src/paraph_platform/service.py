"""Helpers for nameko entrypoints: ``@endpoint`` and the per-call :class:`RequestContext`.

``@endpoint`` wraps ``@rpc`` so that every public method

* refuses work whose caller's deadline already passed (no late side effects),
* turns marshmallow ``ValidationError`` into :class:`InvalidInput` (a 422, not a 500),
* for ``write=True`` methods, honours the caller's Idempotency-Key: the key is
  committed in the same transaction as the method's first writes and the
  result is stored, so a redelivered or retried call returns the first result
  instead of running twice.
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
from sqlalchemy.exc import IntegrityError

from . import amqp_safety  # noqa: F401 - acks survive a lost broker connection
from .errors import EXPECTED, Conflict, from_marshmallow
from .rpc import check_deadline

log = logging.getLogger(__name__)

IDEMPOTENCY_KEY = "idempotency_key"


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


def endpoint(fn=None, *, write: bool = False):
    def decorate(fn):
        name = fn.__name__

        @functools.wraps(fn)
        def wrapper(self, *args, **kwargs):
            context = getattr(self, "ctx", None)
            check_deadline(context)
            db = getattr(self, "db", None)
            key = (context or {}).get(IDEMPOTENCY_KEY) if write else None
            use_key = bool(key) and db is not None and getattr(db, "idempotency_model", None) is not None
            fingerprint = None
            if use_key:
                fingerprint = _fingerprint(name, args, kwargs)
                row = _stored(db, key, name)
                if row is not None:
                    return _replay(row, fingerprint)
                db.pending_idempotency = (key, name, fingerprint)
            try:
                result = fn(self, *args, **kwargs)
            except ValidationError as exc:
                raise from_marshmallow(exc) from None
            except IntegrityError:
                if use_key and db.pending_idempotency is None:
                    # a concurrent delivery of the same call committed first
                    row = _stored(db, key, name)
                    if row is not None:
                        return _replay(row, fingerprint)
                raise
            if _CHECK_RESULTS:
                _check_result(self, name, result)
            if use_key:
                db.pending_idempotency = None
                with db.session() as s:
                    row = s.get(db.idempotency_model, (key, name))
                    if row is None:
                        s.add(db.idempotency_model(key=key, method=name, fingerprint=fingerprint,
                                                   result={"value": result}))
                    else:
                        row.result = {"value": result}
            return result

        return rpc(expected_exceptions=EXPECTED)(wrapper)

    if fn is not None:
        return decorate(fn)
    return decorate
