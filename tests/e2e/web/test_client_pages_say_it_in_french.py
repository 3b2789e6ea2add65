"""The customer's side of a quote signed online, in French from end to end (seed 003: "Le devis en ligne",
"Signature électronique", "Acceptation du devis signé"; seed 001: the client portal), in headless Chromium at
the ONE public address (``public_system``):

* the signing page says what went wrong in the page's words, never the API's English one with its debug
  suffix ("Wrong code. (otp: wrong code) [4]" was shown): no consent ticked, no code typed, a wrong code with
  the attempts left (these two under the code's field), a refusal without its reason;
* once signed by everybody, the emailed online quote offers the signed document and its proof as the download,
  no longer the quote's PDF (the quote as sent for signature, unsigned), and so does the quote's page in the
  client portal;
* the portal's sign-in refusals and a document that is not (or no longer) shared are said in French, the latter
  without an empty document under it."""
from __future__ import annotations

import re

import pytest
import requests

from tests.e2e.web.browsing import by_id, css, portal_sign_in, sign_with_the_emailed_code

from .conftest import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

ENGLISH = ("Wrong", "Tick", "Enter the", "request contains", "Network error", "not found", "(otp:", "no active")


def message(browser) -> str:
    element = by_id(browser, "msg")
    return element.text if element.is_displayed() else ""


def said(w, browser, element_id: str, *, before: str = "") -> str:
    """The message the page shows in ``element_id`` once it is there (and differs from ``before``); WebDriver
    reads the no-break spaces of French punctuation (" :") as spaces."""
    return w.wait(lambda: (lambda text: text if text and text != before else None)(
        browser.find_element("id", element_id).text.replace("\u00a0", " ")), message=f"a message in #{element_id}")


def french(text: str) -> bool:
    return not any(word in text for word in ENGLISH)


