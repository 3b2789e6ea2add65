"""The public signing page of an uploaded PDF, in a real headless Chromium against the real services: the sender's
title names the document everywhere on the page (its heading, the line under the viewer, the viewer's title), as
its downloads are named; the scanner's file name ("scan_0012.pdf") is not shown. An envelope of two files still
lists each part by its file's name."""
import base64

import pytest
from signing_service import testing as esign

from tests.e2e.web.browsing import by_id, css, ok, page_text

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

TITLE = "Contrat de prestation Client SARL"


def _pdf(text: str) -> bytes:
    from weasyprint import HTML
    return HTML(string=f"<h1>{text}</h1><p>Signé pour le client :</p>").write_pdf()


def _file(filename: str, text: str) -> dict:
    return {"filename": filename, "content_base64": base64.b64encode(_pdf(text)).decode()}


def _upload(seller, **documents) -> dict:
    return ok(seller.s.post("/api/v1/signature-requests", token=seller.admin, json={
        "title": TITLE, "signers": [{"name": "Jeanne Dupont", "email": "jeanne@client.test"}], **documents}), 201)


def _open(browser, seller, live):
    browser.get(f"{live}/sign/{esign.token(seller.s, 'jeanne@client.test')}")
    return by_id(browser, "document")


def _document_line(block) -> str:
    return block.find_element("xpath", "./p[starts-with(normalize-space(.), 'Document')]").text


def test_an_uploaded_pdf_is_named_by_its_title_on_its_signing_page(seller, browser, screenshot):
    live = seller.s.serve()
    req = _upload(seller, document=_file("scan_0012.pdf", "Conditions de la prestation"))
    assert req["contract_number"] == "scan_0012" and req["document"]["filename"] == "scan_0012.pdf"
    block = _open(browser, seller, live)
    assert css(browser, "h1")[0].text == TITLE and browser.title.endswith(f"– {TITLE}")
    assert _document_line(block) == f"Document : {TITLE}"
    assert by_id(browser, "doc").get_attribute("title") == TITLE
    assert "scan_0012" not in page_text(browser) and not css(browser, "#envelope")
    screenshot(browser, "sign-page-uploaded-title")


def test_an_envelope_is_named_by_its_title_its_parts_by_their_files(seller, browser, screenshot):
    live = seller.s.serve()
    _upload(seller, documents=[_file("scan_0012.pdf", "Conditions de la prestation"),
                               _file("annexe-tarifs.pdf", "Annexe : tarifs")])
    block = _open(browser, seller, live)
    assert _document_line(block) == f"Document : {TITLE}"
    assert by_id(browser, "doc").get_attribute("title") == TITLE
    parts = [a.text for a in css(browser, "#envelope a")]
    assert parts == ["scan_0012.pdf", "annexe-tarifs.pdf"]
    screenshot(browser, "sign-page-uploaded-envelope")
