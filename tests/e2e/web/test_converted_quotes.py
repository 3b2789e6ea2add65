"""A quote turned into an order while still "sent", driven in headless Chromium against the real services: the
home page no longer lists it as awaiting the customer's answer; its signature center, opened by its address, says
why it is not sent for signature and links to the order (the API refuses it too); the quote list opened as "All my
quotes to convert" shows the accepted or validated quotes without their order, its filters saying so."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from selenium.webdriver.support.ui import Select

from tests.e2e.web.browsing import ok

from .conftest import signing_in
from .test_admin_area import by_id, css, h1, navigate

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def test_a_quote_made_into_an_order_is_not_awaiting_nor_sent_for_signature(public_system, browser, screenshot):
    w, s = public_system, public_system.s
    admin = s.new_license("ACME Paris", "boss@acme.test")
    T = s.add_user(admin, "paul@acme.test", name="Paul Martin")["access_token"]
    customer = ok(s.post("/api/v1/customers", token=T, json={
        "name": "Boulangerie Martin", "contacts": [{"first_name": "Jeanne", "last_name": "Martin",
                                                    "email": "jeanne@martin.test"}]}))

    def sent(title: str) -> dict:
        quote = ok(s.post("/api/v1/quotes", token=T, json={
            "title": title, "customer_id": customer["id"], "contact_id": customer["contacts"][0]["id"],
            "lines": [{"description": "Four", "quantity": "1", "unit_price": "9000", "tax_rate": "20"}]}))
        ok(s.post(f"/api/v1/contracts/{quote['id']}/mark-sent", token=T, json={}))
        return quote

    waiting, ordered, accepted = sent("Four à pain"), sent("Pétrin"), sent("Vitrine")
    order = ok(s.post(f"/api/v1/contracts/{ordered['id']}/convert", token=T, json={"target": "order"}))
    ok(s.post(f"/api/v1/contracts/{accepted['id']}/status", token=T, json={"status": "accepted"}))

    signing_in(w)(browser, "paul@acme.test")
    awaiting = [r.find_element("css selector", "a").text for r in css(browser, "#quotes-awaiting tbody tr")]
    assert awaiting == [waiting["number"]]  # the customer ordered the other one

    browser.get(f"{w.url}/contracts/{ordered['id']}/signature")
    assert h1(browser) == f"Approbation et signature — {ordered['number']}"
    assert not css(browser, "#signature-submit")
    said = re.sub(r"[ \t\n]+", " ", by_id(browser, "no-request").get_attribute("textContent")).strip()
    assert said == (
        f"Ce devis a été transformé en commande\u00a0: il n'est plus envoyé pour signature. Commande {order['number']}")
    screenshot(browser, "signature-center-quote-made-into-an-order")
    navigate(browser, "converted-into-1")
    assert h1(browser).startswith(f"Commande {order['number']}") or order["number"] in h1(browser)

    # the list "All my quotes to convert" opens (what the home page's section shows, past its first 20)
    browser.get(f"{w.url}/quotes?" + urlencode({"status": "accepted,validated", "converted": "false",
                                                "owner": "me"}))
    assert [r.get_attribute("data-number") for r in css(browser, "#documents tbody tr")] == [accepted["number"]]
    assert Select(by_id(browser, "filter-status")).first_selected_option.text == "Accepté ou validé"
    assert Select(by_id(browser, "filter-converted")).first_selected_option.text == "Pas encore"
    screenshot(browser, "quotes-to-convert")
