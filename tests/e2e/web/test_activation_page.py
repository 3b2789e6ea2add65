"""A company activates its subscription in the browser (seed: Sage Sales Management, the number of seats is
the activation code's; one subscription's seats are shared by its companies), in headless Chromium against
the real services: from the sign-in page, a mistyped code is said next to its field; the right one makes the
company's environment and emails its admin a set-password link, which signs her in as the license admin.
She activates a second company of the same subscription with the same email and joins it with her account,
her password unchanged (one account, two companies);
a third company finds no seat left, said above the form."""
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from paraph_platform.testing import TEST_OPERATOR_TOKEN

from .browsing import by_id, css, ok
from .conftest import PASSWORD
from .test_admin_area import h1, navigate
from .test_customers import fill
from .test_salesperson_day import emails

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def activate(browser, code: str, company: str, email: str, name: str = ""):
    fill(browser, {"field-activation_code": code, "field-company_name": company, "field-admin_name": name,
                   "field-admin_email": email})
    navigate(browser, "activate-submit")


def test_a_company_activates_its_subscription_and_its_admin_signs_in(web_system, browser, screenshot):
    w, s = web_system, web_system.s
    pool = ok(s.post("/api/v1/operator/seat-pools", headers={"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"},
                     json={"name": "Boulangeries Martin", "seats": 2,
                           "expires_at": (datetime.now(timezone.utc) + timedelta(days=365)).isoformat()}))

    browser.get(w.url + "/sign-in")
    navigate(browser, "activate-link")
    assert h1(browser) == "Activate your subscription"  # before signing in: the browser's language
    activate(browser, "NOPE-NOPE-NOPE", "Boulangerie Martin", "claire@boulangerie.test", "Claire Martin")
    assert "unknown" in by_id(browser, "field-activation_code-error").text
    assert by_id(browser, "field-company_name").get_attribute("value") == "Boulangerie Martin"  # kept
    screenshot(browser, "activate-unknown-code")
    activate(browser, pool["activation_code"].lower(), "Boulangerie Martin", "claire@boulangerie.test",
             "Claire Martin")  # typed in lower case: codes are read in capitals
    assert "claire@boulangerie.test" in by_id(browser, "activated").text
    screenshot(browser, "activate-done")

    invitation = w.wait(lambda: emails(w, "claire@boulangerie.test", "invitation"), message="the invitation")[-1]
    browser.get(w.link(next(link for link in invitation["links"] if "set-password" in link)))
    # her name as the activation gave it, hers to correct (an admin activated through the API has none: asked here)
    name = by_id(browser, "field-name")
    assert name.get_attribute("value") == "Claire Martin"
    name.clear()
    name.send_keys("Claire Martin-Roux")
    for field in ("field-password", "field-password_confirm"):
        by_id(browser, field).send_keys(PASSWORD)
    screenshot(browser, "set-password-invitation")
    by_id(browser, "password-submit").click()
    w.wait(lambda: urlsplit(browser.current_url).path == "/", message="her home page")
    assert css(browser, "nav a[href='/settings']")  # its license admin: the settings are hers
    me = ok(s.post("/api/v1/auth/login", json={"email": "claire@boulangerie.test", "password": PASSWORD}))
    assert ok(s.get("/api/v1/me", token=me["access_token"]))["name"] == "Claire Martin-Roux"

    # a second company of the subscription, by the same person: one account, two companies
    browser.delete_all_cookies()
    browser.get(w.url + "/activate")
    activate(browser, pool["activation_code"], "Boulangerie Martin Lyon", "claire@boulangerie.test")
    assert by_id(browser, "activated")
    second = w.wait(lambda: emails(w, "claire@boulangerie.test", "invitation")[1:], message="the 2nd invitation")[-1]
    browser.get(w.link(next(link for link in second["links"] if "set-password" in link)))
    assert "Boulangerie Martin Lyon" in by_id(browser, "join-with-account").text  # her account: no new password
    assert not css(browser, "#field-password")
    screenshot(browser, "activate-second-company-join")
    by_id(browser, "join-submit").click()
    w.wait(lambda: urlsplit(browser.current_url).path == "/", message="her home page")
    session = ok(s.post("/api/v1/auth/login", json={"email": "claire@boulangerie.test", "password": PASSWORD}))
    assert sorted((lic["name"], lic["role"]) for lic in session["licenses"]) == [
        ("Boulangerie Martin", "license_admin"), ("Boulangerie Martin Lyon", "license_admin")]

    # both seats are taken: a third company is told so, its form kept
    browser.delete_all_cookies()
    browser.get(w.url + "/activate")
    activate(browser, pool["activation_code"], "Boulangerie Martin Nice", "paul@boulangerie.test")
    assert "no seat left" in by_id(browser, "form-message").text
    assert by_id(browser, "field-company_name").get_attribute("value") == "Boulangerie Martin Nice"
    screenshot(browser, "activate-no-seat-left")
