"""E-signature's news to the sender and to CC recipients through the real mail path (signing -> outbox ->
RabbitMQ -> notify -> SMTP -> mail sink): a declined request's reason reaches the salesperson who sent it,
and once a request is signed its CC recipients receive the sealed PDF (not the proof: it holds the
participants' addresses and devices)."""
import hashlib

import pytest

from signing_service import testing as esign

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def test_decline_reason_to_the_sender_and_signed_copies_to_cc(system, mail_sink):
    s = system("identity", "perimeter", "contracts", "signing", "notify", service_config={"notify": {
        "SMTP_URL": mail_sink.smtp_url, "MAIL_FROM": "Paraph <no-reply@paraph.test>"}})
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    T = s.add_user(admin, "sales@vendeur.test", name="Sam Sales")["access_token"]
    r = s.post("/api/v1/customers", token=T, json={"name": "Client SARL", "contacts": [
        {"first_name": "Jeanne", "last_name": "Dupont", "email": "jeanne@client.test"}]})
    contact = r.get_json()["contacts"][0]

    def quote(title):
        r = s.post("/api/v1/quotes", token=T, json={"title": title, "contact_id": contact["id"], "lines": [
            {"description": "Maintenance", "quantity": "1", "unit_price": "1200.00"}]})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    # declined: the sender reads who and why
    refused = quote("Maintenance 2027")
    r = s.post(f"/api/v1/contracts/{refused['id']}/signature-requests", token=T,
               json={"signers": [{"contact_id": contact["id"]}]})
    assert r.status_code == 201, r.get_json()
    tok = esign.token(s, "jeanne@client.test")
    r = s.post(f"/api/v1/sign/{tok}/decline", json={"reason": "Le montant ne correspond pas à notre accord."})
    assert r.status_code == 200, r.get_json()
    [told] = s.wait_for(lambda: [m for m in mail_sink.wait_for_messages(to="sales@vendeur.test", timeout=30)
                                 if refused["number"] in m["subject"]], timeout=30, message="the decline email")
    assert "Document refusé" in told["subject"]
    assert "Le montant ne correspond pas à notre accord." in told["text"] and "Jeanne Dupont" in told["text"]
    assert f"/contracts/{refused['id']}" in " ".join(told["links"])

    # signed: each CC recipient gets the sealed document
    signed = quote("Maintenance 2028")
    r = s.post(f"/api/v1/contracts/{signed['id']}/signature-requests", token=T, json={
        "signers": [{"contact_id": contact["id"]}], "cc": [{"name": "Compta Client", "email": "compta@client.test"}],
        "locale": "en"})
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    assert esign.sign_via_link(s, "jeanne@client.test").status_code == 200
    [copy] = mail_sink.wait_for_messages(to="compta@client.test", timeout=90)
    assert copy["subject"].startswith("Copy: signed document") and signed["number"] in copy["subject"]
    assert "Jeanne Dupont" in copy["text"]
    [pdf] = copy["attachments"]
    sealed = s.get(f"/api/v1/signature-requests/{req['id']}/signed.pdf", token=T)
    assert pdf["filename"] == f"{signed['number']}-signed.pdf" and pdf["sha256"] == hashlib.sha256(sealed.data).hexdigest()
    detail = s.get(f"/api/v1/signature-requests/{req['id']}", token=T).get_json()
    assert detail["cc"] == [{"name": "Compta Client", "email": "compta@client.test"}]
