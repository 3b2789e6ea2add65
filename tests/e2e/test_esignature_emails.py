"""E-signature through the real mail path: signing -> outbox -> RabbitMQ -> notify -> SMTP -> mail sink.
The signer gets the signing link and the one-time code by email, signs with what the emails say, and
every participant gets the completion email with the sealed PDF attached; the owner is told too."""
import base64
import hashlib

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def test_signing_link_code_and_completion_arrive_by_email(system, mail_sink):
    s = system("identity", "perimeter", "contracts", "signing", "notify", service_config={"notify": {
        "SMTP_URL": mail_sink.smtp_url, "MAIL_FROM": "Paraph <no-reply@paraph.test>"}})
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    sales = s.add_user(admin, "sales@vendeur.test", name="Sam Sales")
    T = sales["access_token"]
    r = s.post("/api/v1/customers", token=T, json={"name": "Client SARL", "contacts": [
        {"first_name": "Jeanne", "last_name": "Dupont", "email": "jeanne@client.test"}]})
    contact = r.get_json()["contacts"][0]
    quote = s.post("/api/v1/quotes", token=T, json={"title": "Maintenance 2027", "contact_id": contact["id"],
                                                    "lines": [{"description": "Maintenance", "quantity": "1",
                                                               "unit_price": "1200.00"}]}).get_json()
    r = s.post(f"/api/v1/contracts/{quote['id']}/signature-requests", token=T, json={
        "signers": [{"contact_id": contact["id"]}], "message": "Merci de signer avant vendredi."})
    assert r.status_code == 201, r.get_json()
    req = r.get_json()

    [invite] = mail_sink.wait_for_messages(to="jeanne@client.test", timeout=30)
    assert quote["number"] in invite["subject"]
    assert "Merci de signer avant vendredi." in invite["text"]
    link = next(l for l in invite["links"] if "/sign/" in l)
    assert link.startswith("http://paraph.test/sign/")
    token = link.rsplit("/sign/", 1)[1]
    page = s.get(f"/sign/{token}")
    assert page.status_code == 200 and quote["number"] in page.get_data(as_text=True)

    info = s.get(f"/api/v1/sign/{token}").get_json()
    assert s.post(f"/api/v1/sign/{token}/otp", json={}).status_code == 200
    mails = mail_sink.wait_for_messages(to="jeanne@client.test", count=2, timeout=30)
    code_mail = [m for m in mails if m["message_id"] != invite["message_id"]][0]
    # the code is in the body only: a subject shows in previews and the delivery log
    code = next(w for w in code_mail["text"].split() if w.isdigit() and len(w) == 6)
    assert code not in code_mail["subject"]
    r = s.post(f"/api/v1/sign/{token}/sign", json={"otp": code, "consent": True,
                                                   "consent_sha256": info["consent_sha256"]})
    assert r.status_code == 200, r.get_json()

    mails = mail_sink.wait_for_messages(to="jeanne@client.test", count=3, timeout=60)
    done = [m for m in mails if m["attachments"]]
    assert done, [m["subject"] for m in mails]
    [pdf] = done[0]["attachments"]
    assert pdf["content_type"] == "application/pdf"
    sealed = s.get(f"/api/v1/signature-requests/{req['id']}/signed.pdf", token=T)
    assert pdf["sha256"] == hashlib.sha256(sealed.data).hexdigest()
    assert base64.b64decode(pdf["content_b64"]) == sealed.data
    # the owner (the salesperson) is told the quote was signed
    s.wait_for(lambda: [m for m in mail_sink.wait_for_messages(to="sales@vendeur.test", timeout=30)
                        if quote["number"] in m["subject"] + m["text"]], timeout=30,
               message="the owner's completion email")


def test_a_request_an_integration_sends_comes_from_the_documents_owner(system, mail_sink):
    """A CRM's service account sends a quote for signature on behalf of its salesperson: the customer reads
    "Sam Sales" (the quote's owner), not the account's name, and a reply reaches Sam (Reply-To), not a no-reply
    box. The request's creator stays the account (who did it, in its audit)."""
    s = system("identity", "perimeter", "contracts", "signing", "notify", service_config={"notify": {
        "SMTP_URL": mail_sink.smtp_url, "MAIL_FROM": "Paraph <no-reply@paraph.test>"}})
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    sales = s.add_user(admin, "sales@vendeur.test", name="Sam Sales")
    sales_id = s.get("/api/v1/me", token=sales["access_token"]).get_json()["user_id"]
    A = admin["access_token"]
    account = s.post("/api/v1/service-accounts", json={"name": "CRM", "role": "license_admin"}, token=A).get_json()
    key = s.post(f"/api/v1/service-accounts/{account['id']}/keys", token=A, json={
        "name": "prod", "scopes": ["customers:write", "contracts:write", "signing:write"]}).get_json()["key"]
    contact = s.post("/api/v1/customers", token=key, json={"name": "Client SARL", "contacts": [
        {"first_name": "Jeanne", "last_name": "Dupont", "email": "jeanne@client.test"}]}).get_json()["contacts"][0]
    quote = s.post("/api/v1/quotes", token=key, json={
        "title": "Maintenance 2027", "contact_id": contact["id"], "owner_id": sales_id,
        "lines": [{"description": "Maintenance", "quantity": "1", "unit_price": "1200.00"}]}).get_json()
    r = s.post(f"/api/v1/contracts/{quote['id']}/signature-requests", token=key,
               json={"signers": [{"contact_id": contact["id"]}]})
    assert r.status_code == 201, r.get_json()

    [invite] = mail_sink.wait_for_messages(to="jeanne@client.test", timeout=30)
    assert "Sam Sales" in invite["text"] and "CRM" not in invite["text"] + invite["subject"]
    assert dict(invite["headers"]).get("Reply-To") == "sales@vendeur.test"
    token = next(l for l in invite["links"] if "/sign/" in l).rsplit("/sign/", 1)[1]
    assert s.get(f"/api/v1/sign/{token}").get_json()["request"]["sender_name"] == "Sam Sales"
