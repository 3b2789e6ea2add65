"""Every queue Paraph consumes from is declared here, one way: work queues replicated in a cluster, reply
queues disposable.

``AMQP_QUEUE_TYPE`` (``classic``, the embedded default, or ``quorum``: compose's cluster profile and
Kubernetes) decides what a *work queue* is: a queue whose messages must survive the loss of a broker node
(nameko's RPC request queues ``rpc-<service>``, the event handlers' queues ``evt-...``, their retry queues
``<queue>.retry.<n>`` and DLQs ``<queue>.dlq``, the shared :data:`.poison.TRANSIENT_DLQ`). In quorum mode
they are declared with ``x-queue-type: quorum``: replicated on the cluster's nodes (Raft), so killing the
node that holds a classic queue no longer makes it unreachable ("home node ... is down") until that node
comes back.

*Reply queues* (nameko's ``rpc.reply-<service>-<uuid>``, one per container or gateway client) are
non-durable in both modes: when their node goes, the consumer reconnects to another node and declares
the queue anew there (a durable classic queue would be stuck on the dead node for the whole outage, and
every call of that container would time out). A reply lost with its node only means the caller times out
and retries (writes carry an Idempotency-Key). They keep nameko's 5-minute ``x-expires`` so a queue left
by a process that died is removed.

The broker refuses to redeclare a queue with another ``x-queue-type`` (PRECONDITION_FAILED): switching
an existing system to quorum goes through ``python -m paraph_platform.queue_migration`` (``./paraph queues``) (docs/QUEUES.md).

:func:`install` (done on import; :mod:`.service` and :mod:`.events` import this module) makes nameko's
own declarations (``RpcConsumer``, ``EventHandler``, ``ReplyListener``, also the standalone proxies of
the gateway) go through :func:`work_queue` / :func:`reply_queue`.
"""
from __future__ import annotations

from kombu import Exchange, Queue

from .config import ConfigError, env

QUEUE_TYPES = ("classic", "quorum")
REPLY_QUEUE_EXPIRES_MS = 300_000  # nameko's RPC_REPLY_QUEUE_TTL: a reply queue whose process died goes


def queue_type() -> str:
    """``AMQP_QUEUE_TYPE``: ``classic`` (default) or ``quorum``."""
    value = (env("AMQP_QUEUE_TYPE", "classic") or "classic").strip().lower()
    if value not in QUEUE_TYPES:
        raise ConfigError(f"AMQP_QUEUE_TYPE must be one of {', '.join(QUEUE_TYPES)}, got {value!r}")
    return value


def work_queue_arguments(arguments: dict | None = None) -> dict:
    """``arguments`` plus the queue type of a work queue (nothing added in classic mode, so queues declared
    before this setting existed stay equivalent)."""
    arguments = dict(arguments or {})
    if queue_type() == "quorum":
        arguments["x-queue-type"] = "quorum"
    return arguments


def work_queue(name: str, exchange: Exchange | None = None, routing_key: str | None = None,
               arguments: dict | None = None) -> Queue:
    """A durable queue whose messages must outlive a broker node (quorum in quorum mode)."""
    return Queue(name, exchange=exchange if exchange is not None else Exchange("", type="direct"),
                 routing_key=name if routing_key is None else routing_key, durable=True,
                 queue_arguments=work_queue_arguments(arguments) or None)


def reply_queue(name: str, exchange: Exchange, routing_key: str) -> Queue:
    """A non-durable queue redeclared wherever its consumer reconnects (never replicated)."""
    return Queue(name, exchange=exchange, routing_key=routing_key, durable=False,
                 queue_arguments={"x-expires": REPLY_QUEUE_EXPIRES_MS})


def as_work_queue(queue: Queue) -> Queue:
    """nameko's own declaration of a work queue (name, exchange, binding kept), with our arguments."""
    return work_queue(queue.name, queue.exchange, queue.routing_key, queue.queue_arguments)


# --- nameko's declarations go through the functions above ---------------------------------------------

def install() -> None:
    import uuid

    from nameko.events import EventHandler
    from nameko.rpc import RPC_REPLY_QUEUE_TEMPLATE, ReplyListener, RpcConsumer, get_rpc_exchange

    if getattr(RpcConsumer.setup, "paraph_queues", False):
        return
    rpc_consumer_setup, event_handler_setup = RpcConsumer.setup, EventHandler.setup

    def rpc_setup(self):
        rpc_consumer_setup(self)  # builds rpc-<service> and registers it: consumed (declared) at start
        if self.queue is not None and not getattr(self.queue, "paraph_work", False):
            self.queue = as_work_queue(self.queue)
            self.queue.paraph_work = True

    def event_setup(self):
        event_handler_setup(self)
        # nameko's non-reliable (auto-delete) or broadcast (exclusive) handler queues cannot be quorum
        if not (self.queue.auto_delete or self.queue.exclusive):
            self.queue = as_work_queue(self.queue)

    def reply_setup(self):
        # nameko's own setup, but the queue is built here: the standalone proxies' consumer declares it
        # as soon as the provider registers
        reply_uuid = uuid.uuid4()
        self.routing_key = str(reply_uuid)
        self.queue = reply_queue(RPC_REPLY_QUEUE_TEMPLATE.format(self.container.service_name, reply_uuid),
                                 get_rpc_exchange(self.container.config), self.routing_key)
        self.queue_consumer.register_provider(self)

    rpc_setup.paraph_queues = event_setup.paraph_queues = reply_setup.paraph_queues = True
    RpcConsumer.setup, EventHandler.setup, ReplyListener.setup = rpc_setup, event_setup, reply_setup


install()

