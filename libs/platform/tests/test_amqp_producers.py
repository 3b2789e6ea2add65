"""nameko's publishers find their producer pool through a Connection built once, and still deliver."""
from __future__ import annotations

import time
import uuid

import pytest
from kombu import Connection, Queue
from nameko.amqp.publish import Publisher

from paraph_platform import amqp_producers

pytestmark = pytest.mark.integration


def test_publishing_builds_the_pool_key_once_and_delivers_every_message(rabbit_config, monkeypatch):
    amqp_uri = rabbit_config["AMQP_URI"]
    built = []
    real = amqp_producers.Connection
    monkeypatch.setattr(amqp_producers, "Connection", lambda *a, **k: built.append(k) or real(*a, **k))
    monkeypatch.setattr(amqp_producers, "_pool_keys", {})
    queue_name = f"test-producers-{uuid.uuid4().hex[:8]}"
    with Connection(amqp_uri) as conn:
        queue = Queue(queue_name, auto_delete=True, channel=conn.channel())
        queue.declare()
        try:
            for n in range(3):  # as nameko's Responder does: a new publisher for each message
                Publisher(amqp_uri).publish({"n": n}, routing_key=queue_name)
            Publisher(amqp_uri, use_confirms=False).publish({"n": 3}, routing_key=queue_name)
            got = []
            for _ in range(100):  # confirmed ones are queued already; the last one may still be on its way
                message = queue.get(no_ack=True)
                if message is not None:
                    got.append(message.payload["n"])
                elif len(got) == 4:
                    break
                else:
                    time.sleep(0.01)
            assert got == [0, 1, 2, 3]
        finally:
            queue.delete()
    # one key for the confirmed publishers, one for the unconfirmed: two pools, as nameko had
    assert [k["transport_options"]["confirm_publish"] for k in built] == [True, False]


def test_a_key_keeps_its_own_copy_of_the_options():
    shared = {"max_retries": 3, "confirm_publish": True}  # as nameko's class-level default, written per publish
    key = amqp_producers.pool_key("amqp://guest:guest@127.0.0.1:5672//", True, None, None, shared)
    shared["confirm_publish"] = False  # another publisher, unconfirmed, uses the same dict
    assert key.transport_options["confirm_publish"] is True
    assert amqp_producers.pool_key("amqp://guest:guest@127.0.0.1:5672//", True, None, None, shared) is key
    assert amqp_producers.pool_key("amqp://guest:guest@127.0.0.1:5672//", False, None, None, shared) is not key
