"""Envelopes (pure functions, no service): combining documents into one PDF, where each lies in it, fields
placed on a document's own page, and the payload's choice between document and documents."""
import hashlib
import io
from types import SimpleNamespace

import pytest
from marshmallow import ValidationError

from signing_service import envelopes, schemas
from signing_service import testing as esign

THREE_DOCUMENTS = [{"filename": "a.pdf", "first_page": 1, "pages": 2},
                   {"filename": "b.pdf", "first_page": 3, "pages": 1},
                   {"filename": "c.pdf", "first_page": 4, "pages": 3}]


def _field(**placed):
    return {"type": "signature", "signer": 1, "x": 10.0, "y": 10.0, **placed}


def test_combined_pdf_has_every_page_in_order_and_each_document_its_range():
    from pypdf import PdfReader
    files = [("a.pdf", esign.pdf_file(2)), ("b.pdf", esign.pdf_file(1)), ("c.pdf", esign.pdf_file(3))]
    combined = envelopes.combine([data for _name, data in files])
    assert combined["pages"] == [2, 1, 3]
    assert len(PdfReader(io.BytesIO(combined["pdf"])).pages) == 6
    layout = envelopes.layout(files, combined["pages"])
    assert [(d["filename"], d["first_page"], d["pages"]) for d in layout] == \
        [(d["filename"], d["first_page"], d["pages"]) for d in THREE_DOCUMENTS]
    assert layout[1]["sha256"] == hashlib.sha256(files[1][1]).hexdigest() and layout[1]["size"] == len(files[1][1])


def test_a_document_relative_page_becomes_the_envelope_page():
    specs = [_field(page=1), _field(document=1, page=2), _field(document=2, page=1), _field(document=3, page=3),
             _field(anchor="Signature")]
    placed, errors = envelopes.place_on_envelope(specs, THREE_DOCUMENTS)
    assert errors == {}
    assert [f.get("page") for f in placed] == [1, 2, 3, 6, None]
    assert all("document" not in f for f in placed)


def test_a_page_beyond_its_document_or_an_unknown_document_is_named():
    specs = [_field(document=2, page=1), _field(document=2, page=2), _field(document=4, page=1)]
    _placed, errors = envelopes.place_on_envelope(specs, THREE_DOCUMENTS)
    assert set(errors) == {"1", "2"}
    assert "page 2 is out of range (document 2, b.pdf, has 1)" in errors["1"][0]
    assert "document 4 is out of range" in errors["2"][0]


def test_a_single_document_of_unknown_pages_leaves_the_page_check_to_placement():
    single = [{"filename": "contract.pdf", "first_page": 1, "pages": None}]
    placed, errors = envelopes.place_on_envelope([_field(document=1, page=5)], single)
    assert errors == {} and placed[0]["page"] == 5


def test_documents_of_a_request_on_a_single_document_is_its_own_columns():
    single = SimpleNamespace(documents=None, document_filename="q.pdf", document_sha256="ab" * 32,
                             document_size=123, page_sizes=[{"width": 1, "height": 1}] * 2)
    assert envelopes.documents_of(single) == [{"filename": "q.pdf", "sha256": "ab" * 32, "size": 123,
                                               "first_page": 1, "pages": 2}]
    envelope = SimpleNamespace(documents=THREE_DOCUMENTS)
    assert envelopes.documents_of(envelope) == THREE_DOCUMENTS


REQUEST = {"title": "Envelope", "signers": [{"name": "A", "email": "a@example.com"}]}
FILE = {"filename": "a.pdf", "content_base64": "JVBERi0="}


@pytest.mark.parametrize("payload, field", [
    ({**REQUEST, "document": FILE, "documents": [FILE]}, "documents"),
    (REQUEST, "document"),
    ({**REQUEST, "documents": []}, "documents"),
    ({**REQUEST, "documents": [FILE] * 11}, "documents"),
    ({**REQUEST, "documents": [FILE], "fields": [_field(anchor="Sign", document=1)]}, "fields"),
])
def test_document_or_documents(payload, field):
    with pytest.raises(ValidationError) as refused:
        schemas.DocumentRequestIn().load(payload)
    assert field in refused.value.messages


def test_an_envelope_payload_and_a_contract_with_annexes_load():
    data = schemas.DocumentRequestIn().load({**REQUEST, "documents": [FILE, FILE],
                                             "fields": [_field(document=2, page=1)]})
    assert len(data["documents"]) == 2 and "document" not in data and data["fields"][0]["document"] == 2
    contract = schemas.RequestIn().load({"contract_id": "c1", "signers": REQUEST["signers"]})
    assert contract["documents"] == []


@pytest.mark.parametrize("locale, heading", [("fr", "Documents de l'enveloppe"), ("en", "Documents of the envelope")])
def test_the_proof_lists_each_document_with_its_pages_and_hash(locale, heading):
    from signing_service import proof

    def context(**more):
        return {"locale": locale, "document": {"filename": "agreement.pdf", "sha256": "a" * 64}, "sealed": {},
                "request": {"id": "r1", "status": "completed", "created_at": "2026-12-02T10:00:00Z"},
                "evidence": [], "audit": [], "chain": {"valid": True}, "generated_at": "2026-12-02T10:00:00Z",
                **more}
    documents = [{**d, "sha256": str(n) * 64, "size": 1000 + n} for n, d in enumerate(THREE_DOCUMENTS, 1)]
    html = proof.build_html(context(documents=documents))
    assert heading.replace("'", "&#39;") in html and proof.LABELS[locale]["envelope_note"].split(" ")[0] in html
    for d, pages in zip(documents, ("1–2", "3<", "4–6")):
        assert d["filename"] in html and d["sha256"] in html and f"<td>{pages}" in html
    assert heading.replace("'", "&#39;") not in proof.build_html(context())  # a single document: no list
