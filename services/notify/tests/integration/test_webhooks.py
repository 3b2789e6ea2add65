"""Webhooks end to end: identity events -> signed POSTs to a real loopback receiver, retries on the
published schedule, replays with the same id, secret rotation, automatic disabling (admins are
told by email) and recovery."""
import base64
import json
from datetime import datetime, timezone

import pytest

pytestmark = pytest.mark.integration

SCHEDULE = "0.2,0.2,0.2"


def verify(secret: str, request: dict) -> bool:
    """The receiver side, by the Standard Webhooks reference library (not Paraph's code): the signature over
    '<webhook-id>.<webhook-timestamp>.<body>' with the base64 key after 'whsec_', and the timestamp's window."""
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError
    try:
        Webhook(secret).verify(request["body"], request["headers"])
    except WebhookVerificationError:
        return False
    return True


def test_webhooks_are_signed_retried_replayed_and_disabled(paraph, webhook_receiver):
    p = paraph(WEBHOOK_ALLOW_PRIVATE="1", WEBHOOK_RETRY_SCHEDULE=SCHEDULE, WEBHOOK_TIMEOUT=2)
    admin = p.activate("Hooks Inc", "admin@hooks.test")
    token = admin["access_token"]
    start = datetime.now(timezone.utc).isoformat()

    types = p.get("/api/v1/webhooks/event-types", token=token).json
    names = {t["type"] for t in types["event_types"]}
    assert {"user.invited.v1", "quote.viewed.v1", "signature.completed.v1"} <= names
    assert "notification.requested.v1" not in names
    assert types["delivery"]["retry_schedule_seconds"] == [0.2, 0.2, 0.2] and types["delivery"]["max_attempts"] == 4

    # bad input is a 4xx problem, never a 500
    for body, field in (({"url": "ftp://example.com/x", "event_types": ["*"]}, "url"),
                        ({"url": webhook_receiver.url, "event_types": ["no.such.v1"]}, "event_types"),
                        ({"url": webhook_receiver.url, "event_types": ["notification.requested.v1"]}, "event_types"),
                        ({"url": webhook_receiver.url}, "event_types"),
                        ({"url": webhook_receiver.url, "event_types": ["*"], "extra": 1}, "extra")):
        r = p.post("/api/v1/webhooks", json=body, token=token)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", r.json
        assert field in r.json["errors"], r.json

    webhook_receiver.statuses = [500]  # the first attempt fails, the retry succeeds
    r = p.post("/api/v1/webhooks", json={"url": webhook_receiver.url, "description": "ERP",
                                         "event_types": ["user.invited.v1", "user.activated.v1"]}, token=token)
    assert r.status_code == 201, r.json
    hook, secret = r.json, r.json["secret"]
    assert secret.startswith("whsec_") and "secret" not in p.get(f"/api/v1/webhooks/{hook['id']}", token=token).json
    assert [w["id"] for w in p.get("/api/v1/webhooks", token=token).json] == [hook["id"]]

    bob = p.join(admin, "bob@hooks.test")
    calls = webhook_receiver.wait(lambda rs: len([r for r in rs if r["status"] == 200]) >= 2, message="invited+activated")
    invited = [c for c in calls if c["headers"]["Paraph-Event-Type"] == "user.invited.v1"]
    assert [c["status"] for c in invited] == [500, 200]
    assert invited[0]["headers"]["Webhook-Id"] == invited[1]["headers"]["Webhook-Id"]  # a retry keeps its id
    envelope = json.loads(invited[1]["body"])
    assert envelope["id"] == invited[1]["headers"]["Webhook-Id"] and envelope["type"] == "user.invited.v1"
    assert envelope["data"]["email"] == "bob@hooks.test" and envelope["license_id"] == admin["license_id"]
    assert all(verify(secret, c) for c in calls)
    assert not verify("whsec_" + base64.b64encode(b"x" * 32).decode(), calls[0])
    activated = webhook_receiver.of_type("user.activated.v1")
    assert json.loads(activated[0]["body"])["data"]["user_id"] == bob["user"]["user_id"]

    # the receiver answers before notify records its answer: the delivery is read once it has been recorded
    invited_deliveries = f"/api/v1/webhooks/{hook['id']}/deliveries?event_type=user.invited.v1"
    p.wait_for(lambda: [x["status"] for x in p.get(invited_deliveries, token=token).json["items"]] == ["succeeded"],
               message="the delivery recorded as succeeded")
    [d] = p.get(invited_deliveries, token=token).json["items"]
    assert (d["status"], d["attempts"], d["response_status"]) == ("succeeded", 2, 200)
    assert [a["status"] for a in d["attempt_log"]] == [500, 200]
    full = p.get(f"/api/v1/webhooks/{hook['id']}/deliveries/{d['id']}", token=token).json
    assert full["payload"]["id"] == envelope["id"]

    # a replay sends the same event with the same Webhook-Id
    r = p.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{d['id']}/replay", token=token)
    assert r.status_code == 202 and r.json["replay_of"] == d["id"] and r.json["event_id"] == envelope["id"]
    webhook_receiver.wait(lambda rs: len([x for x in rs if x["headers"]["Webhook-Id"] == envelope["id"]]) == 3)
    replayed = [x for x in webhook_receiver.requests if x["headers"]["Webhook-Id"] == envelope["id"]][-1]
    assert json.loads(replayed["body"]) == envelope and verify(secret, replayed)

    # rotation: the new secret signs at once, the old one keeps signing during the grace period
    r = p.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret", json={"grace_seconds": 3600}, token=token)
    assert r.status_code == 200 and r.json["secret"] != secret and r.json["previous_secret_expires_at"]
    new_secret = r.json["secret"]
    p.join(admin, "carl@hooks.test")
    webhook_receiver.wait(lambda rs: len([x for x in rs if x["headers"]["Paraph-Event-Type"] == "user.activated.v1"]) == 2)
    last = webhook_receiver.of_type("user.activated.v1")[-1]
    assert verify(new_secret, last) and verify(secret, last)

    # an endpoint failing for the whole schedule is disabled and the admins are told by email
    webhook_receiver.default = 500
    seen = len(webhook_receiver.requests)
    r = p.post("/api/v1/users", json={"email": "dora@hooks.test"}, token=token)
    assert r.status_code == 201
    p.wait_for(lambda: not p.get(f"/api/v1/webhooks/{hook['id']}", token=token).json["enabled"], timeout=20,
               message="the webhook to be disabled")
    state = p.get(f"/api/v1/webhooks/{hook['id']}", token=token).json
    assert "whole retry schedule" in state["disabled_reason"] and state["last_error"] == "HTTP 500"
    assert len(webhook_receiver.requests) - seen == 4  # 1 attempt + 3 retries
    [mail] = p.sink.wait_for_messages(to="admin@hooks.test", subject="Webhook désactivé")
    assert webhook_receiver.url in mail["text"] and "HTTP 500" in mail["text"]
    failed = p.get(f"/api/v1/webhooks/{hook['id']}/deliveries?status=failed", token=token).json["items"]
    assert len(failed) == 1 and failed[0]["attempts"] == 4

    # while disabled nothing is sent, but what happens is recorded, so it can be replayed later
    r = p.post("/api/v1/users", json={"email": "eve@hooks.test"}, token=token)
    assert r.status_code == 201
    p.wait_for(lambda: p.get(f"/api/v1/webhooks/{hook['id']}/deliveries?status=failed&count=true",
                             token=token).json["total"] == 2,
               message="the missed event to be recorded")
    r = p.post(f"/api/v1/webhooks/{hook['id']}/replay", json={"since": start}, token=token)
    assert r.status_code == 409  # enable it first
    webhook_receiver.default = 200
    r = p.patch(f"/api/v1/webhooks/{hook['id']}", json={"enabled": True}, token=token)
    assert r.status_code == 200 and r.json["enabled"] and r.json["consecutive_failures"] == 0
    seen = len(webhook_receiver.requests)
    r = p.post(f"/api/v1/webhooks/{hook['id']}/replay", json={"since": start}, token=token)
    assert r.status_code == 202 and r.json["replayed"] == 2, r.json
    calls = webhook_receiver.wait(lambda rs: len(rs) - seen == 2, message="replayed deliveries")[seen:]
    assert sorted(json.loads(c["body"])["data"]["email"] for c in calls) == ["dora@hooks.test", "eve@hooks.test"]
    assert all(verify(new_secret, c) for c in calls)
    # replaying again finds nothing left to deliver
    p.wait_for(lambda: p.get(f"/api/v1/webhooks/{hook['id']}/deliveries?status=succeeded&count=true", token=token)
               .json["total"] >= 6, message="replays to succeed")
    assert p.post(f"/api/v1/webhooks/{hook['id']}/replay", json={"since": start}, token=token).json["replayed"] == 0


