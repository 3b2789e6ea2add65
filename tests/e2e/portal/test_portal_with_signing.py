"""With the real signing service: a collaborator added as approver and a portal client added as signer
act from the portal; the online quote's "Signer" button opens the signer's signing page."""
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

signing_testing = pytest.importorskip("signing_service.testing")


def test_collaborators_and_clients_act_from_the_portal_and_the_quote_page_signs(make_world):
    w = make_world(services=("identity", "perimeter", "contracts", "portal", "signing"))
    s = w.s
    colleague = s.add_user(w.admin, "claire@vendeur.test", name="Claire Juriste")
    w.grant("alice", "A-1")
    alice = w.client("alice")["access_token"]
    w.share(w.contract["id"], "alice")
    r = s.post(f"/api/v1/contracts/{w.contract['id']}/signature-requests", token=w.sales_token, json={
        "approvers": [{"user_id": colleague["user"]["user_id"]}], "signers": [{"contact_id": w.alice["id"]}]})
    assert r.status_code == 201, r.get_json()

    # the collaborator (approver) finds the task in the portal and approves
    r = s.get("/api/v1/portal/tasks", token=colleague["access_token"])
    assert r.status_code == 200 and r.get_json()["signing_available"] is True
    (task,) = r.get_json()["items"]
    assert task["action"] == "approve" and task["contract_id"] == w.contract["id"]
    assert s.get("/api/v1/portal/tasks", token=alice).get_json()["items"] == []  # not her turn yet
    r = s.post(f"/api/v1/portal/tasks/{task['participant_id']}/act", json={"action": "approve"},
               token=colleague["access_token"])
    assert r.status_code == 200, r.get_json()

    # then the client signs: her task and her portal contract page lead to the signing page
    (task,) = s.get("/api/v1/portal/tasks", token=alice).get_json()["items"]
    assert task["action"] == "sign" and task["sign_path"].startswith("/sign/")
    detail = s.get(f"/api/v1/portal/contracts/{w.contract['id']}", token=alice).get_json()
    assert detail["signature"]["path"] == task["sign_path"]
    r = s.post(f"/api/v1/portal/tasks/{task['participant_id']}/act", json={"action": "sign", "consent": True},
               token=alice)
    assert r.status_code == 412, r.get_json()  # a one-time code was sent
    code = signing_testing.otp(s, "alice@acme.test")
    r = s.post(f"/api/v1/portal/tasks/{task['participant_id']}/act", token=alice,
               json={"action": "sign", "consent": True, "otp": code})
    assert r.status_code == 200, r.get_json()
    assert s.get("/api/v1/portal/tasks", token=alice).get_json()["items"] == []

    # the online quote: signature requested by default, the page's "Signer" opens the signing page
    invitations_before = len(signing_testing.notifications(s, "signature_request", "alice@acme.test"))
    sent = w.send_quote()
    assert sent["signature"]["requested"] is True and sent["signature"]["request_id"]
    page = s.get("/q/" + sent["link"].rsplit("/q/", 1)[1]).get_data(as_text=True)
    import re
    path = re.search(r'id="sign" href="(/sign/[^"]+)"', page).group(1)
    info = s.get(f"/api/v1{path}")
    assert info.status_code == 200, info.get_json()
    assert info.get_json()["participant"]["email_masked"].startswith("a") and "acme.test" in info.get_json()["participant"]["email_masked"]
    # the quote email is the invitation to sign: no second email from the signing service
    assert len(signing_testing.notifications(s, "signature_request", "alice@acme.test")) == invitations_before
    # the reminder does not open a second request
    again = w.send_quote()
    assert again["template"] == "quote_reminder" and again["signature"]["reused"] is True
