"""The perimeter filter cache (paraph_platform.filter_cache.FilterCache) on its own: what it keeps, what an
event or a check drops, and that a compile result older than a version already seen is never stored (the
services-level tests are in services/contracts/tests/integration/test_perimeter_filter_cache.py)."""
from __future__ import annotations

import pytest

from paraph_platform.config import ConfigError
from paraph_platform.filter_cache import FilterCache, check_mode

ALICE = {"license_id": "L1", "user_id": "alice", "role": "user"}
PG = FilterCache.key(ALICE, "postgresql")
LITE = FilterCache.key(ALICE, "sqlite")


def test_an_entry_is_kept_per_user_role_and_dialect():
    cache = FilterCache()
    assert cache.store(PG, "scope.perimeter_id = 'n'", 1)
    assert cache.get(PG).where == "scope.perimeter_id = 'n'" and cache.get(PG).version == 1
    assert cache.get(LITE) is None
    assert cache.get(FilterCache.key({**ALICE, "role": "front_user_manager"}, "postgresql")) is None
    assert cache.get(FilterCache.key({**ALICE, "license_id": "L2"}, "postgresql")) is None


def test_an_event_drops_every_entry_of_the_user_older_than_its_version():
    cache = FilterCache()
    cache.store(PG, "a", 1)
    cache.store(LITE, "a", 1)
    cache.store(("L1", "bob", "user", "postgresql"), "b", 1)
    cache.forget("L1", "alice", 2)
    assert cache.get(PG) is None and cache.get(LITE) is None
    assert cache.get(("L1", "bob", "user", "postgresql")).where == "b"
    # an entry compiled after the change (stored before its event arrived) is current: kept
    cache.store(PG, "c", 3)
    cache.forget("L1", "alice", 3)
    assert cache.get(PG).where == "c"
    cache.forget("L1", "alice")  # no version (a failed check): everything of the user goes
    assert cache.get(PG) is None


def test_a_compile_result_older_than_a_known_version_is_not_stored():
    """The race: compile_filter read version 1, the change to 2 and its event arrived before its answer."""
    cache = FilterCache()
    cache.forget("L1", "alice", 2)
    assert not cache.store(PG, "stale", 1) and cache.get(PG) is None
    assert cache.store(PG, "current", 2)
    assert not cache.store(PG, "older", 1) and cache.get(PG).where == "current"
    # a check seeing a newer version also raises the bar
    cache.checked("L1", "alice", 5)
    assert cache.get(PG) is None
    assert not cache.store(PG, "from v4", 4)


def test_a_check_keeps_a_current_entry_and_drops_a_stale_one():
    cache = FilterCache()
    cache.store(PG, "a", 3)
    cache.checked("L1", "alice", 3)
    assert cache.get(PG).where == "a"
    cache.checked("L1", "alice", 4)
    assert cache.get(PG) is None


def test_one_check_at_a_time_per_user():
    cache = FilterCache()
    assert cache.start_check("L1", "alice")
    assert not cache.start_check("L1", "alice")
    assert cache.start_check("L1", "bob")
    cache.end_check("L1", "alice")
    assert cache.start_check("L1", "alice")


def test_least_recently_used_entries_go_first():
    cache = FilterCache(size=2)
    cache.store(("L", "u1", "user", "pg"), "1", 0)
    cache.store(("L", "u2", "user", "pg"), "2", 0)
    cache.get(("L", "u1", "user", "pg"))
    cache.store(("L", "u3", "user", "pg"), "3", 0)
    assert len(cache) == 2
    assert cache.get(("L", "u2", "user", "pg")) is None
    assert cache.get(("L", "u1", "user", "pg")).where == "1"
    cache.forget("L", "u1", 1)
    cache.forget("L", "u3", 1)
    assert len(cache) == 0 and not cache._keys  # no bookkeeping left behind


def test_the_check_mode_is_sync_unless_background(monkeypatch):
    monkeypatch.delenv("PERIMETER_FILTER_CHECK", raising=False)
    assert check_mode() == "sync"
    monkeypatch.setenv("PERIMETER_FILTER_CHECK", " Background ")
    assert check_mode() == "background"
    monkeypatch.setenv("PERIMETER_FILTER_CHECK", "lazy")
    with pytest.raises(ConfigError, match="PERIMETER_FILTER_CHECK"):
        check_mode()
