"""The client portal's company address asks for the postcode and the city in the order the company's country writes
them, the staff customer form's rule (paraph_platform.addresses.city_first): "75002 Paris" postcode first, the
United Kingdom's "London" then "NW1 6XE" city first. Driven in headless Chromium against the real services: the order
follows the stored country when the profile loads and the country the client chooses, and what is saved is the
fields' values, whatever their order."""
from __future__ import annotations

import pytest

from tests.e2e.web.browsing import ok, portal_sign_in

from .conftest import PASSWORD
from .test_address_countries import a_portal_client, choose, stored_country
from .test_admin_area import by_id

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

EXTRA_SERVICES = ("portal",)


def place_order(browser) -> list[str]:
    """The names of the postcode and city fields, in the order the form shows (and tabs through) them."""
    return browser.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll("
        "'#company-form [name=\"address.postal_code\"], #company-form [name=\"address.city\"]'),"
        " function (i) { return i.name; });")


def loaded(w, browser, city: str):
    w.wait(lambda: by_id(browser, "company-address.city").get_attribute("value") == city,
           message="the company's details loaded")


def test_the_portal_asks_for_the_city_first_where_the_companys_country_writes_it_first(web_system, staff, browser,
                                                                                       screenshot):
    w, s = web_system, web_system.s
    T = staff.sales["access_token"]
    customer, portal = a_portal_client(s, T, {
        "name": "Baker Street Teas", "address": {"line1": "221B Baker Street", "city": "London",
                                                 "postal_code": "NW1 6XE", "country": "GB"},
        "contacts": [{"first_name": "Martha", "last_name": "Hudson", "email": "martha@teas.test"}]}, "TEAS-MARTHA")

    # a British company: the town, then its postcode, as its address is written
    portal_sign_in(browser, w, f"{portal}/portal/profile?lang=en", "martha@teas.test", PASSWORD)
    loaded(w, browser, "London")
    assert place_order(browser) == ["address.city", "address.postal_code"]
    screenshot(browser, "portal-profile-address-city-first")

    # the client moves to France: the postcode comes first as she chooses it, and the address saves as typed
    choose(browser, "company-address.country", "FR")
    assert place_order(browser) == ["address.postal_code", "address.city"]
    postcode, city = by_id(browser, "company-address.postal_code"), by_id(browser, "company-address.city")
    postcode.clear(), postcode.send_keys("75002")
    city.clear(), city.send_keys("Paris")
    by_id(browser, "company-submit").click()
    w.wait(lambda: "Saved" in by_id(browser, "company-form-notice").text, message="the address saved")
    address = ok(s.get(f"/api/v1/customers/{customer['id']}", token=T))["address"]
    assert (address["postal_code"], address["city"], address["country"]) == ("75002", "Paris", "FR")

    # loaded again in French: postcode first, as France writes it; back to the UK, the city first again
    browser.get(f"{portal}/portal/profile?lang=fr")
    loaded(w, browser, "Paris")
    assert place_order(browser) == ["address.postal_code", "address.city"]
    screenshot(browser, "portal-profile-address-postcode-first")
    choose(browser, "company-address.country", "GB")
    assert place_order(browser) == ["address.city", "address.postal_code"]
    assert stored_country(s, T, customer["id"]) == "FR"  # nothing saved by choosing
