"""The SELL&SIGN Enterprise practical case, through the gateway, with the real services.

DUPONT has perimeters A (Ile de France) and B (PACA); DURAND has A and C (Brittany).
Customer TOURNIER is in B, FIORE in C. Contract types: "studio" in A, B and C,
"with swimming pool" in B only, "longère" in C only.
DUPONT sees TOURNIER and the Pool and Studio mandates; DURAND sees FIORE and the
Longère and Studio mandates.
"""
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture
def world(system):
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Agence Immo", "admin@immo.test")
    A = admin["access_token"]
    per = {}
    for key, name in (("A", "Ile de France"), ("B", "PACA"), ("C", "Bretagne")):
        r = s.post("/api/v1/perimeters", json={"name": name, "description": f"zone {key}"}, token=A)
        assert r.status_code == 201, r.get_json()
        per[key] = r.get_json()["id"]
    dupont = s.add_user(admin, "dupont@immo.test", name="M. DUPONT")
    durand = s.add_user(admin, "durand@immo.test", name="Mme DURAND")
    fum = s.add_user(admin, "manager@immo.test", role="front_user_manager")
    for user, keys in ((dupont, "AB"), (durand, "AC"), (fum, "ABC")):
        r = s.put(f"/api/v1/users/{user['user']['user_id']}/perimeters",
                  json={"perimeter_ids": [per[k] for k in keys]}, token=A)
        assert r.status_code == 200, r.get_json()

    def customer(name, keys):
        r = s.post("/api/v1/customers", json={"name": name, "kind": "person"}, token=A)
        assert r.status_code == 201, r.get_json()
        cid = r.get_json()["id"]
        if keys:
            r = s.put(f"/api/v1/customers/{cid}/perimeters", json={"perimeter_ids": [per[k] for k in keys]}, token=A)
            assert r.status_code == 200, r.get_json()
        return cid

    def ctype(name, keys):
        r = s.post("/api/v1/contract-types", json={"name": name}, token=A)
        assert r.status_code == 201, r.get_json()
        tid = r.get_json()["id"]
        r = s.put(f"/api/v1/contract-types/{tid}/perimeters", json={"perimeter_ids": [per[k] for k in keys]}, token=A)
        assert r.status_code == 200, r.get_json()
        return tid

    return {
        "s": s, "admin": admin, "per": per, "dupont": dupont, "durand": durand, "fum": fum,
        "tournier": customer("Monsieur TOURNIER", "B"), "fiore": customer("Madame FIORE", "C"),
        "studio": ctype("Mandat de vente studio", "ABC"), "pool": ctype("Mandat de vente avec piscine", "B"),
        "longere": ctype("Mandat de vente longère", "C"),
    }


def names(resp):
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    items = body["items"] if isinstance(body, dict) else body
    return sorted(i["name"] for i in items)


def test_each_user_sees_the_customers_and_contract_types_of_their_perimeters(world):
    s, dupont, durand = world["s"], world["dupont"]["access_token"], world["durand"]["access_token"]
    assert names(s.get("/api/v1/customers", token=dupont)) == ["Monsieur TOURNIER"]
    assert names(s.get("/api/v1/customers", token=durand)) == ["Madame FIORE"]
    assert names(s.get("/api/v1/contract-types", token=dupont)) == [
        "Mandat de vente avec piscine", "Mandat de vente studio"]
    assert names(s.get("/api/v1/contract-types", token=durand)) == [
        "Mandat de vente longère", "Mandat de vente studio"]
    # the license admin sees everything
    assert len(names(s.get("/api/v1/customers", token=world["admin"]["access_token"]))) == 2
    # outside the perimeter is not found, not forbidden
    assert s.get(f"/api/v1/customers/{world['fiore']}", token=dupont).status_code == 404
    assert s.get(f"/api/v1/contract-types/{world['longere']}", token=dupont).status_code == 404


def test_a_contract_is_visible_iff_its_customer_is(world):
    s, dupont, durand = world["s"], world["dupont"]["access_token"], world["durand"]["access_token"]
    r = s.post("/api/v1/contracts", json={"title": "Vente villa Cannes", "customer_id": world["tournier"],
                                         "contract_type_id": world["pool"]}, token=dupont)
    assert r.status_code == 201, r.get_json()
    contract = r.get_json()
    assert [c["id"] for c in s.get("/api/v1/contracts", token=dupont).get_json()["items"]] == [contract["id"]]
    assert s.get("/api/v1/contracts", token=durand).get_json()["items"] == []
    assert s.get(f"/api/v1/contracts/{contract['id']}", token=durand).status_code == 404
    assert s.get(f"/api/v1/contracts/{contract['id']}/pdf", token=durand).status_code == 404
    # DURAND cannot use a customer or a contract type outside her perimeters
    r = s.post("/api/v1/contracts", json={"title": "x", "customer_id": world["tournier"]}, token=durand)
    assert r.status_code == 404
    r = s.post("/api/v1/contracts", json={"title": "x", "customer_id": world["fiore"],
                                         "contract_type_id": world["pool"]}, token=durand)
    assert r.status_code == 404
    # once FIORE also gets perimeter B, DUPONT sees her contracts too
    r = s.post("/api/v1/contracts", json={"title": "Longère Quimper", "customer_id": world["fiore"],
                                         "contract_type_id": world["longere"]}, token=durand)
    assert r.status_code == 201
    r = s.put(f"/api/v1/customers/{world['fiore']}/perimeters",
              json={"perimeter_ids": [world["per"]["B"], world["per"]["C"]]}, token=world["fum"]["access_token"])
    assert r.status_code == 200, r.get_json()
    titles = sorted(c["title"] for c in s.get("/api/v1/contracts", token=dupont).get_json()["items"])
    assert titles == ["Longère Quimper", "Vente villa Cannes"]


