"""Customer portal (LEXZUR / GEM-BOOKS): a customer's contacts get portal access (role Client), a
contract is shown in the portal to a requester and observers of the same company, clients see only
their company's shared contracts and only the attachments and milestones flagged portal-visible."""
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def _ids(resp):
    assert resp.status_code == 200, resp.get_json()
    return [i["contract_id"] for i in resp.get_json()["items"]]


def test_access_invitation_login_and_what_clients_see(world):
    s, w = world.s, world
    access = w.grant("alice", "8005551216", allowed_ip=None)
    assert access["role"] == "client" and access["status"] == "invited"
    assert access["email"] == "alice@acme.test" and access["company"] == "ACME Industries"
    # the invitation email (client_invitation template) carries the set-password link and the user code
    invitation = w.notifications("identity", "client_invitation", "alice@acme.test")
    assert invitation and invitation[-1]["vars"]["user_code"] == "8005551216"
    w.grant("bob", "8005551217")
    w.grant("dave", "8005551218")
    w.grant("carol", "9000000001")
    alice, bob, dave, carol = (w.client(n) for n in ("alice", "bob", "dave", "carol"))
    assert alice["role"] == "client"
    # the client signs in with email, password and (optionally) the user code
    r = w.login("alice", user_code="8005551216")
    assert r.status_code == 200, r.get_json()
    assert w.login("alice", user_code="wrong-code").status_code == 403
    access = s.get(f"/api/v1/contacts/{w.alice['id']}/portal-access", token=w.sales_token).get_json()
    assert access["status"] == "active"

    # nothing is shared yet
    assert _ids(s.get("/api/v1/portal/contracts", token=alice["access_token"])) == []
    share = w.share(w.contract["id"], "alice", ["bob"], message="Voici le contrat")
    assert share["requester"]["name"] == "Alice Martin" and [o["name"] for o in share["observers"]] == ["Bob Durand"]
    assert share["branch"] == "Montréal" and share["company"] == "ACME Industries" and share["active"]

    # requester, observer and (same company) colleagues see it; the other company does not
    for session in (alice, bob, dave):
        assert _ids(s.get("/api/v1/portal/contracts", token=session["access_token"])) == [w.contract["id"]]
    assert _ids(s.get("/api/v1/portal/contracts", token=carol["access_token"])) == []
    assert s.get(f"/api/v1/portal/contracts/{w.contract['id']}", token=carol["access_token"]).status_code == 404
    # staff endpoints are not for clients, and the portal API is not for staff
    assert s.get("/api/v1/contracts", token=alice["access_token"]).status_code == 403
    assert s.get("/api/v1/portal/contracts", token=w.sales_token).status_code == 403

    # only the portal-visible attachments and milestones
    r = s.get(f"/api/v1/portal/contracts/{w.contract['id']}", token=bob["access_token"])
    assert r.status_code == 200, r.get_json()
    detail = r.get_json()
    assert [a["filename"] for a in detail["attachments"]] == ["visible.pdf"]
    assert [m["title"] for m in detail["milestones"]] == ["Kick-off"]
    assert "notes" not in detail and "tasks" not in detail and detail["portal_visible"] is True
    visible, hidden = w.attachments["visible.pdf"], w.attachments["internal.pdf"]
    r = s.get(f"/api/v1/portal/attachments/{visible['id']}", token=bob["access_token"])
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert s.get(f"/api/v1/portal/attachments/{hidden['id']}", token=bob["access_token"]).status_code == 404
    assert s.get(f"/api/v1/portal/attachments/{visible['id']}", token=carol["access_token"]).status_code == 404
    r = s.get(f"/api/v1/portal/contracts/{w.contract['id']}/pdf", token=alice["access_token"])
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    # visibility is re-checked on every download: hiding the attachment closes it at once
    r = s.patch(f"/api/v1/attachments/{visible['id']}", json={"portal_visible": False}, token=w.sales_token)
    assert r.status_code == 200
    assert s.get(f"/api/v1/portal/attachments/{visible['id']}", token=bob["access_token"]).status_code == 404

    # requester and observer were emailed a link to the portal contract page
    shared = w.notifications("portal", "contract_shared")
    assert sorted(n["to"] for n in shared) == ["alice@acme.test", "bob@acme.test"]
    assert all(n["vars"]["link"] == f"http://paraph.test/portal/contracts/{w.contract['id']}" for n in shared)
    event = w.outbox("portal", "contract.shared.v1")[-1]["data"]
    assert event["requester_contact_id"] == w.alice["id"] and event["observer_contact_ids"] == [w.bob["id"]]
    assert event["owner_id"] == w.sales["user"]["user_id"] and event["shared_by"] == w.sales["user"]["user_id"]

    # contracts marks the contract shared: the green line in the back office
    def shared_in_list():
        items = s.get("/api/v1/contracts", token=w.sales_token).get_json()["items"]
        return next(i for i in items if i["id"] == w.contract["id"])["portal_shared"]
    s.wait_for(shared_in_list, message="portal_shared in the contracts list")
    status = s.get(f"/api/v1/contracts/{w.contract['id']}/portal", token=w.sales_token).get_json()
    assert status["shared"] is True and status["share"]["requester"]["contact_id"] == w.alice["id"]
    assert status["counts"]["visible_milestones"] == 1 and status["counts"]["milestones"] == 2

    # unshare: the contract disappears from the portal (and the green line goes off)
    r = s.delete(f"/api/v1/contracts/{w.contract['id']}/portal-share", token=w.sales_token)
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert _ids(s.get("/api/v1/portal/contracts", token=alice["access_token"])) == []
    assert s.get(f"/api/v1/portal/contracts/{w.contract['id']}/pdf", token=alice["access_token"]).status_code == 404
    s.wait_for(lambda: not shared_in_list(), message="portal_shared cleared after unshare")


