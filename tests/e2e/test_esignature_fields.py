"""Placed fields through the gateway: the quote template's {{sig:1}} tag, coordinates and anchors, bad
placements, required values, and the values flattened onto the sealed PDF (text read back with pypdf,
the signature box rendered with pypdfium2)."""
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
from pypdf import PdfReader

from paraph_platform.dates import long_date
from signing_service import fields
from signing_service import testing as esign

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@pytest.fixture
def world(esign_system):
    return esign.quote_to_sign(esign_system)  # one system for the module, a license per test


def _create(world, **body):
    return world["s"].post(f"/api/v1/contracts/{world['quote']['id']}/signature-requests", token=world["sales"],
                           json={"signers": [{"contact_id": world["jeanne"]["id"]},
                                             {"contact_id": world["paul"]["id"]}], **body})


def _text_box(pdf: bytes, needle: str):
    """(page index, x, top) of ``needle`` in the PDF's text, top-left origin."""
    reader = PdfReader(io.BytesIO(pdf))
    for n, (page, size) in enumerate(zip(reader.pages, fields.page_sizes(reader))):
        hits = fields.find_in_runs(fields.text_runs(page, size), needle)
        if hits:
            return n, hits[0]["x"], hits[0]["top"]
    return None


def test_bad_placements_are_422_naming_the_field(world):
    r = _create(world, fields=[
        {"type": "text", "signer": 1, "page": 9, "x": 10, "y": 10},
        {"type": "signature", "signer": 3, "page": 1, "x": 10, "y": 10},
        {"type": "initials", "signer": 2, "anchor": "No such words anywhere"},
        {"type": "signature", "signer": 1, "page": 1, "x": 500, "y": 10, "width": 180, "height": 50}])
    assert r.status_code == 422 and r.mimetype == "application/problem+json", r.get_json()
    errors = r.get_json()["errors"]["fields"]
    assert set(errors) == {"0", "1", "2", "3"}
    assert "out of range" in errors["0"][0] and "signer 3" in errors["1"][0]
    assert "not found" in errors["2"][0] and "off the page" in errors["3"][0]
    r = _create(world, fields=[{"type": "text", "signer": 1, "anchor": "x", "page": 1}])
    assert r.status_code == 422, r.get_json()


