"""The staff web app's foundation pages driven as a person would, in headless Chromium, against the
real services: sign in and out, an invitation accepted from the email link, the contract link of the
emails, the account page, the session cookie out of JavaScript's reach, CSRF, and a deactivated user."""
import re

import pytest
import requests

from tests.e2e.web.browsing import by_id, css

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]



def h1(browser):
    from selenium.webdriver.common.by import By
    return browser.find_element(By.TAG_NAME, "h1").text


def test_invitation_from_the_email_link_sign_out_and_sign_in(web_system, staff, browser, screenshot):
    w, s = web_system, web_system.s
    # the admin invites a colleague through the API; the email arrives in the mail sink
    r = s.post("/api/v1/users", json={"email": "ann@acme.test", "name": "Ann Lee", "locale": "en"},
               token=staff.admin["access_token"])
    assert r.status_code == 201, r.get_json()
    [mail] = w.mail.wait_for_messages(to="ann@acme.test")
    [link] = [l for l in mail["links"] if "/set-password?token=" in l]

    browser.get(w.link(link))
    assert h1(browser) == "Welcome to Paraph"  # her language (en) is the browser's too: Accept-Language
    assert by_id(browser, "link-company").text == "ACME Paris" and by_id(browser, "link-email").text == "ann@acme.test"
    screenshot(browser, "set-password")
    by_id(browser, "field-password").send_keys("ann's password 1")
    by_id(browser, "field-password_confirm").send_keys("something else")
    by_id(browser, "password-submit").click()
    assert by_id(browser, "field-password_confirm-error").text  # the error next to its field
    by_id(browser, "field-password").send_keys("ann's password 1")
    by_id(browser, "field-password_confirm").send_keys("ann's password 1")
    by_id(browser, "password-submit").click()
    w.wait(lambda: browser.find_elements("id", "user-menu"), message="signed in after the invitation")
    assert by_id(browser, "user-menu").text == "Ann Lee"
    screenshot(browser, "home")

    # the session cookie: HttpOnly (JavaScript cannot read it), SameSite=Lax
    assert "paraph_session" not in browser.execute_script("return document.cookie")
    cookie = browser.get_cookie("paraph_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"

    # the same link again: used, said at once, with a way forward (signed in: home, not a sign-in to offer)
    browser.get(w.link(link))
    assert "already used" in by_id(browser, "link-problem").text
    assert by_id(browser, "signed-in-as").text == "You are signed in as ann@acme.test."
    assert by_id(browser, "link-home").text == "Back to the home page" and not css(browser, "#link-sign-in")
    screenshot(browser, "set-password-used")

    # sign out, then sign in again with the password she chose
    browser.get(w.url + "/")
    by_id(browser, "user-menu").click()
    by_id(browser, "sign-out").click()
    w.wait(lambda: browser.find_elements("id", "signed-out"), message="signed out")
    screenshot(browser, "sign-in")
    browser.get(w.link(link))  # signed out, the used link offers to sign in
    assert "already used" in by_id(browser, "link-problem").text and by_id(browser, "link-sign-in")
    browser.get(w.url + "/account")
    assert "/sign-in?next=%2Faccount" in browser.current_url
    by_id(browser, "field-email").send_keys("ann@acme.test")
    by_id(browser, "field-password").send_keys("wrong password!")
    by_id(browser, "sign-in-submit").click()
    assert "Wrong email or password" in by_id(browser, "form-message").text
    by_id(browser, "field-password").send_keys("ann's password 1")
    by_id(browser, "sign-in-submit").click()
    w.wait(lambda: browser.find_elements("id", "profile-email"), message="the account page after signing in")
    assert by_id(browser, "profile-email").text == "ann@acme.test"


def test_contract_link_signs_in_first_then_shows_the_header(web_system, staff, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    token = staff.sales["access_token"]
    customer = s.post("/api/v1/customers", json={"name": "Hervé David", "kind": "company"}, token=token).get_json()
    quote = s.post("/api/v1/quotes", json={"title": "Équipement atelier", "customer_id": customer["id"], "lines": [
        {"description": "Installation", "quantity": "2", "unit_price": "600", "tax_rate": "20"}]}, token=token)
    assert quote.status_code == 201, quote.get_json()
    quote = quote.get_json()

    browser.get(f"{w.url}/contracts/{quote['id']}")  # the link of "devis consulté" emails
    assert "/sign-in" in browser.current_url
    by_id(browser, "field-email").send_keys(staff.email["sales"])
    by_id(browser, "field-password").send_keys(w.password)
    by_id(browser, "sign-in-submit").click()
    w.wait(lambda: browser.find_elements("id", "contract-total"), message="the contract page")
    # Paul's language setting is French (the default of an invitation): it wins over the browser's English
    assert h1(browser) == f"Devis {quote['number']}"
    assert by_id(browser, "contract-customer").text == "Hervé David"
    assert by_id(browser, "contract-status").text == "Brouillon"
    assert re.sub(r"\s", "", by_id(browser, "contract-total").text) == "1440,00€"
    screenshot(browser, "contract")

    # once sent, the quote waits for the customer: on the home page, with the banner on its page; the admin's
    # own sent quote, visible to Paul in the quotes list, is not his work of the day
    r = s.post(f"/api/v1/contracts/{quote['id']}/status", json={"status": "sent"}, token=token)
    assert r.status_code == 200, r.get_json()
    admins = s.post("/api/v1/quotes", json={"title": "Contrat cadre", "customer_id": customer["id"], "lines": [
        {"description": "Audit", "quantity": "1", "unit_price": "900", "tax_rate": "20"}]},
        token=staff.admin["access_token"]).get_json()
    assert s.post(f"/api/v1/contracts/{admins['id']}/status", json={"status": "sent"},
                  token=staff.admin["access_token"]).status_code == 200
    browser.get(w.url + "/")
    rows = browser.find_elements("css selector", "#quotes-awaiting tbody tr")
    assert len(rows) == 1 and quote["number"] in rows[0].text and "Hervé David" in rows[0].text
    screenshot(browser, "home-with-quotes")
    rows[0].find_element("tag name", "a").click()
    w.wait(lambda: browser.find_elements("id", "signature-banner"), message="the signature banner")
    # sent without an e-signature (the status set by hand here, as a quote emailed with its PDF only): the customer
    # is to answer, not to sign
    assert "En attente de la réponse du client." in by_id(browser, "signature-banner").text
    assert by_id(browser, "contract-status").text == "Envoyé"

    # an unknown id: a proper page, not a stack trace
    browser.get(f"{w.url}/contracts/00000000-0000-0000-0000-000000000000")
    assert by_id(browser, "error-page").get_attribute("data-status") in ("404", "400")
    # the "webhook disabled" email's settings link is for admins: a salesperson gets a proper refusal
    # (the admin's landing is in test_settings_pages.py)
    browser.get(f"{w.url}/settings/webhooks")
    assert by_id(browser, "error-page").get_attribute("data-status") == "403"


def test_account_preferences_and_french_pages(web_system, staff, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    sign_in(browser, staff.email["sales"])  # Paul's language setting: French
    browser.get(w.url + "/account")
    assert h1(browser) == "Mon compte"  # the user's language wins over the browser's
    by_id(browser, "pref-quote_viewed-email").click()  # on by default (notify's default): off
    by_id(browser, "preferences-submit").click()
    w.wait(lambda: "enregistrées" in browser.page_source, message="preferences saved")
    me = s.get("/api/v1/me", token=s.post("/api/v1/auth/login", json={
        "email": staff.email["sales"], "password": w.password}).get_json()["access_token"]).get_json()
    assert me["preferences"]["quote_viewed"]["email"] is False
    screenshot(browser, "account")

    # my language: English from now on (pages and emails)
    from selenium.webdriver.support.ui import Select
    Select(by_id(browser, "field-locale")).select_by_value("en")
    by_id(browser, "profile-submit").click()
    w.wait(lambda: browser.title.startswith("My account"), message="the account page in English")
    assert s.get("/api/v1/me", token=staff.sales["access_token"]).get_json()["locale"] == "en"

    # sign out of every session: this browser, and the API session opened before
    by_id(browser, "sign-out-everywhere").click()
    w.wait(lambda: browser.find_elements("id", "signed-out"), message="signed out")
    assert s.get("/api/v1/me", token=staff.sales["access_token"]).status_code == 401
    assert s.post("/api/v1/auth/refresh", json={"refresh_token": staff.sales["refresh_token"]}).status_code == 401


def test_csrf_is_refused_without_the_token(web_system, staff):
    w = web_system
    http = requests.Session()
    page = http.get(w.url + "/sign-in", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    without = http.post(w.url + "/sign-in", data={"email": staff.email["sales"], "password": w.password},
                        allow_redirects=False, timeout=10)
    assert without.status_code == 400 and "paraph_session" not in without.headers.get("Set-Cookie", "x")
    ok = http.post(w.url + "/sign-in", data={"email": staff.email["sales"], "password": w.password,
                                             "csrf_token": token}, allow_redirects=False, timeout=30)
    assert ok.status_code == 302 and ok.headers["Location"] == "/"
    # signed in: a POST from another site (no token) is still refused
    assert http.post(w.url + "/account/preferences", data={}, allow_redirects=False, timeout=10).status_code == 400
    headers = http.get(w.url + "/", timeout=30).headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]


def test_a_deactivated_user_is_signed_out_on_the_next_click(web_system, staff, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    sign_in(browser, staff.email["sales"])
    assert by_id(browser, "quotes-heading")
    r = s.post(f"/api/v1/users/{staff.sales['user']['user_id']}/deactivate", token=staff.admin["access_token"])
    assert r.status_code == 200, r.get_json()
    browser.get(w.url + "/account")  # the next click
    w.wait(lambda: "/sign-in?next=%2Faccount" in browser.current_url, message="back to the sign-in page")
    assert by_id(browser, "sign-in-form")
    browser.get(w.url + "/")  # the session's tokens are gone, not just refused once
    assert "/sign-in" in browser.current_url
