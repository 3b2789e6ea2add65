"""Settings > Document templates driven as a license admin would, in headless Chromium against the real
services (issue 15): a contract type's template edited beside the reference panel of every variable (from
the API, in French) and the type's merge fields; a misspelt variable refused with its line and name shown
next to the template, what was typed kept; a correct template saved; the template as typed previewed as a PDF
on sample data in a new tab (nothing saved), a broken one said next to it there as saving says it."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
import requests
from pypdf import PdfReader

from tests.e2e.web.browsing import by_id, css, filled_buttons, ok

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


def test_the_template_as_typed_previews_as_a_pdf_in_a_new_tab(web_system, staff, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    admin = staff.admin["access_token"]
    ctype = ok(s.post("/api/v1/contract-types", token=admin, json={
        "name": "Mandat de vente", "kind": "quote", "template_html": "<p>{{ customer.name }}</p>",
        "merge_fields": [{"key": "bien", "label": "Bien vendu"}]}), 201)
    sign_in(browser, staff.email["admin"], next_path=f"/settings/document-templates/{ctype['id']}")
    editor_tab = browser.current_window_handle

    # beside the save (the page's one filled button), outlined, saying what it does
    preview = by_id(browser, "preview-template")
    assert preview.text == "Prévisualiser le PDF" and preview.get_attribute("formtarget") == "_blank"
    assert filled_buttons(browser) == ["Enregistrer le modèle"]
    assert "nouvel onglet" in by_id(browser, "preview-template-hint").text
    typed = "<h1>Aperçu {{ contract.number }}</h1>\n<p>{{ fields.bien }} pour {{ customer.name }}</p>"
    editor = by_id(browser, "field-template_html")
    editor.clear()
    editor.send_keys(typed)
    screenshot(browser, "document-template-preview-button")

    # a new tab with the PDF of the template as typed, on sample data; the editor stays, nothing is saved
    preview.click()
    w.wait(lambda: len(browser.window_handles) == 2, message="the preview's tab")
    browser.switch_to.window(next(h for h in browser.window_handles if h != editor_tab))
    w.wait(lambda: browser.current_url.endswith(f"/settings/document-templates/{ctype['id']}/preview"),
           message="the preview loaded")
    assert browser.execute_script("return document.contentType") == "application/pdf"  # Chromium's PDF viewer
    screenshot(browser, "document-template-preview-pdf", wide_ok=True)  # headless: the viewer without its pages
    # the PDF itself, as the button posted it (the form's fields), through the same session
    browser.switch_to.window(editor_tab)
    sent = dict(browser.execute_script("return Array.from(new FormData(arguments[0].form).entries())", preview))
    assert sent["template_html"] == typed
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    r = requests.post(preview.get_attribute("formAction"), data=sent, cookies=cookies, timeout=60)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("inline;")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages).replace("\xa0", " ")
    assert f"Aperçu Q-{datetime.now(timezone.utc).year}-00001" in text
    assert "Bien vendu pour Boulangerie Martin SARL" in text
    assert s.get(f"/api/v1/contract-types/{ctype['id']}", token=admin).get_json()["template_html"] == \
        "<p>{{ customer.name }}</p>"

    # a template the API refuses: the tab opened shows the editor with the error next to the template, as saving
    # does, what was typed kept
    broken = "<h1>{{ contract.number }}</h1>\n<p>{{ customer.nmae }}</p>"
    editor = by_id(browser, "field-template_html")
    editor.clear()
    editor.send_keys(broken)
    opened = set(browser.window_handles)
    by_id(browser, "preview-template").click()
    w.wait(lambda: len(browser.window_handles) == 3, message="the second preview's tab")
    browser.switch_to.window((set(browser.window_handles) - opened).pop())
    w.wait(lambda: css(browser, "#field-template_html-error"), message="the template's error next to it")
    assert by_id(browser, "field-template_html-error").text == "ligne 2 : « customer.nmae » n'est pas défini"
    assert by_id(browser, "field-template_html").get_attribute("aria-invalid") == "true"
    assert by_id(browser, "field-template_html").get_attribute("value") == broken
    screenshot(browser, "document-template-preview-error")