def test_webhook_access_and_bad_input(paraph, webhook_receiver):
    p = paraph(WEBHOOK_ALLOW_PRIVATE="1")
    admin = p.activate("Alpha", "admin@alpha.test")
    other = p.activate("Beta", "admin@beta.test")
    fum = p.join(admin, "fum@alpha.test", role="front_user_manager")
    r = p.post("/api/v1/webhooks", json={"url": webhook_receiver.url, "event_types": ["*"]}, token=admin["access_token"])
    assert r.status_code == 201 and r.json["event_types"] == ["*"]
    hook = r.json
    # other roles and other licenses
    assert p.get("/api/v1/webhooks", token=fum["access_token"]).status_code == 403
    assert p.get(f"/api/v1/webhooks/{hook['id']}", token=other["access_token"]).status_code == 404
    assert p.delete(f"/api/v1/webhooks/{hook['id']}", token=other["access_token"]).status_code == 404
    assert p.get("/api/v1/webhooks", token=other["access_token"]).json == []
    assert p.get("/api/v1/webhooks/nope/deliveries", token=admin["access_token"]).status_code == 404
    r = p.post(f"/api/v1/webhooks/{hook['id']}/deliveries/nope/replay", token=admin["access_token"])
    assert r.status_code == 404
    for path, body in ((f"/api/v1/webhooks/{hook['id']}", {}),
                       (f"/api/v1/webhooks/{hook['id']}", {"url": "gopher://x"}),
                       (f"/api/v1/webhooks/{hook['id']}", {"event_types": []})):
        r = p.patch(path, json=body, token=admin["access_token"])
        assert r.status_code == 422 and r.mimetype == "application/problem+json", r.json
    for body in ({"since": "yesterday"}, {}, {"since": "2030-01-02T00:00:00Z", "until": "2030-01-01T00:00:00Z"}):
        r = p.post(f"/api/v1/webhooks/{hook['id']}/replay", json=body, token=admin["access_token"])
        assert r.status_code == 422, r.json
    r = p.get(f"/api/v1/webhooks/{hook['id']}/deliveries?status=weird", token=admin["access_token"])
    assert r.status_code == 422
    r = p.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret", json={"grace_seconds": -1}, token=admin["access_token"])
    assert r.status_code == 422
    # deleting removes the webhook and its log
    assert p.delete(f"/api/v1/webhooks/{hook['id']}", token=admin["access_token"]).status_code == 204
    assert p.get(f"/api/v1/webhooks/{hook['id']}", token=admin["access_token"]).status_code == 404