def test_the_customer_is_told_in_french_and_gets_the_signed_document(public_system, browser, screenshot):
    w, s = public_system, public_system.s
    admin = s.new_license("ACME Paris", "boss@acme.test")
    T = s.add_user(admin, "paul@acme.test", name="Paul Martin")["access_token"]
    customer = s.post("/api/v1/customers", token=T, json={"name": "Atelier Durand", "kind": "company", "contacts": [
        {"first_name": "Claire", "last_name": "Durand", "email": "claire@durand.test"}]}).get_json()
    claire = customer["contacts"][0]
    quote = s.post("/api/v1/quotes", token=T, json={"title": "Équipement atelier", "contact_id": claire["id"],
                                                    "lines": [{"description": "Perceuse industrielle",
                                                               "quantity": "2", "unit_price": "600",
                                                               "tax_rate": "20"}]}).get_json()
    r = s.post(f"/api/v1/quotes/{quote['id']}/send", token=T, json={"request_signature": True})
    assert r.status_code == 200 and r.get_json()["signature"]["requested"], r.get_json()
    quote_page = w.link(r.get_json()["link"])

    # -- the signing page, from the online quote's "Signer": each refusal in French --------------------------
    browser.get(quote_page)
    sign_page = by_id(browser, "sign").get_attribute("href")
    browser.get(sign_page)
    by_id(browser, "go").click()  # nothing ticked nor typed
    assert said(w, browser, "msg") == "Cochez la case de consentement pour signer."
    by_id(browser, "consent").click()
    by_id(browser, "go").click()  # no code: said under the code's field
    assert said(w, browser, "otp-err") == "Saisissez le code à 6 chiffres reçu après « Recevoir mon code »."
    assert not by_id(browser, "msg").is_displayed()
    size = browser.get_window_size()
    browser.set_window_size(375, 812)  # a phone: the button near the screen's bottom edge
    browser.execute_script("arguments[0].scrollIntoView({block: 'end'})", by_id(browser, "send"))
    by_id(browser, "send").click()
    w.wait(lambda: "Code envoyé" in message(browser), message="the code sent")
    assert by_id(browser, "otp-err").text == ""  # a code was sent: what lacked is there
    # the code's field has the focus and the message is on the screen, not below its edge
    assert browser.switch_to.active_element == by_id(browser, "otp")
    assert browser.execute_script("var r = arguments[0].getBoundingClientRect(), o = arguments[1].getBoundingClientRect();"
                                  "return r.bottom <= window.innerHeight && o.top >= 0;",
                                  by_id(browser, "msg"), by_id(browser, "otp"))
    browser.set_window_size(size["width"], size["height"])
    by_id(browser, "otp").send_keys("000000")
    by_id(browser, "go").click()
    wrong = said(w, browser, "otp-err")
    assert wrong.startswith("Code incorrect : vérifiez-le et réessayez.") and "Essais restants : " in wrong
    screenshot(browser, "client-fr-1-wrong-code")
    by_id(browser, "decline").click()
    by_id(browser, "confirm").click()  # a refusal without its reason
    assert said(w, browser, "msg") == "Indiquez le motif de votre refus."
    assert all(french(text) for text in (wrong, message(browser)))
    # then she signs with the code emailed to her
    by_id(browser, "otp").clear()
    sign_with_the_emailed_code(browser, s, "claire@durand.test")
    w.wait(lambda: s.get(f"/api/v1/contracts/{quote['id']}", token=T).get_json()["status"] == "accepted",
           message="the quote accepted")

    # -- the online quote: the signed document (and its proof) to download, not the PDF sent for signature ------
    # (when, in the reader's time zone, named: its script runs under the page's Content-Security-Policy)
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Paris"})
    browser.get(quote_page)
    signed = w.wait(lambda: browser.find_elements("id", "signed-pdf"), message="the signed document offered")[0]
    assert signed.text == "Télécharger le document signé" and not css(browser, "#download")
    assert "Télécharger le PDF" not in by_id(browser, "quote-actions").text
    assert re.fullmatch(r"Signé le \d{1,2}(er)? \w+ \d{4} à \d\d:\d\d UTC\+[12]", by_id(browser, "signed").text)
    assert [e for e in browser.get_log("browser") if e["source"] != "network"] == []
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "UTC"})
    screenshot(browser, "client-fr-2-online-quote-signed")
    sealed = requests.get(signed.get_attribute("href"), timeout=30)
    unsigned = s.get(f"/api/v1/contracts/{quote['id']}/pdf", token=T)
    assert sealed.status_code == 200 and sealed.content.startswith(b"%PDF")
    assert "signed" in sealed.headers["Content-Disposition"] and sealed.content != unsigned.data
    # the proof of signature beside it (who signed, how, when), as the signing page and the portal offer it
    assert by_id(browser, "proof-pdf").text == "Télécharger la preuve de signature"
    proof = requests.get(by_id(browser, "proof-pdf").get_attribute("href"), timeout=30)
    assert proof.status_code == 200 and proof.content.startswith(b"%PDF") and "proof" in proof.headers[
        "Content-Disposition"]

    # -- the client portal: its refusals in French, the signed document on the quote's page --------------------
    r = s.post(f"/api/v1/contacts/{claire['id']}/portal-access", token=T, json={"user_code": "DURAND"})
    assert r.status_code == 201, r.get_json()
    token = s.invitation_links("claire@durand.test")[-1].split("token=", 1)[1]
    assert s.post("/api/v1/auth/accept-invitation", json={"token": token, "password": PASSWORD}).status_code == 200
    r = s.post(f"/api/v1/contracts/{quote['id']}/portal-share", token=T,
               json={"requester_contact_id": claire["id"], "observer_contact_ids": []})
    assert r.status_code == 201, r.get_json()
    browser.delete_all_cookies()
    portal_sign_in(browser, w, w.url + "/portal", "claire@durand.test", "not her password")
    assert said(w, browser, "error") == "Adresse email ou mot de passe incorrect."
    by_id(browser, "login-user-code").send_keys("SOMEONE-ELSE")  # her password, another user code
    by_id(browser, "login-password").clear()
    by_id(browser, "login-password").send_keys(PASSWORD)
    by_id(browser, "login-submit").click()
    refused = said(w, browser, "error", before="Adresse email ou mot de passe incorrect.")
    # a code was typed: the refusal names it, and says it may be left empty
    assert refused.startswith("Aucun accès actif au portail client ne correspond à ce code d'utilisateur.")
    assert french(refused)
    screenshot(browser, "client-fr-3-portal-refused")
    by_id(browser, "login-user-code").clear()
    by_id(browser, "login-submit").click()
    w.wait(lambda: css(browser, "#contract-list li"), message="the portal's documents")

    browser.get(f"{w.url}/portal/contracts/{quote['id']}")
    offered = w.wait(lambda: browser.find_elements("id", "contract-signed-pdf"), message="the signed document")[0]
    assert offered.text == "Télécharger le document signé" and offered.get_attribute("href").endswith("/signed.pdf")
    assert by_id(browser, "contract-proof-pdf").get_attribute("href").endswith("/proof.pdf")
    assert not by_id(browser, "contract-pdf").is_displayed()  # the PDF sent for signature is not offered beside it
    screenshot(browser, "client-fr-4-portal-quote-signed")

    # a document that is not shared with her: said in French, with no empty document under it
    browser.get(f"{w.url}/portal/contracts/00000000-0000-0000-0000-000000000000")
    missing = w.wait(lambda: by_id(browser, "contract-missing").is_displayed() and by_id(browser, "contract-missing"),
                     message="the page saying the document is not shared")
    assert "Ce document n'existe pas ou n'est plus partagé avec vous." in missing.text.replace("\u00a0", " ")
    assert french(missing.text) and by_id(browser, "contract-missing-back").is_displayed()  # the way back
    assert not by_id(browser, "contract").is_displayed()
    screenshot(browser, "client-fr-5-portal-not-shared")
