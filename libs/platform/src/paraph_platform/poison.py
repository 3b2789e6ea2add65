"""Poison messages are parked in a dead-letter queue, never dropped.

nameko's ``QueueConsumer`` relies on kombu's default ``on_decode_error``, which logs and *acks* a message
it cannot decode: malformed JSON, or a content type the container does not accept (pickle, text/plain, an
unknown type) would vanish. Worse, a message with no content type (or ``application/text``) is "trusted"
by kombu and handed over as raw bytes; on an RPC queue nameko then fails to build its reply and the error
kills the whole container. And an RPC request without ``reply_to`` has nobody to answer.

Installed once per process (imported by :mod:`.events` and :mod:`.service`), this module makes every
consumer of a nameko container (event handlers, the RPC queue, reply queues) park such a message in
``<queue>.dlq`` instead: the original body bytes, content type and headers, plus headers saying why
(``x-paraph-error``), from where (``x-paraph-queue``) and after how many deliveries (``x-paraph-attempts``).
A transient queue (exclusive, auto-delete or expiring: nameko's RPC reply queues) has no DLQ of its own
that would outlive it, so its poison goes to the shared :data:`TRANSIENT_DLQ`.
:class:`.events.ReliableEventHandler` parks its failed and invalid events through the same :func:`park`.

If parking fails (broker trouble), the message is requeued after a pause: given back, never lost.
"""
from __future__ import annotations

import functools
import logging

import eventlet
from kombu import Queue
from kombu.serialization import prepare_accept_content
from nameko.amqp.publish import Publisher as AmqpPublisher
from nameko.messaging import QueueConsumer
from nameko.rpc import RpcConsumer

from .queues import work_queue

log = logging.getLogger(__name__)

ATTEMPTS_HEADER = "x-paraph-attempts"
ERROR_HEADER = "x-paraph-error"
QUEUE_HEADER = "x-paraph-queue"
TRANSIENT_DLQ = "paraph.transient-queues.dlq"
REQUEUE_PAUSE = 1.0  # seconds before a message that could not be parked is given back (no hot loop)


def dlq_name(queue_name: str) -> str:
    return f"{queue_name}.dlq"


def dlq_for(queue: Queue) -> str:
    # nameko's reply queues are declared durable but expire (x-expires) once their container is gone
    transient = (not queue.durable or queue.auto_delete or queue.exclusive
                 or "x-expires" in (queue.queue_arguments or {}))
    return TRANSIENT_DLQ if transient else dlq_name(queue.name)


def attempts_of(message) -> int:
    try:
        return int((message.headers or {}).get(ATTEMPTS_HEADER, 0))
    except (TypeError, ValueError):
        return 0


def park(publisher: AmqpPublisher, queue: Queue, message, reason: str, attempts: int | None = None):
    """Publish ``message`` as it was received (body bytes, content type and encoding, headers, ids) to the
    DLQ of ``queue`` with why it was parked. Raises if the broker did not confirm it (the caller requeues)."""
    dlq = dlq_for(queue)
    headers = dict(message.headers or {})
    headers[ATTEMPTS_HEADER] = attempts_of(message) + 1 if attempts is None else attempts
    headers[ERROR_HEADER] = reason[:2000]
    headers[QUEUE_HEADER] = queue.name
    properties = message.properties or {}
    body = message.body
    if isinstance(body, str):  # py-amqp decoded it with its content encoding: back to the bytes received
        try:
            body = body.encode(message.content_encoding or "utf-8", "surrogateescape")
        except LookupError:
            body = body.encode("utf-8", "surrogateescape")
    if message.content_type:
        encoding = {"content_type": message.content_type,
                    "content_encoding": message.content_encoding or "binary"}
    else:  # kombu's own name for "no content type": raw bytes, stored untouched
        encoding = {"serializer": "raw"}
    ids = {key: properties[key] for key in ("correlation_id", "reply_to", "message_id") if properties.get(key)}
    # no expiration: a parked RPC request must not expire from the DLQ with its caller's deadline
    publisher.publish(bytes(body), exchange="", routing_key=dlq, headers=headers, mandatory=True,
                      declare=[work_queue(dlq)], **encoding, **ids)
    return dlq


def _publisher(queue_consumer) -> AmqpPublisher:
    publisher = getattr(queue_consumer, "_paraph_dlq_publisher", None)
    if publisher is None:
        publisher = AmqpPublisher(queue_consumer.amqp_uri, use_confirms=True, retry=True,
                                  retry_policy={"max_retries": 3})
        queue_consumer._paraph_dlq_publisher = publisher
    return publisher


def _park_or_requeue(queue_consumer, queue: Queue, message, reason: str):
    try:
        dlq = park(_publisher(queue_consumer), queue, message, reason)
    except Exception:  # noqa: BLE001 - could not hand it over: give it back to the broker, never lose it
        log.exception("could not park a poison message from %s; requeueing it in %.0fs", queue.name, REQUEUE_PAUSE)
        eventlet.sleep(REQUEUE_PAUSE)
        queue_consumer.requeue_message(message)
        return
    log.error("poison message on %s parked in %s: %s (content type %r, %d bytes)", queue.name, dlq, reason,
              message.content_type, len(message.body or b""))
    queue_consumer.ack_message(message)


def _on_decode_error(queue_consumer, queue: Queue, message, exc: Exception):
    """kombu calls this (in the consumer thread) for a body it cannot decode or a refused content type."""
    _park_or_requeue(queue_consumer, queue, message, f"undecodable message: {type(exc).__name__}: {exc}")


def unreadable_reason(queue_consumer, provider, message) -> str | None:
    """Why a message kombu did decode still cannot be handled (None when it can)."""
    accepted = getattr(queue_consumer, "_paraph_accepted_types", None)
    if accepted is None:
        accepted = queue_consumer._paraph_accepted_types = prepare_accept_content(queue_consumer.accept)
    if message.content_type not in accepted:
        return (f"undecodable message: content type {message.content_type or '(none)'!r} is not accepted "
                f"(accepted: {', '.join(sorted(accepted))})")
    if isinstance(provider, RpcConsumer) and not (message.properties or {}).get("reply_to"):
        return "RPC request without reply_to: there is no caller to answer"
    return None


_nameko_get_consumers = QueueConsumer.get_consumers
_nameko_handle_message = QueueConsumer.handle_message


def _get_consumers(self, consumer_cls, channel):
    consumers = _nameko_get_consumers(self, consumer_cls, channel)
    for provider, consumer in self._consumers.items():
        consumer.on_decode_error = functools.partial(_on_decode_error, self, provider.queue)
    return consumers


def _handle_message(self, provider, body, message):
    reason = unreadable_reason(self, provider, message)
    if reason:
        _park_or_requeue(self, provider.queue, message, reason)
        return None
    return _nameko_handle_message(self, provider, body, message)


_get_consumers.paraph_parks = _handle_message.paraph_parks = True


def install() -> None:
    if not getattr(QueueConsumer.get_consumers, "paraph_parks", False):
        QueueConsumer.get_consumers = _get_consumers
        QueueConsumer.handle_message = _handle_message


install()
