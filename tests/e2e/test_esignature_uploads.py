"""A signature request on an uploaded PDF, without a contract, through the gateway: a 2-page PDF with a
text tag signed end to end (the field stamped, the sealed PDF verified), who sees it, and every refusal of
the upload (a 422 saying why, nothing stored)."""
import base64
import hashlib
import io
import re
import shutil
from urllib.parse import unquote

import pytest
from pypdf import PdfReader

from signing_service import testing as esign

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture(scope="module")
def tagged_pdf():
    """Two pages; Jeanne's signature goes where the {{sig:1}} tag is written, on page 2."""
    from weasyprint import HTML
    return HTML(string="<h1>Partnership agreement</h1><p>Terms of the partnership.</p>"
                       "<p style='page-break-before: always'>Signed for the partner:</p>"
                       "<p>{{sig:1}}</p>").write_pdf()


@pytest.fixture
def world(esign_license):
    # one system for the module (ten tests): each test its own license, users and outbox rows
    s, admin = esign_license.s, esign_license.admin
    other = s.add_user(admin, f"other@{esign_license.domain}", name="Olga Other")
    return {"s": s, "admin": admin["access_token"], "sales": esign_license.sales["access_token"],
            "other": other["access_token"]}


def _upload(world, content: bytes, filename: str = "agreement.pdf", **body):
    return world["s"].post("/api/v1/signature-requests", token=world["sales"], json={
        "title": "Partnership agreement", "signers": [{"name": "Jeanne Dupont", "email": "jeanne@client.test"}],
        "document": {"filename": filename, "content_base64": base64.b64encode(content).decode()}, **body})


def test_uploaded_pdf_signed_end_to_end(world, tagged_pdf):
    s, sales = world["s"], world["sales"]
    assert len(PdfReader(io.BytesIO(tagged_pdf)).pages) == 2
    r = _upload(world, tagged_pdf, locale="en", cc=[{"name": "Carl Copy", "email": "carl@client.test"}])
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    assert req["contract_id"] is None and req["contract_kind"] == "document"
    assert req["contract_number"] == "agreement" and req["contract_title"] == "Partnership agreement"
    assert req["document"]["filename"] == "agreement.pdf" and req["document"]["size"] == len(tagged_pdf)
    [sig] = req["fields"]
    assert sig["type"] == "signature" and sig["page"] == 2  # placed by the text tag

    # seen by its sender and the managers, not by another salesperson; listed among the sender's requests
    assert s.get(f"/api/v1/signature-requests/{req['id']}", token=world["admin"]).status_code == 200
    assert s.get(f"/api/v1/signature-requests/{req['id']}", token=world["other"]).status_code == 404
    assert req["id"] in [x["id"] for x in s.get("/api/v1/signature-requests", token=sales).get_json()["items"]]
    assert req["id"] not in [x["id"] for x in s.get("/api/v1/signature-requests",
                                                     token=world["other"]).get_json()["items"]]
    # the requests on uploaded documents apart from those on quotes and contracts
    listed = {kind: [x["id"] for x in s.get(f"/api/v1/signature-requests?kind={kind}", token=sales)
                     .get_json()["items"]] for kind in ("document", "quote")}
    assert listed == {"document": [req["id"]], "quote": []}

    info = s.get(f"/api/v1/sign/{esign.token(s, 'jeanne@client.test')}").get_json()
    assert info["request"]["kind"] == "document" and len(info["pages"]) == 2
    assert s.get(f"/api/v1/sign/{esign.token(s, 'jeanne@client.test')}/document").data == tagged_pdf
    r = esign.sign_via_link(s, "jeanne@client.test")
    assert r.status_code == 200, r.get_json()

    def completed():
        body = s.get(f"/api/v1/signature-requests/{req['id']}", token=sales).get_json()
        return body if body["status"] == "completed" else None
    detail = s.wait_for(completed, timeout=60, message="the request to be sealed")
    assert all(f["filled"] for f in detail["fields"]) and detail["chain"]["valid"]
    r = s.get(f"/api/v1/signature-requests/{req['id']}/signed.pdf", token=sales)
    # named after its title, as its emails say it (not its file's name, "agreement")
    assert r.status_code == 200 and r.headers["Content-Disposition"] == (
        'attachment; filename="Partnership agreement-signed.pdf"')
    sealed = r.data
    assert sealed.startswith(tagged_pdf)
    assert "Jeanne Dupont" in PdfReader(io.BytesIO(sealed)).pages[1].extract_text()  # the stamped field
    v = s.post("/api/v1/signatures/verify", data=sealed, headers={"Content-Type": "application/pdf"},
               token=sales).get_json()
    assert v["valid"] and v["sealed_by_paraph"] and v["request"]["id"] == req["id"]
    proof = s.get(f"/api/v1/signature-requests/{req['id']}/proof.pdf", token=sales)
    assert proof.status_code == 200 and proof.data.startswith(b"%PDF")
    # the CC recipient got the signed copy; the events carry no contract
    assert esign.notifications(s, "signature_cc", "carl@client.test")
    [done] = [e["data"] for e in esign.events(s, "signature.completed.v1")]
    assert done["request_id"] == req["id"] and done["contract_id"] is None and done["kind"] == "document"