def test_requester_and_observers_must_be_portal_clients_of_the_same_company(world):
    s, w = world.s, world
    w.grant("alice", "A-1")
    w.grant("bob", "A-2", company="ACME Logistics")
    w.grant("carol", "G-1")
    # an observer of another customer (company) is refused with a clear message
    r = w.share(w.contract["id"], "alice", ["carol"], expect=422)
    assert "not a contact of ACME Industries" in r["detail"] and "observer_contact_ids" in r["errors"]
    # a contact without portal access: the message points to the portal client settings
    r = w.share(w.contract["id"], "alice", ["eve"], expect=422)
    assert "has no portal access" in r["detail"] and "Client portal > Client portal contacts" in r["detail"]
    assert "portal-access" in r["settings"]
    r = w.share(w.contract["id"], "eve", [], expect=422)
    assert "requester_contact_id" in r["errors"]
    # same customer but listed in another company in the portal client settings
    r = w.share(w.contract["id"], "alice", ["bob"], expect=422)
    assert "same company" in r["detail"]
    r = s.patch(f"/api/v1/contacts/{w.bob['id']}/portal-access", json={"company": "acme industries"},
                token=w.sales_token)
    assert r.status_code == 200 and r.get_json()["company"] == "acme industries"
    w.share(w.contract["id"], "alice", ["bob"])
    # a deactivated access cannot be shared with
    r = s.delete(f"/api/v1/contacts/{w.bob['id']}/portal-access", token=w.admin_token)
    assert r.status_code == 200 and r.get_json()["status"] == "deactivated"
    r = w.share(w.contract["id"], "alice", ["bob"], expect=422)
    assert "deactivated portal access" in r["detail"]
    # nothing unknown or outside the caller's license
    other = s.new_license("Autre SA", "admin@autre.test")
    r = s.post(f"/api/v1/contracts/{w.contract['id']}/portal-share", token=other["access_token"],
               json={"requester_contact_id": w.alice["id"]})
    assert r.status_code == 404
    r = s.post(f"/api/v1/contacts/{w.alice['id']}/portal-access", token=other["access_token"], json={"user_code": "x"})
    assert r.status_code == 404
    r = s.post(f"/api/v1/contracts/{w.contract['id']}/portal-share", token=w.sales_token,
               json={"requester_contact_id": w.alice["id"], "unknown": 1})
    assert r.status_code == 422


