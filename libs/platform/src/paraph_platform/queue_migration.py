"""Move a service's existing work queues to the queue type of ``AMQP_QUEUE_TYPE`` (docs/QUEUES.md).

    python -m paraph_platform.queue_migration <service> [--apply]      (./paraph queues <service> ...)

RabbitMQ refuses to redeclare a queue with another ``x-queue-type`` (PRECONDITION_FAILED), so a service
switched to quorum mode over classic queues would loop on its declarations without consuming. This
command, run while the service is stopped (scaled to 0: nothing consumes its queues), takes each of the
service's work queues (:mod:`.queues`: ``rpc-<service>`` and its DLQ, every ``@subscribe`` queue with its
retry queues and DLQ, the shared transient DLQ) and, when the broker holds it with another type:

1. moves its messages, one by one with publisher confirms, into a holding queue ``<queue>.migrating`` of
   the new type (each original acked only once its copy is confirmed: a crash leaves every message in
   one of the two queues, and running the command again resumes);
2. deletes the queue only if it is empty (a message published meanwhile is moved too, then it retries);
3. declares it again with the new type and its bindings (the service's exchanges and routing keys);
4. moves the messages back and deletes the holding queue.

Between 2 and 3 a published event finds no queue: the outbox relay publishes with ``mandatory`` and
retries an unrouted event for ``OUTBOX_UNROUTED_GRACE`` seconds, so none is lost; an RPC request to the
stopped service fails anyway (503). Without ``--apply`` it only says what it would do.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from dataclasses import dataclass, field

from kombu import Connection, Exchange, Queue

from .config import amqp_uri, env_int, mask_amqp_uri
from .queues import queue_type, work_queue

HOLDING_SUFFIX = ".migrating"
PRECONDITION_FAILED = 406
NOT_IMPLEMENTED = 540


@dataclass
class WorkQueue:
    name: str
    bindings: list[tuple[Exchange, str]] = field(default_factory=list)
    arguments: dict = field(default_factory=dict)

    def declaration(self, name: str | None = None) -> Queue:
        return work_queue(name or self.name, arguments=self.arguments)


def service_queues(service: str, service_cls=None) -> list[WorkQueue]:
    """The work queues ``service`` consumes or parks into, derived from its class as nameko and
    :mod:`.events` name them."""
    from nameko.events import SERVICE_POOL
    from nameko.rpc import Rpc as RpcEntrypoint
    from nameko.rpc import get_rpc_exchange
    from nameko.standalone.events import get_event_exchange

    from .events import DEFAULT_BACKOFF, ReliableEventHandler, retry_queue_name
    from .poison import TRANSIENT_DLQ, dlq_name

    if service_cls is None:
        service_cls = getattr(importlib.import_module(f"{service}_service.service"), "SERVICE")
    queues: list[WorkQueue] = []
    has_rpc = False
    for method_name, fn in inspect.getmembers(service_cls, callable):
        for entrypoint in getattr(fn, "nameko_entrypoints", ()):
            if isinstance(entrypoint, RpcEntrypoint):
                has_rpc = True
            elif isinstance(entrypoint, ReliableEventHandler) and entrypoint.handler_type == SERVICE_POOL:
                name = f"evt-{entrypoint.source_service}-{entrypoint.event_type}--{service}.{method_name}"
                exchange = get_event_exchange(entrypoint.source_service, {})
                queues.append(WorkQueue(name, [(exchange, entrypoint.event_type)]))
                attempts = entrypoint.max_attempts or env_int("EVENT_MAX_ATTEMPTS", 5)
                backoff = entrypoint.backoff or DEFAULT_BACKOFF
                for attempt in range(1, attempts):
                    delay = backoff[min(attempt - 1, len(backoff) - 1)]
                    queues.append(WorkQueue(retry_queue_name(name, attempt), arguments={
                        "x-message-ttl": int(delay * 1000), "x-dead-letter-exchange": "",
                        "x-dead-letter-routing-key": name}))
                queues.append(WorkQueue(dlq_name(name)))
    if has_rpc:
        rpc = f"rpc-{service}"
        queues[:0] = [WorkQueue(rpc, [(get_rpc_exchange({}), f"{service}.*")]), WorkQueue(dlq_name(rpc))]
    queues.append(WorkQueue(TRANSIENT_DLQ))
    return queues


def _declare(conn: Connection, queue: Queue) -> str:
    """``ok`` (declared or already so), ``absent`` (passive: not there) or ``other type``: on a channel of
    its own, since a refusal closes the channel."""
    channel = conn.channel()
    try:
        queue.bind(channel).declare()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the broker's answer is the information
        if getattr(exc, "reply_code", None) == PRECONDITION_FAILED:
            return "other type"
        raise
    finally:
        try:
            channel.close()
        except Exception:  # noqa: BLE001 - already closed by the refusal
            pass


def _exists(conn: Connection, name: str) -> int | None:
    """Messages in queue ``name``, None when it does not exist."""
    channel = conn.channel()
    try:
        return channel.queue_declare(queue=name, passive=True).message_count
    except Exception as exc:  # noqa: BLE001
        if getattr(exc, "reply_code", None) == 404:
            return None
        raise
    finally:
        try:
            channel.close()
        except Exception:  # noqa: BLE001
            pass


def _move(conn: Connection, source: str, target: str) -> int:
    """Move every message of ``source`` to ``target`` (default exchange), body and properties as they
    are, each acked only once the broker confirmed its copy."""
    import amqp
    moved = 0
    getter, publisher = conn.channel(), conn.channel()
    publisher.confirm_select()
    try:
        while True:
            message = getter.basic_get(source, no_ack=False)
            if message is None:
                return moved
            publisher.basic_publish_confirm(amqp.Message(message.body, **message.properties),
                                            exchange="", routing_key=target)
            getter.basic_ack(message.delivery_info["delivery_tag"])
            moved += 1
    finally:
        getter.close()
        publisher.close()


def _bind(conn: Connection, queue: WorkQueue):
    channel = conn.channel()
    try:
        for exchange, routing_key in queue.bindings:
            exchange.bind(channel).declare()
            channel.queue_bind(queue.name, exchange.name, routing_key)
    finally:
        channel.close()


def _delete_if_empty(conn: Connection, name: str) -> bool:
    """Delete queue ``name`` unless a message arrived in it meanwhile (then False)."""
    channel = conn.channel()
    try:
        channel.queue_delete(name, if_empty=True)
        return True
    except Exception as exc:  # noqa: BLE001 - a message arrived meanwhile, or a quorum queue
        if getattr(exc, "reply_code", None) == PRECONDITION_FAILED:
            return False
        if getattr(exc, "reply_code", None) != NOT_IMPLEMENTED:
            raise
    finally:
        try:
            channel.close()
        except Exception:  # noqa: BLE001 - closed by the refusal
            pass
    # quorum queues refuse if-empty: checked just before (nothing consumes it, the service is stopped)
    if _exists(conn, name):
        return False
    channel = conn.channel()
    try:
        channel.queue_delete(name)
    finally:
        channel.close()
    return True


def migrate_queue(conn: Connection, queue: WorkQueue, apply: bool, say=print) -> str:
    """Bring one queue to the configured type; what was found or done: ``absent``, ``ok``, ``to migrate``
    (dry run) or ``migrated``."""
    kind, holding = queue_type(), queue.name + HOLDING_SUFFIX
    count, held = _exists(conn, queue.name), _exists(conn, holding)
    if count is None and held is None:
        say(f"  {queue.name}: absent (declared as {kind} when the service starts)")
        return "absent"
    # an existing queue redeclared identically is a no-op: the broker's refusal tells its type
    state = _declare(conn, queue.declaration()) if count is not None else "absent"
    if state == "ok" and held is None:
        say(f"  {queue.name}: already {kind}")
        return "ok"
    if not apply:
        say(f"  {queue.name}: {'another queue type' if state != 'ok' else 'half migrated'}, "
            f"{count or 0} messages (+{held or 0} held): would be migrated to {kind}")
        return "to migrate"
    if state == "other type":
        assert _declare(conn, queue.declaration(holding)) == "ok"
        while True:  # move, then delete only if nothing arrived meanwhile
            _move(conn, queue.name, holding)
            if _delete_if_empty(conn, queue.name):
                break
        state = "absent"
    if state == "absent":  # deleted (now or by an interrupted run): declared again with the new type
        assert _declare(conn, queue.declaration()) == "ok"
        _bind(conn, queue)
    back = _move(conn, holding, queue.name)
    _delete_if_empty(conn, holding)
    say(f"  {queue.name}: migrated to {kind} ({back} messages kept)")
    return "migrated"


def migrate(service: str, apply: bool, uri: str | None = None, service_cls=None, say=print) -> dict[str, str]:
    queues = service_queues(service, service_cls)
    with Connection(uri or amqp_uri(), connect_timeout=10) as conn:
        conn.ensure_connection(max_retries=max(1, len(conn.alt) - 1))
        say(f"{service}: {len(queues)} work queues on {mask_amqp_uri(uri or amqp_uri())}, "
            f"AMQP_QUEUE_TYPE={queue_type()}{'' if apply else ' (dry run: --apply to migrate)'}")
        return {q.name: migrate_queue(conn, q, apply, say) for q in queues}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m paraph_platform.queue_migration",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("service")
    parser.add_argument("--apply", action="store_true", help="migrate (default: say what would be done)")
    args = parser.parse_args(argv)
    migrate(args.service, args.apply)
    return 0


if __name__ == "__main__":
    sys.exit(main())
