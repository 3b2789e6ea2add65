"""E-signature of a quote, end to end (Initiative CRM case): an internal approver, then two customer
contacts sign in turn with one-time codes; the PDF is sealed (PAdES B-LTA, pyHanko), the proof of
signature is downloadable, the quote becomes "accepted" in contracts, a signer saving it from their link is a
download in the quote's activity, and verification tells a sealed PDF from a tampered one. Real identity,
perimeter, contracts, signing and portal services behind the gateway."""
import base64
import io

import pytest
from asn1crypto import crl as asn1_crl

from signing_service import testing as esign

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture
def world(system):
    s = system("identity", "perimeter", "contracts", "signing", "portal")  # portal: the quote's activity
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    sales = s.add_user(admin, "sales@vendeur.test", name="Sam Sales")
    boss = s.add_user(admin, "boss@vendeur.test", name="Bea Boss")
    r = s.post("/api/v1/customers", json={"name": "Client SARL", "contacts": [
        {"first_name": "Jeanne", "last_name": "Dupont", "email": "jeanne@client.test"},
        {"first_name": "Paul", "last_name": "Martin", "email": "paul@client.test", "mobile": "+33 6 12 34 56 78"}]},
        token=sales["access_token"])
    assert r.status_code == 201, r.get_json()
    customer = r.get_json()
    jeanne, paul = sorted(customer["contacts"], key=lambda c: c["first_name"])
    r = s.post("/api/v1/quotes", json={"title": "Maintenance 2027", "contact_id": jeanne["id"], "lines": [
        {"description": "Maintenance annuelle", "quantity": "1", "unit_price": "1200.00", "tax_rate": "20"}]},
        token=sales["access_token"])
    assert r.status_code == 201, r.get_json()
    return {"s": s, "admin": admin, "sales": sales, "boss": boss, "customer": customer, "jeanne": jeanne,
            "paul": paul, "quote": r.get_json()}


