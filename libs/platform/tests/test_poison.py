"""paraph_platform.poison: what a nameko container cannot decode or answer is parked, never dropped.

The drill tests/drills/test_undecodable_messages.py covers the real notify service's event and RPC queues;
this covers the rest of the module: the transient reply queue of a service that calls others, and a parked
message giving way to normal traffic on the same RPC queue.
"""
from __future__ import annotations

import pickle
import time

import pytest
from kombu import Connection, Producer

from paraph_platform.poison import ERROR_HEADER, QUEUE_HEADER, TRANSIENT_DLQ, dlq_name
from paraph_platform.rpc import Rpc
from paraph_platform.service import endpoint

pytestmark = pytest.mark.integration


class PoisonProbe:
    name = "poisonprobe"
    other = Rpc("nobody")  # gives the container a reply queue (exclusive, auto-delete)

    @endpoint
    def ping(self):
        return "pong"


def _depth(conn, name) -> int:
    """Messages in ``name``; -1 while it does not exist (the DLQ is declared when something is parked)."""
    from amqp.exceptions import NotFound
    with conn.channel() as channel:  # a failed passive declare closes its channel
        try:
            return channel.queue_declare(name, passive=True).message_count
        except NotFound:
            return -1


def _wait_depth(conn, name, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while _depth(conn, name) != count:
        assert time.monotonic() < deadline, f"{name} holds {_depth(conn, name)} messages, expected {count}"
        time.sleep(0.05)


def test_reply_queue_poison_goes_to_the_shared_transient_dlq_and_rpc_keeps_working(container_factory,
                                                                                   rabbit_config):
    from nameko.standalone.rpc import ClusterRpcProxy
    amqp = rabbit_config["AMQP_URI"]
    container = container_factory(PoisonProbe, {"AMQP_URI": amqp, "serializer": "json", "RPC_TIMEOUT": 5})
    container.start()
    [proxy] = [d for d in container.dependencies if isinstance(d, Rpc)]
    reply_queue = proxy.rpc_reply_listener.queue.name
    body = pickle.dumps({"result": "never unpickled"})
    with Connection(amqp) as conn:
        producer = Producer(conn.default_channel)
        producer.publish(body, exchange="", routing_key=reply_queue, content_type="application/x-python-serialize",
                         content_encoding="binary")
        producer.publish(b"{not json", exchange="", routing_key="rpc-poisonprobe", content_type="application/json",
                         content_encoding="utf-8", reply_to=reply_queue, correlation_id="c1")
        _wait_depth(conn, TRANSIENT_DLQ, 1)
        _wait_depth(conn, dlq_name("rpc-poisonprobe"), 1)
        parked = conn.default_channel.basic_get(TRANSIENT_DLQ, no_ack=True)
        assert parked.body == body and parked.content_type == "application/x-python-serialize"
        assert parked.headers[QUEUE_HEADER] == reply_queue and "ContentDisallowed" in parked.headers[ERROR_HEADER]
        parked = conn.default_channel.basic_get(dlq_name("rpc-poisonprobe"), no_ack=True)
        # py-amqp hands a body with a text content encoding over decoded
        assert parked.body == "{not json" and parked.content_encoding == "utf-8"
        assert "DecodeError" in parked.headers[ERROR_HEADER] and parked.properties["correlation_id"] == "c1"
    with ClusterRpcProxy({"AMQP_URI": amqp, "serializer": "json"}, timeout=5) as rpc:
        assert rpc.poisonprobe.ping() == "pong"
