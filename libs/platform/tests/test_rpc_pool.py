"""The gateway's RpcClientPool against broker-side failures (real broker): a 503, and the client is dropped."""
from __future__ import annotations

import uuid

import pytest
from kombu import Connection

from paraph_platform.errors import Unavailable
from paraph_platform.readiness import PlatformService
from paraph_platform.rpc import RpcClientPool

pytestmark = pytest.mark.integration


def test_a_channel_error_is_a_503_and_the_client_is_never_reused(container_factory, rabbit_config):
    uri = rabbit_config["AMQP_URI"]
    name = f"pool_{uuid.uuid4().hex[:6]}"
    service = type("PoolService", (PlatformService,), {"name": name})
    container_factory(service, {"AMQP_URI": uri, "serializer": "json"}).start()
    pool = RpcClientPool({"AMQP_URI": uri}, size=2, timeout=5)
    try:
        assert pool.call(name, "ping") == {"service": name, "status": "ok"}
        client = pool._idle.queue[-1]
        # the broker refuses the next request (404 NOT_FOUND: its exchange is gone), as a node that lost a
        # queue or an exchange does: that used to be a 500, and the broken client went back to the pool
        with Connection(uri) as conn:
            conn.channel().exchange_delete("nameko-rpc")
        with pytest.raises(Unavailable, match="NotFound|NOT_FOUND"):
            pool.call(name, "ping")
        assert client not in pool._idle.queue
    finally:
        pool.close()


def test_an_error_the_service_answers_keeps_the_client(container_factory, rabbit_config):
    """A 4xx is an answer: the client that carried it goes back to the pool (dropping it cut a healthy
    connection and left its reply queue on the broker until it expired)."""
    from paraph_platform.errors import NotFound
    from paraph_platform.service import endpoint

    uri = rabbit_config["AMQP_URI"]
    name = f"pool_{uuid.uuid4().hex[:6]}"

    def missing(self):
        raise NotFound("No such thing.")

    service = type("PoolService", (PlatformService,), {"name": name, "missing": endpoint(missing)})
    container_factory(service, {"AMQP_URI": uri, "serializer": "json"}).start()
    pool = RpcClientPool({"AMQP_URI": uri}, size=2, timeout=5)
    try:
        assert pool.call(name, "ping")["status"] == "ok"
        client = pool._idle.queue[-1]
        with pytest.raises(NotFound):
            pool.call(name, "missing")
        assert list(pool._idle.queue) == [client]
    finally:
        pool.close()
