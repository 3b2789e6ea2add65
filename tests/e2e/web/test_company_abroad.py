"""A company established outside France, in a headless Chromium whose language is en-GB, against the real services:
it says its country when it activates its subscription (offered as the page's language's: the UK in English, France
in French), and starts with that country's time zone, currency and documents' language; its company profile names
its identifiers as the UK does (a company number, no SIREN or SIRET) and asks for its town before its postcode; its
admins' numbers are British ones; the quote editor's line column says "Description"; the PDF prints its addresses in
the UK's order and its company number (paraph_platform.company_country, paraph_platform.addresses)."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from paraph_platform.testing import TEST_OPERATOR_TOKEN

from .browsing import by_id, css, ok
from .conftest import PASSWORD
from .test_address_countries import choose, chosen
from .test_admin_area import h1, navigate
from .test_customers import fill
from .test_english_company import in_english
from .test_salesperson_day import emails

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

ADMIN = "emma@highland.test"


def label_of(browser, field_id: str) -> str:
    return css(browser, f"label[for={field_id}]")[0].text.replace("*", "").strip()


def before(browser, first_id: str, second_id: str) -> bool:
    """Whether the field ``first_id`` comes before ``second_id`` in the form (the order it asks for them in)."""
    return browser.execute_script(
        "return !!(arguments[0].compareDocumentPosition(arguments[1]) & Node.DOCUMENT_POSITION_FOLLOWING)",
        by_id(browser, first_id), by_id(browser, second_id))


def new_pool(s, name: str) -> dict:
    return ok(s.post("/api/v1/operator/seat-pools", headers={"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"},
                     json={"name": name, "seats": 5,
                           "expires_at": (datetime.now(timezone.utc) + timedelta(days=365)).isoformat()}))


def test_a_british_company_says_its_country_and_reads_as_british(web_system, browser, sign_in, screenshot):
    w, s = web_system, web_system.s

    # -- the activation page offers the page's language's country, France in French --------------------------------
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": "fr-FR,fr;q=0.9"}})
    browser.get(w.url + "/activate")
    assert h1(browser) == "Activer votre abonnement"
    assert chosen(browser, "field-country") == ("FR", "France")
    assert label_of(browser, "field-country") == "Pays de votre entreprise"
    screenshot(browser, "abroad-activate-in-french")
    in_english(browser)
    browser.get(w.url + "/activate")
    assert h1(browser) == "Activate your subscription"
    assert chosen(browser, "field-country") == ("GB", "United Kingdom")
    assert label_of(browser, "field-country") == "Country of your company"
    fill(browser, {"field-activation_code": new_pool(s, "Highland Tools")["activation_code"],
                   "field-company_name": "Highland Tools Ltd", "field-admin_name": "Emma Stewart",
                   "field-admin_email": ADMIN})
    screenshot(browser, "abroad-activate-country")
    navigate(browser, "activate-submit")
    assert by_id(browser, "activated")
    [invitation] = w.wait(lambda: emails(w, ADMIN, "invitation"), message="the admin's invitation")
    browser.get(w.link(next(link for link in invitation["links"] if "set-password" in link)))
    for field in ("field-password", "field-password_confirm"):
        by_id(browser, field).send_keys(PASSWORD)
    navigate(browser, "password-submit")
    admin = ok(s.post("/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD}))["access_token"]
    settings = ok(s.get("/api/v1/license", token=admin))["settings"]
    assert {key: settings[key] for key in ("country", "time_zone", "currency", "default_locale")} == {
        "country": "GB", "time_zone": "Europe/London", "currency": "GBP", "default_locale": "en"}

    # -- the documents' defaults: the country, among what a new quote starts with, still hers to change -----------
    browser.get(w.url + "/settings/abandon-delay")
    assert chosen(browser, "field-country") == ("GB", "United Kingdom")
    assert chosen(browser, "field-time_zone")[0] == "Europe/London"
    screenshot(browser, "abroad-document-defaults")

    # -- the company profile: the UK's names of its identifiers, its town before its postcode ----------------------
    browser.get(w.url + "/settings/company-profile")
    assert chosen(browser, "field-address-country") == ("GB", "United Kingdom")  # none saved yet: the company's
    assert [label_of(browser, f"field-{name}") for name in ("siren", "siret", "rcs_city", "vat_number")] == [
        "Company number", "Registration number", "Place of registration", "VAT number"]
    assert "SIREN" not in css(browser, "main")[0].text and "SIRET" not in css(browser, "main")[0].text
    assert before(browser, "field-address-city", "field-address-postal_code")
    fill(browser, {"field-address-line1": "12 Rose Street", "field-address-city": "Edinburgh",
                   "field-address-postal_code": "EH2 2PR", "field-siren": "SC123456",
                   "field-rcs_city": "Scotland", "field-vat_number": "GB123456789", "field-phone": "0131 496 0000"})
    screenshot(browser, "abroad-company-profile")
    navigate(browser, "save-company-profile")
    profile = ok(s.get("/api/v1/company-profile", token=admin))
    assert (profile["siren"], profile["rcs_city"], profile["address"]["country"]) == ("SC123456", "Scotland", "GB")
    assert profile["phone"] == "0131 496 0000"  # a British number as dialled in the UK
    fill(browser, {"field-siren": "SC1234567890"})
    navigate(browser, "save-company-profile")
    assert by_id(browser, "field-siren-error").text == "A company number has up to 9 letters and digits."
    screenshot(browser, "abroad-company-profile-error")

    # -- her own mobile, as dialled in the UK ---------------------------------------------------------------------
    browser.get(w.url + "/account")
    fill(browser, {"field-phone": "07700 900456"})
    navigate(browser, "profile-submit")
    assert ok(s.get("/api/v1/me", token=admin))["phone"] == "07700 900456"

    # -- a customer: the UK's order, the company's country first ---------------------------------------------------
    browser.get(w.url + "/customers/new")
    assert chosen(browser, "field-country") == ("GB", "United Kingdom")
    assert before(browser, "field-city", "field-postal_code")
    fill(browser, {"field-name": "Brightwater Joinery Ltd", "field-line1": "4 Canal Street", "field-city": "Manchester",
                   "field-postal_code": "M1 3HE", "field-phone": "0161 496 0000"})
    screenshot(browser, "abroad-customer-new")
    navigate(browser, "customer-submit")
    assert h1(browser) == "Brightwater Joinery Ltd"
    customer_id = browser.current_url.split("/customers/")[1].split("?")[0]
    choose(browser, "field-country", "US")  # an American address: city, then its ZIP code, as the US writes them
    navigate(browser, "customer-submit")
    assert before(browser, "field-city", "field-postal_code")
    choose(browser, "field-country", "GB")
    navigate(browser, "customer-submit")

    # -- the quote editor names a line's text "Description" -------------------------------------------------------
    browser.get(f"{w.url}/quotes/new?customer_id={customer_id}")
    fill(browser, {"field-title": "Workshop fit-out"})
    navigate(browser, "add-line")
    assert label_of(browser, "line-0-description") == "Description"
    screenshot(browser, "abroad-quote-editor")

    # -- its PDF: the addresses in the UK's order, its company number ------------------------------------------------
    quote = ok(s.post("/api/v1/quotes", token=admin, json={"title": "Workshop fit-out", "customer_id": customer_id,
                                                            "lines": [{"description": "Oak bench", "quantity": "2",
                                                                       "unit_price": "1250", "tax_rate": "20"}]}))
    pdf = s.get(f"/api/v1/contracts/{quote['id']}/pdf", token=admin)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Edinburgh\nEH2 2PR\nUnited Kingdom" in text and "Manchester\nM1 3HE\nUnited Kingdom" in text, text
    assert "Company No. SC123456" in text and "Registered in Scotland" in text and "VAT No. GB123456789" in text
    assert "SIREN" not in text and "Designation" not in text and "£" in text


def test_a_french_company_keeps_its_siren_and_its_postcode_before_its_city(web_system, staff, browser, sign_in,
                                                                           screenshot):
    """What a French company had: France's identifiers, "75002 Paris", on its French pages."""
    sign_in(browser, staff.email["admin"], next_path="/settings/company-profile")
    assert [label_of(browser, f"field-{name}") for name in ("siren", "siret", "rcs_city", "vat_number")] == [
        "SIREN", "SIRET", "Ville du RCS", "N° TVA intracommunautaire"]
    assert before(browser, "field-address-postal_code", "field-address-city")
    screenshot(browser, "france-company-profile")
    browser.get(web_system.url + "/quotes/new")
    navigate(browser, "add-line")
    assert label_of(browser, "line-0-description") == "Désignation"
