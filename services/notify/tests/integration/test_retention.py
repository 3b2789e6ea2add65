"""Retention on the real databases (PostgreSQL, embedded SQLite): final notifications and final webhook
deliveries past their retention are purged in batches; recent rows and deliveries still in progress are
kept. Inbox rows are left to the platform's purge (INBOX_RETENTION_DAYS, paraph_platform.db.Database)."""
import time
from datetime import timedelta
from types import SimpleNamespace

import eventlet
import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select

from notify_service import retention
from notify_service.models import Inbox, Notification, WebhookDelivery, WebhookSubscription
from paraph_platform.db import Db, make_engine, utcnow
from paraph_platform.migrations import upgrade

pytestmark = pytest.mark.integration

DAY = timedelta(days=1)


def seed(db) -> dict[str, set]:
    """Rows of every kind, old and recent; returns the ids that must survive and those that must go."""
    now = utcnow()
    keep, purge = {"n": set(), "d": set(), "i": set()}, {"n": set(), "d": set(), "i": set()}
    with db.session() as s:
        sub = WebhookSubscription(license_id="lic", url="https://hooks.example.com/x", event_types=["*"],
                                  secret="whsec_x", created_at=now - 400 * DAY, updated_at=now)
        s.add(sub)
        s.flush()
        notifications = [("sent", 200, purge)] * 5 + [("failed", 181, purge), ("sent", 179, keep),
                                                       ("failed", 10, keep), ("queued", 200, keep),
                                                       ("sending", 200, keep)]
        for i, (status, age, bucket) in enumerate(notifications):
            n = Notification(channel="email", template="invitation", locale="fr", recipient=f"u{i}@x.test",
                             status=status, dedupe_key=f"k{i}", delivery_key=f"dk{i}", created_at=now - age * DAY,
                             updated_at=now - age * DAY, next_attempt_at=now + DAY, lease_until=now + DAY)
            s.add(n)
            s.flush()
            bucket["n"].add(n.id)
        deliveries = [("succeeded", 200, purge)] * 3 + [("failed", 190, purge), ("succeeded", 100, keep),
                                                         ("pending", 300, keep), ("sending", 300, keep)]
        for i, (status, age, bucket) in enumerate(deliveries):
            d = WebhookDelivery(subscription_id=sub.id, license_id="lic", event_id=f"e{i}",
                                event_type="user.invited.v1", payload={"id": f"e{i}"}, status=status,
                                dedupe_key=f"{sub.id}:e{i}", created_at=now - age * DAY, next_attempt_at=now + DAY,
                                lease_until=now + DAY)
            s.add(d)
            s.flush()
            bucket["d"].add(d.id)
        for i, (age, bucket) in enumerate([(40, purge), (31, purge), (31, purge), (29, keep), (1, keep)]):
            s.add(Inbox(event_id=f"ev{i}", consumer="notify.webhooks", processed_at=now - age * DAY))
            bucket["i"].add((f"ev{i}", "notify.webhooks"))
    return {"keep": keep, "purge": purge}


def remaining(db) -> dict[str, set]:
    with db.session() as s:
        return {"n": set(s.execute(select(Notification.id)).scalars()),
                "d": set(s.execute(select(WebhookDelivery.id)).scalars()),
                "i": {tuple(r) for r in s.execute(select(Inbox.event_id, Inbox.consumer))}}


@pytest.fixture(params=["postgresql", "sqlite"])
def db(request, make_db, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'notify.db'}"
        upgrade("notify", url)
    else:
        url = make_db("notify")
    engine = make_engine(url, shared=False)
    db = Db(engine)
    db.url = url
    yield db
    engine.dispose()


def test_old_final_rows_are_purged_in_batches_recent_and_pending_ones_kept(db):
    rows = seed(db)
    settings = SimpleNamespace(retention_days=180)
    counts = retention.purge(db, settings, batch=2)
    assert counts == {"notifications": 6, "webhook_deliveries": 4}
    inbox = rows["keep"]["i"] | rows["purge"]["i"]
    assert remaining(db) == {**rows["keep"], "i": inbox}  # the inbox is not notify's to purge
    assert retention.purge(db, settings, batch=2) == {"notifications": 0, "webhook_deliveries": 0}


def test_zero_keeps_everything(db):
    rows = seed(db)
    assert retention.purge(db, SimpleNamespace(retention_days=0)) == {"notifications": 0, "webhook_deliveries": 0}
    everything = {k: rows["keep"][k] | rows["purge"][k] for k in ("n", "d", "i")}
    assert remaining(db) == everything


def test_the_purge_timer_applies_the_configured_retention(start_service, db):
    rows = seed(db)
    container = start_service("notify", db_url=db.url, NOTIFY_RETENTION_DAYS="180", INBOX_RETENTION_DAYS="30")
    with entrypoint_hook(container, "purge_old_rows") as purge_old_rows:
        purge_old_rows()
    # the inbox goes with the platform's purge, which the container runs at start then hourly
    deadline = time.monotonic() + 10
    while remaining(db) != rows["keep"] and time.monotonic() < deadline:
        eventlet.sleep(0.05)
    assert remaining(db) == rows["keep"]
