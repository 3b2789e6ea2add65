"""The quote editor (create and edit a draft quote: customer, contact, type and its merge fields, lines with
optional products, live totals by tax rate, custom columns and flags), "+ Quote" from a contact, and the work
on a quote's page (a task, a document in a folder, what was bought recorded in the customer's equipment
base), driven as a salesperson in a real headless Chromium."""
from __future__ import annotations

import pytest

from tests.e2e.web.browsing import by_id, css, ok, text_of, wait_for_next_page

pytestmark = pytest.mark.integration


def plain_spaces(words: str) -> str:
    """The narrow and non-breaking spaces of French numbers as plain spaces."""
    return words.replace("\u202f", " ").replace("\xa0", " ")


def text(element) -> str:
    return plain_spaces(element.text)


def live_total(browser) -> str:
    """The editor's total as shown now ("" while htmx swaps the totals in: never a stale element)."""
    return plain_spaces(text_of(browser, "editor-total"))


def navigate(browser, element_id: str):
    """Click a submit button or a link and wait for the next page."""
    page = css(browser, "html")[0]
    by_id(browser, element_id).click()
    wait_for_next_page(browser, page)


def choose(browser, select_id: str, label: str):
    """Choose in a picker; a picker with data-refresh posts the form: wait for the page that comes back."""
    from selenium.webdriver.support.ui import Select
    page, picker = css(browser, "html")[0], by_id(browser, select_id)
    if Select(picker).first_selected_option.text == label:
        return  # chosen already (the only choice): nothing changes, no page comes back
    posts_the_form = picker.get_attribute("data-refresh") is not None
    Select(picker).select_by_visible_text(label)
    if posts_the_form:
        wait_for_next_page(browser, page)


def selected(browser, select_id: str) -> str:
    from selenium.webdriver.support.ui import Select
    return Select(by_id(browser, select_id)).first_selected_option.text


def fill_line(browser, n: int, **values):
    for key, value in values.items():
        field = by_id(browser, f"line-{n}-{key}")
        field.clear()
        field.send_keys(value)


@pytest.fixture
def shop(web_system, staff):
    """A bakery with its contact, a quote type with a required merge field, a flag and a custom column."""
    s, token, admin = web_system.s, staff.sales["access_token"], staff.admin["access_token"]

    ok(s.post("/api/v1/settings/flags", token=admin, json={"key": "urgent", "label": "Urgent"}))
    ok(s.post("/api/v1/settings/columns", token=admin, json={"key": "region", "label": "Région", "type": "text"}))
    ok(s.post("/api/v1/contract-types", token=admin, json={
        "name": "Vente matériel", "kind": "quote", "merge_fields": [
            {"key": "site", "label": "Site d'installation", "type": "text", "required": True},
            {"key": "access", "label": "Accès livraison", "type": "text"}]}))
    bakery = ok(s.post("/api/v1/customers", token=token, json={
        "name": "Boulangerie Martin", "kind": "company",
        "contacts": [{"first_name": "Claire", "last_name": "Martin", "email": "claire@boulangerie.test"}]}))
    ok(s.post("/api/v1/customers", token=token, json={"name": "Hervé David", "kind": "company"}))
    return {"bakery": bakery, "contact": bakery["contacts"][0], "token": token, "ok": ok}


