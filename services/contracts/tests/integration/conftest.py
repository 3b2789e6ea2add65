"""The setting most list tests start from."""
from types import SimpleNamespace

import pytest


@pytest.fixture
def north_south_services():
    """The services north_south starts (a test module overrides this fixture to add some)."""
    return ("identity", "perimeter", "contracts")


@pytest.fixture
def north_south(system, north_south_services):
    """A license (admin token ``A``) with two perimeters, ``north`` and ``south``, and a seller who sees
    the north one only (token ``T``); ``customer(name, perimeter_id, **fields)`` creates a customer in a
    perimeter."""
    s = system(*north_south_services)
    admin = s.new_license("Initiative SA", "admin@init.test")
    A = admin["access_token"]
    north, south = (s.post("/api/v1/perimeters", json={"name": n}, token=A).get_json()["id"] for n in ("N", "S"))
    seller = s.add_user(admin, "vendeur@init.test", name="Paul Vendeur")
    s.put(f"/api/v1/users/{seller['user']['user_id']}/perimeters", json={"perimeter_ids": [north]}, token=A)

    def customer(name, perimeter_id, **fields):
        c = s.post("/api/v1/customers", token=A, json={"name": name, **fields}).get_json()
        s.put(f"/api/v1/customers/{c['id']}/perimeters", json={"perimeter_ids": [perimeter_id]}, token=A)
        return c

    return SimpleNamespace(s=s, A=A, T=seller["access_token"], seller_id=seller["user"]["user_id"],
                           north=north, south=south, customer=customer)
