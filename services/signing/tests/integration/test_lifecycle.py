"""Declining, cancelling, reminding, expiring; one request at a time; append-only evidence; a real HTTP
TSA (and its outage) and a configured PKCS#12 sealing key."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from paraph_platform.db import normalize_url
from signing_service import testing as esign

pytestmark = pytest.mark.integration


@pytest.fixture
def world(shared_world):
    """One system for the module; each test has its own license (the tests that change the sealing settings
    or tamper with the database make their own with ``make_world``)."""
    return shared_world


def test_a_signer_declining_makes_the_quote_refused(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}, {"contact_id": world.paul["id"]}])
    tok = esign.token(s, "jeanne@client.test")
    r = s.post(f"/api/v1/sign/{tok}/decline", json={"reason": ""})
    assert r.status_code == 422
    r = s.post(f"/api/v1/sign/{tok}/decline", json={"reason": "Le prix a changé"},
               headers={"User-Agent": "UA/1"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["request_status"] == "declined"
    s.wait_for(lambda: world.contract_status(world.quote["id"]) == "refused", timeout=20,
               message="the quote to be refused")
    detail = world.detail(req["id"])
    assert detail["status"] == "declined" and "Le prix a changé" in detail["end_reason"]
    ev = detail["evidence"][0]
    assert ev["action"] == "decline" and ev["reason"] == "Le prix a changé" and ev["user_agent"] == "UA/1"
    [declined] = esign.events(s, "signer.declined.v1")
    assert declined["data"]["reason"] == "Le prix a changé" and declined["data"]["contract_id"] == world.quote["id"]
    # nothing more can happen on it; the proof (audit report) is available
    r = s.post(f"/api/v1/sign/{tok}/otp", json={})
    assert r.status_code == 409
    r = s.get(f"/api/v1/signature-requests/{req['id']}/proof.pdf", token=world.sales_token)
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    r = s.get(f"/api/v1/signature-requests/{req['id']}/signed.pdf", token=world.sales_token)
    assert r.status_code == 409


def test_an_approver_declining_ends_the_request_but_not_the_quote(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}], approvers=[{"user_id": world.boss["user"]["user_id"]}])
    tok = esign.token(s, world.email["boss"])
    assert s.post(f"/api/v1/sign/{tok}/sign", json={"consent": True, "otp": "123456"}).status_code == 409
    r = s.post(f"/api/v1/sign/{tok}/decline", json={"reason": "Remise trop forte"})
    assert r.status_code == 200, r.get_json()
    assert world.detail(req["id"])["status"] == "declined"
    assert esign.events(s, "approver.declined.v1") and not esign.events(s, "signer.declined.v1")
    # sent for signature, and not refused: an approver's refusal is not the customer's
    s.wait_for(lambda: world.contract_status(world.quote["id"]) == "sent", message="quote sent for signature")
    # the signer was never asked
    assert not esign.notifications(s, "signature_request", "jeanne@client.test")
    # a new request can be made once the previous one ended
    world.create([{"contact_id": world.jeanne["id"]}])


def test_cancel_remind_and_one_request_at_a_time(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}], message="Bonjour")
    world.create([{"contact_id": world.paul["id"]}], expect=409)
    first = esign.notifications(s, "signature_request", "jeanne@client.test")
    assert len(first) == 1 and first[0]["vars"]["message"] == "Bonjour" and first[0]["locale"] == "fr"
    assert first[0]["vars"]["number"] == world.quote["number"] and first[0]["vars"]["license_name"] == "Vendeur SA"
    assert first[0]["dedupe_key"].startswith("signature_request:")
    r = s.post(f"/api/v1/signature-requests/{req['id']}/remind", token=world.sales_token)
    assert r.status_code == 200 and r.get_json()["reminded"] == 1, r.get_json()
    again = s.post(f"/api/v1/signature-requests/{req['id']}/remind", token=world.sales_token)
    assert again.get_json()["reminded"] == 0  # not twice in a row
    [reminder] = esign.notifications(s, "signature_reminder")
    assert reminder["vars"]["link"] == first[0]["vars"]["link"]  # the same personal link
    # somebody who does not see the contract cannot cancel; a colleague who does but is not the owner neither
    r = s.post(f"/api/v1/signature-requests/{req['id']}/cancel", json={}, token=world.other["access_token"])
    assert r.status_code == 404
    r = s.post(f"/api/v1/signature-requests/{req['id']}/cancel", json={}, token=world.boss["access_token"])
    assert r.status_code == 403
    r = s.post(f"/api/v1/signature-requests/{req['id']}/cancel", json={"reason": "erreur de prix"},
               token=world.sales_token)
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled", r.get_json()
    tok = esign.token(s, "jeanne@client.test")
    assert s.get(f"/api/v1/sign/{tok}").get_json()["request"]["status"] == "cancelled"
    assert s.post(f"/api/v1/sign/{tok}/otp", json={}).status_code == 410
    assert s.get(f"/api/v1/sign/{tok}/document").status_code == 410
    assert esign.events(s, "signature.cancelled.v1")[0]["data"]["reason"] == "erreur de prix"
    page = s.get(f"/sign/{tok}")
    assert page.status_code == 200 and "annulée" in page.get_data(as_text=True)
    listed = s.get(f"/api/v1/signature-requests?contract_id={world.quote['id']}", token=world.sales_token).get_json()
    assert [x["status"] for x in listed["items"]] == ["cancelled"]
    world.create([{"contact_id": world.jeanne["id"]}])  # a new one is possible now


def test_remind_one_participant_whose_turn_it_is(world):
    """The signature center's "Remind" on one person: only them, only on their turn; 404 for a stranger."""
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}], approvers=[{"user_id": world.boss["user"]["user_id"]}])
    by_role = {p["role"]: p for p in req["participants"]}
    remind = f"/api/v1/signature-requests/{req['id']}/remind"
    r = s.post(remind, json={"participant_id": by_role["signer"]["id"]}, token=world.sales_token)
    assert r.status_code == 409 and "turn" in r.get_json()["detail"], r.get_json()  # the approver acts first
    assert s.post(remind, json={"participant_id": "nobody"}, token=world.sales_token).status_code == 404
    assert s.post(remind, json={"participant_id": 7}, token=world.sales_token).status_code == 422
    r = s.post(remind, json={"participant_id": by_role["approver"]["id"]}, token=world.sales_token)
    assert r.status_code == 200 and r.get_json() == {"reminded": 1, "participant_ids": [by_role["approver"]["id"]],
                                               "next_reminder_at": None}
    assert [n["to"] for n in esign.notifications(s, "signature_reminder")] == [world.email["boss"]]


