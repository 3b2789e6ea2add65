"""An integrator syncing its CRM follows a customer's changes by webhook: an endpoint subscribed to
customer.updated.v1 receives the edit (the fields it touched, who made it) once, and nothing for an edit that
changes nothing — contracts' outbox, the broker, notify's delivery to a real loopback endpoint."""
import json

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def test_a_webhook_receives_a_customers_change_once(system, webhook_receiver):
    s = system("identity", "perimeter", "contracts", "notify", service_config={"notify": {"WEBHOOK_ALLOW_PRIVATE": "1"}})
    admin = s.new_license("Sync SA", "admin@sync.test")
    A = admin["access_token"]
    r = s.post("/api/v1/webhooks", token=A, json={"url": webhook_receiver.url, "event_types": ["customer.updated.v1"]})
    assert r.status_code == 201, r.get_json()
    customer = s.post("/api/v1/customers", token=A, json={"name": "Alpha"}).get_json()
    for name in ("Alpha SARL", "Alpha SARL"):  # the second edit changes nothing
        assert s.patch(f"/api/v1/customers/{customer['id']}", token=A, json={"name": name}).status_code == 200
    # a later change, delivered after the first: had the no-op published, it would have arrived before this one
    assert s.patch(f"/api/v1/customers/{customer['id']}", token=A, json={"phone": "+33 1 23 45 67 89"}).status_code == 200

    calls = webhook_receiver.wait(lambda rs: len(rs) >= 2, message="two customer.updated.v1 deliveries")
    events = sorted((json.loads(c["body"]) for c in calls), key=lambda e: e["time"])
    assert [e["type"] for e in events] == ["customer.updated.v1"] * 2
    assert [(e["data"]["name"], e["data"]["changed"]) for e in events] == [("Alpha SARL", ["name"]),
                                                                           ("Alpha SARL", ["phone"])]
    assert events[0]["data"]["updated_by"] == admin["user"]["user_id"] and events[0]["subject"] == customer["id"]
    assert len(webhook_receiver.requests) == 2
