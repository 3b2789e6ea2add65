"""License and perimeter isolation: participants from another license or outside the perimeter are
404, requests of contracts you cannot see are 404, and tasks belong to their participant only."""
import pytest

from paraph_platform.errors import InvalidInput
from signing_service import testing as esign

pytestmark = pytest.mark.integration


@pytest.fixture
def world(shared_world):
    """One system for the module; each test has its own license."""
    return shared_world


def test_participants_from_another_license_or_outside_the_perimeter_are_not_found(world):
    s = world.s
    other = s.new_license("Concurrent SAS", "admin@concurrent.test")
    stranger = s.add_user(other, "stranger@concurrent.test", name="Stranger")
    r = s.post("/api/v1/customers", json={"name": "Leur client", "contacts": [
        {"last_name": "Theirs", "email": "theirs@client.test"}]}, token=other["access_token"])
    their_contact = r.get_json()["contacts"][0]
    # a user of another license
    r = s.post(f"/api/v1/contracts/{world.quote['id']}/signature-requests", token=world.sales_token,
               json={"signers": [{"user_id": stranger["user"]["user_id"]}]})
    assert r.status_code == 404, r.get_json()
    # a contact of another license
    r = s.post(f"/api/v1/contracts/{world.quote['id']}/signature-requests", token=world.sales_token,
               json={"signers": [{"contact_id": their_contact["id"]}]})
    assert r.status_code == 404
    # a contact of a customer outside my perimeter (Zoe's customer is in perimeter B, I am in A)
    r = s.post(f"/api/v1/contracts/{world.quote['id']}/signature-requests", token=world.sales_token,
               json={"signers": [{"contact_id": world.zoe["id"]}]})
    assert r.status_code == 404
    # ...the license admin sees both customers: allowed
    r = s.post(f"/api/v1/contracts/{world.quote['id']}/signature-requests", token=world.admin["access_token"],
               json={"signers": [{"contact_id": world.zoe["id"]}]})
    assert r.status_code == 201, r.get_json()
    # nothing was created by the refused attempts
    listed = s.get(f"/api/v1/signature-requests?contract_id={world.quote['id']}&count=true",
                   token=world.sales_token).get_json()
    assert listed["total"] == 1
    # another license cannot create on, read, or act on our requests
    req = listed["items"][0]
    assert s.post(f"/api/v1/contracts/{world.quote['id']}/signature-requests", token=other["access_token"],
                  json={"signers": [{"name": "X", "email": "x@x.test"}]}).status_code == 404
    for path in (f"/api/v1/signature-requests/{req['id']}", f"/api/v1/signature-requests/{req['id']}/proof.pdf",
                 f"/api/v1/signature-requests/{req['id']}/signed.pdf",
                 f"/api/v1/offline/requests/{req['id']}/package",
                 f"/api/v1/signature-requests?contract_id={world.quote['id']}"):
        assert s.get(path, token=other["access_token"]).status_code == 404, path
    assert s.post(f"/api/v1/signature-requests/{req['id']}/remind", token=other["access_token"]).status_code == 404
    pid = req["participants"][0]["id"]
    r = s.post(f"/api/v1/signature-tasks/{pid}/act", token=stranger["access_token"],
               json={"action": "decline", "reason": "no"})
    assert r.status_code == 404
    assert s.get("/api/v1/me/signature-tasks", token=stranger["access_token"]).get_json() == []


