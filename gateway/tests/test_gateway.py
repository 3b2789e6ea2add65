"""Gateway behaviour that needs no service: auth, errors, OpenAPI, client IP, unavailable services."""

import pytest
from openapi_spec_validator import validate

from paraph_gateway import create_app
from paraph_platform.testing import TEST_TOKEN_KEY

# no services here: tokens signed with the test key, rights taken from the claims (no access-state lookup)
OFFLINE = {"AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1//", "TOKEN_JWKS": TEST_TOKEN_KEY.jwks,
           "ACCESS_STATE_CHECK": False}


def token(role="user", ip=None, exp=3600, **extra):
    claims = {"sub": "u1", "lic": "l1", "role": role, "email": "u@x.test", **extra}
    if ip:
        claims["ip"] = ip
    return TEST_TOKEN_KEY.token(claims, ttl=exp)


@pytest.fixture
def app():
    return create_app({**OFFLINE, "RPC_TIMEOUT": 2, "TESTING": True})


def test_openapi_document_is_valid_and_complete(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(spec)
    paths = spec["paths"]
    for path in ("/api/v1/auth/login", "/api/v1/users", "/api/v1/perimeters", "/api/v1/customers",
                 "/api/v1/contracts/{contract_id}/pdf", "/api/v1/quotes"):
        assert path in paths, path
    login = paths["/api/v1/auth/login"]["post"]
    assert "security" not in login and login["requestBody"]["content"]["application/json"]["schema"]
    # a person's token, or an API key with the route's scope; routes of no scope take tokens only
    assert paths["/api/v1/users"]["post"]["security"] == [{"bearer": []}, {"apiKey": []}]
    assert paths["/api/v1/users"]["post"]["x-api-key-scope"] == "users:write"
    assert paths["/api/v1/me"]["get"]["security"] == [{"bearer": []}]
    assert "x-api-key-scope" not in paths["/api/v1/me"]["get"]
    assert "application/problem+json" in paths["/api/v1/users"]["post"]["responses"]["4XX"]["content"]


def test_errors_are_problem_json(app):
    c = app.test_client()
    for resp, status in ((c.get("/api/v1/nope"), 404), (c.delete("/api/v1/auth/login"), 405),
                         (c.get("/api/v1/users"), 401),
                         (c.get("/api/v1/users", headers={"Authorization": "Basic abc"}), 401),
                         (c.get("/api/v1/users", headers={"Authorization": f"Bearer {token(exp=-60)}"}), 401),
                         (c.get("/api/v1/users", headers={"Authorization": f"Bearer {token(role='user')}"}), 403),
                         (c.post("/api/v1/auth/login", data="x", headers={"Content-Type": "text/plain"}), 415),
                         # curl -d without a Content-Type: a form's body is not "no body" (each field missing)
                         (c.post("/api/v1/auth/login", data={"email": "a@b.c", "password": "x"}), 415),
                         (c.post("/api/v1/auth/login", json=[1, 2]), 400),
                         # the caller's address is the gateway's to set, never the client's
                         (c.post("/api/v1/auth/login", json={"email": "a@b.c", "password": "x",
                                                             "client_ip": "198.51.100.1"}), 422)):
        assert resp.status_code == status, (resp.status_code, resp.get_json())
        assert resp.mimetype == "application/problem+json"
        body = resp.get_json()
        assert body["status"] == status and body["title"] and body["detail"] and body["request_id"]
    assert c.delete("/api/v1/auth/login").headers["Allow"]
    assert c.get("/api/v1/users").headers["WWW-Authenticate"] == 'Bearer realm="paraph"'


def test_broker_down_is_503_with_retry_after(app):
    r = app.test_client().get("/api/v1/license", headers={"Authorization": f"Bearer {token()}"})
    assert r.status_code == 503 and r.mimetype == "application/problem+json" and r.headers["Retry-After"]


def test_client_ip_restriction_cannot_be_bypassed_with_a_forged_header():
    app = create_app({**OFFLINE,
                      "TRUSTED_PROXY_HOPS": 1})
    c = app.test_client()
    t = token(role="client", ip="203.0.113.7")
    h = {"Authorization": f"Bearer {t}"}
    # our proxy appended the real client address last; the client forged the first entry
    r = c.get("/api/v1/me", headers={**h, "X-Forwarded-For": "203.0.113.7, 198.51.100.9"},
              environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert r.status_code == 403
    r = c.get("/api/v1/me", headers={**h, "X-Forwarded-For": "198.51.100.9, 203.0.113.7"},
              environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert r.status_code != 403  # allowed through auth (then 503: no broker here)
    # with no trusted proxy the header is ignored entirely
    app0 = create_app(OFFLINE)
    r = app0.test_client().get("/api/v1/me", headers={**h, "X-Forwarded-For": "203.0.113.7"},
                               environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert r.status_code == 403


def test_health_endpoints(app):
    c = app.test_client()
    assert c.get("/healthz").status_code == 200
    r = c.get("/readyz")
    assert r.status_code == 503 and r.mimetype == "application/problem+json"


def test_a_deprecated_operation_says_so_in_the_document_and_in_its_headers():
    from datetime import date

    from flask import Blueprint

    from paraph_gateway.openapi import build_spec
    from paraph_gateway.routing import route

    bp = Blueprint("legacy", __name__)

    @route(bp, "/legacy-ping", ["GET"], public=True, deprecated_on=date(2026, 12, 1), sunset_on=date(2027, 12, 1))
    def legacy_ping():
        """An old operation kept for its clients."""
        return {"pong": True}

    app = create_app({**OFFLINE, "TESTING": True})
    app.register_blueprint(bp, url_prefix="/api/v1")
    resp = app.test_client().get("/api/v1/legacy-ping")
    assert resp.status_code == 200 and resp.get_json() == {"pong": True}
    assert resp.headers["Deprecation"] == "@1796083200"  # 2026-12-01T00:00:00Z (RFC 9745)
    assert resp.headers["Sunset"] == "Wed, 01 Dec 2027 00:00:00 GMT"  # RFC 8594
    assert build_spec(app)["paths"]["/api/v1/legacy-ping"]["get"]["deprecated"] is True


def test_every_write_documents_its_conflict(app):
    from paraph_gateway.openapi import build_spec
    for path, ops in build_spec(app)["paths"].items():
        for method, op in ops.items():
            if method not in ("get", "head"):
                assert "409" in op["responses"], f"{method.upper()} {path}"


def test_routes_document_answers_with_the_services_own_result_schemas(app):
    """One source per fact: a route answering an RPC result names the service's exported result schema
    (service_results/<service>.json, package data), a component of the document; the view's own HTTP-only
    fields are composed with it (allOf)."""
    import json
    from importlib import resources

    from flask import Blueprint
    from marshmallow import Schema, fields

    from paraph_gateway.openapi import build_spec
    from paraph_gateway.routing import route
    from paraph_gateway.service_results import service_result

    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    ok = spec["paths"]["/api/v1/webhooks/{webhook_id}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/notify.get_webhook"}
    shipped = json.loads((resources.files("paraph_gateway") / "service_results" / "notify.json").read_text())
    component = spec["components"]["schemas"]["notify.get_webhook"]
    assert component == {k: v for k, v in shipped["get_webhook"].items() if k not in ("$schema", "$id", "title")}
    assert "secret" in spec["components"]["schemas"]["notify.create_webhook"]["properties"]
    assert "WebhookOut" not in spec["components"]["schemas"]  # the gateway's copy is gone

    class Links(Schema):
        download_url = fields.String(metadata={"description": "added by the gateway"})

    bp = Blueprint("composed", __name__)

    @route(bp, "/composed/<webhook_id>", ["GET"], public=True,
           response=service_result("notify", "get_webhook", extra=Links))
    def composed(webhook_id):
        return {"id": webhook_id, "download_url": "/x"}

    app2 = create_app({**OFFLINE, "TESTING": True})
    app2.register_blueprint(bp, url_prefix="/api/v1")
    doc = build_spec(app2)
    validate(doc)
    schema = doc["paths"]["/api/v1/composed/{webhook_id}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    assert schema == {"allOf": [{"$ref": "#/components/schemas/notify.get_webhook"},
                                {"$ref": "#/components/schemas/Links"}]}
    with pytest.raises(LookupError, match="notify.delete_webhook declares no result schema"):
        service_result("notify", "delete_webhook")


def test_an_api_key_reads_the_license_with_users_read_and_never_changes_it(app):
    """The seats an ERP sync's invitations take: GET /license is open to the keys of the users area (read);
    PATCH /license stays a person's."""
    from paraph_gateway import api_keys
    license_ops = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/license"]
    assert license_ops["get"]["x-api-key-scope"] == "users:read"
    assert license_ops["get"]["security"] == [{"bearer": []}, {"apiKey": []}]
    assert "x-api-key-scope" not in license_ops["patch"] and license_ops["patch"]["security"] == [{"bearer": []}]
    key = {"service_account": True, "scopes": ["customers:write"]}
    with pytest.raises(Exception) as refused:
        api_keys.require_scope(key, "users", "GET")
    assert refused.value.details == {"missing_scope": "users:read"}
    api_keys.require_scope({**key, "scopes": ["users:write"]}, "users", "GET")  # write implies read
