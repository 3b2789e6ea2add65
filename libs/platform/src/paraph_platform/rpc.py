"""RPC with deadlines.

* :class:`Rpc` — service-to-service dependency: every call has a deadline
  (``RPC_TIMEOUT`` or the caller's remaining deadline, whichever is sooner)
  and the request message carries the same TTL, so a call nobody waits for
  any more is dropped by the broker instead of running late.
* :class:`RpcClientPool` — for the gateway: a pool of standalone cluster
  proxies (one reply queue each), safe to share between threads of a gunicorn
  worker; same deadline and TTL rules.

The absolute deadline travels in the nameko context data (``deadline``, epoch
seconds), so nested calls inherit what is left of it and :func:`check_deadline`
lets a service refuse work whose caller already gave up.
"""
from __future__ import annotations

import copy
import logging
import queue
import socket
import threading
import time

import eventlet
from amqp.exceptions import AMQPError, MessageNacked
from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import DecodeError, EncodeError, KombuError
from nameko.amqp.publish import UndeliverableMessage
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from nameko.rpc import RpcProxy, ServiceProxy
from nameko.standalone.rpc import PollingQueueConsumer, SingleThreadedReplyListener, StandaloneProxyBase

from . import amqp_producers  # noqa: F401 - a message's producer pool found without a Connection per message
from . import queues  # noqa: F401 - reply queues non-durable, work queues of AMQP_QUEUE_TYPE
from .amqp_safety import ReplyLost
from .errors import DeadlineExceeded, PlatformError, Unavailable
from .idempotency import _NESTED_CALLS as NESTED_CALLS, IDEMPOTENCY_KEY, REPLAYED, nested_call_key

log = logging.getLogger(__name__)

DEADLINE_KEY = "deadline"
MIN_TIMEOUT = 0.05
CONSUMERS_CHECK_WITHIN = 0.8  # asked after a deadline (503 or 504?): answered in milliseconds by a broker at work
SEND_AGAIN_AFTER = 0.3  # a call the broker did not take: a quorum queue's new leader takes 0.2-0.4 s here
# what a lost, unreachable or refusing broker raises, depending on where the call was (connecting,
# declaring the reply queue on a node that lost it: NotFound, publishing with kombu's retries exhausted or
# nacked, a channel closed by the broker, waiting for the reply on a dead socket): every one of them is a
# 503 to the caller, and the client that saw it is never reused (its connection or channel is broken)
BROKER_ERRORS = (OSError, AMQPError, KombuError, MessageNacked, UndeliverableMessage)


def remaining(context_data: dict | None, default: float) -> float:
    deadline = (context_data or {}).get(DEADLINE_KEY)
    if deadline is None:
        return default
    try:
        return min(default, float(deadline) - time.time())
    except (TypeError, ValueError):
        return default


def check_deadline(context_data: dict | None):
    deadline = (context_data or {}).get(DEADLINE_KEY)
    if deadline is not None:
        try:
            late = time.time() - float(deadline)
        except (TypeError, ValueError):
            return
        if late > 0:
            raise DeadlineExceeded(f"the caller's deadline passed {late:.2f}s ago; not processed")


