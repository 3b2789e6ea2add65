"""End to end: an invitation made through the gateway arrives by email (identity -> outbox ->
RabbitMQ -> notify -> SMTP -> mail sink) with a set-password link that works."""
from datetime import datetime, timedelta, timezone

import pytest
import requests

from paraph_platform.testing import TEST_OPERATOR_TOKEN

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def set_password_link(message):
    links = [l for l in message["links"] if "/set-password?token=" in l]
    assert len(links) == 1, message["links"]
    return links[0]


def test_invited_user_receives_a_working_set_password_link(system, mail_sink):
    s = system("identity", "notify", service_config={"notify": {
        "SMTP_URL": mail_sink.smtp_url, "MAIL_FROM": "Paraph <no-reply@paraph.test>"}})
    r = s.post("/api/v1/operator/seat-pools", json={
        "name": "ACME", "seats": 5, "expires_at": (datetime.now(timezone.utc) + timedelta(days=30)).isoformat()},
        headers={"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"})
    assert r.status_code == 201, r.json
    r = s.post("/api/v1/licenses/activate", json={"activation_code": r.json["activation_code"],
                                                  "company_name": "ACME Paris", "admin_email": "boss@acme.test"})
    assert r.status_code == 201, r.json

    # the admin's invitation, read the way a developer would: the sink's HTTP API
    found = requests.get(f"{mail_sink.http_url}/messages", params={"to": "boss@acme.test"}, timeout=5).json()
    if not found["count"]:
        mail_sink.wait_for_messages(to="boss@acme.test")
        found = requests.get(f"{mail_sink.http_url}/messages", params={"to": "boss@acme.test"}, timeout=5).json()
    [invitation] = found["items"]
    assert invitation["subject"] == "Invitation à rejoindre ACME Paris sur Paraph"
    assert invitation["from"] == "Paraph <no-reply@paraph.test>" and invitation["message_id"]
    assert invitation["text"].splitlines()[0] == "Bonjour,"  # no name known yet: not "Bonjour boss@acme.test,"
    link = set_password_link(invitation)
    assert link.startswith("http://paraph.test/set-password?token=") and link in invitation["html"]
    r = s.post("/api/v1/auth/accept-invitation", json={"token": link.split("token=")[1], "password": "boss password 123"})
    assert r.status_code == 200, r.json
    admin = r.json["access_token"]

    # the admin invites a colleague in English; the colleague's link works once
    r = s.post("/api/v1/users", json={"email": "Ann.Lee@acme.test", "name": "Ann Lee", "locale": "en"}, token=admin)
    assert r.status_code == 201, r.json
    [mail] = mail_sink.wait_for_messages(to="ann.lee@acme.test")
    assert mail["subject"] == "You are invited to join ACME Paris on Paraph"
    assert "Hello Ann Lee," in mail["text"] and "boss@acme.test has invited you" in mail["text"]
    token = set_password_link(mail).split("token=")[1]
    r = s.post("/api/v1/auth/accept-invitation", json={"token": token, "password": "ann's long password"})
    assert r.status_code == 200 and r.json["role"] == "user"
    assert s.post("/api/v1/auth/accept-invitation", json={"token": token, "password": "x" * 12}).status_code == 410
    r = s.post("/api/v1/auth/login", json={"email": "ann.lee@acme.test", "password": "ann's long password"})
    assert r.status_code == 200

    # both emails are in the delivery log, sent once
    log = s.get("/api/v1/notifications?template=invitation", token=admin).json
    assert sorted(n["recipient"] for n in log["items"]) == ["ann.lee@acme.test", "boss@acme.test"]
    assert all(n["status"] == "sent" and n["attempts"] == 1 for n in log["items"])
    assert mail_sink.stats()["accepted"] == 2 and mail_sink.stats()["duplicates"] == 0
