"""End to end: a license's own rate limits (set by the operator) apply to each of its users, and to each of its
API keys, at the gateway, counted through RabbitMQ, with the RateLimit-* headers and a 429 problem+json past
the limit."""
import pytest

from paraph_platform.testing import TEST_OPERATOR_TOKEN

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

OPERATOR = {"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"}


def test_a_license_limit_refuses_a_user_past_it_and_no_one_else(system):
    s = system("identity")
    admin = s.new_license("Small", "boss@small.test")
    r = s.patch(f"/api/v1/operator/licenses/{admin['license_id']}/rate-limits", headers=OPERATOR,
                json={"rate_limit_per_window": 3})
    assert r.status_code == 200, r.json
    assert r.json == {"license_id": admin["license_id"], "rate_limit_per_window": 3,
                      "api_key_rate_limit_per_window": None}
    assert s.patch(f"/api/v1/operator/licenses/{admin['license_id']}/rate-limits",
                   json={"rate_limit_per_window": 3}).status_code == 401  # the operator's only
    user = s.add_user(admin, "user@small.test")
    other = s.add_user(admin, "other@small.test")

    answers = [s.get("/api/v1/license", token=user["access_token"]) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert {a.headers["RateLimit-Limit"] for a in answers} == {"3"}
    refused = answers[-1]
    assert refused.mimetype == "application/problem+json"
    assert refused.json["code"] == "rate_limited" and refused.json["status"] == 429
    assert refused.json["type"] == "https://paraph.dev/problems/rate_limited" and refused.json["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Retry-After"] == refused.headers["RateLimit-Reset"]

    # another user of the same license has a count of their own
    r = s.get("/api/v1/license", token=other["access_token"])
    assert r.status_code == 200 and r.headers["RateLimit-Remaining"] == "2"
    # back to the default: the gateway hears license.updated.v1 and drops the access states it cached
    r = s.patch(f"/api/v1/operator/licenses/{admin['license_id']}/rate-limits", headers=OPERATOR,
                json={"rate_limit_per_window": None})
    assert r.status_code == 200 and r.json["rate_limit_per_window"] is None
    s.wait_for(lambda: s.get("/api/v1/license", token=user["access_token"]).headers.get("RateLimit-Limit") == "600",
               message="the default limit again")
    # another license keeps the default limit
    elsewhere = s.new_license("Big", "boss@big.test")
    r = s.get("/api/v1/license", token=elsewhere["access_token"])
    assert r.status_code == 200 and r.headers["RateLimit-Limit"] == "600"


def test_an_api_key_limit_counts_each_key_apart_from_the_licenses_people(system):
    s = system("identity")
    admin = s.new_license("Integrator", "boss@integrator.test")
    token = admin["access_token"]
    r = s.patch(f"/api/v1/operator/licenses/{admin['license_id']}/rate-limits", headers=OPERATOR,
                json={"api_key_rate_limit_per_window": 2})
    assert r.status_code == 200 and r.json["api_key_rate_limit_per_window"] == 2, r.json
    assert r.json["rate_limit_per_window"] is None  # people keep the default
    account = s.post("/api/v1/service-accounts", json={"name": "ERP sync", "role": "license_admin"}, token=token).json
    keys = [s.post(f"/api/v1/service-accounts/{account['id']}/keys", json={"name": name, "scopes": ["users:read"]},
                   token=token).json["key"] for name in ("prod", "backup")]

    answers = [s.get("/api/v1/users", token=keys[0]) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["1", "0", "0"]
    assert {a.headers["RateLimit-Limit"] for a in answers} == {"2"}
    refused = answers[-1]
    assert refused.mimetype == "application/problem+json" and refused.json["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Retry-After"] == refused.headers["RateLimit-Reset"]

    # the key's counter is its own: the license's admin (a person) and the account's other key go on
    r = s.get("/api/v1/users", token=token)
    assert r.status_code == 200 and r.headers["RateLimit-Limit"] == "600"
    assert int(r.headers["RateLimit-Remaining"]) > 500
    r = s.get("/api/v1/users", headers={"X-Api-Key": keys[1]})
    assert r.status_code == 200 and r.headers["RateLimit-Limit"] == "2" and r.headers["RateLimit-Remaining"] == "1"
    assert s.get("/api/v1/users", headers={"X-Api-Key": keys[0]}).status_code == 429  # either header, one count
