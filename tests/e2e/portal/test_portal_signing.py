"""The portal and the signing service: the sign button of the online quote, and the signature tasks
of portal users (clients and collaborators added as approvers or signers).

The signing service is replaced here by a stand-in with the agreed RPC names (create_request,
request_for_contract, requests_for_contracts, tasks_for, act), running on the test's real RabbitMQ vhost, so
the portal's side of the contract is checked without depending on the signing service's internals.
"""
import pytest
from nameko.rpc import rpc

from paraph_platform.errors import Conflict
from paraph_platform.testing import test_config as service_config

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

STATE: dict = {}


class FakeSigning:
    name = "signing"

    @rpc
    def create_request(self, actor, payload):
        STATE["created"].append((actor, payload))
        if STATE["requests"].get(payload["contract_id"], {}).get("status") == "pending":
            raise Conflict("A signature request is already under way for this document; cancel it first.")
        signer = payload["signers"][0]
        request = {"id": f"req-{len(STATE['created'])}", "contract_id": payload["contract_id"], "status": "pending",
                   "participants": [{"id": "p-1", "role": "signer", "contact_id": signer["contact_id"],
                                     "email": "alice@acme.test", "status": "pending",
                                     "sign_path": "/sign/tok-alice-0123456789"}]}
        STATE["requests"][payload["contract_id"]] = request
        return request

    @rpc(expected_exceptions=(Conflict,))
    def request_for_contract(self, license_id, contract_id):
        return STATE["requests"].get(contract_id)

    @rpc
    def requests_for_contracts(self, license_id, payload):
        STATE["lookups"].append(payload["contract_ids"])
        return {cid: STATE["requests"][cid] for cid in payload["contract_ids"] if cid in STATE["requests"]}

    @rpc
    def tasks_for(self, actor):
        STATE["tasks_for"].append(actor)
        return [{"participant_id": "p-approve", "role": "approver", "action": "approve", "request_id": "req-9",
                 "contract_id": "c-9", "contract_kind": "contract", "contract_number": "C-2026-00009",
                 "contract_title": "Bail", "sign_path": "/sign/tok-approver-0123456789"}]

    @rpc
    def act(self, actor, participant_id, payload):
        STATE["acts"].append((actor, participant_id, payload))
        return {"participant": {"id": participant_id, "status": "approved"}, "request_id": "req-9",
                "request_status": "pending", "stage": "signing", "document_sha256": "0" * 64, "signers_left": 1}


@pytest.fixture
def fake_signing(container_factory, rabbit_config):
    STATE.clear()
    STATE.update(created=[], requests={}, tasks_for=[], acts=[], lookups=[])

    def start():
        container = container_factory(FakeSigning, service_config(rabbit_config, "signing", "sqlite://"))
        container.start()
        return container
    return start


def _token(link):
    return link.rsplit("/q/", 1)[1]


def test_quote_sign_button_and_signature_request(world, fake_signing):
    s, w = world.s, world
    fake_signing()
    sent = w.send_quote(message="À signer")
    assert sent["signature"] == {"requested": True, "request_id": "req-1", "reused": False}
    (actor, payload), = STATE["created"]
    assert payload == {"contract_id": w.quote["id"], "signers": [{"contact_id": w.alice["id"]}],
                       "message": "À signer", "locale": "fr", "send_invitations": False}
    assert actor["user_id"] == w.sales["user"]["user_id"]
    page = s.get(f"/q/{_token(sent['link'])}").get_data(as_text=True)
    assert 'id="sign" href="/sign/tok-alice-0123456789"' in page and ">Signer<" in page
    # the reminder reuses the request under way
    again = w.send_quote()
    assert again["signature"]["reused"] is True and len(STATE["created"]) == 1
    # once signed: no button, a "signed" badge
    STATE["requests"][w.quote["id"]]["participants"][0].update(status="signed", acted_at="2030-01-15T09:30:00Z")
    page = s.get(f"/q/{_token(sent['link'])}?lang=en").get_data(as_text=True)
    assert 'id="sign"' not in page and 'id="signed"' in page and "Signed on" in page


def test_signature_request_refused_by_signing_still_sends_the_quote(world, fake_signing):
    w = world
    fake_signing()
    STATE["requests"][w.quote["id"]] = {"id": "req-0", "status": "pending", "participants": [
        {"id": "p-0", "role": "signer", "contact_id": w.bob["id"], "status": "pending"}]}
    sent = w.send_quote()
    assert sent["template"] == "quote_send"
    assert sent["signature"]["requested"] is False and "already under way" in sent["signature"]["reason"]


