"""SQLAlchemy engine and session provider.

PostgreSQL through psycopg2, made cooperative under eventlet by psycogreen;
SQLite as the embedded default when no DATABASE_URL is set.

Both keep a pool of open connections. A SQLite connection gets its PRAGMAs (WAL, foreign keys, busy
timeout) once, when it is opened. PostgreSQL connections are not pinged before each use: they are
replaced after ``pool_recycle`` seconds, and a connection found dropped (a server restart, a backend
terminated) invalidates the pool's older ones. ``@endpoint`` then runs once more a read that met it,
or a keyed write call whose first statement did, and answers 503 if the database still cannot be
reached (:mod:`.service`); event handlers retry with their backoff (:mod:`.events`), the outbox relay and the
housekeeping at their next round.

The :class:`Database` provider also keeps the platform's housekeeping tables bounded: a thread of the
container deletes, every hour and in small batches, idempotency keys older than
``IDEMPOTENCY_RETENTION_HOURS`` (48) and handled event ids (``inbox``) older than
``INBOX_RETENTION_DAYS`` (30; ``0`` keeps rows forever).
"""
from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import eventlet
from eventlet.event import Event
from nameko.extensions import DependencyProvider
from sqlalchemy import DateTime, String, create_engine, delete, event, select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool
from sqlalchemy.types import TypeDecorator

from .config import number_setting
from .envelope import as_utc, utcnow  # noqa: F401 (the services take them from here, beside UTCDateTime)
from .health import first_line
from .sqlite_gate import SQLITE_BUSY_SECONDS, install_sqlite_write_gate

log = logging.getLogger(__name__)

_patched = False
_patch_lock = threading.Lock()


def _maybe_patch_psycopg():
    """Make psycopg2 yield to the eventlet hub when the process is monkey patched."""
    global _patched
    with _patch_lock:
        if _patched:
            return
        try:
            import eventlet.patcher
            if not eventlet.patcher.is_monkey_patched("socket"):
                return
            from psycopg2 import extensions
            extensions.set_wait_callback(_wait_cooperatively)
            _patched = True
        except ImportError:  # pragma: no cover - psycogreen is a hard dependency
            pass


def _wait_cooperatively(conn, timeout=-1):
    """psycogreen's wait callback (psycopg2's waits go through the hub), and, while a connection is being opened,
    the hub told that its socket is a new one. libpq closes its sockets without eventlet knowing: a greenthread
    still waiting on a connection closed under it keeps its listener on that descriptor number, and the next
    connection the OS gives the number to failed at once ("Second simultaneous read on fileno N"). Told, the hub
    drops the stale listener (its greenthread gets the closed-socket error it should have had)."""
    from eventlet.hubs import notify_opened
    from psycogreen.eventlet import eventlet_wait_callback
    from psycopg2 import extensions
    if conn.status == extensions.STATUS_SETUP:
        notify_opened(conn.fileno())
    return eventlet_wait_callback(conn, timeout)


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()

PG_RECYCLE_SECONDS = 1800  # below the usual idle-connection cut of proxies and firewalls


def normalize_url(url: str) -> str:
    """PostgreSQL goes through psycopg2 (psycogreen makes it cooperative; psycopg 3 blocks eventlet)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def _sqlite_pool(url: str, pool_size: int) -> dict:
    """A file database: a QueuePool, whose connections any green thread checks out in turn (the pool's
    queue waits cooperatively once the process is monkey patched). Not a SingletonThreadPool: under
    eventlet its "thread" is a green thread, so every worker (a new green thread) would open a
    connection of its own and the pool would close others' to stay in size; unpatched, green threads
    sharing one OS thread would share one connection and interleave their transactions. ``pool_size``
    connections stay open; beyond them a checkout never waits (no overflow limit, as with no pool): a
    green thread holding the write gate may need a second connection while the others hold theirs,
    waiting at the gate. An in-memory database (tests) exists only as long as its one connection: a
    StaticPool shares it."""
    path = url.split("sqlite:///", 1)[-1] if "sqlite:///" in url else ""
    if not path or path == ":memory:" or "mode=memory" in url:
        return {"poolclass": StaticPool}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {"poolclass": QueuePool, "pool_size": pool_size, "max_overflow": -1}


def make_engine(url: str, *, pool_size: int = 10, shared: bool = True) -> Engine:
    """One engine per URL and process (engines own connection pools)."""
    if shared:
        with _engines_lock:
            engine = _engines.get(url)
            if engine is not None:
                return engine
    if url.startswith("postgres"):
        _maybe_patch_psycopg()
        # no pre-ping (a round trip on every checkout): a dropped connection is replaced when found
        engine = create_engine(normalize_url(url), pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False,
                               pool_recycle=PG_RECYCLE_SECONDS, future=True)
    elif url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
                               future=True, **_sqlite_pool(url, pool_size))

        @event.listens_for(engine, "connect")  # once per connection: pooled connections keep them
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
            cur.close()

        install_sqlite_write_gate(engine)
    else:
        engine = create_engine(url, future=True)
    if shared:
        with _engines_lock:
            _engines.setdefault(url, engine)
            return _engines[url]
    return engine


def dispose_engines():
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes everywhere, stored as UTC (also on SQLite)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return as_utc(value).astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        return as_utc(value)


def new_id() -> str:
    return str(uuid.uuid4())


def created_at_of_row(context) -> datetime:
    """``updated_at``'s default: a new row was last updated when it was created, to the microsecond. Each column
    calling utcnow() put updated_at a few microseconds before created_at, a row changed before it existed to an
    integrator syncing by updated_at. SQLAlchemy fills a row's defaults in column order: created_at, declared
    first, is already among the row's parameters."""
    return context.get_current_parameters().get("created_at") or utcnow()