def test_branch_restriction(world):
    """A client limited to a branch only sees the shares made for that branch (a share's branch
    defaults to the requester contact's branch)."""
    s, w = world.s, world
    w.grant("alice", "A-1")                      # no restriction
    w.grant("bob", "A-2", branch="Montréal")
    w.grant("dave", "A-3", branch="Québec")
    alice, bob, dave = (w.client(n) for n in ("alice", "bob", "dave"))
    montreal = w.share(w.contract["id"], "alice")
    assert montreal["branch"] == "Montréal"
    r = s.post("/api/v1/contracts", token=w.sales_token, json={"title": "Contrat Québec", "customer_id": w.acme["id"]})
    quebec_contract = r.get_json()
    quebec = w.share(quebec_contract["id"], "dave")
    assert quebec["branch"] == "Québec"
    assert sorted(_ids(s.get("/api/v1/portal/contracts", token=alice["access_token"]))) == sorted(
        [w.contract["id"], quebec_contract["id"]])
    assert _ids(s.get("/api/v1/portal/contracts", token=bob["access_token"])) == [w.contract["id"]]
    assert _ids(s.get("/api/v1/portal/contracts", token=dave["access_token"])) == [quebec_contract["id"]]
    assert s.get(f"/api/v1/portal/contracts/{w.contract['id']}", token=dave["access_token"]).status_code == 404
    # a branch-limited client cannot be put on a share of another branch
    r = w.share(w.contract["id"], "alice", ["dave"], expect=422)
    assert "limited to the branch Québec" in r["detail"]
    # the share's branch can be given explicitly (case and spaces do not matter)
    w.share(w.contract["id"], "alice", ["dave"], branch="  québec ", expect=200)
    assert sorted(_ids(s.get("/api/v1/portal/contracts", token=dave["access_token"]))) == sorted(
        [w.contract["id"], quebec_contract["id"]])
    assert _ids(s.get("/api/v1/portal/contracts", token=bob["access_token"])) == []
    # changing a client's branch restriction applies to their next request
    r = s.patch(f"/api/v1/contacts/{w.bob['id']}/portal-access", json={"branch": None}, token=w.sales_token)
    assert r.status_code == 200 and r.get_json()["branch"] is None
    assert len(_ids(s.get("/api/v1/portal/contracts", token=bob["access_token"]))) == 2


def test_deactivated_access_stops_at_once(world):
    s, w = world.s, world
    w.grant("alice", "A-1")
    alice = w.client("alice")
    w.share(w.contract["id"], "alice")
    assert _ids(s.get("/api/v1/portal/contracts", token=alice["access_token"])) == [w.contract["id"]]
    # a plain user may give access but only managers deactivate it
    r = s.delete(f"/api/v1/contacts/{w.alice['id']}/portal-access", token=w.sales_token)
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    assert r.get_json()["detail"] == "Only a license admin or a front user manager can revoke a client portal access."
    r = s.delete(f"/api/v1/contacts/{w.alice['id']}/portal-access", token=w.admin_token)
    assert r.status_code == 200 and r.get_json()["status"] == "deactivated"
    # the gateway refuses her live token at once: her session ended (tests/security/test_tokens.py)
    assert s.get("/api/v1/portal/contracts", token=alice["access_token"]).status_code == 401
    assert w.login("alice").status_code == 403
    # giving access again re-invites the contact
    again = w.grant("alice", "A-1")
    assert again["status"] == "invited"
    r = s.get(f"/api/v1/customers/{w.acme['id']}/portal-accesses", token=w.sales_token)
    assert [a["contact_id"] for a in r.get_json()] == [w.alice["id"]]
    # a second contact cannot reuse the same email
    r = s.post(f"/api/v1/contacts/{w.bob['id']}/portal-access", token=w.sales_token,
               json={"user_code": "B-1", "email": "alice@acme.test"})
    assert r.status_code == 409


def test_show_attachments_when_sharing(world):
    """The share dialog can make every attachment visible in the portal (or hide them all); omitted, each
    attachment keeps its own setting (default of the contract type / license)."""
    s, w = world.s, world
    w.grant("alice", "A-1")
    alice = w.client("alice")["access_token"]

    def visible():
        r = s.get(f"/api/v1/portal/contracts/{w.contract['id']}", token=alice)
        return sorted(a["filename"] for a in r.get_json()["attachments"])

    w.share(w.contract["id"], "alice")
    assert visible() == ["visible.pdf"]
    share = w.share(w.contract["id"], "alice", show_attachments=True, expect=200)
    assert share["show_attachments"] is True and visible() == ["internal.pdf", "visible.pdf"]
    status = s.get(f"/api/v1/contracts/{w.contract['id']}/portal", token=w.sales_token).get_json()
    assert status["counts"]["visible_attachments"] == 2
    w.share(w.contract["id"], "alice", show_attachments=False, expect=200)
    assert visible() == []
    # re-sharing does not email the requester again; sharing after an unshare does
    assert len(w.notifications("portal", "contract_shared", "alice@acme.test")) == 1
    s.delete(f"/api/v1/contracts/{w.contract['id']}/portal-share", token=w.sales_token)
    w.share(w.contract["id"], "alice")
    assert len(w.notifications("portal", "contract_shared", "alice@acme.test")) == 2


