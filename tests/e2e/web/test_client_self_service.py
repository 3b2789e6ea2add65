"""GEM-BOOKS' reason for giving a customer's contact access at all: the client keeps their own details and their
company's up to date. Driven in headless Chromium against the real services: the client signs in to the client
portal, a bad phone number is refused next to its field (nothing saved), then they update their phone and the
company's address; the salesperson who owns the customer got an email listing the changes, sees the new values
in the customer file and both changes, by the client, in its History tab. Sending the same values again changes
nothing (no history line, no email)."""
from __future__ import annotations

import pytest

from tests.e2e.web.browsing import filled_buttons, ok, portal_sign_in
from .conftest import PASSWORD
from .test_admin_area import by_id, css, navigate

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

EXTRA_SERVICES = ("portal",)


def owner_emails(w, email: str) -> list:
    return [m for m in w.mail.messages(to=email)
            if dict(m["headers"]).get("X-Paraph-Template") == "customer_self_updated"]


def test_a_client_updates_their_phone_and_the_company_address(web_system, staff, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    T = staff.sales["access_token"]
    customer = ok(s.post("/api/v1/customers", token=T, json={
        "name": "Hervé David", "kind": "company", "code": "8005551", "phone": "514 555 0100",
        "address": {"line1": "10 rue Sainte-Catherine", "city": "Montréal", "country": "Canada"},
        "contacts": [{"first_name": "Mireille", "last_name": "Couture", "email": "mireille@hervedavid.test",
                      "title": "Responsable stock", "phone": "514 555 0121"}]}))
    contact = customer["contacts"][0]
    ok(s.post(f"/api/v1/contacts/{contact['id']}/portal-access", token=T, json={"user_code": "8005551216"}))
    client = s.accept("mireille@hervedavid.test", PASSWORD)

    # the client portal's "My details": a bad phone number is refused next to its field, nothing is saved
    from selenium.webdriver.common.by import By
    portal = s.serve()  # the gateway serves the client portal (the web app forwards it under ./paraph up)
    portal_sign_in(browser, w, f"{portal}/portal/profile?lang=fr", "mireille@hervedavid.test", PASSWORD)
    w.wait(lambda: by_id(browser, "contact-phone").get_attribute("value") == "514 555 0121",
           message="my details loaded")
    assert by_id(browser, "company-address.city").get_attribute("value") == "Montréal"
    # the two cards' saves are of one kind and rank: alike, outlined (UI.md: one primary action per page, none here)
    assert filled_buttons(browser) == []
    assert by_id(browser, "contact-submit").get_attribute("class") == by_id(browser, "company-submit").get_attribute("class")
    assert "Enregistrer les coordonnées de l'entreprise" in by_id(browser, "company-submit").text

    def type_into(field_id, value):
        field = by_id(browser, field_id)
        field.clear()
        field.send_keys(value)

    type_into("contact-phone", "appelez-moi")
    by_id(browser, "contact-submit").click()
    w.wait(lambda: by_id(browser, "contact-phone-error").text, message="the phone's error")
    assert by_id(browser, "contact-phone").get_attribute("aria-invalid") == "true"
    # examples of the country it is read in: the customer's, Canada (paraph_platform.phones)
    assert by_id(browser, "contact-phone-error").text == \
        "Numéro invalide : ex. (506) 234\u20115678 ou +1 506\u2011234\u20115678."  # each example on one line
    assert "Corrigez" in by_id(browser, "contact-form-notice").text
    screenshot(browser, "portal-profile-error")
    assert ok(s.get(f"/api/v1/contacts/{contact['id']}", token=T))["phone"] == "514 555 0121"

    # the phone, then the company's address
    type_into("contact-phone", "+1 514 555 0199")
    by_id(browser, "contact-submit").click()
    w.wait(lambda: "Enregistré" in by_id(browser, "contact-form-notice").text, message="my details saved")
    type_into("company-address.line1", "1200 rue Sherbrooke Ouest")
    type_into("company-address.postal_code", "H3A 1H6")
    by_id(browser, "company-submit").click()
    w.wait(lambda: "Enregistré" in by_id(browser, "company-form-notice").text, message="the company saved")
    screenshot(browser, "portal-profile-saved")

    # the API: problem+json 422 on bad input; the same values again change nothing
    bad = s.patch("/api/v1/portal/me/contact", token=client["access_token"], json={"email": "pas-un-email"})
    assert bad.status_code == 422 and bad.headers["Content-Type"].startswith("application/problem+json")
    assert "email" in bad.get_json()["errors"]
    # the staff's rule for phone numbers (paraph_platform.phones): a number no SMS can go to is refused on its field
    for target, field in (("contact", "mobile"), ("contact", "fax"), ("company", "phone")):
        bad = s.patch(f"/api/v1/portal/me/{target}", token=client["access_token"], json={field: "06 12"})
        assert bad.status_code == 422 and list(bad.get_json()["errors"]) == [field], bad.get_json()
    again = ok(s.patch("/api/v1/portal/me/company", token=client["access_token"],
                       json={"address": {"line1": "1200 rue Sherbrooke Ouest"}}))
    assert again["changes"] == [] and again["company"]["address"]["city"] == "Montréal"
    assert s.patch("/api/v1/portal/me/company", token=T, json={"phone": "1"}).status_code == 403  # staff: not here

    # the owner (the salesperson who created the customer) is told, once per change, with what changed
    mails = w.wait(lambda: len(owner_emails(w, "paul@acme.test")) == 2 and owner_emails(w, "paul@acme.test"),
                   message="the owner's two emails")
    texts = " ".join(m["text"] for m in mails)
    assert "+1 514 555 0199" in texts and "1200 rue Sherbrooke Ouest" in texts and "Mireille Couture" in texts
    assert any(link.endswith(f"/customers/{customer['id']}?tab=history") for m in mails for link in m["links"])

    # the salesperson: the customer file shows the new values, and the History tab both changes by the client
    sign_in(browser, "paul@acme.test", next_path=f"/customers/{customer['id']}")
    assert by_id(browser, "field-line1").get_attribute("value") == "1200 rue Sherbrooke Ouest"
    assert by_id(browser, "field-postal_code").get_attribute("value") == "H3A 1H6"
    navigate(browser, "tab-contacts")
    assert "+1 514 555 0199" in by_id(browser, f"contact-{contact['id']}").text
    navigate(browser, "tab-history")
    entries = css(browser, "#customer-history > li")
    assert [e.get_attribute("data-action") for e in entries] == ["self_service_company", "self_service_contact"]
    assert all("by-client" in e.get_attribute("class") for e in entries)
    company_change, contact_change = entries
    assert {li.get_attribute("data-field") for li in company_change.find_elements(By.CSS_SELECTOR, "li")} == {
        "address.line1", "address.postal_code"}
    assert "10 rue Sainte-Catherine" in company_change.text and "1200 rue Sherbrooke Ouest" in company_change.text
    assert "514 555 0121" in contact_change.text and "+1 514 555 0199" in contact_change.text
    assert "Mireille Couture" in contact_change.text
    screenshot(browser, "customer-history")
    # no third email for the repeated values
    assert len(owner_emails(w, "paul@acme.test")) == 2
