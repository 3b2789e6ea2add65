"""The salesperson owning a quote is told when it is viewed, downloaded, commented, shared or
signed, by email and/or SMS according to their preferences (stored by identity)."""
import pytest

pytestmark = pytest.mark.integration


def test_owner_notifications_follow_preferences(paraph, publish, db_reader):
    p = paraph()
    admin = p.activate("Sales Co", "admin@sales.test")
    sales = p.join(admin, "sales@sales.test", phone="+33 6 12 34 56 78", locale="en")
    owner_id, license_id = sales["user"]["user_id"], sales["license_id"]
    db = db_reader(p.db_url("notify"))

    def portal(type_, **data):
        return publish("portal", type_, {"contract_id": "c-1", "number": "Q-2025-7", "owner_id": owner_id,
                                         "contact_id": "ct-1", **data}, license_id=license_id)

    def handled(event):
        db.wait("select 1 from inbox where event_id = :e and consumer = 'notify.owner'", e=event["id"])
        return db.all("select * from notifications where event_id = :e", e=event["id"])

    # defaults: email on, SMS off
    viewed = portal("quote.viewed.v1", at="2030-01-15T09:30:00Z", ip="203.0.113.9", user_agent="x")
    [m] = p.sink.wait_for_messages(to="sales@sales.test", subject="viewed online")
    assert m["subject"] == "Quote Q-2025-7 viewed online" and "http://paraph.test/contracts/c-1" in m["links"]
    assert "15 January 2030 at 10:30 (Paris time)" in m["text"]  # a new license's zone (identity), not UTC
    assert [r["channel"] for r in handled(viewed)] == ["email"]
    # the same contact viewing the quote again within the hour: counted elsewhere, the owner is not told again
    assert handled(portal("quote.viewed.v1", at="2030-01-15T09:31:00Z")) == []

    # a contract shared on the portal: the owner is told, unless they shared it themselves
    by_colleague = portal("contract.shared.v1", requester_contact_id="ct-1", observer_contact_ids=[],
                          shared_by="colleague-id", shared_by_name="Colleague")
    by_owner = portal("contract.shared.v1", requester_contact_id="ct-1", observer_contact_ids=[], shared_by=owner_id)
    [shared_mail] = p.sink.wait_for_messages(to="sales@sales.test", subject="shared on the customer portal")
    assert "by Colleague" in shared_mail["text"] and len(handled(by_colleague)) == 1 and handled(by_owner) == []
    # the staff's own copy: from and signed by Paraph, its link the staff's page (the clients' copy is the company's)
    assert shared_mail["text"].rstrip().endswith("The Paraph team")
    assert shared_mail["from"] == "Paraph <no-reply@paraph.test>"
    assert [r["template"] for r in handled(by_colleague)] == ["contract_shared_owner"]
    assert "http://paraph.test/contracts/c-1" in shared_mail["links"]

    # SMS instead of email for views
    r = p.patch("/api/v1/me/preferences", json={"quote_viewed": {"email": False, "sms": True},
                                                "contract_shared": {"email": False}}, token=sales["access_token"])
    assert r.status_code == 200, r.json
    again = portal("quote.viewed.v1", at="2030-01-16T10:00:00Z", contact_id="ct-2")  # another contact
    [sms] = p.sink.wait_for_sms(to="+33612345678")
    assert "Q-2025-7" in sms["text"] and "viewed" in sms["text"]
    assert [r["channel"] for r in handled(again)] == ["sms"]
    assert len(p.sink.messages(to="sales@sales.test", subject="viewed online")) == 1

    # downloads keep the default; feedback always goes by email; shared is switched off
    downloaded = portal("quote.downloaded.v1", at="2030-01-16T10:05:00Z")
    feedback = portal("quote.feedback_sent.v1", message="Could you lower the price?\nThanks")
    shared = portal("contract.shared.v1", requester_contact_id="ct-1", observer_contact_ids=[], shared_by="colleague-id")
    p.sink.wait_for_messages(to="sales@sales.test", subject="downloaded")
    [fb] = p.sink.wait_for_messages(to="sales@sales.test", subject="feedback")
    assert "Could you lower the price?" in fb["text"] and "Could you lower the price?<br>" in fb["html"]
    assert handled(shared) == [] and len(handled(downloaded)) == 1 and len(handled(feedback)) == 1

    completed = publish("signing", "signature.completed.v1", {
        "request_id": "r-1", "contract_id": "c-1", "owner_id": owner_id, "sealed_sha256": "ab" * 32,
        "signers": [{"name": "Jeanne Client", "email": "jeanne@client.test", "signed_at": "2030-01-17T08:00:00Z"}],
        "completed_at": "2030-01-17T08:00:00Z"}, license_id=license_id)
    [signed] = p.sink.wait_for_messages(to="sales@sales.test", subject="signed")
    assert "Jeanne Client (jeanne@client.test)" in signed["text"] and signed["subject"].startswith("Document signed")
    # the staff's own copy: from and signed by Paraph (the signers' copy comes from the company)
    assert signed["text"].rstrip().endswith("The Paraph team") and signed["from"] == "Paraph <no-reply@paraph.test>"
    assert [r["template"] for r in handled(completed)] == ["signature_completed_owner"]

    # the portal also asks for the feedback email itself: the owner still gets one email
    at = "2030-01-18T11:00:00Z"
    publish("portal", "notification.requested.v1", {
        "channel": "email", "to": "sales@sales.test", "to_name": "Sales", "locale": "en", "template": "quote_feedback",
        "user_id": owner_id, "dedupe_key": "quote_feedback:activity-42",
        "vars": {"name": "Sales", "number": "Q-2025-7", "contact_name": "Jeanne", "message": "Second thoughts", "at": at,
                 "link": "http://paraph.test/contracts/c-1"}}, license_id=license_id)
    twin = portal("quote.feedback_sent.v1", message="Second thoughts", at=at)
    p.sink.wait_for_messages(count=2, to="sales@sales.test", subject="feedback")
    assert handled(twin) == []
    assert len(db.all("select * from notifications where template = 'quote_feedback'")) == 2

    # redelivered events and unknown owners do nothing more
    publish("portal", "quote.downloaded.v1", {"contract_id": "c-1", "number": "Q-2025-7", "owner_id": owner_id},
            license_id=license_id, id=downloaded["id"])
    stranger = portal("quote.viewed.v1", owner_id="no-such-user")
    assert handled(stranger) == []
    assert len(handled(downloaded)) == 1 and len(handled(completed)) == 1
    # invitation, viewed, shared, downloaded, feedback, signed, second feedback
    assert len(p.sink.messages(to="sales@sales.test")) == 7


