"""SQLAlchemy engine and session provider.

PostgreSQL through psycopg2, made cooperative under eventlet by psycogreen;
SQLite as the embedded default when no DATABASE_URL is set.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

from nameko.extensions import DependencyProvider
from sqlalchemy import DateTime, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

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
            from psycogreen.eventlet import patch_psycopg
            patch_psycopg()
            _patched = True
        except ImportError:  # pragma: no cover - psycogreen is a hard dependency
            pass


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def normalize_url(url: str) -> str:
    """PostgreSQL goes through psycopg2 (psycogreen makes it cooperative; psycopg 3 blocks eventlet)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def make_engine(url: str, *, pool_size: int = 10, shared: bool = True) -> Engine:
    """One engine per URL and process (engines own connection pools)."""
    if shared:
        with _engines_lock:
            engine = _engines.get(url)
            if engine is not None:
                return engine
    if url.startswith("postgres"):
        _maybe_patch_psycopg()
        engine = create_engine(normalize_url(url), pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                               pool_recycle=1800, future=True)
    elif url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               poolclass=NullPool, future=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
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
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def IdColumn():  # noqa: N802 - reads like a type in models
    from sqlalchemy.orm import mapped_column
    return mapped_column(String(36), primary_key=True, default=new_id)


def _mark_written(session, _flush_context):
    session.info["wrote"] = True


def _mark_dml(orm_execute_state):
    if orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        orm_execute_state.session.info["wrote"] = True


class Db:
    """What a worker gets: an engine and a transactional session factory.

    Each worker gets its own view (:meth:`for_worker`) sharing the engine, so
    per-call state (a pending idempotency key) never leaks between workers.
    """

    def __init__(self, engine: Engine, idempotency_model=None, _factory=None):
        self.engine = engine
        self.idempotency_model = idempotency_model
        if _factory is None:
            _factory = sessionmaker(bind=engine, expire_on_commit=False, future=True)
            event.listen(_factory, "after_flush", _mark_written)
            event.listen(_factory, "do_orm_execute", _mark_dml)
        self._factory = _factory
        self.pending_idempotency = None  # (key, method, fingerprint) written with the first commit

    def for_worker(self) -> "Db":
        return Db(self.engine, self.idempotency_model, self._factory)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def session(self):
        """A unit of work: commits on success, rolls back on any exception."""
        session: Session = self._factory()
        try:
            yield session
            if self.pending_idempotency is not None and self.idempotency_model is not None and (
                    session.new or session.dirty or session.deleted or session.info.get("wrote")):
                key, method, fingerprint = self.pending_idempotency
                session.add(self.idempotency_model(key=key, method=method, fingerprint=fingerprint))
                self.pending_idempotency = None
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


class Database(DependencyProvider):
    """Injects a per-worker :class:`Db` bound to the service's DATABASE_URL."""

    def __init__(self, url: str | None = None, idempotency_model=None):
        self.url = url
        self.idempotency_model = idempotency_model
        self.db: Db | None = None

    def setup(self):
        url = self.url or self.container.config.get("DATABASE_URL")
        if not url:
            from .config import database_url
            url = database_url(self.container.service_name)
        self.db = Db(make_engine(url), self.idempotency_model)

    def get_dependency(self, worker_ctx):
        return self.db.for_worker()
