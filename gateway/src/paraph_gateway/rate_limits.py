"""Rate limits per API key and per user, counted across every gateway worker and replica through RabbitMQ.

Fixed windows of ``RATE_LIMIT_WINDOW_SECONDS``. A subject's count in the current window is the length of a
queue of its own, ``paraph.ratelimit.<hash of the subject>.<window index>.<limit>``, declared with
``x-max-length=<limit>`` and ``x-overflow=reject-publish``: each request publishes one empty message to it on a
channel in publisher-confirm mode, and the broker acks it while the queue has room and nacks it once the
limit is reached. The broker is the one counter every worker and replica shares, so no new server is needed;
the queue (never consumed) expires by itself (``x-expires``) once its window is over.

One check costs one round trip to the broker on a pooled connection: the declare (idempotent; it answers with
the count so far, which gives ``RateLimit-Remaining``) and the confirmed publish (the atomic decision when
requests race) are sent together, and the two answers awaited together. The channel handles them in order,
so the count is the one before this request's message, whether or not the broker then takes it.

Availability over strictness: if the broker cannot be reached, or nacks a count whose queue is not full
(the queue's node shutting down), requests are served without limit (and without the headers), a warning
is logged at most once a minute, and the broker is tried again after ``RETRY_SECONDS``.
"""
from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from dataclasses import dataclass

from flask import after_this_request

from paraph_platform.config import env_int
from paraph_platform.errors import TooManyRequests

from .rpc import per_worker

log = logging.getLogger(__name__)

QUEUE_PREFIX = "paraph.ratelimit"
RETRY_SECONDS = 5.0  # after a broker failure, requests go unchecked this long (no connect timeout per request)
WARN_EVERY_SECONDS = 60.0
CONNECT_TIMEOUT_SECONDS = 2.0
MAX_IDLE_CHANNELS = 16  # more than a worker's threads (GATEWAY_THREADS, 8 by default)


def settings() -> dict:
    """The documented defaults (README, .env.example), overridden per license by its settings."""
    return {"RATE_LIMIT_WINDOW_SECONDS": env_int("RATE_LIMIT_WINDOW_SECONDS", 60),
            "RATE_LIMIT_USER_PER_WINDOW": env_int("RATE_LIMIT_USER_PER_WINDOW", 600),
            "RATE_LIMIT_API_KEY_PER_WINDOW": env_int("RATE_LIMIT_API_KEY_PER_WINDOW", 1200)}


class RateLimited(TooManyRequests):
    code = "rate_limited"
    title = "Rate limit exceeded"


@dataclass(frozen=True)
class Decision:
    """One request's place in its subject's window (integers, as the RateLimit-* headers carry them)."""
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds to the end of the window

    def headers(self) -> dict:
        return {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
                "RateLimit-Reset": str(self.reset)}


class NackedWithRoom(Exception):
    """A count's publish was nacked although its queue was not full."""


class _Channel:
    """A connection and its confirm-mode channel, used by one thread at a time."""

    def __init__(self, amqp_uri: str):
        from kombu import Connection
        # socket timeouts too: a broker in a memory or disk alarm blocks publishers, and a check must then fail
        # (and the request go unchecked) rather than hold a gateway thread
        self.connection = Connection(amqp_uri, connect_timeout=CONNECT_TIMEOUT_SECONDS, transport_options={
            "read_timeout": CONNECT_TIMEOUT_SECONDS, "write_timeout": CONNECT_TIMEOUT_SECONDS})
        try:
            # each URL of AMQP_URI once, at once: kombu's default retries would hold the request for seconds
            self.connection.ensure_connection(max_retries=max(1, len(self.connection.alt)), interval_start=0,
                                              interval_step=0, interval_max=0)
            # py-amqp's channel, in confirm mode: queue counts, and the broker's answer to each count
            self.channel = self.connection.channel()
            self.channel.confirm_select()
        except BaseException:
            self.close()
            raise
        self._published = 0  # the channel's messages so far: the broker confirms each by this number
        self._answer: bool | None = None  # the broker's answer to the last message: took it, or refused it
        self.channel.events["basic_ack"].add(self._on_confirm(True))
        self.channel.events["basic_nack"].add(self._on_confirm(False))

    def count(self, name: str, limit: int, expires_ms: int) -> int:
        """Declare the window's queue (the same arguments each time) and return its message count."""
        return self.channel.queue_declare(name, **self._queue(limit, expires_ms)).message_count

    def count_one_more(self, name: str, limit: int, expires_ms: int) -> tuple[int, bool]:
        """Declare the window's queue and publish one more request to it in one round trip: the count before
        that request, and whether the broker took it (acked) or refused it, the queue being full (nacked)."""
        from amqp import Message, spec
        self._answer = None
        queue = self._queue(limit, expires_ms)
        # sent as bare methods: py-amqp's basic_publish first reads what has arrived (a connection.blocked), and
        # would hand the declare's answer, nobody waiting for it yet, to no one
        self.channel.send_method(spec.Queue.Declare, "BsbbbbbF", (
            0, name, False, queue["durable"], False, queue["auto_delete"], False, queue["arguments"]))
        self.channel.send_method(spec.Basic.Publish, "Bssbb", (0, "", name, False, False), Message(b""))
        self._published += 1
        counted = self.channel.wait(spec.Queue.DeclareOk, returns_tuple=True, timeout=CONNECT_TIMEOUT_SECONDS)[1]
        # the broker may confirm before or after it answers the declare: an earlier answer was recorded by
        # _on_confirm (py-amqp hands methods nobody waits for to the channel's callbacks)
        while self._answer is None:
            self.channel.connection.drain_events(timeout=CONNECT_TIMEOUT_SECONDS)
        return counted, self._answer

    @staticmethod
    def _queue(limit: int, expires_ms: int) -> dict:
        # durable (RabbitMQ deprecates transient non-exclusive queues); x-expires removes it after its window
        return {"durable": True, "auto_delete": False, "arguments": {
            "x-queue-type": "classic", "x-max-length": limit, "x-overflow": "reject-publish",
            "x-expires": expires_ms}}

    def _on_confirm(self, took: bool):
        def answer(tag: int, multiple: bool):
            # one message at a time on the channel, each answered before the next: an answer is for the last
            if tag >= self._published:
                self._answer = took
        return answer

    def close(self):
        try:
            self.connection.release()
        except Exception:  # noqa: BLE001 - a broken connection is dropped either way
            pass


