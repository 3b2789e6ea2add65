"""Reliable event subscription: validated envelope, retry with backoff, dead-letter queue.

nameko's ``@event_handler`` acks and drops an event whose handler raised.
``@subscribe`` instead republishes it to a delay queue (``<queue>.retry.<n>``,
a TTL queue that dead-letters back into the handler's queue) and, after
``max_attempts``, parks it in ``<queue>.dlq`` with the last error.  An
envelope that does not validate is parked at once (poison), and so is a message that cannot even be
decoded (:mod:`.poison`, which parks for every consumer of the container, RPC queues included).

Handlers must still be idempotent on the event id (see :mod:`.inbox`):
delivery is at least once.
"""
from __future__ import annotations

import logging
import traceback

from marshmallow import ValidationError
from nameko.amqp.publish import Publisher as AmqpPublisher
from nameko.amqp.publish import get_connection
from nameko.events import EventHandler

from . import amqp_safety  # noqa: F401 - acks survive a lost broker connection
from .config import env_int
from .envelope import validate_envelope
from .poison import ATTEMPTS_HEADER, ERROR_HEADER, attempts_of, dlq_name, park  # noqa: F401 - re-exported
from .queues import work_queue

log = logging.getLogger(__name__)

DEFAULT_BACKOFF = (1, 4, 15, 60)


def retry_queue_name(queue_name: str, attempt: int) -> str:
    return f"{queue_name}.retry.{attempt}"


class ReliableEventHandler(EventHandler):

    def __init__(self, source_service, event_type, max_attempts: int | None = None,
                 backoff: tuple | None = None, **kwargs):
        kwargs.setdefault("requeue_on_error", False)
        super().__init__(source_service, event_type, **kwargs)
        self.max_attempts = max_attempts
        self.backoff = tuple(backoff) if backoff else None

    def setup(self):
        super().setup()  # builds self.queue and registers with the QueueConsumer
        if self.max_attempts is None:
            self.max_attempts = env_int("EVENT_MAX_ATTEMPTS", 5)
        if self.backoff is None:
            self.backoff = DEFAULT_BACKOFF
        amqp_uri = self.container.config["AMQP_URI"]
        self._retry_queues = []
        for attempt in range(1, self.max_attempts):
            delay = self.backoff[min(attempt - 1, len(self.backoff) - 1)]
            self._retry_queues.append(work_queue(
                retry_queue_name(self.queue.name, attempt),
                arguments={"x-message-ttl": int(delay * 1000),
                           "x-dead-letter-exchange": "",
                           "x-dead-letter-routing-key": self.queue.name}))
        self._dlq = work_queue(dlq_name(self.queue.name))
        # Declare the handler's own queue now too (not only when consuming starts), so a
        # publisher running right after this container starts never finds it missing.
        with get_connection(amqp_uri) as conn:
            channel = conn.channel()
            for q in [self.queue, *self._retry_queues, self._dlq]:
                q.maybe_bind(channel)
                q.declare()
        self._publisher = AmqpPublisher(amqp_uri, use_confirms=True, serializer="json",
                                        retry=True, retry_policy={"max_retries": 3})

    def handle_message(self, body, message):
        try:
            validate_envelope(body)
        except ValidationError as exc:
            log.error("poison event on %s parked in DLQ: %s", self.queue.name, exc.messages)
            try:
                self._park(message, f"invalid envelope: {exc.messages}", self._attempts(message) + 1)
            except Exception:  # could not hand it over: give it back to the broker, never lose it
                log.exception("could not park a poison event from %s; requeueing", self.queue.name)
                self.queue_consumer.requeue_message(message)
                return
            self.queue_consumer.ack_message(message)
            return
        super().handle_message(body, message)

    @staticmethod
    def _attempts(message) -> int:
        return attempts_of(message)

    def _park(self, message, error: str, attempts: int):
        park(self._publisher, self.queue, message, error, attempts)

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return
        attempts = self._attempts(message) + 1
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        try:
            if attempts >= self.max_attempts:
                log.error("event on %s failed %d times, parked in DLQ: %s", self.queue.name, attempts, error)
                self._park(message, error, attempts)
            else:
                headers = dict(message.headers or {})
                headers[ATTEMPTS_HEADER] = attempts
                headers[ERROR_HEADER] = error[:2000]
                log.warning("event on %s failed (attempt %d/%d), retrying: %s",
                            self.queue.name, attempts, self.max_attempts, error)
                self._publisher.publish(message.payload, exchange="",
                                        routing_key=retry_queue_name(self.queue.name, attempts),
                                        headers=headers, mandatory=True)
        except Exception:  # could not hand it over: give it back to the broker, never lose it
            log.exception("could not schedule a retry for %s; requeueing", self.queue.name)
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)


subscribe = ReliableEventHandler.decorator


def subscribe_to(handler: str, source_service: str, event_type: str, *handler_args, **kwargs):
    """A ``@subscribe`` entrypoint that hands the event to ``self.<handler>(event, *handler_args)``, for a
    service where several subscriptions share one handler: each is then one line,
    ``on_x = subscribe_to("_handle", "portal", "quote.viewed.v1")``; ``kwargs`` go to ``@subscribe``.

    The class attribute's name is the entrypoint's method name, and with it the queue's
    (``evt-<source>-<type>--<service>.<attribute>``), as with a ``def`` of that name.
    """
    @subscribe(source_service, event_type, **kwargs)
    def entrypoint(self, event):
        return getattr(self, handler)(event, *handler_args)
    return entrypoint
