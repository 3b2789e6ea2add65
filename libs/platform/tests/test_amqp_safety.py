"""A worker that finishes after its broker connection died must not take the container down with it."""
from __future__ import annotations

import socket
import uuid

import pytest
from kombu import Connection, Queue
from nameko.messaging import QueueConsumer

import paraph_platform.amqp_safety  # noqa: F401 - installs the safe ack/requeue

pytestmark = pytest.mark.integration


def _message_on_a_dead_socket(amqp_uri):
    """A real unacked message whose connection's socket was cut under it (as when RabbitMQ stops)."""
    conn = Connection(amqp_uri)
    channel = conn.channel()
    queue = Queue(f"test-safety-{uuid.uuid4().hex[:8]}", auto_delete=True, channel=channel)
    queue.declare()
    with conn.Producer(channel) as producer:
        producer.publish({"x": 1}, routing_key=queue.name, serializer="json")
    message = None
    for _ in range(50):
        message = queue.get(no_ack=False)
        if message:
            break
    assert message is not None
    conn.connection.transport.sock.shutdown(socket.SHUT_RDWR)
    return conn, message


@pytest.mark.parametrize("method", ["ack_message", "requeue_message"])
def test_settling_a_message_on_a_lost_connection_is_logged_not_raised(rabbit_config, method, caplog):
    conn, message = _message_on_a_dead_socket(rabbit_config["AMQP_URI"])
    try:
        with pytest.raises(OSError):  # what nameko 2.14's own ack_message would let escape
            message.channel.basic_ack(message.delivery_tag)
        getattr(QueueConsumer, method)(None, message)  # the patched one: no exception
        assert "broker connection lost" in caplog.text
    finally:
        try:
            conn.release()
        except Exception:  # noqa: BLE001 - the socket is already gone
            pass