class _DeadlineMethod:
    def __init__(self, worker_ctx, service_name, method_name, reply_listener, timeout, options):
        self.worker_ctx = worker_ctx
        self.service_name = service_name
        self.method_name = method_name
        self.reply_listener = reply_listener
        self.timeout = timeout
        self.options = options

    def __call__(self, *args, **kwargs):
        budget = remaining(self.worker_ctx.data, self.timeout)
        if budget < MIN_TIMEOUT:
            raise DeadlineExceeded(f"no time left to call {self.service_name}.{self.method_name}")
        deadline = time.time() + budget
        # the callee gets a key of its own, derived from ours and this call, never ours (see .idempotency);
        # the same one if the call is sent again, so that the callee does its writes once
        nested_key = nested_call_key(self.worker_ctx, self.service_name, self.method_name)
        for attempt in (1, 2):
            reply = self._send_under(nested_key, deadline, args, kwargs)
            try:
                with eventlet.Timeout(max(MIN_TIMEOUT, deadline - time.time())):  # what sending left of it
                    return reply.result()
            except eventlet.Timeout:
                raise DeadlineExceeded(
                    f"{self.service_name}.{self.method_name} did not answer within {budget:.2f}s") from None
            except ReplyLost as lost:
                # this service's connection dropped while it waited (amqp_safety): the reply may have gone
                # with the reply queue, now declared again; the request was taken, so it is sent again at once
                if attempt == 2 or deadline - time.time() < MIN_TIMEOUT:
                    raise Unavailable(f"{self.service_name}.{self.method_name}: {lost}") from None
                log.warning("the broker connection was lost while %s.%s was awaited; sending it again",
                            self.service_name, self.method_name)

    def _send_under(self, nested_key, deadline, args, kwargs):
        """Send the call with the deadline and the nested key in its headers, then take them off the worker's
        context again (its other calls get their own)."""
        data = self.worker_ctx.data
        inherited = DEADLINE_KEY in data  # the deadline travels with the call so the callee can give up too
        own_key = data.get(IDEMPOTENCY_KEY)
        if not inherited:
            data[DEADLINE_KEY] = deadline
        if nested_key:
            data[IDEMPOTENCY_KEY] = nested_key
        proxy = ServiceProxy(self.worker_ctx, self.service_name, self.reply_listener,
                             expiration=max(MIN_TIMEOUT, deadline - time.time()), **self.options)
        try:
            return self._send(proxy, args, kwargs)
        finally:
            if not inherited:
                data.pop(DEADLINE_KEY, None)
            if nested_key:
                data[IDEMPOTENCY_KEY] = own_key

    def _send(self, proxy, args, kwargs):
        """Publish the call; sent once more, after a pause, if the broker did not take it (a publish nacked
        while the request queue elects a new leader or its node shuts down, a connection lost while
        publishing: kombu retries a lost connection only). Sending it again is safe: the callee's writes
        are idempotent on the key this call carries, and a reply to the first attempt is ignored. Refused
        twice: a 503 the caller retries with its own key, as the gateway's pool answers, never a 500."""
        for attempt in (1, 2):
            try:
                return getattr(proxy, self.method_name).call_async(*args, **kwargs)
            except UnknownService as exc:
                raise Unavailable(f"service {self.service_name} is not running") from exc
            except (EncodeError, DecodeError):
                raise  # arguments that cannot be serialised are a bug (a 500), not the broker's fault
            except BROKER_ERRORS as exc:
                if attempt == 2 or remaining(self.worker_ctx.data, self.timeout) < SEND_AGAIN_AFTER + MIN_TIMEOUT:
                    raise Unavailable(f"could not send the call to {self.service_name}.{self.method_name}: "
                                      f"{type(exc).__name__}: {exc}") from exc
                log.warning("the broker did not take a call to %s.%s (%s: %s); sending it again in %.1fs",
                            self.service_name, self.method_name, type(exc).__name__, exc, SEND_AGAIN_AFTER)
                eventlet.sleep(SEND_AGAIN_AFTER)


class _DeadlineServiceProxy:
    def __init__(self, worker_ctx, service_name, reply_listener, timeout, options):
        self._args = (worker_ctx, service_name, reply_listener, timeout, options)

    def __getattr__(self, name):
        worker_ctx, service_name, reply_listener, timeout, options = self._args
        return _DeadlineMethod(worker_ctx, service_name, name, reply_listener, timeout, options)

    def under_key(self, key: str) -> "_DeadlineServiceProxy":
        """This proxy, its calls made under ``key`` instead of a key derived from the worker's: for a
        worker doing many independent pieces of work at once (green threads), each with a key of its own
        that a later retry derives again (a bulk job's rows). Each call gets ``key``'s first nested key."""
        worker_ctx, *rest = self._args
        keyed = copy.copy(worker_ctx)
        keyed.data = {**worker_ctx.data, IDEMPOTENCY_KEY: key}
        keyed.__dict__.pop(NESTED_CALLS, None)  # numbered afresh: the same key, the same calls' keys
        return _DeadlineServiceProxy(keyed, *rest)


