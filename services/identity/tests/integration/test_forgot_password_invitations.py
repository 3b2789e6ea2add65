""""Forgot password" for a person whose invitation is still pending: a company's only license admin whose link was
lost or expired gets a fresh invitation (activating the company again is a 409 that says so), a person with a
password gets their reset link and the invitations still pending, an unknown email nothing; every answer is the
same, and the links asked for are throttled per account (known or not) and per address."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from paraph_platform.db import normalize_url
from paraph_platform.testing import TEST_OPERATOR_TOKEN

pytestmark = pytest.mark.integration
OP = {"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"}
PASSWORD = "correct horse battery"


def emails(system, email):
    """The emailed links requested for ``email`` (identity's outbox), oldest first: (template, link, license_id)."""
    engine = create_engine(normalize_url(system.db_url("identity")))
    with engine.connect() as conn:
        rows = conn.execute(text("select payload from outbox where type = 'notification.requested.v1' "
                                 "order by seq")).all()
    engine.dispose()
    return [(r[0]["data"]["template"], r[0]["data"]["vars"]["link"], r[0]["license_id"]) for r in rows
            if r[0]["data"]["to"] == email]


def expire_links(system, email):
    engine = create_engine(normalize_url(system.db_url("identity")))
    with engine.begin() as conn:
        conn.execute(text("update tokens set expires_at = :past where user_id = (select id from users where "
                          "email = :email)"), {"past": datetime.now(timezone.utc) - timedelta(minutes=1),
                                               "email": email})
    engine.dispose()


def token_of(link):
    return link.split("token=", 1)[1]


def make_pool(s):
    r = s.post("/api/v1/operator/seat-pools", headers=OP, json={
        "name": "Immo group", "seats": 5, "expires_at": (datetime.now(timezone.utc) + timedelta(days=365)).isoformat()})
    assert r.status_code == 201, r.json
    return r.json["activation_code"]


def forgot(s, email, ip="198.51.100.7"):
    r = s.post("/api/v1/auth/forgot-password", json={"email": email}, environ_base={"REMOTE_ADDR": ip})
    assert r.status_code == 202, r.json
    return r.json


def test_a_lone_admin_whose_invitation_expired_gets_a_new_one_with_forgot_password(system):
    s = system("identity")
    code = make_pool(s)
    body = {"activation_code": code, "company_name": "Immo Paris", "admin_email": "claire@immo.test",
            "admin_name": "Claire Martin"}
    assert s.post("/api/v1/licenses/activate", json=body).status_code == 201
    (template, first_link, license_id), = emails(s, "claire@immo.test")
    expire_links(s, "claire@immo.test")
    assert s.post("/api/v1/auth/accept-invitation", json={"token": token_of(first_link), "password": PASSWORD}
                  ).status_code == 410
    # activating again is refused, and says how to get a new link
    r = s.post("/api/v1/licenses/activate", json=body)
    assert r.status_code == 409 and "company_name" in r.json["errors"], r.json
    assert "Forgot password?" in r.json["detail"] and "/api/v1/auth/forgot-password" in r.json["detail"], r.json

    # the same answer for her, for an unknown email and for a malformed one
    answer = forgot(s, "Claire@Immo.test")
    assert forgot(s, "nobody@immo.test") == answer == forgot(s, "not an email") == {"requested": True}
    assert emails(s, "nobody@immo.test") == []
    # she has no password: no reset link, a fresh invitation of her company, which makes her its admin
    (_, _, _), (template, link, lic) = emails(s, "claire@immo.test")
    assert (template, lic) == ("invitation", license_id) and "/set-password?token=" in link
    r = s.post("/api/v1/auth/link-info", json={"token": token_of(link), "purpose": "invitation"})
    assert (r.status_code, r.json["company"], r.json["role"], r.json["has_password"]) == (
        200, "Immo Paris", "license_admin", False), r.json
    r = s.post("/api/v1/auth/accept-invitation", json={"token": token_of(link), "password": PASSWORD})
    assert r.status_code == 200 and r.json["role"] == "license_admin", r.json
    assert s.post("/api/v1/auth/login", json={"email": "claire@immo.test", "password": PASSWORD}).status_code == 200

    # now active with a password: "forgot password" is a reset link again, and no invitation
    forgot(s, "claire@immo.test")
    assert [t for t, _link, _lic in emails(s, "claire@immo.test")] == ["invitation", "invitation", "password_reset"]


def test_a_person_with_a_password_also_gets_the_invitation_still_pending(system):
    """The admin of one company activates a second one of the subscription with the same email and loses that
    invitation: her sign-in does not open the second company; "forgot password" sends her reset link and a fresh
    invitation to it. A deactivated access gets none."""
    s = system("identity")
    code = make_pool(s)
    for company in ("Immo Paris", "Immo Lyon"):
        assert s.post("/api/v1/licenses/activate", json={
            "activation_code": code, "company_name": company, "admin_email": "claire@immo.test"}).status_code == 201
    paris_link = emails(s, "claire@immo.test")[0][1]
    paris = s.post("/api/v1/auth/accept-invitation", json={"token": token_of(paris_link), "password": PASSWORD}).json
    # a user invited by her, then deactivated: nothing for him
    r = s.post("/api/v1/users", json={"email": "paul@immo.test", "role": "user"}, token=paris["access_token"])
    assert r.status_code == 201, r.json
    assert s.post(f"/api/v1/users/{r.json['user_id']}/deactivate", token=paris["access_token"]).status_code == 200
    forgot(s, "paul@immo.test")
    assert [t for t, _link, _lic in emails(s, "paul@immo.test")] == ["invitation"]

    forgot(s, "claire@immo.test")
    sent = emails(s, "claire@immo.test")[2:]
    assert sorted(t for t, _link, _lic in sent) == ["invitation", "password_reset"], sent
    invitation = next(link for t, link, _lic in sent if t == "invitation")
    r = s.post("/api/v1/auth/accept-invitation", json={"token": token_of(invitation), "password": None})
    assert r.status_code == 200 and {lk["name"] for lk in r.json["licenses"]} == {"Immo Paris", "Immo Lyon"}, r.json


def test_forgot_password_is_throttled_per_account_and_per_address_with_the_same_answer(system, monkeypatch):
    monkeypatch.setenv("PASSWORD_LINKS_PER_ACCOUNT", "2")
    monkeypatch.setenv("PASSWORD_LINKS_PER_ADDRESS", "4")
    s = system("identity")
    code = make_pool(s)
    assert s.post("/api/v1/licenses/activate", json={
        "activation_code": code, "company_name": "Immo Paris", "admin_email": "claire@immo.test"}).status_code == 201
    answers = [forgot(s, "claire@immo.test", ip=f"198.51.100.{n}") for n in range(4)]
    assert answers == [{"requested": True}] * 4
    assert len(emails(s, "claire@immo.test")) == 1 + 2  # the activation's, then two of the four asked for
    # unknown accounts are counted the same (the answers could not tell them apart): one address's limit
    for n in range(4):
        forgot(s, f"someone{n}@else.test", ip="203.0.113.9")
    # a fifth request from that address sends nothing, even for an account never asked for
    assert s.post("/api/v1/licenses/activate", json={
        "activation_code": code, "company_name": "Immo Lyon", "admin_email": "paul@immo.test"}).status_code == 201
    forgot(s, "paul@immo.test", ip="203.0.113.9")
    assert len(emails(s, "paul@immo.test")) == 1
    forgot(s, "paul@immo.test", ip="203.0.113.10")
    assert len(emails(s, "paul@immo.test")) == 2