def test_the_license_portal_clients_list_is_filtered_and_follows_perimeters(world):
    """GET /portal-clients ("Client portal contacts"): license admins see every client with its customer, filters by
    text, company, status and customer; a front user manager sees the clients of their perimeters' customers
    only (contracts' SQL filter); a plain user is refused; a bad filter is a 422."""
    s, w = world.s, world
    w.grant("alice", "A-1")
    w.grant("carol", "C-1", company="Globex Nord")
    A = w.admin_token

    def emails(token=A, **query):
        r = s.get("/api/v1/portal-clients", token=token, query_string=query)
        assert r.status_code == 200, r.get_json()
        return [c["email"] for c in r.get_json()["items"]]

    page = s.get("/api/v1/portal-clients?count=true", token=A).get_json()
    assert page["total"] == 2 and {c["customer_name"] for c in page["items"]} == {"ACME Industries", "Globex"}
    assert emails(company="globex nord") == ["carol@globex.test"]
    assert emails(q="ALICE") == ["alice@acme.test"]
    assert emails(customer_id=w.acme["id"]) == ["alice@acme.test"]
    assert emails(status="deactivated") == []
    assert s.get("/api/v1/portal-clients", token=w.sales_token).status_code == 403
    bad = s.get("/api/v1/portal-clients", token=A, query_string={"status": "gone"})
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]

    # a front user manager of the "Nord" perimeter: ACME is in it, Globex in another one
    nord, sud = (s.post("/api/v1/perimeters", json={"name": name}, token=A).get_json()["id"] for name in ("Nord", "Sud"))
    for customer, perimeter in ((w.acme, nord), (w.globex, sud)):
        r = s.put(f"/api/v1/customers/{customer['id']}/perimeters", json={"perimeter_ids": [perimeter]}, token=A)
        assert r.status_code == 200, r.get_json()
    manager = s.add_user(w.admin, "manon@vendeur.test", role="front_user_manager")
    r = s.put(f"/api/v1/users/{manager['user']['user_id']}/perimeters", json={"perimeter_ids": [nord]}, token=A)
    assert r.status_code == 200, r.get_json()
    manager = s.post("/api/v1/auth/login", json={"email": "manon@vendeur.test", "password": "a long enough password"})
    assert emails(token=manager.get_json()["access_token"]) == ["alice@acme.test"]


