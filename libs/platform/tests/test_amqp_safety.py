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


def test_a_reply_that_cannot_be_published_acks_the_request_when_its_channel_is_open(rabbit_config, caplog):
    """The reply's publish fails (here: its broker address is dead) while the request's own channel is fine:
    the request is acked (left unacked it would never come back, and ten of them stop the consumer)."""
    from types import SimpleNamespace

    from nameko.rpc import RpcConsumer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Connection(rabbit_config["AMQP_URI"]) as conn:
        channel = conn.channel()
        queue = Queue(f"test-reply-ack-{uuid.uuid4().hex[:8]}", auto_delete=True, channel=channel)
        queue.declare()
        with conn.Producer(channel) as producer:
            producer.publish({"args": [], "kwargs": {}}, routing_key=queue.name, serializer="json",
                             reply_to="rpc.reply-x", correlation_id="c2")
        message = next(m for m in (queue.get(no_ack=False) for _ in range(50)) if m)
        acked = []
        consumer = SimpleNamespace(
            container=SimpleNamespace(config={"AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:{port}//"}),
            queue_consumer=SimpleNamespace(ack_message=acked.append))
        result, exc_info = RpcConsumer.handle_result(consumer, message, {"ok": True}, None)
        assert result == {"ok": True} and exc_info is None
        assert acked == [message] and "the request is acknowledged" in caplog.text


def test_connection_errors_are_logged_with_every_password_masked(caplog):
    from types import SimpleNamespace
    uri = "pyamqp://guest:s3cret@127.0.0.1:1//;pyamqp://admin:t0p@127.0.0.1:2//"
    QueueConsumer.on_connection_error(SimpleNamespace(amqp_uri=uri), OSError("refused"), 0)
    assert "s3cret" not in caplog.text and "t0p" not in caplog.text
    assert "guest:***@127.0.0.1:1" in caplog.text and "admin:***@127.0.0.1:2" in caplog.text