def test_a_customers_owner_is_told_of_a_clients_self_service_change_per_preferences(paraph, publish, db_reader):
    """customer.self_updated.v1 (a portal client changed their or their company's details): the customer's owner
    gets customer_self_updated in their language with each change and a link to the customer's history, once per
    event; switched off in their preferences, nothing is sent."""
    p = paraph()
    admin = p.activate("Gem Co", "admin@gem.test")
    sales = p.join(admin, "sales@gem.test", locale="en")
    owner_id, license_id = sales["user"]["user_id"], sales["license_id"]
    db = db_reader(p.db_url("notify"))

    def changed(**data):
        return publish("contracts", "customer.self_updated.v1", {
            "customer_id": "cu-1", "customer_name": "Hervé David", "owner_id": owner_id, "contact_id": "ct-1",
            "contact_name": "Mireille Couture", "target": "company", "by_user_id": "client-1",
            "at": "2030-01-15T09:30:00Z",
            "changes": [{"field": "address.city", "from": "Laval", "to": "Montréal"}], **data}, license_id=license_id)

    first = changed()
    [mail] = p.sink.wait_for_messages(to="sales@gem.test", subject="Mireille Couture updated")
    assert mail["subject"] == "Hervé David: Mireille Couture updated the company's details"
    assert "City: Laval → Montréal" in mail["text"]  # the field as the staff app words it
    assert "http://paraph.test/customers/cu-1?tab=history" in mail["links"]
    publish("contracts", "customer.self_updated.v1", first["data"], license_id=license_id, id=first["id"])  # again
    db.wait("select 1 from inbox where event_id = :e and consumer = 'notify.owner'", e=first["id"])
    assert len(db.all("select * from notifications where template = 'customer_self_updated'")) == 1

    r = p.patch("/api/v1/me/preferences", json={"customer_self_updated": {"email": False}},
                token=sales["access_token"])
    assert r.status_code == 200, r.json
    muted = changed(target="contact")
    db.wait("select 1 from inbox where event_id = :e and consumer = 'notify.owner'", e=muted["id"])
    assert db.all("select * from notifications where event_id = :e", e=muted["id"]) == []
