"""An English-speaking company from its activation to a signed quote, in a headless Chromium whose language is
en-GB, against every real service: what such a company read in French, or typed and saw misread, before.

1. the operator's subscription (API); the company activates it on the /activate page, shown in English: its
   admin's invitation, set-password page and pages are English, and so is the company (its documents' language,
   the invitation of the salesperson she invites from the users page); "10,000" as a share capital is ten thousand;
2. the salesperson's UK customer (+44 phone, GB VAT number, English, GBP), a quote whose unit price is typed
   "1,250.00", the send page's preview signed by the company (not the templates' sample "ACME Paris"), the email;
3. the contact: the online quote in English with pounds, the PDF, feedback, the signature with the emailed code;
   her portal invitation in her customer's language;
4. the salesperson: the quote accepted (dated as the UK writes dates), the signed PDF, the proof of signature in
   English with its times in the company's zone (London), none in Paris time."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from paraph_platform.testing import TEST_OPERATOR_TOKEN

from .browsing import by_id, css, ok
from .conftest import PASSWORD, signing_in
from .test_admin_area import h1, navigate, notice
from .test_customers import fill
from .test_salesperson_day import choose, email_shown, emails

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

ADMIN, SALES, CONTACT = "emma@thamestools.test", "oliver@thamestools.test", "sophie@brightwater.test"


def in_english(browser):
    """The browser of a person in the UK: every request says en-GB first (headless Chromium's own is en-US)."""
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": "en-GB,en;q=0.9"}})


def offset(zone: str) -> str:
    """The zone's offset now, as the proof writes it ("UTC+1")."""
    hours = int(datetime.now(ZoneInfo(zone)).utcoffset().total_seconds() // 3600)
    return f"UTC{hours:+d}"


def test_an_english_company_from_its_activation_to_a_signed_quote(public_system, browser, screenshot):
    from pypdf import PdfReader
    w, s = public_system, public_system.s
    sign_in = signing_in(w)
    in_english(browser)
    pool = ok(s.post("/api/v1/operator/seat-pools", headers={"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"},
                     json={"name": "Thames Tools", "seats": 5,
                           "expires_at": (datetime.now(timezone.utc) + timedelta(days=365)).isoformat()}))

    # -- 1. the activation, in the page's language --------------------------------------------------------------
    browser.get(w.url + "/activate")
    assert h1(browser) == "Activate your subscription"
    fill(browser, {"field-activation_code": pool["activation_code"], "field-company_name": "Thames Tools Ltd",
                   "field-admin_name": "Emma Clarke", "field-admin_email": ADMIN})
    navigate(browser, "activate-submit")
    [invitation] = w.wait(lambda: emails(w, ADMIN, "invitation"), message="the admin's invitation")
    assert invitation["subject"] == "You are invited to join Thames Tools Ltd on Paraph", invitation["subject"]
    browser.get(w.link(next(link for link in invitation["links"] if "set-password" in link)))
    assert h1(browser) == "Welcome to Paraph"
    for field in ("field-password", "field-password_confirm"):
        by_id(browser, field).send_keys(PASSWORD)
    navigate(browser, "password-submit")
    by_id(browser, "user-menu")
    assert "Home" in css(browser, "header")[0].text  # her pages are English
    admin = ok(s.post("/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD}))["access_token"]
    settings = ok(s.get("/api/v1/license", token=admin))["settings"]
    assert settings["default_locale"] == "en"  # its documents, the invitations of its people
    ok(s.patch("/api/v1/license", token=admin, json={"currency": "GBP", "time_zone": "Europe/London"}))

    # a share capital typed with its thousands comma is ten thousand pounds, not ten
    browser.get(w.url + "/settings/company-profile")
    fill(browser, {"field-share_capital": "10,000", "field-vat_number": "GB123456789",
                   "field-phone": "+44 20 7946 0958"})
    # its country: its customers' (a new customer's country starts there) and the one their phone numbers
    # written without +44 are read in (paraph_platform.phones)
    choose(browser, "field-address-country", "United Kingdom")
    navigate(browser, "save-company-profile")
    assert ok(s.get("/api/v1/company-profile", token=admin))["share_capital"] == "10000.00"

    # her salesperson's invitation is English too
    browser.get(w.url + "/settings/users/invite")
    fill(browser, {"field-email": SALES, "field-name": "Oliver Bennett"})
    navigate(browser, "invite-submit")
    [colleague] = w.wait(lambda: emails(w, SALES, "invitation"), message="the salesperson's invitation")
    assert colleague["subject"] == "You are invited to join Thames Tools Ltd on Paraph"
    assert "Emma Clarke has invited you" in colleague["text"], colleague["text"]
    s.accept(SALES, PASSWORD)

    # -- 2. the salesperson: a UK customer, a quote in pounds, its email ---------------------------------------
    browser.delete_all_cookies()
    sign_in(browser, SALES, next_path="/customers/new")
    fill(browser, {"field-name": "Brightwater Joinery Ltd", "field-phone": "+44 161 496 0000",
                   "field-vat_number": "GB 987 6543 21", "field-line1": "4 Canal Street", "field-postal_code": "M1 3HE",
                   "field-city": "Manchester", "field-contact_first_name": "Sophie",
                   "field-contact_last_name": "Turner", "field-contact_email": CONTACT,
                   "field-contact_phone": "07700 900456"})
    choose(browser, "field-locale", "English")
    choose(browser, "field-currency", "British Pound (GBP)")
    navigate(browser, "customer-submit")
    assert h1(browser) == "Brightwater Joinery Ltd"
    navigate(browser, "new-quote-link")
    fill(browser, {"field-title": "Workshop fit-out"})
    if by_id(browser, "quote-form").find_elements("id", "refresh-pickers"):
        navigate(browser, "refresh-pickers")
    choose(browser, "field-contact_id", "Sophie Turner")
    navigate(browser, "add-line")
    fill(browser, {"line-0-description": "Oak workbench", "line-0-quantity": "2", "line-0-unit_price": "1,250.00",
                   "line-0-tax_rate": "20"})
    navigate(browser, "quote-submit")
    quote_id = urlsplit(browser.current_url).path.split("/")[2]
    number = h1(browser).split()[-1]
    assert by_id(browser, "contract-total").text.endswith("£3,000.00"), by_id(browser, "contract-total").text
    screenshot(browser, "english-1-quote")

    navigate(browser, "send-by-email")
    preview = email_shown(browser)  # signed by the company the customer deals with
    assert "Thames Tools Ltd" in preview and "ACME Paris" not in preview, preview
    navigate(browser, "send-submit")
    assert CONTACT in notice(browser)
    [sent] = w.wait(lambda: emails(w, CONTACT, "quote_send"), message="the quote's email")
    assert sent["subject"] == f"Quote {number} – Workshop fit-out" and "View the quote" in sent["text"]

    # -- 3. the contact: the online quote, the PDF, her feedback, her signature --------------------------------
    browser.delete_all_cookies()
    browser.get(w.link(next(link for link in sent["links"] if "/q/" in link)))
    assert by_id(browser, "quote-number").text == f"Quote {number}"
    assert by_id(browser, "quote-status").text == "Awaiting your answer"
    assert "£3,000.00" in by_id(browser, "quote").find_element("xpath", "..").text
    screenshot(browser, "english-2-online-quote")
    by_id(browser, "feedback-message").send_keys("Could you deliver before the end of January?")
    by_id(browser, "feedback-send").click()
    assert by_id(browser, "feedback-thanks").text.startswith("Thank you!")
    navigate(browser, "sign")
    by_id(browser, "send").click()
    code_mail = w.wait(lambda: emails(w, CONTACT, "signature_otp"), message="the one-time code")[-1]
    assert code_mail["subject"] == f"Your signing code for {number}"
    by_id(browser, "otp").send_keys(re.search(r"\b(\d{6})\b", code_mail["text"]).group(1))
    by_id(browser, "consent").click()
    screenshot(browser, "english-3-signing")
    by_id(browser, "go").click()
    w.wait(lambda: "Document signed" in by_id(browser, "msg").text, message="the signature")
    [copy] = w.wait(lambda: emails(w, CONTACT, "signature_completed"), message="the signer's copy")
    assert copy["subject"] == f"Document signed: {number} – Workshop fit-out"

    # her portal access, given without a language: her customer's (English), as her quotes are
    contact_id = ok(s.get(f"/api/v1/contracts/{quote_id}", token=admin))["contact_id"]
    ok(s.post(f"/api/v1/contacts/{contact_id}/portal-access", token=admin, json={"user_code": "BRIGHT-1"}),
       status=(200, 201))
    [access] = w.wait(lambda: emails(w, CONTACT, "client_invitation"), message="the portal invitation")
    assert access["subject"] == "Your access to the Thames Tools Ltd customer portal", access["subject"]

    # -- 4. the salesperson: accepted, the signed PDF, the proof ------------------------------------------------
    browser.delete_all_cookies()
    sign_in(browser, SALES, next_path=f"/contracts/{quote_id}")
    w.wait(lambda: (browser.refresh() or True) and "Accepted" in by_id(browser, "contract-status").text,
           message="the quote accepted")
    banner = by_id(browser, "signature-banner").text
    # the date as the UK writes it ("7 Dec 2026, 13:29:31 UTC"), not the American "Dec 7, 2026, 1:29:31 PM"
    assert re.search(r"signed by Sophie Turner \(on \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2} ", banner), banner
    screenshot(browser, "english-4-accepted")
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    signed = requests.get(by_id(browser, "download-signed-pdf").get_attribute("href"), cookies=cookies, timeout=30)
    assert signed.status_code == 200 and signed.content.startswith(b"%PDF")
    proof = requests.get(by_id(browser, "proof-pdf").get_attribute("href"), cookies=cookies, timeout=30)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(proof.content)).pages)
    assert "Proof of electronic signature" in text and "Preuve" not in text
    # the company's steps in London time, as its signer's (this machine's zone, UTC, at worst): none in Paris time
    assert f"({offset('Europe/London')})" in text and f"({offset('Europe/Paris')})" not in text
