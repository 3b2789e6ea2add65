"""The quote editor's answer to the API's refusals, against a fake gateway."""
from __future__ import annotations

from flask import Flask, jsonify

from web.tests.test_web import csrf, sign_in, web_in_front_of


def editor_gateway(refusal: dict, status: int) -> Flask:
    """A gateway offering one customer and nothing else, that refuses every new quote with ``refusal``."""
    fake = Flask("fake_gateway")

    @fake.post("/api/v1/contracts")
    def create():
        return jsonify({"type": "about:blank", "title": "Refused", "status": status, **refusal}), status

    @fake.post("/api/v1/quotes/totals")
    def totals():
        return jsonify({"subtotal": "0.00", "tax_total": "0.00", "total": "0.00", "taxes": [],
                        "optional_total": "0.00", "line_amounts": []})

    @fake.get("/api/v1/customers/cu-1")
    def customer():
        return jsonify({"id": "cu-1", "name": "Boulangerie Martin", "contacts": [], "currency": "EUR"})

    @fake.get("/api/v1/<path:anything>")  # none of the license's contract types, custom columns or flags
    def nothing(anything):
        return jsonify([] if anything in ("contract-types", "settings/columns", "settings/flags") else {"items": []})
    return fake


def test_a_deal_gone_meanwhile_is_said_above_the_form():
    """The API's 404 for an id the body references names its field; the deal's is a hidden input of the editor, so
    the message is said above the form too (the page said nothing), in the page's language."""
    fake = editor_gateway({"detail": "Deal not found.", "code": "not_found",
                           "errors": {"deal_id": ["No such deal."]}}, 404)
    with web_in_front_of(fake, locale=lambda: "fr") as web:
        client = web.test_client()
        sign_in(client)
        r = client.post("/quotes/new", headers={"Accept-Language": "fr"}, data={
            "csrf_token": csrf(client, "/quotes/new"), "title": "Devis fournil", "customer_id": "cu-1",
            "deal_id": "d-1", "action": "save"})
    page = r.get_data(as_text=True)
    assert r.status_code == 404
    assert '<p class="notice err" role="alert" id="form-message">Affaire introuvable.</p>' in page
    assert 'value="Devis fournil"' in page  # what was typed is kept
