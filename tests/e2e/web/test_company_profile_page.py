"""Settings > Company profile driven as a license admin would, in headless Chromium against the real
services (issue 15): the API's refusal of a wrong SIREN said next to the field with what was typed kept,
the profile saved, a logo chosen (previewed before it is sent), uploaded and shown, a file that is not an
image refused next to the file field, the logo removed (asked once) — and the quote's PDF naming the
company. Never saved, the profile shows the license's name, the one the PDFs name until then."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.e2e.web.browsing import by_id, css

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def type_into(browser, field_id: str, text: str):
    field = by_id(browser, field_id)
    field.clear()
    field.send_keys(text)


def logo_png(path):
    """A 240x80 blue and white PNG, like a small logo."""
    from PIL import Image, ImageDraw
    image = Image.new("RGB", (240, 80), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 80, 80), fill=(47, 128, 237))
    draw.text((95, 30), "DUPONT", fill=(31, 41, 51))
    image.save(path, "PNG")
    return path


def test_company_profile_page(web_system, staff, browser, sign_in, screenshot, tmp_path):
    w, s = web_system, web_system.s
    token = staff.admin["access_token"]
    sign_in(browser, staff.email["admin"], next_path="/settings/company-profile")
    assert css(browser, "a[aria-current=page][href='/settings/company-profile']")[0].text == "Profil de l'entreprise"
    assert css(browser, "#logo .empty-state")
    # never saved: the company is named as the license, as the PDFs name it, and the page says where it comes from
    assert by_id(browser, "field-name").get_attribute("value") == "ACME Paris"
    assert by_id(browser, "field-name-hint").text == "Le nom de votre licence, tant que vous n'en enregistrez pas un autre."
    # a row's inputs level, whatever their labels' lines ("N° TVA intracommunautaire" takes two) and hints
    rows = (("field-legal_form", "field-share_capital", "field-rcs_city"),
            ("field-siren", "field-siret", "field-vat_number"), ("field-phone", "field-email", "field-website"))
    for row in rows:
        assert len({by_id(browser, field_id).location["y"] for field_id in row}) == 1, row
    screenshot(browser, "settings-company-profile-default")

    type_into(browser, "field-name", "Atelier Dupont")
    type_into(browser, "field-address-line1", "12 rue des Lilas")
    type_into(browser, "field-address-postal_code", "69003")
    type_into(browser, "field-address-city", "Lyon")
    from selenium.webdriver.support.ui import Select
    Select(by_id(browser, "field-address-country")).select_by_visible_text("France")  # stored as FR
    type_into(browser, "field-legal_form", "SAS")
    type_into(browser, "field-share_capital", "10 000,50 €")  # as a French admin types it, currency and all
    type_into(browser, "field-rcs_city", "Lyon")
    type_into(browser, "field-siren", "732 829 321")  # a wrong check digit
    type_into(browser, "field-vat_number", "FR44732829320")
    type_into(browser, "field-email", "contact@dupont.test")
    type_into(browser, "field-website", "dupont")  # not an address
    by_id(browser, "save-company-profile").click()
    w.wait(lambda: css(browser, "#field-siren-error"), message="the SIREN's error next to it")
    assert by_id(browser, "field-siren-error").text == "La clé de contrôle de ce SIREN est fausse."  # translated
    # said with the website's error, not once the website is right (the identifiers were checked only then)
    assert by_id(browser, "field-website-error").text == "URL non valide."
    assert by_id(browser, "field-siren").get_attribute("aria-invalid") == "true"
    assert by_id(browser, "field-name").get_attribute("value") == "Atelier Dupont"  # what was typed is kept
    assert len({by_id(browser, field_id).location["y"] for field_id in rows[1]}) == 1  # an error under one
    screenshot(browser, "settings-company-profile-error")

    type_into(browser, "field-siren", "732 829 320")
    type_into(browser, "field-website", "https://dupont.test")
    by_id(browser, "save-company-profile").click()
    w.wait(lambda: css(browser, "p.notice.success"), message="profile saved")
    saved = s.get("/api/v1/company-profile", token=token).get_json()
    assert (saved["name"], saved["siren"], saved["address"]["city"]) == ("Atelier Dupont", "732829320", "Lyon")
    assert saved["share_capital"] == "10000.50"
    assert by_id(browser, "field-siren").get_attribute("value") == "732829320"
    # as a French admin writes it (not the API's "10000.50"), its thousands apart
    assert by_id(browser, "field-share_capital").get_attribute("value") == "10\u202f000,50"
    assert not css(browser, "#field-name-hint")  # saved: the name is the profile's own

    # not an image: refused next to the file field
    not_image = tmp_path / "logo.png"
    not_image.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    by_id(browser, "field-logo").send_keys(str(not_image))
    by_id(browser, "upload-logo").click()
    w.wait(lambda: css(browser, "#field-logo-error"), message="the logo's error next to the file field")
    # what to choose, not the file's media type ("image/png") the API names
    assert by_id(browser, "field-logo-error").text == "Choisissez une image PNG ou JPEG."

    # a real logo: previewed once chosen, then uploaded and shown
    by_id(browser, "field-logo").send_keys(str(logo_png(tmp_path / "dupont.png")))
    w.wait(lambda: by_id(browser, "logo-new-preview-box").is_displayed(), message="the chosen logo previewed")
    assert by_id(browser, "logo-new-preview").get_attribute("src").startswith("data:image/png")
    assert not by_id(browser, "field-logo-error").is_displayed(), "the refused file's error left after a new choice"
    screenshot(browser, "settings-company-profile-preview")
    by_id(browser, "upload-logo").click()
    w.wait(lambda: css(browser, "#current-logo"), message="logo uploaded")
    w.wait(lambda: browser.execute_script("return document.getElementById('current-logo').naturalWidth") == 240,
           message="the logo displayed")
    screenshot(browser, "settings-company-profile")

    # the quote's PDF names the company
    sales = staff.sales["access_token"]
    customer = s.post("/api/v1/customers", token=sales, json={"name": "Client Martin"}).get_json()
    quote = s.post("/api/v1/quotes", token=sales, json={"title": "Atelier", "customer_id": customer["id"], "lines": [
        {"description": "Pose", "quantity": "2.5", "unit": "h", "unit_price": "100.00", "tax_rate": "20"}]}).get_json()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        s.get(f"/api/v1/contracts/{quote['id']}/pdf", token=sales).data)).pages)
    assert "Atelier Dupont" in text and "69003 Lyon" in text and "2,5 h" in text

    # removed, asked once
    by_id(browser, "delete-logo-ask").click()
    by_id(browser, "delete-logo").click()
    w.wait(lambda: css(browser, "#logo .empty-state"), message="logo removed")
    assert s.get("/api/v1/company-profile", token=token).get_json()["logo"] is None
