"""notify settings: retention defaults and bounds (the inbox retention is the platform's INBOX_RETENTION_DAYS)."""
import pytest

from notify_service.dependencies import load_settings


def test_retention_defaults_and_bounds(monkeypatch):
    for name in ("NOTIFY_RETENTION_DAYS", "NOTIFY_NOTIFY_RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)
    assert load_settings({}).retention_days == 180
    assert load_settings({"NOTIFY_RETENTION_DAYS": "0"}).retention_days == 0
    monkeypatch.setenv("NOTIFY_RETENTION_DAYS", "90")
    assert load_settings({}).retention_days == 90
    with pytest.raises(RuntimeError, match="NOTIFY_RETENTION_DAYS"):
        load_settings({"NOTIFY_RETENTION_DAYS": "-1"})
    assert not hasattr(load_settings({}), "inbox_retention_days")  # one setting: INBOX_RETENTION_DAYS
