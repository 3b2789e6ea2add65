"""Attacks on the edges of tenant isolation, through the gateway: a portal client outside the caller's
perimeter, a task handed to someone who must not see the contract, a deeply nested JSON body, and an
Idempotency-Key value reused by another tenant."""
import json

import pytest

from tests.security.tenants import add_customer, add_perimeters, add_staff

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


@pytest.fixture
def world(system):
    """License "Vendeur": perimeters North and South; Nina (user) and Fabien (front user manager) in
    North, Sam (user) in South; customer Inside (North) and Outside (South), each with a contact holding
    a pending portal access. License "Rival": its own admin and user."""
    s = system("identity", "perimeter", "contracts", "portal")
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    perimeters = add_perimeters(s, admin, "North", "South")
    staff = {key: add_staff(s, admin, f"{key}@vendeur.test", [perimeters[perimeter]], role=role)
             for key, role, perimeter in (("nina", "user", "North"), ("fabien", "front_user_manager", "North"),
                                          ("sam", "user", "South"))}
    customers, clients = {}, {}
    for name, perimeter in (("Inside", "North"), ("Outside", "South")):
        customers[name] = add_customer(s, admin, [perimeters[perimeter]], name=name, contacts=[
            {"first_name": "Client", "last_name": name, "email": f"client@{name.lower()}.test"}])
        r = s.post(f"/api/v1/contacts/{customers[name]['contacts'][0]['id']}/portal-access",
                   json={"user_code": f"C-{name.upper()}"}, token=admin["access_token"])
        assert r.status_code == 201, r.get_json()
        clients[name] = r.get_json()
    rival = s.new_license("Rival SARL", "admin@rival.test")
    rival_user = s.add_user(rival, "ruth@rival.test")
    return {"s": s, "admin": admin, "staff": staff, "customers": customers, "clients": clients,
            "rival": rival, "rival_user": rival_user}


@pytest.fixture
def two_licenses(system):
    """Two tenants, each with its license admin, and nothing else."""
    s = system("identity", "perimeter", "contracts")
    return s, s.new_license("Vendeur SA", "admin@vendeur.test"), s.new_license("Rival SARL", "admin@rival.test")


def token(session):
    return session["access_token"]


# -- portal clients outside the caller's perimeter ------------------------------------------------------------

def test_a_portal_client_outside_the_perimeter_does_not_exist_for_user_management(world):
    s, outside = world["s"], world["clients"]["Outside"]
    unknown = s.post("/api/v1/users/no-such-user/resend-invitation", token=token(world["staff"]["nina"]))
    assert unknown.status_code == 404
    attempts = [
        ("nina", "post", f"/api/v1/users/{outside['user_id']}/resend-invitation", None),
        ("fabien", "post", f"/api/v1/users/{outside['user_id']}/resend-invitation", None),
        ("fabien", "get", f"/api/v1/users/{outside['user_id']}", None),
        ("fabien", "patch", f"/api/v1/users/{outside['user_id']}", {"name": "Hijacked"}),
        ("fabien", "post", f"/api/v1/users/{outside['user_id']}/deactivate", None),
    ]
    for who, method, path, body in attempts:
        kwargs = {"json": body} if body is not None else {}
        r = getattr(s, method)(path, token=token(world["staff"][who]), **kwargs)
        assert r.status_code == 404, (who, method, path, r.get_json())
        assert r.mimetype == PROBLEM
        assert outside["email"] not in r.get_data(as_text=True)
        assert r.get_json()["detail"] == unknown.get_json()["detail"]
    # nothing was sent or changed: still one invitation, still pending
    assert len(s.invitation_links(outside["email"])) == 1
    r = s.get(f"/api/v1/users/{outside['user_id']}", token=token(world["admin"]))
    assert r.status_code == 200 and r.get_json()["status"] == "invited" and r.get_json()["name"] != "Hijacked"
    # the client of a customer inside the perimeter is still managed
    inside = world["clients"]["Inside"]
    r = s.post(f"/api/v1/users/{inside['user_id']}/resend-invitation", token=token(world["staff"]["nina"]))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["email"] == inside["email"]
    assert s.get(f"/api/v1/users/{inside['user_id']}", token=token(world["staff"]["fabien"])).status_code == 200


# -- task assignees ---------------------------------------------------------------------------------------------

