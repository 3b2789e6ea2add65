"""The perimeters and the contract types as a license admin sets them up (SELL&SIGN Enterprise), against a fake
gateway: a name another perimeter or contract type already has is said next to the name field, in the page's
language, the form kept (not an English line above it, nor an error page); the contract types list says which
perimeters each type is offered to; a customer's code in a perimeter's checklist is read whole."""
from __future__ import annotations

import re

import pytest
from flask import Flask, jsonify, request

from web.tests.test_web import csrf, sign_in, web_in_front_of

PERIMETERS = [{"id": "p-paca", "name": "PACA", "description": None},
              {"id": "p-bzh", "name": "Bretagne", "description": "Finistère, Morbihan"}]
TYPES = [{"id": "t-studio", "name": "Mandat de vente studio", "kind": "quote", "description": None, "archived": False,
          "perimeter_ids": ["p-paca", "p-bzh"]},
         {"id": "t-visit", "name": "Bon de visite", "kind": "quote", "description": None, "archived": False,
          "perimeter_ids": []},
         {"id": "t-pool", "name": "Mandat de vente avec piscine", "kind": "quote", "description": None,
          "archived": False, "perimeter_ids": ["p-paca", "p-deleted-meanwhile"]}]


def taken(kind: str, name: str):
    """The services' 409 of a name taken in the license, said of the name field."""
    return jsonify({"type": "https://paraph.dev/problems/conflict", "title": "Conflict", "status": 409,
                    "code": "conflict", "detail": f"A {kind} named {name!r} already exists.",
                    "errors": {"name": [f"Another {kind} already has this name."]}}), 409


@pytest.fixture
def web():
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/perimeters")
    def perimeters():
        return jsonify({"items": PERIMETERS, "next_cursor": None})

    @fake.post("/api/v1/perimeters")
    def create_perimeter():
        return taken("perimeter", request.get_json()["name"])

    @fake.get("/api/v1/perimeters/<perimeter_id>")
    def perimeter(perimeter_id):
        return jsonify({"id": perimeter_id, "name": "Bretagne", "description": "Finistère, Morbihan",
                        "members": {"users": [], "customers": ["cu-1"], "contract_types": []}})

    @fake.patch("/api/v1/perimeters/<perimeter_id>")
    def rename_perimeter(perimeter_id):
        return taken("perimeter", request.get_json()["name"])

    @fake.get("/api/v1/users")
    def users():
        return jsonify({"items": [], "next_cursor": None})

    @fake.get("/api/v1/customers")
    def customers():
        return jsonify({"items": [{"id": "cu-1", "name": "Monsieur TOURNIER", "code": "CU-2026-00001"}],
                        "next_cursor": None})

    @fake.get("/api/v1/contract-types")
    def contract_types():
        return jsonify(TYPES)

    @fake.post("/api/v1/contract-types")
    def create_contract_type():
        return taken("contract type", request.get_json()["name"])

    @fake.get("/api/v1/license")
    def license_():
        return jsonify({"name": "Agence Immo", "settings": {}})

    with web_in_front_of(fake, locale=lambda: "fr", role="license_admin") as app:
        yield app


def _post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": csrf(client, path)}, headers={"Accept-Language": "fr"})


def _name_error(html: str) -> str:
    return re.search(r'id="field-name-error"[^>]*>([^<]*)<', html).group(1)


def test_a_perimeter_name_already_taken_is_said_next_to_the_name(web):
    client = web.test_client()
    sign_in(client)
    r = _post(client, "/settings/perimeters/new", {"name": "PACA", "description": ""})
    html = r.get_data(as_text=True)
    assert r.status_code == 422, html[:2000]
    assert _name_error(html) == "Un autre périmètre porte déjà ce nom."
    assert "already exists" not in html
    # renaming Bretagne to a taken name: said there too, and the page is still Bretagne's (its title), the name
    # typed kept in the field
    r = _post(client, "/settings/perimeters/p-bzh", {"name": "PACA", "description": "Finistère, Morbihan"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422, html[:2000]
    assert _name_error(html) == "Un autre périmètre porte déjà ce nom."
    assert "already exists" not in html
    assert re.search(r'<h1 id="page-title">([^<]*)</h1>', html).group(1) == "Périmètre Bretagne"
    assert re.search(r'name="name"[^>]*value="([^"]*)"', html).group(1) == "PACA"


def test_a_contract_type_name_already_taken_is_said_next_to_the_name_the_form_kept(web):
    client = web.test_client()
    sign_in(client)
    r = _post(client, "/settings/document-templates/new",
              {"kind": "quote", "name": "Mandat de vente studio", "description": "Le studio du centre",
               "field_rows": "3"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422, html[:2000]
    assert _name_error(html) == "Un autre type de contrat porte déjà ce nom."
    assert "Le studio du centre" in html  # the form as it was typed, not an error page


def test_the_contract_types_list_says_which_perimeters_offer_each_type(web):
    client = web.test_client()
    sign_in(client)
    html = client.get("/settings/document-templates", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    cells = re.findall(r'id="document-template-([^"]+)".*?<td [^>]*data-perimeters>(.*?)</td>', html, re.S)
    shown = {type_id: re.sub(r"<[^>]+>", "", cell).strip() for type_id, cell in cells}
    # by name, sorted; none: every user; a perimeter deleted meanwhile is not named
    assert shown == {"t-studio": "Bretagne, PACA", "t-visit": "Tous les utilisateurs", "t-pool": "PACA"}


def test_a_customer_code_in_a_perimeters_checklist_is_read_whole(web):
    client = web.test_client()
    sign_in(client)
    html = client.get("/settings/perimeters/p-bzh", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<span class="nowrap">CU-2026-00001</span>' in html
