"""What a redelivered write call must repeat exactly: its nested calls' keys and the ids it sends out.

A write call carries an Idempotency-Key (``idempotency_key`` in the nameko context data). The
``@endpoint(write=True)`` wrapper looks the key up and stores the call's result (or its deliberate 4xx
refusal) under (key, method) in the same transaction as its writes, so a redelivery after the commit
replays the answer, and a crash before it leaves nothing.
A redelivery before the commit runs the method again, and that second run must ask the same of other
services as the first one did, otherwise they answer 409 ("key already used for a different request"):

* each nested call gets its own key, derived from the caller's scope key and the call
  (service, method, position among the calls to that method): :func:`nested_call_key`, applied by
  :class:`paraph_platform.rpc.Rpc` to every call, so service code does nothing;
* an id that leaves the call before its commit (in a nested call's payload, an external request) is a
  function of the key: ``stable_id(self.ctx, "customer")`` instead of ``uuid4()``. Ids that stay inside
  the call's transaction may stay random: a crash rolls them back with everything else.
"""
from __future__ import annotations

import hashlib
import uuid

IDEMPOTENCY_KEY = "idempotency_key"
# the reply body's member (next to nameko's ``result`` and ``error``) saying the answer is the one stored under
# the key, replayed: the gateway answers it with ``Idempotent-Replayed: true`` (Stripe's header)
REPLAYED = "paraph_replayed"

# uuid5 namespace of the ids derived from idempotency keys (any fixed value; never change it)
_ID_NAMESPACE = uuid.UUID("6f0c2d0e-55a1-4d1e-9a53-7d1f4a1c2b9e")
_NESTED_CALLS = "paraph_nested_calls"  # worker context attribute: calls made so far, per (service, method)


def derive_key(key: str, *parts) -> str:
    """A key for something done on behalf of ``key``: the same parts give the same key, other parts an
    unrelated one (64 hex characters, within the 128 a key may have)."""
    raw = "\n".join([key, *(str(p) for p in parts)])
    return hashlib.sha256(raw.encode()).hexdigest()


def call_scope_key(key: str, service: str, method: str) -> str:
    """The key a write call works under (what :func:`stable_id` and nested calls derive from): the
    caller's key bound to this service and method, as the result is stored under (key, method)."""
    return derive_key(key, "scope", service, method)


def stable_id(context: dict | None, purpose: str) -> str:
    """The id of the object this call creates for ``purpose``: the same on every delivery of the call
    (uuid5 of its key and ``purpose``), random for a call without key. ``purpose`` names the object
    uniquely within the call (``"customer"``, ``f"contact:{i}"``)."""
    key = (context or {}).get(IDEMPOTENCY_KEY)
    if not key:
        return str(uuid.uuid4())
    return str(uuid.uuid5(_ID_NAMESPACE, derive_key(key, "id", purpose)))


def nested_call_key(worker_ctx, service: str, method: str) -> str | None:
    """The key of the next call this worker makes to ``service.method``, None when the worker has none.
    Calls are numbered per (service, method), so a method called in a loop gets one key per call, and a
    redelivery, making the same calls in the same order, gets the same keys."""
    key = (worker_ctx.data or {}).get(IDEMPOTENCY_KEY)
    if not key:
        return None
    made = worker_ctx.__dict__.setdefault(_NESTED_CALLS, {})
    position = made[(service, method)] = made.get((service, method), 0) + 1
    return derive_key(key, "call", service, method, position)