def test_a_task_goes_only_to_an_active_staff_user_who_can_see_the_contract(world):
    s, A = world["s"], token(world["admin"])
    r = s.post("/api/v1/contracts", token=A, json={"title": "Maintenance",
                                                   "customer_id": world["customers"]["Outside"]["id"]})
    assert r.status_code == 201, r.get_json()
    contract_id = r.get_json()["id"]
    refused = {
        "another license's user": world["rival_user"]["user"]["user_id"],
        "a user outside the contract's perimeter": world["staff"]["nina"]["user"]["user_id"],
        "a portal client": world["clients"]["Outside"]["user_id"],
        "nobody": "no-such-user",
    }
    for label, assignee_id in refused.items():
        r = s.post(f"/api/v1/contracts/{contract_id}/tasks", token=A,
                   json={"title": "Call back", "assignee_id": assignee_id})
        assert r.status_code == 422, (label, r.get_json())
        assert "assignee_id" in r.get_json()["errors"], label
    sam = world["staff"]["sam"]["user"]["user_id"]
    r = s.post(f"/api/v1/contracts/{contract_id}/tasks", token=A, json={"title": "Call back", "assignee_id": sam})
    assert r.status_code == 201, r.get_json()
    task_id = r.get_json()["id"]
    r = s.patch(f"/api/v1/tasks/{task_id}", token=A, json={"assignee_id": refused["another license's user"]})
    assert r.status_code == 422 and "assignee_id" in r.get_json()["errors"], r.get_json()
    r = s.patch(f"/api/v1/tasks/{task_id}", token=A, json={"title": "Call back today"})
    assert r.status_code == 200 and r.get_json()["assignee_id"] == sam, r.get_json()


# -- deeply nested JSON -------------------------------------------------------------------------------------------

def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_deeply_nested_json_body_is_a_400_problem(two_licenses):
    s, admin, _ = two_licenses
    signed_in = {"Authorization": f"Bearer {token(admin)}"}
    for method, path, headers in (("post", "/api/v1/customers", signed_in), ("patch", "/api/v1/license", signed_in),
                                  ("post", "/api/v1/auth/login", {}), ("post", "/api/v1/licenses/activate", {})):
        for body in (nested(2000), '{"name": ' + nested(2000) + "}", '{"name": ' + nested(65) + "}", "[" * 100000):
            r = getattr(s.client, method)(path, data=body, headers={"Content-Type": "application/json", **headers})
            assert r.status_code == 400, (path, r.status_code, r.get_data(as_text=True)[:300])
            assert r.mimetype == PROBLEM
            assert "nested" in r.get_json()["detail"]


def test_json_under_the_depth_limit_and_brackets_in_strings_are_parsed_normally(two_licenses):
    s, admin, _ = two_licenses
    A = token(admin)
    r = s.client.post("/api/v1/customers", data='{"name": "Deep", "unexpected": ' + nested(63) + "}",
                      headers={"Content-Type": "application/json", "Authorization": f"Bearer {A}"})
    assert r.status_code == 422 and "unexpected" in r.get_json()["errors"], r.get_json()
    r = s.post("/api/v1/customers", token=A, json={"name": "Brackets", "notes": "[{" * 3000 + '\\"'})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["name"] == "Brackets"


# -- Idempotency-Key scope ------------------------------------------------------------------------------------------

def test_another_tenant_reusing_an_idempotency_key_neither_blocks_nor_sees_anything(two_licenses):
    s, admin, rival = two_licenses
    key = {"Idempotency-Key": "shared-key-1"}
    mine = s.post("/api/v1/customers", token=token(admin), headers=key, json={"name": "Same name"})
    theirs = s.post("/api/v1/customers", token=token(rival), headers=key, json={"name": "Same name"})
    assert mine.status_code == 201 and theirs.status_code == 201, (mine.get_json(), theirs.get_json())
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    other_payload = s.post("/api/v1/customers", token=token(rival), headers=key, json={"name": "Something else"})
    assert other_payload.status_code == 409, other_payload.get_json()  # same caller, same key: still guarded
    # a retry by the same caller still replays the first result instead of creating a second customer
    again = s.post("/api/v1/customers", token=token(admin), headers=key, json={"name": "Same name"})
    assert again.status_code == 201 and again.get_json()["id"] == mine.get_json()["id"]
    names = [c["name"] for c in s.get("/api/v1/customers", token=token(rival)).get_json()["items"]]
    assert names == ["Same name"]
    assert json.dumps(mine.get_json()) not in theirs.get_data(as_text=True)