def test_create_a_quote_with_live_totals_then_edit_the_draft(web_system, staff, shop, browser, sign_in, screenshot):
    w = web_system
    sign_in(browser, staff.email["sales"])
    browser.get(w.url + "/quotes")
    navigate(browser, "new-quote")
    assert by_id(browser, "page-title").text == "Nouveau devis"
    # an example of any trade's quote (not a real estate agent's)
    assert by_id(browser, "field-title-hint").text == "L'objet du devis, ex. Maintenance annuelle — Site de Lyon"

    by_id(browser, "field-title").send_keys("Four et équipement")
    choose(browser, "field-customer_id", "Boulangerie Martin")  # its contacts are offered at once
    choose(browser, "field-contact_id", "Claire Martin")
    # the license's only quote type is chosen already, its merge fields shown
    assert selected(browser, "field-contract_type_id") == "Vente matériel"
    site = by_id(browser, "field-data-site")
    assert site.get_attribute("required") is not None
    assert "*" in css(browser, "label[for=field-data-site]")[0].text
    assert by_id(browser, "field-title").get_attribute("value") == "Four et équipement"  # kept across the refresh

    # two lines at two tax rates and an optional product left unselected
    for n, values in enumerate([
            {"product_code": "FOUR", "description": "Four à sole", "quantity": "1", "unit_price": "9000",
             "tax_rate": "20"},
            {"product_code": "MAN", "description": "Manuel d'utilisation", "quantity": "2", "unit_price": "50",
             "tax_rate": "5,5"},
            {"product_code": "GAR", "description": "Extension de garantie", "quantity": "1", "unit_price": "500",
             "tax_rate": "20"}]):
        navigate(browser, "add-line")
        fill_line(browser, n, **values)
    by_id(browser, "line-2-optional").click()
    # a line's fields say what the quote page, the online quote and the PDF say: prices and amounts excl. tax
    assert [css(browser, f"label[for=line-0-{key}]")[0].text for key in ("unit_price", "discount_pct")] == \
        ["Prix unitaire HT", "Remise %"]
    assert css(browser, "#line-0 .line-field.amount .label")[0].text == "Montant HT"
    # a label on two lines (a narrow column, a longer language) leaves its input level with the others
    assert len({round(e.rect["y"]) for e in css(browser, "#line-0 .line-field > :is(input, output)")}) == 1
    by_id(browser, "field-custom-region").send_keys("Nord")
    by_id(browser, "flags-urgent").click()

    # the live totals (htmx, computed by the API while typing): 9 100 excl. tax, 1 800 + 5,50 of taxes
    w.wait(lambda: live_total(browser) == "10 905,50 €",
           message="the live total")
    rates = [text(r) for r in css(browser, "#editor-totals-table tr.tax-rate")]
    assert len(rates) == 2 and "5,5 %" in rates[0] and "20 %" in rates[1]
    assert text(by_id(browser, "editor-optional-total")) == "500,00 €"
    assert text(by_id(browser, "line-amount-1")) == "100,00 €"
    screenshot(browser, "quote-editor")

    # the required merge field is left empty: said next to it, nothing is created
    navigate(browser, "quote-submit")
    error = by_id(browser, "field-data-site-error")
    assert error.text and by_id(browser, "field-data-site").get_attribute("aria-invalid") == "true"
    assert "field-data-site-error" in by_id(browser, "field-data-site").get_attribute("aria-describedby")
    assert by_id(browser, "line-2-optional").is_selected()  # the form comes back as it was typed
    assert by_id(browser, "line-1-tax_rate").get_attribute("value") == "5,5"
    assert w.s.get("/api/v1/quotes?count=true", token=shop["token"]).get_json()["total"] == 0
    screenshot(browser, "quote-editor-error")
    by_id(browser, "field-data-site").send_keys("Fournil, 3 rue du Pain, Lille")
    navigate(browser, "quote-submit")

    # the contract page shows the server's totals
    assert text(by_id(browser, "contract-total")) == "10 905,50 €"
    assert by_id(browser, "contract-customer").text == "Boulangerie Martin"
    # the totals as the client's page and the PDF word them: two rates, each with its base, then the total VAT
    totals = [text(r) for r in css(browser, "#contract-totals tr")]
    assert [t.split(" ")[0] for t in totals] == ["Total", "TVA", "TVA", "Total", "Total"]
    assert totals[0].startswith("Total HT") and totals[3].startswith("Total TVA") and totals[4].startswith("Total TTC")
    assert "5,5 % sur" in totals[1] and "20 % sur" in totals[2]
    assert text(by_id(browser, "optional-total")).endswith("500,00 €")  # the optional products not selected
    quote = w.s.get("/api/v1/quotes", token=shop["token"]).get_json()["items"][0]
    detail = w.s.get(f"/api/v1/contracts/{quote['id']}", token=shop["token"]).get_json()
    assert detail["contact"]["name"] == "Claire Martin" and detail["data"]["site"].startswith("Fournil")
    assert detail["flags"] == ["urgent"] and detail["custom"] == {"region": "Nord"}
    assert [line["tax_rate"] for line in detail["lines"]] == ["20.00", "5.50", "20.00"]

    # edit the draft: the guarantee moves up and the customer takes it
    navigate(browser, "edit-quote")
    assert by_id(browser, "page-title").text == "Modifier le devis"
    assert by_id(browser, "line-2-description").get_attribute("value") == "Extension de garantie"
    assert [by_id(browser, f"line-{n}-{key}").get_attribute("value") for n, key in (
        (0, "unit_price"), (1, "quantity"), (1, "tax_rate"))] == ["9000", "2", "5,5"]  # as typed, in French
    navigate(browser, "line-2-up")
    assert by_id(browser, "line-1-description").get_attribute("value") == "Extension de garantie"
    by_id(browser, "line-1-selected").click()
    # the totals follow the lines, so the "Recalculate" button (for browsers without JavaScript) is hidden; Enter
    # in a field still recalculates on the server (the form's default button), never saves
    from selenium.webdriver.common.keys import Keys
    assert not by_id(browser, "recalculate").is_displayed()
    page = css(browser, "html")[0]
    by_id(browser, "line-1-quantity").send_keys(Keys.ENTER)
    wait_for_next_page(browser, page)
    assert by_id(browser, "page-title").text == "Modifier le devis"
    assert text(by_id(browser, "editor-total")) == "11 505,50 €"
    navigate(browser, "line-2-remove")
    assert not css(browser, "#line-2-description")
    navigate(browser, "quote-submit")
    assert text(by_id(browser, "contract-total")) == "11 400,00 €"
    lines = w.s.get(f"/api/v1/contracts/{quote['id']}", token=shop["token"]).get_json()["lines"]
    assert [(line["description"], line["selected"]) for line in lines] == \
        [("Four à sole", False), ("Extension de garantie", True)]

    # a quote that is no longer a draft is not edited: its page says why
    shop["ok"](w.s.post(f"/api/v1/contracts/{quote['id']}/mark-sent", token=shop["token"], json={}), 200)
    browser.get(f"{w.url}/contracts/{quote['id']}/edit")
    assert "brouillon" in " ".join(n.text for n in css(browser, "p.notice"))
    assert not css(browser, "#edit-quote")


