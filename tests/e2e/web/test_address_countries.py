"""An address's country is chosen in a list of the countries by name, in the page's language, on the customer form,
the company profile and the client portal's profile, driven in headless Chromium against the real services: the
forms store the ISO code, and the customer file, the PDF, the history and the owner's email name it. A new customer
starts in the company's own country (France when the profile names none). A country typed before the list (or by
an integration) is kept: a name the list knows ("Canada") shows as that country and stays as typed until another is
chosen; one it does not know ("Deutschland") is offered as it was saved."""
from __future__ import annotations


import pytest

from paraph_platform.testing.pdfs import contract_pdf_text
from tests.e2e.web.browsing import fill, ok, portal_sign_in

from .conftest import PASSWORD
from .test_admin_area import by_id, css, h1, navigate, notice

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

EXTRA_SERVICES = ("portal",)  # the client portal's profile


def chosen(browser, select_id: str) -> tuple[str, str]:
    """(value, words) of the option a list shows chosen."""
    from selenium.webdriver.support.ui import Select
    option = Select(by_id(browser, select_id)).first_selected_option
    return option.get_attribute("value"), option.text


def choose(browser, select_id: str, value: str):
    from selenium.webdriver.support.ui import Select
    Select(by_id(browser, select_id)).select_by_value(value)


def stored_country(s, token, customer_id):
    return ok(s.get(f"/api/v1/customers/{customer_id}", token=token))["address"].get("country")


def test_a_customers_country_is_chosen_in_a_list_and_named_where_it_is_read(web_system, staff, browser, sign_in,
                                                                             screenshot):
    w, s = web_system, web_system.s
    T, admin = staff.sales["access_token"], staff.admin["access_token"]

    # a new customer: France, the profile naming no country; the countries by their French names, in their order
    sign_in(browser, staff.email["sales"], next_path="/customers/new")
    assert chosen(browser, "field-country") == ("FR", "France")
    names = [o.text for o in css(browser, "#field-country option")]
    assert names[0] == "—" and len(names) == 251 and names.index("Égypte") < names.index("Espagne")
    assert "Allemagne" in names and "Germany" not in names
    screenshot(browser, "customer-new-country")

    # the company's own country, typed as a name in its profile (before the list), is where a new customer starts
    ok(s.put("/api/v1/company-profile", token=admin, json={"name": "ACME Paris", "address": {
        "city": "Bruxelles", "country": "Belgique"}}))
    browser.get(w.url + "/customers/new")
    assert chosen(browser, "field-country") == ("BE", "Belgique")
    fill(browser, {"field-name": "Brauhaus Köln", "field-city": "Köln"})
    choose(browser, "field-country", "DE")
    navigate(browser, "customer-submit")
    assert h1(browser) == "Brauhaus Köln"
    kolsch = browser.current_url.split("/customers/")[1].split("?")[0]
    assert stored_country(s, T, kolsch) == "DE"  # the code: one value whatever the language
    assert chosen(browser, "field-country") == ("DE", "Allemagne")
    # its quote's PDF names the country, not its code
    quote = ok(s.post("/api/v1/quotes", token=T, json={"title": "Fûts", "customer_id": kolsch, "lines": [
        {"description": "Fût 30 L", "quantity": "2", "unit_price": "90", "tax_rate": "20"}]}))
    text = contract_pdf_text(s, T, quote["id"])
    assert "Köln\nAllemagne" in text and "\nDE\n" not in text

    # typed before the list: a name it knows shows as that country, and stays as typed while it is kept
    canada = ok(s.post("/api/v1/customers", token=T, json={"name": "Érablière Tremblay", "address": {
        "city": "Montréal", "country": "Canada"}}))
    browser.get(f"{w.url}/customers/{canada['id']}")
    assert chosen(browser, "field-country") == ("CA", "Canada")
    fill(browser, {"field-notes": "Livrer avant l'hiver."})
    navigate(browser, "customer-submit")
    assert "enregistré" in notice(browser)
    assert stored_country(s, T, canada["id"]) == "Canada"
    [edit] = ok(s.get(f"/api/v1/customers/{canada['id']}/history", token=T))["items"]
    assert "address.country" not in {c["field"] for c in edit["details"].get("changes", [])}  # nothing changed

    # a text it does not know is offered as it was saved, chosen: saving keeps it; another country replaces it
    deutsch = ok(s.post("/api/v1/customers", token=T, json={"name": "Bäckerei Schmidt", "address": {
        "city": "Aachen", "country": "Deutschland"}}))
    browser.get(f"{w.url}/customers/{deutsch['id']}")
    assert chosen(browser, "field-country") == ("Deutschland", "Deutschland (tel qu'enregistré)")
    screenshot(browser, "customer-country-kept-as-saved")
    fill(browser, {"field-notes": "Client historique."})
    navigate(browser, "customer-submit")
    assert stored_country(s, T, deutsch["id"]) == "Deutschland"
    choose(browser, "field-country", "AT")
    navigate(browser, "customer-submit")
    assert stored_country(s, T, deutsch["id"]) == "AT"
    assert chosen(browser, "field-country") == ("AT", "Autriche")
    assert not [o for o in css(browser, "#field-country option") if "tel qu'enregistré" in o.text]
    # the history names both, as the file does
    navigate(browser, "tab-history")
    change = css(browser, "#customer-history li[data-field='address.country']")[0].text
    assert "Deutschland" in change and "Autriche" in change and "AT" not in change.split()
    screenshot(browser, "customer-history-country")

    # the company profile's list: its typed name shows as Belgium and stays so until another country is chosen
    browser.delete_all_cookies()
    sign_in(browser, staff.email["admin"], next_path="/settings/company-profile")
    assert chosen(browser, "field-address-country") == ("BE", "Belgique")
    navigate(browser, "save-company-profile")
    assert ok(s.get("/api/v1/company-profile", token=admin))["address"]["country"] == "Belgique"
    choose(browser, "field-address-country", "FR")
    navigate(browser, "save-company-profile")
    assert ok(s.get("/api/v1/company-profile", token=admin))["address"]["country"] == "FR"
    assert chosen(browser, "field-address-country") == ("FR", "France")
    screenshot(browser, "settings-company-profile-country")
    assert "Bruxelles\nFrance" in contract_pdf_text(s, T, quote["id"])  # the issuer's country too, by name


