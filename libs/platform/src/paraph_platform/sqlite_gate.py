"""One write transaction at a time per embedded SQLite database, waited for cooperatively under eventlet
(installed on every SQLite engine by paraph_platform.db.make_engine)."""
from __future__ import annotations

import threading

from greenlet import getcurrent
from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_SECONDS = 30.0
_GATE_KEY = "paraph_sqlite_write_gate"
_READS = ("SELECT", "PRAGMA", "EXPLAIN")


class SqliteWriteGate:
    """One write transaction at a time per SQLite database in this process, waited for cooperatively.

    SQLite lets one connection write at a time; a second writer waits in SQLite's busy handler, which
    sleeps in C. Under eventlet that sleep freezes the whole process (hub, heartbeats, every other green
    thread), so a transaction that yielded while holding the write lock (an RPC, a tpool job, socket I/O)
    can never finish: the service stalls for the busy timeout, then the second writer fails with
    "database is locked". Here a writer first waits at this gate, a green-aware semaphore, so the hub
    keeps running and the holder commits. A green thread that already holds the gate (a second
    connection of its own) passes through, leaving SQLite to arbitrate as before. Reads are not gated
    (WAL). PostgreSQL is not concerned: psycogreen makes its waits cooperative."""

    def __init__(self, timeout: float = SQLITE_BUSY_SECONDS):
        self.timeout = timeout
        self._sem = threading.Semaphore(1)  # green once the process is monkey patched
        self._holder = None
        self._depth = 0

    def enter(self):
        me = getcurrent()  # the green thread (or a thread's main greenlet)
        if self._holder is me:
            self._depth += 1
            return
        if not self._sem.acquire(timeout=self.timeout):
            import sqlite3
            raise sqlite3.OperationalError(
                f"database is locked (another write transaction of this process held it for {self.timeout:.0f}s)")
        self._holder, self._depth = me, 1

    def exit(self):
        self._depth -= 1
        if self._depth <= 0:
            self._holder, self._depth = None, 0
            self._sem.release()


def install_sqlite_write_gate(engine: Engine):
    """Every write transaction on ``engine`` (a SQLite database) passes a :class:`SqliteWriteGate` first."""
    gate = SqliteWriteGate()

    @event.listens_for(engine, "before_cursor_execute")
    def _enter(conn, _cursor, statement, _parameters, _context, _executemany):
        if conn.info.get(_GATE_KEY) or statement.lstrip()[:7].upper().startswith(_READS):
            return
        gate.enter()
        conn.info[_GATE_KEY] = True

    def _leave(info):
        if info.pop(_GATE_KEY, False):
            gate.exit()

    # the engine's commit/rollback events come right before the DBAPI call, with no yield in between
    event.listen(engine, "commit", lambda conn: _leave(conn.info))
    event.listen(engine, "rollback", lambda conn: _leave(conn.info))
    # a connection handed back, closed or invalidated without either (the pool resets it)
    for name in ("checkin", "close", "invalidate", "soft_invalidate"):
        event.listen(engine.pool, name, lambda _dbapi_conn, record, *_: _leave(record.info))
