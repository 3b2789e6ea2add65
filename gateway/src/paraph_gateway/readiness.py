"""``GET /readyz``: the gateway can serve the API, meaning its broker connection is live and every service
answers ``ping`` (paraph_platform.readiness) within a short deadline.

The answer is cached per gateway worker for ``READY_CACHE_SECONDS`` (1 s) and computed by one thread at a
time, so a burst of probes costs one round of pings; the pings run in parallel, so a probe takes at most
``READY_PING_TIMEOUT`` (1 s) even when several services are down.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from paraph_platform.errors import PlatformError, Unavailable

from .rpc import per_worker, pool

SERVICES = ("identity", "perimeter", "contracts", "signing", "portal", "notify")

_probes: dict = {}


class ReadinessProbe:
    def __init__(self, services, ping_timeout: float, cache_seconds: float):
        self.services = tuple(services)
        self.ping_timeout = ping_timeout
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._checks: dict[str, str] = {}

    def checks(self) -> dict[str, str]:
        """check name -> "ok" or why not; fresh at most ``cache_seconds`` ago."""
        with self._lock:
            if time.monotonic() - self._checked_at > self.cache_seconds:
                self._checks = self._run()
                self._checked_at = time.monotonic()
            return self._checks

    def _run(self) -> dict[str, str]:
        rpc = pool()
        try:
            rpc.check_broker()
        except PlatformError as exc:
            return {"broker": exc.message}
        checks = {"broker": "ok"}

        def ping(service: str) -> str:
            try:
                rpc.call(service, "ping", timeout=self.ping_timeout)
                return "ok"
            except PlatformError as exc:  # Unavailable (not running, broker lost) or DeadlineExceeded
                return exc.message

        with ThreadPoolExecutor(max_workers=len(self.services) or 1) as workers:
            checks.update(zip(self.services, workers.map(ping, self.services)))
        return checks


def probe() -> ReadinessProbe:
    return per_worker(_probes, lambda app: ReadinessProbe(
        app.config.get("READY_SERVICES", SERVICES), float(app.config.get("READY_PING_TIMEOUT", 1.0)),
        float(app.config.get("READY_CACHE_SECONDS", 1.0))))


def readyz():
    """200 when the broker connection is live and every service answers ping; else 503 problem+json
    (with ``Retry-After``) naming what is not ready."""
    checks = probe().checks()
    failing = sorted(name for name, state in checks.items() if state != "ok")
    if failing:
        raise Unavailable(f"Not ready: {', '.join(failing)}.", {"checks": checks})
    return {"status": "ready", "checks": checks}
