"""notify settings: retention defaults and bounds."""
import pytest

from notify_service.dependencies import load_settings


def test_retention_defaults_and_bounds(monkeypatch):
    for name in ("NOTIFY_RETENTION_DAYS", "NOTIFY_INBOX_RETENTION_DAYS", "NOTIFY_NOTIFY_RETENTION_DAYS",
                 "NOTIFY_NOTIFY_INBOX_RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings({})
    assert (s.retention_days, s.inbox_retention_days) == (180, 30)
    s = load_settings({"NOTIFY_RETENTION_DAYS": "0", "NOTIFY_INBOX_RETENTION_DAYS": "0"})
    assert (s.retention_days, s.inbox_retention_days) == (0, 0)
    monkeypatch.setenv("NOTIFY_INBOX_RETENTION_DAYS", "90")
    assert load_settings({}).inbox_retention_days == 90
    with pytest.raises(RuntimeError, match="at least 7 days"):
        load_settings({"NOTIFY_INBOX_RETENTION_DAYS": "1"})
    with pytest.raises(RuntimeError, match="NOTIFY_RETENTION_DAYS"):
        load_settings({"NOTIFY_RETENTION_DAYS": "-1"})
