"""In a browser, on French pages: a number column's filter takes the number as French writes it (and says next to
its field when what was typed is not one), the CSV export writes yes/no as words and numbers as a French
spreadsheet reads them, and a user deactivated since is marked in the owner filter, never offered to be given a
document or a task, but kept (marked) as the owner of what they had."""
from __future__ import annotations

import csv
import io

import pytest
import requests
from selenium.webdriver.support.ui import Select

from tests.e2e.web.browsing import by_id, ok, on_a_phone

pytestmark = pytest.mark.integration


def numbers(browser) -> list[str]:
    return [row.get_attribute("data-number") for row in browser.find_elements("css selector", "#documents tbody tr")]


def option_texts(browser, select_id: str) -> list[str]:
    return [o.text for o in Select(by_id(browser, select_id)).options]


@pytest.fixture
def jeans_quotes(web_system, staff):
    """A number and a yes/no column; Jean Dupont's quote (1234.50 m², paper signed), deactivated since, and another
    quote (12 m², not signed)."""
    s, admin = web_system.s, staff.admin["access_token"]
    jean = s.add_user(staff.admin, "jean@acme.test", name="Jean Dupont")["user"]["user_id"]
    ok(s.post("/api/v1/settings/columns", token=admin, json={"key": "surface", "label": "Surface (m²)",
                                                             "type": "number"}))
    ok(s.post("/api/v1/settings/columns", token=admin, json={"key": "signed_paper", "label": "Papier signé",
                                                             "type": "boolean", "position": 1}))
    customer = ok(s.post("/api/v1/customers", token=admin, json={"name": "Boulangerie Martin", "kind": "company"}))
    workshop = ok(s.post("/api/v1/quotes", token=admin, json={
        "title": "Atelier", "customer_id": customer["id"], "owner_id": jean,
        "custom": {"surface": "1234.50", "signed_paper": True},
        "lines": [{"description": "Four", "quantity": "1", "unit_price": "9000.5", "tax_rate": "20"}]}))
    small = ok(s.post("/api/v1/quotes", token=admin, json={
        "title": "Cabine", "customer_id": customer["id"], "custom": {"surface": "12", "signed_paper": False}}))
    ok(s.post(f"/api/v1/users/{jean}/deactivate", token=admin), 200)
    return {"workshop": workshop, "small": small, "jean": jean}


def test_a_number_filter_in_french_the_csv_in_french_and_a_deactivated_owner_marked(
        web_system, staff, jeans_quotes, browser, sign_in, screenshot):
    w, d = web_system, jeans_quotes
    sign_in(browser, staff.email["admin"])

    # the owner filter keeps Jean (his quotes stay findable), marked
    browser.get(w.url + "/quotes")
    assert "Jean Dupont (désactivé)" in option_texts(browser, "filter-owner")
    assert "Paul Martin" in option_texts(browser, "filter-owner")
    Select(by_id(browser, "filter-owner")).select_by_visible_text("Jean Dupont (désactivé)")
    by_id(browser, "filter-submit").click()
    w.wait(lambda: "owner=" in browser.current_url, message="filtered by owner")
    assert numbers(browser) == [d["workshop"]["number"]]
    assert Select(by_id(browser, "filter-owner")).first_selected_option.text == "Jean Dupont (désactivé)"

    # "1 234,5" as French writes it finds the 1234.50 stored
    browser.get(w.url + "/quotes")
    Select(by_id(browser, "filter-column")).select_by_visible_text("Surface (m²)")
    by_id(browser, "filter-value-surface").send_keys("1 234,5")
    by_id(browser, "filter-submit").click()
    w.wait(lambda: "column=surface" in browser.current_url, message="filtered by the number column")
    assert numbers(browser) == [d["workshop"]["number"]]
    assert by_id(browser, "filter-value-surface").get_attribute("value") == "1 234,5"  # as typed
    screenshot(browser, "quotes-number-filter")

    # not a number: said next to its field, the list not filtered by it
    field = by_id(browser, "filter-value-surface")
    field.clear()
    field.send_keys("douze")
    by_id(browser, "filter-submit").click()
    w.wait(lambda: "value=douze" in browser.current_url, message="the page of a value that is not a number")
    error = by_id(browser, "filter-value-surface-error")
    assert error.text.replace("\u202f", " ").replace("\u00a0", " ") == (
        "Saisissez un nombre, par exemple 1 234,5 : la liste n'est pas filtrée par cette valeur.")
    assert by_id(browser, "filter-value-surface").get_attribute("aria-invalid") == "true"
    assert set(numbers(browser)) == {d["workshop"]["number"], d["small"]["number"]}
    with on_a_phone(browser):  # the filters a phone folds stay open on it, to be corrected
        browser.refresh()
        assert by_id(browser, "filter-value-surface-error").is_displayed()
        assert by_id(browser, "list-filters-more").get_attribute("aria-expanded") == "true"
    screenshot(browser, "quotes-number-filter-error")

    # the CSV: yes/no as French words, numbers as a French spreadsheet reads them
    browser.get(w.url + "/quotes?sort=number")
    export = requests.get(w.url + "/quotes.csv?sort=number", timeout=10,
                          cookies={c["name"]: c["value"] for c in browser.get_cookies()})
    assert export.status_code == 200
    assert export.content.startswith(b"\xef\xbb\xbf")  # UTF-8, for Excel; its cells split by ";" for French Excel
    header, *rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    by_number = {row[0]: dict(zip(header, row)) for row in rows}
    workshop, small = by_number[d["workshop"]["number"]], by_number[d["small"]["number"]]
    assert (workshop["Papier signé"], small["Papier signé"]) == ("Oui", "Non")
    assert (workshop["Surface (m²)"], workshop["Total HT"], workshop["Total TTC"]) == ("1234,50", "9000,50",
                                                                                        "10800,60")
    assert workshop["Responsable"] == "Jean Dupont"
    assert len(workshop["Créé"]) == len("2026-12-04 23:50") and workshop["Créé"][4] == "-"

    # his quote's page: he stays its owner, marked, and nobody is offered him
    browser.get(f"{w.url}/contracts/{d['workshop']['id']}")
    by_id(browser, "edit-details").click()
    owner = Select(by_id(browser, "field-owner_id"))
    assert owner.first_selected_option.text == "Jean Dupont (désactivé)"
    assert [text for text in option_texts(browser, "field-owner_id") if "Jean" in text] == ["Jean Dupont (désactivé)"]
    assert "Paul Martin" in option_texts(browser, "field-owner_id")
    assert "Jean Dupont" not in " ".join(option_texts(browser, "task-assignee"))  # a task goes to active staff
    screenshot(browser, "contract-deactivated-owner")
    # saving the other details keeps him (no change of owner)
    browser.find_element("css selector", "#details-form button[type=submit]").click()
    w.wait(lambda: "Les informations sont enregistrées." in browser.page_source, message="the details saved")
    assert by_id(browser, "contract-owner").text == "Jean Dupont"

    # another quote's owner picker does not offer him
    browser.get(f"{w.url}/contracts/{d['small']['id']}")
    by_id(browser, "edit-details").click()
    assert not [text for text in option_texts(browser, "field-owner_id") if "Jean" in text]