def test_created_customers_inherit_the_creators_perimeters(world):
    s, dupont, durand = world["s"], world["dupont"]["access_token"], world["durand"]["access_token"]
    r = s.post("/api/v1/customers", json={"name": "SCI Les Pins"}, token=dupont)
    assert r.status_code == 201
    body = r.get_json()
    assert sorted(body["perimeter_ids"]) == sorted([world["per"]["A"], world["per"]["B"]])
    # DURAND shares perimeter A with DUPONT: she sees it
    assert "SCI Les Pins" in names(s.get("/api/v1/customers", token=durand))


def test_customers_without_perimeter_are_visible_to_all_and_editable(world):
    s = world["s"]
    r = s.post("/api/v1/customers", json={"name": "Client historique"}, token=world["admin"]["access_token"])
    legacy = r.get_json()
    assert legacy["perimeter_ids"] == []
    for user in ("dupont", "durand"):
        assert "Client historique" in names(s.get("/api/v1/customers", token=world[user]["access_token"]))
    r = s.patch(f"/api/v1/customers/{legacy['id']}", json={"phone": "+33 1 02 03 04 05"},
                token=world["durand"]["access_token"])
    assert r.status_code == 200 and r.get_json()["phone"] == "+33 1 02 03 04 05"


def test_only_front_user_managers_and_admins_change_customer_perimeters(world):
    s = world["s"]
    body = {"perimeter_ids": [world["per"]["A"]]}
    r = s.put(f"/api/v1/customers/{world['tournier']}/perimeters", json=body, token=world["dupont"]["access_token"])
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    r = s.put(f"/api/v1/customers/{world['tournier']}/perimeters", json={"perimeter_ids": ["nope"]},
              token=world["fum"]["access_token"])
    assert r.status_code == 422
    # deleting a perimeter that is the last one of a customer would expose it: refused
    r = s.delete(f"/api/v1/perimeters/{world['per']['C']}", token=world["admin"]["access_token"])
    assert r.status_code == 409


def test_a_front_user_manager_uses_the_contract_types_of_his_perimeters_but_only_admins_write_them(world,
                                                                                                   rabbit_config):
    """SELL&SIGN gives the front user manager the users and the customers' perimeters, not the document models:
    he reads and uses the types his perimeters offer; creating or changing one (or a template's image) is a 403
    problem+json naming the role it needs, as the web app offers it to license admins only."""
    s, token = world["s"], world["fum"]["access_token"]
    assert names(s.get("/api/v1/contract-types", token=token)) == [
        "Mandat de vente avec piscine", "Mandat de vente longère", "Mandat de vente studio"]
    assert s.get(f"/api/v1/contract-types/{world['pool']}", token=token).status_code == 200
    refusals = [s.post("/api/v1/contract-types", json={"name": "Mandat de gestion"}, token=token),
                s.patch(f"/api/v1/contract-types/{world['pool']}", json={"template_html": "<p>x</p>"}, token=token),
                s.patch(f"/api/v1/contract-types/{world['studio']}", json={"archived": True}, token=token),
                s.put(f"/api/v1/contract-types/{world['pool']}/perimeters", json={"perimeter_ids": []}, token=token),
                s.post("/api/v1/assets", json={"filename": "logo.png", "content_base64": "iVBORw0KGgo="},
                       token=token)]
    for r in refusals:
        assert r.status_code == 403 and r.mimetype == "application/problem+json", (r.status_code, r.get_json())
        assert "license_admin" in r.get_json()["detail"], r.get_json()
    admin = world["admin"]["access_token"]
    assert "Mandat de gestion" not in names(s.get("/api/v1/contract-types", token=admin))
    pool = s.get(f"/api/v1/contract-types/{world['pool']}", token=admin).get_json()
    assert (pool["template_html"], pool["archived"]) != ("<p>x</p>", True)
    # the contracts service refuses him too, whoever calls it (services re-check the role the gateway checked)
    from nameko.standalone.rpc import ClusterRpcProxy

    from paraph_platform.errors import Forbidden
    actor = {"user_id": world["fum"]["user"]["user_id"], "license_id": world["admin"]["license_id"],
             "role": "front_user_manager"}
    with ClusterRpcProxy({"AMQP_URI": rabbit_config["AMQP_URI"], "serializer": "json"}, timeout=10) as rpc:
        for call in (lambda: rpc.contracts.create_contract_type(actor, {"name": "Mandat de gestion"}),
                     lambda: rpc.contracts.update_contract_type(actor, world["pool"], {"archived": True})):
            with pytest.raises(Forbidden):
                call()
    # what he may do with them: a mandate of the pool type for a customer of his perimeters
    r = s.post("/api/v1/contracts", json={"title": "Mandat piscine", "customer_id": world["tournier"],
                                          "contract_type_id": world["pool"]}, token=token)
    assert r.status_code == 201, r.get_json()


def test_no_cross_tenant_access(world):
    s = world["s"]
    other = s.new_license("Autre agence", "admin@autre.test")
    token = other["access_token"]
    assert names(s.get("/api/v1/customers", token=token)) == []
    assert s.get(f"/api/v1/customers/{world['tournier']}", token=token).status_code == 404
    assert s.get(f"/api/v1/contract-types/{world['studio']}", token=token).status_code == 404
    r = s.post("/api/v1/contracts", json={"title": "x", "customer_id": world["tournier"]}, token=token)
    assert r.status_code == 404
    r = s.put(f"/api/v1/users/{world['dupont']['user']['user_id']}/perimeters", json={"perimeter_ids": []},
              token=token)
    assert r.status_code == 404
    r = s.get(f"/api/v1/perimeters/{world['per']['A']}", token=token)
    assert r.status_code == 404