class Rpc(RpcProxy):
    """``other = Rpc("perimeter")`` then ``self.other.method(...)`` with a deadline."""

    def __init__(self, target_service, timeout: float | None = None, **options):
        super().__init__(target_service, **options)
        self.timeout = timeout

    def setup(self):
        super().setup()
        if self.timeout is None:
            self.timeout = float(self.container.config.get("RPC_TIMEOUT", 10.0))

    def get_dependency(self, worker_ctx):
        return _DeadlineServiceProxy(worker_ctx, self.target_service, self.rpc_reply_listener,
                                     self.timeout, self.options)


class _ReplyQueueLost(Exception):
    """The client's connection dropped while it waited for a reply; its reply queue is declared again."""

    def __init__(self, connection_error: Exception):
        super().__init__(str(connection_error))
        self.connection_error = connection_error


class _ReplyConsumer(PollingQueueConsumer):
    """nameko's standalone reply consumer, except that after a connection lost while waiting it does not
    just wait on: its reply queue is non-durable, so a reply published before the queue was declared again
    (on another node, after a node's stop) was dropped, and the call waited for it until its deadline (a
    504 ten seconds after the fault, in the failover drill). It reconnects, declares the queue again and
    tells the caller (:class:`_ReplyQueueLost`), which sends the call again."""

    def get_message(self, correlation_id):
        try:
            while correlation_id not in self.replies:
                self.consumer.connection.drain_events(timeout=self.timeout)
        except socket.timeout:
            # the client is dropped after a timeout (a late reply may still come): no new consumer here
            self.provider._reply_events.pop(correlation_id).send_exception(RpcTimeout(self.timeout))
            return
        except (IOError, AmqpConnectionError) as exc:
            # the old connection is dropped without a goodbye, its consumer with it (cancelling that would wait
            # for an answer a node shutting down may never send), and a new one made: if it cannot be, that
            # raises (the caller's 503)
            self.consumer = None
            self.connection.collect()
            self._setup_consumer()
            self.provider._reply_events.pop(correlation_id).send_exception(_ReplyQueueLost(exc))
            return
        body, message = self.replies.pop(correlation_id)
        self.provider.handle_message(body, message)


class _ReplyListener(SingleThreadedReplyListener):
    def __init__(self, timeout=None):
        super().__init__(timeout=timeout)
        self.queue_consumer = _ReplyConsumer(timeout=timeout)


