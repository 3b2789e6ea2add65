"""Leaks in signing and notify, through the gateway: an in-person (offline) signature recorded by a user
who merely sees the contract, a front user manager reading the delivery log of customers outside their
perimeter, and one-time signing codes kept in email subjects and in the stored delivery log."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from paraph_platform.db import normalize_url
from signing_service import testing as esign
from tests.security.tenants import add_customer, add_perimeters, add_staff

pytestmark = pytest.mark.integration


@pytest.fixture
def world(system, mail_sink):
    """License "Vendeur": perimeters North and South; Sam (user, North) owns the quotes, Nina (user, North)
    sees them, Fabien (front user manager, North); customer Inside (North) and Outside (South), each with a
    contact, a quote and a signature request (Inside's by Sam, Outside's by the admin)."""
    s = system("identity", "perimeter", "contracts", "signing", "notify", service_config={"notify": {
        "SMTP_URL": mail_sink.smtp_url, "MAIL_FROM": "Paraph <no-reply@paraph.test>", "SMS_PROVIDER": "sink",
        "SMS_API_URL": mail_sink.sms_url}})
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    A = admin["access_token"]
    perimeters = add_perimeters(s, admin, "North", "South")
    staff = {key: add_staff(s, admin, f"{key}@vendeur.test", [perimeters["North"]], role=role, name=name)
             for key, role, name in (("sam", "user", "Sam Sales"), ("nina", "user", "Nina Nosy"),
                                     ("fabien", "front_user_manager", "Fabien Manager"))}
    customers, requests = {}, {}
    for name, perimeter, token in (("Inside", "North", staff["sam"]["access_token"]), ("Outside", "South", A)):
        contact = {"first_name": "Client", "last_name": name, "email": f"client@{name.lower()}.test"}
        if name == "Inside":
            contact["mobile"] = "+33 6 12 34 56 78"
        customers[name] = add_customer(s, admin, [perimeters[perimeter]], name=name, contacts=[contact])
        contact = customers[name]["contacts"][0]
        r = s.post("/api/v1/quotes", token=token, json={
            "title": f"Maintenance {name}", "customer_id": customers[name]["id"], "contact_id": contact["id"],
            "lines": [{"description": "Maintenance", "quantity": "1", "unit_price": "1200.00"}]})
        assert r.status_code == 201, r.get_json()
        r = s.post(f"/api/v1/contracts/{r.get_json()['id']}/signature-requests", token=token, json={
            "signers": [{"contact_id": contact["id"], "otp_channel": "sms" if name == "Inside" else "email"}]})
        assert r.status_code == 201, r.get_json()
        requests[name] = r.get_json()
    return {"s": s, "admin": admin, "staff": staff, "customers": customers, "requests": requests,
            "mail": mail_sink}


def _offline_item(req, participant, client_id):
    return {"client_id": client_id, "request_id": req["id"], "participant_id": participant["id"],
            "document_sha256": req["document"]["sha256"],
            "signed_at": (datetime.now(timezone.utc) - timedelta(minutes=3)).isoformat(), "consent": True,
            "signature_image": esign.signature_png(), "typed_name": participant["name"]}


def test_offline_signature_needs_the_requester_owner_or_a_manager_and_names_the_operator(world):
    s, req = world["s"], world["requests"]["Inside"]
    sam, nina = world["staff"]["sam"], world["staff"]["nina"]
    signer = req["participants"][0]
    # Nina sees the contract (same perimeter) but neither asked for the signature nor owns the quote
    assert s.get(f"/api/v1/signature-requests/{req['id']}", token=nina["access_token"]).status_code == 200
    r = s.get(f"/api/v1/offline/requests/{req['id']}/package?device_id=tablet-1", token=nina["access_token"])
    assert r.status_code == 403, r.get_json()
    r = s.post("/api/v1/offline/sync", token=nina["access_token"],
               json={"device_id": "tablet-1", "items": [_offline_item(req, signer, "nina-1")]})
    assert r.status_code == 200, r.get_json()
    [refused] = r.get_json()["items"]
    assert refused["status"] == "rejected" and refused["code"] == "not_allowed", refused
    detail = s.get(f"/api/v1/signature-requests/{req['id']}", token=sam["access_token"]).get_json()
    assert detail["participants"][0]["status"] == "pending" and detail["evidence"] == []
    # the owner may: the evidence names who operated the device, from the token (not the payload)
    r = s.post("/api/v1/offline/sync", token=sam["access_token"],
               json={"device_id": "tablet-1", "items": [_offline_item(req, signer, "sam-1")]})
    [accepted] = r.get_json()["items"]
    assert accepted["status"] == "accepted", accepted
    detail = s.get(f"/api/v1/signature-requests/{req['id']}", token=sam["access_token"]).get_json()
    [evidence] = [e for e in detail["evidence"] if e["action"] == "sign"]
    auth = evidence["authentication"]
    assert (auth["method"], auth["attested_by"], auth["attested_by_name"], auth["attested_by_email"]) == (
        "in_person", sam["user"]["user_id"], "Sam Sales", "sam@vendeur.test")
    # Nina's refused item was not recorded: she may not replay Sam's client id either
    r = s.post("/api/v1/offline/sync", token=nina["access_token"],
               json={"device_id": "tablet-1", "items": [_offline_item(req, signer, "sam-1")]})
    assert r.get_json()["items"][0]["code"] == "not_allowed"


def _log(s, token, **query):
    r = s.get("/api/v1/notifications", token=token, query_string={"limit": 200, **query})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def test_front_user_manager_reads_the_delivery_log_of_their_perimeter_only(world):
    s, customers = world["s"], world["customers"]
    A, F = world["admin"]["access_token"], world["staff"]["fabien"]["access_token"]
    inside, outside = customers["Inside"]["id"], customers["Outside"]["id"]
    everything = s.wait_for(lambda: (lambda rows: rows if {inside, outside} <= {n["customer_id"] for n in rows}
                                     and any(n["customer_id"] is None for n in rows) else None)(_log(s, A)),
                            timeout=30, message="the admin to see both customers' signing emails")
    about_outside = next(n for n in everything if n["customer_id"] == outside)
    s.wait_for(lambda: any(n["customer_id"] == inside for n in _log(s, F)), timeout=30,
               message="the front user manager to see Inside's signing email")
    seen = _log(s, F)
    # nothing about Outside; of the messages about no customer, only the staff invitations
    assert {n["customer_id"] for n in seen} == {inside, None}, seen
    assert {n["template"] for n in seen if n["customer_id"] is None} == {"invitation"}
    assert all(n["recipient"] != "client@outside.test" for n in seen)
    assert _log(s, F, recipient="client@outside.test") == []
    r = s.get(f"/api/v1/notifications/{about_outside['id']}", token=F)
    assert r.status_code == 404, r.get_json()
    assert s.get(f"/api/v1/notifications/{about_outside['id']}", token=A).status_code == 200


def test_one_time_codes_never_reach_subjects_nor_the_stored_delivery_log(world):
    s, mail = world["s"], world["mail"]
    A = world["admin"]["access_token"]
    for name in ("Inside", "Outside"):  # Inside's signer gets the code by SMS, Outside's by email
        r = s.post(f"/api/v1/sign/{esign.token(s, f'client@{name.lower()}.test')}/otp", json={})
        assert r.status_code == 200, r.get_json()
    customer_names = {c["id"]: name for name, c in world["customers"].items()}
    codes = {customer_names[n["customer_id"]]: n["vars"]["code"] for n in esign.notifications(s, "signature_otp")}
    # the real messages carry the code (body / SMS text), never in a subject
    code_mail = s.wait_for(lambda: next((m for m in mail.messages(to="client@outside.test")
                                         if codes["Outside"] in m["text"]), None), timeout=30,
                           message="the one-time code email")
    assert codes["Outside"] not in code_mail["subject"]
    [sms] = mail.wait_for_sms(to="+33612345678", timeout=30)
    assert codes["Inside"] in sms["text"]
    # the delivery log shows them masked
    logged = s.wait_for(lambda: (lambda rows: rows if len(rows) == 2 and all(n["status"] == "sent" for n in rows)
                                 else None)(_log(s, A, template="signature_otp")),
                        timeout=30, message="both one-time codes to be sent")
    assert {n["channel"] for n in logged} == {"sms", "email"}
    for n in logged:
        assert not any(code in n["subject"] for code in codes.values()), n
        if n["channel"] == "sms":  # the log keeps the SMS text
            assert "••••••" in n["subject"], n
    # and no row of notify's database holds them once sent
    engine = sa.create_engine(normalize_url(s.db_url("notify")))
    try:
        with engine.connect() as db:
            rows = [" ".join(str(v) for v in row) for row in db.execute(sa.text("select * from notifications"))]
    finally:
        engine.dispose()
    assert rows and not [row for row in rows if any(code in row for code in codes.values())]
