"""End to end: a license's own rate limit (set by the operator) applies to each of its users at the gateway,
counted through RabbitMQ, with the RateLimit-* headers and a 429 problem+json past the limit."""
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
