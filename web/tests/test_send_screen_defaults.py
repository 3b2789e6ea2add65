"""What the "send by email" screen of a quote ticks: a first email attaches the PDF and asks for a signature when the
license signs electronically; a reminder offers what the contact's last email had (a salesperson answering a
customer's question with it sent a signature request and a PDF the first email had not)."""
from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask, jsonify

from web.tests.test_web import answer_gets, sign_in, web_in_front_of

QUOTE = {"id": "q-1", "kind": "quote", "number": "Q-2026-00001", "title": "Four à sole", "status": "sent",
         "customer_id": "cu-1", "contact_id": "ct-1", "locale": "fr", "valid_until": None}
CUSTOMER = {"id": "cu-1", "name": "Atelier Durand", "contacts": [
    {"id": "ct-1", "name": "Claire Durand", "email": "claire@durand.test"}]}


def send_screen(last_send: dict | None) -> str:
    fake = Flask("fake_gateway")
    sent_to = {"ct-1": 1} if last_send else {}
    answer_gets(fake, {"/contracts/q-1": QUOTE, "/customers/cu-1": CUSTOMER, "/quotes/q-1/send": {
        "contract_id": "q-1", "sent": bool(last_send), "sends": len(sent_to), "sent_to": sent_to,
        "template": "quote_reminder" if last_send else "quote_send", "templates": ["quote_send", "quote_reminder"],
        "default_contact_id": "ct-1", "customer_id": "cu-1", "request_signature_default": True,
        "last_send": last_send}})
    fake.add_url_rule("/api/v1/notification-templates/<name>/preview", "preview", methods=["POST"],
                      view_func=lambda name: jsonify({"subject": "Devis", "text": "Bonjour", "html": "<p>Bonjour</p>"}))
    with web_in_front_of(fake, locale=lambda: "fr") as web:
        client = web.test_client()
        sign_in(client)
        r = client.get("/contracts/q-1/send", headers={"Accept-Language": "fr"})
    assert r.status_code == 200, r.status_code
    return unescape(r.get_data(as_text=True))


def ticked(page: str, field: str) -> bool:
    return "checked" in re.search(rf'<input type="checkbox" name="{field}"[^>]*>', page).group(0)


@pytest.mark.parametrize("last_send, attach, sign", [
    (None, True, True),  # a first email: the PDF, and the signature the license asks by default
    ({"at": "2026-12-07T10:00:00Z", "attach_pdf": False, "request_signature": False}, False, False),
    ({"at": "2026-12-07T10:00:00Z", "attach_pdf": True, "request_signature": False}, True, False),
])
def test_a_reminder_offers_what_the_contacts_last_email_had(last_send, attach, sign):
    page = send_screen(last_send)
    assert (ticked(page, "attach_pdf"), ticked(page, "request_signature")) == (attach, sign)
