"""Deals ("affaires", Initiative CRM) driven as a salesperson would, in headless Chromium, against the real
services: open a deal from a customer file (a missing title and a negative amount are said next to their
fields), see its quotes and the order made from one, counted as such, with their totals, move it to another
stage and change its amount (typed as French writes it, shown in its field as typed), be told
when someone else changed it meanwhile, find it in the list with the stage filter, search and sort, and
in the customer file's deals tab; "+ Quote" opens the quote editor in the deal."""
import pytest
from selenium.webdriver.support.ui import Select

from tests.e2e.web.browsing import across_in_view, fill, filled_buttons, ok, on_a_phone, scrolls_sideways, shown_label

from .test_admin_area import by_id, css, h1, navigate, notice, switch_user

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def text(browser, element_id: str) -> str:
    """An element's text with the locale's (narrow) no-break spaces as plain spaces."""
    return by_id(browser, element_id).text.replace("\u202f", " ").replace("\u00a0", " ")


def rows(browser, table_id: str, attribute: str) -> list[str]:
    return [tr.get_attribute(attribute) for tr in css(browser, f"#{table_id} tbody tr")]


def test_a_salesperson_follows_a_deal_from_the_customer_file_to_its_order(web_system, staff, browser, sign_in,
                                                                         screenshot):
    w, s = web_system, web_system.s
    token = staff.sales["access_token"]
    customer = s.post("/api/v1/customers", json={"name": "Durand Immobilier"}, token=token).get_json()
    other = s.post("/api/v1/customers", json={"name": "Alpha Bureautique"}, token=token).get_json()
    s.post("/api/v1/deals", json={"title": "Maintenance annuelle", "customer_id": other["id"], "amount": "900",
                                  "stage": "won"}, token=token)

    sign_in(browser, staff.email["sales"], next_path=f"/customers/{customer['id']}?tab=deals")
    assert h1(browser) == "Durand Immobilier"
    assert css(browser, "#tab-deals[aria-current=page]") and css(browser, ".empty-state")
    navigate(browser, css(browser, ".empty-state a")[0])

    # the new deal: the customer is chosen; a missing title and a negative amount are said next to their fields
    assert h1(browser) == "Nouvelle affaire"
    assert Select(by_id(browser, "field-customer_id")).first_selected_option.text == "Durand Immobilier"
    fill(browser, {"field-amount": "-5"})
    navigate(browser, "deal-submit")
    # the title was sent empty: the API's "Length must be between 1 and 300." is said of that case only
    assert by_id(browser, "field-title-error").text == "Obligatoire."
    assert by_id(browser, "field-amount-error").text == "Un nombre positif ou nul."
    screenshot(browser, "deal-new")
    fill(browser, {"field-title": "Copieurs du siège", "field-amount": "12000"})
    # a date field's typing order follows the browser's locale: set its value as the form sends it
    browser.execute_script("arguments[0].value = '2027-03-31'", by_id(browser, "field-expected_close_date"))
    Select(by_id(browser, "field-stage")).select_by_visible_text("Qualification")
    navigate(browser, "deal-submit")
    assert h1(browser) == "Copieurs du siège", [e.text for e in css(browser, ".error, .notice")]
    assert "créée" in notice(browser)
    assert by_id(browser, "deal-stage").text == "Qualification"
    assert by_id(browser, "deal-customer").text == "Durand Immobilier"
    # the amount as the money of the pages, excl. tax as its field says, and in its field as it was typed (not the
    # API's "12000.00")
    assert text(browser, "deal-amount") == "12 000,00 € HT"
    assert by_id(browser, "field-amount").get_attribute("value") == "12000"
    deal_id = browser.current_url.rstrip("/").split("/")[-1]
    assert "deal_id=" + deal_id in by_id(browser, "new-quote-link").get_attribute("href")

    # its quotes, and the order made from one, with their totals
    line = {"description": "Copieur A3", "quantity": "2", "unit_price": "1000", "tax_rate": "20"}
    quote = s.post("/api/v1/quotes", json={"title": "Devis copieurs", "deal_id": deal_id, "lines": [line]},
                   token=token).get_json()
    s.post("/api/v1/quotes", json={"title": "Variante", "deal_id": deal_id, "lines": [line]}, token=token)
    s.post(f"/api/v1/contracts/{quote['id']}/mark-sent", json={}, token=token)
    order = s.post(f"/api/v1/contracts/{quote['id']}/convert", json={"target": "order"}, token=token).get_json()
    ok(s.post(f"/api/v1/contracts/{quote['id']}/status", json={"status": "accepted"}, token=token), 200)
    browser.get(f"{w.url}/deals/{deal_id}")
    assert sorted(rows(browser, "deal-quotes", "data-contract")) == sorted(
        [quote["number"], s.get(f"/api/v1/contracts?deal_id={deal_id}&kind=quote", token=token).get_json()
         ["items"][0]["number"]])
    assert rows(browser, "deal-orders", "data-contract") == [order["number"]]
    # the kind named once, then counted, then what the customer bought of it: the accepted quote, not its
    # variant in draft too; the order is a draft. Those are the documents' totals incl. tax (the quote's 2 000 € excl.
    # tax): said, beside the deal's expected amount excl. tax
    assert text(browser, "quote-heading") == "Devis (2) · montant accepté : 2 400,00 € TTC"
    assert text(browser, "order-heading") == "Commandes (1) · aucune commande confirmée pour l'instant"
    assert [th.text for th in css(browser, "#deal-quotes thead th")][3] == "Total TTC"
    assert not css(browser, "#deal-invoices")
    assert filled_buttons(browser) == ["+ Devis"]  # the header's; saving the deal is outlined
    screenshot(browser, "deal")
    # on a phone each quote is a block: its total in view after its column's name, nothing to scroll sideways
    with on_a_phone(browser):
        total = css(browser, "#deal-quotes tbody tr td.num")[0]
        assert not scrolls_sideways(browser) and across_in_view(browser, total)
        # the phone's layout may apply a moment after the window is resized (a loaded CI machine)
        w.wait(lambda: shown_label(browser, total) == "Total TTC", message="the total's column name on a phone")
        assert total.text.endswith("€")

    # move it on: stage and amount (an emptied title is said next to it); then a change made elsewhere
    # meanwhile is said, not overwritten
    by_id(browser, "field-title").clear()
    navigate(browser, "deal-submit")
    assert by_id(browser, "field-title-error").text == "Obligatoire."
    fill(browser, {"field-title": "Copieurs du siège"})
    Select(by_id(browser, "field-stage")).select_by_visible_text("Négociation")
    fill(browser, {"field-amount": "11 500,50"})  # as French is written, as the quote editor's prices
    navigate(browser, "deal-submit")
    assert "enregistrée" in notice(browser)
    assert by_id(browser, "deal-stage").text == "Négociation"
    assert text(browser, "deal-amount") == "11 500,50 € HT"
    assert by_id(browser, "field-amount").get_attribute("value") == "11500,50"
    screenshot(browser, "deal-amount-saved")
    s.patch(f"/api/v1/deals/{deal_id}", json={"stage": "won"}, token=staff.admin["access_token"])
    Select(by_id(browser, "field-stage")).select_by_visible_text("Perdue")
    navigate(browser, "deal-submit")
    assert "entre-temps" in by_id(browser, "form-message").text
    assert Select(by_id(browser, "field-stage")).first_selected_option.text == "Gagnée"
    assert s.get(f"/api/v1/deals/{deal_id}", token=token).get_json()["stage"] == "won"

    # "+ Quote" opens the editor in the deal: its customer chosen
    navigate(browser, "new-quote-link")
    assert Select(by_id(browser, "field-customer_id")).first_selected_option.text == "Durand Immobilier"

    # the list: both deals; the stage filter, the search and the sort stay in the URL
    browser.get(w.url + "/deals")
    assert h1(browser) == "Affaires"
    assert css(browser, "nav a[href='/deals'][aria-current=page]")
    assert sorted(rows(browser, "deals", "data-deal")) == ["Copieurs du siège", "Maintenance annuelle"]
    assert text(browser, "deals-total") == "2 affaires"
    assert "Montant prévu (HT)" in [th.text for th in css(browser, "#deals thead th")]  # as its field says
    screenshot(browser, "deals")
    Select(by_id(browser, "filter-stage")).select_by_visible_text("Gagnée")
    fill(browser, {"filter-q": "durand"})
    navigate(browser, "filter-submit")
    assert rows(browser, "deals", "data-deal") == ["Copieurs du siège"]
    assert "stage=won" in browser.current_url and "q=durand" in browser.current_url
    browser.get(w.url + "/deals?sort=amount")
    assert rows(browser, "deals", "data-deal") == ["Maintenance annuelle", "Copieurs du siège"]
    browser.get(w.url + "/deals?sort=-amount")
    assert rows(browser, "deals", "data-deal") == ["Copieurs du siège", "Maintenance annuelle"]
    browser.get(w.url + "/deals?stage=lost")
    assert css(browser, ".empty-state") and not css(browser, "#deals")

    # the customer file's tab lists its own deals only
    browser.get(f"{w.url}/customers/{customer['id']}?tab=deals")
    assert rows(browser, "customer-deals", "data-deal") == ["Copieurs du siège"]
    screenshot(browser, "customer-deals")

    # a deal without documents is deleted, asked once with its name; one with documents offers no deletion
    browser.get(f"{w.url}/deals/{deal_id}")
    assert not css(browser, "#delete-deal-ask")
    browser.get(w.url + "/deals?q=alpha")
    navigate(browser, css(browser, "#deals tbody a")[0])
    by_id(browser, "delete-deal-ask").click()
    assert "Maintenance annuelle" in css(browser, "details.confirm p")[0].text
    navigate(browser, "delete-deal")
    assert "supprimée" in notice(browser)
    assert rows(browser, "deals", "data-deal") == ["Copieurs du siège"]

    # an unknown deal is the 404 page
    browser.get(f"{w.url}/deals/00000000-0000-0000-0000-000000000000")
    assert by_id(browser, "error-page").get_attribute("data-status") == "404"

    # a manager may hand the deal to someone else: the owner picker lists the license's users
    switch_user(browser, sign_in, staff.email["admin"])
    browser.get(f"{w.url}/deals/{deal_id}")
    owner = Select(by_id(browser, "field-owner_id"))
    assert owner.first_selected_option.text == "Paul Martin"
    owner.select_by_value(staff.admin["user"]["user_id"])
    navigate(browser, "deal-submit")
    assert "enregistrée" in notice(browser)
    assert s.get(f"/api/v1/deals/{deal_id}", token=token).get_json()["owner_id"] == staff.admin["user"]["user_id"]