def test_fields_placed_filled_and_stamped_before_the_seal(world):
    s, sales = world["s"], world["sales"]
    r = _create(world, locale="en", fields=[
        {"type": "text", "signer": 1, "page": 1, "x": 56, "y": 700, "width": 200, "height": 18,
         "label": "PO number"},
        {"type": "checkbox", "signer": 1, "page": 1, "x": 56, "y": 730, "label": "I read the terms"},
        {"type": "date_signed", "signer": 1, "page": 1, "x": 56, "y": 760},
        {"type": "initials", "signer": 2, "anchor": "Maintenance annuelle", "offset_y": 14}])
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    detail = s.get(f"/api/v1/signature-requests/{req['id']}", token=sales).get_json()
    jeanne_id, paul_id = [p["id"] for p in detail["participants"]]
    by = {}
    for f in detail["fields"]:
        by.setdefault((f["participant_id"], f["type"]), []).append(f)
    assert not any(f["filled"] for f in detail["fields"])
    # the quote template's invisible {{sig:1}} tag: Jeanne's signature sits in the "Bon pour accord" box
    sig, = by[(jeanne_id, "signature")]
    pdf = s.get(f"/api/v1/contracts/{world['quote']['id']}/pdf", token=sales).data
    page, label_x, label_top = _text_box(pdf, "Bon pour accord") or _text_box(pdf, "Approved")
    assert sig["page"] == page + 1 and abs(sig["x"] - label_x) < 2 and 0 < sig["y"] - label_top < 20
    assert sig["x"] + sig["width"] < 595.28 - 56 and sig["required"] is True
    # Paul: the anchored initials, and a signature added for him (last page, bottom)
    assert len(by[(paul_id, "initials")]) == 1 and by[(paul_id, "signature")][0]["y"] > 700
    assert by[(jeanne_id, "date_signed")][0]["required"] is False

    # the link shows only the caller's fields, and the pages' sizes
    tok = esign.token(s, "jeanne@client.test")
    info = s.get(f"/api/v1/sign/{tok}").get_json()
    assert {f["participant_id"] for f in info["fields"]} == {jeanne_id}
    assert info["pages"][0] == {"width": 595.28, "height": 841.89}
    text_id = by[(jeanne_id, "text")][0]["id"]
    box_id = by[(jeanne_id, "checkbox")][0]["id"]

    assert s.post(f"/api/v1/sign/{tok}/otp", json={}).status_code == 200
    body = {"otp": esign.otp(s, "jeanne@client.test"), "consent": True, "consent_sha256": info["consent_sha256"],
            "signature_image": esign.signature_png(), "time_zone": "Europe/Paris"}
    r = s.post(f"/api/v1/sign/{tok}/sign", json={**body, "fields": {box_id: True}})
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["errors"]["fields"] == {text_id: ["required"]}
    r = s.post(f"/api/v1/sign/{tok}/sign", json={**body, "time_zone": "Mars/Olympus",
                                                  "fields": {text_id: "PO-4242", box_id: True}})
    assert r.status_code == 422 and "time_zone" in r.get_json()["errors"], r.get_json()
    r = s.post(f"/api/v1/sign/{tok}/sign", json={**body, "fields": {text_id: "PO-4242", box_id: True}})
    assert r.status_code == 200, r.get_json()

    tok = esign.token(s, "paul@client.test")
    info = s.get(f"/api/v1/sign/{tok}").get_json()
    initials_id = by[(paul_id, "initials")][0]["id"]
    assert s.post(f"/api/v1/sign/{tok}/otp", json={}).status_code == 200
    r = s.post(f"/api/v1/sign/{tok}/sign", json={
        "otp": esign.otp(s, "paul@client.test"), "consent": True, "typed_name": "Paul Martin",
        "fields": {initials_id: {"typed": "PM"}}})
    assert r.status_code == 200, r.get_json()

    def completed():
        body = s.get(f"/api/v1/signature-requests/{req['id']}", token=sales).get_json()
        return body if body["status"] == "completed" else None
    detail = s.wait_for(completed, timeout=60, message="the request to be sealed")
    assert all(f["filled"] for f in detail["fields"])
    sealed = s.get(f"/api/v1/signature-requests/{req['id']}/signed.pdf", token=sales).data
    assert sealed.startswith(pdf)  # stamped as an incremental update, then sealed
    sigs = esign.pdf_signatures(sealed)
    # the seal covers the stamped revision (later revisions: PAdES long-term validation data only)
    assert sigs and sigs[0]["intact"] and sigs[0]["coverage"] in ("ENTIRE_FILE", "ENTIRE_REVISION")

    pages = PdfReader(io.BytesIO(sealed)).pages
    first, last = pages[sig["page"] - 1].extract_text(), pages[-1].extract_text()
    assert "Jeanne Dupont" in first and "Signed electronically by Paraph" in first and "(UTC+1)" in first
    assert "PO-4242" in pages[0].extract_text() and "PM" in pages[0].extract_text()
    # the date field: the day Jeanne signed in her zone, written as the proof writes it ("3 December 2026")
    acted_at = next(p["acted_at"] for p in detail["participants"] if p["id"] == jeanne_id)
    day = datetime.fromisoformat(acted_at).astimezone(ZoneInfo("Europe/Paris"))
    assert long_date(day, "en") in pages[0].extract_text()
    assert "Paul Martin" in last and last.count("Signed electronically by Paraph") >= 1

    # Jeanne's drawn signature: the box area of the rendered page is not blank (it is on the original)
    def ink(document: bytes) -> int:
        doc = pypdfium2.PdfDocument(document)
        try:
            scale = 2
            image = doc[sig["page"] - 1].render(scale=scale).to_pil().convert("L")
            if document is sealed:  # kept for a look (like the browser tests' screenshots)
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                image.save(SCREENSHOTS / "esignature_fields_signed_page.png")
            area = image.crop((int(sig["x"] * scale), int(sig["y"] * scale),
                               int((sig["x"] + sig["width"]) * scale), int((sig["y"] + sig["height"]) * scale)))
            return sum(1 for v in area.getdata() if v < 160)
        finally:
            doc.close()
    assert ink(pdf) < 50 and ink(sealed) > 200
