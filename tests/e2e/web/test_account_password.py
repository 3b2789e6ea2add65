"""Changing my password on /account with the current one, in headless Chromium against the real services:
the errors next to their fields (in French, the API's messages translated), then the change, which signs
out my other sessions while this browser stays signed in."""
import pytest

from tests.e2e.web.browsing import by_id, text_of

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

NEW_PASSWORD = "my brand new password"



def submit_password(browser, current, new, again=None):
    for field, value in (("field-current_password", current), ("field-new_password", new),
                         ("field-new_password_confirm", new if again is None else again)):
        by_id(browser, field).clear()
        by_id(browser, field).send_keys(value)
    by_id(browser, "password-submit").click()


def error_of(browser, field) -> str:
    return text_of(browser, f"field-{field}-error")


def test_change_my_password_with_the_current_one(web_system, staff, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    other_device = staff.sales["access_token"]
    sign_in(browser, staff.email["sales"], next_path="/account")
    browser.get(w.url + "/account")
    assert by_id(browser, "field-current_password").get_attribute("autocomplete") == "current-password"

    submit_password(browser, "not my password", NEW_PASSWORD)
    w.wait(lambda: error_of(browser, "current_password"), message="the wrong current password said")
    assert error_of(browser, "current_password") == "Ce n'est pas votre mot de passe actuel."
    submit_password(browser, w.password, NEW_PASSWORD, again="something else")
    w.wait(lambda: error_of(browser, "new_password_confirm"), message="the two passwords differ")
    submit_password(browser, w.password, "short")
    w.wait(lambda: error_of(browser, "new_password"), message="too short")
    assert error_of(browser, "new_password") == "Au moins 10 caractères."  # the API's message, translated
    screenshot(browser, "account-password-errors")

    submit_password(browser, w.password, NEW_PASSWORD)
    w.wait(lambda: "mot de passe est modifié" in browser.page_source, message="the password changed")
    # this browser stays signed in; the other session (the API token from before) is refused
    browser.get(w.url + "/account")
    assert by_id(browser, "profile-email").text == staff.email["sales"]
    assert s.get("/api/v1/me", token=other_device).status_code == 401
    login = {"email": staff.email["sales"], "password": NEW_PASSWORD}
    assert s.post("/api/v1/auth/login", json=login).status_code == 200


def test_phone_top_bar_is_one_row_with_a_menu_button(web_system, staff, browser, sign_in):
    """At 375 px the top bar is the brand and a "Menu" button on one row; the menu opens on a click. From
    721 px the menu is shown without the button."""
    from selenium.webdriver.common.by import By
    sign_in(browser, staff.email["sales"])
    size = browser.get_window_size()
    try:
        browser.set_window_size(375, 800)
        browser.get(web_system.url + "/")
        bar = browser.find_element(By.CSS_SELECTOR, "header.topbar")
        button = by_id(browser, "nav-menu-button")
        assert bar.size["height"] < 80 and button.is_displayed() and button.text == "Menu"
        assert not browser.find_element(By.CSS_SELECTOR, "ul.main-nav a[href='/quotes']").is_displayed()
        button.click()
        browser.find_element(By.CSS_SELECTOR, "ul.main-nav a[href='/quotes']").click()
        web_system.wait(lambda: browser.current_url.endswith("/quotes"), message="the quotes page from the menu")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 375  # no sideways page
        browser.set_window_size(1280, 800)
        browser.get(web_system.url + "/")
        assert not by_id(browser, "nav-menu-button").is_displayed()
        assert browser.find_element(By.CSS_SELECTOR, "ul.main-nav a[href='/quotes']").is_displayed()
    finally:
        browser.set_window_size(size["width"], size["height"])
