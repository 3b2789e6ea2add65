"""The perimeter filter, cached in the services that filter lists by it (contracts, notify).

``perimeter.compile_filter(actor, dialect)`` runs the Rego policy through OPA's partial evaluation (43 % of
the perimeter service's busy time under list load). What it compiles depends only on the actor's license,
role and perimeters (``input.actor`` of the ``filter`` rule; perimeter ids never change meaning) and on the
SQL dialect. The role is the one the gateway checked for this request (a role change gives another key);
every change of a user's perimeters (``set_assignments``, a perimeter's ``set_members``,
``delete_perimeter``, which reassigns its holders first) bumps that user's subject version and publishes
``perimeter.assignments_changed.v1`` with it (``update_perimeter`` changes only names). So each service
process keeps
``(license_id, user_id, role, dialect) -> (where, version)`` (LRU, ``PERIMETER_FILTER_CACHE_SIZE``
entries, 10,000 by default) and

* **drops a user's entries on their ``perimeter.assignments_changed.v1``**, received by every process on
  its own queue (:data:`perimeter_filter_invalidation`: a broadcast handler next to the service's durable
  one, which one replica only receives), and remembers the event's version so that a ``compile_filter``
  answer read before the change, arriving after the event, is not stored;
* **checks an entry before it serves it** with ``perimeter.filter_version(actor)`` (one primary-key read,
  no OPA): a version other than the entry's evicts the user's entries and the filter is compiled again.

``PERIMETER_FILTER_CHECK`` decides when that check runs, hence the staleness bound:

* ``sync`` (default): on the request path, before the entry is used. Never stale: a list sees every change
  committed before it asked (read-your-writes: an admin moves a user, the user's next list shows it). A
  cached list still makes one RPC, but a primary-key read instead of an OPA compilation.
* ``background``: no RPC on the request path. The entry is served at once and the check runs in a
  background thread (at most one in flight per user; a failed check evicts). A change is seen once its
  event is handled -- 40-90 ms after the change's call returned, measured on the test setup: a list in
  that window still gets the previous filter -- and, if the event is lost (broadcast queue disconnected
  at that moment), by the first request whose check returns: the stale filter serves only the requests
  that arrive before that check returns, normally the one request that started it.

``PERIMETER_FILTER_CACHE=0`` turns the cache off (every list compiles).
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import NamedTuple

from nameko.constants import CALL_ID_STACK_CONTEXT_KEY
from nameko.containers import WorkerContext
from nameko.events import BROADCAST, event_handler

from .config import ConfigError, env, env_int
from .rpc import Rpc

log = logging.getLogger(__name__)

ASSIGNMENTS_CHANGED = "perimeter.assignments_changed.v1"
DEFAULT_SIZE = 10_000


class Entry(NamedTuple):
    where: str | None
    version: int


class FilterCache:
    """The cache itself, without messaging: thread- and green-safe (no call yields under its lock)."""

    def __init__(self, size: int = DEFAULT_SIZE):
        self.size = max(1, size)
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._keys: dict[tuple, set] = {}  # (license_id, user_id) -> its keys in _entries
        self._known: OrderedDict[tuple, int] = OrderedDict()  # (license_id, user_id) -> newest version seen
        self._checking: set[tuple] = set()
        self._lock = threading.Lock()

    @staticmethod
    def key(actor: dict, dialect: str) -> tuple:
        return actor["license_id"], actor["user_id"], actor["role"], dialect

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def store(self, key: tuple, where, version: int) -> bool:
        """Keep a compile result unless a newer version of the user is already known (an event or a check
        answered while this result was on its way): stored results are never older than what was seen."""
        user = key[:2]
        with self._lock:
            if version < self._known.get(user, version):
                return False
            current = self._entries.get(key)
            if current is not None and current.version > version:
                return False
            self._note(user, version)
            self._entries[key] = Entry(where, version)
            self._entries.move_to_end(key)
            self._keys.setdefault(user, set()).add(key)
            while len(self._entries) > self.size:
                old, _ = self._entries.popitem(last=False)
                self._unlink(old)
            return True

    def forget(self, license_id: str, user_id: str, version: int | None = None) -> None:
        """Drop a user's entries (every role and dialect); given the newest ``version`` now known, only
        those older than it (one compiled after the change and stored before its event stays)."""
        user = (license_id, user_id)
        with self._lock:
            if version is None:
                self._forget(user)
            else:
                self._note(user, version)
                self._forget(user, lambda entry: entry.version < version)

    def checked(self, license_id: str, user_id: str, version: int) -> None:
        """A check's answer: entries of another version are stale."""
        user = (license_id, user_id)
        with self._lock:
            self._note(user, version)
            self._forget(user, lambda entry: entry.version != version)

    def start_check(self, license_id: str, user_id: str) -> bool:
        """True when the caller should run the check (none in flight for this user); it must call
        :meth:`end_check` when done."""
        user = (license_id, user_id)
        with self._lock:
            if user in self._checking:
                return False
            self._checking.add(user)
            return True

    def end_check(self, license_id: str, user_id: str) -> None:
        with self._lock:
            self._checking.discard((license_id, user_id))

    def __len__(self) -> int:
        return len(self._entries)

    # -- under the lock ---------------------------------------------------------------------------------

    def _note(self, user: tuple, version: int) -> None:
        if version > self._known.get(user, -1):
            self._known[user] = version
        self._known.move_to_end(user)
        while len(self._known) > self.size:
            self._known.popitem(last=False)

    def _forget(self, user: tuple, stale=lambda entry: True) -> None:
        keys = self._keys.get(user, set())
        for key in [k for k in keys if stale(self._entries[k])]:
            del self._entries[key]
            self._unlink(key)

    def _unlink(self, key: tuple) -> None:
        keys = self._keys.get(key[:2])
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._keys[key[:2]]


