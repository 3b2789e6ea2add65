"""Envelopes through the gateway: several documents signed in one request. Two uploaded PDFs combined
into one sealed document (a field on document 2's own page, signed through the link and one-time code,
the seal validated with pyHanko, the proof naming each file and its SHA-256), a quote sent with an
uploaded annex, and the refusals (a 422 naming the document or field at fault, nothing stored)."""
import base64
import hashlib
import io

import pytest
from pypdf import PdfReader

from signing_service import testing as esign

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def _pdf(*pages: str) -> bytes:
    from weasyprint import HTML
    return HTML(string="".join(f"<p style='page-break-before: always'>{text}</p>" for text in pages)).write_pdf()


@pytest.fixture(scope="module")
def contract_body():
    return _pdf("Service agreement, page one.", "Service agreement, page two.")


@pytest.fixture(scope="module")
def terms():
    return _pdf("General terms and conditions.")


@pytest.fixture
def world(system):
    return esign.quote_to_sign(system, render=False)


def _file(filename: str, content: bytes) -> dict:
    return {"filename": filename, "content_base64": base64.b64encode(content).decode()}


def _send(world, documents: list[dict], **body):
    return world["s"].post("/api/v1/signature-requests", token=world["sales"], json={
        "title": "Service agreement", "signers": [{"name": "Jeanne Dupont", "email": "jeanne@client.test"}],
        "documents": documents, **body})


def _text(pdf: bytes, page: int | None = None) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return "".join(p.extract_text() for p in (pages if page is None else [pages[page]]))


def test_two_uploaded_pdfs_signed_as_one_sealed_document(world, contract_body, terms):
    s, sales = world["s"], world["sales"]
    r = _send(world, [_file("agreement.pdf", contract_body), _file("terms.pdf", terms)], locale="en",
              fields=[{"type": "signature", "signer": 1, "document": 2, "page": 1, "x": 300, "y": 600}])
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    assert [(d["filename"], d["first_page"], d["pages"]) for d in req["documents"]] == \
        [("agreement.pdf", 1, 2), ("terms.pdf", 3, 1)]
    assert [d["sha256"] for d in req["documents"]] == [hashlib.sha256(x).hexdigest() for x in (contract_body, terms)]
    assert req["contract_number"] == "agreement" and req["document"]["filename"] == "agreement.pdf"
    [sig] = req["fields"]
    assert sig["type"] == "signature" and sig["page"] == 3  # document 2's first page in the envelope

    # the signing page shows one combined document and lists the two with a link to their first page
    tok = esign.token(s, "jeanne@client.test")
    info = s.get(f"/api/v1/sign/{tok}").get_json()
    assert len(info["pages"]) == 3 and [d["filename"] for d in info["documents"]] == ["agreement.pdf", "terms.pdf"]
    combined = s.get(f"/api/v1/sign/{tok}/document").data
    assert len(PdfReader(io.BytesIO(combined)).pages) == 3
    page = s.get(f"/sign/{tok}").get_data(as_text=True)
    assert 'id="envelope"' in page and f"/api/v1/sign/{tok}/document#page=3" in page
    assert "pages 1–2" in page and "page 3<" in page  # agreement.pdf, then terms.pdf's one page

    r = esign.sign_via_link(s, "jeanne@client.test")
    assert r.status_code == 200, r.get_json()

    def completed():
        body = s.get(f"/api/v1/signature-requests/{req['id']}", token=sales).get_json()
        return body if body["status"] == "completed" else None
    s.wait_for(completed, timeout=60, message="the envelope to be sealed")
    sealed = s.get(f"/api/v1/signature-requests/{req['id']}/signed.pdf", token=sales).data
    assert len(PdfReader(io.BytesIO(sealed)).pages) == 3 and sealed.startswith(combined)
    assert "Jeanne Dupont" in _text(sealed, 2) and "General terms" in _text(sealed, 2)  # stamped on terms.pdf
    # one seal covers both documents (later revisions: PAdES long-term validation data only)
    [seal] = esign.pdf_signatures(sealed)
    assert seal["intact"] and seal["coverage"] == "ENTIRE_REVISION" and seal["modification_level"] == "LTA_UPDATES"
    proof = _text(s.get(f"/api/v1/signature-requests/{req['id']}/proof.pdf", token=sales).data)
    flat = "".join(proof.split())
    assert "Documents of the envelope" in proof and "agreement.pdf" in flat and "terms.pdf" in flat
    assert all(d["sha256"] in flat for d in req["documents"])


def test_a_quote_signed_with_an_uploaded_annex(world, terms):
    s = world["s"]
    r = s.post(f"/api/v1/contracts/{world['quote']['id']}/signature-requests", token=world["sales"], json={
        "signers": [{"contact_id": world["jeanne"]["id"]}], "documents": [_file("terms.pdf", terms)],
        "fields": [{"type": "initials", "signer": 1, "document": 2, "page": 1, "x": 40, "y": 40}]})
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    quote, annex = req["documents"]
    assert quote["first_page"] == 1 and quote["filename"].endswith(".pdf") and annex["filename"] == "terms.pdf"
    assert annex["first_page"] == quote["pages"] + 1 and annex["pages"] == 1
    assert annex["sha256"] == hashlib.sha256(terms).hexdigest()
    [initials] = [f for f in req["fields"] if f["type"] == "initials"]
    assert initials["page"] == annex["first_page"]
    combined = s.get(f"/api/v1/sign/{esign.token(s, 'jeanne@client.test')}/document").data
    assert len(PdfReader(io.BytesIO(combined)).pages) == quote["pages"] + 1
    assert "General terms" in _text(combined, quote["pages"])
    detail = s.get(f"/api/v1/signature-requests/{req['id']}", token=world["sales"]).get_json()
    assert detail["documents"] == req["documents"]


def test_envelope_refusals_name_the_document_or_field(world, contract_body, terms):
    s, sales = world["s"], world["sales"]

    def refused(r, reason=None):
        assert r.status_code == 422 and r.mimetype == "application/problem+json", r.get_json()
        body = r.get_json()
        assert reason is None or body.get("reason") == reason, body
        return body

    body = refused(_send(world, [_file("agreement.pdf", contract_body),
                                 _file("locked.pdf", esign.pdf_file(1, encrypt=True))]), "encrypted")
    assert "documents[1] (locked.pdf)" in body["detail"] and body["errors"]["documents[1]"], body
    assert body["document"] == "documents[1]" and body["filename"] == "locked.pdf"

    body = refused(_send(world, [_file("terms.pdf", terms)], document=_file("agreement.pdf", contract_body)))
    assert "documents" in body["errors"], body

    body = refused(_send(world, [_file("a.pdf", esign.pdf_file(150)), _file("b.pdf", esign.pdf_file(60))]),
                   "too_many_pages")
    assert "210 pages together; at most 200" in body["detail"] and body["errors"]["documents"], body

    body = refused(_send(world, [_file("agreement.pdf", contract_body), _file("terms.pdf", terms)], fields=[
        {"type": "signature", "signer": 1, "document": 2, "page": 2, "x": 10, "y": 10}]))
    assert "document 2, terms.pdf, has 1" in body["errors"]["fields"]["0"][0], body

    # nothing was stored
    assert s.get("/api/v1/signature-requests", token=sales).get_json()["items"] == []
