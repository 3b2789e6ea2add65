"""Contract type templates for their authors, through the gateway: the documented variables (type, example,
description in French or English, in the OpenAPI document too), a template error naming the line and the
variable, the required merge fields enforced when a contract is created or updated with the send step's
message, the license's custom columns as ``custom.<key>`` (checked, previewed and rendered; an unknown key named
with the keys there are), and a type's PDF previewed on sample data as its author's document (the saved template
or one as typed; refused as saving it would be)."""
from datetime import datetime, timezone

import pytest

from paraph_platform.testing import pdfs

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


def pdf_text(response) -> str:
    """The PDF's text, its (narrow) no-break spaces as plain spaces."""
    return pdfs.pdf_text(response.data, plain_spaces=True)


PREVIEWED = ("<h1>{{ contract.number }} {{ contract.title }}</h1><p>{{ issuer.name }} · {{ customer.name }}"
             "{% if contact %} · {{ contact.name }}{% endif %}</p><p>{{ fields.bien }} / {{ fields.surface * 2 }} m²"
             " / {{ custom.get('region') }}</p>{% for line in lines %}<p>{{ line.description }} {{ line.amount }}</p>"
             "{% endfor %}{% for v in totals.vat_lines %}<p>TVA {{ v.rate_fmt }} {{ v.tax_fmt }}</p>{% endfor %}"
             "<p>Total {{ totals.total }}</p>")


def _preview(s, token, type_id, body=None, query=""):
    return s.post(f"/api/v1/contract-types/{type_id}/preview.pdf{query}", token=token, json=body or {})


def test_a_contract_type_previews_as_a_pdf_on_sample_data(world):
    s, admin = world["s"], world["A"]
    assert s.put("/api/v1/company-profile", token=admin, json={"name": "Immo Dupont SAS"}).status_code == 200
    r = s.post("/api/v1/settings/columns", token=admin, json={
        "key": "region", "label": "Région", "type": "choice", "choices": ["Nord", "Sud"]})
    assert r.status_code == 201, r.get_json()
    t = s.post("/api/v1/contract-types", token=admin, json={
        "name": "Mandat de vente", "kind": "quote", "template_html": PREVIEWED,
        "merge_fields": [{"key": "bien", "label": "Bien vendu"}, {"key": "surface", "type": "number"}]}).get_json()

    # the saved template, on sample data: the company's own profile, a sample customer, contact and lines at two
    # VAT rates, the merge fields and custom columns with sample values
    r = _preview(s, admin, t["id"])
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert r.headers["Content-Disposition"].startswith("attachment;")
    text = pdf_text(r)
    for sample in (f"Q-{datetime.now(timezone.utc).year}-00001 Mandat de vente", "Immo Dupont SAS",
                   "Boulangerie Martin SARL", "Claire Martin", "Bien vendu / 24 m² / Nord",
                   "Installation et mise en service 1 200,00 €", "TVA 5,5 % 2,75 €", "TVA 20 % 423,60 €",
                   "Total 2 594,35 €"):
        assert sample in text, (sample, text)
    # shown in the browser when asked
    assert _preview(s, admin, t["id"], query="?inline=1").headers["Content-Disposition"].startswith("inline;")

    # the template as typed in the editor: previewed, not saved; empty, Paraph's own template
    r = _preview(s, admin, t["id"], {"template_html": "<p>Brouillon : {{ fields.bien }} pour {{ customer.name }}</p>"})
    assert r.status_code == 200 and "Brouillon : Bien vendu pour Boulangerie Martin SARL" in pdf_text(r)
    assert s.get(f"/api/v1/contract-types/{t['id']}", token=admin).get_json()["template_html"] == PREVIEWED
    text = pdf_text(_preview(s, admin, t["id"], {"template_html": ""}))
    assert "Devis" in text and "Boulangerie Martin SARL" in text and "Immo Dupont SAS" in text

    # in the type's language
    s.patch(f"/api/v1/contract-types/{t['id']}", token=admin, json={"locale": "en"})
    text = pdf_text(_preview(s, admin, t["id"], {"template_html": ""}))
    assert "Quote" in text and "Martin Bakery Ltd" in text

    # a license admin's, like writing the type: a salesperson 403, another license's type 404, signed out 401
    assert _preview(s, world["T"], t["id"]).status_code == 403
    rival = s.new_license("Rival SARL", "admin@rival.test")["access_token"]
    assert _preview(s, rival, t["id"]).status_code == 404
    assert s.post(f"/api/v1/contract-types/{t['id']}/preview.pdf", json={}).status_code == 401
    assert _preview(s, admin, t["id"], {"template_html": "x", "merge_fields": []}).status_code == 422

    # documented: a PDF, the body's template, the 422 of a refused template
    op = s.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/contract-types/{type_id}/preview.pdf"]["post"]
    assert op["tags"] == ["contract types"] and "application/pdf" in op["responses"]["200"]["content"]
    assert "422" in op["responses"] and "inline" in [p.get("name") for p in op["parameters"] if isinstance(p, dict)]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/contracts.preview_contract_type_pdf.params"}


