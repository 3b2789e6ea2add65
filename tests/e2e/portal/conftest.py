"""A seller license with a salesperson, two customers and their contacts, a contract with visible and
hidden attachments and milestones, and a quote: the world of the customer portal tests."""
from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import create_engine, text

from paraph_platform.db import normalize_url

PASSWORD = "a long enough password"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def rows(s, service: str, sql: str, **params) -> list:
    engine = create_engine(normalize_url(s.db_url(service)))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def execute(s, service: str, sql: str, **params):
    engine = create_engine(normalize_url(s.db_url(service)))
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


def outbox(s, service: str, type_: str) -> list[dict]:
    """Event payloads (envelopes) of one type written by a service, oldest first."""
    return [r[0] if isinstance(r[0], dict) else json.loads(r[0])
            for r in rows(s, service, "select payload from outbox where type = :t order by seq", t=type_)]


def notifications(s, service: str, template: str | None = None, to: str | None = None) -> list[dict]:
    out = [e["data"] for e in outbox(s, service, "notification.requested.v1")]
    return [n for n in out if (template is None or n["template"] == template) and (to is None or n["to"] == to)]


class World(dict):
    __getattr__ = dict.__getitem__

    # database helpers (the services' own tables, read-only except in expiry tests)
    def rows(self, service, sql, **params):
        return rows(self.s, service, sql, **params)

    def execute(self, service, sql, **params):
        return execute(self.s, service, sql, **params)

    def outbox(self, service, type_):
        return outbox(self.s, service, type_)

    def notifications(self, service, template=None, to=None):
        return notifications(self.s, service, template, to)

    def grant(self, contact: str, user_code: str, token=None, expect=201, **body):
        r = self.s.post(f"/api/v1/contacts/{self[contact]['id']}/portal-access",
                        json={"user_code": user_code, **body}, token=token or self.sales_token)
        assert r.status_code == expect, r.get_json()
        return r.get_json()

    def client(self, contact: str, ip: str = "127.0.0.1", headers=None) -> dict:
        """Accept the portal invitation of a contact (set a password) and return the session."""
        email = self[contact]["email"]
        token = self.s.invitation_links(email)[-1].split("token=", 1)[1]
        r = self.s.post("/api/v1/auth/accept-invitation", json={"token": token, "password": PASSWORD},
                        headers=headers, environ_base={"REMOTE_ADDR": ip})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def login(self, contact: str, ip: str = "127.0.0.1", headers=None, user_code=None):
        body = {"email": self[contact]["email"], "password": PASSWORD}
        if user_code:
            body["user_code"] = user_code
        return self.s.post("/api/v1/auth/login", json=body, headers=headers, environ_base={"REMOTE_ADDR": ip})

    def share(self, contract_id: str, requester: str, observers=(), expect=201, **body):
        r = self.s.post(f"/api/v1/contracts/{contract_id}/portal-share", token=self.sales_token, json={
            "requester_contact_id": self[requester]["id"],
            "observer_contact_ids": [self[o]["id"] for o in observers], **body})
        assert r.status_code == expect, r.get_json()
        return r.get_json()

    def send_quote(self, expect=200, **body):
        r = self.s.post(f"/api/v1/quotes/{self.quote['id']}/send", json=body, token=self.sales_token)
        assert r.status_code == expect, r.get_json()
        return r.get_json()

    def quote_counts(self):
        r = self.s.get("/api/v1/quotes", token=self.sales_token)
        assert r.status_code == 200, r.get_json()
        item = next(i for i in r.get_json()["items"] if i["id"] == self.quote["id"])
        return item["view_count"], item["download_count"]


def build_world(s) -> World:
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    sales = s.add_user(admin, "paul@vendeur.test", name="Paul Martin")
    P = sales["access_token"]

    def customer(name, contacts, locale="fr"):
        r = s.post("/api/v1/customers", json={"name": name, "kind": "company", "locale": locale,
                                              "contacts": contacts}, token=P)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    acme = customer("ACME Industries", [
        {"first_name": "Alice", "last_name": "Martin", "email": "alice@acme.test", "branch": "Montréal"},
        {"first_name": "Bob", "last_name": "Durand", "email": "bob@acme.test", "branch": "Montréal"},
        {"first_name": "Dave", "last_name": "Roy", "email": "dave@acme.test", "branch": "Québec"},
        {"first_name": "Eve", "last_name": "Noaccess", "email": "eve@acme.test"},
    ])
    globex = customer("Globex", [{"first_name": "Carol", "last_name": "White", "email": "carol@globex.test"}])
    contacts = {c["first_name"].lower(): c for c in acme["contacts"] + globex["contacts"]}

    r = s.post("/api/v1/contracts", token=P, json={
        "title": "Contrat de maintenance", "customer_id": acme["id"], "contact_id": contacts["alice"]["id"],
        "lines": [{"description": "Maintenance annuelle", "quantity": "1", "unit_price": "1200", "tax_rate": "20"}]})
    assert r.status_code == 201, r.get_json()
    contract = r.get_json()
    attachments = {}
    for name, visible in (("visible.pdf", True), ("internal.pdf", False)):
        r = s.post(f"/api/v1/contracts/{contract['id']}/attachments", token=P, json={
            "filename": name, "content_type": "application/pdf", "portal_visible": visible,
            "content_base64": base64.b64encode(PDF).decode()})
        assert r.status_code == 201, r.get_json()
        attachments[name] = r.get_json()
    milestones = {}
    for title, visible in (("Kick-off", True), ("Revue interne", False)):
        r = s.post(f"/api/v1/contracts/{contract['id']}/milestones", token=P,
                   json={"title": title, "portal_visible": visible, "due_date": "2031-03-01"})
        assert r.status_code == 201, r.get_json()
        milestones[title] = r.get_json()

    r = s.post("/api/v1/quotes", token=P, json={
        "title": "Équipement atelier", "contact_id": contacts["alice"]["id"], "valid_until": "2031-12-31",
        "lines": [
            {"description": "Perceuse <industrielle>", "product_code": "PX-1", "quantity": "2", "unit": "u",
             "unit_price": "450.00", "tax_rate": "20"},
            {"description": "Formation", "quantity": "1", "unit_price": "300", "tax_rate": "10"},
            {"description": "Extension de garantie", "quantity": "1", "unit_price": "99", "tax_rate": "20",
             "optional": True}]})
    assert r.status_code == 201, r.get_json()
    quote = r.get_json()
    return World(s=s, admin=admin, admin_token=admin["access_token"], sales=sales, sales_token=P, acme=acme,
                 globex=globex, contract=contract, attachments=attachments, milestones=milestones, quote=quote,
                 **contacts)


SERVICES = ("identity", "perimeter", "contracts", "portal")


@pytest.fixture
def world(system):
    return build_world(system(*SERVICES))


@pytest.fixture
def make_world(system):
    """A world whose gateway/services get extra config (e.g. TRUSTED_PROXY_HOPS)."""
    def build(gateway_config=None, service_config=None, services=SERVICES):
        return build_world(system(*services, gateway_config=gateway_config, service_config=service_config))
    return build
