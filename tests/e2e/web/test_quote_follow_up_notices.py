"""What the salesperson reads while following a quote (seed 003: "Relancer par email", "Dupliquer un devis",
"Créer une commande / une facture depuis un devis"), in headless Chromium:

* the quote's page names its contact (the default recipient of "Envoyer par email") and links its customer's file;
* "Relancer par email" says a reminder was sent, not "the quote was sent" again; another contact, who never got
  the quote, gets its first sending ("Veuillez trouver notre devis"), not "Nous revenons vers vous";
* "Dupliquer" and "Créer une commande" say what opened: the copy, or the order made from the quote (the copy
  looked exactly like the original, nothing said it was another document);
* the sign-in page of a French browser says a wrong password in French (it said "Wrong email or password.")."""
from __future__ import annotations

import pytest

from selenium.webdriver.support.ui import Select

from tests.e2e.web.browsing import by_id, more_actions, ok

from .test_admin_area import css, navigate, notice

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

EXTRA_SERVICES = ("portal",)  # "Envoyer par email"


def test_the_quote_page_and_its_notices_say_what_happened(web_system, staff, browser, sign_in, screenshot):
    w, s, token = web_system, web_system.s, staff.sales["access_token"]
    customer = ok(s.post("/api/v1/customers", token=token, json={"name": "Atelier Durand", "kind": "company",
                                                                  "contacts": [{"first_name": "Claire",
                                                                                "last_name": "Durand",
                                                                                "email": "claire@durand.test"},
                                                                               {"first_name": "Marc",
                                                                                "last_name": "Petit",
                                                                                "email": "marc@durand.test"}]}))
    quote = ok(s.post("/api/v1/quotes", token=token, json={
        "title": "Équipement atelier", "contact_id": customer["contacts"][0]["id"],
        "lines": [{"description": "Perceuse industrielle", "quantity": "2", "unit_price": "600", "tax_rate": "20"}]}))
    sign_in(browser, staff.email["sales"], next_path=f"/contracts/{quote['id']}")

    # the summary: the contact the quote is for, the customer one click from its file
    assert by_id(browser, "contract-contact").text == "Claire Durand"
    link = by_id(browser, "contract-customer").find_element("tag name", "a")
    assert link.text == "Atelier Durand" and link.get_attribute("href").endswith(f"/customers/{customer['id']}")

    # sent, then reminded: each said as what it was
    for expected in ("Le devis a été envoyé à claire@durand.test.", "La relance a été envoyée à claire@durand.test."):
        navigate(browser, "send-by-email")
        if by_id(browser, "field-request_signature").is_selected():  # no signing service in this system
            by_id(browser, "field-request_signature").click()
        navigate(browser, "send-submit")
        assert notice(browser) == expected
    screenshot(browser, "follow-up-1-reminded")

    # Marc never got the quote: choosing him brings the first sending back, its subject and its words
    navigate(browser, "send-by-email")
    assert Select(by_id(browser, "field-template")).first_selected_option.text == "Relance de devis"  # Claire's
    Select(by_id(browser, "field-contact_id")).select_by_value(customer["contacts"][1]["id"])
    navigate(browser, "send-preview")
    assert Select(by_id(browser, "field-template")).first_selected_option.text == "Envoi du devis"
    assert not by_id(browser, "field-subject").get_attribute("value").startswith("Relance")
    assert by_id(browser, "send-submit").text == "Envoyer par email" and not css(browser, "#already-sent")
    browser.switch_to.frame(by_id(browser, "preview-html"))
    shown = browser.find_element("tag name", "body").text
    browser.switch_to.default_content()
    assert "Veuillez trouver notre devis" in shown and "Nous revenons vers vous" not in shown
    screenshot(browser, "follow-up-1-another-contact")
    if by_id(browser, "field-request_signature").is_selected():
        by_id(browser, "field-request_signature").click()
    navigate(browser, "send-submit")
    assert notice(browser) == "Le devis a été envoyé à marc@durand.test."
    # chosen without a preview, straight to "send": the same
    ok(s.post("/api/v1/customers/" + customer["id"] + "/contacts", token=token,
              json={"first_name": "Léa", "last_name": "Roux", "email": "lea@durand.test"}), 201)
    navigate(browser, "send-by-email")
    Select(by_id(browser, "field-contact_id")).select_by_visible_text("Léa Roux <lea@durand.test>")
    if by_id(browser, "field-request_signature").is_selected():
        by_id(browser, "field-request_signature").click()
    navigate(browser, "send-submit")
    assert notice(browser) == "Le devis a été envoyé à lea@durand.test."
    sends = ok(s.get(f"/api/v1/quotes/{quote['id']}/activity", token=token))["sends"]
    assert [(x["to"], x["template"]) for x in sends] == [
        ("claire@durand.test", "quote_send"), ("claire@durand.test", "quote_reminder"),
        ("marc@durand.test", "quote_send"), ("lea@durand.test", "quote_send")]

    # accepted, then an order made from it, then a copy: each page says what it is
    ok(s.post(f"/api/v1/contracts/{quote['id']}/status", json={"status": "accepted"}, token=token), 200)
    browser.refresh()
    navigate(browser, "convert-order")  # the header's: an accepted quote's next step
    order = by_id(browser, "page-title").text.split()[-1]
    assert by_id(browser, "page-title").text.startswith("Commande ")
    assert notice(browser) == f"La commande {order} est créée à partir du devis."
    browser.get(f"{w.url}/contracts/{quote['id']}")
    more_actions(browser)
    navigate(browser, "duplicate")
    copy = by_id(browser, "page-title").text.split()[-1]
    assert copy != quote["number"] and by_id(browser, "contract-status").text == "Brouillon"
    # (WebDriver reads the no-break space before ":" as a space)
    assert notice(browser) == f"Voici la copie, {copy}, en brouillon : modifiez-la, puis envoyez-la."
    screenshot(browser, "follow-up-2-copy")


def test_a_wrong_password_is_said_in_french(web_system, staff, browser, screenshot):
    w = web_system
    # a French browser (the test's Chromium asks for English pages)
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": "fr-FR,fr;q=0.9"}})
    browser.get(w.url + "/sign-in")
    by_id(browser, "field-email").send_keys(staff.email["sales"])
    by_id(browser, "field-password").send_keys("not my password")
    navigate(browser, "sign-in-submit")
    assert by_id(browser, "form-message").text == "Adresse email ou mot de passe incorrect."
    screenshot(browser, "sign-in-wrong-password-fr")