def test_expiry_and_scheduled_reminders(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}], expires_in_days=5)
    assert world.maintenance()["reminded"] == 0  # reminders come SIGNATURE_REMINDER_AFTER_HOURS (72) later
    soon = (datetime.now(timezone.utc) + timedelta(days=3, hours=1)).isoformat()
    assert world.maintenance(soon) == {"expired": 0, "reminded": 1, "sealed": 0, "embed_urls_deleted": 0}
    assert world.maintenance(soon)["reminded"] == 0  # once per SIGNATURE_REMINDER_AFTER_HOURS
    assert world.maintenance((datetime.now(timezone.utc) + timedelta(days=6)).isoformat())["expired"] == 1
    detail = world.detail(req["id"])
    assert detail["status"] == "expired" and detail["audit_trail"][-1]["type"] == "expired"
    assert esign.events(s, "signature.expired.v1")
    tok = esign.token(s, "jeanne@client.test")
    assert s.post(f"/api/v1/sign/{tok}/decline", json={"reason": "trop tard"}).status_code == 410


def test_a_signed_or_refused_quote_cannot_be_sent_for_signature(world):
    s = world.s
    r = s.post(f"/api/v1/contracts/{world.quote['id']}/status", json={"status": "sent"}, token=world.sales_token)
    assert r.status_code == 200
    r = s.post(f"/api/v1/contracts/{world.quote['id']}/status", json={"status": "refused"}, token=world.sales_token)
    assert r.status_code == 200
    world.create([{"contact_id": world.jeanne["id"]}], expect=409)