def test_a_deleted_contact_loses_their_portal_access(world):
    """Deleting a contact (DELETE /contacts/<id>, contracts) revokes their portal access as revoke_access does:
    contracts publishes contact.deleted.v1, portal deactivates the client's membership in identity (their
    sessions end, they cannot sign in), the access shows deactivated; the customer's history keeps the deletion.
    As revoking is for license admins and front user managers, a plain user cannot delete a contact whose access
    is live: a 403 saying why. A retried delete (same Idempotency-Key) replays the answer; a later one is a 404;
    nothing happens twice. The deleted contact's access stays readable (GET .../portal-access: deactivated)."""
    s, w = world.s, world
    w.grant("alice", "A-1")
    w.grant("bob", "A-2")
    bob = w.client("bob")
    w.share(w.contract["id"], "alice", ["bob"])
    assert _ids(s.get("/api/v1/portal/contracts", token=bob["access_token"])) == [w.contract["id"]]
    assert w.login("bob").status_code == 200

    # a plain user may not: the contact has a live portal access (the refusal replayed under its key)
    refused = {"Idempotency-Key": "delete-bob-0"}
    for _ in range(2):
        r = s.delete(f"/api/v1/contacts/{w.bob['id']}", token=w.sales_token, headers=refused)
        assert r.status_code == 403 and r.mimetype == "application/problem+json"
        assert r.get_json()["portal_access"] == "active"
        assert r.get_json()["detail"] == ("This contact has a client portal access: ask a license admin or a front "
                                          "user manager to delete the contact, or to revoke the access first.")
    assert s.get(f"/api/v1/contacts/{w.bob['id']}", token=w.sales_token).status_code == 200
    assert w.outbox("contracts", "contact.deleted.v1") == []

    # a license admin deletes the contact (a retried call with the same key gets the same answer)
    key = {"Idempotency-Key": "delete-bob-1"}
    r = s.delete(f"/api/v1/contacts/{w.bob['id']}", token=w.admin_token, headers=key)
    assert r.status_code == 204, r.get_json()
    assert s.delete(f"/api/v1/contacts/{w.bob['id']}", token=w.admin_token, headers=key).status_code == 204
    assert s.delete(f"/api/v1/contacts/{w.bob['id']}", token=w.admin_token).status_code == 404
    assert s.get(f"/api/v1/contacts/{w.bob['id']}", token=w.sales_token).status_code == 404

    # once portal has the event: no more sign-in, the live token is refused, the access shows deactivated
    s.wait_for(lambda: w.login("bob").status_code == 403, message="the deleted contact cannot sign in")
    assert s.get("/api/v1/portal/contracts", token=bob["access_token"]).status_code == 401
    accesses = {a["contact_id"]: a for a in s.get(f"/api/v1/customers/{w.acme['id']}/portal-accesses",
                                                  token=w.sales_token).get_json()}
    assert accesses[w.bob["id"]]["status"] == "deactivated" and accesses[w.alice["id"]]["status"] == "invited"
    r = s.get("/api/v1/portal-clients", token=w.admin_token, query_string={"status": "deactivated"})
    assert [c["email"] for c in r.get_json()["items"]] == ["bob@acme.test"]
    # the deleted contact's access is still answered, revoked, to whoever sees the customer
    r = s.get(f"/api/v1/contacts/{w.bob['id']}/portal-access", token=w.sales_token)
    assert r.status_code == 200 and r.get_json()["status"] == "deactivated" and r.get_json()["email"] == "bob@acme.test"
    # the other contacts keep theirs
    assert _ids(s.get("/api/v1/portal/contracts", token=w.client("alice")["access_token"])) == [w.contract["id"]]

    # one event, one deactivation, one history line
    [event] = w.outbox("contracts", "contact.deleted.v1")
    assert event["subject"] == w.bob["id"] and event["license_id"] == w.admin["license_id"]
    assert {k: v for k, v in event["data"].items() if k != "deleted_at"} == {
        "license_id": event["license_id"], "customer_id": w.acme["id"], "contact_id": w.bob["id"],
        "deleted_by": w.admin["user"]["user_id"]}
    assert event["data"]["deleted_at"]
    s.wait_for(lambda: len([e for e in w.outbox("identity", "user.deactivated.v1")
                            if e["data"]["email"] == "bob@acme.test"]) == 1, message="bob's deactivation")
    history = s.get(f"/api/v1/customers/{w.acme['id']}/history", token=w.sales_token).get_json()["items"]
    deleted = [h for h in history if h["action"] == "contact_deleted"]
    assert len(deleted) == 1 and deleted[0]["details"] == {"contact_id": w.bob["id"], "contact_name": "Bob Durand"}
    assert deleted[0]["actor_id"] == w.admin["user"]["user_id"] and deleted[0]["actor_kind"] == "staff"

    # a contact without portal access: a plain user deletes them, without any portal effect; asked for their
    # portal access, a 404 (there never was one)
    r = s.delete(f"/api/v1/contacts/{w.eve['id']}", token=w.sales_token)
    assert r.status_code == 204
    r = s.get(f"/api/v1/contacts/{w.eve['id']}/portal-access", token=w.sales_token)
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    handled = "select 1 from inbox where consumer = 'portal.on_contact_deleted'"
    s.wait_for(lambda: len(w.rows("portal", handled)) == 2, message="portal handled the second deletion")
    assert {a["contact_id"] for a in s.get(f"/api/v1/customers/{w.acme['id']}/portal-accesses",
                                           token=w.sales_token).get_json()} == {w.alice["id"], w.bob["id"]}
    assert len([e for e in w.outbox("identity", "user.deactivated.v1")]) == 1