def as_of(value=None) -> datetime:
    """The time a scan runs as of: now, or the ISO 8601 date-time operations and tests ask for (UTC when it
    has no offset); anything else is a 422."""
    if not value:
        return utcnow()
    from .errors import InvalidInput
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("now must be an ISO 8601 date-time") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


def IdColumn():  # noqa: N802 - reads like a type in models
    from sqlalchemy.orm import mapped_column
    return mapped_column(String(36), primary_key=True, default=new_id)


class _SharedTransaction:
    """The one transaction of a :meth:`Db.one_transaction` block (its session is opened lazily)."""

    def __init__(self):
        self.session: Session | None = None
        self.depth = 0  # session blocks currently open in it
        # a block other than a read-only one completed: a later block's failure must not undo it (a savepoint);
        # before that, rolling back the whole transaction loses nothing
        self.holds_writes = False


def _database_transaction_open(session: Session) -> bool:
    """Is a database transaction open on this session, so that a SAVEPOINT nests inside it? On SQLite
    (pysqlite opens the transaction at the first write), a SAVEPOINT outside one would start it, and
    releasing that savepoint would commit."""
    if not session.in_transaction():
        return False
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        return bool(conn.connection.dbapi_connection.in_transaction)
    return True


class Db:
    """What a worker gets: an engine and a transactional session factory.

    Each worker gets its own view (:meth:`for_worker`) sharing the engine, so
    per-call state (a shared write-call transaction) never leaks between workers.
    """

    def __init__(self, engine: Engine, idempotency_model=None, _factory=None):
        self.engine = engine
        self.idempotency_model = idempotency_model
        if _factory is None:
            _factory = sessionmaker(bind=engine, expire_on_commit=False, future=True)
        self._factory = _factory
        self._shared: _SharedTransaction | None = None
        # set before this worker's first commit: a connection dropped from then on may have committed, so the
        # call is not run again (a "read" endpoint may write: a login counts an attempt, a refresh spends a token)
        self.commit_attempted = False

    def for_worker(self) -> "Db":
        return Db(self.engine, self.idempotency_model, self._factory)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def session(self, *, savepoint: bool = True, reads_only: bool = False):
        """A unit of work: commits on success, rolls back on any exception (inside
        :meth:`one_transaction`: a savepoint of the shared transaction instead, taken once the transaction holds
        a block's work; each SAVEPOINT and its RELEASE are a round trip to the database).

        Inside :meth:`one_transaction` only: ``savepoint=False`` for a block whose failure fails the whole
        transaction anyway (no savepoint of its own); ``reads_only=True`` for a block that writes nothing (a
        later block needs no savepoint to keep it)."""
        if self._shared is not None:
            with self._shared_session(savepoint=savepoint, reads_only=reads_only) as session:
                yield session
            return
        session: Session = self._factory()
        try:
            yield session
            self.commit_attempted = True
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def one_transaction(self, keep_on_error=lambda exc: False):
        """Every :meth:`session` block opened inside shares one transaction, committed once at the end
        and rolled back as a whole on an exception, so what a write call does and its stored result are
        committed together or not at all. Each block keeps its own all-or-nothing (a savepoint once the
        transaction holds writes) and, as before, hands back detached objects at its end.

        An exception for which ``keep_on_error(exc)`` is true still commits the blocks that completed
        before it (a deliberate refusal that must leave a trace: a failed attempt counted, a code sent)."""
        if self._shared is not None:  # already inside one: simply part of it
            yield
            return
        shared = self._shared = _SharedTransaction()
        try:
            yield
            if shared.session is not None:
                shared.session.commit()
        except BaseException as exc:
            if shared.session is not None:
                if isinstance(exc, Exception) and keep_on_error(exc):
                    try:
                        shared.session.commit()
                    except Exception:  # noqa: BLE001 - the refusal is the answer; its trace is lost
                        log.warning("could not commit the work done before %r", exc, exc_info=True)
                        shared.session.rollback()
                else:
                    shared.session.rollback()
            raise
        finally:
            self._shared = None
            if shared.session is not None:
                shared.session.close()

    @contextlib.contextmanager
    def _shared_session(self, *, savepoint: bool, reads_only: bool):
        shared = self._shared
        if shared.session is None:
            shared.session = self._factory()
        session = shared.session
        nested = (session.begin_nested()
                  if savepoint and shared.holds_writes and _database_transaction_open(session) else None)
        shared.depth += 1
        try:
            yield session
            if nested is not None and nested.is_active:
                nested.commit()
            else:  # errors show up in the block that caused them, as its commit used to
                session.flush()
            shared.holds_writes = shared.holds_writes or not reads_only
        except BaseException:
            if nested is None:
                # nothing to keep was done before this block (or the transaction fails with it)
                session.rollback()
                shared.holds_writes = False
            elif nested.is_active:
                nested.rollback()
            raise
        finally:
            shared.depth -= 1
            if shared.depth == 0:
                session.expunge_all()


