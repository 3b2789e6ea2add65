"""Readiness: every service answers a cheap ``ping`` RPC, so "ready" can mean "consuming over a live
broker connection" rather than "the process exists".

* :class:`PlatformService` — base class of every nameko service class; gives it ``ping``.
* :data:`PLATFORM_RPC` — the contract of the RPCs every service gets from the platform (exported with
  each service's own contract by tests/contract/export.py).

The health command of containers sends the same ping over a bare AMQP connection
(:func:`paraph_platform.health.check_ping`); the gateway's ``/readyz`` pings every service.
"""
from __future__ import annotations

from marshmallow import Schema, fields

from .contract import Rpc
from .service import endpoint


class PingResult(Schema):
    service = fields.String(required=True, metadata={"description": "nameko name of the service that answered"})
    status = fields.String(required=True, metadata={"enum": ["ok"]})


PLATFORM_RPC = {
    "ping": Rpc(result=PingResult, description="Answers at once: the service consumes over a live broker "
                                                "connection (readiness probes)."),
}


class PlatformService:
    """Base class of the services' nameko classes (``class ContractsService(PlatformService)``)."""

    name: str

    @endpoint
    def ping(self) -> dict:
        """No database, no other service: only proves this service consumes its RPC queue."""
        return {"service": self.name, "status": "ok"}
