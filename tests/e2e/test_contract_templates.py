"""Contract type templates for their authors, through the gateway: the documented variables (type, example,
description in French or English, in the OpenAPI document too), a template error naming the line and the
variable, and the required merge fields enforced when a contract is created or updated with the send step's
message."""
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

REQUIRED = "Fill in the required fields before sending."


@pytest.fixture
def world(system):
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    sales = s.add_user(admin, "sales@vendeur.test", name="Sam Sales")
    r = s.post("/api/v1/customers", token=sales["access_token"], json={"name": "Client SARL"})
    assert r.status_code == 201, r.get_json()
    return {"s": s, "A": admin["access_token"], "T": sales["access_token"], "customer": r.get_json()}


def test_template_variables_are_documented_in_both_languages(world):
    s = world["s"]
    for locale, description in (("fr", "Nom du client"), ("en", "Customer name")):
        r = s.get(f"/api/v1/contract-types/template-variables?locale={locale}", token=world["T"])
        assert r.status_code == 200, r.get_json()
        variables = {v["name"]: v for v in r.get_json()["variables"]}
        assert variables["customer.name"] == {"name": "customer.name", "type": "text", "nullable": False,
                                              "example": "Boulangerie Martin", "description": description}
        assert {"fields.<key>", "lines[].amount", "totals.total", "issuer.legal", "contact"} <= set(variables)
        assert variables["totals.total"]["type"] == "money" and variables["contact"]["nullable"] is True
    assert s.get("/api/v1/contract-types/template-variables?locale=de", token=world["T"]).status_code == 422
    assert s.get("/api/v1/contract-types/template-variables").status_code == 401
    doc = s.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/contract-types/template-variables"]["get"]
    assert op["tags"] == ["contract types"] and "200" in op["responses"]


def test_a_template_error_names_the_line_and_the_variable(world):
    s = world["s"]
    source = "<h1>{{ contract.number }}</h1>\n" + "<p></p>\n" * 10 + "<p>{{ customer.nmae }}</p>"
    r = s.post("/api/v1/contract-types", token=world["A"], json={"name": "Cassé", "template_html": source})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    problem = r.get_json()
    assert problem["detail"] == "The template cannot be rendered: line 12: 'customer.nmae' is undefined"
    assert problem["errors"]["template_html"] == ["line 12: 'customer.nmae' is undefined"]
    ok = s.post("/api/v1/contract-types", token=world["A"], json={"name": "Bon", "template_html": "x"}).get_json()
    r = s.patch(f"/api/v1/contract-types/{ok['id']}", token=world["A"],
                json={"template_html": "{% for line in lines %}\n{{ line.amnt }}\n{% endfor %}"})
    assert r.status_code == 422 and r.get_json()["errors"]["template_html"] == ["line 2: 'line.amnt' is undefined"]


def test_required_merge_fields_on_create_update_and_send(world):
    s, token = world["s"], world["T"]
    t = s.post("/api/v1/contract-types", token=world["A"], json={
        "name": "Mandat", "merge_fields": [{"key": "bien", "label": "Bien", "required": True},
                                           {"key": "notes", "label": "Notes"}]}).get_json()
    body = {"title": "Mandat studio", "contract_type_id": t["id"], "customer_id": world["customer"]["id"]}
    r = s.post("/api/v1/contracts", token=token, json={**body, "data": {"notes": "x"}})
    assert r.status_code == 422 and r.get_json()["detail"] == REQUIRED
    assert r.get_json()["errors"] == {"data": {"bien": ["required"]}}
    c = s.post("/api/v1/contracts", token=token, json={**body, "data": {"bien": "Studio"}})
    assert c.status_code == 201, c.get_json()
    c = c.get_json()
    r = s.patch(f"/api/v1/contracts/{c['id']}", token=token, json={"data": {"bien": ""}})
    assert r.status_code == 422 and r.get_json()["detail"] == REQUIRED
    assert s.patch(f"/api/v1/contracts/{c['id']}", token=token, json={"title": "Mandat T2"}).status_code == 200
    # a field made required after the contract was written: the send step says it with the same words
    s.patch(f"/api/v1/contract-types/{t['id']}", token=world["A"], json={"merge_fields": [
        {"key": "bien", "label": "Bien", "required": True}, {"key": "notes", "label": "Notes", "required": True}]})
    r = s.post(f"/api/v1/contracts/{c['id']}/mark-sent", token=token, json={})
    assert r.status_code == 422 and r.get_json()["detail"] == REQUIRED
    assert r.get_json()["errors"] == {"data": {"notes": ["required"]}}
