"""Settings > Document templates with the license's custom columns, in headless Chromium against the real services:
a ``{{ custom.<key> }}`` no column of the license has is refused next to the template, in French, naming the key and
the keys there are, what was typed kept (a column's key saves: tests/e2e/test_contract_templates.py)."""
from __future__ import annotations

import pytest

from tests.e2e.web.browsing import by_id, css

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def test_a_custom_column_key_no_column_has_is_said_with_the_keys_there_are(web_system, staff, browser, sign_in,
                                                                           screenshot):
    w, s = web_system, web_system.s
    admin = staff.admin["access_token"]
    for column in ({"key": "region", "label": "Région", "type": "choice", "choices": ["Nord", "Sud"]},
                   {"key": "budget_travaux", "label": "Budget des travaux", "type": "number"}):
        r = s.post("/api/v1/settings/columns", token=admin, json=column)
        assert r.status_code == 201, r.get_json()
    r = s.post("/api/v1/contract-types", token=admin, json={"name": "Mandat de vente", "kind": "quote"})
    assert r.status_code == 201, r.get_json()
    type_id = r.get_json()["id"]

    sign_in(browser, staff.email["admin"], next_path=f"/settings/document-templates/{type_id}")
    w.wait(lambda: css(browser, "#field-template_html"), message="the template editor")
    typo = "<h1>{{ contract.number }}</h1>\n<p>Région : {{ custom.regoin }}</p>"
    editor = by_id(browser, "field-template_html")
    editor.send_keys(typo)
    by_id(browser, "save-template").click()
    w.wait(lambda: css(browser, "#field-template_html-error"), message="the template's error next to it")
    assert by_id(browser, "field-template_html-error").text == (
        "ligne 2 : « custom.regoin » n'est pas défini : aucune colonne personnalisée n'a la clé « regoin » "
        "(clés existantes : budget_travaux, region)")
    assert by_id(browser, "field-template_html").get_attribute("aria-invalid") == "true"
    assert by_id(browser, "field-template_html").get_attribute("value") == typo
    assert s.get(f"/api/v1/contract-types/{type_id}", token=admin).get_json()["template_html"] == ""
    screenshot(browser, "document-template-unknown-custom-column")

