"""One RpcClientPool per gateway worker process (created after fork, on first use)."""
from __future__ import annotations

import os
import threading

from flask import current_app

from paraph_platform.rpc import RpcClientPool

_pools: dict = {}
_lock = threading.Lock()


def pool() -> RpcClientPool:
    app = current_app._get_current_object()
    key = (os.getpid(), id(app))
    p = _pools.get(key)
    if p is None:
        with _lock:
            p = _pools.get(key)
            if p is None:
                p = RpcClientPool({"AMQP_URI": app.config["AMQP_URI"], "serializer": "json"},
                                  size=int(app.config["RPC_POOL_SIZE"]), timeout=float(app.config["RPC_TIMEOUT"]))
                _pools[key] = p
    return p


def close_pools():
    with _lock:
        for p in _pools.values():
            p.close()
        _pools.clear()
