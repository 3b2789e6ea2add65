"""``GET /customers``: search, kind and perimeter filters and sort, within the caller's perimeters."""
import pytest

pytestmark = pytest.mark.integration


def test_customer_list_filters_and_sorts_within_my_perimeters(north_south):
    s, A, north, south = north_south.s, north_south.A, north_south.north, north_south.south
    north_south.customer("Alpha SARL", north, kind="company", code="C3")
    north_south.customer("Bruno Martin", north, kind="person", code="C1")
    north_south.customer("Zeta SA", south, kind="company", code="C2")

    def names(token, query=""):
        r = s.get(f"/api/v1/customers{query}", token=token)
        assert r.status_code == 200, r.get_json()
        return [c["name"] for c in r.get_json()["items"]]

    assert names(A) == ["Alpha SARL", "Bruno Martin", "Zeta SA"]
    assert names(A, "?sort=-name") == ["Zeta SA", "Bruno Martin", "Alpha SARL"]
    assert names(A, "?sort=code") == ["Bruno Martin", "Zeta SA", "Alpha SARL"]
    assert names(A, "?kind=company") == ["Alpha SARL", "Zeta SA"]
    assert names(A, f"?perimeter_id={south}") == ["Zeta SA"]
    # the filters narrow the caller's view, never widen it: south stays invisible to a north seller
    T = north_south.T
    assert names(T) == ["Alpha SARL", "Bruno Martin"]
    assert names(T, f"?perimeter_id={south}") == []
    assert names(T, "?kind=person&q=mart") == ["Bruno Martin"]
    r = s.get("/api/v1/customers?sort=password", token=A)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"


def test_an_integration_finds_a_customer_by_its_code_and_syncs_what_changed(north_south):
    """An ERP looks a customer up by its own key (`code`, exactly: `q` also matches C10 for C1 and names), and
    asks for the customers created or changed since its last run (`updated_since`), within the caller's view."""
    from urllib.parse import quote
    s, A, north = north_south.s, north_south.A, north_south.north
    north_south.customer("Alpha SARL", north, kind="company", code="C1")
    north_south.customer("Beta SARL", north, kind="company", code="C10")

    def names(query):
        r = s.get(f"/api/v1/customers{query}", token=A)
        assert r.status_code == 200, r.get_json()
        return [c["name"] for c in r.get_json()["items"]]

    assert names("?code=C1") == ["Alpha SARL"] and names("?q=C1") == ["Alpha SARL", "Beta SARL"]
    assert names("?code=C99") == []
    alpha = s.get("/api/v1/customers?code=C1", token=A).get_json()["items"][0]
    since = s.get("/api/v1/customers?code=C10", token=A).get_json()["items"][0]["updated_at"]
    assert names(f"?updated_since={quote(since)}") == ["Beta SARL"]
    r = s.patch(f"/api/v1/customers/{alpha['id']}", json={"phone": "+33 1 23 45 67 89"}, token=A)
    assert r.status_code == 200, r.get_json()
    assert names(f"?updated_since={quote(since)}") == ["Alpha SARL", "Beta SARL"]
    assert s.get("/api/v1/customers?updated_since=0001-01-01T00:00:00%2B01:00", token=A).status_code == 422


def test_the_customers_in_no_perimeter_are_listed_to_be_put_in_one(north_south):
    """SELL&SIGN: the customers created before the license used perimeters have none (visible to every user);
    `without_perimeter=true` lists them, and a customer put in a perimeter leaves that list."""
    s, A, T, north, south = north_south.s, north_south.A, north_south.T, north_south.north, north_south.south
    north_south.customer("Alpha SARL", north)
    north_south.customer("Zeta SA", south)
    # the admin is in no perimeter: what they create is in none, as before perimeters were used
    old = [s.post("/api/v1/customers", token=A, json={"name": n}).get_json() for n in ("Ancien SA", "Vieux SARL")]

    def names(token, query):
        r = s.get(f"/api/v1/customers{query}", token=token)
        assert r.status_code == 200, r.get_json()
        return [c["name"] for c in r.get_json()["items"]]

    assert names(A, "?without_perimeter=true") == ["Ancien SA", "Vieux SARL"]
    assert names(A, "?without_perimeter=false") == ["Alpha SARL", "Ancien SA", "Vieux SARL", "Zeta SA"]
    assert names(A, "?without_perimeter=true&q=vieux") == ["Vieux SARL"]
    r = s.put(f"/api/v1/customers/{old[0]['id']}/perimeters", json={"perimeter_ids": [south]}, token=A)
    assert r.status_code == 200, r.get_json()
    assert names(A, "?without_perimeter=true") == ["Vieux SARL"]
    # taken out of its every perimeter, a customer is in none again
    r = s.put(f"/api/v1/customers/{old[0]['id']}/perimeters", json={"perimeter_ids": []}, token=A)
    assert r.status_code == 200, r.get_json()
    assert names(A, "?without_perimeter=true") == ["Ancien SA", "Vieux SARL"]
    # a seller gets what they see anyway (a customer in no perimeter is visible to all), never more
    assert names(T, "?without_perimeter=true") == ["Ancien SA", "Vieux SARL"]
    r = s.get(f"/api/v1/customers?without_perimeter=true&perimeter_id={north}", token=A)
    assert r.status_code == 422 and "without_perimeter" in r.get_json()["errors"], r.get_json()


