"""The lists' pages walk the API by cursor: "Next" and "Previous" (the trail of cursors in the URL), a new
sort starts at its first page, an old offset bookmark still opens, a hand-edited cursor says why; the
count on screen is the API's (asked with ``count=true``), naming what the list holds ("55 devis", "1 commande").
Quotes, customers and deals, in Chromium."""
from __future__ import annotations

import pytest

from tests.e2e.web.browsing import across_in_view, by_id, css, ok, on_a_phone, scrolls_sideways, shown_label

pytestmark = pytest.mark.integration


def rows(browser, table: str, attribute: str) -> list[str]:
    return [r.get_attribute(attribute) for r in browser.find_elements("css selector", f"#{table} tbody tr")]


def follow(w, browser, rel: str):
    before = browser.current_url
    browser.find_element("css selector", f"nav.pagination a[rel='{rel}']").click()
    w.wait(lambda: browser.current_url != before, message=f"the {rel} page")


def test_quotes_customers_and_deals_pages_walk_by_cursor(web_system, staff, browser, sign_in, screenshot):
    w, s, token = web_system, web_system.s, staff.sales["access_token"]
    customers = [ok(s.post("/api/v1/customers", token=token, json={"name": f"Client {i:02d}", "kind": "company"}))
                 for i in range(52)]
    quotes = [ok(s.post("/api/v1/quotes", token=token, json={"title": f"Devis {i:02d}", "customer_id": customers[0]["id"]}))
              for i in range(55)]
    for i in range(51):
        ok(s.post("/api/v1/deals", token=token, json={"title": f"Affaire {i:02d}", "customer_id": customers[1]["id"]}))
    sign_in(browser, staff.email["sales"])

    browser.get(w.url + "/quotes")
    first = rows(browser, "documents", "data-number")
    assert len(first) == 50 and first[0] == quotes[-1]["number"]  # newest first
    assert by_id(browser, "list-count").text == "55 devis"  # the count names what the list holds
    assert not browser.find_elements("css selector", "nav.pagination a[rel='prev']")
    # a row's cells side by side on a wide screen; on a phone each quote is a block, nothing to scroll sideways:
    # its number as its title, its total in view after its column's name
    number, total = (css(browser, f"#documents tbody tr:first-child td[data-label='{label}']")[0]
                     for label in ("Numéro", "Total TTC"))
    assert number.location["y"] == total.location["y"] and shown_label(browser, total) is None
    with on_a_phone(browser):
        assert not scrolls_sideways(browser) and across_in_view(browser, number) and across_in_view(browser, total)
        assert shown_label(browser, number) is None and shown_label(browser, total) == "Total TTC"
        # the filters after the search fold behind "Plus de filtres": the list is not a screen below them
        assert by_id(browser, "filter-q").is_displayed() and not by_id(browser, "filter-status").is_displayed()
        more = by_id(browser, "list-filters-more")
        assert more.text == "Plus de filtres" and more.get_attribute("aria-expanded") == "false"
        more.click()
        assert by_id(browser, "filter-status").is_displayed() and more.get_attribute("aria-expanded") == "true"
    assert not by_id(browser, "list-filters-more").is_displayed()  # on a wide screen every filter shows
    follow(w, browser, "next")
    assert "cursor=" in browser.current_url and "back=-" in browser.current_url
    assert rows(browser, "documents", "data-number") == [q["number"] for q in reversed(quotes[:5])]
    assert not browser.find_elements("css selector", "nav.pagination a[rel='next']")
    screenshot(browser, "quotes-page-2")
    follow(w, browser, "prev")
    assert rows(browser, "documents", "data-number") == first and "cursor=" not in browser.current_url
    # a new sort from page 2 starts at its own first page (a cursor belongs to its sort)
    follow(w, browser, "next")
    [a for a in browser.find_elements("css selector", "#documents thead a") if a.text.lower() == "numéro"][0].click()
    w.wait(lambda: "sort=number" in browser.current_url, message="sorted by number")
    assert "cursor=" not in browser.current_url
    assert rows(browser, "documents", "data-number") == sorted(q["number"] for q in quotes)[:50]
    # an old bookmark (an offset) still opens; a hand-edited cursor is said, with the first page
    browser.get(w.url + "/quotes?cursor=50")
    assert len(rows(browser, "documents", "data-number")) == 5
    browser.get(w.url + "/quotes?cursor=pas-un-curseur")
    assert by_id(browser, "list-error").text and len(rows(browser, "documents", "data-number")) == 50
    screenshot(browser, "quotes-bad-cursor")

    browser.get(w.url + "/customers")
    assert by_id(browser, "customers-total").text == "52 clients"
    assert rows(browser, "customers", "data-customer") == [f"Client {i:02d}" for i in range(50)]
    follow(w, browser, "next")
    assert rows(browser, "customers", "data-customer") == ["Client 50", "Client 51"]
    screenshot(browser, "customers-page-2")
    follow(w, browser, "prev")
    assert len(rows(browser, "customers", "data-customer")) == 50

    browser.get(w.url + "/deals?sort=title")
    assert by_id(browser, "deals-total").text == "51 affaires"
    follow(w, browser, "next")
    assert rows(browser, "deals", "data-deal") == ["Affaire 50"]
    follow(w, browser, "prev")
    assert rows(browser, "deals", "data-deal")[0] == "Affaire 00"

    # /contracts counts contracts, or the orders or invoices its kind filter lists
    ok(s.post("/api/v1/contracts", token=token, json={"kind": "contract", "title": "Contrat de service",
                                                      "customer_id": customers[0]["id"]}))
    ok(s.post(f"/api/v1/contracts/{quotes[0]['id']}/mark-sent", token=token, json={}))
    ok(s.post(f"/api/v1/contracts/{quotes[0]['id']}/convert", token=token, json={"target": "order"}))
    browser.get(w.url + "/contracts")
    assert by_id(browser, "list-count").text == "1 contrat"
    browser.get(w.url + "/contracts?kind=order")
    assert by_id(browser, "list-count").text == "1 commande"
    screenshot(browser, "orders-count")
    browser.get(w.url + "/contracts?kind=invoice")  # none: the empty state, nothing to count or export
    assert not css(browser, "#list-count") and not css(browser, "#export-csv") and css(browser, ".empty-state")
