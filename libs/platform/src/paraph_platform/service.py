"""Helpers for nameko entrypoints: ``@endpoint`` and the per-call :class:`RequestContext`.

``@endpoint`` wraps ``@rpc`` so that every public method

* refuses work whose caller's deadline already passed (no late side effects),
* turns marshmallow ``ValidationError`` into :class:`InvalidInput` (a 422, not a 500),
* answers with the fields of its declared result schema only (``contract.RPC``; :mod:`.declared_results`),
* for ``write=True`` methods, honours the caller's Idempotency-Key: the look-up of
  a stored result, the method's writes and its result (or its deliberate 4xx
  refusal) are one database transaction, so a redelivered or retried call gets
  the first answer instead of running twice, and a crash before the commit
  leaves nothing behind (see :mod:`.idempotency` for what a second run must
  repeat: nested calls' keys, ids sent out); a payload its schema refuses is
  not stored (nothing was done: the client corrects it and retries under the
  same key, as integrators expect of a 422),
* runs a call once more when its database connection turned out to be dropped
  (a PostgreSQL restart, an idle connection cut): a read wherever it failed, a
  write call under a key when its first statement (the look-up of a stored
  result) failed, before anything ran. Connections are not pinged before each
  use (:func:`.db.make_engine`), so this is what hides the first use of a dead
  one from the caller; a database that still cannot be reached is a 503
  (:class:`.errors.Unavailable`: retry later), not a 500.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os

from marshmallow import ValidationError
from nameko.exceptions import deserialize, get_module_path, serialize
from nameko.exceptions import registry as exception_registry
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from sqlalchemy.exc import DBAPIError, OperationalError

from . import amqp_producers  # noqa: F401 - a message's producer pool found without a Connection per message
from . import amqp_safety  # noqa: F401 - acks survive a lost broker connection
from . import poison  # noqa: F401 - undecodable and unanswerable messages are parked, not dropped
from . import expected_errors
from .health import first_line
from .declared_results import result_shaper
from .errors import (EXPECTED, Conflict, PayloadRefused, PlatformError, TooManyRequests, Unavailable,
                     from_marshmallow)
from .idempotency import IDEMPOTENCY_KEY, REPLAYED, call_scope_key  # noqa: F401 - IDEMPOTENCY_KEY re-exported
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
    with db.session(reads_only=True) as s:  # the method's first block then needs no savepoint
        return s.get(db.idempotency_model, (key, name))


def _store(db, key, name, fingerprint, outcome: dict):
    # the last statement of the call's transaction: if it fails (a concurrent delivery stored its answer
    # first), the transaction is rolled back as a whole, so it needs no savepoint of its own (its SAVEPOINT and
    # RELEASE were half of this function's time, 15 % of a write in perimeter: bench/README.md)
    with db.session(savepoint=False) as s:
        s.add(db.idempotency_model(key=key, method=name, fingerprint=fingerprint, result=outcome))


def _replay(service, row, fingerprint):
    """The stored answer of the call: its result, or its refusal raised again (either marked replayed in
    the call's context: :class:`_ReplyingRpc` says so in the reply)."""
    if row.fingerprint != fingerprint:
        raise Conflict("This Idempotency-Key was already used for a different request.",
                       {"idempotency": "key reused with another payload"})
    if row.result is None:
        raise Conflict("A request with this Idempotency-Key was already processed; its result is not available.")
    context = getattr(service, "ctx", None)
    if isinstance(context, dict):
        context[REPLAYED] = True
    if _REFUSAL in row.result:
        raise deserialize(row.result[_REFUSAL])
    return row.result.get("value")


_CHECK_RESULTS = os.environ.get("PARAPH_CHECK_RESULTS", "")


def _check_result(service, method: str, result) -> None:
    """Test suites: append to the PARAPH_CHECK_RESULTS file every result that breaks its declared schema."""
    from .contract import result_violations
    problems = result_violations(type(service).__module__, method, result)
    if problems:
        with open(_CHECK_RESULTS, "a") as f:
            f.write(json.dumps({"service": type(service).__module__, "method": method, "problems": problems}) + "\n")


def _declared_fields_only(service, method: str, result):
    """The answer cut to the fields its declared result schema documents (:mod:`.declared_results`): a
    view's undeclared field never reaches a caller. After the test-time check, which reports such fields."""
    shape = result_shaper(type(service).__module__, method)
    return result if shape is None else shape(result)


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
    sent), as the client will not retry it as is. A 5xx or a bug rolls everything back for the retry, and
    so does a refused payload (nothing that was done is kept without its stored answer)."""
    return isinstance(exc, PlatformError) and exc.status < 500 and not _payload_refused(exc)


def _payload_refused(exc: Exception) -> bool:
    """The call's payload broke its schema: a marshmallow ValidationError turned into a 422 by _run, here or
    in a service this one called."""
    return isinstance(exc, PayloadRefused)


_REFUSAL = "refusal"  # key of a stored refusal in an idempotency row's result ({"value": ...} for a result)


def _stores_refusal(exc: Exception) -> bool:
    """A refusal is the call's answer, stored with the work it kept so that a redelivery gets it again
    instead of running once more (counting an attempt twice, sending a second code). Not a 429: it asks
    for the same call to be made again later, and a replayed 429 would refuse that retry until the key
    expires. Not a refused payload: the client's corrected retry under the same key must run, not get a
    409 for a key "used with another payload" (the gateway passes bodies to the services unvalidated).
    Only classes a caller can rebuild (registered in :mod:`.errors`) are replayable."""
    return (_is_refusal(exc) and not isinstance(exc, TooManyRequests)
            and get_module_path(type(exc)) in exception_registry)


def _run_once(service, fn, name, key, args, kwargs, *, reconnect: bool = True):
    """Run a write call once per Idempotency-Key in one database transaction: the look-up of a stored
    answer (its first statement), the method's writes and its result or refusal. A crash before the
    commit leaves nothing (a redelivery runs it again); a redelivery after it gets the stored answer.

    A connection found dropped by the look-up (the method has not run: nothing happened yet) is
    replaced and the call run once more. Not later: the method's nested calls are numbered per worker
    (:func:`.idempotency.nested_call_key`), so a second run in the same worker would send them under
    other keys; the caller's retry (a redelivery, the client's) runs it again safely."""
    db = getattr(service, "db", None)
    if db is None or getattr(db, "idempotency_model", None) is None:
        return _run(service, fn, name, args, kwargs)
    fingerprint = _fingerprint(name, args, kwargs)
    looked_up, refusal, unstored_refusal = False, None, None
    try:
        with db.one_transaction(keep_on_error=_is_refusal):
            row = _stored(db, key, name)
            looked_up = True
            if row is None:
                try:
                    result = _run(service, fn, name, args, kwargs)
                except Exception as exc:
                    if _stores_refusal(exc):
                        try:
                            _store(db, key, name, fingerprint, {_REFUSAL: serialize(exc)})
                            refusal = exc
                        except Exception as store_error:
                            # not stored: what the call did is rolled back too (a concurrent delivery may have
                            # stored its own answer with its own work: keeping ours would do it twice); the
                            # answer is that delivery's, else the refusal (a retry runs the call again)
                            log.warning("%s: could not store the refusal %r under its key", name, exc, exc_info=True)
                            unstored_refusal = exc
                            raise store_error from exc
                    raise
                _store(db, key, name, fingerprint, {"value": result})
                return result
    except Exception as exc:
        if exc is refusal:  # committed with the work before it: the answer, now and on a redelivery
            raise
        if not looked_up and reconnect and _connection_dropped(exc):
            _log_reconnect(name, exc)
            return _run_once(service, fn, name, key, args, kwargs, reconnect=False)
        # a concurrent delivery of the same call committed first (our writes or our key row collided
        # with its own, whatever error the method made of that): answer what it answered
        try:
            row = _stored(db, key, name)
        except Exception:  # noqa: BLE001 - the database itself failed: report the call's own error
            row = None
        if row is None:
            if unstored_refusal is not None:
                raise unstored_refusal from None
            raise
    return _replay(service, row, fingerprint)


def _connection_dropped(exc: Exception) -> bool:
    """The database connection was found dead (SQLAlchemy then invalidates it and the pool's older ones,
    so the next checkout connects anew)."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _database_unreachable(exc: Exception) -> bool:
    """A connection found dropped, or none could be opened (an error of the driver's connect(), which
    SQLAlchemy reports without a statement)."""
    return _connection_dropped(exc) or (isinstance(exc, OperationalError) and exc.statement is None)