def test_private_addresses_and_plain_http_are_refused_by_default(paraph):
    p = paraph()  # WEBHOOK_ALLOW_PRIVATE is not set
    admin = p.activate("Gamma", "admin@gamma.test")
    token = admin["access_token"]
    for url in ("https://127.0.0.1:9/x", "https://localhost/x", "https://169.254.169.254/latest/meta-data"):
        r = p.post("/api/v1/webhooks", json={"url": url, "event_types": ["*"]}, token=token)
        assert r.status_code == 422 and "url" in r.json["errors"], r.json
    # an endpoint receives the events over HTTPS only, when it is added and when its URL changes
    r = p.post("/api/v1/webhooks", json={"url": "http://hooks.example.com/paraph", "event_types": ["*"]}, token=token)
    assert r.status_code == 422 and r.mimetype == "application/problem+json", r.json
    assert r.json["errors"] == {"url": ["Only https:// URLs are accepted."]}, r.json
    hook = p.post("/api/v1/webhooks", json={"url": "https://hooks.example.com/paraph", "event_types": ["*"]},
                  token=token)
    assert hook.status_code == 201, hook.json
    r = p.patch(f"/api/v1/webhooks/{hook.json['id']}", json={"url": "http://hooks.example.com/paraph"}, token=token)
    assert r.status_code == 422 and r.json["errors"] == {"url": ["Only https:// URLs are accepted."]}, r.json
    assert p.get(f"/api/v1/webhooks/{hook.json['id']}", token=token).json["url"] == "https://hooks.example.com/paraph"


def test_a_test_delivery_is_signed_recorded_and_scoped(paraph, webhook_receiver):
    p = paraph(WEBHOOK_ALLOW_PRIVATE="1")
    admin = p.activate("Delta", "admin@delta.test")
    other = p.activate("Epsilon", "admin@epsilon.test")
    token = admin["access_token"]
    hook = p.post("/api/v1/webhooks", json={"url": webhook_receiver.url, "event_types": ["contract.sent.v1"]},
                  token=token).json
    # sent whatever the event types, signed with the endpoint's secret, and in its delivery log
    r = p.post(f"/api/v1/webhooks/{hook['id']}/test", token=token)
    assert r.status_code == 202 and r.json["event_type"] == "webhook.tested.v1", r.json
    [call] = webhook_receiver.wait(lambda rs: webhook_receiver.of_type("webhook.tested.v1"), message="test delivery")
    assert verify(hook["secret"], call) and json.loads(call["body"])["data"]["webhook_id"] == hook["id"]
    p.wait_for(lambda: p.get(f"/api/v1/webhooks/{hook['id']}/deliveries?status=succeeded&count=true", token=token)
               .json["total"] == 1, message="the test delivery recorded")
    # another license's admin cannot send one; a disabled endpoint is a conflict
    assert p.post(f"/api/v1/webhooks/{hook['id']}/test", token=other["access_token"]).status_code == 404
    p.patch(f"/api/v1/webhooks/{hook['id']}", json={"enabled": False}, token=token)
    assert p.post(f"/api/v1/webhooks/{hook['id']}/test", token=token).status_code == 409
