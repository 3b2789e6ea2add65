"""Migrations wait for a PostgreSQL that is starting or full (replicas starting together must not fail the
rollout) but not for one refusing them for good. Concurrent replicas: tests/drills/test_concurrent_migrations.py."""
import pytest
from sqlalchemy.exc import OperationalError

from paraph_platform import migrations


class RefusingEngine:
    """Refuses ``refusals`` connections with ``reason``, then connects."""

    def __init__(self, reason: str, refusals: int):
        self.reason, self.refusals, self.attempts = reason, refusals, 0

    def connect(self):
        self.attempts += 1
        if self.attempts <= self.refusals:
            raise OperationalError("connect", {}, Exception(self.reason))
        return "connection"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(migrations.time, "sleep", lambda seconds: None)


def test_a_full_server_is_waited_for():
    engine = RefusingEngine("FATAL:  sorry, too many clients already", refusals=3)
    assert migrations._connect_patiently(engine) == "connection"
    assert engine.attempts == 4


def test_a_refusal_for_good_is_raised_at_once():
    engine = RefusingEngine('FATAL:  password authentication failed for user "paraph"', refusals=1)
    with pytest.raises(OperationalError, match="password authentication failed"):
        migrations._connect_patiently(engine)
    assert engine.attempts == 1


def test_patience_has_an_end(monkeypatch):
    monkeypatch.setattr(migrations, "CONNECT_PATIENCE", 0.0)
    engine = RefusingEngine("the database system is starting up", refusals=100)
    with pytest.raises(OperationalError, match="starting up"):
        migrations._connect_patiently(engine)