def test_portal_tasks_and_actions(world, fake_signing):
    s, w = world.s, world
    w.grant("alice", "A-1")
    alice = w.client("alice")
    # without the signing service: an empty list saying so, not an error
    r = s.get("/api/v1/portal/tasks", token=alice["access_token"])
    assert r.status_code == 200 and r.get_json() == {"items": [], "signing_available": False}
    assert s.post("/api/v1/portal/tasks/p-approve/act", json={"action": "approve"},
                  token=alice["access_token"]).status_code == 503
    fake_signing()
    r = s.get("/api/v1/portal/tasks", token=alice["access_token"], headers={"User-Agent": "UA/1"})
    body = r.get_json()
    assert body["signing_available"] is True and body["items"][0]["sign_path"] == "/sign/tok-approver-0123456789"
    assert STATE["tasks_for"][-1]["contact_id"] == w.alice["id"] and STATE["tasks_for"][-1]["role"] == "client"
    r = s.post("/api/v1/portal/tasks/p-approve/act", json={"action": "approve"}, token=alice["access_token"],
               headers={"User-Agent": "UA/1"}, environ_base={"REMOTE_ADDR": "192.0.2.5"})
    assert r.status_code == 200 and r.get_json()["participant"]["status"] == "approved"
    _, participant_id, payload = STATE["acts"][-1]
    assert participant_id == "p-approve"
    assert payload == {"action": "approve", "ip": "192.0.2.5", "user_agent": "UA/1"}
    assert s.post("/api/v1/portal/tasks/p-approve/act", json={"action": "burn"},
                  token=alice["access_token"]).status_code == 422
    # collaborators (staff users) added as approvers or signers use the same tasks
    r = s.get("/api/v1/portal/tasks", token=w.sales_token)
    assert r.status_code == 200 and STATE["tasks_for"][-1]["user_id"] == w.sales["user"]["user_id"]
    # the portal pages exist for them
    r = s.get("/portal/tasks?lang=en")
    assert r.status_code == 200 and "My signature tasks" in r.get_data(as_text=True)


def test_the_clients_list_asks_signing_once_about_every_document_awaiting_an_answer(world, fake_signing):
    """A client's list of shared documents asks signing about the ones awaiting an answer in one call, not one per
    document: the contract an approver must first approve reads "signing", the quote awaiting her signature "sent".
    Without signing, the list still shows, with the plain statuses."""
    s, w = world.s, world
    r = s.post(f"/api/v1/contracts/{w.contract['id']}/status", json={"status": "sent"}, token=w.sales_token)
    assert r.status_code == 200, r.get_json()
    w.grant("alice", "A-1")
    alice = w.client("alice")["access_token"]
    w.share(w.contract["id"], "alice")
    w.share(w.quote["id"], "alice")

    def listed():
        r = s.get("/api/v1/portal/contracts", token=alice)
        assert r.status_code == 200, r.get_json()
        return {i["contract_id"]: (i["status"], i["reader_status"]) for i in r.get_json()["items"]}

    # signing not running: the contract's own status
    assert listed() == {w.contract["id"]: ("sent", "sent"), w.quote["id"]: ("draft", "draft")}
    fake_signing()
    w.send_quote()  # the quote sent for her signature (the stand-in's request: her turn)
    s.wait_for(lambda: listed()[w.quote["id"]][0] == "sent", timeout=20, message="the quote's status on the portal")
    approver = {"id": "p-a", "role": "approver", "contact_id": w.bob["id"], "status": "pending",
                "sign_path": "/sign/tok-bob-0123456789"}
    signer = {"id": "p-s", "role": "signer", "contact_id": w.alice["id"], "status": "waiting",
              "sign_path": "/sign/tok-alice-0123456789"}
    STATE["requests"][w.contract["id"]] = {"id": "req-c", "contract_id": w.contract["id"], "status": "pending",
                                           "participants": [approver, signer]}
    STATE["lookups"].clear()
    assert listed() == {w.contract["id"]: ("sent", "signing"), w.quote["id"]: ("sent", "sent")}
    (asked,) = STATE["lookups"]
    assert sorted(asked) == sorted([w.contract["id"], w.quote["id"]])
