"""What integrators follow of a contract's parts through webhooks, as test_change_events.py does of the rest: an
attachment shown or hidden on the customer portal (one at a time or all at once), renamed or moved
(attachment.updated.v1), a milestone and a task created, changed and deleted (milestone.*.v1, task.*.v1), and a
flag deleted from the settings (contract.updated.v1 for each contract that carried it). Each is published once,
in the write's transaction, only when something really changed: the same values again publish nothing and leave
no history entry, and a retried call (same Idempotency-Key) publishes nothing more — real services, broker,
database."""
import base64
from types import SimpleNamespace

import pytest

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def w(system):
    """A license: its admin (token ``A``), a seller (``T``) and a contract of the seller's customer."""
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Initiative SA", "admin@init.test")
    seller = s.add_user(admin, "vendeur@init.test", name="Paul Vendeur")
    T = seller["access_token"]
    customer = s.post("/api/v1/customers", token=T, json={"name": "Alpha SARL"}).get_json()
    contract = s.post("/api/v1/contracts", token=T, json={"title": "Bail", "customer_id": customer["id"]}).get_json()
    return SimpleNamespace(s=s, A=admin["access_token"], T=T, admin_id=admin["user"]["user_id"],
                           seller_id=seller["user"]["user_id"], customer=customer, contract=contract)


def _events(w, event_type):
    return [e["data"] for e in w.s.outbox_payloads("contracts", event_type)]


def _retried(send, key):
    """``send(headers)`` twice under one Idempotency-Key (a retry): answered the same; the first answer."""
    first, again = (send({"Idempotency-Key": key}) for _ in range(2))
    assert first.status_code < 300, first.get_json()
    assert (again.status_code, again.get_data()) == (first.status_code, first.get_data())
    return first


def _actions(w, action):
    """The details of the contract's history entries of ``action``, oldest first."""
    history = w.s.get(f"/api/v1/contracts/{w.contract['id']}/history", token=w.T).get_json()
    return [h["details"] for h in history if h["action"] == action]


def _attach(w, filename, folder="", portal_visible=False):
    r = w.s.post(f"/api/v1/contracts/{w.contract['id']}/attachments", token=w.T, json={
        "filename": filename, "content_type": "application/pdf", "content_base64": base64.b64encode(PDF).decode(),
        "folder": folder, "portal_visible": portal_visible})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_an_attachment_shown_hidden_renamed_one_at_a_time_or_all_at_once_is_published_once(w):
    s, T = w.s, w.T
    plan, devis = _attach(w, "plan.pdf", portal_visible=True), _attach(w, "devis.pdf", folder="Plans")
    path = f"/api/v1/attachments/{plan['id']}"
    _retried(lambda h: s.patch(path, token=T, json={"portal_visible": False}, headers=h), "a-1")
    # the same values again (and a name cleaned to the same) change nothing: no event, no history entry
    assert s.patch(path, token=T, json={"portal_visible": False, "filename": "plan.pdf", "folder": ""}).status_code == 200
    renamed = s.patch(path, token=w.A, json={"filename": "plan-v2.pdf", "portal_visible": False}).get_json()
    assert renamed["filename"] == "plan-v2.pdf"

    # all at once: only the attachments whose visibility changes are published, each once
    visibility = f"/api/v1/contracts/{w.contract['id']}/portal-visibility"
    shown = _retried(lambda h: s.put(visibility, token=T, json={"attachments": True}, headers=h), "all-1")
    assert shown.get_json()["visible_attachments"] == 2
    assert s.put(visibility, token=T, json={"attachments": True}).status_code == 200  # all shown already
    hidden = s.put(visibility, token=T, json={"attachments": False, "folder": "Plans"}).get_json()
    assert hidden["visible_attachments"] == 1

    def what(a, **now):
        return {"attachment_id": a["id"], "contract_id": w.contract["id"], "filename": a["filename"],
                "content_type": "application/pdf", "size": len(PDF), **now}
    assert _events(w, "attachment.updated.v1") == [
        what(plan, portal_visible=False, changed=["portal_visible"], updated_by=w.seller_id),
        what(plan, filename="plan-v2.pdf", portal_visible=False, changed=["filename"], updated_by=w.admin_id),
        what(plan, filename="plan-v2.pdf", portal_visible=True, changed=["portal_visible"], updated_by=w.seller_id),
        what(devis, portal_visible=True, changed=["portal_visible"], updated_by=w.seller_id),
        what(devis, portal_visible=False, changed=["portal_visible"], updated_by=w.seller_id)]
    assert [e["subject"] for e in s.outbox_payloads("contracts", "attachment.updated.v1")][:2] == [plan["id"]] * 2
    # the history keeps the real changes only
    assert _actions(w, "attachment_updated") == [{"attachment_id": plan["id"], "portal_visible": False},
                                                 {"attachment_id": plan["id"], "filename": "plan-v2.pdf"}]
    assert _actions(w, "portal_visibility") == [{"attachments": True}, {"attachments": False, "folder": "Plans"}]


