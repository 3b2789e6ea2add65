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



def test_an_rpc_reply_that_cannot_be_published_does_not_kill_the_container(caplog):
    """The reply's broker is gone: logged, the request is not acked (redelivered), no exception."""
    from types import SimpleNamespace

    from nameko.rpc import RpcConsumer

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    acked = []
    consumer = SimpleNamespace(
        container=SimpleNamespace(config={"AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:{port}//"}),
        queue_consumer=SimpleNamespace(ack_message=acked.append))
    message = SimpleNamespace(properties={"reply_to": "rpc.reply-x", "correlation_id": "c1",
                                          "content_type": "application/json"}, headers={})
    result, exc_info = RpcConsumer.handle_result(consumer, message, {"ok": True}, None)
    assert result == {"ok": True} and exc_info is None
    assert acked == [] and "could not send an RPC reply" in caplog.text
