"""``GET /tasks``: a person's tasks due, filtered by the perimeter like every other list."""
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.integration


def test_my_tasks_due_are_listed_within_my_perimeter(system):
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Initiative SA", "admin@init.test")
    A = admin["access_token"]
    north, south = (s.post("/api/v1/perimeters", json={"name": n}, token=A).get_json()["id"] for n in ("N", "S"))
    seller = s.add_user(admin, "vendeur@init.test", name="Paul Vendeur")
    seller_id = seller["user"]["user_id"]
    assert s.put(f"/api/v1/users/{seller_id}/perimeters", json={"perimeter_ids": [north]}, token=A).status_code == 200

    def quote_of_customer(name, perimeter_id):
        customer = s.post("/api/v1/customers", token=A, json={
            "name": name, "contacts": [{"first_name": "Jo", "last_name": name}]}).get_json()
        s.put(f"/api/v1/customers/{customer['id']}/perimeters", json={"perimeter_ids": [perimeter_id]}, token=A)
        r = s.post("/api/v1/quotes", token=A, json={"title": f"Devis {name}", "contact_id": customer["contacts"][0]["id"]})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    near, far = quote_of_customer("Nordique", north), quote_of_customer("Sudiste", south)
    today = date.today()

    def task(quote, title, due, assignee_id):
        r = s.post(f"/api/v1/contracts/{quote['id']}/tasks", token=A, json={
            "title": title, "due_date": due.isoformat() if due else None, "assignee_id": assignee_id})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    overdue = task(near, "Relancer", today - timedelta(days=2), seller_id)
    due_today = task(near, "Appeler", today, seller_id)
    task(near, "Plus tard", today + timedelta(days=30), seller_id)
    done = task(near, "Fait", today, seller_id)
    s.patch(f"/api/v1/tasks/{done['id']}", json={"done": True}, token=A)
    admins_own = task(far, "Contrat sud", today, admin["user"]["user_id"])

    r = s.get(f"/api/v1/tasks?assignee=me&due_before={today.isoformat()}", token=seller["access_token"])
    assert r.status_code == 200, r.get_json()
    items = r.get_json()["items"]
    assert [t["id"] for t in items] == [overdue["id"], due_today["id"]]  # soonest due first, open ones only
    assert items[0]["contract"] == {"id": near["id"], "kind": "quote", "number": near["number"],
                                    "title": "Devis Nordique", "customer_name": "Nordique"}
    # tasks on customers outside my perimeter do not appear, even when I ask for someone else's
    r = s.get(f"/api/v1/tasks?assignee={admin['user']['user_id']}", token=seller["access_token"])
    assert r.get_json()["items"] == []
    # the admin sees every customer: theirs with assignee=me, all open tasks without it
    assert [t["id"] for t in s.get("/api/v1/tasks?assignee=me", token=A).get_json()["items"]] == [admins_own["id"]]
    assert len(s.get("/api/v1/tasks", token=A).get_json()["items"]) == 4
    assert [t["id"] for t in s.get("/api/v1/tasks?done=true", token=A).get_json()["items"]] == [done["id"]]
    r = s.get("/api/v1/tasks?due_before=tomorrow", token=A)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"


def test_a_deleted_task_leaves_the_lists_and_stays_in_the_contract_history(north_south):
    """DELETE /tasks/<id>: a retried call replays its answer, a later one is a 404, and a task on a contract
    outside the caller's perimeters is a 404 that deletes nothing."""
    w = north_south
    s, T = w.s, w.T
    near = w.customer("Nordique", w.north, contacts=[{"first_name": "Jo", "last_name": "Nord"}])
    far = w.customer("Sudiste", w.south, contacts=[{"first_name": "Jo", "last_name": "Sud"}])

    def quote_with_tasks(customer, token, *titles):
        quote = s.post("/api/v1/quotes", token=token, json={"title": f"Devis {customer['name']}",
                                                             "contact_id": customer["contacts"][0]["id"]}).get_json()
        return quote, [s.post(f"/api/v1/contracts/{quote['id']}/tasks", token=token, json={
            "title": title, "assignee_id": None}).get_json() for title in titles]

    quote, (call_back, kept) = quote_with_tasks(near, T, "Rappeler", "Livrer")
    _, (elsewhere,) = quote_with_tasks(far, w.A, "Contrat sud")
    key = {"Idempotency-Key": "delete-rappeler"}
    assert s.delete(f"/api/v1/tasks/{call_back['id']}", token=T, headers=key).status_code == 204
    assert s.delete(f"/api/v1/tasks/{call_back['id']}", token=T, headers=key).status_code == 204
    r = s.delete(f"/api/v1/tasks/{call_back['id']}", token=T)
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    assert [t["title"] for t in s.get(f"/api/v1/contracts/{quote['id']}", token=T).get_json()["tasks"]] == ["Livrer"]
    assert [t["id"] for t in s.get("/api/v1/tasks", token=T).get_json()["items"]] == [kept["id"]]
    deleted = [h for h in s.get(f"/api/v1/contracts/{quote['id']}/history", token=T).get_json()
               if h["action"] == "task_deleted"]
    assert [h["details"] for h in deleted] == [{"task_id": call_back["id"], "title": "Rappeler"}]
    # a done task is deleted too
    s.patch(f"/api/v1/tasks/{kept['id']}", json={"done": True}, token=T)
    assert s.delete(f"/api/v1/tasks/{kept['id']}", token=T).status_code == 204
    assert s.get("/api/v1/tasks?done=true", token=T).get_json()["items"] == []
    # outside the seller's perimeters: a 404, the task still there
    assert s.delete(f"/api/v1/tasks/{elsewhere['id']}", token=T).status_code == 404
    assert [t["id"] for t in s.get("/api/v1/tasks", token=w.A).get_json()["items"]] == [elsewhere["id"]]
