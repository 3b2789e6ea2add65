"""Purge of the housekeeping tables (idempotency keys, inbox) by the Database provider: old rows go in
bounded batches, recent ones stay, 0 keeps everything; on PostgreSQL and on the embedded SQLite."""
import logging
import time
from datetime import timedelta

import eventlet
import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import DeclarativeBase

from paraph_platform.db import Database, Db, make_engine, purge_housekeeping, utcnow
from paraph_platform.models import IdempotencyKeyMixin, InboxMixin

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


class Base(DeclarativeBase):
    pass


class Inbox(InboxMixin, Base):
    pass


class IdempotencyKey(IdempotencyKeyMixin, Base):
    pass


def seed(db) -> dict[str, set]:
    """5 old and 2 recent keys (retention 48h), 4 old and 2 recent inbox rows (retention 30 days)."""
    now = utcnow()
    keys = [(f"old{i}", now - (49 + i * 10) * HOUR) for i in range(5)] + [("new0", now - 47 * HOUR),
                                                                          ("new1", now - HOUR)]
    events = [(f"old{i}", now - (31 + i) * DAY) for i in range(4)] + [("new0", now - 29 * DAY),
                                                                      ("new1", now - DAY)]
    with db.session() as s:
        s.add_all(IdempotencyKey(key=k, method="svc.create", fingerprint="f", result={"ok": 1}, created_at=at)
                  for k, at in keys)
        s.add_all(Inbox(event_id=e, consumer="svc.on_thing", processed_at=at) for e, at in events)
    return {"keys": {k for k, _ in keys}, "events": {e for e, _ in events}}


def remaining(db) -> dict[str, set]:
    with db.session() as s:
        return {"keys": set(s.execute(select(IdempotencyKey.key)).scalars()),
                "events": set(s.execute(select(Inbox.event_id)).scalars())}


def purge(db, hours=48, days=30, batch=2):
    return purge_housekeeping(db, IdempotencyKey.__table__, Inbox.__table__, idempotency_hours=hours,
                              inbox_days=days, batch=batch)


@pytest.fixture
def pg(make_db):
    url = make_db("housekeeping", migrate=False)
    engine = make_engine(url, shared=False)
    Base.metadata.create_all(engine)
    yield Db(engine)
    engine.dispose()


@pytest.mark.integration
def test_old_rows_are_deleted_in_batches_recent_ones_kept(pg):
    seed(pg)
    commits = []
    event.listen(pg.engine, "commit", lambda conn: commits.append(1))
    assert purge(pg, batch=2) == {"idempotency_keys": 5, "inbox": 4}
    assert len(commits) == 3 + 3  # 2 + 2 + 1 keys, 2 + 2 + 0 inbox rows: one short transaction per batch
    assert remaining(pg) == {"keys": {"new0", "new1"}, "events": {"new0", "new1"}}
    assert purge(pg) == {"idempotency_keys": 0, "inbox": 0}


@pytest.mark.integration
def test_zero_keeps_everything(pg):
    rows = seed(pg)
    assert purge(pg, hours=0, days=0) == {"idempotency_keys": 0, "inbox": 0}
    assert remaining(pg) == rows


@pytest.mark.integration
def test_rows_locked_by_another_instance_are_skipped_until_the_next_run(pg):
    seed(pg)
    with pg.engine.connect() as other:
        other.execute(text("select key from idempotency_keys where key = 'old0' for update"))
        assert purge(pg, batch=500) == {"idempotency_keys": 4, "inbox": 4}  # does not wait for the lock
        other.rollback()
    assert remaining(pg)["keys"] == {"old0", "new0", "new1"}
    assert purge(pg)["idempotency_keys"] == 1


class Service:
    name = "housekeeping_test"
    db = Database(idempotency_model=IdempotencyKey)
    other = Database(idempotency_model=IdempotencyKey)  # same database: only one of them purges


