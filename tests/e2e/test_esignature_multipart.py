"""A signature request on a document uploaded as multipart/form-data (what browsers and most HTTP libraries
send) through the gateway: the file part becomes the request's document byte for byte (several parts: an
envelope), the other fields come from a JSON part `request` or plain form fields, and a malformed form is a 422
naming what is wrong."""
import hashlib
import io
import json

import pytest

from signing_service import testing as esign

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

SIGNERS = [{"name": "Jeanne Dupont", "email": "jeanne@client.test"}]


@pytest.fixture
def world(system):
    s = system("identity", "perimeter", "contracts", "signing")
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    sales = s.add_user(admin, "sales@vendeur.test", name="Sam Sales")
    return {"s": s, "sales": sales["access_token"]}


def _post_form(world, form: dict):
    return world["s"].post("/api/v1/signature-requests", token=world["sales"], data=form,
                           content_type="multipart/form-data")


def _file(content: bytes, filename: str = "agreement.pdf"):
    return io.BytesIO(content), filename, "application/pdf"


def test_multipart_upload_becomes_the_requests_document(world):
    s, pdf = world["s"], esign.pdf_file(2)
    # the options as a JSON part, the file as a part named `document`
    r = _post_form(world, {"request": (io.BytesIO(json.dumps({"title": "Partnership agreement", "signers": SIGNERS,
                                                                "locale": "en"}).encode()), "request.json",
                                       "application/json"),
                           "document": _file(pdf)})
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    assert req["contract_kind"] == "document" and req["contract_title"] == "Partnership agreement"
    assert req["document"]["filename"] == "agreement.pdf" and req["document"]["size"] == len(pdf)
    assert s.get(f"/api/v1/sign/{esign.token(s, 'jeanne@client.test')}/document").data == pdf

    # plain form fields (a list as JSON text), the file named `documents`; an empty file input is ignored
    other = esign.pdf_file(1)
    r = _post_form(world, {"title": "Second", "message": "Please sign", "expires_in_days": "10",
                           "signers": json.dumps([{"name": "Paul", "email": "paul@client.test"}]),
                           "documents": _file(other, "second.pdf"), "document": (io.BytesIO(b""), "")})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["contract_title"] == "Second" and r.get_json()["document"]["filename"] == "second.pdf"
    assert s.get(f"/api/v1/sign/{esign.token(s, 'paul@client.test')}/document").data == other

    # several file parts: an envelope, in the parts' order, each document as uploaded
    annex = esign.pdf_file(3)
    r = _post_form(world, {"request": json.dumps({"title": "Envelope", "signers": [
        {"name": "Lea", "email": "lea@client.test"}]}), "document": [_file(pdf), _file(annex, "annex.pdf")]})
    assert r.status_code == 201, r.get_json()
    documents = r.get_json()["documents"]
    assert [(d["filename"], d["size"], d["first_page"]) for d in documents] == [
        ("agreement.pdf", len(pdf), 1), ("annex.pdf", len(annex), 3)]
    assert documents[0]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert documents[1]["sha256"] == hashlib.sha256(annex).hexdigest()


def test_malformed_multipart_is_422(world):
    s = world["s"]

    def refused(form: dict, field: str):
        r = _post_form(world, form)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", r.get_json()
        assert field in r.get_json()["errors"], r.get_json()

    options = json.dumps({"title": "T", "signers": SIGNERS})
    refused({"request": options}, "document")  # no file
    refused({"request": "{not json", "document": _file(esign.pdf_file(1))}, "request")
    refused({"request": "[1, 2]", "document": _file(esign.pdf_file(1))}, "request")
    refused({"request": "[" * 5000, "document": _file(esign.pdf_file(1))}, "request")  # deeper than JSON bodies go
    refused({"title": "T", "signers": "not json", "document": _file(esign.pdf_file(1))}, "signers")
    refused({"signers": json.dumps(SIGNERS), "document": _file(esign.pdf_file(1))}, "title")  # same validation
    refused({"request": options, "document": _file(b"plain text, not a PDF")}, "document")  # same checks
    # the gateway's body size limit applies to forms too
    limit = s.app.config["MAX_CONTENT_LENGTH"]
    s.app.config["MAX_CONTENT_LENGTH"] = 10_000
    try:
        r = _post_form(world, {"request": options, "document": _file(b"%PDF" + b"0" * 20_000)})
    finally:
        s.app.config["MAX_CONTENT_LENGTH"] = limit
    assert r.status_code == 413 and r.mimetype == "application/problem+json", r.data[:300]
    assert s.get("/api/v1/signature-requests", token=world["sales"]).get_json()["items"] == []
