"""The quote editor in contract mode (``/contracts/new``): "+ Contract" from the Contracts list (its empty state
says how to make one) and from a customer file, a contact and a deal; the contract type (of kind contract) is
chosen first when the license has some, lines and live totals as for a quote; the contract opens on its page
and is listed with the contracts. Driven as a salesperson in a real headless Chromium."""
from __future__ import annotations

import pytest

from tests.e2e.web.browsing import by_id, css, filled_buttons, ok, wait_for_next_page
from tests.e2e.web.test_quote_editor import choose, fill_line, live_total, navigate, selected, text

pytestmark = pytest.mark.integration


@pytest.fixture
def agency(web_system, staff):
    """An estate agency's customer with its contact; a quote type (never offered for a contract)."""
    s, token, admin = web_system.s, staff.sales["access_token"], staff.admin["access_token"]
    ok(s.post("/api/v1/contract-types", token=admin, json={"name": "Vente matériel", "kind": "quote"}))
    customer = ok(s.post("/api/v1/customers", token=token, json={
        "name": "Agence Dupont", "kind": "company",
        "contacts": [{"first_name": "Léa", "last_name": "Dupont", "email": "lea@dupont.test"}]}))
    return {"customer": customer, "contact": customer["contacts"][0], "token": token, "admin": admin}


def contracts_of(w, token) -> list[dict]:
    return w.s.get("/api/v1/contracts?kind=contract", token=token).get_json()["items"]


def test_a_contract_from_the_contracts_list_starts_from_its_contract_type(web_system, staff, agency, browser,
                                                                         sign_in, screenshot):
    w, token = web_system, agency["token"]
    studio = ok(w.s.post("/api/v1/contract-types", token=agency["admin"], json={
        "name": "Mandat de vente studio", "kind": "contract", "merge_fields": [
            {"key": "address", "label": "Adresse du bien", "type": "text", "required": True}]}))
    sign_in(browser, staff.email["sales"])

    # the empty Contracts list says how to make one, and its button opens the editor in contract mode
    browser.get(w.url + "/contracts")
    empty = css(browser, ".empty-state")[0]
    assert "Aucun contrat pour l'instant. Créez-en un pour un client" in empty.text
    assert by_id(browser, "new-contract").text == "+ Contrat"
    assert filled_buttons(browser) == ["+ Contrat"]  # the header's; the empty list's own is outlined
    screenshot(browser, "contracts-empty")
    page = css(browser, "html")[0]
    empty.find_element("css selector", "a").click()
    wait_for_next_page(browser, page)
    assert browser.current_url.endswith("/contracts/new")
    assert by_id(browser, "page-title").text == "Nouveau contrat"
    assert by_id(browser, "quote-heading").text == "Type et client"

    # the contract type comes first, and only the contract types are offered
    fields = [f.get_attribute("id") for f in css(browser, "#quote-form select, #quote-form input:not([type=hidden])")]
    assert fields.index("field-contract_type_id") < fields.index("field-title") < fields.index("field-customer_id")
    offered = [o.text for o in css(browser, "#field-contract_type_id option")][1:]
    assert offered == ["Mandat de vente studio"]
    choose(browser, "field-contract_type_id", "Mandat de vente studio")  # its merge fields are shown at once
    assert by_id(browser, "field-data-address").get_attribute("required") is not None
    by_id(browser, "field-title").send_keys("Mandat de vente — studio, 12 rue des Lilas")
    choose(browser, "field-customer_id", "Agence Dupont")
    choose(browser, "field-contact_id", "Léa Dupont")
    assert "produits et services du contrat" in by_id(browser, "no-line").text

    # a line (the agency's fee) with the live totals, as in a quote
    navigate(browser, "add-line")
    fill_line(browser, 0, description="Honoraires de vente", quantity="1", unit_price="5000", tax_rate="20")
    w.wait(lambda: live_total(browser) == "6 000,00 €",
           message="the live total")
    assert by_id(browser, "quote-submit").text == "Créer le contrat en brouillon"
    screenshot(browser, "contract-editor")

    # the type's required field left empty: said next to it, nothing is created
    navigate(browser, "quote-submit")
    assert by_id(browser, "field-data-address-error").text
    assert by_id(browser, "page-title").text == "Nouveau contrat"
    assert selected(browser, "field-contract_type_id") == "Mandat de vente studio"
    assert contracts_of(w, token) == []
    by_id(browser, "field-data-address").send_keys("12 rue des Lilas, 75011 Paris")
    navigate(browser, "quote-submit")

    # it opens on its contract page
    assert by_id(browser, "page-title").text.startswith("Contrat C-")
    assert "Le contrat est enregistré." in " ".join(n.text for n in css(browser, "p.notice"))
    assert by_id(browser, "contract-customer").text == "Agence Dupont"
    assert text(by_id(browser, "contract-total")) == "6 000,00 €"
    [listed] = contracts_of(w, token)
    detail = ok(w.s.get(f"/api/v1/contracts/{listed['id']}", token=token))
    assert detail["kind"] == "contract" and detail["status"] == "draft" and detail["number"].startswith("C-")
    assert by_id(browser, "page-title").text == f"Contrat {detail['number']}"
    assert detail["customer_id"] == agency["customer"]["id"] and detail["contract_type_id"] == studio["id"]
    assert detail["contact"]["name"] == "Léa Dupont" and detail["data"]["address"].startswith("12 rue des Lilas")
    assert [(line["description"], line["unit_price"]) for line in detail["lines"]] == [("Honoraires de vente",
                                                                                        "5000.00")]
    assert w.s.get("/api/v1/quotes?count=true", token=token).get_json()["total"] == 0

    # and in the Contracts list
    browser.get(w.url + "/contracts")
    assert css(browser, f"#documents tr[data-number='{detail['number']}']")

    # the draft contract is edited in the same editor, in contract mode, from its page's Edit button
    browser.get(f"{w.url}/contracts/{detail['id']}")
    by_id(browser, "edit-quote").click()
    w.wait(lambda: browser.current_url.endswith(f"/contracts/{detail['id']}/edit"), message="the editor")
    assert by_id(browser, "page-title").text == "Modifier le contrat"
    assert by_id(browser, "quote-type").text == "Mandat de vente studio"
    assert by_id(browser, "quote-submit").text == "Enregistrer le contrat"
    assert by_id(browser, "back-to-quote").text == "Retour au contrat"
    fill_line(browser, 0, unit_price="6000")
    navigate(browser, "quote-submit")
    assert text(by_id(browser, "contract-total")) == "7 200,00 €"
    assert ok(w.s.get(f"/api/v1/contracts/{detail['id']}", token=token))["total"] == "7200.00"


