"""drill: a slow RPC whose executions are recorded, to see whether an expired request runs late."""
from __future__ import annotations

import os
import time

import eventlet

from paraph_platform.service import RequestContext, endpoint


def record(event: str, token: str):
    path = os.environ.get("DRILL_LOG")
    if path:
        with open(path, "a") as fh:  # O_APPEND: one line per write, never interleaved
            fh.write(f"{time.time():.3f} {event} {token}\n")


class DrillService:
    name = "drill"
    ctx = RequestContext()

    @endpoint
    def slow(self, token, seconds):
        record("start", token)
        eventlet.sleep(float(seconds))
        record("done", token)
        return {"token": token}

    @endpoint
    def ping(self):
        return "pong"


SERVICE = DrillService
