"""``GET /customers``: search, kind and perimeter filters and sort, within the caller's perimeters."""
import pytest

pytestmark = pytest.mark.integration


def test_customer_list_filters_and_sorts_within_my_perimeters(system):
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Initiative SA", "admin@init.test")
    A = admin["access_token"]
    north, south = (s.post("/api/v1/perimeters", json={"name": n}, token=A).get_json()["id"] for n in ("N", "S"))
    seller = s.add_user(admin, "vendeur@init.test", name="Paul Vendeur")
    s.put(f"/api/v1/users/{seller['user']['user_id']}/perimeters", json={"perimeter_ids": [north]}, token=A)

    def customer(name, kind, code, perimeter_id):
        c = s.post("/api/v1/customers", token=A, json={"name": name, "kind": kind, "code": code}).get_json()
        s.put(f"/api/v1/customers/{c['id']}/perimeters", json={"perimeter_ids": [perimeter_id]}, token=A)

    customer("Alpha SARL", "company", "C3", north)
    customer("Bruno Martin", "person", "C1", north)
    customer("Zeta SA", "company", "C2", south)

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
    T = seller["access_token"]
    assert names(T) == ["Alpha SARL", "Bruno Martin"]
    assert names(T, f"?perimeter_id={south}") == []
    assert names(T, "?kind=person&q=mart") == ["Bruno Martin"]
    r = s.get("/api/v1/customers?sort=password", token=A)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