def test_a_contract_from_a_customer_file_without_any_contract_type(web_system, staff, agency, browser, sign_in,
                                                                  screenshot):
    w, token = web_system, agency["token"]
    customer, contact = agency["customer"], agency["contact"]
    sign_in(browser, staff.email["sales"])

    # "+ Contract" next to "+ Quote" on the customer file (and, in the header's order, in its empty contracts tab)
    browser.get(f"{w.url}/customers/{customer['id']}?tab=contracts")
    assert [a.text for a in css(browser, ".empty-state a")] == ["+ Contrat", "+ Devis"]
    assert by_id(browser, "new-quote-link").text == "+ Devis"
    screenshot(browser, "customer-file-new-contract")
    navigate(browser, "new-contract-link")
    assert by_id(browser, "page-title").text == "Nouveau contrat"
    assert selected(browser, "field-customer_id") == "Agence Dupont"
    # no contract type of kind contract: nothing to choose (the quote type is not offered)
    assert not css(browser, "#field-contract_type_id") and by_id(browser, "quote-heading").text == "Titre et client"
    by_id(browser, "field-title").send_keys("Contrat de gestion locative")
    screenshot(browser, "contract-editor-without-type")
    navigate(browser, "quote-submit")

    assert by_id(browser, "page-title").text.startswith("Contrat C-")
    assert by_id(browser, "contract-title").text == "Contrat de gestion locative"
    [made] = contracts_of(w, token)
    assert made["kind"] == "contract" and made["customer_id"] == customer["id"] and made["number"].startswith("C-")
    assert ok(w.s.get(f"/api/v1/contracts/{made['id']}", token=token))["contract_type_id"] is None
    browser.get(w.url + "/contracts")
    assert css(browser, f"#documents tr[data-number='{made['number']}']")
    browser.get(f"{w.url}/customers/{customer['id']}?tab=contracts")
    assert css(browser, f"#customer-contracts tr[data-contract='{made['number']}']")

    # from a contact: its customer and itself are chosen
    browser.get(f"{w.url}/customers/{customer['id']}?tab=contacts")
    navigate(browser, f"new-contract-contact-{contact['id']}")
    assert by_id(browser, "page-title").text == "Nouveau contrat"
    assert selected(browser, "field-customer_id") == "Agence Dupont"
    assert selected(browser, "field-contact_id") == "Léa Dupont"

    # from a deal: created in the deal
    deal = ok(w.s.post("/api/v1/deals", token=token, json={"title": "Vente du studio", "customer_id": customer["id"]}))
    browser.get(f"{w.url}/deals/{deal['id']}")
    assert by_id(browser, "new-quote-link").text == "+ Devis"
    navigate(browser, "new-contract-link")
    assert "Ce contrat est créé dans l'affaire Vente du studio" in by_id(browser, "quote-deal").text
    navigate(browser, "quote-submit")
    assert by_id(browser, "page-title").text.startswith("Contrat C-")
    in_deal = w.s.get(f"/api/v1/contracts?deal_id={deal['id']}", token=token).get_json()["items"]
    assert [(c["kind"], c["title"]) for c in in_deal] == [("contract", "Vente du studio")]
