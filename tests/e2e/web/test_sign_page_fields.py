"""Placed fields on the public signing page /sign/<token> (issue 15), in a real headless Chromium against the real
services: a two-page quote with a text field, initials on both pages and a signature field; the signer is
stopped by the required fields, fills the text, adopts initials once, draws a signature, gets a one-time code
and signs. The sealed PDF shows the values in their boxes (rendered with pypdfium2: ink inside the boxes, the
rest of the page unchanged) and its PAdES signature validates with pyHanko.

Here rather than next to tests/e2e/test_esignature_browser.py for the ``screenshot`` fixture (conftest.py)."""
import io

import pytest
from paraph_platform.testing import wait_for
from signing_service import testing as esign

from tests.e2e.web.browsing import by_id, filled_buttons, ok, sign_with_the_emailed_code

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

# two A4 pages, nothing printed where the fields go (the lower halves)
TWO_PAGES = """<html><head><style>@page { size: A4; margin: 20mm } .next { break-before: page }</style></head>
<body><h1>{{ contract.number }}</h1><p>{{ contract.title }}</p>
<div class="next"><h2>Conditions</h2><p>Le client reconnaît avoir lu les conditions.</p></div></body></html>"""
SCALE = 2  # pixels per point when rendering a page

PO = {"type": "text", "signer": 1, "page": 1, "x": 56, "y": 460, "width": 220, "height": 24, "label": "N° de commande"}
INITIALS_1 = {"type": "initials", "signer": 1, "page": 1, "x": 480, "y": 760, "width": 60, "height": 30}
INITIALS_2 = {"type": "initials", "signer": 1, "page": 2, "x": 480, "y": 760, "width": 60, "height": 30}
SIGNATURE = {"type": "signature", "signer": 1, "page": 2, "x": 300, "y": 560, "width": 220, "height": 80}


@pytest.fixture
def world(seller):
    s, admin, contact = seller.s, seller.admin, seller.contact
    ctype = ok(s.post("/api/v1/contract-types", token=admin,
                      json={"name": "Devis deux pages", "kind": "quote", "template_html": TWO_PAGES}))
    quote = ok(s.post("/api/v1/quotes", token=admin, json={
        "title": "Maintenance", "contact_id": contact["id"], "contract_type_id": ctype["id"],
        "lines": [{"description": "Maintenance", "quantity": "1", "unit_price": "990.00"}]}))
    return {"s": s, "admin": admin, "contact": contact, "quote": quote}


def render(pdf: bytes, page: int):
    """A page (1-based) as a greyscale image, SCALE pixels per point, origin top-left like the fields."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[page - 1].render(scale=SCALE).to_pil().convert("L")
    finally:
        doc.close()


def pixels(box: dict, margin: float = 0) -> tuple[int, int, int, int]:
    return (int((box["x"] - margin) * SCALE), int((box["y"] - margin) * SCALE),
            int((box["x"] + box["width"] + margin) * SCALE), int((box["y"] + box["height"] + margin) * SCALE))


def ink(image, box: dict) -> float:
    """The share of the box's pixels that are not (nearly) white."""
    area = image.crop(pixels(box))
    return sum(1 for value in area.getdata() if value < 200) / (area.width * area.height)


def changed_outside(before, after, boxes: list[dict]) -> int:
    """How many pixels differ between two renders of a page outside the fields' boxes (plus a 2 pt margin for
    anti-aliasing)."""
    from PIL import ImageChops, ImageDraw
    diff = ImageChops.difference(before, after).point(lambda v: 255 if v > 32 else 0)
    draw = ImageDraw.Draw(diff)
    for box in boxes:
        draw.rectangle(pixels(box, margin=2), fill=0)
    return sum(1 for value in diff.getdata() if value)