def test_quote_from_a_contact_and_the_work_on_a_quote(web_system, staff, shop, browser, sign_in, screenshot,
                                                      tmp_path):
    w, token, ok = web_system, shop["token"], shop["ok"]
    bakery, contact = shop["bakery"], shop["contact"]
    sign_in(browser, staff.email["sales"])

    # "+ Quote" from a contact: its customer and itself are chosen
    browser.get(f"{w.url}/customers/{bakery['id']}?tab=contacts")
    navigate(browser, f"new-quote-contact-{contact['id']}")
    assert selected(browser, "field-customer_id") == "Boulangerie Martin"
    assert selected(browser, "field-contact_id") == "Claire Martin"

    # "+ Quote" from a deal: its customer is chosen and the quote is created in the deal
    deal = ok(w.s.post("/api/v1/deals", token=token, json={"title": "Rénovation du fournil",
                                                            "customer_id": bakery["id"]}))
    browser.get(f"{w.url}/quotes/new?deal_id={deal['id']}")
    assert selected(browser, "field-customer_id") == "Boulangerie Martin"
    assert "Rénovation du fournil" in by_id(browser, "quote-deal").text
    by_id(browser, "field-data-site").send_keys("Fournil")  # the only quote type's required field (chosen already)
    navigate(browser, "quote-submit")
    assert by_id(browser, "contract-title").text == "Rénovation du fournil"
    in_deal = w.s.get(f"/api/v1/contracts?deal_id={deal['id']}", token=token).get_json()["items"]
    assert [q["title"] for q in in_deal] == ["Rénovation du fournil"]
    browser.get(f"{w.url}/quotes/new?deal_id=unknown-deal")  # a deal gone or never seen: said, not an error
    assert "introuvable" in " ".join(n.text for n in css(browser, "p.notice")) and not css(browser, "#quote-deal")

    quote = ok(w.s.post("/api/v1/quotes", token=token, json={
        "title": "Four à pain", "contact_id": contact["id"], "lines": [
            {"product_code": "FOUR", "description": "Four à sole", "quantity": "1", "unit_price": "9000",
             "tax_rate": "20"},
            {"product_code": "PET", "description": "Pétrin", "quantity": "2", "unit_price": "1500", "tax_rate": "20"},
            {"product_code": "GAR", "description": "Extension de garantie", "quantity": "1", "unit_price": "500",
             "tax_rate": "20", "optional": True}]}))
    page = f"{w.url}/contracts/{quote['id']}"
    browser.get(page)
    assert by_id(browser, "equipment-not-yet").text  # a draft bought nothing yet

    # a task: without a title it is said next to the field; then created
    by_id(browser, "add-task").click()
    navigate(browser, "task-submit")
    assert by_id(browser, "task-title-error").text
    by_id(browser, "task-title").send_keys("Rappeler Claire pour la livraison")
    browser.execute_script("arguments[0].value = '2027-01-15'", by_id(browser, "task-due-date"))
    navigate(browser, "task-submit")
    assert "Rappeler Claire pour la livraison" in by_id(browser, "task-list").text
    tasks = w.s.get("/api/v1/tasks?assignee=me", token=token).get_json()["items"]
    assert [t["title"] for t in tasks] == ["Rappeler Claire pour la livraison"]

    # milestones: one added (shown on the portal by default), one hidden from it; marked done, then deleted
    assert by_id(browser, "no-milestone").text
    by_id(browser, "add-milestone").click()
    navigate(browser, "milestone-submit")
    assert by_id(browser, "milestone-title-error").text  # no title: said next to the field, nothing added
    by_id(browser, "milestone-title").send_keys("Livraison du four")
    browser.execute_script("arguments[0].value = '2027-02-01'", by_id(browser, "milestone-due-date"))
    navigate(browser, "milestone-submit")
    assert "Le jalon Livraison du four est ajouté." in " ".join(n.text for n in css(browser, "p.notice"))
    by_id(browser, "add-milestone").click()
    by_id(browser, "milestone-title").send_keys("Réunion interne")
    by_id(browser, "milestone-portal-visible").click()
    navigate(browser, "milestone-submit")
    milestones = {m["title"]: m for m in w.s.get(f"/api/v1/contracts/{quote['id']}", token=token).get_json()["milestones"]}
    assert milestones["Livraison du four"]["portal_visible"] and milestones["Livraison du four"]["due_date"] == "2027-02-01"
    assert not milestones["Réunion interne"]["portal_visible"] and not milestones["Livraison du four"]["done"]
    delivery, meeting = milestones["Livraison du four"]["id"], milestones["Réunion interne"]["id"]
    navigate(browser, f"milestone-{delivery}-state")
    assert "Fait" in css(browser, '#milestone-list li[data-milestone="Livraison du four"] .badge')[0].text
    assert "Jalon modifié : Livraison du four" in by_id(browser, "history").text.replace("\u00a0", " ")
    screenshot(browser, "quote-milestones")
    by_id(browser, f"milestone-{meeting}-delete-ask").click()
    navigate(browser, f"milestone-{meeting}-delete")
    assert "Le jalon Réunion interne est supprimé." in " ".join(n.text for n in css(browser, "p.notice"))
    assert [li.get_attribute("data-milestone") for li in css(browser, "#milestone-list li")] == ["Livraison du four"]
    milestones = w.s.get(f"/api/v1/contracts/{quote['id']}", token=token).get_json()["milestones"]
    assert [(m["title"], m["done"]) for m in milestones] == [("Livraison du four", True)]

    # a document in a folder
    plan = tmp_path / "plan-fournil.txt"
    plan.write_text("Plan du fournil : porte de service à gauche.", encoding="utf-8")
    by_id(browser, "add-document").click()
    by_id(browser, "document-file").send_keys(str(plan))
    by_id(browser, "document-folder").send_keys("Plans")
    navigate(browser, "document-submit")
    documents = by_id(browser, "documents").text
    assert "plan-fournil.txt" in documents and "Plans" in documents
    attachment = w.s.get(f"/api/v1/contracts/{quote['id']}", token=token).get_json()["attachments"][0]
    assert attachment["folder"] == "Plans" and not attachment["portal_visible"]

    # accepted by the customer: what was bought goes into the equipment base, a serial number for the oven
    ok(w.s.post(f"/api/v1/contracts/{quote['id']}/mark-sent", token=token, json={}), 200)
    ok(w.s.post(f"/api/v1/contracts/{quote['id']}/status", token=token, json={"status": "accepted"}), 200)
    browser.get(page)
    browser.refresh()  # the page was already open (at #documents): read it again
    rows = by_id(browser, "equipment-lines").find_elements("css selector", "tbody tr")
    assert [r.get_attribute("data-line") for r in rows] == ["Four à sole", "Pétrin"]  # not the optional product
    lines = {line["description"]: line["id"] for line in quote["lines"]}
    by_id(browser, f"serial-{lines['Four à sole']}").send_keys("FS-2027-0042")
    screenshot(browser, "quote-actions")
    navigate(browser, "equipment-submit")
    assert "2 équipements enregistrés dans le parc." in " ".join(n.text for n in css(browser, "p.notice"))
    assert len(css(browser, "#equipment-lines .badge.succeeded")) == 2  # recorded: not offered again

    # seen on the customer's equipment tab
    navigate(browser, "customer-equipment")
    equipment = [r.get_attribute("data-equipment") for r in css(browser, "#equipment tbody tr")]
    assert sorted(equipment) == ["FS-2027-0042", "Pétrin"]
    screenshot(browser, "quote-equipment-recorded")
