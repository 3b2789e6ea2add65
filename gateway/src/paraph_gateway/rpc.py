"""One RpcClientPool per gateway worker process (created after fork, on first use)."""
from __future__ import annotations

import os
import threading

from flask import current_app

from paraph_platform.rpc import RpcClientPool

_pools: dict = {}
_lock = threading.Lock()


def worker_key() -> tuple:
    """This gateway worker process and app (a forked worker must not share its parent's connections)."""
    return os.getpid(), id(current_app._get_current_object())


def per_worker(registry: dict, build):
    """``build(app)``, made once per gateway worker process and app (after fork, on first use)."""
    key = worker_key()
    made = registry.get(key)
    if made is None:
        with _lock:
            made = registry.get(key)
            if made is None:
                made = registry[key] = build(current_app._get_current_object())
    return made


# these reads answer in milliseconds: 1.5 s without an answer means lost far more often than slow, and
# leaves most of the 10 s deadline for the second send
IDENTITY_LOOKUP_RESEND_AFTER = 1.5


def identity_lookup(method: str, *args):
    """A read the gateway makes of identity to authenticate a request (its keys, a member's access state, an
    API key's account): every authenticated request makes one unless cached, so one lost with a broker node
    would otherwise fail the request at its deadline (a 504 after 10 s); not answered within
    ``IDENTITY_LOOKUP_RESEND_AFTER`` seconds, it is sent once more (running it twice changes nothing)."""
    return pool().call("identity", method, *args, resend_after=IDENTITY_LOOKUP_RESEND_AFTER)


def pool() -> RpcClientPool:
    return per_worker(_pools, lambda app: RpcClientPool(
        {"AMQP_URI": app.config["AMQP_URI"], "serializer": "json"},
        size=int(app.config["RPC_POOL_SIZE"]), timeout=float(app.config["RPC_TIMEOUT"])))


def close_pools():
    with _lock:
        for p in _pools.values():
            p.close()
        _pools.clear()
