"""Orders have their entry in the main menu ("Commandes"), driven in headless Chromium against the real services:
it opens the contracts list with its kind filter in the URL (``/contracts?kind=order``: a link reproduces the
view), named "Commandes" by its one h1, the menu marking where the salesperson is, on an order's page too; with
no order yet, the list says how one is made (from an accepted quote) and leads to those quotes; on a phone the
entry is in the menu's panel and the page fits the screen."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.web.browsing import SCREENSHOTS, filled_buttons, ok, on_a_phone

from .test_admin_area import by_id, css, h1, navigate

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def current_entry(browser) -> list[str]:
    """The main menu's entries marked as the page the reader is on."""
    return [a.get_attribute("textContent").strip() for a in css(browser, ".main-nav > li > a[aria-current=page]")]


def test_orders_have_their_menu_entry_with_the_filter_in_the_url(web_system, staff, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    T = staff.sales["access_token"]
    customer = ok(s.post("/api/v1/customers", token=T, json={"name": "Boulangerie Martin"}))

    # no order yet: the entry, between the contracts and what is sent for signature, opens the orders' list
    sign_in(browser, staff.email["sales"])
    entries = [a.get_attribute("textContent").strip() for a in css(browser, ".main-nav > li > a")]
    assert entries[entries.index("Contrats") + 1] == "Commandes"
    navigate(browser, "nav-orders")
    assert parse_qs(urlsplit(browser.current_url).query) == {"kind": ["order"]}
    assert [e.text for e in css(browser, "h1")] == ["Commandes"] and current_entry(browser) == ["Commandes"]
    empty = css(browser, ".empty-state")[0]
    assert "Une commande se crée depuis un devis accepté" in empty.text
    with on_a_phone(browser):  # their kind is the view's, not a filter in use
        assert by_id(browser, "list-filters-more").text == "Plus de filtres"
    # nothing to create here (an order comes from a quote): no header button, the way to the quotes outlined
    assert filled_buttons(browser) == [] and not css(browser, "#new-contract")
    screenshot(browser, "orders-empty")
    navigate(browser, empty.find_element("css selector", "a"))
    assert parse_qs(urlsplit(browser.current_url).query) == {"status": ["accepted"]} and h1(browser) == "Devis"

    # an order made from a quote: listed under Commandes, not under Contrats
    quote = ok(s.post("/api/v1/quotes", token=T, json={"title": "Pains pour l'été", "customer_id": customer["id"],
                                                        "lines": [{"description": "Baguettes", "quantity": "200",
                                                                   "unit_price": "1.10", "tax_rate": "5.5"}]}))
    ok(s.post(f"/api/v1/contracts/{quote['id']}/mark-sent", token=T, json={}))
    order = ok(s.post(f"/api/v1/contracts/{quote['id']}/convert", token=T, json={"target": "order"}))
    navigate(browser, "nav-orders")
    assert [r.get_attribute("data-number") for r in css(browser, "#documents tbody tr")] == [order["number"]]
    assert by_id(browser, "list-count").text == "1 commande"
    assert "Commande" not in by_id(browser, "documents").find_element("css selector", "tbody td").text  # said once
    screenshot(browser, "orders")
    # filtered, the view stays the orders' (the kind kept in the URL with the other filters)
    from selenium.webdriver.support.ui import Select
    Select(by_id(browser, "filter-status")).select_by_value("draft")
    navigate(browser, "filter-submit")
    query = parse_qs(urlsplit(browser.current_url).query)
    assert (query["kind"], query["status"]) == (["order"], ["draft"])
    assert h1(browser) == "Commandes" and current_entry(browser) == ["Commandes"]
    # the order's page is in the same section of the menu; the contracts list is another one
    navigate(browser, css(browser, f"tr[data-number='{order['number']}'] a")[0])
    assert current_entry(browser) == ["Commandes"]
    browser.get(w.url + "/contracts")
    assert h1(browser) == "Contrats" and current_entry(browser) == ["Contrats"]
    assert not css(browser, f"tr[data-number='{order['number']}']") and css(browser, "#new-contract")

    # on a phone: the entry is in the menu's panel, marked where the reader is
    browser.get(w.url + "/contracts?kind=order")
    with on_a_phone(browser):
        assert not by_id(browser, "nav-orders").is_displayed()  # until the menu is opened
        by_id(browser, "nav-menu-button").click()
        w.wait(lambda: by_id(browser, "nav-orders").is_displayed(), message="the menu's panel")
        assert by_id(browser, "nav-orders").get_attribute("aria-current") == "page"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "orders-menu-open-phone.png"))
