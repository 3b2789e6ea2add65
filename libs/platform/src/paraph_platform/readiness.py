"""Readiness: every service answers a cheap ``ping`` RPC, so "ready" can mean "consuming over a live
broker connection" rather than "the process exists".

* :class:`PlatformService` — base class of every nameko service class; gives it ``ping`` and, given its
  platform tables, the dependencies every service has (``db``, ``outbox``, ``ctx``).
* :data:`PLATFORM_RPC` — the contract of the RPCs every service gets from the platform (exported with
  each service's own contract by tests/contract/export.py).

The health command of containers sends the same ping over a bare AMQP connection
(:func:`paraph_platform.health.check_ping`); the gateway's ``/readyz`` pings every service.
"""
from __future__ import annotations

from marshmallow import Schema, fields

from .contract import Rpc
from .db import Database
from .outbox import Outbox
from .service import RequestContext, endpoint


class PingResult(Schema):
    service = fields.String(required=True, metadata={"description": "nameko name of the service that answered"})
    status = fields.String(required=True, metadata={"enum": ["ok"]})


PLATFORM_RPC = {
    "ping": Rpc(result=PingResult, description="Answers at once: the service consumes over a live broker "
                                                "connection (readiness probes)."),
}


class PlatformService:
    """Base class of the services' nameko classes::

        class NotifyService(<its aggregates' mixins>, PlatformService,
                            idempotency_model=IdempotencyKey, outbox_model=Outbox):

    Given the service's own platform tables (``paraph_platform.models.platform_models``), it declares the
    dependencies every service has: ``db`` (the service's database, which also keeps the idempotency keys),
    ``outbox`` (the events it publishes, written in the caller's transaction) and ``ctx`` (the call's
    context: deadline, idempotency key). The class body adds the service's own."""

    name: str

    def __init_subclass__(cls, *, idempotency_model=None, outbox_model=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if (idempotency_model is None) != (outbox_model is None):
            raise TypeError("a service gives both its idempotency_model and its outbox_model, or neither")
        if outbox_model is not None:
            cls.db = Database(idempotency_model=idempotency_model)
            cls.outbox = Outbox(outbox_model)
            cls.ctx = RequestContext()

    @endpoint
    def ping(self) -> dict:
        """No database, no other service: only proves this service consumes its RPC queue."""
        return {"service": self.name, "status": "ok"}
