"""The customer file's History tab against a fake gateway: each action named in the page's language (a deleted
contact too, with their name)."""
from __future__ import annotations

import pytest
from flask import Flask, jsonify

from web.tests.test_web import sign_in, web_in_front_of

HISTORY = [
    {"at": "2026-12-05T10:00:00Z", "actor_id": "u1", "actor_name": "Ann Lee", "actor_kind": "staff",
     "action": "contact_deleted", "details": {"contact_id": "x1", "contact_name": "Bob Durand"}},
    {"at": "2026-12-05T09:00:00Z", "actor_id": "u1", "actor_name": "Ann Lee", "actor_kind": "staff",
     "action": "contact_added", "details": {"contact_id": "x1", "contact_name": "Bob Durand"}},
]

LOCALE = ["en"]


@pytest.fixture
def web():
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/customers/<customer_id>")
    def customer(customer_id):
        return jsonify({"id": customer_id, "kind": "company", "code": "C-1", "name": "ACME", "email": None,
                        "phone": None, "address": {}, "vat_number": None, "locale": "fr", "currency": "EUR",
                        "notes": None, "created_by": "u1", "created_at": "2026-12-01T09:00:00Z",
                        "updated_at": "2026-12-01T09:00:00Z", "perimeter_ids": [], "contacts": []})

    @fake.get("/api/v1/customers/<customer_id>/history")
    def history(customer_id):
        return jsonify({"items": HISTORY})

    with web_in_front_of(fake, locale=lambda: LOCALE[0]) as app:
        yield app


@pytest.mark.parametrize("language, deleted, added", [("en", "Contact deleted", "Contact added"),
                                                      ("fr", "Contact supprimé", "Contact ajouté")])
def test_a_deleted_contact_is_named_in_the_history(web, language, deleted, added):
    LOCALE[0] = language
    client = web.test_client()
    sign_in(client)
    r = client.get("/customers/cu-1?tab=history", headers={"Accept-Language": language})
    assert r.status_code == 200, r.get_data(as_text=True)[:2000]
    html = r.get_data(as_text=True)
    start = html.index('id="customer-history"')
    shown = html[start:html.index("</ol>", start)]
    entries = shown.split('data-action="')[1:]
    assert [e.split('"', 1)[0] for e in entries] == ["contact_deleted", "contact_added"]
    assert f"— {deleted} <span class=\"muted\">(Bob Durand)</span>" in entries[0]
    assert f"— {added} " in entries[1]