def _log_reconnect(name: str, exc: DBAPIError):
    log.warning("%s: the database connection was dropped (%s); running the call again", name, first_line(exc.orig))


def _read_retrying_once_on_dropped_connection(service, fn, name, args, kwargs):
    """A read runs again when a dropped connection failed it before anything was committed (running it
    twice changes nothing; an endpoint without ``write=True`` that commits — a login counting an attempt —
    is not run again once it tried to commit)."""
    try:
        return _run(service, fn, name, args, kwargs)
    except DBAPIError as exc:
        if not _connection_dropped(exc) or getattr(getattr(service, "db", None), "commit_attempted", False):
            raise
        _log_reconnect(name, exc)
    return _run(service, fn, name, args, kwargs)


class _ReplyingRpc(Rpc):
    """nameko's RPC entrypoint, whose reply says when its answer is a stored one replayed (:data:`REPLAYED`,
    put in the reply body by :class:`.amqp_safety.ReplyPublisher`; the gateway's Idempotent-Replayed)."""

    def handle_result(self, message, worker_ctx, result, exc_info):
        if worker_ctx.data.pop(REPLAYED, False):
            message.paraph_replayed = True  # read by amqp_safety's responder (a kombu message takes attributes)
        return super().handle_result(message, worker_ctx, result, exc_info)


def endpoint(fn=None, *, write: bool = False):
    def decorate(fn):
        name = fn.__name__

        def call(self, context, args, kwargs):
            if not write:
                return _read_retrying_once_on_dropped_connection(self, fn, name, args, kwargs)
            key = (context or {}).get(IDEMPOTENCY_KEY)
            if not key:  # commits block by block: after a dropped connection, part of it may be done
                return _run(self, fn, name, args, kwargs)
            # the method, its nested calls and stable_id() work under a key bound to this very call
            context[IDEMPOTENCY_KEY] = call_scope_key(key, getattr(self, "name", type(self).__name__), name)
            try:
                return _run_once(self, fn, name, key, args, kwargs)
            finally:
                context[IDEMPOTENCY_KEY] = key

        @functools.wraps(fn)
        def wrapper(self, *args, **kwargs):
            context = getattr(self, "ctx", None)
            check_deadline(context)
            try:  # shaped here, a stored answer replayed under its Idempotency-Key included
                return _declared_fields_only(self, name, call(self, context, args, kwargs))
            except DBAPIError as exc:
                if not _database_unreachable(exc):
                    raise
                # a restart or an outage, not a bug: the caller may retry (its key makes that safe)
                raise Unavailable("The service's database cannot be reached; try again shortly.") from exc

        return _ReplyingRpc.decorator(expected_exceptions=EXPECTED)(wrapper)

    if fn is not None:
        return decorate(fn)
    return decorate
