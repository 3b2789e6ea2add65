"""What the quote editor starts a new line and a new quote with (the staff app's first walkthrough as a salesperson):
the tax rate written in the line (a placeholder looked like 20 % and saved 0 %), the page opening on the line just
added, and the only quote type chosen already."""
from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask, jsonify, request

from web.tests.test_web import NO_ITEMS, answer_gets, csrf, sign_in, web_in_front_of

NO_TOTALS = dict.fromkeys(("subtotal", "tax_total", "total", "optional_total"), "0.00") | {"taxes": [], "line_amounts": []}
QUOTE_TYPE = {"id": "ct-1", "name": "Devis matériel", "kind": "quote", "merge_fields": []}


def gateway(country: str | None, types: list[dict], saved: list[dict]) -> Flask:
    fake = Flask("fake_gateway")
    answer_gets(fake, {"/license": {"name": "ACME", "settings": {"country": country} if country else {}},
                       "/contract-types": types, "/settings/columns": [], "/settings/flags": [],
                       "/customers": NO_ITEMS, "/document-defaults": {"currency": "EUR"}})
    fake.add_url_rule("/api/v1/quotes/totals", "totals", lambda: jsonify(NO_TOTALS), methods=["POST"])

    @fake.post("/api/v1/contracts")
    def create():
        saved.append(request.get_json())
        return jsonify({"id": "q-1"}), 201

    @fake.get("/api/v1/<path:anything>")
    def anything_else(anything):
        return jsonify(NO_ITEMS)
    return fake


def editor(country: str | None = None, types: list[dict] | None = None, saved: list | None = None):
    with web_in_front_of(gateway(country, [QUOTE_TYPE] if types is None else types,
                                 [] if saved is None else saved), locale=lambda: "fr") as app:
        client = app.test_client()
        sign_in(client)
        yield client


@pytest.fixture
def french_company():
    yield from editor()


def post(client, **form) -> str:
    r = client.post("/quotes/new", headers={"Accept-Language": "fr"},
                    data={"csrf_token": csrf(client, "/quotes/new"), "title": "Devis", **form})
    assert r.status_code in (200, 302), r.status_code
    return unescape(r.get_data(as_text=True))


def field(page: str, field_id: str) -> str:
    return re.search(rf'<input [^>]*id="{field_id}"[^>]*>', page).group(0)


def test_a_new_line_starts_at_the_companys_standard_rate_then_at_the_last_lines(french_company):
    page = post(french_company, line_count="0", action="add-line")
    assert 'value="20"' in field(page, "line-0-tax_rate")
    assert "placeholder" not in field(page, "line-0-tax_rate")
    # the page opens on the line just added: a phone's screen is not sent back to the top of the form
    assert "autofocus" in field(page, "line-0-product_code")
    assert "autofocus" not in page.replace(field(page, "line-0-product_code"), "")
    page = post(french_company, line_count="1", **{"lines.0.description": "Pose", "lines.0.tax_rate": "5,5"},
                action="add-line")
    assert 'value="5,5"' in field(page, "line-1-tax_rate")
    assert "autofocus" in field(page, "line-1-product_code") and "autofocus" not in field(page, "line-0-product_code")


def test_a_line_holding_only_its_starting_rate_is_not_saved():
    saved = []
    for client in editor(saved=saved):
        post(client, line_count="2", contract_type_id="ct-1",
             **{"lines.0.description": "Pose", "lines.0.quantity": "1", "lines.0.unit_price": "100",
                "lines.0.tax_rate": "20", "lines.1.tax_rate": "20"}, action="save")
    assert [line["description"] for line in saved[0]["lines"]] == ["Pose"]
    assert saved[0]["lines"][0]["tax_rate"] == "20"


def test_a_company_without_one_national_rate_starts_its_lines_empty():
    for client in editor(country="US"):
        assert 'value=""' in field(post(client, line_count="0", action="add-line"), "line-0-tax_rate")
    for client in editor(country="BE"):
        assert 'value="21"' in field(post(client, line_count="0", action="add-line"), "line-0-tax_rate")


def test_the_only_quote_type_is_chosen_already(french_company):
    page = unescape(french_company.get("/quotes/new", headers={"Accept-Language": "fr"}).get_data(as_text=True))
    assert re.search(r'<option value="ct-1"[^>]*selected', page), page[page.find('id="field-contract_type_id"'):][:400]


def test_with_several_quote_types_none_is_chosen_for_the_salesperson():
    other = {**QUOTE_TYPE, "id": "ct-2", "name": "Devis service"}
    for client in editor(types=[QUOTE_TYPE, other]):
        page = unescape(client.get("/quotes/new", headers={"Accept-Language": "fr"}).get_data(as_text=True))
        assert not re.search(r'<option value="ct-[12]"[^>]*selected', page)


def test_none_chosen_on_the_form_stays_none(french_company):
    page = post(french_company, line_count="0", contract_type_id="", action="refresh")
    assert not re.search(r'<option value="ct-1"[^>]*selected', page)