def test_a_milestone_created_changed_and_deleted_is_published_once(w):
    s, T = w.s, w.T
    created = _retried(lambda h: s.post(f"/api/v1/contracts/{w.contract['id']}/milestones", token=T, headers=h, json={
        "title": "Signature chez le notaire", "due_date": "2027-03-01"}), "m-1").get_json()
    path = f"/api/v1/milestones/{created['id']}"
    _retried(lambda h: s.patch(path, token=T, json={"done": True, "title": created["title"]}, headers=h), "m-2")
    # done again keeps when it was done: no change
    assert s.patch(path, token=T, json={"done": True}).get_json()["done_at"] is not None
    s.patch(path, token=T, json={"due_date": None, "description": "Étude Maître Roy"})
    visibility = f"/api/v1/contracts/{w.contract['id']}/portal-visibility"
    assert s.put(visibility, token=T, json={"milestones": False}).get_json()["visible_milestones"] == 0
    assert s.put(visibility, token=T, json={"milestones": False}).status_code == 200  # hidden already
    assert s.patch(path, token=T, json={"portal_visible": True}).get_json()["portal_visible"]  # this one shown again
    assert [s.delete(path, token=w.A, headers={"Idempotency-Key": "m-3"}).status_code for _ in range(2)] == [204, 204]
    assert s.delete(path, token=w.A).status_code == 404

    milestone = {"milestone_id": created["id"], "contract_id": w.contract["id"], "title": "Signature chez le notaire"}
    assert _events(w, "milestone.created.v1") == [{**milestone, "due_date": "2027-03-01", "done": False,
                                                   "portal_visible": True, "created_by": w.seller_id}]
    by_seller = {"updated_by": w.seller_id}
    assert _events(w, "milestone.updated.v1") == [
        {**milestone, "due_date": "2027-03-01", "done": True, "portal_visible": True, "changed": ["done"], **by_seller},
        {**milestone, "due_date": None, "done": True, "portal_visible": True, "changed": ["description", "due_date"],
         **by_seller},
        {**milestone, "due_date": None, "done": True, "portal_visible": False, "changed": ["portal_visible"],
         **by_seller},
        {**milestone, "due_date": None, "done": True, "portal_visible": True, "changed": ["portal_visible"],
         **by_seller}]
    assert _events(w, "milestone.deleted.v1") == [{**milestone, "due_date": None, "done": True,
                                                   "portal_visible": True, "deleted_by": w.admin_id}]
    assert [e["subject"] for e in s.outbox_payloads("contracts", "milestone.deleted.v1")] == [created["id"]]
    assert [d["fields"] for d in _actions(w, "milestone_updated")] == [["done"], ["description", "due_date"],
                                                                       ["portal_visible"]]
    # shown on the portal again: the history says so with the new value, as a document's change does
    assert [d.get("portal_visible") for d in _actions(w, "milestone_updated")] == [None, None, True]
    assert _actions(w, "portal_visibility") == [{"milestones": False}]
    assert len(_actions(w, "milestone_added")) == len(_actions(w, "milestone_deleted")) == 1


