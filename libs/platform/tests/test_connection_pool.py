"""Connection pools (paraph_platform.db.make_engine) and the calls that meet a dropped connection.

* the embedded SQLite keeps its connections open: a call reuses one, whose PRAGMAs ran once, when it
  was opened;
* PostgreSQL connections are not pinged before each use: when the server dropped them (a restart, an
  administrator terminating backends), the next call fails on its first statement, and ``@endpoint``
  runs it once more on a new connection instead of answering 500; a database that cannot be reached at
  all is a 503 (retry later), not a 500.
"""
from __future__ import annotations

import pytest
from sqlalchemy import String, create_engine, event, func, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool, QueuePool, StaticPool

from paraph_platform.db import Db, make_engine, normalize_url
from paraph_platform.errors import Unavailable
from paraph_platform.idempotency import IDEMPOTENCY_KEY
from paraph_platform.models import IdempotencyKeyMixin
from paraph_platform.service import endpoint


class Base(DeclarativeBase):
    pass


class IdempotencyKey(IdempotencyKeyMixin, Base):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)


class Notes:
    """A service as nameko builds it for one worker."""
    name = "notes"

    def __init__(self, db: Db, key: str | None = None):
        self.db = db.for_worker()
        self.ctx = {IDEMPOTENCY_KEY: key} if key else {}

    @endpoint(write=True)
    def add(self, note_id):
        with self.db.session() as s:
            s.add(Note(id=note_id))
        return {"id": note_id}

    @endpoint
    def count(self):
        with self.db.session() as s:
            return s.execute(select(func.count()).select_from(Note)).scalar_one()

    @endpoint
    def add_then_count(self, note_id, drop):
        """An endpoint without ``write=True`` that commits (a login counting an attempt), then reads."""
        with self.db.session() as s:
            s.add(Note(id=note_id))
        drop()
        return self.count.__wrapped__(self)


def test_sqlite_connections_are_pooled_and_their_pragmas_run_once_per_connection(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'notes.db'}", shared=False)
    assert isinstance(engine.pool, QueuePool)
    pragmas = []

    @event.listens_for(engine, "connect", insert=True)  # before the PRAGMAs of make_engine
    def trace(dbapi_conn, _record):
        # the PRAGMAs that set something (not SQLAlchemy's reads of the schema and settings)
        dbapi_conn.set_trace_callback(lambda sql: pragmas.append(sql) if sql.startswith("PRAGMA") and "=" in sql
                                      else None)
    Base.metadata.create_all(engine)
    db = Db(engine, IdempotencyKey)
    for i in range(20):
        Notes(db, f"key-{i}").add(f"note-{i}")
        assert Notes(db).count() == i + 1
    assert engine.pool.checkedout() == 0
    # one connection for 40 calls (before: a new connection and 3 PRAGMAs per session, 3 per write call)
    assert pragmas == ["PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=30000"]
    with engine.connect() as conn:  # the reused connection still has them
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    engine.dispose()


def test_an_in_memory_sqlite_database_is_one_shared_connection():
    engine = make_engine("sqlite://", shared=False)
    assert isinstance(engine.pool, StaticPool)
    Base.metadata.create_all(engine)
    db = Db(engine, IdempotencyKey)
    Notes(db, "k").add("n1")
    assert Notes(db).count() == 1  # the same database, not a new empty one per connection
    engine.dispose()


def terminate_backends(url: str) -> int:
    """What a PostgreSQL restart or an administrator does to the service's open connections."""
    admin = create_engine(normalize_url(url), poolclass=NullPool, future=True)
    try:
        with admin.begin() as conn:
            return len(conn.execute(text("select pg_terminate_backend(pid) from pg_stat_activity "
                                         "where datname = current_database() and pid <> pg_backend_pid()")).all())
    finally:
        admin.dispose()


