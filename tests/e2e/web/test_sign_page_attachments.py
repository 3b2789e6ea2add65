"""Files to attach on the public signing page /sign/<token> (issue 15), in a real headless Chromium against the
real services: the signer is stopped by the required "Pièce d'identité", is told a text file is not accepted,
attaches a PNG (uploaded as soon as it is chosen), then signs; the staff download the exact file.

Here rather than next to tests/e2e/test_signer_attachments.py for the ``screenshot`` fixture (conftest.py)."""
import base64
import hashlib
import re

import pytest
from signing_service import testing as esign

from tests.e2e.web.browsing import by_id, ok, sign_with_the_emailed_code

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

    browser.get(f"{live}/sign/{token}")
    block = by_id(browser, "attachments")
    assert "Documents à joindre" in block.text and "Pièce d'identité" in block.text and "à joindre" in block.text
    # no Content-Security-Policy violation, no script error (a missing favicon is only a network error)
    assert [e for e in browser.get_log("browser") if e["source"] != "network"] == []
    screenshot(browser, "sign-page-attachments")

    # signing without the file: the message sits next to the input, nothing is sent
    browser.find_element("id", "consent").click()
    browser.find_element("id", "go").click()
    assert browser.find_element("id", "attachment-1-err").text == "Joignez ce document pour signer."

    # a text file is refused in the page; a PNG is uploaded as soon as it is chosen
    text_file, png_file = tmp_path / "notes.txt", tmp_path / "carte-identite.png"
    text_file.write_text("hello")
    png_file.write_bytes(PNG)
    file_input = browser.find_element("id", "attachment-1-input")
    file_input.send_keys(str(text_file))
    assert "PNG, JPEG ou PDF" in browser.find_element("id", "attachment-1-err").text
    file_input.send_keys(str(png_file))
    s.wait_for(lambda: "joint — carte-identite.png" in by_id(browser, "attachment-1").text, timeout=20,
               message="the upload")
    assert browser.find_element("id", "attachment-1-err").text == ""
    # its size in French units ("ko", not "kB"), a non-breaking space before the unit
    state = browser.find_element("css selector", "#attachment-1 [data-attachment-state]").get_attribute("textContent")
    assert re.fullmatch("\u2713 joint \u2014 carte-identite\\.png \\(\\d+\u00a0ko\\)", state), state
    # the link's expiry: a readable date and time with its zone, not raw ISO
    assert re.fullmatch(r"Lien valable jusqu'au \d{1,2} \S+ \d{4}, \d{2}:\d{2} UTC", by_id(browser, "expires").text)
    screenshot(browser, "sign-page-attachments-uploaded")

    sign_with_the_emailed_code(browser, s, "jeanne@client.test")
    screenshot(browser, "sign-page-attachments-signed")

    detail = ok(s.get(f"/api/v1/signature-requests/{req['id']}", token=admin))
    attachment, = detail["attachments"]
    assert attachment["uploaded"] and attachment["sha256"] == hashlib.sha256(PNG).hexdigest()
    r = s.get(f"/api/v1/signature-requests/{req['id']}/attachments/{attachment['id']}", token=admin)
    assert r.status_code == 200 and r.data == PNG