def test_a_task_created_changed_and_deleted_is_published_once(w):
    s, T = w.s, w.T
    created = _retried(lambda h: s.post(f"/api/v1/contracts/{w.contract['id']}/tasks", token=T, headers=h, json={
        "title": "Relancer", "due_date": "2027-01-15", "assignee_id": w.admin_id}), "t-1").get_json()
    path = f"/api/v1/tasks/{created['id']}"
    _retried(lambda h: s.patch(path, token=T, json={"done": True}, headers=h), "t-2")
    assert s.patch(path, token=T, json={"done": True, "title": "Relancer", "assignee_id": w.admin_id}).status_code == 200
    s.patch(path, token=w.A, json={"assignee_id": None, "due_date": "2027-01-15"})
    assert [s.delete(path, token=T, headers={"Idempotency-Key": "t-3"}).status_code for _ in range(2)] == [204, 204]
    assert s.delete(path, token=T).status_code == 404

    task = {"task_id": created["id"], "contract_id": w.contract["id"], "title": "Relancer", "due_date": "2027-01-15"}
    assert _events(w, "task.created.v1") == [{**task, "assignee_id": w.admin_id, "done": False,
                                              "created_by": w.seller_id}]
    assert _events(w, "task.updated.v1") == [
        {**task, "assignee_id": w.admin_id, "done": True, "changed": ["done"], "updated_by": w.seller_id},
        {**task, "assignee_id": None, "done": True, "changed": ["assignee_id"], "updated_by": w.admin_id}]
    assert _events(w, "task.deleted.v1") == [{**task, "assignee_id": None, "done": True, "deleted_by": w.seller_id}]
    assert [d["fields"] for d in _actions(w, "task_updated")] == [["done"], ["assignee_id"]]


def test_a_flag_deleted_is_a_change_of_each_contract_that_carried_it(w):
    s, A, T = w.s, w.A, w.T
    urgent = s.post("/api/v1/settings/flags", token=A, json={"key": "urgent", "label": "Urgent"}).get_json()
    assert s.post("/api/v1/settings/flags", token=A, json={"key": "vip", "label": "VIP"}).status_code == 201
    flagged = sorted((s.post("/api/v1/contracts", token=T, json={
        "title": title, "customer_id": w.customer["id"], "flags": flags}).get_json()
        for title, flags in (("Bail A", ["urgent"]), ("Bail B", ["urgent", "vip"]))), key=lambda c: c["id"])
    vip_only = s.post("/api/v1/contracts", token=T, json={"title": "Bail C", "customer_id": w.customer["id"],
                                                           "flags": ["vip"]}).get_json()
    path = f"/api/v1/settings/flags/{urgent['id']}"
    r = _retried(lambda h: s.delete(path, token=A, headers=h), "f-1")
    assert r.get_json() == {"deleted": True, "removed_from_contracts": 2}
    assert s.delete(path, token=A).status_code == 404

    # one contract.updated.v1 per contract that carried the flag, as if the admin had taken it off each
    assert [(e["contract_id"], e["title"], e["changed"], e["updated_by"]) for e in _events(w, "contract.updated.v1")
            ] == [(c["id"], c["title"], ["flags"], w.admin_id) for c in flagged]
    for before in flagged:
        after = s.get(f"/api/v1/contracts/{before['id']}", token=T).get_json()
        assert (after["flags"], after["version"]) == (sorted(set(before["flags"]) - {"urgent"}), before["version"] + 1)
        history = s.get(f"/api/v1/contracts/{before['id']}/history", token=T).get_json()
        assert [h["details"] for h in history if h["action"] == "updated"] == [{"fields": ["flags"]}]
    untouched = s.get(f"/api/v1/contracts/{vip_only['id']}", token=T).get_json()
    assert (untouched["flags"], untouched["version"]) == (["vip"], vip_only["version"])
