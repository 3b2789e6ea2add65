"""My mobile number and my notifications on /account, and an SMS that really goes out. Driven in headless Chromium
against the real services (portal for the online quote; notify sends SMS to the mail sink's fake provider): every
event a salesperson is told about is listed, email on by default; the SMS boxes are disabled until I give my
mobile number, a bad number is refused next to its field; then I give it, tick SMS for "a customer views a quote
online", my customer opens the quote I emailed and the SMS reaches that number. Without the number again the SMS
boxes are disabled, my SMS choice kept."""
from __future__ import annotations

import pytest

from tests.e2e.web.browsing import by_id, css, fill, ok, page_text, text_of
from .conftest import local
from .test_customers import PHONE_REFUSED

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

EXTRA_SERVICES = ("portal",)  # the online quote the customer opens

MOBILE = "+33 6 98 76 54 32"  # as Paul types it
TO = "+33698765432"  # as notify sends it
EVENTS = ("quote_viewed", "quote_downloaded", "signed", "contract_shared", "customer_self_updated")


def boxes(browser, channel):
    return {event: by_id(browser, f"pref-{event}-{channel}") for event in EVENTS}


def save_profile(browser, w, phone, expect):
    fill(browser, {"field-phone": phone})
    by_id(browser, "profile-submit").click()
    w.wait(lambda: expect in page_text(browser), message=expect)


def test_my_mobile_number_receives_the_sms_i_ticked(web_system, staff, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    T = staff.sales["access_token"]
    customer = ok(s.post("/api/v1/customers", token=T, json={"name": "Hervé David", "kind": "company", "contacts": [
        {"first_name": "Mireille", "last_name": "Couture", "email": "mireille@hervedavid.test"}]}))
    quote = ok(s.post("/api/v1/quotes", token=T, json={
        "title": "Équipement atelier", "contact_id": customer["contacts"][0]["id"], "valid_until": "2031-12-31",
        "lines": [{"description": "Maintenance annuelle", "quantity": "1", "unit_price": "1200", "tax_rate": "20"}]}))

    # no number yet: every event listed, email on (notify's default), the SMS boxes disabled and saying why
    sign_in(browser, staff.email["sales"], next_path="/account")
    assert by_id(browser, "field-phone").get_attribute("value") == ""
    assert by_id(browser, "field-phone").get_attribute("type") == "tel"
    assert "Téléphone mobile (pour les notifications par SMS)" in page_text(browser)
    legends = [legend.text for legend in css(browser, "#preferences-form legend")]
    assert legends == ["Un client consulte un devis en ligne", "Un client télécharge un devis",
                       "Un de vos devis ou contrats est signé par tous les signataires",
                       "Un collègue partage un de vos documents sur le portail client",
                       "Un client met à jour ses coordonnées sur le portail client"]
    assert all(box.is_selected() and box.is_enabled() for box in boxes(browser, "email").values())
    assert not any(box.is_selected() or box.is_enabled() for box in boxes(browser, "sms").values())
    assert text_of(browser, "sms-hint") == "Ajoutez votre numéro de mobile ci-dessus pour recevoir des SMS."
    assert by_id(browser, "pref-signed-sms").get_attribute("aria-describedby") == "sms-hint"
    screenshot(browser, "account-notifications-no-phone")

    # a number SMS cannot go to: refused next to the field (what was typed kept), nothing saved
    save_profile(browser, w, "appelez-moi", "Numéro invalide")
    assert by_id(browser, "field-phone-error").text == PHONE_REFUSED  # short, with examples
    assert by_id(browser, "field-phone").get_attribute("aria-invalid") == "true"
    assert by_id(browser, "field-phone").get_attribute("value") == "appelez-moi"
    assert not by_id(browser, "pref-quote_viewed-sms").is_enabled()
    screenshot(browser, "account-phone-error")
    assert ok(s.get("/api/v1/me", token=T))["phone"] is None

    # my number: saved as typed, and the SMS boxes say where SMS go
    save_profile(browser, w, MOBILE, "Votre profil est enregistré.")
    assert by_id(browser, "field-phone").get_attribute("value") == MOBILE
    assert text_of(browser, "sms-hint") == f"Les SMS sont envoyés au {MOBILE}."
    assert MOBILE.replace(" ", "\u00a0") in by_id(browser, "sms-hint").get_attribute("textContent")  # never cut
    assert all(box.is_enabled() and not box.is_selected() for box in boxes(browser, "sms").values())
    assert ok(s.get("/api/v1/me", token=T))["phone"] == MOBILE

    # SMS too when a customer views a quote online
    by_id(browser, "pref-quote_viewed-sms").click()
    by_id(browser, "preferences-submit").click()
    w.wait(lambda: "préférences de notification sont enregistrées" in page_text(browser), message="saved")
    assert by_id(browser, "pref-quote_viewed-sms").is_selected()
    screenshot(browser, "account-notifications")
    preferences = ok(s.get("/api/v1/me", token=T))["preferences"]
    assert preferences["quote_viewed"] == {"email": True, "sms": True}
    assert all(preferences[event] == {"email": True, "sms": False} for event in EVENTS[1:])

    # the event: Paul emails the quote, Mireille opens its link in her browser; the SMS reaches Paul's number
    ok(s.post(f"/api/v1/quotes/{quote['id']}/send", token=T, json={"request_signature": False}))
    [sent] = w.wait(lambda: w.mail.messages(to="mireille@hervedavid.test"), message="the quote emailed")
    link = next(link for link in sent["links"] if "/q/" in link)
    browser.get(local(s.serve(), link))  # the gateway serves the online quote (the web app forwards it in prod)
    w.wait(lambda: quote["number"] in page_text(browser), message="the online quote")
    [sms] = w.wait(lambda: w.mail.sms(to=TO), message=f"the SMS to {TO}")
    assert sms["text"].startswith(f"Paraph : le devis {quote['number']} vient d'être consulté en ligne"), sms
    assert "Mireille Couture" in sms["text"]
    w.wait(lambda: any("consulté" in m["subject"] for m in w.mail.messages(to=staff.email["sales"])),
           message="the email too (still on)")

    # no number any more: the SMS boxes are disabled again, showing my SMS choice, which saving keeps
    browser.get(w.url + "/account")
    save_profile(browser, w, "", "Votre profil est enregistré.")
    assert ok(s.get("/api/v1/me", token=T))["phone"] is None
    assert text_of(browser, "sms-hint") == "Ajoutez votre numéro de mobile ci-dessus pour recevoir des SMS."
    sms_box = by_id(browser, "pref-quote_viewed-sms")
    assert sms_box.is_selected() and not sms_box.is_enabled()
    by_id(browser, "pref-quote_downloaded-email").click()
    by_id(browser, "preferences-submit").click()
    w.wait(lambda: "préférences de notification sont enregistrées" in page_text(browser), message="saved again")
    preferences = ok(s.get("/api/v1/me", token=T))["preferences"]
    assert preferences["quote_viewed"] == {"email": True, "sms": True}
    assert preferences["quote_downloaded"] == {"email": False, "sms": False}
