"""Attacks on perimeters, through the gateway: an admin of one license writing another license's
users, customers and contract types into their own perimeters; a person who belongs to two licenses;
a plain user reading a perimeter's members; probing user ids of other licenses."""
import uuid

import pytest

from tests.security.tenants import add_perimeters, place

pytestmark = pytest.mark.integration


@pytest.fixture
def world(system):
    """License "Alpha": admin, perimeter PA, user Alice. License "Beta": admin, perimeters PB and PB2,
    users Bob (PB) and Carol (PB2), customers Shared (PB and PB2) and Hidden (PB2), contract types
    Model (PB) and Secret (PB2). Dana is a member of both licenses."""
    s = system("identity", "perimeter", "contracts")
    alpha = s.new_license("Alpha", "admin@alpha.test")
    beta = s.new_license("Beta", "admin@beta.test")
    A, B = alpha["access_token"], beta["access_token"]
    w = {"s": s, "A": A, "B": B, "beta_admin": beta["user"]["user_id"]}

    def member(admin, email, perimeter_ids):
        user_id = s.add_user(admin, email)["user"]["user_id"]
        if perimeter_ids:
            place(s, admin, f"users/{user_id}", perimeter_ids)
        return user_id

    def object_of_beta(path, name, perimeter_ids):
        r = s.post(f"/api/v1/{path}", json={"name": name}, token=B)
        assert r.status_code == 201, r.get_json()
        object_id = r.get_json()["id"]
        place(s, beta, f"{path}/{object_id}", perimeter_ids)
        return object_id

    w.update(add_perimeters(s, alpha, "PA"))
    w.update(add_perimeters(s, beta, "PB", "PB2"))
    w["alice"] = member(alpha, "alice@alpha.test", [w["PA"]])
    bob = s.add_user(beta, "bob@beta.test")
    w["bob"], w["bob_token"] = bob["user"]["user_id"], bob["access_token"]
    place(s, beta, f"users/{w['bob']}", [w["PB"]])
    w["carol"] = member(beta, "carol@beta.test", [w["PB2"]])
    w["dana"] = member(alpha, "dana@both.test", [])
    assert member(beta, "dana@both.test", []) == w["dana"]  # one person, two licenses
    w["shared"] = object_of_beta("customers", "Shared", [w["PB"], w["PB2"]])
    w["hidden"] = object_of_beta("customers", "Hidden", [w["PB2"]])
    w["model"] = object_of_beta("contract-types", "Model", [w["PB"]])
    w["secret"] = object_of_beta("contract-types", "Secret", [w["PB2"]])
    return w


def members(w, perimeter_id, token):
    r = w["s"].get(f"/api/v1/perimeters/{perimeter_id}", token=token)
    assert r.status_code == 200, r.get_json()
    return {kind: sorted(ids) for kind, ids in r.get_json()["members"].items()}


def test_an_admin_cannot_write_another_licenses_subjects_into_a_perimeter(world):
    w = world
    s, A, B = w["s"], w["A"], w["B"]
    before = members(w, w["PA"], A)
    for body in ({"contract_types": [w["model"]]}, {"customers": [w["shared"]]}, {"users": [w["bob"]]},
                 {"users": [str(uuid.uuid4())]},
                 # a legitimate id next to a foreign one: the whole call fails, nothing changes
                 {"users": [w["alice"], w["dana"]], "customers": [w["shared"]]}):
        r = s.put(f"/api/v1/perimeters/{w['PA']}/members", json=body, token=A)
        assert r.status_code == 404, (body, r.get_json())
        assert r.mimetype == "application/problem+json"
    assert members(w, w["PA"], A) == before
    # Beta's objects are untouched: still visible to Bob, and Beta's admin still manages them
    names = {t["name"] for t in s.get("/api/v1/contract-types", token=w["bob_token"]).get_json()}
    assert "Model" in names
    assert s.get(f"/api/v1/customers/{w['shared']}", token=w["bob_token"]).status_code == 200
    r = s.put(f"/api/v1/contract-types/{w['model']}/perimeters", json={"perimeter_ids": [w["PB"], w["PB2"]]},
              token=B)
    assert r.status_code == 200, r.get_json()
    r = s.put(f"/api/v1/perimeters/{w['PB']}/members", json={"contract_types": [w["model"]],
                                                              "users": [w["bob"]]}, token=B)
    assert r.status_code == 200, r.get_json()
    assert s.get(f"/api/v1/users/{w['bob']}/perimeters", token=B).get_json()["perimeter_ids"] == [w["PB"]]


def test_a_person_in_two_licenses_has_separate_perimeters_in_each(world):
    w = world
    s, A, B = w["s"], w["A"], w["B"]
    r = s.put(f"/api/v1/users/{w['dana']}/perimeters", json={"perimeter_ids": [w["PA"]]}, token=A)
    assert r.status_code == 200, r.get_json()
    r = s.put(f"/api/v1/users/{w['dana']}/perimeters", json={"perimeter_ids": [w["PB2"]]}, token=B)
    assert r.status_code == 200, r.get_json()
    r = s.put(f"/api/v1/perimeters/{w['PB']}/members", json={"users": [w["bob"], w["dana"]]}, token=B)
    assert r.status_code == 200, r.get_json()
    assert s.get(f"/api/v1/users/{w['dana']}/perimeters", token=A).get_json()["perimeter_ids"] == [w["PA"]]
    assert sorted(s.get(f"/api/v1/users/{w['dana']}/perimeters", token=B).get_json()["perimeter_ids"]) == sorted(
        [w["PB"], w["PB2"]])
    assert members(w, w["PA"], A)["users"] == sorted([w["alice"], w["dana"]])


def test_a_plain_user_sees_only_the_members_they_may_see(world):
    w = world
    # Bob (PB) reads PB2: the customer he shares PB with, not Carol, Hidden or Secret
    assert members(w, w["PB2"], w["bob_token"]) == {"users": [], "customers": [w["shared"]], "contract_types": []}
    assert members(w, w["PB"], w["bob_token"]) == {"users": [w["bob"]], "customers": [w["shared"]],
                                                   "contract_types": [w["model"]]}
    # the license admin sees everything
    assert members(w, w["PB2"], w["B"]) == {"users": [w["carol"]], "customers": sorted([w["shared"], w["hidden"]]),
                                            "contract_types": [w["secret"]]}


def test_user_perimeters_outside_the_license_are_all_the_same_404(world):
    w = world
    s, A = w["s"], w["A"]
    answers = []
    # a random id, Beta's user with perimeters, Beta's admin without any
    for user_id in (str(uuid.uuid4()), w["bob"], w["beta_admin"]):
        r = s.get(f"/api/v1/users/{user_id}/perimeters", token=A)
        assert r.status_code == 404, r.get_json()
        answers.append({k: v for k, v in r.get_json().items() if k not in ("instance", "request_id")})
    assert answers[0] == answers[1] == answers[2]
    r = s.put(f"/api/v1/users/{w['bob']}/perimeters", json={"perimeter_ids": [w["PA"]]}, token=A)
    assert r.status_code == 404
    assert s.get(f"/api/v1/users/{w['bob']}/perimeters", token=w["B"]).get_json()["perimeter_ids"] == [w["PB"]]