def _names(response) -> tuple[str, str]:
    """A download's file name as sent: exact (``filename*``, UTF-8) and in ASCII (``filename``)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    disposition = response.headers["Content-Disposition"]
    return (unquote(re.search(r"; filename\*=UTF-8''(\S+)", disposition).group(1)),
            re.search(r'; filename="([^"]*)"', disposition).group(1))


def test_a_signed_upload_downloads_named_after_its_title_made_safe(world, tagged_pdf):
    """The title the salesperson gave names the signed PDF (not the scanner's file name), with its accents in
    ``filename*``, in ASCII in ``filename``, without its slash, cut at a word when long; the emails attach it under
    that name; the signing page's own downloads (the document to sign, then the signed one) and the proof of
    signature are named the same way; what the request stored (its number, its file's name, the sealed PDF, the
    audit chain) is as before."""
    s, sales = world["s"], world["sales"]
    title = "Contrat élève n°2 / «Dupont» — conditions d’exécution " + " ".join(["et annexes"] * 12)
    r = _upload(world, tagged_pdf, filename="scan_0012.pdf", title=title)
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    annexes = " ".join(["et annexes"] * 4)  # cut at a word, 100 characters at most
    exact_stem = f"Contrat élève n°2 - «Dupont» — conditions d’exécution {annexes}"
    ascii_stem = f"Contrat eleve n2 - Dupont - conditions d'execution {annexes}"
    # the signing page's "Download" (and its viewer) name the document to sign by its title too
    link = f"/api/v1/sign/{esign.token(s, 'jeanne@client.test')}"
    assert _names(s.get(f"{link}/document?download=1")) == (f"{exact_stem}.pdf", f"{ascii_stem}.pdf")
    assert s.get(f"{link}/document").headers["Content-Disposition"].startswith(f'inline; filename="{ascii_stem}.pdf"')
    assert esign.sign_via_link(s, "jeanne@client.test").status_code == 200

    def completed():
        body = s.get(f"/api/v1/signature-requests/{req['id']}", token=sales).get_json()
        return body if body["status"] == "completed" else None
    detail = s.wait_for(completed, timeout=60, message="the request to be sealed")
    r = s.get(f"/api/v1/signature-requests/{req['id']}/signed.pdf", token=sales)
    exact, ascii_name = _names(r)
    assert (exact, ascii_name) == (f"{exact_stem}-signed.pdf", f"{ascii_stem}-signed.pdf")
    # the signed PDF from the signer's link, and the proof of signature: the same name
    assert _names(s.get(f"{link}/signed.pdf")) == (exact, ascii_name)
    assert _names(s.get(f"/api/v1/signature-requests/{req['id']}/proof.pdf", token=sales)) == (
        f"{exact_stem}-proof.pdf", f"{ascii_stem}-proof.pdf")
    # the emails attach the same file (the signer's, the sender's copy)
    [attached] = [a for n in esign.notifications(s, "signature_completed") for a in n["attachments"]
                  if a["kind"] == "signed_pdf" and n["to"] == "jeanne@client.test"]
    assert attached["filename"] == exact
    # the download's name only: the stored request keeps its file's name, and the sealed PDF its fingerprint
    assert detail["contract_number"] == "scan_0012" and detail["document"]["filename"] == "scan_0012.pdf"
    assert detail["contract_title"] == title
    assert hashlib.sha256(r.data).hexdigest() == detail["sealed_sha256"] == r.headers["X-Content-SHA256"]
    assert detail["chain"]["valid"]

def test_a_declined_upload_tells_its_sender_with_a_link_to_its_page(world, tagged_pdf):
    s = world["s"]
    r = _upload(world, tagged_pdf)
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    declined = s.post(f"/api/v1/sign/{esign.token(s, 'jeanne@client.test')}/decline", json={"reason": "Not now"})
    assert declined.status_code == 200, declined.get_json()
    # named by its title (its number is the file's name)
    [told] = [n for n in esign.notifications(s, "signature_declined")
              if n["vars"]["number"] == "Partnership agreement"]
    # no contract behind it: its page under "Envois en signature" in the staff app (it was the home page)
    assert told["vars"]["link"].endswith(f"/signatures/documents/{req['id']}")


@pytest.mark.parametrize("content, filename, reason, words", [
    (b"Hello, I am plain text", "agreement.pdf", "not_pdf", "not a PDF"),
    (b"%PDF-1.7\nthis is not a real PDF", "agreement.pdf", "malformed", "cannot be read"),
    (esign.pdf_file(1, encrypt=True), "agreement.pdf", "encrypted", "encrypted"),
    (esign.pdf_file(1, javascript=True), "agreement.pdf", "javascript", "JavaScript"),
    (esign.pdf_file(1, open_action_script=True), "agreement.pdf", "javascript", "JavaScript"),
    (esign.pdf_file(1, embedded_file=True), "agreement.pdf", "embedded_file", "embedded files"),
    (esign.pdf_file(201), "agreement.pdf", "too_many_pages", "201 pages; at most 200"),
    (esign.docx_file(), "agreement.docx", "docx_unavailable",
     "DOCX is converted only when LibreOffice is installed; upload a PDF"),
])
def test_refused_uploads_are_422_saying_why(world, content, filename, reason, words):
    if reason == "docx_unavailable" and shutil.which("soffice"):
        pytest.skip("LibreOffice is installed here: the DOCX would be converted")
    r = _upload(world, content, filename)
    assert r.status_code == 422 and r.mimetype == "application/problem+json", r.get_json()
    body = r.get_json()
    assert words in body["detail"] and body["reason"] == reason and body["errors"]["document"], body
    # nothing stored: the sender has no request
    assert world["s"].get("/api/v1/signature-requests", token=world["sales"]).get_json()["items"] == []


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed: a DOCX is refused (tested above)")
def test_a_word_document_is_converted_to_pdf_and_signed_where_its_tag_is(world):
    r = _upload(world, esign.word_document("Partnership agreement", "Signed for the partner:", "{{sig:1}}"),
                "agreement.docx")
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    assert req["document"]["filename"] == "agreement.pdf"  # the converted file is what gets signed
    [sig] = req["fields"]
    assert sig["type"] == "signature" and sig["page"] == 1  # the tag's text survived the conversion
    pdf = world["s"].get(f"/api/v1/sign/{esign.token(world['s'], 'jeanne@client.test')}/document")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "Partnership agreement" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert esign.sign_via_link(world["s"], "jeanne@client.test").status_code == 200


def test_upload_body_is_validated(world):
    r = world["s"].post("/api/v1/signature-requests", token=world["sales"], json={
        "signers": [{"name": "Jeanne", "email": "jeanne@client.test"}],
        "document": {"filename": "a.pdf", "content_base64": "%%% not base64"}})
    assert r.status_code == 422 and "title" in r.get_json()["errors"]
    r = _upload(world, b"", "a.pdf")
    assert r.status_code == 422, r.get_json()
    r = world["s"].post("/api/v1/signature-requests", token=world["sales"], json={
        "title": "T", "signers": [{"name": "Jeanne", "email": "jeanne@client.test"}],
        "document": {"filename": "a.pdf", "content_base64": "%%% not base64"}})
    assert r.status_code == 422 and "base64" in r.get_json()["detail"], r.get_json()
