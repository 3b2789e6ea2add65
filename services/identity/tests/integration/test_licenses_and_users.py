"""identity through the gateway, against real RabbitMQ and PostgreSQL."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from paraph_platform.db import normalize_url
from paraph_platform.testing import TEST_OPERATOR_TOKEN

pytestmark = pytest.mark.integration
OP = {"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"}


def notifications(system) -> list[dict]:
    """The notifications identity asked notify for (read from its outbox), oldest first."""
    engine = create_engine(normalize_url(system.db_url("identity")))
    with engine.connect() as conn:
        rows = conn.execute(text("select payload from outbox where type = 'notification.requested.v1' order by seq")).all()
    engine.dispose()
    return [r[0]["data"] for r in rows]


def links(system, email):
    """Set-password links requested for `email`."""
    return [n["vars"]["link"] for n in notifications(system) if n["to"] == email]


def token_of(link):
    return link.split("token=", 1)[1]


def make_pool(system, seats=10, days=365):
    r = system.post("/api/v1/operator/seat-pools", json={
        "name": "ACME group", "seats": seats,
        "expires_at": (datetime.now(timezone.utc) + timedelta(days=days)).isoformat()}, headers=OP)
    assert r.status_code == 201, r.json
    return r.json


def activate(system, code, company, admin_email, password="correct horse battery"):
    r = system.post("/api/v1/licenses/activate", json={"activation_code": code, "company_name": company,
                                                      "admin_email": admin_email, "admin_name": "Admin"})
    assert r.status_code == 201, r.json
    link = links(system, admin_email)[-1]
    r = system.post("/api/v1/auth/accept-invitation", json={"token": token_of(link), "password": password})
    assert r.status_code == 200, r.json
    return r.json


def invite_and_join(system, admin_token, email, role="user", password="another good password"):
    r = system.post("/api/v1/users", json={"email": email, "role": role}, token=admin_token)
    assert r.status_code == 201, r.json
    r2 = system.post("/api/v1/auth/accept-invitation",
                     json={"token": token_of(links(system, email.lower())[-1]), "password": password})
    assert r2.status_code == 200, r2.json
    return r2.json


def test_seats_are_shared_across_companies_and_refused_beyond_the_pool(system):
    s = system("identity")
    pool = make_pool(s, seats=10)
    first = activate(s, pool["activation_code"], "ACME Paris", "boss@acme.test")
    second = activate(s, pool["activation_code"], "ACME Lyon", "boss@acme-lyon.test")
    for i in range(6):  # 7 seats in the first company (admin + 6)
        r = s.post("/api/v1/users", json={"email": f"u{i}@acme.test"}, token=first["access_token"])
        assert r.status_code == 201, r.json
    for i in range(2):  # 3 in the second (admin + 2)
        r = s.post("/api/v1/users", json={"email": f"v{i}@acme-lyon.test"}, token=second["access_token"])
        assert r.status_code == 201, r.json
    r = s.post("/api/v1/users", json={"email": "one.too.many@acme-lyon.test"}, token=second["access_token"])
    assert r.status_code == 409
    assert r.mimetype == "application/problem+json"
    assert "10 of 10 seats" in r.json["detail"] and "ACME Paris uses 7 seats" in r.json["detail"]

    lic = s.get("/api/v1/license", token=first["access_token"]).json
    assert (lic["seats_total"], lic["seats_used"], lic["seats_used_here"]) == (10, 10, 7)
    assert lic["expires_at"]

    # deactivating a user frees a seat for the other company
    users = s.get("/api/v1/users?q=u0@", token=first["access_token"]).json["items"]
    r = s.post(f"/api/v1/users/{users[0]['user_id']}/deactivate", token=first["access_token"])
    assert r.status_code == 200 and r.json["status"] == "deactivated"
    r = s.post("/api/v1/users", json={"email": "one.too.many@acme-lyon.test"}, token=second["access_token"])
    assert r.status_code == 201


def test_an_activation_sent_again_opens_no_second_company(system):
    """A retry of the activation (a second click, an integrator's retry) takes no second seat: under the same
    Idempotency-Key it answers the first result; without one, the company name already activated on this
    subscription is a 409 on ``company_name``. Another company of the same subscription still activates and
    shares the seats."""
    s = system("identity")
    pool = make_pool(s, seats=3)
    body = {"activation_code": pool["activation_code"], "company_name": "Immo Paris",
            "admin_email": "claire@immo.test", "admin_name": "Claire Martin"}
    first = s.post("/api/v1/licenses/activate", json=body, headers={"Idempotency-Key": "activate-1"})
    assert first.status_code == 201, first.json
    again = s.post("/api/v1/licenses/activate", json=body, headers={"Idempotency-Key": "activate-1"})
    assert again.status_code == 201 and again.json["license"]["id"] == first.json["license"]["id"]
    for name in ("Immo Paris", " immo  PARIS "):
        r = s.post("/api/v1/licenses/activate", json={**body, "company_name": name})
        assert r.status_code == 409 and r.mimetype == "application/problem+json", r.json
        assert "company_name" in r.json["errors"] and "Immo Paris" in r.json["detail"], r.json
    admin = s.post("/api/v1/auth/accept-invitation", json={"token": token_of(links(s, "claire@immo.test")[-1]),
                                                           "password": "correct horse battery"}).json
    lic = s.get("/api/v1/license", token=admin["access_token"]).json
    assert (lic["seats_used"], lic["seats_used_here"]) == (1, 1)
    # the seat pool stays shared: another company of the subscription activates with the same code
    lyon = activate(s, pool["activation_code"], "Immo Lyon", "paul@immo.test")
    assert s.get("/api/v1/license", token=lyon["access_token"]).json["seats_used"] == 2
    # and cannot be renamed to the first one's name
    r = s.patch("/api/v1/license", json={"name": "IMMO Paris"}, token=lyon["access_token"])
    assert r.status_code == 409 and "name" in r.json["errors"], r.json
    r = s.patch("/api/v1/license", json={"name": "Immo Lyon Sud"}, token=lyon["access_token"])
    assert r.status_code == 200 and r.json["name"] == "Immo Lyon Sud"


def test_one_user_in_two_licenses_switches_between_them(system):
    s = system("identity")
    pool = make_pool(s)
    a = activate(s, pool["activation_code"], "Alpha", "admin@alpha.test")
    b = activate(s, pool["activation_code"], "Beta", "admin@beta.test")
    joined = invite_and_join(s, a["access_token"], "Marie.Curie@Example.test", password="first password!")
    # same person, other case: same user, second license
    r = s.post("/api/v1/users", json={"email": "marie.curie@example.TEST", "role": "front_user_manager"},
               token=b["access_token"])
    assert r.status_code == 201 and r.json["user_id"] == joined["user"]["user_id"]
    link = links(s, "marie.curie@example.test")[-1]
    # already has a password: the link activates without changing it
    r = s.post("/api/v1/auth/accept-invitation", json={"token": token_of(link)})
    assert r.status_code == 200
    assert {l["name"] for l in r.json["licenses"]} == {"Alpha", "Beta"}
    # the link is single use
    r = s.post("/api/v1/auth/accept-invitation", json={"token": token_of(link)})
    assert r.status_code == 410

    login = s.post("/api/v1/auth/login", json={"email": "MARIE.CURIE@example.test", "password": "first password!",
                                               "license_id": a["license_id"]}).json
    assert login["role"] == "user"
    switched = s.post("/api/v1/auth/switch-license", json={"license_id": b["license_id"]},
                      token=login["access_token"])
    assert switched.status_code == 200 and switched.json["role"] == "front_user_manager"
    me = s.get("/api/v1/me", token=switched.json["access_token"]).json
    assert me["license_id"] == b["license_id"] and me["role"] == "front_user_manager"
    # a license the user does not belong to
    other = activate(s, pool["activation_code"], "Gamma", "admin@gamma.test")
    r = s.post("/api/v1/auth/switch-license", json={"license_id": other["license_id"]}, token=login["access_token"])
    assert r.status_code == 404


def test_bad_input_and_auth_errors_are_problem_json(system):
    s = system("identity")
    r = s.post("/api/v1/auth/login", json={"email": "x@y.test"})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert "password" in r.json["errors"]
    r = s.post("/api/v1/auth/login", data="not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.mimetype == "application/problem+json"
    r = s.get("/api/v1/users")
    assert r.status_code == 401 and r.mimetype == "application/problem+json"
    r = s.get("/api/v1/users", token="garbage")
    assert r.status_code == 401
    r = s.post("/api/v1/auth/login", json={"email": "nobody@x.test", "password": "whatever password"})
    assert r.status_code == 401 and r.json["detail"] == "Wrong email or password."
    r = s.post("/api/v1/licenses/activate", json={"activation_code": "NOPE-NOPE", "company_name": "X",
                                                  "admin_email": "a@b.test"})
    assert r.status_code == 404
    r = s.post("/api/v1/operator/seat-pools", json={"name": "x", "seats": 1, "expires_at": "2030-01-01T00:00:00Z"})
    assert r.status_code in (401, 403)
    r = s.post("/api/v1/users", json={"email": "a@b.test", "unexpected": 1}, token="x")
    assert r.status_code == 401
    r = s.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"


def test_a_license_writes_its_times_in_paris_time_until_set_and_only_in_a_real_zone(system):
    """The time zone of a license's emails (notify reads it from license.updated.v1): Europe/Paris for a new
    license; its admin may set another IANA zone, and nothing that is not one."""
    s = system("identity")
    admin = activate(s, make_pool(s)["activation_code"], "ACME Paris", "admin@tz.test")["access_token"]
    assert s.get("/api/v1/license", token=admin).json["settings"]["time_zone"] == "Europe/Paris"
    r = s.patch("/api/v1/license", json={"time_zone": "America/Montreal"}, token=admin)
    assert r.status_code == 200 and r.json["settings"]["time_zone"] == "America/Montreal", r.json
    for bad in ("Paris", "../../etc/passwd", "", "Mars/Olympus", 3):
        r = s.patch("/api/v1/license", json={"time_zone": bad}, token=admin)
        assert r.status_code == 422 and "time_zone" in r.json["errors"], (bad, r.json)
    assert s.get("/api/v1/license", token=admin).json["settings"]["time_zone"] == "America/Montreal"


def test_roles_expiry_passwords_and_lockout(system):
    s = system("identity")
    pool = make_pool(s, seats=5)
    admin = activate(s, pool["activation_code"], "Delta", "admin@delta.test")
    fum = invite_and_join(s, admin["access_token"], "fum@delta.test", role="front_user_manager")
    user = invite_and_join(s, admin["access_token"], "user@delta.test")
    # a plain user cannot invite; a front user manager cannot create admins
    r = s.post("/api/v1/users", json={"email": "x@delta.test"}, token=user["access_token"])
    assert r.status_code == 403
    r = s.post("/api/v1/users", json={"email": "x@delta.test", "role": "license_admin"}, token=fum["access_token"])
    assert r.status_code == 403
    # a front user manager invites, so she reads the seats left before she sends; a user does not
    seats = s.get("/api/v1/license", token=fum["access_token"]).json
    assert (seats["seats_total"], seats["seats_used"], seats["seats_used_here"]) == (5, 3, 3)
    assert "seats_total" not in s.get("/api/v1/license", token=user["access_token"]).json
    # short password refused, nothing consumed
    r = s.post("/api/v1/users", json={"email": "new@delta.test"}, token=admin["access_token"])
    link = links(s, "new@delta.test")[-1]
    r = s.post("/api/v1/auth/accept-invitation", json={"token": token_of(link), "password": "short"})
    assert r.status_code == 422
    r = s.post("/api/v1/auth/accept-invitation", json={"token": token_of(link), "password": "long enough now"})
    assert r.status_code == 200
    # throttled after repeated failures (429 + Retry-After; tests/security/test_login_throttle.py)
    for _ in range(5):
        s.post("/api/v1/auth/login", json={"email": "user@delta.test", "password": "wrong password"})
    r = s.post("/api/v1/auth/login", json={"email": "user@delta.test", "password": "another good password"})
    assert r.status_code == 429 and "Too many" in r.json["detail"] and int(r.headers["Retry-After"]) > 0
    # refresh rotates; old refresh token is dead
    r = s.post("/api/v1/auth/refresh", json={"refresh_token": admin["refresh_token"]})
    assert r.status_code == 200
    r2 = s.post("/api/v1/auth/refresh", json={"refresh_token": admin["refresh_token"]})
    assert r2.status_code == 401
    # expiry: the subscription ends, logins are refused with a clear message
    r = s.patch(f"/api/v1/operator/seat-pools/{pool['id']}",
                json={"expires_at": (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()}, headers=OP)
    assert r.status_code == 200
    r = s.post("/api/v1/auth/login", json={"email": "admin@delta.test", "password": "correct horse battery"})
    assert r.status_code == 403 and "expired" in r.json["detail"]


def test_idempotency_key_makes_writes_safe_to_retry(system):
    s = system("identity")
    pool = make_pool(s, seats=5)
    admin = activate(s, pool["activation_code"], "Idem", "admin@idem.test")
    h = {"Idempotency-Key": "invite-42"}
    r1 = s.post("/api/v1/users", json={"email": "once@idem.test"}, token=admin["access_token"], headers=h)
    r2 = s.post("/api/v1/users", json={"email": "once@idem.test"}, token=admin["access_token"], headers=h)
    assert r1.status_code == 201 and r2.status_code == 201 and r1.json == r2.json
    assert len(links(s, "once@idem.test")) == 1  # one invitation, not two
    # the same key with another payload is refused
    r3 = s.post("/api/v1/users", json={"email": "other@idem.test"}, token=admin["access_token"], headers=h)
    assert r3.status_code == 409 and r3.mimetype == "application/problem+json"
    # without a key, a second invitation of an invited user is a clear conflict
    r4 = s.post("/api/v1/users", json={"email": "once@idem.test"}, token=admin["access_token"])
    assert r4.status_code == 409


def test_colleagues_are_the_active_staff_of_my_license_for_every_staff_member(system):
    """Whom a salesperson may add as approver or signer: active staff of their license (name and email only),
    searchable; invited or deactivated users, other licenses and portal clients are not listed."""
    s = system("identity")
    pool = make_pool(s)
    boss = activate(s, pool["activation_code"], "ACME Paris", "boss@acme.test")
    other = activate(s, pool["activation_code"], "ACME Lyon", "boss@acme-lyon.test")
    sales = invite_and_join(s, boss["access_token"], "paul@acme.test")
    invite_and_join(s, boss["access_token"], "gone@acme.test")
    assert s.post("/api/v1/users", json={"email": "invited@acme.test"}, token=boss["access_token"]).status_code == 201
    gone = s.get("/api/v1/users?q=gone@", token=boss["access_token"]).json["items"][0]
    assert s.post(f"/api/v1/users/{gone['user_id']}/deactivate", token=boss["access_token"]).status_code == 200

    r = s.get("/api/v1/colleagues", token=sales["access_token"])
    assert r.status_code == 200, r.json
    assert sorted(c["email"] for c in r.json["items"]) == ["boss@acme.test", "paul@acme.test"]
    assert set(r.json["items"][0]) == {"user_id", "name", "email"}
    assert [c["email"] for c in s.get("/api/v1/colleagues?q=PAUL", token=sales["access_token"]).json["items"]] == \
        ["paul@acme.test"]
    assert [c["email"] for c in s.get("/api/v1/colleagues", token=other["access_token"]).json["items"]] == \
        ["boss@acme-lyon.test"]
    for query in ("limit=0", "limit=abc", "q=" + "x" * 201):
        r = s.get(f"/api/v1/colleagues?{query}", token=sales["access_token"])
        assert r.status_code == 422 and r.mimetype == "application/problem+json", query
    assert s.get("/api/v1/colleagues").status_code == 401


def test_the_system_deactivates_a_portal_client_but_no_staff_user(system, rabbit_config):
    """What portal does when contracts deletes a contact (contact.deleted.v1): deactivate_user as the system
    ends a portal client's access (once: a second call changes nothing); a staff user is not the system's to
    deactivate."""
    from nameko.standalone.rpc import ClusterRpcProxy

    from paraph_platform.actor import system_actor
    from paraph_platform.errors import Forbidden

    s = system("identity", "perimeter")
    pool = make_pool(s)
    admin = activate(s, pool["activation_code"], "Vendeur SA", "admin@vendeur-sys.test")
    staff = invite_and_join(s, admin["access_token"], "paul@vendeur-sys.test")
    license_id = admin["license_id"]
    admin_actor = {"user_id": admin["user"]["user_id"], "license_id": license_id, "role": admin["role"]}
    with ClusterRpcProxy({"AMQP_URI": rabbit_config["AMQP_URI"], "serializer": "json"}, timeout=10) as rpc:
        client = rpc.identity.grant_client_access(admin_actor, {
            "email": "alice@client-sys.test", "name": "Alice", "user_code": "A-1", "contact_id": "c1",
            "customer_id": "k1", "company": "ACME", "allowed_ip": None, "branch": None, "locale": "fr",
            "send_email": True})
        assert client["status"] == "invited"
        # her link once used still says whose it was: a portal client of Vendeur SA (the page tells her to ask
        # her contact there for a new one, not a license administrator she does not have)
        token = token_of(links(s, "alice@client-sys.test")[-1])
        # before: her page repeats her user code (her portal's sign-in asks for it); a staff link has none
        holder = s.post("/api/v1/auth/link-info", json={"token": token, "purpose": "invitation"})
        assert (holder.status_code, holder.json["role"], holder.json["user_code"]) == (200, "client", "A-1")
        assert s.post("/api/v1/auth/forgot-password", json={"email": "paul@vendeur-sys.test"}).status_code < 300
        staff_link = s.post("/api/v1/auth/link-info", json={
            "token": token_of(links(s, "paul@vendeur-sys.test")[-1]), "purpose": "reset"})
        assert (staff_link.status_code, staff_link.json["user_code"]) == (200, None), staff_link.json
        assert s.post("/api/v1/auth/accept-invitation", json={"token": token, "password": "alice's password 1"}
                      ).status_code == 200
        r = s.post("/api/v1/auth/link-info", json={"token": token, "purpose": "invitation"})
        assert r.status_code == 410 and r.mimetype == "application/problem+json", r.json
        assert (r.json["detail"], r.json["company"], r.json["role"]) == (
            "This link was already used.", "Vendeur SA", "client")
        gone = rpc.identity.deactivate_user(system_actor(license_id), client["user_id"])
        assert gone["status"] == "deactivated"
        assert rpc.identity.deactivate_user(system_actor(license_id), client["user_id"])["status"] == "deactivated"
        with pytest.raises(Forbidden):
            rpc.identity.deactivate_user(system_actor(license_id), staff["user"]["user_id"])
    engine = create_engine(normalize_url(s.db_url("identity")))
    with engine.connect() as conn:
        events = [r[0]["data"] for r in conn.execute(text(
            "select payload from outbox where type = 'user.deactivated.v1' order by seq")).all()]
    engine.dispose()
    assert [(e["user_id"], e["deactivated_by"]) for e in events] == [(client["user_id"], "system")]
    users = s.get("/api/v1/users", token=admin["access_token"]).json["items"]
    assert {u["email"]: u["status"] for u in users}["paul@vendeur-sys.test"] == "active"
    # the team alone (the users' page): the portal client is left out, as she is of the seats
    team = s.get("/api/v1/users?staff=true&count=true", token=admin["access_token"]).json
    assert sorted(u["email"] for u in team["items"]) == ["admin@vendeur-sys.test", "paul@vendeur-sys.test"]
    assert team["total"] == 2


def test_a_client_resets_her_portal_password_through_her_company_a_staff_member_through_paraph(system, rabbit_config):
    """A person whose only accesses are client portals resets the password of her company's portal: her link names
    the company and says she is a client (the page sends her to the portal's sign-in), her email is the company's
    (client_password_reset, in its license: its template, time zone and From name); of two companies, the one she
    last signed in to. Anyone on a company's staff resets a Paraph account (password_reset, no license)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    s = system("identity", "perimeter")
    pool = make_pool(s)
    first = activate(s, pool["activation_code"], "Vendeur SA", "admin@vendeur-reset.test")
    second = activate(s, pool["activation_code"], "Autre SARL", "admin@autre-reset.test")
    invite_and_join(s, first["access_token"], "paul@vendeur-reset.test")

    def reset_requests(email):
        engine = create_engine(normalize_url(s.db_url("identity")))
        with engine.connect() as conn:
            rows = conn.execute(text("select payload from outbox where type = 'notification.requested.v1' "
                                     "order by seq")).all()
        engine.dispose()
        return [r[0] for r in rows if r[0]["data"]["to"] == email and "reset-password" in r[0]["data"]["vars"]["link"]]

    def forgot(email):
        assert s.post("/api/v1/auth/forgot-password", json={"email": email}).status_code == 202
        request = reset_requests(email)[-1]
        holder = s.post("/api/v1/auth/link-info", json={"token": token_of(request["data"]["vars"]["link"]),
                                                        "purpose": "reset"}).json
        return request, holder

    with ClusterRpcProxy({"AMQP_URI": rabbit_config["AMQP_URI"], "serializer": "json"}, timeout=10) as rpc:
        for admin, customer in ((first, "k1"), (second, "k2")):
            actor = {"user_id": admin["user"]["user_id"], "license_id": admin["license_id"], "role": admin["role"]}
            rpc.identity.grant_client_access(actor, {
                "email": "alice@client-reset.test", "name": "Alice", "user_code": f"A-{customer}",
                "contact_id": f"c-{customer}", "customer_id": customer, "company": "ACME", "allowed_ip": None,
                "branch": None, "locale": "fr", "send_email": True})
            invitation = [lk for lk in links(s, "alice@client-reset.test") if "set-password" in lk][-1]
            r = s.post("/api/v1/auth/accept-invitation", json={"token": token_of(invitation),
                                                               "password": None if customer == "k2" else
                                                               "alice's password 1"})
            assert r.status_code == 200, r.json
    # she last joined Autre SARL; signing in to Vendeur SA makes it her company
    for license_id, company, customer in ((second["license_id"], "Autre SARL", "k2"),
                                          (first["license_id"], "Vendeur SA", "k1")):
        if license_id == first["license_id"]:
            assert s.post("/api/v1/auth/login", json={"email": "alice@client-reset.test",
                                                      "password": "alice's password 1",
                                                      "license_id": license_id}).status_code == 200
        request, holder = forgot("alice@client-reset.test")
        assert request["data"]["template"] == "client_password_reset" and request["license_id"] == license_id
        assert request["data"]["vars"]["license_name"] == company and request["data"]["customer_id"] == customer
        assert (holder["company"], holder["role"]) == (company, "client"), holder
    r = s.post("/api/v1/auth/reset-password", json={"token": token_of(request["data"]["vars"]["link"]),
                                                    "password": "alice's password 2"})
    assert r.status_code == 200, r.json
    assert s.post("/api/v1/auth/login", json={"email": "alice@client-reset.test",
                                              "password": "alice's password 2"}).json["role"] == "client"

    request, holder = forgot("paul@vendeur-reset.test")
    assert request["data"]["template"] == "password_reset" and request["license_id"] is None
    assert (holder["company"], holder["role"]) == (None, None) and request["data"]["customer_id"] is None


def test_an_erp_sync_key_reads_the_seats_before_inviting(system):
    """An integration sees the seats left before a sync: GET /license takes the scope users:read (users:write
    implies it); a key without it gets a 403 naming it, and no key changes the license."""
    s = system("identity")
    pool = make_pool(s, seats=4)
    admin = activate(s, pool["activation_code"], "ACME Paris", "boss@acme.test")["access_token"]
    activate(s, pool["activation_code"], "ACME Lyon", "boss@acme-lyon.test")

    def key(role, scopes):
        account = s.post("/api/v1/service-accounts", json={"name": f"ERP {role} {scopes[0]}", "role": role},
                         token=admin)
        assert account.status_code == 201, account.json
        r = s.post(f"/api/v1/service-accounts/{account.json['id']}/keys", json={"name": "sage", "scopes": scopes},
                   token=admin)
        assert r.status_code == 201, r.json
        return {"X-Api-Key": r.json["key"]}

    sync = key("license_admin", ["users:write"])
    r = s.get("/api/v1/license", headers=sync)
    assert r.status_code == 200, r.json
    assert (r.json["seats_total"], r.json["seats_used"], r.json["seats_used_here"]) == (4, 2, 1)
    assert s.get("/api/v1/license", headers=key("license_admin", ["users:read"])).status_code == 200
    # a user account's key reads the license as a user does: no seat figures
    assert "seats_total" not in s.get("/api/v1/license", headers=key("user", ["users:read"])).json
    r = s.get("/api/v1/license", headers=key("license_admin", ["customers:read"]))
    assert r.status_code == 403 and r.json["missing_scope"] == "users:read"
    r = s.patch("/api/v1/license", json={"name": "Renamed"}, headers=sync)
    assert r.status_code == 403 and s.get("/api/v1/license", token=admin).json["name"] == "ACME Paris"


def invitation_vars(system, email):
    """The vars of the invitation emails requested for ``email`` (identity's outbox), oldest first."""
    engine = create_engine(normalize_url(system.db_url("identity")))
    with engine.connect() as conn:
        rows = conn.execute(text("select payload from outbox where type = 'notification.requested.v1' order by seq")).all()
    engine.dispose()
    return [r[0]["data"]["vars"] for r in rows
            if r[0]["data"]["to"] == email and r[0]["data"]["template"] == "invitation"]


def test_an_invitation_names_the_inviting_admin_by_the_name_they_gave(system):
    """The name given at activation (or later on the profile) is the one the invitations say ("Claire Martin vous
    invite"); an admin who never gave one is named by their email."""
    s = system("identity")
    pool = make_pool(s)
    r = s.post("/api/v1/licenses/activate", json={"activation_code": pool["activation_code"],
                                                  "company_name": "Immo Paris", "admin_email": "claire@immo.test",
                                                  "admin_name": "Claire Martin"})
    assert r.status_code == 201, r.json
    claire = s.post("/api/v1/auth/accept-invitation", json={"token": token_of(links(s, "claire@immo.test")[-1]),
                                                            "password": "correct horse battery"}).json
    s.post("/api/v1/users", json={"email": "paul@immo.test"}, token=claire["access_token"])
    assert invitation_vars(s, "paul@immo.test")[-1]["inviter"] == "Claire Martin"

    # an admin who gave no name: their email, until they write their name on their profile
    r = s.post("/api/v1/licenses/activate", json={"activation_code": pool["activation_code"],
                                                  "company_name": "Immo Lyon", "admin_email": "boss@immo-lyon.test"})
    assert r.status_code == 201, r.json
    lyon = s.post("/api/v1/auth/accept-invitation", json={"token": token_of(links(s, "boss@immo-lyon.test")[-1]),
                                                          "password": "correct horse battery"}).json
    s.post("/api/v1/users", json={"email": "lea@immo.test"}, token=lyon["access_token"])
    assert invitation_vars(s, "lea@immo.test")[-1]["inviter"] == "boss@immo-lyon.test"
    r = s.patch("/api/v1/me", json={"name": "Marc Petit"}, token=lyon["access_token"])
    assert r.status_code == 200, r.json
    s.post(f"/api/v1/users/{s.get('/api/v1/users?q=lea@', token=lyon['access_token']).json['items'][0]['user_id']}"
           "/resend-invitation", token=lyon["access_token"])
    assert [v["inviter"] for v in invitation_vars(s, "lea@immo.test")][-1] == "Marc Petit"

    # someone of another company activating one more, with a name they had not given: it is kept
    r = s.post("/api/v1/licenses/activate", json={"activation_code": pool["activation_code"],
                                                  "company_name": "Immo Nice", "admin_email": "lea@immo.test",
                                                  "admin_name": "Léa Roux"})
    assert r.status_code == 201 and r.json["admin"]["name"] == "Léa Roux", r.json


def invitation_locales(system) -> dict:
    """The language of each invitation, by recipient (a person's latest)."""
    return {n["to"]: n["locale"] for n in notifications(system) if n["template"] == "invitation"}


def test_a_company_activated_in_english_speaks_english_to_its_admin_and_its_people(system):
    """An English company's admin, her colleagues' invitations and its documents were French: the activation said
    no language. Said (the web's /activate page sends its own), it is the admin's and the company's; a colleague
    invited without a language gets the company's, one with a language that one; unsaid, French as before."""
    s = system("identity")
    pool = make_pool(s, seats=10)
    r = s.post("/api/v1/licenses/activate", json={"activation_code": pool["activation_code"], "locale": "en",
                                                  "company_name": "Thames Tools Ltd", "admin_email": "emma@thames.test"})
    assert r.status_code == 201, r.json
    assert r.json["admin"]["locale"] == "en"
    emma = s.post("/api/v1/auth/accept-invitation", json={
        "token": token_of(links(s, "emma@thames.test")[-1]), "password": "correct horse battery"}).json
    assert s.get("/api/v1/license", token=emma["access_token"]).json["settings"]["default_locale"] == "en"
    for email, body in (("oliver@thames.test", {}), ("amelie@thames.test", {"locale": "fr"})):
        assert s.post("/api/v1/users", json={"email": email, **body}, token=emma["access_token"]).status_code == 201
    assert invitation_locales(s) == {"emma@thames.test": "en", "oliver@thames.test": "en", "amelie@thames.test": "fr"}
    # a company activated without a language (an integrator's call): French, its people too
    paris = activate(s, pool["activation_code"], "ACME Paris", "boss@acme.test")
    assert s.get("/api/v1/license", token=paris["access_token"]).json["settings"]["default_locale"] == "fr"
    assert s.post("/api/v1/users", json={"email": "paul@acme.test"}, token=paris["access_token"]).status_code == 201
    assert invitation_locales(s)["paul@acme.test"] == "fr"
    # the same person activating a second company keeps the language of her account
    r = s.post("/api/v1/licenses/activate", json={"activation_code": pool["activation_code"], "locale": "fr",
                                                  "company_name": "Thames Outils", "admin_email": "emma@thames.test"})
    assert r.status_code == 201 and r.json["admin"]["locale"] == "en", r.json