def test_approver_then_two_signers_seal_proof_and_accepted_quote(world):
    s, sales, boss = world["s"], world["sales"]["access_token"], world["boss"]
    quote = world["quote"]
    r = s.post(f"/api/v1/contracts/{quote['id']}/signature-requests", token=sales, json={
        "approvers": [{"user_id": boss["user"]["user_id"]}],
        "signers": [{"contact_id": world["jeanne"]["id"]},
                    {"contact_id": world["paul"]["id"], "otp_channel": "sms"}],
        "message": "Merci de signer le devis."})
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    assert req["status"] == "pending" and req["stage"] == "approval"
    statuses = [(p["role"], p["name"], p["status"]) for p in req["participants"]]
    assert statuses == [("approver", "Bea Boss", "pending"), ("signer", "Jeanne Dupont", "waiting"),
                        ("signer", "Paul Martin", "waiting")]
    assert "sign_path" not in req["participants"][0]  # staff never see the signers' secret links
    # the frozen document is the contract's PDF
    pdf = s.get(f"/api/v1/contracts/{quote['id']}/pdf", token=sales)
    assert req["document"]["sha256"] == pdf.headers["X-Content-SHA256"]
    # only the approver was asked
    assert [n["to"] for n in esign.notifications(s, "signature_request")] == ["boss@vendeur.test"]

    # signers cannot act before the approval: Jeanne's link does not exist yet, the portal task neither
    tasks = s.get("/api/v1/me/signature-tasks", token=boss["access_token"]).get_json()
    assert [t["action"] for t in tasks] == ["approve"]
    r = s.post(f"/api/v1/signature-tasks/{tasks[0]['participant_id']}/act", token=boss["access_token"],
               json={"action": "approve", "consent": True, "consent_sha256": tasks[0]["consent_sha256"]})
    assert r.status_code == 200, r.get_json()
    assert s.get("/api/v1/me/signature-tasks", token=boss["access_token"]).get_json() == []

    # Jeanne signs from her link (one-time code by email), Paul then (code by SMS)
    assert [n["to"] for n in esign.notifications(s, "signature_request")][-1] == "jeanne@client.test"
    ua = {"User-Agent": "Mozilla/5.0 (Tablet) Test"}
    r = esign.sign_via_link(s, "jeanne@client.test", headers=ua)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["request_status"] == "pending"
    tok = esign.token(s, "paul@client.test")
    info = s.get(f"/api/v1/sign/{tok}").get_json()
    assert info["otp"]["channel"] == "sms" and info["otp"]["destination"].endswith("78")
    r = s.post(f"/api/v1/sign/{tok}/otp", json={})
    assert r.status_code == 200 and r.get_json()["channel"] == "sms", r.get_json()
    sms = esign.notifications(s, "signature_otp")[-1]
    # to the contact's mobile as SMS providers take it (E.164), typed "+33 6 12 34 56 78"
    assert sms["channel"] == "sms" and sms["to"] == "+33612345678"
    r = s.post(f"/api/v1/sign/{tok}/sign", json={"otp": sms["vars"]["code"], "consent": True,
                                                 "typed_name": "Paul Martin"}, headers=ua)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["request_status"] == "sealing"

    # sealed asynchronously
    def completed():
        body = s.get(f"/api/v1/signature-requests/{req['id']}", token=sales).get_json()
        return body if body["status"] == "completed" else None
    detail = s.wait_for(completed, timeout=60, message="the request to be sealed")  # B-LTA, twice (+ the proof)
    assert detail["chain"]["valid"] is True and detail["chain"]["entries"] == len(detail["audit_trail"])
    types = [a["type"] for a in detail["audit_trail"]]
    assert types[0] == "request_created" and types[-2:] == ["document_sealed", "completed"]
    assert types.count("signed") == 2 and types.count("approved") == 1
    signed = [e for e in detail["evidence"] if e["action"] == "sign"]
    assert {e["authentication"]["channel"] for e in signed} == {"email", "sms"}
    assert all(e["authentication"]["otp_verified"] and e["consent_accepted"] for e in signed)
    assert all(e["document_sha256"] == req["document"]["sha256"] for e in signed)
    assert all(e["user_agent"] == "Mozilla/5.0 (Tablet) Test" and e["ip"] for e in signed)
    assert detail["seal"]["level"] == "PAdES-B-LTA" and detail["seal"]["timestamp"]
    assert detail["seal"]["document_timestamp"]

    # the sealed PDF validates with pyHanko: intact, timestamped, PAdES, followed only by long-term
    # validation data (a DSS revision, a document timestamp)
    r = s.get(f"/api/v1/signature-requests/{req['id']}/signed.pdf", token=sales)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    sealed = r.data
    assert sealed.startswith(pdf.data)  # incremental update: the document shown is a prefix
    sigs = esign.pdf_signatures(sealed)
    assert len(sigs) == 1 and sigs[0]["intact"] and sigs[0]["coverage"] == "ENTIRE_REVISION"
    assert sigs[0]["modification_level"] == "LTA_UPDATES"
    assert sigs[0]["timestamp"] is not None and sigs[0]["timestamp"].intact
    assert sigs[0]["subfilter"] == "/ETSI.CAdES.detached"
    # B-LTA: with the development CA as the only trust root and the DSS as the only source of revocation
    # information, pyHanko trusts the seal and the document timestamp; the DSS holds the CRL the gateway serves
    ca = s.get("/api/v1/signing/ca.pem")
    crl = s.get("/api/v1/signing/ca.crl")
    assert ca.status_code == 200 and crl.status_code == 200 and crl.mimetype == "application/pkix-crl"
    long_term = esign.pdf_long_term(sealed, ca.data)
    [dss_crl] = long_term["crls"]
    assert dss_crl.issuer == asn1_crl.CertificateList.load(crl.data).issuer
    [seal] = long_term["signatures"]
    assert seal.intact and seal.valid and seal.trusted
    [doc_ts] = long_term["document_timestamps"]
    assert doc_ts.intact and doc_ts.valid and doc_ts.trusted

    # the proof of signature
    r = s.get(f"/api/v1/signature-requests/{req['id']}/proof.pdf", token=sales)
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert r.headers["X-Content-SHA256"] == detail["proof_sha256"]

    # verification: the sealed PDF is Paraph's; a tampered copy is not
    r = s.post("/api/v1/signatures/verify", data=sealed, headers={"Content-Type": "application/pdf"}, token=sales)
    assert r.status_code == 200, r.get_json()
    v = r.get_json()
    assert v["valid"] and v["sealed_by_paraph"] and v["kind"] == "sealed_document"
    assert v["request"]["id"] == req["id"] and [x["name"] for x in v["request"]["signers"]] == [
        "Jeanne Dupont", "Paul Martin"]
    assert v["signatures"][0]["timestamp"]["present"] and v["signatures"][0]["covers_whole_file"]
    assert v["pades_level"] == "B-LTA" and v["signatures"][0]["pades_level"] == "B-LTA"
    assert v["document_timestamp"]["present"] and v["document_timestamp"]["valid"] and v["document_timestamp"]["trusted"]
    tampered = bytearray(sealed)
    at = tampered.find(b"/Contents", 100)  # flip a byte of the original document (signed range)
    tampered[len(pdf.data) // 2] ^= 0x01
    r = s.post("/api/v1/signatures/verify", token=sales,
               data={"file": (io.BytesIO(bytes(tampered)), "tampered.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    v = r.get_json()
    assert v["valid"] is False and v["sealed_by_paraph"] is False and v["problems"]
    assert at > 0
    # the proof itself is sealed and verifiable
    proof = s.get(f"/api/v1/signature-requests/{req['id']}/proof.pdf", token=sales).data
    r = s.post("/api/v1/signatures/verify", token=sales,
               json={"content_base64": base64.b64encode(proof).decode(), "filename": "proof.pdf"})
    assert r.get_json()["valid"] and r.get_json()["kind"] == "proof"

    # contracts: the quote is accepted, with the signers and the request
    def accepted():
        c = s.get(f"/api/v1/contracts/{quote['id']}", token=sales).get_json()
        return c if c["status"] == "accepted" else None
    s.wait_for(accepted, timeout=20, message="the quote to become accepted")
    c = s.get(f"/api/v1/contracts/{quote['id']}", token=sales).get_json()
    assert c["signed_at"]
    # Paul saves the signed quote from his link: a download in the quote's activity (the page showing it is none)
    assert s.get(f"/api/v1/sign/{tok}/signed.pdf?inline=1", headers=ua).status_code == 200
    assert s.get(f"/api/v1/sign/{tok}/signed.pdf", headers=ua).data == sealed

    def downloaded():
        events = s.get(f"/api/v1/quotes/{quote['id']}/activity", token=sales).get_json()["events"]
        return [e for e in events if e["kind"] == "downloaded"] or None
    [download] = s.wait_for(downloaded, timeout=20, message="the signing link's download in the quote's activity")
    assert download["channel"] == "signing_link" and download["user_agent"] == ua["User-Agent"]
    # events for integrators
    done = esign.events(s, "signature.completed.v1")
    assert len(done) == 1
    data = done[0]["data"]
    assert data["contract_id"] == quote["id"] and data["sealed_sha256"] == detail["sealed_sha256"]
    assert [x["email"] for x in data["signers"]] == ["jeanne@client.test", "paul@client.test"]
    assert len(esign.events(s, "signer.signed.v1")) == 2
    # every participant is told, with the signed PDF attached
    completed_notes = esign.notifications(s, "signature_completed")
    assert {n["to"] for n in completed_notes} == {"boss@vendeur.test", "jeanne@client.test", "paul@client.test"}
    assert completed_notes[0]["attachments"][0]["kind"] == "signed_pdf"
