"""Currency fields offer the common currencies by name in the page's language ("Dollar canadien (CAD)") and, after
"Other currency…", any 3-letter ISO code typed (the API's rule): a salesperson typed "C$" in a free-text field and
was refused. The customer's file names its currency ("Devise : Dollar canadien (CAD)"), not its bare code."""
from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask, jsonify, request

from web.tests.test_submissions import form_tokens
from web.tests.test_web import sign_in, web_in_front_of

CUSTOMER = {"id": "cu-1", "kind": "company", "code": "C-1", "name": "Sakura KK", "email": None, "phone": None,
            "address": {}, "vat_number": None, "locale": "fr", "currency": "JPY", "notes": "", "perimeter_ids": [],
            "contacts": [], "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:00:00Z"}
SETTINGS = {"default_locale": "fr", "currency": "EUR", "abandon_delay_days": 30, "time_zone": "Europe/Paris"}


@pytest.fixture
def web():
    fake, sent = Flask("fake_gateway"), []

    @fake.get("/api/v1/license")
    def license():
        return jsonify({"id": "l1", "name": "ACME Paris", "settings": SETTINGS})

    @fake.get("/api/v1/customers/cu-1")
    def customer():
        return jsonify(CUSTOMER)

    @fake.post("/api/v1/customers")
    @fake.patch("/api/v1/license")
    def save():
        body = request.get_json()
        sent.append(body)
        if not re.fullmatch(r"[A-Z]{3}", body.get("currency") or "EUR"):
            return jsonify({"status": 422, "detail": "The request contains invalid fields.",
                            "errors": {"currency": ["Use a 3-letter ISO currency code."]}}), 422
        return jsonify({**CUSTOMER, **body, "id": "cu-2"}) if "name" in body else jsonify({"settings": body})

    with web_in_front_of(fake, locale=lambda: "fr", role="license_admin") as app:
        client = app.test_client()
        sign_in(client)
        yield client, sent


def options(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select id="field-currency" name="currency".*?</select>', html, re.S).group(0)
    return [(value, unescape(label)) for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>',
                                                                    select)]


def selected(html: str) -> str:
    return re.search(r'<option value="([^"]*)" selected', html.split('id="field-currency"', 1)[1]).group(1)


def test_the_customer_form_names_the_currencies_and_takes_any_other_code(web):
    client, sent = web
    html = client.get("/customers/new").get_data(as_text=True)
    assert options(html) == [("", "Par défaut (Euro (EUR))"), ("EUR", "Euro (EUR)"), ("CAD", "Dollar canadien (CAD)"),
                             ("USD", "Dollar des États-Unis (USD)"), ("GBP", "Livre sterling (GBP)"),
                             ("CHF", "Franc suisse (CHF)"), ("other", "Autre devise…")]
    assert selected(html) == "" and 'id="field-currency_other"' in html
    assert "Code ISO de l'autre devise" in unescape(html)

    def create(**currency):
        return client.post("/customers/new", data={**form_tokens(client, "/customers/new"), "kind": "company",
                                                   "name": "Maple Leaf", **currency})
    assert create(currency="CAD").status_code == 302 and sent[-1]["currency"] == "CAD"
    # another currency: its code typed, in small letters too; a code chosen in the list wins over a typed one
    assert create(currency="other", currency_other=" jpy ").status_code == 302 and sent[-1]["currency"] == "JPY"
    assert create(currency="USD", currency_other="JPY").status_code == 302 and sent[-1]["currency"] == "USD"
    # a code that is not one: said next to the field, "Other currency" still chosen with what was typed
    r = create(currency="other", currency_other="C$")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and sent[-1]["currency"] == "C$"
    assert selected(html) == "other" and 'name="currency_other" value="C$"' in html
    assert 'id="field-currency_other-error" class="error">Indiquez un code ISO de devise à 3 lettres.' in html
    # "Other currency" and nothing typed: refused, not silently the company's currency
    r = create(currency="other", currency_other="")
    assert r.status_code == 422 and sent[-1]["currency"] == "other" and selected(r.get_data(as_text=True)) == "other"


def test_the_file_names_its_currency_and_a_code_not_listed_is_typed(web):
    client, sent = web
    html = client.get("/customers/cu-1").get_data(as_text=True)
    assert '<span id="customer-currency">Devise\u00a0: Yen japonais (JPY)</span>' in html
    assert selected(html) == "other" and 'name="currency_other" value="JPY"' in html


def test_the_document_defaults_offer_the_currencies_by_name(web):
    client, sent = web
    html = client.get("/settings/abandon-delay").get_data(as_text=True)
    assert options(html)[0] == ("EUR", "Euro (EUR)") and selected(html) == "EUR"  # required: no empty choice
    data = {**form_tokens(client, "/settings/abandon-delay"), "default_locale": "fr", "abandon_delay_days": "30",
            "time_zone": "Europe/Paris", "currency": "other", "currency_other": "nzd"}
    assert client.post("/settings/abandon-delay", data=data).status_code == 302 and sent[-1]["currency"] == "NZD"


def test_a_currency_is_named_in_the_pages_language():
    from paraph_web import create_app, i18n
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert [i18n.currency_name(code) for code in ("CAD", "eur", "XYZ", "")] == \
            ["Canadian Dollar (CAD)", "Euro (EUR)", "XYZ", ""]
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert i18n.currency_name("CHF") == "Franc suisse (CHF)"
