"""Acks and requeues that survive a broker connection lost mid-way.

nameko 2.14's ``QueueConsumer.ack_message``/``requeue_message`` ignore ``amqp.exceptions.ConnectionError``
only. When the broker goes away while a worker finishes, the socket write raises ``ConnectionResetError``
or ``BrokenPipeError`` (``OSError``), which escapes the worker thread and kills the whole container. Such
a message is unacked on a dead connection: the broker has already taken it back and redelivers it
(handlers are idempotent), so the failure is logged and ignored, and the consumer reconnects as usual.

The same holds for an RPC reply that cannot be published: nameko would let the error kill the container.
Here, when the request's own channel is still open (the reply's node or exchange failed, a nack, a
channel error), the request is acknowledged: left unacked on a live consumer it would never be
redelivered and, ten of them later (the prefetch), the service would stop consuming. The caller, which
has its own deadline, times out and retries (a write replays its Idempotency-Key result, a read runs
again). When the request's channel is gone too, the broker has already taken the request back and
redelivers it.

Replies go through :class:`ReplyPublisher`, the one place that decides whether they are confirmed:
``RPC_REPLY_CONFIRMS=0`` publishes them without publisher confirms (a reply lost by the broker only means
the caller times out and retries, as above). Measured (``./paraph bench rpc_overhead --reply-confirms-ab``,
README "Scaling out"): unconfirmed replies cost the service 0.91-1.01x the CPU per call and calls
0.88-1.36x the latency, no gain beyond the noise, so confirms stay on by default. Requests, events
(outbox relay) and parked messages always keep theirs.

A service that reconnects fails the calls it was waiting on at once (:class:`ReplyLost`) rather than at their
deadline: their replies were headed for a reply queue that may have gone with its node. The caller
(:class:`paraph_platform.rpc.Rpc`) sends each of them once more, on the reply queue declared again.

nameko's connection-error log masks the password of the first URL of ``AMQP_URI`` only: here every
URL's is masked.
"""
from __future__ import annotations

import functools
import logging

from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError
from nameko.amqp.publish import Publisher
from nameko.constants import DEFAULT_TRANSPORT_OPTIONS
from nameko.messaging import QueueConsumer
import nameko.rpc
from nameko.rpc import Responder, RpcConsumer

from .config import env, mask_amqp_uri
from .errors import Unavailable
from .idempotency import REPLAYED

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


class ReplyPublisher(Publisher):
    """nameko's reply publisher, confirmed unless ``RPC_REPLY_CONFIRMS=0``; ``replayed``: the reply body says
    the answer is the one stored under the call's Idempotency-Key (:data:`.idempotency.REPLAYED`)."""

    def __init__(self, amqp_uri, replayed: bool = False, **kwargs):
        kwargs.setdefault("use_confirms", reply_confirms())
        super().__init__(amqp_uri, **kwargs)
        self.replayed = replayed

    def publish(self, payload, **kwargs):
        # a dict of its own: nameko writes ``confirm_publish`` into the transport options it is given, and
        # its class-level default is shared by every publisher of the process (confirmed ones included)
        kwargs.setdefault("transport_options", dict(DEFAULT_TRANSPORT_OPTIONS))
        if self.replayed:
            payload = {**payload, REPLAYED: True}
        return super().publish(payload, **kwargs)


class ReplyResponder(Responder):
    """nameko's responder, replying through :class:`ReplyPublisher`, which marks a replayed answer (the
    request's message marked by :class:`paraph_platform.service._ReplyingRpc`)."""

    def __init__(self, amqp_uri, exchange, serializer, message, **kwargs):
        super().__init__(amqp_uri, exchange, serializer, message, **kwargs)
        if getattr(message, "paraph_replayed", False):
            self.publisher_cls = functools.partial(ReplyPublisher, replayed=True)


@functools.cache  # read at the process's first reply, not at each (nameko builds a publisher per reply)
def reply_confirms() -> bool:
    return (env("RPC_REPLY_CONFIRMS", "1") or "1").strip().lower() not in ("0", "false", "no", "off")


def _channel_open(message) -> bool:
    channel = getattr(message, "channel", None)
    return bool(channel is not None and channel.connection and getattr(channel, "is_open", True))


class ReplyLost(Unavailable):
    """The connection a call's reply was awaited on was lost: the reply may be lost with its queue. Raised
    to the waiting caller only (:mod:`.rpc` sends the call once more, or turns it into a plain
    :class:`Unavailable`): it is not registered to cross to another service."""


_nameko_handle_result = RpcConsumer.handle_result


def _handle_result(self, message, result, exc_info):
    try:
        return _nameko_handle_result(self, message, result, exc_info)
    except Exception as exc:  # noqa: BLE001 - whatever the broker said, the container must live on
        if _channel_open(message):
            log.warning("could not send an RPC reply (%s: %s); the request is acknowledged (its caller times "
                        "out and retries)", type(exc).__name__, exc)
            self.queue_consumer.ack_message(message)
        else:
            log.warning("could not send an RPC reply (broker connection lost: %s); the request is left for "
                        "redelivery", exc)
        return result, exc_info


_handle_result.paraph_safe = True


_nameko_on_consume_ready = QueueConsumer.on_consume_ready


def _on_consume_ready(self, connection, channel, consumers, **kwargs):
    """After a *re*connection, the calls this container was waiting on end at once (the caller sends them
    again) instead of at their deadline: their replies were headed for a reply queue that, non-durable, may
    have gone with its node. The queues are declared again by now, so a call sent again is answered."""
    if self._consumers_ready.ready():
        from nameko.rpc import ReplyListener

        for provider in list(self._providers):
            if isinstance(provider, ReplyListener):
                pending, provider._reply_events = provider._reply_events, {}
                for event in pending.values():
                    event.send_exception(ReplyLost("the broker connection was lost while waiting for a reply"))
    return _nameko_on_consume_ready(self, connection, channel, consumers, **kwargs)


def _on_connection_error(self, exc, interval):
    log.warning("Error connecting to broker at %s (%s). Retrying in %s seconds.",
                mask_amqp_uri(self.amqp_uri), exc, interval)


def install() -> None:
    if not getattr(QueueConsumer.ack_message, "paraph_safe", False):
        QueueConsumer.ack_message = _safe("ack")
        QueueConsumer.requeue_message = _safe("requeue")
        QueueConsumer.on_connection_error = _on_connection_error
        QueueConsumer.on_consume_ready = _on_consume_ready
    if not getattr(RpcConsumer.handle_result, "paraph_safe", False):
        RpcConsumer.handle_result = _handle_result
        Responder.publisher_cls = ReplyPublisher
        nameko.rpc.Responder = ReplyResponder  # the name nameko's RpcConsumer.handle_result builds its responder by


install()