def test_a_sent_quote_turned_into_an_order_is_not_sent_for_signature(world):
    """The customer ordered already (an order was made from the quote while it was still "sent"): a signature
    would ask them to accept it again. The 409 names the order; a copy of the quote is no such order."""
    s = world.s
    quote = world.new_quote(contact=world.jeanne["id"])
    assert s.post(f"/api/v1/contracts/{quote['id']}/status", json={"status": "sent"},
                  token=world.sales_token).status_code == 200
    assert s.post(f"/api/v1/contracts/{quote['id']}/duplicate", token=world.sales_token).status_code == 201
    assert s.get(f"/api/v1/contracts/{quote['id']}", token=world.sales_token).get_json()["converted_into"] == []
    order = s.post(f"/api/v1/contracts/{quote['id']}/convert", json={"target": "order"},
                   token=world.sales_token).get_json()
    assert s.get(f"/api/v1/contracts/{quote['id']}", token=world.sales_token).get_json()["converted_into"] == [
        {"id": order["id"], "kind": "order", "number": order["number"]}]
    r = s.post(f"/api/v1/contracts/{quote['id']}/signature-requests", token=world.sales_token,
               json={"signers": [{"contact_id": world.jeanne["id"]}]})
    assert r.status_code == 409 and r.mimetype == "application/problem+json", r.get_json()
    problem = r.get_json()
    assert problem["detail"] == (f"This quote was turned into an order ({order['number']}): it is not sent for "
                                 "signature any more.")
    assert problem["converted_into"] == [{"id": order["id"], "kind": "order", "number": order["number"]}]
    assert s.get(f"/api/v1/signature-requests?contract_id={quote['id']}", token=world.sales_token).get_json()[
        "items"] == []


def test_bad_inputs_are_4xx_never_500(world):
    s = world.s
    bad = [
        {},
        {"signers": []},
        {"signers": [{}]},
        {"signers": [{"email": "x@y.test"}]},                          # a name is needed
        {"signers": [{"user_id": "u", "email": "x@y.test"}]},            # two identities
        {"signers": [{"contact_id": world.jeanne["id"]}, {"contact_id": world.jeanne["id"]}]},
        {"signers": [{"name": "X", "email": "x@y.test", "otp_channel": "sms"}]},
        {"signers": [{"name": "X", "email": "not-an-email"}]},
        {"signers": [{"name": "X", "email": "x@y.test", "order": 0}]},
        {"signers": "everyone"},
        {"signers": [{"name": "X", "email": "x@y.test"}], "expires_in_days": 0},
        {"signers": [{"name": "X", "email": "x@y.test"}], "unknown": 1},
    ]
    for body in bad:
        r = s.post(f"/api/v1/contracts/{world.quote['id']}/signature-requests", json=body, token=world.sales_token)
        assert r.status_code in (400, 422), (body, r.status_code, r.get_json())
        assert r.mimetype == "application/problem+json"
    r = s.post("/api/v1/contracts/nope/signature-requests", json={"signers": [{"name": "X", "email": "x@y.test"}]},
               token=world.sales_token)
    assert r.status_code == 404
    for path in ("/api/v1/sign/short", "/api/v1/sign/" + "A" * 43, "/api/v1/sign/" + "A" * 43 + "/document"):
        assert s.get(path).status_code == 404
    assert s.post("/api/v1/sign/" + "A" * 43 + "/sign", json={"otp": "1"}).status_code == 404
    assert s.get("/sign/" + "A" * 43).status_code == 404
    assert s.get("/api/v1/signature-requests/nope", token=world.sales_token).status_code == 404
    assert s.post("/api/v1/signatures/verify", data=b"hello", headers={"Content-Type": "application/pdf"},
                  token=world.sales_token).status_code == 422
    assert s.post("/api/v1/signatures/verify", json={"content_base64": "!!"}, token=world.sales_token).status_code == 422
    assert s.post("/api/v1/signatures/verify", data="x", headers={"Content-Type": "text/plain"},
                  token=world.sales_token).status_code == 400
    assert s.post("/api/v1/signatures/verify", data=b"%PDF-1.4 junk", headers={"Content-Type": "application/pdf"}
                  ).status_code == 401
    r = s.post("/api/v1/signatures/verify", data=b"%PDF-1.4 junk", headers={"Content-Type": "application/pdf"},
               token=world.sales_token)
    assert r.status_code == 200 and r.get_json()["valid"] is False


