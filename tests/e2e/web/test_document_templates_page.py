"""Settings > Document templates driven as a license admin would, in headless Chromium against the real
services (issue 15): a contract type's template edited beside the reference panel of every variable (from
the API, in French) and the type's merge fields; a misspelt variable refused with its line and name shown
next to the template, what was typed kept; a correct template saved."""
from __future__ import annotations

import pytest

from tests.e2e.web.browsing import by_id, css

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def test_template_editor_with_its_variables_reference(web_system, staff, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    admin = staff.admin["access_token"]
    r = s.post("/api/v1/contract-types", token=admin, json={
        "name": "Mandat de vente", "kind": "contract",
        "merge_fields": [{"key": "bien", "label": "Bien vendu", "type": "text", "required": True}]})
    assert r.status_code == 201, r.get_json()
    ctype = r.get_json()

    sign_in(browser, staff.email["admin"], next_path="/settings/document-templates")
    assert css(browser, "a[aria-current=page][href='/settings/document-templates']")[0].text == "Types de contrat et modèles"
    css(browser, f"#document-template-{ctype['id']} a")[0].click()
    w.wait(lambda: css(browser, "#template-reference"), message="the template editor")
    assert by_id(browser, "template-title").text == "Mandat de vente"

    # the reference panel: every variable with its type, an example, a French description; the type's fields
    reference = by_id(browser, "template-variables").text
    for words in ("customer.name", "Nom du client", "Boulangerie Martin", "lines[].amount", "totals.total",
                  "issuer.legal", "montant"):
        assert words in reference, words
    assert "{{ fields.bien }}" in by_id(browser, "template-merge-fields").text
    assert "obligatoire" in by_id(browser, "template-merge-fields").text

    # a type without a template of its own: its author starts from the one the PDFs use now, not from nothing
    assert by_id(browser, "field-template_html").get_attribute("value") == ""
    by_id(browser, "start-from-default").click()
    w.wait(lambda: "contract.number" in by_id(browser, "field-template_html").get_attribute("value"),
           message="Paraph's template in the editor")
    assert not css(browser, "#start-from-default")

    # a misspelt variable on line 3: refused, said next to the template, the text kept as typed
    broken = "<h1>{{ contract.number }}</h1>\n<p>{{ fields.bien }}</p>\n<p>{{ customer.nmae }}</p>"
    editor = by_id(browser, "field-template_html")
    editor.clear()
    editor.send_keys(broken)
    by_id(browser, "save-template").click()
    w.wait(lambda: css(browser, "#field-template_html-error"), message="the template's error next to it")
    assert by_id(browser, "field-template_html-error").text == "ligne 3 : « customer.nmae » n'est pas défini"
    assert by_id(browser, "field-template_html").get_attribute("aria-invalid") == "true"
    assert by_id(browser, "field-template_html").get_attribute("value") == broken
    screenshot(browser, "document-template-editor-error")

    # corrected: saved, and the API has it
    editor = by_id(browser, "field-template_html")
    editor.clear()
    editor.send_keys(broken.replace("nmae", "name"))
    by_id(browser, "save-template").click()
    w.wait(lambda: css(browser, ".notice") and not css(browser, "#field-template_html-error"),
           message="the template saved")
    assert s.get(f"/api/v1/contract-types/{ctype['id']}", token=admin).get_json()["template_html"] == \
        broken.replace("nmae", "name")
    screenshot(browser, "document-template-editor")
