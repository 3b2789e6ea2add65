"""Settings > Signature (``/settings/e-signature``) driven as a license admin would, in headless Chromium against
the real services: the sites allowed to embed the signing page (one origin per line; a bad line is named next
to the field) and the reminder cadence (empty: the default); a salesperson does not reach the page."""
import re

import pytest

from tests.e2e.web.browsing import by_id, wait_for_next_page

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

EXTRA_SERVICES = ("signing",)


def value(browser, id_) -> str:
    return by_id(browser, id_).get_attribute("value")


def fill(browser, id_, text):
    field = by_id(browser, id_)
    field.clear()
    field.send_keys(text)


def test_an_admin_sets_the_embed_origins_and_the_reminder_cadence(web_system, staff, browser, sign_in, screenshot):
    from selenium.webdriver.common.by import By
    w, s = web_system, web_system.s
    token = staff.admin["access_token"]
    sign_in(browser, staff.email["admin"], next_path="/settings/e-signature")
    menu = browser.find_element(By.CSS_SELECTOR, ".settings-menu a[aria-current=page]")
    assert menu.get_attribute("href").endswith("/settings/e-signature")
    assert value(browser, "field-embed_origins") == "" and value(browser, "field-reminder_every_days") == ""
    assert "3" in by_id(browser, "field-reminder_every_days-hint").text  # the default (72 hours) is said

    # a bad second line: the page says which line and why, and keeps what was typed
    fill(browser, "field-embed_origins", "https://crm.partner.example\nhttps://*.partner.example")
    fill(browser, "field-reminder_every_days", "2")
    fill(browser, "field-reminder_max", "0")
    by_id(browser, "save-signature-settings").click()
    w.wait(lambda: browser.find_elements(By.ID, "field-embed_origins-error"), message="the error next to the field")
    assert re.match(r"(Line|Ligne) 2", by_id(browser, "field-embed_origins-error").text)
    assert by_id(browser, "field-embed_origins").get_attribute("aria-invalid") == "true"
    assert "*.partner.example" in value(browser, "field-embed_origins")
    screenshot(browser, "settings-signature-error")
    assert s.get("/api/v1/signing/settings", token=token).get_json()["embed_origins"] == []

    # a reminder pace out of range, said next to its field
    fill(browser, "field-embed_origins", "https://crm.partner.example\nHTTP://LOCALHOST:8080/")
    fill(browser, "field-reminder_every_days", "90")
    by_id(browser, "save-signature-settings").click()
    w.wait(lambda: browser.find_elements(By.ID, "field-reminder_every_days-error"), message="the pace's error")

    fill(browser, "field-reminder_every_days", "2")
    by_id(browser, "save-signature-settings").click()
    w.wait(lambda: browser.find_elements(By.CSS_SELECTOR, "p.notice.success"), message="the settings saved")
    saved = s.get("/api/v1/signing/settings", token=token).get_json()
    assert saved["embed_origins"] == ["https://crm.partner.example", "http://localhost:8080"]
    assert (saved["reminder_every_days"], saved["reminder_max"]) == (2, 0)
    assert value(browser, "field-embed_origins") == "https://crm.partner.example\nhttp://localhost:8080"
    assert (value(browser, "field-reminder_every_days"), value(browser, "field-reminder_max")) == ("2", "0")
    screenshot(browser, "settings-signature")
    # on a phone the settings menu folds behind its header line ("Paramètres : Signature"), its chevron turned to
    # say so at once: not mid-turn, a stray tick at the line's right in the page drawn just after the resize
    size = browser.get_window_size()
    browser.set_window_size(375, 900)
    w.wait(lambda: browser.execute_script("return !document.querySelector('details.settings-nav').open"),
           message="the settings menu folded (app.js)")
    chevron = browser.execute_script(
        "return getComputedStyle(document.getElementById('settings-menu-button'), '::after').transform")
    browser.set_window_size(size["width"], size["height"])
    assert [round(float(x), 3) for x in re.findall(r"-?\d[\d.e+-]*", chevron)] == [0, -1, 1, 0, 0, 0], chevron

    # emptied: no site may embed the page, the reminders follow the defaults again
    fill(browser, "field-embed_origins", "")
    fill(browser, "field-reminder_every_days", "")
    fill(browser, "field-reminder_max", "")
    page = browser.find_element(By.TAG_NAME, "html")
    by_id(browser, "save-signature-settings").click()
    wait_for_next_page(browser, page)  # the page before said "saved" too: its notice is not this save's
    w.wait(lambda: browser.find_elements(By.CSS_SELECTOR, "p.notice.success"), message="the settings saved")
    saved = s.get("/api/v1/signing/settings", token=token).get_json()
    assert (saved["embed_origins"], saved["reminder_every_days"], saved["reminder_max"]) == ([], None, None)

    # quotes sent by email for reading only: the send screen no longer offers to ask for a signature
    def online_signature():
        return s.get("/api/v1/license", token=token).get_json()["settings"]["electronic_signature_enabled"]
    assert online_signature() and by_id(browser, "field-electronic_signature_enabled").is_selected()
    by_id(browser, "field-electronic_signature_enabled").click()
    page = browser.find_element(By.TAG_NAME, "html")
    by_id(browser, "save-online-quotes").click()
    wait_for_next_page(browser, page)
    w.wait(lambda: browser.find_elements(By.CSS_SELECTOR, "p.notice.success"), message="the setting saved")
    assert not online_signature() and not by_id(browser, "field-electronic_signature_enabled").is_selected()
    screenshot(browser, "settings-signature-online-quotes-off")
    by_id(browser, "field-electronic_signature_enabled").click()
    by_id(browser, "save-online-quotes").click()
    w.wait(online_signature, message="online signature on again")


def test_a_salesperson_does_not_reach_the_signature_settings(web_system, staff, browser, sign_in):
    from selenium.webdriver.common.by import By
    sign_in(browser, staff.email["sales"])
    browser.get(web_system.url + "/settings/e-signature")
    assert browser.find_elements(By.ID, "signature-settings") == []
