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
    # so her list does not say the contract awaits her answer: it is being signed (approved first)
    (listed,) = s.get("/api/v1/portal/contracts", token=alice).get_json()["items"]
    assert (listed["status"], listed["reader_status"]) == ("sent", "signing")
    r = s.post(f"/api/v1/portal/tasks/{task['participant_id']}/act", json={"action": "approve"},
               token=colleague["access_token"])
    assert r.status_code == 200, r.get_json()

    # then the client signs: her task and her portal contract page lead to the signing page
    (task,) = s.get("/api/v1/portal/tasks", token=alice).get_json()["items"]
    assert task["action"] == "sign" and task["sign_path"].startswith("/sign/")
    detail = s.get(f"/api/v1/portal/contracts/{w.contract['id']}", token=alice).get_json()
    assert detail["signature"]["path"] == task["sign_path"] and detail["reader_status"] == "sent"  # her answer
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


@pytest.mark.browser
def test_a_client_approver_reads_before_approving_and_every_party_gets_the_signed_document_and_its_proof(
        make_world, browser):
    """Bob (a client of ACME) approves, Alice signs. His task and his document page lead to the signing page, where
    the document and the consent are read (never a one-click approval from the list); once everybody signed, each
    one's document page offers the sealed document and the proof of signature their link downloads."""
    from selenium.webdriver.common.by import By
    from tests.e2e.web.browsing import across_in_view, by_id, screenshots, scrolls_sideways
    w = make_world(services=("identity", "perimeter", "contracts", "portal", "signing"))
    s = w.s
    w.grant("alice", "A-1")
    w.grant("bob", "B-1")
    alice, bob = w.client("alice")["access_token"], w.client("bob")["access_token"]
    w.share(w.contract["id"], "alice", ["bob"])
    r = s.post(f"/api/v1/contracts/{w.contract['id']}/signature-requests", token=w.sales_token, json={
        "approvers": [{"contact_id": w.bob["id"]}], "signers": [{"contact_id": w.alice["id"]}]})
    assert r.status_code == 201, r.get_json()
    request_id = r.get_json()["id"]

    (task,) = s.get("/api/v1/portal/tasks", token=bob).get_json()["items"]
    assert task["action"] == "approve" and task["sign_path"] == "/sign/" + signing_testing.token(s, "bob@acme.test")
    mine = s.get(f"/api/v1/portal/contracts/{w.contract['id']}", token=bob).get_json()["signature"]
    assert mine["role"] == "approver" and mine["path"] == task["sign_path"]

    # in the browser: the task names who asks and until when; its one button is the signing page's link
    live = s.serve()
    browser.get(live + "/portal")
    by_id(browser, "login-email").send_keys("bob@acme.test")
    by_id(browser, "login-password").send_keys("a long enough password")
    by_id(browser, "login-submit").click()
    s.wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#contract-list li.contract"), timeout=20,
               message="signed in: the shared documents")
    browser.get(live + "/portal/tasks")
    s.wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#task-list li.task .actions"), timeout=20,
               message="the task")
    item = browser.find_element(By.CSS_SELECTOR, "#task-list li.task")
    assert "Demandé par Paul Martin · à faire avant le " in item.text
    (button,) = item.find_elements(By.CSS_SELECTOR, ".actions a, .actions button")
    assert button.text == "Approuver" and button.get_attribute("href").endswith(task["sign_path"])
    assert button.value_of_css_property("color") in ("rgba(255, 255, 255, 1)", "rgb(255, 255, 255)")  # white on blue
    screenshots(browser, "portal-tasks-approver")
    browser.set_window_size(375, 900)
    assert not scrolls_sideways(browser) and across_in_view(browser, button)
    browser.set_window_size(1280, 900)
    button.click()
    assert "j'approuve son envoi en signature" in by_id(browser, "consent").find_element(By.XPATH, "..").text

    assert signing_testing.approve_via_link(s, "bob@acme.test").status_code == 200
    # before everybody signed, a link has no proof to give
    assert s.get(f"/api/v1/sign/{signing_testing.token(s, 'alice@acme.test')}/proof.pdf").status_code == 409
    assert signing_testing.sign_via_link(s, "alice@acme.test").status_code == 200
    s.wait_for(lambda: s.get(f"/api/v1/signature-requests/{request_id}", token=w.sales_token)
               .get_json()["status"] == "completed", timeout=60, message="the sealed document")
    for who, token, email in ((alice, alice, "alice@acme.test"), (bob, bob, "bob@acme.test")):
        done = s.get(f"/api/v1/portal/contracts/{w.contract['id']}", token=token).get_json()["signature"]
        link = "/api/v1/sign/" + signing_testing.token(s, email)
        assert done["path"] is None and done["signed_pdf"] == link + "/signed.pdf"
        assert done["proof_pdf"] == link + "/proof.pdf"
        proof = s.get(done["proof_pdf"])
        assert proof.status_code == 200 and proof.data[:5] == b"%PDF-" and proof.mimetype == "application/pdf"

    # the document page: the sealed document (filled) and its proof (outlined), within the screen on a phone; the
    # PDF sent for signature (unsigned) is no longer offered beside them as if it were the document
    browser.get(live + f"/portal/contracts/{w.contract['id']}")
    proof = by_id(browser, "contract-proof-pdf")
    assert proof.text == "Télécharger la preuve de signature"
    assert by_id(browser, "contract-signed-pdf").text == "Télécharger le document signé"
    assert not by_id(browser, "contract-pdf").is_displayed()
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#contract-actions .button")
            if a.is_displayed()] == ["Télécharger le document signé", "Télécharger la preuve de signature"]
    screenshots(browser, "portal-contract-signed-approver")
    browser.set_window_size(375, 900)
    assert not scrolls_sideways(browser) and across_in_view(browser, proof)