def test_a_signer_fills_adopts_initials_draws_and_signs_placed_fields(world, browser, screenshot):
    from selenium.webdriver.common.action_chains import ActionChains
    s, admin = world["s"], world["admin"]
    live = s.serve()
    req = ok(s.post(f"/api/v1/contracts/{world['quote']['id']}/signature-requests", token=admin, json={
        "signers": [{"contact_id": world["contact"]["id"]}], "text_tags": False,
        "fields": [PO, INITIALS_1, INITIALS_2, SIGNATURE]}), 201)
    assert sorted((f["type"], f["page"]) for f in req.get("fields") or s.get(
        f"/api/v1/signature-requests/{req['id']}", token=admin).get_json()["fields"]) == [
        ("initials", 1), ("initials", 2), ("signature", 2), ("text", 1)]
    token = esign.token(s, "jeanne@client.test")
    original = s.get(f"/api/v1/sign/{token}/document?download=1").data

    # the signer's device is in Paris: the date written under the signature says so
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Paris"})
    browser.get(f"{live}/sign/{token}")
    fields = by_id(browser, "fields")
    # no Content-Security-Policy violation, no script error (a missing favicon is only a network error)
    assert [e for e in browser.get_log("browser") if e["source"] != "network"] == []
    legends = [e.text for e in fields.find_elements("css selector", "legend")]
    assert [x.split(" Voir")[0] for x in legends] == ["Page 1", "Page 2"]
    assert "N° de commande" in fields.text
    assert len(fields.find_elements("css selector", '[data-type="initials"]')) == 2
    assert len(fields.find_elements("css selector", ".pagemap .box")) == 4
    screenshot(browser, "sign-page-fields")
    assert filled_buttons(browser) == ["Signer"]  # "Adopter mes initiales" is outlined: one primary action

    def field(type_, page):
        return fields.find_element("css selector", f'fieldset.page:nth-of-type({page}) [data-type="{type_}"]')

    def error(element):
        return browser.find_element("id", element.get_attribute("id") + "-err").text

    # Sign before filling anything: the required fields say so next to them, nothing is sent
    browser.find_element("id", "consent").click()
    browser.find_element("id", "go").click()
    assert error(field("text", 1)) == "Ce champ est obligatoire."
    # the initials are missing: said once, where they are adopted ("Vos initiales"), not on each page as well
    assert by_id(browser, "initials-err").text == "Adoptez vos initiales pour les apposer."
    assert error(field("initials", 1)) == error(field("initials", 2)) == ""
    assert by_id(browser, "main").text.count("Adoptez vos initiales pour les apposer.") == 1
    screenshot(browser, "sign-page-fields-required")

    # fill the text field, adopt the proposed initials (typed) once: both initials fields get them
    browser.find_element("id", field("text", 1).get_attribute("id") + "-input").send_keys("PO-2026-778")
    assert browser.find_element("id", "initials-typed").get_attribute("value") == "JD"
    browser.find_element("id", "adopt").click()
    assert "✓ apposées (JD)" in field("initials", 1).text and "✓ apposées (JD)" in field("initials", 2).text
    # draw the signature
    pad = browser.find_element("id", "pad")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", pad)
    ActionChains(browser).move_to_element_with_offset(pad, -100, 0).click_and_hold().move_by_offset(60, 20) \
        .move_by_offset(60, -25).move_by_offset(50, 15).release().perform()
    sign_with_the_emailed_code(browser, s, "jeanne@client.test")
    screenshot(browser, "sign-page-fields-signed")
    # the last signature: once sealed, the page offers the signed document without a reload
    wait_for(lambda: browser.find_elements("id", "signed-pdf"), timeout=60, message="the sealed document offered")
    # the signed document alone to download; the link's expiry no longer matters
    assert not by_id(browser, "download-pdf").is_displayed() and not by_id(browser, "expires").is_displayed()
    screenshot(browser, "sign-page-sealed-offered")

    def completed():
        body = s.get(f"/api/v1/signature-requests/{req['id']}", token=admin).get_json()
        return body if body["status"] == "completed" else None
    detail = s.wait_for(completed, timeout=60, message="the request to be sealed")
    assert all(f["filled"] for f in detail["fields"])
    sealed = s.get(f"/api/v1/sign/{token}/signed.pdf").data
    assert sealed.startswith(b"%PDF")

    # the values are drawn in their boxes, and nothing else on the pages moved
    page_2, sealed_2 = render(original, 2), render(sealed, 2)
    assert ink(page_2, SIGNATURE) == 0 and ink(sealed_2, SIGNATURE) > 0.01
    assert ink(sealed_2, INITIALS_2) > 0.01
    assert changed_outside(page_2, sealed_2, [SIGNATURE, INITIALS_2]) == 0
    page_1, sealed_1 = render(original, 1), render(sealed, 1)
    assert ink(sealed_1, PO) > 0.01 and ink(sealed_1, INITIALS_1) > 0.01
    assert changed_outside(page_1, sealed_1, [PO, INITIALS_1]) == 0
    from pypdf import PdfReader
    assert "(UTC+1)" in PdfReader(io.BytesIO(sealed)).pages[1].extract_text()
    sealed_2.save(SCREENSHOTS / "sign-page-fields-sealed-page-2.png")  # to look at, as the pages' screenshots

    # the PAdES seal validates with pyHanko: intact, covering the stamped values (the whole file, or all of it but
    # the long-term validation data and document timestamp added after it at B-LT / B-LTA)
    sigs = esign.pdf_signatures(sealed)
    assert sigs and sigs[0]["intact"]
    assert sigs[0]["coverage"] == "ENTIRE_FILE" or sigs[0].get("modification_level") == "LTA_UPDATES", sigs[0]
    v = ok(s.post("/api/v1/signatures/verify", data=sealed, headers={"Content-Type": "application/pdf"},
                  token=admin))
    assert v["valid"] and v["sealed_by_paraph"] and v["signatures"][0]["covers_whole_file"]
    level = v["signatures"][0].get("pades_level")
    if level:  # reported once verify_pdf checks the level
        assert level in ("B-LT", "B-LTA"), level
