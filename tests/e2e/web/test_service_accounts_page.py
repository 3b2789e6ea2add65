"""The license admin's service accounts and API keys page (``/settings/service-accounts``), driven as a person
would in headless Chromium against the real services: an account and a key created in the browser, the key
shown once, working on the API, then revoked in the browser and refused on its very next request."""
import pytest

from tests.e2e.web.browsing import by_id
from tests.e2e.web.test_settings_pages import css, stale, text_of

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def test_an_admin_creates_an_account_and_a_key_shown_once_then_revokes_it(web_system, staff, browser, sign_in,
                                                                          screenshot):
    w, s = web_system, web_system.s
    token = staff.admin["access_token"]
    s.post("/api/v1/customers", json={"name": "Monsieur TOURNIER", "kind": "person"}, token=token)
    nord = s.post("/api/v1/perimeters", json={"name": "Nord"}, token=token).get_json()
    sign_in(browser, staff.email["admin"], next_path="/settings")
    css(browser, 'a[href="/settings/service-accounts"]')[0].click()
    w.wait(lambda: css(browser, "#settings-section .empty-state"), message="no service account yet")

    # a name is required: said next to the field, what was chosen stays
    by_id(browser, "role-front_user_manager").click()
    by_id(browser, "create-service-account").click()
    w.wait(lambda: text_of(browser, "field-name-error"), message="the name's error")
    assert by_id(browser, "role-front_user_manager").is_selected()
    by_id(browser, "field-name").send_keys("ERP sync")
    by_id(browser, "field-description").send_keys("nightly import from Sage")
    by_id(browser, "role-user").click()
    by_id(browser, "create-service-account").click()
    w.wait(lambda: css(browser, "#create-key"), message="the account's page")
    assert "ERP sync" in text_of(browser, "page-title")

    # a key: a scope is required and an allowed address must be one, both said at once (not one per try), then
    # customers:read
    by_id(browser, "key-name").send_keys("prod")
    by_id(browser, "field-allowed_ips").send_keys("203.0.113.0/24\nthe office")
    by_id(browser, "create-key").click()
    w.wait(lambda: text_of(browser, "scopes-error"), message="the scopes' error")
    assert text_of(browser, "scopes-error") == "Choisissez au moins une portée."  # (not "10 characters at most")
    assert "the office" in text_of(browser, "field-allowed_ips-error")
    assert by_id(browser, "key-name").get_attribute("value") == "prod"
    by_id(browser, "scope-customers-read").click()
    by_id(browser, "create-key").click()
    w.wait(lambda: not text_of(browser, "scopes-error") and text_of(browser, "field-allowed_ips-error"),
           message="the bad address still said, next to it")
    assert by_id(browser, "scope-customers-read").is_selected()
    by_id(browser, "field-allowed_ips").clear()
    by_id(browser, "create-key").click()

    # shown once, with a copy button and the warning
    key = w.wait(lambda: text_of(browser, "api-key"), message="the key")
    assert key.startswith("pk_live_") and by_id(browser, "copy-key")
    assert by_id(browser, "key-warning").text  # "it will not be shown again", in the admin's language
    screenshot(browser, "settings-service-account-key")
    by_id(browser, "key-done").click()
    w.wait(lambda: css(browser, "#api-keys"), message="the account's page")
    assert key not in browser.page_source and not css(browser, "#api-key")

    # the integration calls the API with it
    answer = s.get("/api/v1/customers", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.get_json()
    assert [c["name"] for c in answer.get_json()["items"]] == ["Monsieur TOURNIER"]
    browser.refresh()
    [row] = css(browser, "#api-keys tbody tr")
    assert key[:12] in row.text and "customers:read" in row.text and "badge active" in row.get_attribute("innerHTML")
    screenshot(browser, "settings-service-account")

    # the list: one account, one active key
    browser.get(w.url + "/settings/service-accounts")
    [listed] = css(browser, "#service-accounts tbody tr")
    assert "ERP sync" in listed.text and listed.find_element("css selector", "td.num").text == "1"
    screenshot(browser, "settings-service-accounts")

    # revoking asks once, naming the key; its very next request is refused
    listed.find_element("tag name", "a").click()
    row = w.wait(lambda: css(browser, "#api-keys tbody tr"), message="the keys")[0]
    row.find_element("css selector", "details.confirm summary").click()
    assert "prod" in row.find_element("css selector", ".confirm-box p").text
    row.find_element("css selector", ".confirm-box button").click()
    w.wait(lambda: stale(row) and css(browser, '#api-keys [data-state="revoked"]'), message="the key revoked")
    assert not css(browser, "#api-keys details.confirm")
    assert s.get("/api/v1/customers", headers={"Authorization": f"Bearer {key}"}).status_code == 401

    # its perimeters, picked as a user's are
    by_id(browser, f"perimeter_ids-{nord['id']}").click()
    by_id(browser, "account-perimeters-submit").click()
    w.wait(lambda: css(browser, f"#perimeter_ids-{nord['id']}[checked]"), message="the perimeters saved")
    account_id = browser.current_url.rstrip("/").rsplit("/", 1)[1]
    assigned = s.get(f"/api/v1/service-accounts/{account_id}/perimeters", token=token).get_json()
    assert assigned["perimeter_ids"] == [nord["id"]]

    # disabling the account says its keys stop at once
    by_id(browser, "disable-account-ask").click()
    assert "ERP sync" in css(browser, "details.confirm[open] .confirm-box p")[0].text
    by_id(browser, "disable-account").click()
    w.wait(lambda: css(browser, "#account-disabled"), message="the account disabled")
    assert not css(browser, "#create-key")


def test_a_plain_user_cannot_open_the_page(web_system, staff, browser, sign_in):
    sign_in(browser, staff.email["sales"], next_path="/settings/service-accounts")
    assert by_id(browser, "error-page").get_attribute("data-status") == "403"
    assert not css(browser, "#create-service-account") and not css(browser, 'a[href="/settings/service-accounts"]')
