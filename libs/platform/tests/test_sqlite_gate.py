"""The embedded SQLite under eventlet: a writer waits for another green thread's write transaction
cooperatively (the hub keeps running) instead of sleeping in SQLite's busy handler, which froze the
whole process until the busy timeout and then failed with "database is locked"."""
import time

import eventlet
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from paraph_platform.db import make_engine
from paraph_platform.sqlite_gate import SqliteWriteGate


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}", shared=False)
    with engine.begin() as conn:
        conn.execute(text("create table t (x integer)"))
    yield engine
    engine.dispose()


class Ticker:
    """The largest pause of the eventlet hub while it runs."""

    def __init__(self):
        self.ticks, self.running = [], True
        self.gt = eventlet.spawn(self._run)

    def _run(self):
        while self.running:
            self.ticks.append(time.monotonic())
            eventlet.sleep(0.02)

    def stop(self) -> float:
        self.running = False
        self.gt.wait()
        return max(b - a for a, b in zip(self.ticks, self.ticks[1:]))


def holder(engine, hold: float, fail: bool = False):
    """A write transaction that yields while it holds SQLite's write lock (like an RPC or a tpool job)."""
    with Session(engine) as s:
        s.execute(text("insert into t values (1)"))
        eventlet.sleep(hold)
        if fail:
            raise RuntimeError("the transaction fails and rolls back")
        s.commit()


def timed_write(engine, value: int, delay: float = 0.1) -> float:
    eventlet.sleep(delay)
    started = time.monotonic()
    with engine.begin() as conn:
        conn.execute(text("insert into t values (:v)"), {"v": value})
    return time.monotonic() - started


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("select count(*) from t")).scalar_one()


def test_a_second_writer_waits_without_freezing_the_hub(engine):
    ticker = Ticker()
    a = eventlet.spawn(holder, engine, 0.6)
    b = eventlet.spawn(timed_write, engine, 2)
    a.wait()
    waited = b.wait()
    gap = ticker.stop()
    assert 0.3 < waited < 5, waited  # it waited for the holder's commit, not for SQLite's 30 s busy timeout
    assert gap < 0.3, f"the hub stopped for {gap:.2f}s"
    assert count(engine) == 2


def test_reads_are_not_held_up_by_a_writer(engine):
    a = eventlet.spawn(holder, engine, 0.8)
    eventlet.sleep(0.1)
    started = time.monotonic()
    assert count(engine) == 0  # WAL: the reader sees the last commit at once
    assert time.monotonic() - started < 0.3
    a.wait()


def test_the_gate_opens_on_rollback_and_on_a_session_closed_without_commit(engine):
    a = eventlet.spawn(holder, engine, 0.3, fail=True)
    b = eventlet.spawn(timed_write, engine, 2)
    with pytest.raises(RuntimeError):
        a.wait()
    assert b.wait() < 5
    with Session(engine) as s:  # closed without commit: the pool resets the connection
        s.execute(text("insert into t values (3)"))
    assert timed_write(engine, 4, delay=0) < 1
    assert count(engine) == 2  # 2 and 4; 1 rolled back, 3 never committed


def test_the_gate_is_reentrant_for_its_holder_and_times_out_for_others():
    gate = SqliteWriteGate(timeout=0.2)
    gate.enter()
    gate.enter()  # the same green thread on a second connection passes (SQLite arbitrates)
    gate.exit()

    def other():
        gate.enter()

    started = time.monotonic()
    with pytest.raises(Exception, match="database is locked"):
        eventlet.spawn(other).wait()
    assert time.monotonic() - started < 2
    gate.exit()
    eventlet.spawn(other).wait()  # free again
