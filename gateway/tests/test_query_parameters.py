"""Query parameters, against the real broker and services: every GET refuses a parameter its operation does not
declare with the 422 problem a list gives (code ``invalid_input``, the parameter named in the detail and in
``errors``), never ignoring it silently (``?locale=en`` answered the French PDF); the parameters operations
declare, and the web app and the README send, still work. Sending a quote answers data, not the label of the
web's next button."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

SERVICES = ("identity", "perimeter", "contracts", "portal")


@pytest.fixture(scope="module")
def world(module_system):
    s = module_system(*SERVICES)
    admin = s.new_license("Requêtes SA", "admin@requetes.test")
    sales = s.add_user(admin, "paul@requetes.test", name="Paul Martin")
    token = sales["access_token"]
    r = s.post("/api/v1/customers", token=token, json={
        "name": "ACME Industries", "kind": "company",
        "contacts": [{"first_name": "Alice", "last_name": "Martin", "email": "alice@acme.test"}]})
    assert r.status_code == 201, r.get_json()
    customer = r.get_json()
    r = s.post("/api/v1/quotes", token=token, json={
        "title": "Équipement atelier", "contact_id": customer["contacts"][0]["id"],
        "lines": [{"description": "Perceuse", "quantity": "2", "unit_price": "450", "tax_rate": "20"}]})
    assert r.status_code == 201, r.get_json()
    return {"s": s, "admin": admin["access_token"], "sales": token, "customer": customer, "quote": r.get_json()}


def refused(r, *names: str) -> dict:
    """The answer is the 422 problem naming each of ``names`` as an unknown field."""
    assert r.status_code == 422 and r.mimetype == "application/problem+json", (r.status_code, r.get_data()[:300])
    problem = r.get_json()
    assert problem["code"] == "invalid_input" and problem["errors"] == {n: ["Unknown field."] for n in names}
    assert all(name in problem["detail"] for name in names), problem["detail"]
    return problem


def test_an_unknown_parameter_of_any_get_is_the_422_a_list_gives(world):
    s, token, quote = world["s"], world["sales"], world["quote"]
    as_a_list = refused(s.get("/api/v1/contracts?stauts=draft", token=token), "stauts")
    for path in (f"/api/v1/contracts/{quote['id']}?stauts=draft",
                 # the PDF is in the contract's own locale (its `locale`, set by PATCH): no other on request
                 f"/api/v1/contracts/{quote['id']}/pdf?locale=en",
                 f"/api/v1/customers/{world['customer']['id']}?expand=contacts",
                 "/api/v1/me?verbose=1",
                 f"/api/v1/quotes/{quote['id']}/send?lang=en"):
        problem = refused(s.get(path, token=token), path.rsplit("?", 1)[1].split("=")[0])
        assert {k: problem[k] for k in ("type", "title", "status")} == \
            {k: as_a_list[k] for k in ("type", "title", "status")}
    # several at once are all named; a declared one beside them does not hide them
    refused(s.get("/api/v1/contract-types?archived=true&sort=name&verbose=1", token=token), "sort", "verbose")
    # a list's field the client may not send is refused the same way (/quotes sets kind itself)
    refused(s.get("/api/v1/quotes?kind=contract", token=token), "kind")


def test_the_declared_parameters_still_work(world):
    s, token, quote = world["s"], world["sales"], world["quote"]
    pdf = s.get(f"/api/v1/contracts/{quote['id']}/pdf", token=token)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    shown = s.get(f"/api/v1/contracts/{quote['id']}/pdf?inline=1", token=token)  # the web's preview frame
    assert shown.status_code == 200 and shown.headers["Content-Disposition"].startswith("inline;")
    assert shown.get_data() == pdf.get_data()

    # the contract types with the archived ones (the web's settings page sends archived=true)
    r = s.post("/api/v1/contract-types", token=world["admin"], json={"name": "Ancien modèle", "kind": "quote"})
    assert r.status_code == 201, r.get_json()
    old = r.get_json()
    assert s.patch(f"/api/v1/contract-types/{old['id']}", token=world["admin"],
                   json={"archived": True}).status_code == 200
    listed = {t["id"] for t in s.get("/api/v1/contract-types", token=token).get_json()}
    with_archived = {t["id"] for t in s.get("/api/v1/contract-types?archived=true", token=token).get_json()}
    assert old["id"] in with_archived - listed
    assert s.get("/api/v1/contract-types?archived=maybe", token=token).status_code == 422

    # a non-list GET with a service's query (README: ?locale=fr|en), and the lists' own (README: ?code=)
    english = s.get("/api/v1/contract-types/template-variables?locale=en", token=token)
    assert english.status_code == 200, english.get_json()
    code = s.get("/api/v1/customers?code=NOPE&count=true", token=token)
    assert code.status_code == 200 and code.get_json()["total"] == 0
    assert s.get(f"/api/v1/contracts?customer_id={world['customer']['id']}&limit=5",
                 token=token).get_json()["items"][0]["id"] == quote["id"]


def test_sending_a_quote_answers_data_not_a_button_label(world):
    s, token, quote = world["s"], world["sales"], world["quote"]
    path = f"/api/v1/quotes/{quote['id']}/send"
    assert s.get(path, token=token).get_json()["sent"] is False
    r = s.post(path, token=token, json={"request_signature": False})
    assert r.status_code == 200, r.get_json()
    sent = r.get_json()
    assert "next_button" not in sent
    assert set(sent) == {"contract_id", "contact_id", "to", "template", "reminder", "link", "expires_at",
                         "attach_pdf", "signature"}
    assert sent["template"] == "quote_send" and sent["reminder"] is False and sent["to"] == "alice@acme.test"
    # what a client words its next button from: the quote was sent, the next send is a reminder
    info = s.get(path, token=token).get_json()
    assert info["sent"] is True and info["template"] == "quote_reminder"
    send_result = s.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["portal.send_quote"]
    assert "next_button" not in send_result["properties"] and "next_button" not in send_result["required"]
