"""drillpub: owns an outbox; its relay (a managed thread of the container) publishes the rows."""
from __future__ import annotations

from paraph_platform.db import Database
from paraph_platform.outbox import Outbox as OutboxProvider
from paraph_platform.service import RequestContext, endpoint

from .models import Outbox

EVENT = "thing.happened.v1"


class DrillPubService:
    name = "drillpub"
    db = Database()
    outbox = OutboxProvider(Outbox)
    ctx = RequestContext()

    @endpoint(write=True)
    def emit(self, n: int, tag: str):
        with self.db.session() as s:
            return [self.outbox.add(s, EVENT, {"n": i, "tag": tag}, subject=f"{tag}-{i}")["id"] for i in range(n)]


SERVICE = DrillPubService