HOUSEKEEPING_INTERVAL = 3600.0   # seconds between two purges of the housekeeping tables
HOUSEKEEPING_BATCH = 500         # rows deleted per (short) transaction
MIN_INBOX_RETENTION_DAYS = 7     # an event parked in a dead-letter queue may be replayed that late


def purge_rows(db: Db, table, conditions: tuple, oldest_first, batch: int = HOUSEKEEPING_BATCH,
               keep_going=lambda: True) -> int:
    """Delete the rows of ``table`` matching ``conditions``, oldest first, ``batch`` rows per transaction
    (on PostgreSQL, rows locked by someone else are skipped until the next run)."""
    keys = tuple(table.primary_key.columns)
    deleted = 0
    while True:
        with db.engine.begin() as conn:
            q = select(*keys).where(*conditions).order_by(oldest_first).limit(batch)
            if db.dialect == "postgresql":
                q = q.with_for_update(skip_locked=True)
            found = [tuple(row) for row in conn.execute(q)]
            if found:
                match = keys[0].in_([k[0] for k in found]) if len(keys) == 1 else tuple_(*keys).in_(found)
                deleted += conn.execute(delete(table).where(match, *conditions)).rowcount
        if len(found) < batch or not keep_going():
            return deleted
        eventlet.sleep(0)


def purge_housekeeping(db: Db, idempotency_table, inbox_table, *, idempotency_hours: float, inbox_days: float,
                       now: datetime | None = None, batch: int = HOUSEKEEPING_BATCH,
                       keep_going=lambda: True) -> dict[str, int]:
    """Delete idempotency keys older than ``idempotency_hours`` and inbox rows older than ``inbox_days``
    (0 = keep forever; a table that is None is skipped); returns how many rows of each were deleted."""
    now = now or utcnow()
    counts = {"idempotency_keys": 0, "inbox": 0}
    if idempotency_table is not None and idempotency_hours > 0:
        created_at = idempotency_table.c.created_at
        counts["idempotency_keys"] = purge_rows(db, idempotency_table,
                                                (created_at < now - timedelta(hours=idempotency_hours),),
                                                created_at, batch, keep_going)
    if inbox_table is not None and inbox_days > 0 and keep_going():
        processed_at = inbox_table.c.processed_at
        counts["inbox"] = purge_rows(db, inbox_table, (processed_at < now - timedelta(days=inbox_days),),
                                     processed_at, batch, keep_going)
    return counts


def _retention(config: dict, name: str, from_env: float) -> float:
    """The container config wins (tests pass settings that way), then the environment."""
    return number_setting(name, config.get(name), from_env)


