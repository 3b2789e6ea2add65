"""UI.md's "one primary action per page" on the pages with a form per card, driven as a license admin in
headless Chromium against the real services: on each, at most one button is filled (the page's main action,
its header's when it has one); every card's other buttons are outlined.

The rule for a page of several forms: when one card is the page's subject (a service account's keys), its submit
is the filled one; when the cards are of equal rank, each saving or adding its own thing (my account: profile /
notification preferences / password; e-signature: online quotes / reminders; columns / flags), none is the page's
action and all their submits
are outlined alike: buttons doing the same kind of thing never look different on one page.

The home page's action is "+ Quote"; a document page's is the sale's next step at its status and for the user's role
(a manager's "Validate" of an accepted quote, then its order, then the order's confirmation), top right."""
from pathlib import Path

import pytest

from tests.e2e.web.browsing import by_id, css, filled_buttons, ok

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

EXTRA_SERVICES = ("signing",)  # the e-signature settings page


def test_each_page_fills_only_its_main_action(web_system, staff, browser, sign_in, screenshot, tmp_path):
    w, s, token = web_system, web_system.s, staff.admin["access_token"]
    account = ok(s.post("/api/v1/service-accounts", token=token, json={"name": "ERP sync", "role": "user"}))
    hook = ok(s.post("/api/v1/webhooks", token=token, json={"url": "http://127.0.0.1:9/paraph", "event_types": ["*"]}))
    customer = ok(s.post("/api/v1/customers", token=token, json={"name": "Boulangerie Martin", "kind": "company"}))
    oven = ok(s.post(f"/api/v1/customers/{customer['id']}/equipment", token=token, json={"description": "Four à sole"}))
    export = Path(tmp_path) / "collaborateurs.csv"
    export.write_text("Code;E-mail\nV01;paul@acme.test\n")

    def only_filled(path: str, primary_id: str, name: str):
        """The page at ``path`` fills one button: the one whose id is ``primary_id``."""
        if path:
            browser.get(w.url + path)
        assert filled_buttons(browser) == [by_id(browser, primary_id).text], name
        screenshot(browser, f"one-primary-{name}")

    def none_filled_and_alike(path: str, same_kind: tuple[str, ...], name: str):
        """The page at ``path`` fills no button (cards of equal rank), and its ``same_kind`` buttons (ids) look
        the same: background, text colour and border."""
        browser.get(w.url + path)
        assert filled_buttons(browser) == [], name
        looks = {tuple(by_id(browser, button_id).value_of_css_property(p)
                       for p in ("background-color", "color", "border-top-color")) for button_id in same_kind}
        assert len(looks) == 1, (name, looks)
        screenshot(browser, f"one-primary-{name}")

    sign_in(browser, staff.email["admin"], next_path="/account")
    browser.get(w.url + "/account")
    assert filled_buttons(browser) == [], "account"
    looks = {tuple(by_id(browser, button_id).value_of_css_property(p)
                   for p in ("background-color", "color", "border-top-color"))
             for button_id in ("profile-submit", "preferences-submit", "password-submit")}
    assert len(looks) == 1, looks
    screenshot(browser, "one-primary-account")
    none_filled_and_alike("/settings/columns", ("add-column", "add-flag"), "columns")
    only_filled("/settings/company-profile", "save-company-profile", "company-profile")
    none_filled_and_alike("/settings/e-signature", ("save-online-quotes", "save-signature-settings"), "e-signature")
    # the service account's perimeters card: the empty state's "New perimeter" link, then the perimeters' form
    only_filled(f"/settings/service-accounts/{account['id']}", "create-key", "service-account")
    ok(s.post("/api/v1/perimeters", token=token, json={"name": "Nord"}))
    only_filled(f"/settings/service-accounts/{account['id']}", "create-key", "service-account-perimeters")
    only_filled(f"/settings/webhooks/{hook['id']}", "send-test", "webhook")  # the header's
    only_filled("/settings/erp-sync", "erp-preview-submit", "erp-sync-upload")
    by_id(browser, "field-export").send_keys(str(export))
    by_id(browser, "erp-preview-submit").click()
    w.wait(lambda: browser.find_elements("id", "erp-preview"), message="the preview")
    only_filled("", "erp-run-submit", "erp-sync-preview")  # the header's
    # an equipment item's form beside the customer file's header action ("+ Quote")
    only_filled(f"/customers/{customer['id']}?tab=equipment&edit={oven['id']}", "new-quote-link", "customer-equipment-edit")
    # the home page: "+ Quote", today's one action
    only_filled("/", "new-quote-link", "home")
    # a document page: the sale's next step at its status and for the user's role, top right of its header. An
    # accepted quote: a manager validates it ("Create an order" outlined beside), then its order is the next step;
    # the order: its confirmation
    quote = ok(s.post("/api/v1/quotes", token=token, json={"title": "Four", "customer_id": customer["id"], "lines": [
        {"description": "Four à sole", "quantity": "1", "unit_price": "9000", "tax_rate": "20"}]}))
    ok(s.post(f"/api/v1/contracts/{quote['id']}/mark-sent", token=token, json={}))
    ok(s.post(f"/api/v1/contracts/{quote['id']}/status", token=token, json={"status": "accepted"}))
    only_filled(f"/contracts/{quote['id']}", "status-validated", "accepted-quote-for-a-manager")
    assert "secondary" in by_id(browser, "convert-order").get_attribute("class")
    header, filled = (by_id(browser, i).rect for i in ("contract-actions", "status-validated"))
    assert filled["y"] == min(e.rect["y"] for e in css(browser, "#contract-actions > *"))  # top
    assert filled["x"] + filled["width"] >= header["x"] + header["width"] - 1  # right
    browser.find_element("css selector", "#status-validated").click()
    w.wait(lambda: by_id(browser, "contract-status").text == "Validé", message="the quote validated")
    only_filled("", "convert-order", "validated-quote")
    by_id(browser, "convert-order").click()
    w.wait(lambda: by_id(browser, "page-title").text.startswith("Commande"), message="the order")
    only_filled("", "status-confirmed", "order-to-confirm")
