"""Deals (``/deals``): create, list with filters and sort, update, the quotes/orders/invoices they group,
idempotent writes, events, and visibility through the customer's perimeters — real services, broker, database."""
import uuid

import pytest


pytestmark = pytest.mark.integration


@pytest.fixture
def env(north_south):
    w = north_south
    return {"s": w.s, "A": w.A, "T": w.T, "seller_id": w.seller_id,
            "alpha": w.customer("Alpha SARL", w.north)["id"], "beta": w.customer("Beta SA", w.north)["id"],
            "zeta": w.customer("Zeta SA", w.south)["id"]}


def test_a_deal_groups_its_customers_quotes_orders_and_invoices(env):
    s, T = env["s"], env["T"]
    r = s.post("/api/v1/deals", token=T, headers={"Idempotency-Key": "deal-1"}, json={
        "title": "Copieurs siège", "customer_id": env["alpha"], "amount": "12000", "expected_close_date": "2027-03-31"})
    assert r.status_code == 201, r.get_json()
    deal = r.get_json()
    assert deal["stage"] == "prospecting" and deal["amount"] == "12000.00" and deal["currency"] == "EUR"
    assert deal["owner_id"] == env["seller_id"] and deal["customer_name"] == "Alpha SARL"
    assert deal["documents"]["quote"] == {"count": 0, "total": "0.00", "won_total": "0.00"}
    # the same request again (a retry) is the same deal, not a second one
    again = s.post("/api/v1/deals", token=T, headers={"Idempotency-Key": "deal-1"}, json={
        "title": "Copieurs siège", "customer_id": env["alpha"], "amount": "12000", "expected_close_date": "2027-03-31"})
    assert again.status_code == 201 and again.get_json()["id"] == deal["id"]
    assert s.get("/api/v1/deals?count=true", token=T).get_json()["total"] == 1

    # a quote made from the deal takes its customer; one of another customer is refused next to the field
    line = {"description": "Copieur A3", "quantity": "2", "unit_price": "1000", "tax_rate": "20"}
    r = s.post("/api/v1/quotes", token=T, json={"title": "Devis copieurs", "deal_id": deal["id"], "lines": [line]})
    assert r.status_code == 201, r.get_json()
    quote = r.get_json()
    assert quote["customer_id"] == env["alpha"] and quote["deal_id"] == deal["id"]
    r = s.post("/api/v1/quotes", token=T, json={"title": "x", "customer_id": env["beta"], "deal_id": deal["id"]})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert "deal_id" in r.get_json()["errors"]
    other = s.post("/api/v1/quotes", token=T, json={"title": "Autre", "customer_id": env["beta"]}).get_json()
    r = s.patch(f"/api/v1/contracts/{other['id']}", token=T, json={"deal_id": deal["id"]})
    assert r.status_code == 422 and "deal_id" in r.get_json()["errors"]

    # the order made from the quote stays in the deal
    s.post(f"/api/v1/contracts/{quote['id']}/mark-sent", token=T, json={})
    order = s.post(f"/api/v1/contracts/{quote['id']}/convert", token=T, json={"target": "order"}).get_json()
    assert order["deal_id"] == deal["id"]
    listed = s.get(f"/api/v1/contracts?deal_id={deal['id']}", token=T).get_json()
    assert sorted(c["kind"] for c in listed["items"]) == ["order", "quote"]
    got = s.get(f"/api/v1/deals/{deal['id']}", token=T).get_json()
    # nothing bought yet: the quote is only sent and the order a draft
    assert got["documents"]["quote"] == {"count": 1, "total": "2400.00", "won_total": "0.00"}
    assert got["documents"]["order"] == {"count": 1, "total": "2400.00", "won_total": "0.00"}
    assert got["documents"]["invoice"] == {"count": 0, "total": "0.00", "won_total": "0.00"}
    # the customer accepts the quote, the order is confirmed: both count as won
    for contract_id, status in ((quote["id"], "accepted"), (order["id"], "confirmed")):
        r = s.post(f"/api/v1/contracts/{contract_id}/status", token=T, json={"status": status})
        assert r.status_code == 200, r.get_json()
    got = s.get(f"/api/v1/deals/{deal['id']}", token=T).get_json()
    assert got["documents"]["quote"] == {"count": 1, "total": "2400.00", "won_total": "2400.00"}
    assert got["documents"]["order"] == {"count": 1, "total": "2400.00", "won_total": "2400.00"}

    # a quote can leave the deal
    r = s.patch(f"/api/v1/contracts/{quote['id']}", token=T, json={"deal_id": None})
    assert r.status_code == 200 and r.get_json()["deal_id"] is None

    created = [e["data"] for e in s.outbox_payloads("contracts", "deal.created.v1")]
    assert [e["deal_id"] for e in created] == [deal["id"]]