class _Client(StandaloneProxyBase):
    """One standalone proxy: a connection and an exclusive reply queue."""

    def __init__(self, config, timeout):
        super().__init__(config, timeout=timeout, reply_listener_cls=_ReplyListener)
        self.timeout = timeout
        self.started = False

    def start(self):
        self._reply_listener.setup()
        self.started = True
        return self

    @property
    def connected(self) -> bool:
        """False once the reply consumer's connection is known to be closed (nameko then refuses to wait on
        it with a RuntimeError): such a client is dropped instead of being used."""
        return self._reply_listener.queue_consumer.connection.connected is not False

    def call(self, service, method, args, kwargs, context, timeout, wait: float | None = None,
             marks: dict | None = None):
        """The call's answer, waited for until the deadline (``timeout`` is also the request's TTL), or for
        ``wait`` seconds at most when given.

        A call whose reply queue was lost while it waited is sent once more on the queue declared again: its
        reply may have been dropped. That is safe as a redelivery is: a write carries its idempotency key, and
        the service answers the second delivery with the first one's result."""
        started = time.monotonic()
        for attempt in (1, 2):
            try:
                return self._send_and_wait(service, method, args, kwargs, context, timeout, wait, started, marks)
            except _ReplyQueueLost as lost:
                if attempt == 2 or remaining(context, timeout) < MIN_TIMEOUT:
                    raise lost.connection_error from None  # a broker error: the pool's 503, the client dropped
                log.warning("the connection was lost while waiting for %s.%s (%s); sent once more",
                            service, method, lost)

    def _send_and_wait(self, service, method, args, kwargs, context, timeout, wait, started, marks):
        self._worker_ctx.data = dict(context)
        # the request's TTL: what is left of the deadline (never below the broker's zero: a negative one is
        # refused with a channel error)
        expiration = max(MIN_TIMEOUT, remaining(context, timeout))
        proxy = ServiceProxy(self._worker_ctx, service, self._reply_listener, expiration=expiration)
        reply = getattr(proxy, method).call_async(*args, **kwargs)
        # the wait gets what is left of the deadline once published (publishing may have retried a
        # reconnect), and of ``wait``
        left = remaining(context, timeout)
        if wait is not None:
            left = min(left, wait - (time.monotonic() - started))
        self._reply_listener.queue_consumer.timeout = max(MIN_TIMEOUT, left)
        try:
            return reply.result()
        finally:  # a refusal replayed is marked too
            if marks is not None and (reply.resp_body or {}).get(REPLAYED):
                marks[REPLAYED] = True

    def consumers(self, service: str, within: float = CONSUMERS_CHECK_WITHIN) -> int | None:
        """How many processes consume ``service``'s RPC queue (None when the broker cannot tell). Asked once a
        call's deadline has passed, so bounded: a broker that does not answer within ``within`` seconds is
        :class:`Unavailable` (one being stopped took a second more, and the caller's answer with it)."""
        if not self.connected:
            return None
        connection = self._reply_listener.queue_consumer.connection
        try:
            sock = connection._connection.transport.sock
            previous = sock.gettimeout()
        except Exception:  # noqa: BLE001 - no socket to bound: the broker cannot tell
            return None
        end = time.monotonic() + within
        try:
            sock.settimeout(within)
            channel = connection.channel()
            sock.settimeout(max(MIN_TIMEOUT, end - time.monotonic()))
            count = channel.queue_declare(queue=f"rpc-{service}", passive=True).consumer_count
            sock.settimeout(max(MIN_TIMEOUT, end - time.monotonic()))
            channel.close()
            return count
        except socket.timeout:
            raise Unavailable(f"the broker did not say within {within}s whether {service} consumes its "
                              "requests") from None
        except Exception:  # noqa: BLE001 - only refines an error already being raised
            return None
        finally:
            try:
                sock.settimeout(previous)
            except OSError:
                pass


class _Late(Exception):
    """A call's answer did not come within the wait it was given (not its deadline)."""


