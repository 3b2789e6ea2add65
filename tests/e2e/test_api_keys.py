"""End to end: integrators' service accounts and API keys, through the gateway with the real services.

A license admin creates a service account and keys (shown once, stored hashed); a key authenticates with
``Authorization: Bearer pk_live_...`` or ``X-Api-Key``, within its scopes, IP allow-list and expiry, and
the account's perimeters; revoking it, or disabling the account, refuses its very next request."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from paraph_platform.db import normalize_url

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

INVALID_KEY = "This API key is not valid (unknown, revoked or expired)."


@pytest.fixture
def world(system):
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Agence Immo", "admin@immo.test", seats=5)
    return s, admin["access_token"]


def sql(s, statement: str, **params) -> list:
    engine = create_engine(normalize_url(s.db_url("identity")))
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()


def new_account(s, admin, **body) -> dict:
    r = s.post("/api/v1/service-accounts", json={"name": "ERP sync", **body}, token=admin)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def new_key(s, admin, account, scopes, **body) -> dict:
    r = s.post(f"/api/v1/service-accounts/{account['id']}/keys", json={"name": "prod", "scopes": scopes, **body},
               token=admin)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def new_customer(s, token, name) -> str:
    r = s.post("/api/v1/customers", json={"name": name, "kind": "person"}, token=token)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def names(resp) -> list[str]:
    assert resp.status_code == 200, resp.get_json()
    return sorted(c["name"] for c in resp.get_json()["items"])


def test_a_key_is_shown_once_stored_hashed_and_works_within_its_scopes(world):
    s, admin = world
    seats_before = s.get("/api/v1/license", token=admin).get_json()["seats_used"]
    account = new_account(s, admin, description="nightly ERP import")
    assert account["role"] == "user" and account["status"] == "active"
    created = new_key(s, admin, account, ["customers:read"])
    key = created["key"]
    assert key.startswith("pk_live_") and len(key) == 51 and key[8:].isalnum()
    assert created["prefix"] == key[:12] and created["scopes"] == ["customers:read"]

    # lists show the prefix only; the database holds the key's hash, never its text
    [listed] = s.get(f"/api/v1/service-accounts/{account['id']}/keys", token=admin).get_json()
    assert "key" not in listed and listed["prefix"] == key[:12] and listed["last_used_at"] is None
    for table in ("api_keys", "idempotency_keys", "outbox"):
        assert key not in str(sql(s, f"select * from {table}")), table

    # both headers authenticate; the key acts as a user of the license
    new_customer(s, admin, "Monsieur TOURNIER")
    assert names(s.get("/api/v1/customers", token=key)) == ["Monsieur TOURNIER"]
    assert names(s.get("/api/v1/customers", headers={"X-Api-Key": key})) == ["Monsieur TOURNIER"]
    [listed] = s.get(f"/api/v1/service-accounts/{account['id']}/keys", token=admin).get_json()
    assert listed["last_used_at"] is not None

    # outside its scopes: 403 naming the missing scope; routes of no area refuse keys
    r = s.post("/api/v1/customers", json={"name": "Madame FIORE", "kind": "person"}, token=key)
    assert r.status_code == 403 and r.content_type == "application/problem+json"
    assert "customers:write" in r.get_json()["detail"] and r.get_json()["missing_scope"] == "customers:write"
    assert s.get("/api/v1/contracts", token=key).get_json()["missing_scope"] == "contracts:read"
    for path in ("/api/v1/service-accounts", "/api/v1/me", "/api/v1/license"):
        assert s.get(path, token=key).status_code == 403, path
    assert s.get("/api/v1/customers", token=key, headers={"X-Api-Key": key}).status_code == 400

    # a repeated request (same Idempotency-Key) gets the same key, without its text
    again = {"Idempotency-Key": "key-once"}
    first = s.post(f"/api/v1/service-accounts/{account['id']}/keys", json={"name": "ci", "scopes": ["users:read"]},
                   token=admin, headers=again).get_json()
    replay = s.post(f"/api/v1/service-accounts/{account['id']}/keys", json={"name": "ci", "scopes": ["users:read"]},
                    token=admin, headers=again)
    assert replay.status_code == 201 and first["key"] and replay.get_json() == {**first, "key": None}

    # a write key (write implies read)
    writer = new_key(s, admin, account, ["customers:write"])["key"]
    new_customer(s, writer, "Madame FIORE")
    assert names(s.get("/api/v1/customers", headers={"X-Api-Key": writer})) == ["Madame FIORE", "Monsieur TOURNIER"]

    # no seat taken, not in the users list
    assert s.get("/api/v1/license", token=admin).get_json()["seats_used"] == seats_before
    users = s.get("/api/v1/users", token=admin).get_json()["items"]
    assert [u["email"] for u in users] == ["admin@immo.test"]

    # revoked: refused from the next request, with the same answer as an unknown key
    r = s.delete(f"/api/v1/service-accounts/{account['id']}/keys/{created['id']}", token=admin)
    assert r.status_code == 200 and r.get_json()["revoked_at"]
    for bad in (key, "pk_live_" + "x" * 43):
        r = s.get("/api/v1/customers", token=bad)
        assert r.status_code == 401 and r.content_type == "application/problem+json"
        assert r.get_json()["detail"] == INVALID_KEY
    assert s.get("/api/v1/customers", headers={"X-Api-Key": writer}).status_code == 200


def test_expiry_ip_allow_list_and_disabled_account(world):
    s, admin = world
    account = new_account(s, admin)
    expiring = new_key(s, admin, account, ["customers:read"],
                       expires_at=(datetime.now(timezone.utc) + timedelta(days=1)).isoformat())
    assert s.get("/api/v1/customers", token=expiring["key"]).status_code == 200
    sql(s, "update api_keys set expires_at = :past where id = :id",
        past=datetime.now(timezone.utc) - timedelta(seconds=1), id=expiring["id"])
    r = s.get("/api/v1/customers", token=expiring["key"])
    assert r.status_code == 401 and r.get_json()["detail"] == INVALID_KEY

    # the test client calls from 127.0.0.1
    elsewhere = new_key(s, admin, account, ["customers:read"], allowed_ips=["203.0.113.0/24", "2001:db8::1"])
    r = s.get("/api/v1/customers", token=elsewhere["key"])
    assert r.status_code == 403 and "IP address" in r.get_json()["detail"]
    here = new_key(s, admin, account, ["customers:read"], allowed_ips=["127.0.0.0/8"])["key"]
    assert s.get("/api/v1/customers", token=here).status_code == 200

    # after the subscription's end a key is refused as a person's session is, with the day it ended
    (renewal,), = sql(s, "select expires_at from seat_pools")
    ended = datetime.now(timezone.utc) - timedelta(days=1)
    sql(s, "update seat_pools set expires_at = :ended", ended=ended)
    r = s.get("/api/v1/customers", token=here)
    assert r.status_code == 403, r.get_json()
    assert r.get_json()["detail"] == f"The subscription expired on {ended.date().isoformat()}."
    assert r.get_json()["expires_at"]  # what the web app's page for it reads
    sql(s, "update seat_pools set expires_at = :renewal", renewal=renewal)
    assert s.get("/api/v1/customers", token=here).status_code == 200

    # bad input: a clear 422, never a 500
    for body in ({"scopes": ["customers:admin"]}, {"scopes": []}, {"scopes": ["users:read"], "allowed_ips": ["nope"]},
                 {"scopes": ["users:read"], "expires_at": "2000-01-01T00:00:00+00:00"}):
        r = s.post(f"/api/v1/service-accounts/{account['id']}/keys", json={"name": "x", **body}, token=admin)
        assert r.status_code == 422 and r.content_type == "application/problem+json", (body, r.get_json())
    assert s.get("/api/v1/service-accounts/unknown", token=admin).status_code == 404

    # a disabled account's keys stop at their next request
    r = s.delete(f"/api/v1/service-accounts/{account['id']}", token=admin)
    assert r.status_code == 200 and r.get_json()["status"] == "disabled"
    r = s.get("/api/v1/customers", token=here)
    assert r.status_code == 401 and r.get_json()["detail"] == INVALID_KEY
    assert s.post(f"/api/v1/service-accounts/{account['id']}/keys", json={"name": "x", "scopes": ["users:read"]},
                  token=admin).status_code == 409


def test_a_key_limited_to_a_perimeter_sees_only_its_customers(world):
    s, admin = world
    perimeters = {}
    for name in ("A", "B"):
        r = s.post("/api/v1/perimeters", json={"name": name}, token=admin)
        assert r.status_code == 201, r.get_json()
        perimeters[name] = r.get_json()["id"]
    customers = {}
    for name, perimeter in (("Client A", "A"), ("Client B", "B")):
        customers[perimeter] = cid = new_customer(s, admin, name)
        r = s.put(f"/api/v1/customers/{cid}/perimeters", json={"perimeter_ids": [perimeters[perimeter]]}, token=admin)
        assert r.status_code == 200, r.get_json()
    account = new_account(s, admin, name="Region B export")
    key = new_key(s, admin, account, ["customers:read"])["key"]

    # at once: the perimeter service asks identity about a subject it has not registered yet (its event may
    # still be on its way)
    r = s.put(f"/api/v1/service-accounts/{account['id']}/perimeters",
              json={"perimeter_ids": [perimeters["B"]]}, token=admin)
    assert r.status_code == 200, r.get_json()
    r = s.get(f"/api/v1/service-accounts/{account['id']}/perimeters", token=admin)
    assert r.status_code == 200 and r.get_json()["perimeter_ids"] == [perimeters["B"]]
    assert names(s.get("/api/v1/customers", token=key)) == ["Client B"]
    assert len(names(s.get("/api/v1/customers", token=admin))) == 2
    # one customer: B's is read, A's does not exist for the key (404, as an unknown id: not a 403 that would
    # tell it exists), the same through either header
    r = s.get(f"/api/v1/customers/{customers['B']}", token=key)
    assert r.status_code == 200 and r.get_json()["name"] == "Client B"
    for headers in ({"Authorization": f"Bearer {key}"}, {"X-Api-Key": key}):
        r = s.get(f"/api/v1/customers/{customers['A']}", headers=headers)
        assert r.status_code == 404 and r.content_type == "application/problem+json", r.get_json()
        assert "Client A" not in r.get_data(as_text=True)
        assert r.get_json()["detail"] == s.get("/api/v1/customers/unknown", token=key).get_json()["detail"]


def test_a_webhooks_key_manages_webhooks_and_nothing_else(system):
    s = system("identity", "notify", service_config={"notify": {"WEBHOOK_ALLOW_PRIVATE": "1"}})
    admin = s.new_license("Agence Immo", "admin@immo.test")["access_token"]
    # webhooks are the license admin's: the account acts with that role, its key is limited to webhooks
    account = new_account(s, admin, name="Zapier", role="license_admin")
    key = new_key(s, admin, account, ["webhooks:write"])["key"]
    r = s.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/paraph", "event_types": ["*"]}, token=key)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["secret"].startswith("whsec_")
    assert [w["id"] for w in s.get("/api/v1/webhooks", token=key).get_json()] == [r.get_json()["id"]]
    for method, path, scope in (("get", "/api/v1/customers", "customers:read"),
                                ("post", "/api/v1/customers", "customers:write"),
                                ("get", "/api/v1/contracts", "contracts:read")):
        r = getattr(s, method)(path, token=key)
        assert r.status_code == 403 and r.content_type == "application/problem+json", (path, r.get_json())
        assert r.get_json()["missing_scope"] == scope
    # nor the routes of no area (the account's own management)
    assert s.get("/api/v1/service-accounts", token=key).status_code == 403
