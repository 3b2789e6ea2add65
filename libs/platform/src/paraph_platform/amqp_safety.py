"""Acks and requeues that survive a broker connection lost mid-way.

nameko 2.14's ``QueueConsumer.ack_message``/``requeue_message`` ignore ``amqp.exceptions.ConnectionError``
only. When the broker goes away while a worker finishes, the socket write raises ``ConnectionResetError``
or ``BrokenPipeError`` (``OSError``), which escapes the worker thread and kills the whole container. Such
a message is unacked on a dead connection: the broker has already taken it back and redelivers it
(handlers are idempotent), so the failure is logged and ignored, and the consumer reconnects as usual.

The same holds for an RPC reply that cannot be published: nameko would let the error kill the container;
here the request is left unacked (the broker redelivers it: a write replays its Idempotency-Key result, a
call past its deadline is refused) and the caller, which has its own deadline, gets a timeout.
"""
from __future__ import annotations

import logging

from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError
from nameko.messaging import QueueConsumer
from nameko.rpc import RpcConsumer

log = logging.getLogger(__name__)

LOST = (AmqpConnectionError, OperationalError, OSError)


def _safe(action: str):
    def settle(self, message):
        if not message.channel.connection:
            return
        try:
            getattr(message, action)()
        except LOST as exc:
            log.warning("could not %s a message (broker connection lost: %s); the broker redelivers it",
                        action, exc)
    settle.__name__ = f"{action}_message"
    settle.paraph_safe = True
    return settle


_nameko_handle_result = RpcConsumer.handle_result


def _handle_result(self, message, result, exc_info):
    try:
        return _nameko_handle_result(self, message, result, exc_info)
    except LOST as exc:
        log.warning("could not send an RPC reply (broker connection lost: %s); the request is left for "
                    "redelivery", exc)
        return result, exc_info


_handle_result.paraph_safe = True


def install() -> None:
    if not getattr(QueueConsumer.ack_message, "paraph_safe", False):
        QueueConsumer.ack_message = _safe("ack")
        QueueConsumer.requeue_message = _safe("requeue")
    if not getattr(RpcConsumer.handle_result, "paraph_safe", False):
        RpcConsumer.handle_result = _handle_result


install()
