"""The quote list's ``converted`` filter, through the gateway against real RabbitMQ and PostgreSQL: the accepted
quotes no order nor invoice was made from yet (the salesperson's home page, "Accepted — to convert"), the others
(``converted=true``); a copy of a quote is not a conversion; a value that is not a yes/no is a 422; ``status`` takes
several statuses separated by commas."""
import pytest

pytestmark = pytest.mark.integration


def test_accepted_quotes_not_converted_yet(system):
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Initiative SA", "admin@init.test")
    T = s.add_user(admin, "vendeur@init.test", name="Paul Vendeur")["access_token"]
    customer = s.post("/api/v1/customers", token=T, json={"name": "Boulangerie Martin", "kind": "company"}).get_json()

    def accepted(title: str) -> dict:
        quote = s.post("/api/v1/quotes", token=T, json={"title": title, "customer_id": customer["id"], "lines": [
            {"description": "Four", "quantity": "1", "unit_price": "9000", "tax_rate": "20"}]}).get_json()
        assert s.post(f"/api/v1/contracts/{quote['id']}/mark-sent", token=T, json={}).status_code == 200
        r = s.post(f"/api/v1/contracts/{quote['id']}/status", token=T, json={"status": "accepted"})
        assert r.status_code == 200, r.get_json()
        return quote

    ordered, invoiced, copied, waiting = (accepted(t) for t in ("Commandé", "Facturé", "Copié", "En attente"))
    for quote, target in ((ordered, "order"), (invoiced, "invoice")):
        assert s.post(f"/api/v1/contracts/{quote['id']}/convert", token=T, json={"target": target}).status_code == 201
    assert s.post(f"/api/v1/contracts/{copied['id']}/duplicate", token=T).status_code == 201

    def titles(**query) -> list[str]:
        r = s.get("/api/v1/quotes", token=T, query_string={"status": "accepted", **query})
        assert r.status_code == 200, r.get_json()
        return sorted(q["title"] for q in r.get_json()["items"])

    assert titles(converted="false") == ["Copié", "En attente"]
    assert titles(converted="true") == ["Commandé", "Facturé"]
    assert titles() == ["Commandé", "Copié", "En attente", "Facturé"]
    # the orders themselves were made from nothing converted: the filter reads quotes, not what they became
    assert len(s.get("/api/v1/contracts?kind=order&converted=false", token=T).get_json()["items"]) == 1
    # several statuses at once, as the home page's "Accepted — to convert" lists them (accepted or validated)
    sent = s.post("/api/v1/quotes", token=T, json={"title": "Envoyé", "customer_id": customer["id"]}).get_json()
    assert s.post(f"/api/v1/contracts/{sent['id']}/mark-sent", token=T, json={}).status_code == 200
    assert titles(status="accepted,sent", converted="false") == ["Copié", "En attente", "Envoyé"]
    assert titles(status="accepted, validated", converted="false") == ["Copié", "En attente"]
    assert titles(status="sent,refused") == ["Envoyé"]
    r = s.get("/api/v1/quotes?converted=peut-etre", token=T)
    assert r.status_code == 422 and r.mimetype == "application/problem+json" and "converted" in r.get_json()["errors"]
