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