@pytest.fixture
def pg(make_db):
    url = make_db("notes", migrate=False)
    engine = make_engine(url, shared=False)
    assert engine.pool._pre_ping is False
    Base.metadata.create_all(engine)
    yield url, Db(engine, IdempotencyKey)
    engine.dispose()


def test_a_write_call_after_the_servers_connections_were_dropped_runs_on_a_new_one(pg, caplog):
    url, db = pg
    assert Notes(db, "key-1").add("n1") == {"id": "n1"}
    assert terminate_backends(url) >= 1  # the pooled connection of the call above
    assert Notes(db, "key-2").add("n2") == {"id": "n2"}  # before: 500 (OperationalError), or a pre-ping
    assert "database connection was dropped" in caplog.text
    assert Notes(db, "key-2").add("n2") == {"id": "n2"}  # stored once: replayed
    assert Notes(db).count() == 2


def test_a_read_after_the_servers_connections_were_dropped_runs_on_a_new_one(pg, caplog):
    url, db = pg
    assert Notes(db).count() == 0
    assert terminate_backends(url) >= 1
    assert Notes(db).count() == 0
    assert "database connection was dropped" in caplog.text


def test_a_call_that_committed_is_not_run_again_after_a_dropped_connection(pg):
    """Running it again would commit twice (a second attempt counted, a single-use token spent twice): the
    caller gets a 503 and decides."""
    from paraph_platform.errors import Unavailable
    url, db = pg
    assert Notes(db).count() == 0  # a pooled connection, to be dropped between the commit and the read
    notes = Notes(db)
    with pytest.raises(Unavailable):
        notes.add_then_count("n1", drop=lambda: terminate_backends(url))
    assert Notes(db).count() == 1


def test_a_postgresql_call_costs_no_ping(pg, monkeypatch):
    _url, db = pg
    pings = []
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda dbapi_conn: pings.append(1) or True)
    for i in range(5):
        Notes(db, f"key-{i}").add(f"n{i}")
        Notes(db).count()
    assert pings == []  # before: one "SELECT 1" round trip per checkout, 10 here


def test_a_database_that_cannot_be_reached_is_a_503_not_a_500():
    engine = make_engine("postgresql://postgres@127.0.0.1:1/nowhere", shared=False)  # nothing listens there
    db = Db(engine, IdempotencyKey)
    with pytest.raises(Unavailable, match="database cannot be reached"):
        Notes(db).count()
    with pytest.raises(Unavailable):
        Notes(db, "key-1").add("n1")
    engine.dispose()


def test_a_connection_opened_on_the_number_of_a_socket_closed_under_a_waiting_greenthread_works(pg):
    """libpq closes its sockets without eventlet knowing: a greenthread left waiting on a closed descriptor
    kept the hub's listener on its number, and the next connection given that number failed at once
    ("Second simultaneous read on fileno N", seen in a test's database creation). Opening a connection tells
    the hub its socket is new, as eventlet's own sockets do: the connection works and the stale waiter gets
    the closed-socket error."""
    import os
    import socket

    import eventlet
    import psycopg2
    from eventlet.hubs import IOClosed, trampoline

    url, _db = pg  # its engine installed the wait callback
    left, right = socket.socketpair()
    stale_number = left.fileno()

    def wait_for_a_read():
        try:
            trampoline(stale_number, read=True)
        except IOClosed:  # what eventlet's own sockets get when their descriptor is obsolete
            return "told its socket is closed"

    waiter = eventlet.spawn(wait_for_a_read)
    eventlet.sleep(0)  # the waiter's listener is in the hub
    os.close(left.detach())  # closed the way libpq closes: the hub is not told
    right.close()
    conn = psycopg2.connect(url)
    try:
        assert conn.fileno() == stale_number  # the OS gave the lowest free number back
        with conn.cursor() as cur:
            cur.execute("select 1")
            assert cur.fetchone() == (1,)
    finally:
        conn.close()
    assert waiter.wait() == "told its socket is closed"