def test_a_broken_template_previews_to_the_same_422_as_saving_it(world):
    s, admin = world["s"], world["A"]
    t = s.post("/api/v1/contract-types", token=admin, json={"name": "Bon", "template_html": "<p>ok</p>"}).get_json()
    for source in ("<h1>{{ contract.number }}</h1>\n<p>{{ customer.nmae }}</p>", "{% for line in lines %}",
                   '<img src="file:///etc/hostname">', "{{ 'x' * 100000000 }}"):
        saved = s.patch(f"/api/v1/contract-types/{t['id']}", token=admin, json={"template_html": source})
        previewed = _preview(s, admin, t["id"], {"template_html": source})
        assert saved.status_code == previewed.status_code == 422, source
        assert previewed.mimetype == "application/problem+json"
        assert {k: previewed.get_json()[k] for k in ("detail", "errors")} == \
            {k: saved.get_json()[k] for k in ("detail", "errors")}, source
    # a branch the save's sample data does not take (no contact there) is refused by the preview, said the same way
    source = "<p>{% if contact %}\n{{ contact.nmae }}{% endif %}</p>"
    assert s.patch(f"/api/v1/contract-types/{t['id']}", token=admin, json={"template_html": source}).status_code == 200
    r = _preview(s, admin, t["id"])
    assert r.status_code == 422 and r.get_json()["errors"] == {"template_html": ["line 2: 'contact.nmae' is undefined"]}


def test_every_custom_column_of_the_license_is_a_variable_of_its_templates(world):
    """``{{ custom.region }}`` is saved when region is a column of the license, whatever its kind; previewed with
    a sample value of its kind; printed on a contract that has it and as nothing on one that does not. A key no
    column has is refused, naming it and the keys there are."""
    s, admin, sales = world["s"], world["A"], world["T"]
    for column in ({"key": "region", "label": "Région", "type": "choice", "choices": ["Nord", "Sud"]},
                   {"key": "budget", "label": "Budget", "type": "number"},
                   {"key": "livraison", "label": "Livraison", "type": "date"},
                   {"key": "signe", "label": "Signé", "type": "boolean"}):
        assert s.post("/api/v1/settings/columns", token=admin, json=column).status_code == 201
    template = ("<p>Region [{{ custom.region }}] budget [{{ custom.budget }}] livraison [{{ custom.livraison }}]"
                "{% if custom.signe %} signe{% endif %}</p>")
    r = s.post("/api/v1/contract-types", token=admin, json={"name": "Avec colonnes", "template_html": template})
    assert r.status_code == 201, r.get_json()
    t = r.get_json()

    typo = "<p>{{ custom.region }}</p>\n<p>{{ custom.regoin }}</p>"
    problem = ("line 2: 'custom.regoin' is undefined: no custom column has the key 'regoin' "
               "(the keys: budget, livraison, region, signe)")
    for refused in (s.post("/api/v1/contract-types", token=admin, json={"name": "Faute", "template_html": typo}),
                    s.patch(f"/api/v1/contract-types/{t['id']}", token=admin, json={"template_html": typo}),
                    _preview(s, admin, t["id"], {"template_html": typo})):
        assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
        assert refused.get_json()["errors"] == {"template_html": [problem]}
    assert s.get(f"/api/v1/contract-types/{t['id']}", token=admin).get_json()["template_html"] == template

    # previewed with a sample value of each kind
    assert "Region [Nord] budget [12] livraison [2026-01-31] signe" in pdf_text(_preview(s, admin, t["id"]))

    # a contract prints the values it has, and nothing for the others
    def contract_pdf(custom):
        r = s.post("/api/v1/contracts", token=sales, json={"title": "Mandat", "contract_type_id": t["id"],
                                                           "customer_id": world["customer"]["id"], "custom": custom})
        assert r.status_code == 201, r.get_json()
        pdf = s.get(f"/api/v1/contracts/{r.get_json()['id']}/pdf", token=sales)
        assert pdf.status_code == 200, pdf.get_data(as_text=True)[:300]
        return pdf_text(pdf)
    assert "Region [Sud] budget [] livraison [2027-03-01] signe" in contract_pdf(
        {"region": "Sud", "livraison": "2027-03-01", "signe": True})
    assert "Region [] budget [] livraison []" in contract_pdf({})
    assert "None" not in contract_pdf({"region": None})


def test_the_preview_is_signed_by_who_asks_for_it(world):
    """The salesperson a preview names is its author, by their name and email (who checks the layout sees it as
    their own documents will name them); the customer and the rest stay the samples."""
    s = world["s"]
    assert s.patch("/api/v1/me", token=world["A"], json={"name": "Alice Admin"}).status_code == 200
    r = s.post("/api/v1/auth/login", json={"email": "admin@vendeur.test", "password": "a long enough password"})
    assert r.status_code == 200, r.get_json()
    admin = r.get_json()["access_token"]  # the token names its holder as they are now
    t = s.post("/api/v1/contract-types", token=admin, json={
        "name": "Signé", "kind": "quote", "template_html": "<p>Owner [{{ owner.name }} / {{ owner.email }}]</p>"})
    assert t.status_code == 201, t.get_json()
    assert "Owner [Alice Admin / admin@vendeur.test]" in pdf_text(_preview(s, admin, t.get_json()["id"]))
    text = pdf_text(_preview(s, admin, t.get_json()["id"], {"template_html": ""}))  # Paraph's own template
    assert "Alice Admin" in text and "admin@vendeur.test" in text and "Boulangerie Martin SARL" in text