def test_a_colleague_outside_the_perimeter_sees_nothing(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}])
    durand = world.other["access_token"]
    for path in (f"/api/v1/signature-requests/{req['id']}", f"/api/v1/signature-requests/{req['id']}/proof.pdf",
                 f"/api/v1/offline/requests/{req['id']}/package",
                 f"/api/v1/signature-requests?contract_id={world.quote['id']}"):
        assert s.get(path, token=durand).status_code == 404, path
    assert s.post(f"/api/v1/signature-requests/{req['id']}/remind", token=durand).status_code == 404
    assert s.post(f"/api/v1/signature-requests/{req['id']}/cancel", json={}, token=durand).status_code == 404
    assert s.get("/api/v1/signature-requests", token=durand).get_json()["items"] == []
    r = s.post("/api/v1/offline/sync", token=durand, json={"device_id": "tab", "items": [{
        "client_id": "c1", "request_id": req["id"], "participant_id": req["participants"][0]["id"],
        "document_sha256": req["document"]["sha256"], "signed_at": "2030-01-01T10:00:00+00:00", "consent": True}]})
    assert r.status_code == 200 and r.get_json()["items"][0]["code"] == "unknown_request"
    # but a collaborator explicitly named as a participant acts on it from their tasks
    r = s.post(f"/api/v1/signature-requests/{req['id']}/cancel", json={}, token=world.sales_token)
    assert r.status_code == 200
    req = world.create([{"user_id": world.other["user"]["user_id"]}])
    tasks = s.get("/api/v1/me/signature-tasks", token=durand).get_json()
    assert [t["request_id"] for t in tasks] == [req["id"]]


def test_a_portal_client_acts_on_the_tasks_of_their_contact(world):
    s = world.s
    from paraph_gateway.rpc import pool
    admin = {"user_id": world.admin["user"]["user_id"], "license_id": world.admin["license_id"],
             "role": "license_admin"}
    with s.app.app_context():
        pool().call("identity", "grant_client_access", admin, {
            "email": "jeanne@client.test", "name": "Jeanne Dupont", "user_code": "JD01",
            "contact_id": world.jeanne["id"], "customer_id": world.customer["id"]})
    jeanne = s.accept("jeanne@client.test")
    assert jeanne["role"] == "client"
    req = world.create([{"contact_id": world.jeanne["id"]}])
    tasks = s.get("/api/v1/me/signature-tasks", token=jeanne["access_token"]).get_json()
    assert [t["request_id"] for t in tasks] == [req["id"]]
    pid = tasks[0]["participant_id"]
    r = s.post(f"/api/v1/signature-tasks/{pid}/otp", json={}, token=jeanne["access_token"])
    assert r.status_code == 200, r.get_json()
    r = s.post(f"/api/v1/signature-tasks/{pid}/act", token=jeanne["access_token"], json={
        "action": "sign", "consent": True, "otp": esign.otp(s, "jeanne@client.test")})
    assert r.status_code == 200, r.get_json()
    assert s.get("/api/v1/me/signature-tasks", token=jeanne["access_token"]).get_json() == []
    # clients never reach the staff API
    assert s.get(f"/api/v1/signature-requests/{req['id']}", token=jeanne["access_token"]).status_code == 403
    # the portal's view of the contract: latest request with each participant's signing path
    with s.app.app_context():
        latest = pool().call("signing", "request_for_contract", world.admin["license_id"], world.quote["id"])
        assert latest["id"] == req["id"] and latest["participants"][0]["sign_path"].startswith("/sign/")
        assert pool().call("signing", "request_for_contract", "other-license", world.quote["id"]) is None
        # the portal's list: several contracts in one call, keyed by contract id (one without a request left out)
        many = pool().call("signing", "requests_for_contracts", world.admin["license_id"],
                           {"contract_ids": [world.quote["id"], "no-request"]})
        assert list(many) == [world.quote["id"]] and many[world.quote["id"]] == latest
        with pytest.raises(InvalidInput):
            pool().call("signing", "requests_for_contracts", world.admin["license_id"],
                        {"contract_ids": [f"c-{n}" for n in range(201)]})
        world.wait_status(req["id"], "completed")
        signed = pool().call("signing", "get_signed_pdf", world.admin["license_id"], req["id"])
        proof = pool().call("signing", "get_proof", world.admin["license_id"], req["id"])
    assert signed["content_type"] == "application/pdf" and signed["filename"].endswith("-signed.pdf")
    assert set(proof) >= {"filename", "content_type", "sha256", "content_base64"}
