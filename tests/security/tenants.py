"""Building blocks of the security suite's worlds, through the gateway: perimeters, staff users placed in
them, customers placed in them. Each helper asserts its request succeeded and returns the created object."""
from __future__ import annotations


def add_perimeters(s, admin: dict, *names: str) -> dict:
    """{name: perimeter id} of new perimeters of the admin's license."""
    ids = {}
    for name in names:
        r = s.post("/api/v1/perimeters", json={"name": name}, token=admin["access_token"])
        assert r.status_code == 201, r.get_json()
        ids[name] = r.get_json()["id"]
    return ids


def place(s, admin: dict, path: str, perimeter_ids: list[str]):
    """Set the perimeters of a user, customer or contract type (``path`` = e.g. ``users/<id>``)."""
    r = s.put(f"/api/v1/{path}/perimeters", json={"perimeter_ids": perimeter_ids}, token=admin["access_token"])
    assert r.status_code == 200, r.get_json()


def add_staff(s, admin: dict, email: str, perimeter_ids: list[str], role: str = "user", name: str = "") -> dict:
    """The signed-in session of a new staff user of the admin's license, placed in these perimeters."""
    session = s.add_user(admin, email, role=role, name=name)
    place(s, admin, f"users/{session['user']['user_id']}", perimeter_ids)
    return session


def add_customer(s, admin: dict, perimeter_ids: list[str], **fields) -> dict:
    """A new customer (``fields``: name, contacts...) placed in these perimeters."""
    r = s.post("/api/v1/customers", json=fields, token=admin["access_token"])
    assert r.status_code == 201, r.get_json()
    customer = r.get_json()
    place(s, admin, f"customers/{customer['id']}", perimeter_ids)
    return customer