def test_update_moves_the_stage_once_and_checks_the_version(env):
    s, T = env["s"], env["T"]
    deal = s.post("/api/v1/deals", token=T, json={"title": "Parc", "customer_id": env["alpha"]}).get_json()
    r = s.patch(f"/api/v1/deals/{deal['id']}", token=T, json={"stage": "proposal", "amount": "5000.5",
                                                               "expected_version": deal["version"]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["stage"] == "proposal" and r.get_json()["amount"] == "5000.50"
    assert r.get_json()["version"] == deal["version"] + 1
    # the same PATCH again changes nothing and publishes nothing
    same = s.patch(f"/api/v1/deals/{deal['id']}", token=T, json={"stage": "proposal", "amount": "5000.50"})
    assert same.get_json()["version"] == deal["version"] + 1
    stale = s.patch(f"/api/v1/deals/{deal['id']}", token=T, json={"stage": "won", "expected_version": deal["version"]})
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    updates = [e["data"] for e in s.outbox_payloads("contracts", "deal.updated.v1")]
    assert [(e["stage"], e["changed"]) for e in updates] == [("proposal", ["amount", "stage"])]
    # bad input is a 422 with the field named, never a 500
    for body in ({"stage": "maybe"}, {"amount": "-1"}, {"amount": "abc"}, {"amount": "1e12"},
                 {"amount": "999999999999.999"}, {"amount": 1.5e300}, {"title": ""}, {"customer_id": "x"}):
        r = s.patch(f"/api/v1/deals/{deal['id']}", token=T, json=body)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", (body, r.get_json())
    r = s.post("/api/v1/deals", token=T, json={"title": "No customer"})
    assert r.status_code == 422 and "customer_id" in r.get_json()["errors"]
    r = s.post("/api/v1/deals", token=T, json={"title": "Bad owner", "customer_id": env["alpha"], "owner_id": "nobody"})
    assert r.status_code == 422 and "owner_id" in r.get_json()["errors"]


def test_list_filters_sorts_and_follows_the_customers_perimeters(env):
    s, A, T = env["s"], env["A"], env["T"]

    def deal(token, title, customer, **extra):
        r = s.post("/api/v1/deals", token=token, json={"title": title, "customer_id": env[customer], **extra})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    deal(T, "Copieurs", "alpha", stage="negotiation", amount="900")
    deal(T, "Imprimantes", "beta", stage="prospecting", amount="3000")
    hidden = deal(A, "Serveurs", "zeta", stage="won", amount="50000")

    def titles(token, query=""):
        r = s.get(f"/api/v1/deals{query}", token=token)
        assert r.status_code == 200, r.get_json()
        return [d["title"] for d in r.get_json()["items"]]

    assert sorted(titles(A)) == ["Copieurs", "Imprimantes", "Serveurs"]
    # the seller sees the deals of the customers of their perimeter only, whatever the filter
    assert sorted(titles(T)) == ["Copieurs", "Imprimantes"]
    assert titles(T, f"?customer_id={env['zeta']}") == []
    assert s.get(f"/api/v1/deals/{hidden}", token=T).status_code == 404
    assert s.patch(f"/api/v1/deals/{hidden}", token=T, json={"stage": "lost"}).status_code == 404
    assert s.post("/api/v1/quotes", token=T, json={"title": "x", "deal_id": hidden}).status_code == 404
    assert s.post("/api/v1/deals", token=T, json={"title": "x", "customer_id": env["zeta"]}).status_code == 404
    # filters and sorts (stage sorts in the pipeline's order)
    assert titles(A, "?sort=stage") == ["Imprimantes", "Copieurs", "Serveurs"]
    assert titles(A, "?sort=-amount") == ["Serveurs", "Imprimantes", "Copieurs"]
    assert titles(A, "?sort=customer_name") == ["Copieurs", "Imprimantes", "Serveurs"]
    assert titles(A, "?stage=won") == ["Serveurs"]
    assert titles(A, "?q=beta") == ["Imprimantes"]
    assert titles(A, f"?owner_id={env['seller_id']}&sort=title") == ["Copieurs", "Imprimantes"]
    page = s.get("/api/v1/deals?sort=title&limit=2&offset=2&count=true", token=A).get_json()
    assert [d["title"] for d in page["items"]] == ["Serveurs"] and page["total"] == 3
    r = s.get("/api/v1/deals?sort=password", token=A)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"


def test_a_deal_is_deleted_only_while_it_holds_no_document(env):
    s, T = env["s"], env["T"]
    empty = s.post("/api/v1/deals", token=T, json={"title": "Par erreur", "customer_id": env["alpha"]}).get_json()
    full = s.post("/api/v1/deals", token=T, json={"title": "Avec devis", "customer_id": env["alpha"]}).get_json()
    s.post("/api/v1/quotes", token=T, json={"title": "Devis", "deal_id": full["id"]})
    r = s.delete(f"/api/v1/deals/{full['id']}", token=T)
    assert r.status_code == 409 and r.mimetype == "application/problem+json"
    assert s.delete(f"/api/v1/deals/{empty['id']}", token=T, headers={"Idempotency-Key": "del-1"}).status_code == 204
    # a retry of the same request is answered the same; the deal is gone
    assert s.delete(f"/api/v1/deals/{empty['id']}", token=T, headers={"Idempotency-Key": "del-1"}).status_code == 204
    assert s.get(f"/api/v1/deals/{empty['id']}", token=T).status_code == 404
    assert s.delete(f"/api/v1/deals/{empty['id']}", token=T).status_code == 404
    assert [e["data"]["deal_id"] for e in s.outbox_payloads("contracts", "deal.deleted.v1")] == [empty["id"]]


def test_an_id_the_body_references_that_is_not_there_is_a_404_naming_its_field(env):
    """A body's customer_id, contact_id, deal_id or contract_type_id naming nothing the caller sees (unknown, or
    outside their perimeters) was a 404 that did not say which of the ids was wrong, where a bad owner_id's 422
    names it. The status stays (a /v1 client tests it); ``errors`` names the field, as a 422's does. The 404 of
    the path's own id names none."""
    s, A, T = env["s"], env["A"], env["T"]
    unknown = str(uuid.uuid4())
    hidden_deal = s.post("/api/v1/deals", token=A, json={"title": "Serveurs", "customer_id": env["zeta"]}).get_json()
    quote = s.post("/api/v1/quotes", token=T, json={"title": "Devis", "customer_id": env["alpha"]}).get_json()
    before = s.get("/api/v1/contracts?count=true", token=A).get_json()["total"]
    for method, path, body, field, message in (
            ("post", "/api/v1/quotes", {"title": "x", "customer_id": unknown}, "customer_id", "No such customer."),
            ("post", "/api/v1/contracts", {"title": "x", "customer_id": env["zeta"]}, "customer_id",
             "No such customer."),
            ("post", "/api/v1/quotes", {"title": "x", "contact_id": unknown}, "contact_id", "No such contact."),
            ("post", "/api/v1/quotes", {"title": "x", "deal_id": hidden_deal["id"]}, "deal_id", "No such deal."),
            ("post", "/api/v1/contracts", {"title": "x", "customer_id": env["alpha"], "contract_type_id": unknown},
             "contract_type_id", "No such contract type."),
            ("post", "/api/v1/deals", {"title": "x", "customer_id": unknown}, "customer_id", "No such customer."),
            ("patch", f"/api/v1/contracts/{quote['id']}", {"contact_id": unknown}, "contact_id", "No such contact."),
            ("patch", f"/api/v1/contracts/{quote['id']}", {"deal_id": hidden_deal["id"]}, "deal_id", "No such deal."),
            ("post", f"/api/v1/contracts/{quote['id']}/mark-sent", {"contact_id": unknown}, "contact_id",
             "No such contact.")):
        r = getattr(s, method)(path, token=T, json=body)
        assert r.status_code == 404 and r.mimetype == "application/problem+json", (path, body, r.get_json())
        problem = r.get_json()
        assert problem["code"] == "not_found" and problem["errors"] == {field: [message]}, (path, body, problem)
        assert problem["detail"].endswith("not found."), problem
    # nothing was made or changed
    assert s.get("/api/v1/contracts?count=true", token=A).get_json()["total"] == before
    after = s.get(f"/api/v1/contracts/{quote['id']}", token=T).get_json()
    assert (after["status"], after["contact_id"], after["deal_id"], after["version"]) == (
        "draft", None, None, quote["version"])
    # the path's own id: nothing in the body to name
    r = s.get(f"/api/v1/deals/{hidden_deal['id']}", token=T)
    assert r.status_code == 404 and "errors" not in r.get_json(), r.get_json()
