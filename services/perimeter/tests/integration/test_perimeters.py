"""perimeter through the gateway against real RabbitMQ and PostgreSQL, with the embedded OPA engine
and with an OPA server (OPA_URL)."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from perimeter_service.dependencies import LocalOpa

pytestmark = pytest.mark.integration


class FakeOpaServer:
    """Speaks the OPA REST API subset Paraph uses (policy upload, data API, compile API with a SQL
    Accept type), evaluating with the real OPA engine: stands in for an `opa run --server`."""

    def __init__(self):
        self.engine = LocalOpa()
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, code, body):
                raw = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _body(self):
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_PUT(self):
                source = self._body().decode()
                outer.requests.append(("PUT", self.path))
                outer.engine = LocalOpa(source)
                self._json(200, {})

            def do_POST(self):
                body = json.loads(self._body() or b"{}")
                outer.requests.append(("POST", self.path))
                if self.path.startswith("/v1/data/paraph/perimeter/"):
                    rule = self.path.rsplit("/", 1)[1]
                    self._json(200, {"result": outer.engine.decide(rule, body.get("input"))})
                elif self.path.startswith("/v1/compile/paraph/perimeter/"):
                    rule = self.path.rsplit("/", 1)[1]
                    dialect = self.headers["Accept"].split("sql.", 1)[1].split("+", 1)[0]
                    where = outer.engine.compile(rule, body.get("input"), dialect)
                    self._json(200, {"result": {} if where is None else {"query": f"WHERE {where}" if where else ""}})
                else:
                    self._json(404, {"code": "resource_not_found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self):
        self.server.shutdown()


def _scenario(s):
    admin = s.new_license("Zones", "admin@zones.test")
    A = admin["access_token"]
    north = s.post("/api/v1/perimeters", json={"name": "Nord"}, token=A).get_json()
    south = s.post("/api/v1/perimeters", json={"name": "Sud", "description": "PACA"}, token=A).get_json()
    alice = s.add_user(admin, "alice@zones.test")
    r = s.put(f"/api/v1/perimeters/{north['id']}/members", token=A, json={"users": [alice["user"]["user_id"]]})
    assert r.status_code == 200, r.get_json()
    c_north = s.post("/api/v1/customers", json={"name": "Client Nord"}, token=alice["access_token"]).get_json()
    assert c_north["perimeter_ids"] == [north["id"]]  # inherited from alice
    c_south = s.post("/api/v1/customers", json={"name": "Client Sud"}, token=A).get_json()
    r = s.put(f"/api/v1/customers/{c_south['id']}/perimeters", json={"perimeter_ids": [south["id"]]}, token=A)
    assert r.status_code == 200
    return admin, alice, north, south, c_north, c_south


def test_perimeter_admin_and_members(system):
    s = system("identity", "perimeter", "contracts")
    admin, alice, north, south, c_north, c_south = _scenario(s)
    A = admin["access_token"]
    listed = {p["name"]: p["counts"] for p in s.get("/api/v1/perimeters", token=A).get_json()["items"]}
    assert listed == {"Nord": {"user": 1, "customer": 1, "contract_type": 0},
                      "Sud": {"user": 0, "customer": 1, "contract_type": 0}}
    got = s.get(f"/api/v1/perimeters/{north['id']}", token=A).get_json()
    assert got["members"] == {"users": [alice["user"]["user_id"]], "customers": [c_north["id"]], "contract_types": []}
    assert [c["name"] for c in s.get("/api/v1/customers", token=alice["access_token"]).get_json()["items"]] == [
        "Client Nord"]
    # duplicates, empty names, plain users -> 4xx
    taken = s.post("/api/v1/perimeters", json={"name": "Nord"}, token=A)
    assert taken.status_code == 409
    assert taken.get_json()["errors"] == {"name": ["Another perimeter already has this name."]}  # said of the field
    renamed = s.patch(f"/api/v1/perimeters/{south['id']}", json={"name": "Nord"}, token=A)
    assert renamed.status_code == 409
    assert renamed.get_json()["errors"] == {"name": ["Another perimeter already has this name."]}
    assert s.post("/api/v1/perimeters", json={"name": ""}, token=A).status_code == 422
    assert s.post("/api/v1/perimeters", json={"name": "X"}, token=alice["access_token"]).status_code == 403
    assert s.patch(f"/api/v1/perimeters/{south['id']}", json={"name": "Sud-Est"}, token=A).get_json()["name"] == "Sud-Est"
    # alice moves to the south: she now sees the south customer and no longer the north one
    r = s.put(f"/api/v1/users/{alice['user']['user_id']}/perimeters", json={"perimeter_ids": [south["id"]]}, token=A)
    assert r.status_code == 200
    assert [c["name"] for c in s.get("/api/v1/customers", token=alice["access_token"]).get_json()["items"]] == [
        "Client Sud"]
    # deleting the south perimeter would expose "Client Sud" to everyone: refused, then forced
    assert s.delete(f"/api/v1/perimeters/{south['id']}", token=A).status_code == 409
    r = s.delete(f"/api/v1/perimeters/{south['id']}?force=true", token=A)
    assert r.status_code == 200 and r.get_json()["deleted"]
    # the replica in contracts follows through perimeter.assignments_changed.v1
    s.relay("perimeter").drain()
    s.wait_for(lambda: s.get(f"/api/v1/customers/{c_south['id']}", token=A).get_json()["perimeter_ids"] == [],
               message="scope replica updated")


def test_opa_server_mode(system, monkeypatch):
    opa = FakeOpaServer()
    monkeypatch.setenv("OPA_URL", opa.url)
    try:
        s = system("identity", "perimeter", "contracts")
        admin, alice, north, south, c_north, c_south = _scenario(s)
        names = [c["name"] for c in s.get("/api/v1/customers", token=alice["access_token"]).get_json()["items"]]
        assert names == ["Client Nord"]
        assert s.get(f"/api/v1/customers/{c_south['id']}", token=alice["access_token"]).status_code == 404
        paths = {p for _, p in opa.requests}
        assert "/v1/policies/paraph-perimeter" in paths          # policy pushed at start
        assert "/v1/compile/paraph/perimeter/filter" in paths     # lists filtered by compiled SQL
        assert "/v1/data/paraph/perimeter/may_assign" in paths    # decisions from the server
    finally:
        opa.close()


def test_policy_engine_down_is_a_503_not_a_500(system, monkeypatch):
    opa = FakeOpaServer()
    monkeypatch.setenv("OPA_URL", opa.url)
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Down", "admin@down.test")
    user = s.add_user(admin, "u@down.test")
    opa.close()
    r = s.get("/api/v1/customers", token=user["access_token"])
    assert r.status_code == 503 and r.mimetype == "application/problem+json"