def test_evidence_and_audit_are_append_only_and_the_chain_detects_tampering(make_world):
    world = make_world()  # its own database: it rewrites rows with the append-only trigger off
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}])
    assert esign.sign_via_link(s, "jeanne@client.test").status_code == 200
    world.wait_status(req["id"], "completed")
    engine = create_engine(normalize_url(s.db_url("signing")))
    try:
        for sql in ("update audit_entries set body = body where seq = 1", "delete from audit_entries",
                    "update evidence set ip = '1.2.3.4'", "delete from evidence", "truncate audit_entries cascade"):
            with pytest.raises(DBAPIError, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(text(sql))
        # a superuser who disables the trigger can rewrite a row: the chain tells
        with engine.begin() as conn:
            conn.execute(text("alter table audit_entries disable trigger audit_entries_append_only"))
            conn.execute(text("update audit_entries set body = replace(body, 'jeanne@client.test', "
                              "'mallory@evil.test') where type = 'signed'"))
            conn.execute(text("alter table audit_entries enable trigger audit_entries_append_only"))
    finally:
        engine.dispose()
    chain = world.detail(req["id"])["chain"]
    assert chain["valid"] is False and chain["errors"][0]["problems"] == ["entry_hash does not match its content"]


def test_sealing_with_an_http_tsa_survives_its_outage(make_world, tmp_path):
    from signing_service.devtsa import start_tsa
    tsa = start_tsa()
    try:
        # B-T: the outage is of the signature's timestamp; the long-term levels only add work to each seal
        # (their own tests are in test_crypto.py and tests/e2e/test_esignature_flow.py)
        world = make_world(service_config={"signing": {"TSA_URL": tsa.url, "SIGNING_TRUST_ROOTS_PEM": tsa.ca_pem,
                                                       "SEAL_RETRY_AFTER_SECONDS": 0,
                                                       "SIGNATURE_PADES_LEVEL": "B-T"}})
        s = world.s
        req = world.create([{"contact_id": world.jeanne["id"]}])
        tsa.fail = True
        assert esign.sign_via_link(s, "jeanne@client.test").status_code == 200
        s.wait_for(lambda: tsa.requests >= 1, timeout=20, message="a timestamp request")
        assert world.detail(req["id"])["status"] == "sealing"  # the signature is kept, sealing waits
        tsa.fail = False
        s.wait_for(lambda: world.maintenance()["sealed"] == 1 or world.detail(req["id"])["status"] == "completed",
                   timeout=30, message="a retried seal")
        detail = world.wait_status(req["id"], "completed")
        assert detail["seal"]["tsa"] == tsa.url
        sealed = s.get(f"/api/v1/signature-requests/{req['id']}/signed.pdf", token=world.sales_token).data
        v = s.post("/api/v1/signatures/verify", data=sealed, headers={"Content-Type": "application/pdf"},
                   token=world.sales_token).get_json()
        assert v["valid"] and v["trusted"] and v["signatures"][0]["timestamp"]["trusted"]
    finally:
        tsa.stop()


def test_a_configured_pkcs12_key_seals(make_world, tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.serialization import pkcs12

    from signing_service import crypto
    creds = crypto.generate_dev_credentials()
    p12 = tmp_path / "company-seal.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"seal", ser.load_pem_private_key(creds["signer.key.pem"], None),
        x509.load_pem_x509_certificate(creds["signer.pem"]), [x509.load_pem_x509_certificate(creds["ca.pem"])],
        ser.BestAvailableEncryption(b"s3cret")))
    world = make_world(service_config={"signing": {"SIGNING_P12_PATH": str(p12), "SIGNING_P12_PASSWORD": "s3cret"}})
    req = world.create([{"contact_id": world.jeanne["id"]}])
    assert esign.sign_via_link(world.s, "jeanne@client.test").status_code == 200
    detail = world.wait_status(req["id"], "completed")
    assert detail["seal"]["key_source"] == "p12"
    assert detail["seal"]["certificate_sha256"] == x509.load_pem_x509_certificate(creds["signer.pem"]).fingerprint(
        __import__("cryptography.hazmat.primitives.hashes", fromlist=["SHA256"]).SHA256()).hex()


def test_parallel_signers_and_an_external_person(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"], "order": 1},
                        {"name": "Expert Comptable", "email": "Expert@Cabinet.test", "order": 1},
                        {"contact_id": world.paul["id"], "order": 2}])
    asked = {n["to"] for n in esign.notifications(s, "signature_request")}
    assert asked == {"jeanne@client.test", "expert@cabinet.test"}  # the same order acts in parallel
    assert esign.sign_via_link(s, "expert@cabinet.test", image=False).status_code == 200
    assert not esign.notifications(s, "signature_request", "paul@client.test")  # Jeanne has not signed yet
    assert esign.sign_via_link(s, "jeanne@client.test").status_code == 200
    assert esign.sign_via_link(s, "paul@client.test").status_code == 200
    detail = world.wait_status(req["id"], "completed")
    assert [p["kind"] for p in detail["participants"]] == ["contact", "external", "contact"]
    assert [x["name"] for x in esign.events(s, "signature.completed.v1")[0]["data"]["signers"]] == [
        "Jeanne Dupont", "Expert Comptable", "Paul Martin"]
