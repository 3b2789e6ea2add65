"""drillsub: a reliable, idempotent consumer of drillpub's events (retry with backoff, then DLQ)."""
from __future__ import annotations

import eventlet

from paraph_platform.db import Database
from paraph_platform.events import subscribe
from paraph_platform.inbox import first_time

from .models import Delivery, Effect, Inbox


class PoisonError(Exception):
    pass


class DrillSubService:
    name = "drillsub"
    db = Database()

    @subscribe("drillpub", "thing.happened.v1", max_attempts=3, backoff=(0.2, 0.5))
    def on_thing(self, event):
        with self.db.session() as s:
            s.add(Delivery(event_id=event["id"]))
        if event["data"].get("poison"):
            raise PoisonError(f"cannot handle {event['id']}")
        if event["data"].get("slow"):
            eventlet.sleep(float(event["data"]["slow"]))  # the broker may go away meanwhile
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "drillsub.on_thing"):
                return
            s.add(Effect(event_id=event["id"], tag=event["data"]["tag"], n=event["data"]["n"]))


SERVICE = DrillSubService