class RateLimiter:
    """Counts requests per subject and window for one gateway worker; any number of limiters (workers,
    replicas) on the same broker share the counts."""

    def __init__(self, amqp_uri: str, window_seconds: int = 60, clock=time.time):
        self.amqp_uri = amqp_uri
        self.window = int(window_seconds)
        self.clock = clock
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._unchecked_until = 0.0
        self._warned_at = float("-inf")
        self._lock = threading.Lock()

    def check(self, subject: str, limit: int) -> Decision | None:
        """This request of ``subject``, limited to ``limit`` per window; None when the broker is unreachable
        (the request is served unchecked)."""
        now = self.clock()
        if time.monotonic() < self._unchecked_until:
            return None
        index, into = divmod(now, self.window)
        reset = max(1, int(self.window - into + 0.999))
        name = self.queue_name(subject, limit, int(index))
        try:
            channel = self._take()
            try:
                expires_ms = self.window * 2000
                counted, allowed = channel.count_one_more(name, limit, expires_ms)
                # (a request racing this one may have filled the queue between the two: counted again)
                if not allowed and counted < limit and channel.count(name, limit, expires_ms) < limit:
                    # nacked with room left: not the limit but the queue failing (its node shutting down, seen
                    # in the cluster drill as a 429 for a limit of 10**9), so the request goes unchecked
                    raise NackedWithRoom(f"the broker refused a count in {name}, which is not full")
            except BaseException:
                channel.close()
                raise
            self._give_back(channel)
        except Exception as exc:  # noqa: BLE001 - availability over strictness (module docstring)
            self._broker_failed(exc)
            return None
        remaining = max(0, limit - counted - 1) if allowed else 0
        return Decision(allowed, limit, remaining, reset)

    def queue_name(self, subject: str, limit: int, index: int) -> str:
        """The queue counting ``subject``'s requests in window ``index``. The limit and the window length are
        part of it: declaring a queue again with other arguments is a channel error, so a license whose limit
        changes (or a replica configured otherwise, during a deploy) counts in a queue of its own."""
        digest = hashlib.sha256(f"{subject}\n{self.window}".encode()).hexdigest()[:32]
        return f"{QUEUE_PREFIX}.{digest}.{index}.{limit}"

    def _take(self) -> _Channel:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return _Channel(self.amqp_uri)

    def _give_back(self, channel: _Channel):
        if self._idle.qsize() < MAX_IDLE_CHANNELS:
            self._idle.put(channel)
        else:
            channel.close()

    def _broker_failed(self, exc: Exception):
        self.close()  # the idle connections most likely went with the one that failed (a broker restart)
        with self._lock:
            self._unchecked_until = time.monotonic() + RETRY_SECONDS
            if time.monotonic() - self._warned_at >= WARN_EVERY_SECONDS:
                self._warned_at = time.monotonic()
                log.warning("rate limits not checked: the broker cannot be reached (%s); requests are served "
                            "without limit until it can", exc)

    def close(self):
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


def subject_and_limit(actor: dict, config: dict) -> tuple[str, int]:
    """Whom a request counts for, and their limit: the license's own (``rate_limit_per_window`` on the actor,
    from identity) or the default of their kind (0: not limited)."""
    override = actor.get("rate_limit_per_window")
    if actor.get("service_account"):
        key = actor.get("api_key_id") or actor["user_id"]
        return f"api_key:{key}", int(override or config["RATE_LIMIT_API_KEY_PER_WINDOW"])
    return (f"user:{actor['license_id']}:{actor['user_id']}",
            int(override or config["RATE_LIMIT_USER_PER_WINDOW"]))


_limiters: dict = {}


def _worker_limits(app) -> tuple[RateLimiter, dict]:
    """The settings (an app's config wins over the environment: tests) and a limiter counting by them."""
    config = {name: int(app.config.get(name, default)) for name, default in settings().items()}
    config["RATE_LIMIT_WINDOW_SECONDS"] = max(1, config["RATE_LIMIT_WINDOW_SECONDS"])  # a window, never 0 s
    return RateLimiter(app.config["AMQP_URI"], config["RATE_LIMIT_WINDOW_SECONDS"]), config


def enforce(actor: dict):
    """Count this request for its caller: every answer gets the RateLimit-* headers; over the limit, a 429
    problem+json with Retry-After. Called by ``routing.route`` once the actor is known."""
    limiter, config = per_worker(_limiters, _worker_limits)
    subject, limit = subject_and_limit(actor, config)
    if limit <= 0:
        return
    decision = limiter.check(subject, limit)
    if decision is None:
        return

    @after_this_request
    def add_headers(resp):
        resp.headers.update(decision.headers())
        return resp

    if not decision.allowed:
        raise RateLimited(f"More than {limit} requests in {limiter.window} seconds; retry in {decision.reset} "
                          "seconds.", {"retry_after": decision.reset})


def close_limiters():
    for limiter, _ in list(_limiters.values()):
        limiter.close()
    _limiters.clear()