class Database(DependencyProvider):
    """Injects a per-worker :class:`Db` bound to the service's DATABASE_URL.

    With an ``idempotency_model``, it also runs the housekeeping thread of the container (see the
    module docstring): one per database and container, whatever the number of workers.
    """

    def __init__(self, url: str | None = None, idempotency_model=None):
        self.url = url
        self.idempotency_model = idempotency_model
        self.db: Db | None = None
        self.idempotency_retention_hours = 0.0
        self.inbox_retention_days = 0.0
        self.housekeeping_interval = HOUSEKEEPING_INTERVAL
        self._stopping = False
        self._stopped: Event | None = None
        self._gt = None

    def setup(self):
        url = self.url or self.container.config.get("DATABASE_URL")
        if not url:
            from .config import database_url
            url = database_url(self.container.service_name)
        self.db = Db(make_engine(url), self.idempotency_model)
        if self.idempotency_model is not None:
            self._load_retention()

    def _load_retention(self):
        from .config import env_float
        service, config = self.container.service_name, self.container.config
        hours = _retention(config, "IDEMPOTENCY_RETENTION_HOURS",
                           env_float("IDEMPOTENCY_RETENTION_HOURS", 48.0, service))
        days = _retention(config, "INBOX_RETENTION_DAYS", env_float("INBOX_RETENTION_DAYS", 30.0, service))
        if hours < 0:
            raise RuntimeError("IDEMPOTENCY_RETENTION_HOURS must be 0 (keep forever) or positive")
        if days < 0 or 0 < days < MIN_INBOX_RETENTION_DAYS:
            raise RuntimeError(f"INBOX_RETENTION_DAYS must be 0 (keep forever) or at least "
                               f"{MIN_INBOX_RETENTION_DAYS} days (an event parked in a dead-letter queue may be "
                               f"replayed)")
        self.idempotency_retention_hours, self.inbox_retention_days = hours, days

    @property
    def idempotency_table(self):
        return None if self.idempotency_model is None else self.idempotency_model.__table__

    @property
    def inbox_table(self):
        return None if self.idempotency_model is None else self.idempotency_model.metadata.tables.get("inbox")

    def _runs_housekeeping(self) -> bool:
        """Only the first (by attribute name) Database provider of the container on this database does."""
        if self.idempotency_model is None or not (self.idempotency_retention_hours or self.inbox_retention_days):
            return False
        url = self.db.engine.url
        same = [ext for ext in self.container.dependencies
                if isinstance(ext, Database) and ext.idempotency_model is not None and ext.db is not None
                and ext.db.engine.url == url]
        return min(same, key=lambda ext: ext.attr_name or "") is self

    def start(self):
        self._stopping = False
        if self._runs_housekeeping():
            self._stopped = Event()
            self._gt = self.container.spawn_managed_thread(self._housekeeping_loop, identifier="db-housekeeping")

    def stop(self):
        self._stopping = True  # a purge in progress ends after its current batch
        if self._stopped is not None and not self._stopped.ready():
            self._stopped.send(True)
        if self._gt is not None:
            try:
                self._gt.wait()
            except Exception:  # pragma: no cover
                pass
            self._gt = None

    def kill(self):
        self._stopping = True
        if self._gt is not None:
            self._gt.kill()
            self._gt = None

    def housekeep(self) -> dict[str, int] | None:
        """One purge of the housekeeping tables; an error is logged (the next run retries), never raised."""
        try:
            counts = purge_housekeeping(self.db, self.idempotency_table, self.inbox_table,
                                        idempotency_hours=self.idempotency_retention_hours,
                                        inbox_days=self.inbox_retention_days,
                                        keep_going=lambda: not self._stopping)
        except Exception as exc:  # noqa: BLE001 - housekeeping retries next hour
            log.warning("%s: purge of idempotency keys and inbox failed (retried in %.0fs): %s",
                        self.container.service_name, self.housekeeping_interval, first_line(exc),
                        exc_info=log.isEnabledFor(logging.DEBUG))  # one line; the traceback at DEBUG
            return None
        if any(counts.values()):
            log.info("%s: purged %s", self.container.service_name, counts)
        return counts

    def _housekeeping_loop(self):
        while not self._stopping:
            self.housekeep()
            with eventlet.Timeout(self.housekeeping_interval, False):
                self._stopped.wait()

    def get_dependency(self, worker_ctx):
        return self.db.for_worker()