def test_an_integration_syncs_the_contracts_quotes_and_deals_changed_since_its_last_run(north_south):
    """`updated_since` on `GET /contracts` (`/quotes`) and `GET /deals`, as on customers: the rows changed at or
    after that instant, paged by cursor; a status change or lines bump `updated_at`; a retried write says it
    was replayed (`Idempotent-Replayed`); a time without its offset is a 422 naming the field."""
    from urllib.parse import quote
    s, A, north = north_south.s, north_south.A, north_south.north
    alpha = north_south.customer("Alpha SARL", north)["id"]
    line = {"description": "Copieur", "quantity": "1", "unit_price": "100", "tax_rate": "20"}
    quotes = [s.post("/api/v1/quotes", token=A, json={"title": f"Devis {i}", "customer_id": alpha, "lines": [line]})
              .get_json() for i in range(3)]
    deals = [s.post("/api/v1/deals", token=A, json={"title": f"Affaire {i}", "customer_id": alpha}).get_json()
             for i in range(2)]

    def ids(path):
        seen, cursor = [], None
        while True:
            r = s.get(path + (f"&cursor={cursor}" if cursor else ""), token=A)
            assert r.status_code == 200, r.get_json()
            seen += [x["id"] for x in r.get_json()["items"]]
            cursor = r.get_json()["next_cursor"]
            if cursor is None:
                return seen

    assert ids(f"/api/v1/quotes?updated_since={quote(quotes[2]['updated_at'])}&limit=1") == [quotes[2]["id"]]
    since = quote(deals[1]["updated_at"])  # the last run's start: after every row above was written
    assert ids(f"/api/v1/deals?updated_since={since}&limit=1") == [deals[1]["id"]]
    assert ids(f"/api/v1/quotes?updated_since={since}&limit=1") == []
    # lines changed, a status changed, a deal moved: each is in the next sync, retried writes say so
    key = {"Idempotency-Key": "sync-lines"}
    r = s.patch(f"/api/v1/contracts/{quotes[0]['id']}", token=A, headers=key, json={"lines": [line, line]})
    assert r.status_code == 200 and "Idempotent-Replayed" not in r.headers, r.get_json()
    again = s.patch(f"/api/v1/contracts/{quotes[0]['id']}", token=A, headers=key, json={"lines": [line, line]})
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["version"] == r.get_json()["version"]
    r = s.post(f"/api/v1/contracts/{quotes[1]['id']}/status", token=A, json={"status": "sent"})
    assert r.status_code == 200, r.get_json()
    r = s.patch(f"/api/v1/deals/{deals[0]['id']}", token=A, json={"stage": "proposal"})
    assert r.status_code == 200, r.get_json()
    assert sorted(ids(f"/api/v1/contracts?kind=quote&updated_since={since}&limit=1")) == sorted(
        q["id"] for q in quotes[:2])
    assert set(ids(f"/api/v1/deals?updated_since={since}&limit=1")) == {d["id"] for d in deals}
    for path in ("/api/v1/contracts", "/api/v1/deals"):
        r = s.get(f"{path}?updated_since=2026-12-01T00:00:00", token=A)
        assert r.status_code == 422 and r.mimetype == "application/problem+json"
        assert "updated_since" in r.get_json()["errors"]
