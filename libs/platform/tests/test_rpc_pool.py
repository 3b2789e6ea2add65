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


@pytest.mark.parametrize("refusal", ["nacked", "connection lost"])
def test_a_service_call_the_broker_refuses_to_take_is_a_503_not_a_500(monkeypatch, refusal):
    """A service calling another (``Rpc``) while the request queue elects a new leader gets its publish nacked
    (seen in tests/drills/test_cluster_failover.py after a kill -9 of the leader): the caller answers 503, which
    its own caller retries with its key, as the gateway's pool does; it was an unhandled error, a 500."""
    from types import SimpleNamespace

    from amqp.exceptions import MessageNacked
    from kombu.exceptions import EncodeError, OperationalError

    from paraph_platform import rpc

    raised = {"nacked": MessageNacked(), "connection lost": OperationalError("Connection reset by peer")}[refusal]

    class RefusingProxy:
        def __init__(self, *args, **kwargs):
            pass

        def __getattr__(self, method):
            def call_async(*args, **kwargs):
                raise self.error
            return SimpleNamespace(call_async=call_async)

    RefusingProxy.error = raised
    monkeypatch.setattr(rpc, "ServiceProxy", RefusingProxy)
    monkeypatch.setattr(rpc, "SEND_AGAIN_AFTER", 0.01)
    worker_ctx = SimpleNamespace(data={})
    call = rpc._DeadlineMethod(worker_ctx, "perimeter", "inherit", reply_listener=None, timeout=5.0, options={})
    with pytest.raises(Unavailable, match="could not send the call to perimeter.inherit"):  # refused twice
        call("actor", "customer", "c1")
    assert worker_ctx.data == {}  # the deadline it set for the call is taken off again
    RefusingProxy.error = EncodeError("cannot serialise")  # a bug of ours stays a 500
    with pytest.raises(EncodeError):
        call("actor", "customer", "c1")


def test_a_service_call_the_broker_refused_once_is_sent_again_and_answered(monkeypatch):
    """The first publish nacked (the queue's leader just died), the second taken: the call is answered."""
    from types import SimpleNamespace

    from amqp.exceptions import MessageNacked

    from paraph_platform import rpc

    sent = []

    class NackOnceProxy:
        def __init__(self, *args, **kwargs):
            pass

        def __getattr__(self, method):
            def call_async(*args, **kwargs):
                sent.append(args)
                if len(sent) == 1:
                    raise MessageNacked()
                return SimpleNamespace(result=lambda: {"inherited": ["p1"]})
            return SimpleNamespace(call_async=call_async)

    monkeypatch.setattr(rpc, "ServiceProxy", NackOnceProxy)
    monkeypatch.setattr(rpc, "SEND_AGAIN_AFTER", 0.01)
    call = rpc._DeadlineMethod(SimpleNamespace(data={}), "perimeter", "inherit", reply_listener=None, timeout=5.0,
                               options={})
    assert call("actor", "customer", "c1") == {"inherited": ["p1"]}
    assert sent == [("actor", "customer", "c1")] * 2


def test_a_read_answered_late_is_sent_once_more_and_the_first_answer_to_come_is_used(container_factory,
                                                                                    rabbit_config):
    """A read whose request or reply went with a broker node (the failover drill's ``identity.access_state``)
    is sent again after ``resend_after``, on another client, instead of failing at its deadline (a 504). Here
    the first request is held up, as a lost one would be: the second answers within the same deadline."""
    import time

    import eventlet

    from paraph_platform.service import endpoint

    uri = rabbit_config["AMQP_URI"]
    name = f"pool_{uuid.uuid4().hex[:6]}"
    received = []

    def lookup(self, who):
        received.append(who)
        if len(received) == 1:
            eventlet.sleep(3)  # the first request's answer comes after the caller's deadline
        return {"who": who, "request": len(received)}

    service = type("PoolService", (PlatformService,), {"name": name, "lookup": endpoint(lookup)})
    container_factory(service, {"AMQP_URI": uri, "serializer": "json", "max_workers": 4}).start()
    pool = RpcClientPool({"AMQP_URI": uri}, size=2, timeout=2)
    try:
        started = time.monotonic()
        assert pool.call(name, "lookup", "u1", resend_after=0.5) == {"who": "u1", "request": 2}
        assert time.monotonic() - started < 1.5
        assert received == ["u1", "u1"]
        # the client that waited in vain is dropped (the late answer would land on its reply queue)
        assert len(pool._idle.queue) == 1
        # without resend_after the same hold-up is the deadline's 504
        received.clear()
        from paraph_platform.errors import DeadlineExceeded
        with pytest.raises(DeadlineExceeded):
            pool.call(name, "lookup", "u2")
    finally:
        pool.close()
