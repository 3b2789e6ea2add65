"""Every operation of the public API, fed malformed input by a signed-in license admin, answers a 4xx
problem+json (or succeeds): never a 500. Driven by the OpenAPI document, so new endpoints are covered. A
body the service refused does not use up its Idempotency-Key."""
import json
import re

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

WEIRD_IDS = ["nope", "0" * 200, "%2e%2e%2fetc", "'; drop table x; --", "ø∆"]
BAD_VALUES = [None, 12345, -1, 1.5e300, True, "", "x" * 5000, [], {}, ["a", 1], {"$ne": 1}, "2026-13-45",
              "<script>alert(1)</script>"]
# valid ISO 8601 whose UTC falls outside what Python's datetime holds (paraph_platform.dates.AwareDateTime)
EXTREME_DATE_TIMES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00Z"]


def is_date_time(schema) -> bool:
    return "date-time" in json.dumps(schema)


def schema_fields(spec, schema):
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema.get("properties", {})


def bodies(spec, op):
    content = (op.get("requestBody") or {}).get("content", {})
    if "application/json" not in content:
        return []
    fields = schema_fields(spec, content["application/json"]["schema"])
    out = [{}, [], "string", {"unexpected_field": 1}]
    out += [{name: value} for name, schema in fields.items() if is_date_time(schema) for value in EXTREME_DATE_TIMES]
    for name in fields:
        for value in BAD_VALUES:
            out.append({name: value})
    return out


def query_names(spec, op):
    """The operation's query parameters: name -> whether it is a date-time."""
    return {param["name"]: is_date_time(param.get("schema", {})) for param in op.get("parameters", [])
            if isinstance(param, dict) and param.get("in") == "query"}


@pytest.fixture(scope="module")
def world(module_system):
    s = module_system("identity", "perimeter", "contracts", "signing", "portal", "notify")
    admin = s.new_license("Fuzz SA", "admin@fuzz.test")
    return s, admin


def test_malformed_requests_never_cause_a_server_error(world):
    s, admin = world
    spec = s.get("/api/v1/openapi.json").get_json()
    failures = []
    count = 0
    for path, ops in spec["paths"].items():
        if "/operator/" in path:
            continue  # operator endpoints are covered by their own tests
        for method, op in ops.items():
            for weird in WEIRD_IDS[:2] if "{" in path else [None]:
                url = re.sub(r"\{[^}]+\}", weird, path) if weird else path
                variants = bodies(spec, op) if method in ("post", "put", "patch") else [None]
                if method == "get":
                    for name, date_time in query_names(spec, op).items():
                        for value in ("-5", "abc", "1e99", "", "x" * 3000, "true&limit=0",
                                      *(EXTREME_DATE_TIMES if date_time else ())):
                            r = s.client.get(url, query_string={name: value},
                                             headers={"Authorization": f"Bearer {admin['access_token']}"})
                            count += 1
                            if r.status_code >= 500 and r.status_code not in (503, 504):
                                failures.append(f"GET {url}?{name}={value[:20]} -> {r.status_code}")
                for body in variants[:60]:
                    kwargs = {"token": admin["access_token"]}
                    if body is not None:
                        kwargs["data"] = json.dumps(body)
                        kwargs["headers"] = {"Content-Type": "application/json"}
                    r = getattr(s.client, method)(url, headers={**kwargs.get("headers", {}),
                                                               "Authorization": f"Bearer {kwargs['token']}"},
                                                  data=kwargs.get("data"))
                    count += 1
                    if r.status_code >= 500 and r.status_code not in (503, 504):
                        failures.append(f"{method.upper()} {url} {str(body)[:80]} -> {r.status_code} "
                                        f"{r.get_data(as_text=True)[:200]}")
                    elif r.status_code >= 400:
                        assert r.mimetype == "application/problem+json", f"{method.upper()} {url}: {r.mimetype}"
    assert count > 500
    assert not failures, "\n".join(failures[:30])


def test_a_body_refused_as_invalid_leaves_its_idempotency_key_for_the_corrected_retry(world):
    """The services validate the bodies the gateway passes on: an integrator that fixes a 422 and retries
    under the same key gets its customer, not a 409 "key used with another payload"."""
    s, _ = world
    admin = s.new_license("Retry SA", "admin@retry.test")  # the fuzzing admin has used up its rate limit
    key = {"Idempotency-Key": "customer-with-a-typo"}
    refused = s.post("/api/v1/customers", json={"name": ""}, token=admin["access_token"], headers=key)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json", refused.get_json()
    assert "name" in refused.get_json()["errors"], refused.get_json()
    created = s.post("/api/v1/customers", json={"name": "Typo fixed SARL"}, token=admin["access_token"], headers=key)
    assert created.status_code == 201, created.get_json()
    again = s.post("/api/v1/customers", json={"name": "Typo fixed SARL"}, token=admin["access_token"], headers=key)
    assert again.get_json()["id"] == created.get_json()["id"]
