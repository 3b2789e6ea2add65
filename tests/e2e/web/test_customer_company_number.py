"""A customer's company number on the staff app, driven in headless Chromium against the real services: typed on the
customer form with its spaces, a wrong French SIREN refused next to the field in French, kept without its spaces
once right, shown again on the customer's file, in its history and in the customers' CSV."""
from __future__ import annotations

import pytest
import requests

from tests.e2e.web.browsing import fill, ok

from .test_admin_area import by_id, css, h1, navigate, notice

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def test_a_customers_company_number_is_checked_next_to_its_field_and_kept(web_system, staff, browser, sign_in,
                                                                          screenshot):
    w, s = web_system, web_system.s
    T = staff.sales["access_token"]
    sign_in(browser, staff.email["sales"], next_path="/customers/new")

    # a SIREN whose check digit is wrong: the form comes back, the refusal next to the field, in French
    fill(browser, {"field-name": "Boulangerie Durand", "field-registration_number": "732 829 321",
                   "field-city": "Lille", "field-postal_code": "59000"})
    navigate(browser, "customer-submit")
    w.wait(lambda: css(browser, "#field-registration_number-error"), message="the refusal next to the number")
    assert by_id(browser, "field-registration_number-error").text == "La clé de contrôle de ce SIREN est fausse."
    assert by_id(browser, "field-registration_number").get_attribute("value") == "732 829 321"  # as typed
    screenshot(browser, "customer-company-number-refused")

    # right: saved without its spaces, shown on the file
    field = by_id(browser, "field-registration_number")
    field.clear(), field.send_keys("732 829 320")
    navigate(browser, "customer-submit")
    assert h1(browser) == "Boulangerie Durand"
    customer_id = browser.current_url.split("/customers/")[1].split("?")[0]
    assert ok(s.get(f"/api/v1/customers/{customer_id}", token=T))["registration_number"] == "732829320"
    assert by_id(browser, "field-registration_number").get_attribute("value") == "732829320"
    screenshot(browser, "customer-company-number-saved")

    # changed to its SIRET: the history names the field
    field = by_id(browser, "field-registration_number")
    field.clear(), field.send_keys("73282932000074")
    navigate(browser, "customer-submit")
    assert "enregistré" in notice(browser)
    navigate(browser, "tab-history")
    change = css(browser, "#customer-history li[data-field='registration_number']")[0].text
    assert "Numéro d'entreprise" in change and "73282932000074" in change

    # the customers' CSV has the column
    export = requests.get(w.url + "/customers.csv", timeout=10,
                          cookies={c["name"]: c["value"] for c in browser.get_cookies()})
    lines = export.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[header.index("N° de TVA") + 1] == "Numéro d'entreprise", header
    row = next(line for line in lines[1:] if line.startswith("Boulangerie Durand;")).split(";")
    assert row[header.index("Numéro d'entreprise")] == "73282932000074"