CHECK_MODES = ("sync", "background")


def cache_enabled() -> bool:
    return env("PERIMETER_FILTER_CACHE", "1") != "0"


def check_mode() -> str:
    mode = (env("PERIMETER_FILTER_CHECK", "sync") or "sync").strip().lower()
    if mode not in CHECK_MODES:
        raise ConfigError(f"PERIMETER_FILTER_CHECK must be one of {', '.join(CHECK_MODES)}, got {mode!r}")
    return mode


class PerimeterFilter(Rpc):
    """``perimeter_filter = PerimeterFilter()`` then ``self.perimeter_filter.where(actor, dialect)``: the
    actor's compiled filter ('' all, None nothing, else SQL over the ``scope`` alias), from the cache when
    it holds it. The service also declares the invalidation entrypoint::

        @perimeter_filter_invalidation
        def forget_perimeter_filter(self, event):
            self.perimeter_filter.forget(event)

    It is an ``Rpc("perimeter")`` (same deadlines, same reply queue as the service's other proxies) whose
    dependency is the cached filter instead of the proxy.
    """

    def __init__(self):
        super().__init__("perimeter")
        self.cache: FilterCache | None = None
        self.enabled = True
        self.background = False
        self.compiles = 0  # compile_filter calls made by this process (tests, bench)
        self.checks = 0  # filter_version calls made by this process

    def setup(self):
        super().setup()
        self.enabled = cache_enabled()
        self.background = check_mode() == "background"
        self.cache = FilterCache(env_int("PERIMETER_FILTER_CACHE_SIZE", DEFAULT_SIZE))

    def get_dependency(self, worker_ctx):
        return _BoundFilter(self, worker_ctx)

    def compile(self, worker_ctx, actor: dict, dialect: str):
        self.compiles += 1
        result = super().get_dependency(worker_ctx).compile_filter(actor, dialect)
        if self.enabled:
            self.cache.store(FilterCache.key(actor, dialect), result["where"], int(result["version"]))
        return result["where"]

    def checked_version(self, worker_ctx, actor: dict) -> int:
        """The actor's current version, asked to perimeter; the cache drops their entries of another one."""
        self.checks += 1
        version = int(super().get_dependency(worker_ctx).filter_version(actor)["version"])
        self.cache.checked(actor["license_id"], actor["user_id"], version)
        return version

    def check_soon(self, worker_ctx, actor: dict):
        license_id, user_id = actor["license_id"], actor["user_id"]
        if not self.cache.start_check(license_id, user_id):
            return  # one check per user at a time: its answer covers every request served meanwhile
        # its own context: not the request's deadline, idempotency key nor nested-call numbering, which
        # the request goes on using while the check runs
        ctx = WorkerContext(self.container, worker_ctx.service, worker_ctx.entrypoint,
                            data={CALL_ID_STACK_CONTEXT_KEY: worker_ctx.call_id_stack})
        try:
            self.container.spawn_managed_thread(lambda: self._check(ctx, actor),
                                                identifier="perimeter-filter-check")
        except Exception:
            self.cache.end_check(license_id, user_id)
            raise

    def _check(self, ctx, actor: dict):
        license_id, user_id = actor["license_id"], actor["user_id"]
        try:
            self.checked_version(ctx, actor)
        except Exception as exc:  # noqa: BLE001 - unverified: evicted, the next request compiles again
            log.warning("perimeter filter check failed for user %s of license %s (%s): entries dropped",
                        user_id, license_id, exc)
            self.cache.forget(license_id, user_id)
        finally:
            self.cache.end_check(license_id, user_id)

    def forget(self, event) -> None:
        data = event.get("data") if isinstance(event, dict) else None
        if not isinstance(data, dict) or data.get("subject_type") != "user":
            return  # customers' and contract types' perimeters are in the services' own scope replicas
        license_id, user_id, version = data.get("license_id"), data.get("subject_id"), data.get("version")
        if not license_id or not user_id:
            return
        self.cache.forget(license_id, user_id, version if isinstance(version, int) else None)


class _BoundFilter:
    def __init__(self, provider: PerimeterFilter, worker_ctx):
        self._provider = provider
        self._worker_ctx = worker_ctx

    def where(self, actor: dict, dialect: str):
        provider = self._provider
        if provider.enabled:
            entry = provider.cache.get(FilterCache.key(actor, dialect))
            if entry is not None:
                if provider.background:
                    provider.check_soon(self._worker_ctx, actor)
                    return entry.where
                # on the request's own context (its deadline): a failure is the request's, as a compile's
                if provider.checked_version(self._worker_ctx, actor) == entry.version:
                    return entry.where
        return provider.compile(self._worker_ctx, actor, dialect)

    def forget(self, event) -> None:
        self._provider.forget(event)


# Every process of the service receives the event on its own exclusive, auto-deleted queue (the durable
# ``@subscribe`` queue of the same event is shared: one replica gets each event). Nothing to make reliable:
# an event missed while disconnected is caught by the version check.
perimeter_filter_invalidation = event_handler("perimeter", ASSIGNMENTS_CHANGED, handler_type=BROADCAST,
                                              reliable_delivery=False)
