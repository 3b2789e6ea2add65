"""Files to attach on the public signing page /sign/<token> (issue 15), in a real headless Chromium against the
real services: the signer is stopped by the required "Pièce d'identité", is told a text file is not accepted,
attaches a PNG (uploaded as soon as it is chosen), then signs; the staff download the exact file.

Here rather than next to tests/e2e/test_signer_attachments.py for the ``screenshot`` fixture (conftest.py)."""
import base64
import hashlib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from paraph_gateway.api.signing_pages import TEXT
from paraph_platform.dates import first_of_month
from signing_service import testing as esign

from tests.e2e.web.browsing import by_id, css, on_a_phone, ok, sign_with_the_emailed_code

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

PNG = base64.b64decode(esign.signature_png(120, 80).split(",", 1)[1])


@pytest.fixture
def world(seller):
    s, admin, contact = seller.s, seller.admin, seller.contact
    quote = ok(s.post("/api/v1/quotes", token=admin, json={
        "title": "Location", "contact_id": contact["id"],
        "lines": [{"description": "Location", "quantity": "1", "unit_price": "990.00"}]}))
    return {"s": s, "admin": admin, "contact": contact, "quote": quote}


def test_a_signer_attaches_a_png_then_signs(world, browser, screenshot, tmp_path):
    s, admin = world["s"], world["admin"]
    live = s.serve()
    req = ok(s.post(f"/api/v1/contracts/{world['quote']['id']}/signature-requests", token=admin, json={
        "signers": [{"contact_id": world["contact"]["id"]}],
        "attachments_requested": [{"signer": 1, "name": "Pièce d'identité", "required": True}]}), 201)
    token = esign.token(s, "jeanne@client.test")

    # the signer's device is in Paris: the link's expiry is shown in Paris time, not in UTC
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Paris"})
    browser.get(f"{live}/sign/{token}")
    block = by_id(browser, "attachments")
    assert "Documents à joindre" in block.text and "Pièce d'identité" in block.text and "à joindre" in block.text
    # no Content-Security-Policy violation, no script error, no 404 (the page's icon is a data: URI, no /favicon.ico)
    assert browser.get_log("browser") == []
    assert css(browser, "link[rel=icon]")[0].get_attribute("href").startswith("data:image/svg+xml,")
    # the file is chosen with a button of the page, in the page's language, not the browser's own control
    choose = by_id(browser, "attachment-1-choose")
    assert choose.text == "Choisir un fichier" and choose.tag_name == "label"
    assert choose.get_attribute("for") == "attachment-1-input"
    file_input = browser.find_element("id", "attachment-1-input")
    assert file_input.size["width"] <= 1 and file_input.size["height"] <= 1  # seen only through its label
    # a phone offers its camera and its photos (JPEG), without being limited to a new photo
    assert "image/jpeg" in file_input.get_attribute("accept") and file_input.get_attribute("capture") is None
    with on_a_phone(browser):  # the "à joindre" badge on the name's line, the button's text on one line
        name, badge = by_id(browser, "attachment-1-name"), block.find_element("css selector", "[data-attachment-state]")
        assert abs(badge.location["y"] - name.location["y"]) < name.size["height"]
        assert choose.size["height"] < 2 * name.size["height"]
    # keyboard focus on the (hidden) input shows on its button
    browser.execute_script("arguments[0].focus()", file_input)
    assert browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", choose) == "solid"
    # the consent sentence reads on, the document's fingerprint on a small line of its own under it
    consent = browser.find_element("css selector", ".consent label")
    fingerprint = consent.find_element("css selector", ".mono")
    assert fingerprint.text == f"Empreinte SHA-256 du document : {req['document']['sha256']}"
    sentence = consent.text.replace(fingerprint.text, "").strip()
    assert req["document"]["sha256"] not in sentence and "et j'accepte de le signer" in sentence
    assert fingerprint.location["y"] >= consent.location["y"] + 20  # under the sentence, not inside it
    # the link's expiry in the signer's time zone, named, in the page's language
    expires = by_id(browser, "expires")
    moment = expires.find_element("css selector", "time").get_attribute("datetime")
    local = datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/Paris"))
    offset = int(local.utcoffset().total_seconds() // 3600)
    day = first_of_month(f"{local.day} {TEXT['fr']['months'][local.month - 1]} {local.year}", "fr")
    assert expires.text == f"Lien valable jusqu'au {day}, {local:%H:%M} UTC+{offset}"
    # "Sign" and the refusal apart: the refusal a link under a rule, well below the button
    go, decline = by_id(browser, "go"), by_id(browser, "decline")
    assert decline.text == "Je refuse de signer" and "button" not in decline.get_attribute("class").split()
    assert decline.location["y"] >= go.location["y"] + go.size["height"] + 24
    screenshot(browser, "sign-page-attachments")

    # signing without the file: the message sits next to the input, nothing is sent
    browser.find_element("id", "consent").click()
    browser.find_element("id", "go").click()
    assert browser.find_element("id", "attachment-1-err").text == "Joignez ce document pour signer."

    # a text file is refused in the page; a PNG is uploaded as soon as it is chosen
    text_file, png_file = tmp_path / "notes.txt", tmp_path / "carte-identite.png"
    text_file.write_text("hello")
    png_file.write_bytes(PNG)
    file_input.send_keys(str(text_file))
    assert "PNG, JPEG ou PDF" in browser.find_element("id", "attachment-1-err").text
    assert by_id(browser, "attachment-1-chosen").text == ""  # the refused file is not shown as the one attached
    file_input.send_keys(str(png_file))
    s.wait_for(lambda: "joint" in by_id(browser, "attachment-1").find_element(
        "css selector", "[data-attachment-state]").text, timeout=20, message="the upload")
    assert browser.find_element("id", "attachment-1-err").text == ""
    state = browser.find_element("css selector", "#attachment-1 [data-attachment-state]").get_attribute("textContent")
    assert state == "\u2713 joint"
    # the file's name next to the button, its size in French units ("ko", not "kB"), a non-breaking space before
    # the unit
    chosen = by_id(browser, "attachment-1-chosen")
    assert re.fullmatch("carte-identite\\.png \\(\\d+\u00a0ko\\)", chosen.get_attribute("textContent"))
    assert abs(chosen.location["y"] - by_id(browser, "attachment-1-choose").location["y"]) < 20
    screenshot(browser, "sign-page-attachments-uploaded")

    sign_with_the_emailed_code(browser, s, "jeanne@client.test")
    screenshot(browser, "sign-page-attachments-signed")

    detail = ok(s.get(f"/api/v1/signature-requests/{req['id']}", token=admin))
    attachment, = detail["attachments"]
    assert attachment["uploaded"] and attachment["sha256"] == hashlib.sha256(PNG).hexdigest()
    r = s.get(f"/api/v1/signature-requests/{req['id']}/attachments/{attachment['id']}", token=admin)
    assert r.status_code == 200 and r.data == PNG
