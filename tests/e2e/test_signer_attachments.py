"""Files a signer is asked to attach (an ID, a proof of address), through the gateway: requested with the
signature request, uploaded from the signing link as the raw body (sniffed, 10 MB at most), replaced until
the signer signs, required before signing, downloaded by the staff, and listed with their SHA-256 in the
proof of signature."""
import base64
import hashlib
import io
import re

import pytest
from pypdf import PdfReader
from signing_service import testing as esign

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

PNG = base64.b64decode(esign.signature_png().split(",", 1)[1])
PDF = esign.pdf_file()


@pytest.fixture
def world(esign_system):  # one system for the module, a license per test
    return esign.quote_to_sign(esign_system, title="Location", line="Location annuelle", unit_price="900.00",
                               render=False)


def _create(world, **body):
    return world["s"].post(f"/api/v1/contracts/{world['quote']['id']}/signature-requests", token=world["sales"],
                           json={"signers": [{"contact_id": world["jeanne"]["id"]}], **body})


def _upload(s, tok, attachment_id, content, content_type, filename=None):
    query = f"?filename={filename}" if filename else ""
    return s.post(f"/api/v1/sign/{tok}/attachments/{attachment_id}{query}", data=content,
                  headers={"Content-Type": content_type})


def test_requests_naming_a_missing_signer_or_too_many_files_are_422(world):
    r = _create(world, attachments_requested=[{"signer": 2, "name": "Pièce d'identité"}])
    assert r.status_code == 422, r.get_json()
    assert "attachments_requested" in r.get_json()["errors"]
    r = _create(world, attachments_requested=[{"signer": 1, "name": f"Doc {n}"} for n in range(11)])
    assert r.status_code == 422, r.get_json()


def test_a_signer_attaches_replaces_and_signs_and_the_proof_lists_the_file(world):
    s, sales = world["s"], world["sales"]
    r = _create(world, locale="en", attachments_requested=[
        {"signer": 1, "name": "Pièce d'identité", "required": True},
        {"signer": 1, "name": "Justificatif de domicile", "required": False}])
    assert r.status_code == 201, r.get_json()
    req = r.get_json()

    # the link lists what is asked, nothing uploaded yet
    tok = esign.token(s, "jeanne@client.test")
    info = s.get(f"/api/v1/sign/{tok}").get_json()
    ident, address = info["attachments"]
    assert (ident["name"], ident["required"], ident["uploaded"], ident["filename"], ident["size"]) == \
        ("Pièce d'identité", True, False, None, None)
    assert address["required"] is False

    # signing without the required one: 422 naming it (and the one-time code is not used up)
    assert s.post(f"/api/v1/sign/{tok}/otp", json={}).status_code == 200
    code = esign.otp(s, "jeanne@client.test")
    body = {"otp": code, "consent": True, "consent_sha256": info["consent_sha256"],
            "signature_image": esign.signature_png()}
    r = s.post(f"/api/v1/sign/{tok}/sign", json=body)
    assert r.status_code == 422 and r.mimetype == "application/problem+json", r.get_json()
    assert "Pièce d'identité" in r.get_json()["detail"]
    assert "Justificatif" not in r.get_json()["detail"]

    # wrong types: declared but not allowed (415), or bytes that are not what is declared (415)
    r = _upload(s, tok, ident["id"], b"hello", "text/plain")
    assert r.status_code == 415, r.get_json()
    r = _upload(s, tok, ident["id"], b"not really a png", "image/png")
    assert r.status_code == 415, r.get_json()
    # too big (over 10 MB): 413, refused before the service
    r = _upload(s, tok, ident["id"], PNG + b"\0" * (10 * 1024 * 1024), "image/png")
    assert r.status_code == 413, r.get_json()
    # an attachment of someone else's request, or none: 404
    assert _upload(s, tok, "no-such-id", PNG, "image/png").status_code == 404

    # uploaded, then replaced
    r = _upload(s, tok, ident["id"], PDF, "application/pdf", "carte.pdf")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["uploaded"] is True and r.get_json()["filename"] == "carte.pdf"
    r = _upload(s, tok, ident["id"], PNG, "image/png", "carte-recto.png")
    assert r.status_code == 200, r.get_json()
    uploaded = r.get_json()
    assert (uploaded["filename"], uploaded["size"], uploaded["sha256"], uploaded["content_type"]) == \
        ("carte-recto.png", len(PNG), hashlib.sha256(PNG).hexdigest(), "image/png")
    info = s.get(f"/api/v1/sign/{tok}").get_json()
    assert [(a["uploaded"], a["filename"], a["size"]) for a in info["attachments"]] == \
        [(True, "carte-recto.png", len(PNG)), (False, None, None)]

    # staff: the detail lists it, the download is the exact file (signed in only)
    detail = s.get(f"/api/v1/signature-requests/{req['id']}", token=sales).get_json()
    assert [a["uploaded"] for a in detail["attachments"]] == [True, False]
    url = f"/api/v1/signature-requests/{req['id']}/attachments/{ident['id']}"
    r = s.get(url, token=sales)
    assert r.status_code == 200 and r.data == PNG and r.mimetype == "image/png"
    assert "carte-recto.png" in r.headers["Content-Disposition"]
    assert s.get(f"/api/v1/signature-requests/{req['id']}/attachments/{address['id']}",
                 token=sales).status_code == 404  # not uploaded
    assert s.get(url).status_code == 401

    # now signing works (the same code: the refused attempt did not use it)
    r = s.post(f"/api/v1/sign/{tok}/sign", json=body)
    assert r.status_code == 200, r.get_json()
    # signed: the files can no longer change
    r = _upload(s, tok, ident["id"], PNG, "image/png")
    assert r.status_code == 409, r.get_json()

    def completed():
        got = s.get(f"/api/v1/signature-requests/{req['id']}", token=sales).get_json()
        return got if got["status"] == "completed" else None
    s.wait_for(completed, timeout=60, message="the request to be sealed")
    r = s.get(f"/api/v1/signature-requests/{req['id']}/proof.pdf", token=sales)
    assert r.status_code == 200, r.get_json()
    text = re.sub(r"\s+", "", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages))
    assert "Filesattachedbythesigners" in text
    assert hashlib.sha256(PNG).hexdigest() in text and "carte-recto.png" in text


def test_json_upload_and_a_reassigned_signer_uploads_their_own(world):
    s, sales = world["s"], world["sales"]
    req = _create(world, attachments_requested=[{"signer": 1, "name": "Justificatif de domicile"}]).get_json()
    tok = esign.token(s, "jeanne@client.test")
    asked, = s.get(f"/api/v1/sign/{tok}").get_json()["attachments"]
    assert asked["required"] is True  # the default
    r = s.post(f"/api/v1/sign/{tok}/attachments/{asked['id']}", json={
        "filename": "facture.pdf", "content_type": "application/pdf", "content_base64": base64.b64encode(PDF).decode()})
    assert r.status_code == 200 and r.get_json()["sha256"] == hashlib.sha256(PDF).hexdigest(), r.get_json()

    jeanne_id = s.get(f"/api/v1/signature-requests/{req['id']}", token=sales).get_json()["participants"][0]["id"]
    r = s.post(f"/api/v1/signature-requests/{req['id']}/participants/{jeanne_id}/reassign", token=sales,
               json={"name": "Claire Durand", "email": "claire@client.test", "reason": "en congé"})
    assert r.status_code == 200, r.get_json()
    info = s.get(f"/api/v1/sign/{esign.token(s, 'claire@client.test')}").get_json()
    assert [(a["id"], a["uploaded"]) for a in info["attachments"]] == [(asked["id"], False)]
