"""A license with perimeters, salespeople, customers with contacts and a quote, through the gateway.

``world``: on its own system (a module overrides it with ``shared_world``, or asks ``make_world`` for
settings of its own). ``shared_world``: a world of its own (license, users with addresses unique to the test:
``world.email[...]``) on the module's ``signing_system``, for tests that only read their own license's
data (``world.s`` filters the outbox helpers by license)."""
from __future__ import annotations

import uuid

import pytest

from signing_service import testing as esign

SERVICES = ("identity", "perimeter", "contracts", "signing")


class World:
    def __init__(self, s):
        self.s = s

    def create(self, signers, approvers=(), token=None, contract_id=None, expect=201, **extra):
        r = self.s.post(f"/api/v1/contracts/{contract_id or self.quote['id']}/signature-requests",
                        token=token or self.sales_token,
                        json={"signers": list(signers), "approvers": list(approvers), **extra})
        assert r.status_code == expect, r.get_json()
        return r.get_json()

    def new_quote(self, customer=None, token=None, contact=None):
        r = self.s.post("/api/v1/quotes", token=token or self.sales_token, json={
            "title": "Installation", "customer_id": (customer or self.customer)["id"],
            "contact_id": contact, "lines": [{"description": "Pose", "quantity": "2", "unit_price": "450.00",
                                              "tax_rate": "20"}]})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def detail(self, request_id, token=None):
        r = self.s.get(f"/api/v1/signature-requests/{request_id}", token=token or self.sales_token)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def wait_status(self, request_id, status, timeout=30):
        return self.s.wait_for(lambda: (lambda d: d if d["status"] == status else None)(self.detail(request_id)),
                               timeout=timeout, message=f"request {request_id} to be {status}")

    def maintenance(self, now=None) -> dict:
        """Run the expiry / reminder / seal-retry scan now (as the license admin: this license only)."""
        from paraph_gateway.rpc import pool
        actor = {"user_id": self.admin["user"]["user_id"], "license_id": self.admin["license_id"],
                 "role": "license_admin"}
        with self.s.app.app_context():
            return pool().call("signing", "run_maintenance", actor, now)

    def contract_status(self, contract_id):
        return self.s.get(f"/api/v1/contracts/{contract_id}", token=self.sales_token).get_json()["status"]


def build(s, shared: bool = False) -> World:
    """``shared``: ``s`` is the module's system, so the users' addresses are the test's own and ``w.s`` reads
    this license's rows only."""
    w = World(s)
    domain = f"{uuid.uuid4().hex[:10]}.vendeur.test" if shared else "vendeur.test"
    w.email = {who: f"{who}@{domain}" for who in ("admin", "sales", "durand", "boss")}
    w.admin = s.new_license("Vendeur SA", w.email["admin"])
    if shared:
        w.s = s = s.for_license(w.admin["license_id"])
    A = w.admin["access_token"]
    w.per = {}
    for key in ("A", "B"):
        r = s.post("/api/v1/perimeters", json={"name": f"Zone {key}"}, token=A)
        assert r.status_code == 201, r.get_json()
        w.per[key] = r.get_json()["id"]
    w.sales = s.add_user(w.admin, w.email["sales"], name="Sam Sales")
    w.other = s.add_user(w.admin, w.email["durand"], name="Mme Durand")
    w.boss = s.add_user(w.admin, w.email["boss"], name="Bea Boss")
    for user, key in ((w.sales, "A"), (w.other, "B"), (w.boss, "A")):
        r = s.put(f"/api/v1/users/{user['user']['user_id']}/perimeters", json={"perimeter_ids": [w.per[key]]}, token=A)
        assert r.status_code == 200, r.get_json()
    w.sales_token = w.sales["access_token"]

    def customer(name, key, contacts):
        r = s.post("/api/v1/customers", json={"name": name, "contacts": contacts}, token=A)
        assert r.status_code == 201, r.get_json()
        c = r.get_json()
        r = s.put(f"/api/v1/customers/{c['id']}/perimeters", json={"perimeter_ids": [w.per[key]]}, token=A)
        assert r.status_code == 200, r.get_json()
        return c

    w.customer = customer("Client SARL", "A", [
        {"first_name": "Jeanne", "last_name": "Dupont", "email": "jeanne@client.test"},
        {"first_name": "Paul", "last_name": "Martin", "email": "paul@client.test", "mobile": "+33 6 12 34 56 78"}])
    w.jeanne, w.paul = sorted(w.customer["contacts"], key=lambda c: c["first_name"])
    w.far_customer = customer("Client Lointain", "B", [
        {"first_name": "Zoe", "last_name": "Far", "email": "zoe@far.test"}])
    w.zoe = w.far_customer["contacts"][0]
    w.quote = w.new_quote()
    return w


@pytest.fixture
def make_world(system):
    def make(service_config=None, gateway_config=None):
        return build(system(*SERVICES, service_config=service_config, gateway_config=gateway_config))
    return make


@pytest.fixture
def world(make_world):
    return make_world()


@pytest.fixture(scope="module")
def signing_system(module_system):
    """The four services of ``world`` once for the whole module (see ``module_system``)."""
    return module_system(*SERVICES)


@pytest.fixture
def shared_world(signing_system):
    return build(signing_system, shared=True)


@pytest.fixture
def sign():
    return esign