class RpcClientPool:
    """Thread-safe pool of standalone RPC clients with per-call deadlines."""

    def __init__(self, config: dict, size: int = 8, timeout: float = 10.0):
        self.config = {**config, "serializer": config.get("serializer", "json")}
        self.size = size
        self.timeout = timeout
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()
        self._sem = threading.BoundedSemaphore(size)

    def _acquire(self) -> _Client:
        while True:
            try:
                client = self._idle.get_nowait()
            except queue.Empty:
                break
            if client.connected:
                return client
            self._discard(client)
        client = _Client(self.config, self.timeout)
        try:
            client.start()
        except Exception as exc:
            self._discard(client)
            raise Unavailable(f"message broker unreachable: {exc}") from exc
        return client

    @staticmethod
    def _discard(client: _Client):
        # its socket is dropped first, without the AMQP goodbye: a node that is shutting down (rabbitmqctl
        # stop) or half gone may answer it late or never, and the caller's answer would wait for it
        try:
            raw = client._reply_listener.queue_consumer.connection._connection
            if raw is not None:
                raw.collect()
        except Exception:  # noqa: BLE001 - nothing left to drop
            pass
        try:
            client.stop()
        except Exception:  # noqa: BLE001 - its connection is already gone
            pass

    def check_broker(self):
        """Raise :class:`Unavailable` unless a client with a live broker connection can be checked out."""
        client = self._acquire()
        self._idle.put(client)

    def call(self, service: str, method: str, *args, context: dict | None = None,
             timeout: float | None = None, resend_after: float | None = None, marks: dict | None = None, **kwargs):
        """``service.method(*args, **kwargs)`` within the deadline (the context's, else ``timeout``).

        ``resend_after`` is for reads only (running one twice must change nothing): a call not answered
        within it is sent once more, on another client, with what is left of the deadline. A request or its
        reply lost with a broker node (the failover drill saw an ``identity.access_state`` never answered) is
        otherwise only noticed at the deadline, a 504 seconds after the node came back.

        ``marks``, when given, gets what the reply said of its answer: ``{REPLAYED: True}`` for the answer
        (or refusal) stored under the call's Idempotency-Key, replayed (:mod:`.idempotency`)."""
        timeout = float(timeout or self.timeout)
        context = dict(context or {})
        context.setdefault(DEADLINE_KEY, time.time() + timeout)
        if resend_after is not None and remaining(context, timeout) > resend_after + MIN_TIMEOUT:
            try:
                return self._call(service, method, args, kwargs, context, timeout, wait=resend_after, marks=marks)
            except _Late:
                log.warning("%s.%s did not answer within %.1fs; sent once more", service, method, resend_after)
        return self._call(service, method, args, kwargs, context, timeout, marks=marks)

    def _call(self, service, method, args, kwargs, context, timeout, wait=None, marks=None):
        budget = remaining(context, timeout)
        if budget < MIN_TIMEOUT:
            raise DeadlineExceeded("deadline already passed")
        if not self._sem.acquire(timeout=budget):
            raise Unavailable("too many concurrent calls in this gateway worker")
        client = None
        healthy = True
        try:
            client = self._acquire()
            return client.call(service, method, args, kwargs, context, budget, wait, marks)
        except RpcTimeout:
            healthy = False  # a late reply may still arrive on this reply queue
            if client.consumers(service) == 0:
                # nobody consumes the request queue (the service is starting, or reconnecting after a broker
                # outage): the service is unavailable, not slow
                raise Unavailable(f"service {service} is not consuming its requests") from None
            if wait is not None:
                raise _Late() from None
            raise DeadlineExceeded(f"{service}.{method} did not answer within {budget:.1f}s") from None
        except UnknownService:
            raise Unavailable(f"service {service} is not running") from None
        except (RemoteError, PlatformError):
            raise  # the service answered (an error of its own, a 4xx included): the client is fine
        except (EncodeError, DecodeError):
            healthy = False
            raise  # a message that cannot be (de)serialised is a bug (a 500), not the broker's fault (a 503)
        except BROKER_ERRORS as exc:
            healthy = False
            raise Unavailable(f"message broker unreachable: {type(exc).__name__}: {exc}") from exc
        except RuntimeError as exc:
            healthy = False
            # nameko's "consumer has been disconnected" (the connection closed between checkout and wait)
            if client is None or client.connected:
                raise
            raise Unavailable(f"message broker connection lost: {exc}") from exc
        except Exception:
            healthy = False  # a client in a state nobody planned for is never reused
            raise
        finally:
            if client is not None:
                if healthy:
                    self._idle.put(client)
                else:
                    self._discard(client)
            self._sem.release()

    def close(self):
        while True:
            try:
                client = self._idle.get_nowait()
            except queue.Empty:
                return
            self._discard(client)
