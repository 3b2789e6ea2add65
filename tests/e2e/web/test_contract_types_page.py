"""Settings > Document templates: a license admin creates a contract type in the web app (no more curl), in
headless Chromium against the real services. On a fresh license the page says what to do next; the new type's
form (name, kind, language, abandon delay, attachments on the portal, merge fields as rows) says a bad merge
field key next to its input; the type created lands on its template editor, its details change there, it is
archived (asked once, with its name) and restored, and the quote editor offers it."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from tests.e2e.web.browsing import by_id, css, filled_buttons, page_text, text_of

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def quote_types(browser, w) -> list[str]:
    """The contract types the quote editor offers (its "Type de contrat" list, without its empty choice)."""
    browser.get(w.url + "/quotes/new")
    return [o.text for o in Select(by_id(browser, "field-contract_type_id")).options if o.get_attribute("value")]


def test_an_admin_creates_edits_and_archives_a_contract_type(web_system, staff, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    admin = staff.admin["access_token"]

    # a fresh license: no type, the page says what to do next; its one filled button is the header's
    sign_in(browser, staff.email["admin"], next_path="/settings/document-templates")
    assert "Aucun type de contrat pour l'instant." in by_id(browser, "settings-section").text
    assert by_id(browser, "new-contract-type").text == "+ Type de contrat"
    assert [a.text for a in css(browser, ".empty-state a.secondary")] == ["Créer un type de contrat"]
    assert filled_buttons(browser) == ["+ Type de contrat"]
    assert quote_types(browser, w) == []
    browser.get(w.url + "/settings/document-templates")
    screenshot(browser, "contract-types-empty")

    # the form: a quote type, with its language left to the license's and two merge fields, one key invalid
    by_id(browser, "new-contract-type").click()
    w.wait(lambda: css(browser, "#contract-type-form"), message="the new contract type's form")
    assert Select(by_id(browser, "field-locale")).first_selected_option.text == "Par défaut (Français)"
    assert "60 jours" in by_id(browser, "field-abandon_delay_days-hint").text
    by_id(browser, "kind-quote").click()
    by_id(browser, "field-name").send_keys("Mandat de vente")
    by_id(browser, "field-description").send_keys("Vente d'un bien immobilier")
    by_id(browser, "field-abandon_delay_days").send_keys("30")
    Select(by_id(browser, "field-attachments_portal_visible")).select_by_value("shown")
    by_id(browser, "field-merge_fields-0-key").send_keys("Bien vendu")
    by_id(browser, "field-merge_fields-0-label").send_keys("Bien vendu")
    by_id(browser, "field-merge_fields-0-required").click()
    by_id(browser, "field-merge_fields-1-key").send_keys("prix_net")
    by_id(browser, "field-merge_fields-1-label").send_keys("Prix net vendeur")
    Select(by_id(browser, "field-merge_fields-1-type")).select_by_value("number")
    assert filled_buttons(browser) == ["Créer le type de contrat"]
    by_id(browser, "create-contract-type").click()

    # refused: the error next to the first row's key, everything typed kept
    w.wait(lambda: css(browser, "#field-merge_fields-0-key-error"), message="the key's error next to it")
    assert by_id(browser, "field-merge_fields-0-key-error").text == \
        "Uniquement des lettres minuscules, des chiffres et _, par exemple prix_net."
    assert by_id(browser, "field-merge_fields-0-key").get_attribute("aria-invalid") == "true"
    assert by_id(browser, "field-merge_fields-0-key").get_attribute("value") == "Bien vendu"
    assert by_id(browser, "field-merge_fields-1-key").get_attribute("value") == "prix_net"
    assert by_id(browser, "field-name").get_attribute("value") == "Mandat de vente"
    assert by_id(browser, "kind-quote").is_selected()
    assert not css(browser, "#field-merge_fields-1-key-error")
    screenshot(browser, "contract-type-new-error")

    key = by_id(browser, "field-merge_fields-0-key")
    key.clear()
    key.send_keys("bien")
    by_id(browser, "create-contract-type").click()
    w.wait(lambda: css(browser, "#template-reference"), message="the new type's template editor")
    assert by_id(browser, "template-title").text == "Mandat de vente"
    assert "Le type de contrat Mandat de vente est créé." in page_text(browser)
    assert "{{ fields.bien }}" in by_id(browser, "template-merge-fields").text
    [created] = s.get("/api/v1/contract-types", token=admin).get_json()
    assert (created["kind"], created["locale"], created["abandon_delay_days"], created["attachments_portal_visible"]) == \
        ("quote", None, 30, True)
    assert [(f["key"], f["label"], f["type"], f["required"]) for f in created["merge_fields"]] == [
        ("bien", "Bien vendu", "text", True), ("prix_net", "Prix net vendeur", "number", False)]
    # the template's save stays the one filled button; the details' save is outlined
    assert filled_buttons(browser) == [by_id(browser, "save-template").text]

    # its details changed on its page: a new name, the language, the delay back to the license's
    by_id(browser, "type-details-toggle").click()
    assert by_id(browser, "field-merge_fields-1-key").get_attribute("value") == "prix_net"
    name = by_id(browser, "field-name")
    name.clear()
    name.send_keys("Mandat de vente exclusif")
    Select(by_id(browser, "field-locale")).select_by_value("en")
    by_id(browser, "field-abandon_delay_days").clear()
    by_id(browser, "save-type-details").click()
    w.wait(lambda: text_of(browser, "template-title") == "Mandat de vente exclusif", message="the details saved")
    assert "Les informations du type de contrat Mandat de vente exclusif sont enregistrées." in page_text(browser)
    saved = s.get(f"/api/v1/contract-types/{created['id']}", token=admin).get_json()
    assert (saved["name"], saved["locale"], saved["abandon_delay_days"], len(saved["merge_fields"])) == \
        ("Mandat de vente exclusif", "en", None, 2)
    by_id(browser, "type-details-toggle").click()
    screenshot(browser, "contract-type-edit")

    # in the list, and offered by the quote editor
    browser.get(w.url + "/settings/document-templates")
    assert "Mandat de vente exclusif" in by_id(browser, f"document-template-{created['id']}").text
    assert "Devis" in by_id(browser, f"document-template-{created['id']}").text
    assert "Vente d'un bien immobilier" in by_id(browser, f"document-template-{created['id']}").text
    assert filled_buttons(browser) == ["+ Type de contrat"]
    screenshot(browser, "contract-types-list")
    # the type's name is the row's one link, to its page (its template and its details), and opens it from the
    # keyboard
    [link] = css(browser, f"#document-template-{created['id']} a")
    assert link.text == "Mandat de vente exclusif"
    assert link.get_attribute("href").endswith(f"/settings/document-templates/{created['id']}")
    link.send_keys(Keys.ENTER)
    w.wait(lambda: text_of(browser, "template-title") == "Mandat de vente exclusif", message="the type's page")
    assert quote_types(browser, w) == ["Mandat de vente exclusif"]

    # archived, asked once with its name: no longer offered; restored: offered again
    browser.get(w.url + f"/settings/document-templates/{created['id']}")
    by_id(browser, "archive-type-ask").click()
    assert "Mandat de vente exclusif" in by_id(browser, "archive-type").find_element("xpath", "..").text
    screenshot(browser, "contract-type-archive-question")
    by_id(browser, "archive-type").click()
    w.wait(lambda: css(browser, "#type-archived"), message="the type archived")
    assert "est archivé" in page_text(browser)
    assert s.get(f"/api/v1/contract-types/{created['id']}", token=admin).get_json()["archived"] is True
    screenshot(browser, "contract-type-archived")
    assert quote_types(browser, w) == []
    browser.get(w.url + "/settings/document-templates")
    assert "archivé" in by_id(browser, f"document-template-{created['id']}").text

    browser.get(w.url + f"/settings/document-templates/{created['id']}")
    by_id(browser, "restore-type").click()
    w.wait(lambda: css(browser, "#archive-type-ask"), message="the type restored")
    assert s.get(f"/api/v1/contract-types/{created['id']}", token=admin).get_json()["archived"] is False
    assert quote_types(browser, w) == ["Mandat de vente exclusif"]


def test_an_admin_sets_a_contract_types_perimeters_on_its_page(web_system, staff, browser, sign_in, screenshot):
    """SELL&SIGN: a contract type in no perimeter is offered to every user; its page says which perimeters it is
    in and changes them (the customer file's checklist): in Sud, a Nord salesperson's quote editor no longer
    offers it."""
    from .test_admin_area import navigate, switch_user
    w, s = web_system, web_system.s
    A = staff.admin["access_token"]
    nord, sud = (s.post("/api/v1/perimeters", json={"name": n}, token=A).get_json()["id"] for n in ("Nord", "Sud"))
    seller = s.add_user(staff.admin, "dupont@acme.test", name="Jean Dupont")
    s.put(f"/api/v1/users/{seller['user']['user_id']}/perimeters", json={"perimeter_ids": [nord]}, token=A)
    r = s.post("/api/v1/contract-types", json={"name": "Mandat piscine", "kind": "quote"}, token=A)
    assert r.status_code == 201, r.get_json()
    type_id = r.get_json()["id"]

    sign_in(browser, staff.email["admin"], next_path=f"/settings/document-templates/{type_id}")
    assert text_of(browser, "type-perimeters-said") == "aucun : ce type est proposé à tous les utilisateurs"
    by_id(browser, "type-perimeters-toggle").click()
    assert not by_id(browser, f"perimeter_ids-{nord}").is_selected()
    by_id(browser, f"perimeter_ids-{sud}").click()
    navigate(browser, "type-perimeters-submit")
    assert by_id(browser, "type-perimeters-saved").text == "Les périmètres du type de contrat sont enregistrés."
    assert by_id(browser, f"perimeter_ids-{sud}").is_selected()  # the section open on what was saved
    assert text_of(browser, "type-perimeters-said") == "Sud"
    assert s.get(f"/api/v1/contract-types/{type_id}", token=A).get_json()["perimeter_ids"] == [sud]
    assert filled_buttons(browser) == [by_id(browser, "save-template").text]  # the perimeters' save is outlined
    screenshot(browser, "contract-type-perimeters")

    switch_user(browser, sign_in, "dupont@acme.test")
    assert quote_types(browser, w) == []

    # back in no perimeter (none ticked): every user is offered it again
    switch_user(browser, sign_in, staff.email["admin"])
    browser.get(w.url + f"/settings/document-templates/{type_id}")
    by_id(browser, "type-perimeters-toggle").click()
    by_id(browser, f"perimeter_ids-{sud}").click()
    navigate(browser, "type-perimeters-submit")
    assert s.get(f"/api/v1/contract-types/{type_id}", token=A).get_json()["perimeter_ids"] == []
    switch_user(browser, sign_in, "dupont@acme.test")
    assert quote_types(browser, w) == ["Mandat piscine"]