def a_portal_client(s, token, customer: dict, user_code: str) -> tuple[dict, str]:
    """A new customer (as created) whose first contact has a client portal access and chose their password, and the
    portal's address."""
    created = ok(s.post("/api/v1/customers", token=token, json=customer))
    contact = created["contacts"][0]
    ok(s.post(f"/api/v1/contacts/{contact['id']}/portal-access", token=token, json={"user_code": user_code}))
    s.accept(contact["email"], PASSWORD)
    return created, s.serve()


def test_a_client_chooses_their_companys_country_on_the_portal(web_system, staff, browser, screenshot):
    w, s = web_system, web_system.s
    T = staff.sales["access_token"]
    customer, portal = a_portal_client(s, T, {
        "name": "Bäckerei Schmidt", "address": {"city": "Aachen", "country": "Deutschland"},
        "contacts": [{"first_name": "Anna", "last_name": "Schmidt", "email": "anna@schmidt.test"}]}, "SCHMIDT-ANNA")

    # what was typed before the list is offered as it was saved; another field saved does not send it again
    portal_sign_in(browser, w, f"{portal}/portal/profile?lang=fr", "anna@schmidt.test", PASSWORD)
    w.wait(lambda: by_id(browser, "company-address.city").get_attribute("value") == "Aachen",
           message="the company's details loaded")
    assert chosen(browser, "company-address.country") == ("Deutschland", "Deutschland (tel qu'enregistré)")
    assert [o.text for o in css(browser, "#company-address\\.country option")][2:4] == ["Afghanistan", "Afrique du Sud"]
    by_id(browser, "company-phone").send_keys("+49 241 123456")
    by_id(browser, "company-submit").click()
    w.wait(lambda: "Enregistré" in by_id(browser, "company-form-notice").text, message="the phone saved")
    assert stored_country(s, T, customer["id"]) == "Deutschland"

    # chosen in the list: the code is stored, and the client reads its name in her language
    choose(browser, "company-address.country", "DE")
    by_id(browser, "company-submit").click()
    w.wait(lambda: "Enregistré" in by_id(browser, "company-form-notice").text
           and stored_country(s, T, customer["id"]) == "DE", message="the country saved")
    assert chosen(browser, "company-address.country") == ("DE", "Allemagne")
    screenshot(browser, "portal-profile-country")
    browser.get(f"{portal}/portal/profile?lang=en")
    w.wait(lambda: chosen(browser, "company-address.country") == ("DE", "Germany"), message="in English")
    screenshot(browser, "portal-profile-country-en")

    # the owner's email and the customer's history name the country, not its code
    mails = w.wait(lambda: [m for m in w.mail.messages(to="paul@acme.test")
                            if dict(m["headers"]).get("X-Paraph-Template") == "customer_self_updated"
                            and "Pays" in m["text"]], message="the owner's email")
    assert "Pays\u00a0: Deutschland → Allemagne" in mails[-1]["text"]
    [country_change] = [c for h in ok(s.get(f"/api/v1/customers/{customer['id']}/history", token=T))["items"]
                        for c in h["details"].get("changes", []) if c["field"] == "address.country"]
    assert (country_change["from"], country_change["to"]) == ("Deutschland", "DE")  # the API: as stored
