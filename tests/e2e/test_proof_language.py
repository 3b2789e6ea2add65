"""The proof of signature a person reads, through the gateway: entirely in the request's language
(labels, statuses, audit events) with times in the signer's time zone, written like
"1er décembre 2026 à 21:24:38 (UTC+1)" / "1 December 2026 at 21:24:38 (UTC+1)"."""
import io
import re

import pytest
from pypdf import PdfReader

from signing_service import testing as esign

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

FR_TIME = re.compile(r"\d{1,2}(?:er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
                     r"décembre) \d{4} à \d{2}:\d{2}:\d{2} \(UTC\+[12]\)")
EN_TIME = re.compile(r"\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) "
                     r"\d{4} at \d{2}:\d{2}:\d{2} \(UTC\+[12]\)")  # the day first, as in the UK


@pytest.fixture
def world(esign_license):
    # one system for the module: each test its own license, users and outbox rows
    s, sales = esign_license.s, esign_license.sales
    r = s.post("/api/v1/customers", json={"name": "Client SARL", "contacts": [
        {"first_name": "Jeanne", "last_name": "Dupont", "email": "jeanne@client.test"}]},
        token=sales["access_token"])
    assert r.status_code == 201, r.get_json()
    return {"s": s, "sales": sales["access_token"], "jeanne": r.get_json()["contacts"][0]}


def request_for(world, locale: str) -> dict:
    s, sales = world["s"], world["sales"]
    r = s.post("/api/v1/quotes", token=sales, json={
        "title": "Maintenance 2027", "contact_id": world["jeanne"]["id"], "locale": locale, "lines": [
            {"description": "Maintenance annuelle", "quantity": "1", "unit_price": "1200.00", "tax_rate": "20"}]})
    assert r.status_code == 201, r.get_json()
    r = s.post(f"/api/v1/contracts/{r.get_json()['id']}/signature-requests", token=sales,
               json={"signers": [{"contact_id": world["jeanne"]["id"]}]})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def proof_text(world, request_id: str) -> str:
    r = world["s"].get(f"/api/v1/signature-requests/{request_id}/proof.pdf", token=world["sales"])
    assert r.status_code == 200, r.get_json()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def test_a_signed_request_proof_in_french(world):
    s = world["s"]
    req = request_for(world, "fr")
    tok = esign.token(s, "jeanne@client.test")
    assert s.get(f"/api/v1/sign/{tok}/document").status_code == 200
    info = s.get(f"/api/v1/sign/{tok}").get_json()
    assert s.post(f"/api/v1/sign/{tok}/otp", json={}).status_code == 200
    # the signer's device is in Guadeloupe (UTC-4 all year): her acts are written in her time zone
    r = s.post(f"/api/v1/sign/{tok}/sign", json={
        "otp": esign.otp(s, "jeanne@client.test"), "consent": True, "consent_sha256": info["consent_sha256"],
        "typed_name": "Jeanne Dupont", "signature_image": esign.signature_png(), "time_zone": "America/Guadeloupe"})
    assert r.status_code == 200, r.get_json()
    s.wait_for(lambda: s.get(f"/api/v1/signature-requests/{req['id']}", token=world["sales"])
               .get_json()["status"] == "completed", timeout=30, message="the request to be sealed")
    text = proof_text(world, req["id"])
    for words in ("Preuve de signature électronique", "Statut Terminée", "Demande créée", "Signature demandée",
                  "Document consulté", "Code à usage unique envoyé", "Canal : email", "Signé",
                  # her request had no other signer: not "every signer"
                  "Jeanne Dupont a signé : le document est complet", "Document scellé", "Demande terminée",
                  "contact client", "code à usage unique envoyé par email", "lien personnel", "Date et heure"):
        assert words in text, words
    assert "Tous les signataires" not in text
    assert FR_TIME.search(text), text[:2000]  # the request's own dates: in the default zone (Paris)
    signed_at = re.search(r"Date et heure (\d{1,2} \w+ \d{4} à \d{2}:\d{2}:\d{2} \(UTC[-+][\d:]+\))", text)
    assert signed_at and signed_at.group(1).endswith("(UTC-4)"), text[:3000]
    for english in ("request_created", "signature_requested", "otp_sent", "completed", "Z "):
        assert english not in text, english


def test_a_declined_request_proof_in_english(world):
    s = world["s"]
    req = request_for(world, "en")
    tok = esign.token(s, "jeanne@client.test")
    r = s.post(f"/api/v1/sign/{tok}/decline", json={"reason": "The price changed"})
    assert r.status_code == 200, r.get_json()
    text = proof_text(world, req["id"])
    for words in ("Proof of electronic signature", "Status Declined", "Request created", "Signature requested",
                  "Declined", "Reason: The price changed", "customer contact", "Date and time"):
        assert words in text, words
    assert EN_TIME.search(text), text[:2000]
    for french in ("Demande", "Refusé", "request_created", "declined"):
        assert french not in text, french