def test_the_container_purges_at_start_on_sqlite_with_one_provider_only(container_factory, tmp_path):
    url = f"sqlite:///{tmp_path / 'housekeeping.db'}"
    engine = make_engine(url, shared=False)
    Base.metadata.create_all(engine)
    db = Db(engine)
    seed(db)
    container = container_factory(Service, {"DATABASE_URL": url, "IDEMPOTENCY_RETENTION_HOURS": "48",
                                            "INBOX_RETENTION_DAYS": "30"})
    container.start()
    providers = sorted((ext for ext in container.extensions if isinstance(ext, Database)), key=lambda e: e.attr_name)
    assert [p.attr_name for p in providers] == ["db", "other"]
    assert providers[0]._gt is not None and providers[1]._gt is None
    deadline = time.monotonic() + 10
    while remaining(db) != {"keys": {"new0", "new1"}, "events": {"new0", "new1"}} and time.monotonic() < deadline:
        eventlet.sleep(0.05)
    assert remaining(db) == {"keys": {"new0", "new1"}, "events": {"new0", "new1"}}
    container.stop()  # the thread sleeping until the next hour ends at once
    assert providers[0]._gt is None
    engine.dispose()


def test_a_failing_purge_is_logged_and_retried_never_raised(container_factory, tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'empty.db'}"  # no tables: every purge fails
    container = container_factory(Service, {"DATABASE_URL": url})
    container.start()
    provider = next(ext for ext in container.extensions if isinstance(ext, Database) and ext._gt is not None)
    assert provider.housekeep() is None
    assert "purge of idempotency keys and inbox failed" in caplog.text
    container.stop()


@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
def test_a_purge_failing_on_a_database_down_is_one_warning_line_with_the_traceback_at_debug(container_factory, caplog,
                                                                                            level):
    """Operators grep the logs by line: psycopg2's hint and SQLAlchemy's link made three of it."""
    container = container_factory(Service, {"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/paraph_down"})
    with caplog.at_level(level, logger="paraph_platform.db"):
        container.start()
        provider = next(ext for ext in container.extensions if isinstance(ext, Database) and ext._gt is not None)
        caplog.clear()
        assert provider.housekeep() is None
        container.stop()
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = record.getMessage()  # psycopg2's first line: "Connection refused" (green connect) or longer
    assert message.startswith("housekeeping_test: purge of idempotency keys and inbox failed (retried in 3600s): "
                              "OperationalError: ") and message.endswith("Connection refused"), message
    assert "\n" not in message
    assert bool(record.exc_info) is (level == logging.DEBUG)


@pytest.mark.parametrize("config, message", [
    ({"INBOX_RETENTION_DAYS": "3"}, "INBOX_RETENTION_DAYS must be 0 .keep forever. or at least 7 days"),
    ({"INBOX_RETENTION_DAYS": "-1"}, "INBOX_RETENTION_DAYS"),
    ({"IDEMPOTENCY_RETENTION_HOURS": "-1"}, "IDEMPOTENCY_RETENTION_HOURS"),
    ({"IDEMPOTENCY_RETENTION_HOURS": "two days"}, "IDEMPOTENCY_RETENTION_HOURS must be a number"),
])
def test_unsafe_retentions_are_refused_at_startup(container_factory, tmp_path, config, message):
    container = container_factory(Service, {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **config})
    with pytest.raises(RuntimeError, match=message):
        container.start()


@pytest.mark.parametrize("hours, days, purges", [("0", "0", False), ("48", "7", True), ("0", "30", True)])
def test_accepted_retentions(container_factory, tmp_path, hours, days, purges):
    container = container_factory(Service, {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                                            "IDEMPOTENCY_RETENTION_HOURS": hours, "INBOX_RETENTION_DAYS": days})
    container.start()
    provider = next(ext for ext in container.extensions if getattr(ext, "attr_name", None) == "db")
    assert (provider._gt is not None) is purges  # both 0: nothing to purge, no thread at all
    container.stop()
