"""The public signing page /sign/<token> in a real headless Chromium: the signer sees the document and the
consent text, draws a signature, asks for a one-time code, signs; an approver approves; a signer declines.
Against the gateway served on a loopback port and the real services."""
import functools

import pytest

from paraph_platform.testing import wait_for
from signing_service import testing as esign

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
def world(system):
    s = system("identity", "perimeter", "contracts", "signing")
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    boss = s.add_user(admin, "boss@vendeur.test", name="Bea Boss")
    r = s.post("/api/v1/customers", json={"name": "Client SARL", "contacts": [
        {"first_name": "Jeanne", "last_name": "Dupont", "email": "jeanne@client.test"}]},
        token=admin["access_token"])
    contact = r.get_json()["contacts"][0]
    r = s.post("/api/v1/quotes", json={"title": "Maintenance", "contact_id": contact["id"], "lines": [
        {"description": "Maintenance", "quantity": "1", "unit_price": "990.00"}]}, token=admin["access_token"])
    return {"s": s, "admin": admin, "boss": boss, "contact": contact, "quote": r.get_json()}


@pytest.fixture
def live(world):
    """The test's gateway app on http://127.0.0.1:<port> (stopped with the system)."""
    return world["s"].serve()


# a browser shares the machine's cores: 20 s for what the page shows
wait = functools.partial(wait_for, timeout=20.0, interval=0.1)


def message(driver):
    from selenium.webdriver.common.by import By
    el = driver.find_element(By.ID, "msg")
    return el.text if el.is_displayed() else ""


def test_a_signer_draws_gets_a_code_and_signs_in_the_browser(world, live, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    s, admin = world["s"], world["admin"]["access_token"]
    r = s.post(f"/api/v1/contracts/{world['quote']['id']}/signature-requests", token=admin, json={
        "approvers": [{"user_id": world["boss"]["user"]["user_id"]}],
        "signers": [{"contact_id": world["contact"]["id"]}], "message": "Merci !"})
    assert r.status_code == 201, r.get_json()
    req = r.get_json()

    # the approver approves from their page
    browser.get(f"{live}/sign/{esign.token(s, 'boss@vendeur.test')}")
    assert "Approuver" in browser.page_source
    assert browser.find_elements(By.ID, "otp") == []  # approvers need no code
    browser.find_element(By.ID, "consent").click()
    browser.find_element(By.ID, "go").click()
    wait(lambda: "approbation est enregistrée" in message(browser), message="the approval")

    # the signer: document embedded, consent naming the document's hash
    browser.get(f"{live}/sign/{esign.token(s, 'jeanne@client.test')}")
    frame = browser.find_element(By.TAG_NAME, "iframe")
    assert frame.get_attribute("src").endswith("/document")
    assert req["document"]["sha256"] in browser.find_element(By.CSS_SELECTOR, ".consent label").text
    assert browser.find_element(By.TAG_NAME, "body").text.count(req["document"]["sha256"]) == 1  # not again below
    # sent by the admin, who has no name: the company alone (in the top bar), not "De la part de admin@vendeur.test"
    assert browser.find_element(By.CSS_SELECTOR, "header.top .brand").text == "Vendeur SA"
    assert not browser.find_elements(By.ID, "sender")
    assert "Merci !" in browser.page_source
    # draw a signature
    pad = browser.find_element(By.ID, "pad")
    ActionChains(browser).move_to_element_with_offset(pad, -100, 0).click_and_hold().move_by_offset(60, 20) \
        .move_by_offset(60, -25).move_by_offset(50, 15).release().perform()
    # signing without the code or the consent is refused with a readable message
    browser.find_element(By.ID, "go").click()
    wait(lambda: message(browser), message="an error message")
    # ask for the code, type it, tick the consent, sign
    browser.find_element(By.ID, "send").click()
    wait(lambda: "Code envoyé" in message(browser), message="the code to be sent")
    browser.find_element(By.ID, "otp").send_keys(esign.otp(s, "jeanne@client.test"))
    browser.find_element(By.ID, "consent").click()
    browser.find_element(By.ID, "go").click()
    wait(lambda: "signé" in message(browser), message="the signature")
    # the last signature: the page says the document is being sealed, then offers it without a reload
    wait(lambda: browser.find_elements(By.ID, "signed-pdf"), timeout=60, message="the sealed document offered")
    # the one signer: not "everybody signed", nor "signed" twice; and not "sealed" (the signer's words)
    assert message(browser).replace("\u00a0", " ") == ("Document signé. Merci ! Le document signé vous est envoyé par "
                                                     "email. Vous pouvez le télécharger.")
    offered = browser.find_element(By.ID, "signed-pdf")
    assert offered.get_attribute("href").endswith("/signed.pdf") and "signé" in offered.text
    # signed: the link's expiry no longer matters, and the signed document is the one to download
    assert not browser.find_element(By.ID, "expires").is_displayed()
    assert not browser.find_element(By.ID, "download-pdf").is_displayed()

    detail = s.wait_for(lambda: (lambda d: d if d["status"] == "completed" else None)(
        s.get(f"/api/v1/signature-requests/{req['id']}", token=admin).get_json()), timeout=30, message="sealing")
    ev = [e for e in detail["evidence"] if e["action"] == "sign"][0]
    assert ev["signature_image_sha256"] and ev["typed_name"] == "Jeanne Dupont"
    assert "Chrome" in ev["user_agent"] and ev["ip"] == "127.0.0.1"
    assert ev["consent_sha256"] and ev["authentication"]["otp_verified"]
    assert "document_viewed" in [a["type"] for a in detail["audit_trail"]]  # the embedded PDF was opened

    # afterwards the page offers the sealed document
    browser.get(f"{live}/sign/{esign.token(s, 'jeanne@client.test')}")
    link = browser.find_element(By.CSS_SELECTOR, "a[href$='/signed.pdf']")
    assert "signé" in link.text
    assert not browser.find_elements(By.ID, "expires") and not browser.find_elements(By.ID, "download-pdf")


def test_a_signer_declines_in_the_browser(world, live, browser):
    from selenium.webdriver.common.by import By
    s, admin = world["s"], world["admin"]["access_token"]
    r = s.post(f"/api/v1/contracts/{world['quote']['id']}/signature-requests", token=admin,
               json={"signers": [{"contact_id": world["contact"]["id"]}]})
    assert r.status_code == 201
    browser.get(f"{live}/sign/{esign.token(s, 'jeanne@client.test')}")
    browser.find_element(By.ID, "decline").click()
    browser.find_element(By.ID, "reason").send_keys("Le délai ne nous convient pas")
    browser.find_element(By.ID, "confirm").click()
    wait(lambda: "refusé" in message(browser), message="the refusal")
    s.wait_for(lambda: s.get(f"/api/v1/contracts/{world['quote']['id']}", token=admin).get_json()["status"]
               == "refused", timeout=20, message="the quote to be refused")
    browser.get(f"{live}/sign/{esign.token(s, 'jeanne@client.test')}")
    assert "refusé ce document" in browser.page_source or "refusé" in browser.page_source


def test_a_signer_switches_the_page_to_english_and_signs_the_english_consent(world, live, browser):
    """A French company's quote, its signer reading English: the top bar's "English" shows the page again in
    English, the consent's words too, and her signature records the English words she ticked (the evidence, the
    proof); a language the service does not speak is a 422 problem, on the page's data as on the act."""
    from selenium.webdriver.common.by import By
    from tests.e2e.test_proof_language import proof_text
    from tests.e2e.web.browsing import screenshots, sign_with_the_emailed_code
    s, admin = world["s"], world["admin"]["access_token"]
    r = s.post(f"/api/v1/contracts/{world['quote']['id']}/signature-requests", token=admin,
               json={"signers": [{"contact_id": world["contact"]["id"]}]})
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    tok = esign.token(s, "jeanne@client.test")
    browser.get(f"{live}/sign/{tok}")
    assert browser.find_element(By.CSS_SELECTOR, ".consent label").text.startswith("J'ai pris connaissance")
    switch = browser.find_element(By.CSS_SELECTOR, "header.top #lang-switch")
    assert switch.text == "English" and switch.get_attribute("lang") == "en"
    switch.click()
    wait(lambda: browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", message="the English page")
    assert browser.current_url.endswith(f"/sign/{tok}?lang=en")
    consent = browser.find_element(By.CSS_SELECTOR, ".consent label").text
    assert consent.startswith(f"I have read the document {world['quote']['number']} \"Maintenance\" and I agree to "
                              "sign it electronically.") and req["document"]["sha256"] in consent
    assert browser.find_element(By.ID, "go").text == "Sign" and "Français" == browser.find_element(
        By.ID, "lang-switch").text
    screenshots(browser, "sign-page-switched-to-english")
    sign_with_the_emailed_code(browser, s, "jeanne@client.test", consent=True, sent="Code sent",
                               signed=lambda: "Thank you" in message(browser))

    detail = s.wait_for(lambda: (lambda d: d if d["status"] == "completed" else None)(
        s.get(f"/api/v1/signature-requests/{req['id']}", token=admin).get_json()), timeout=30, message="sealing")
    [ev] = [e for e in detail["evidence"] if e["action"] == "sign"]
    english = s.get(f"/api/v1/sign/{tok}", query_string={"locale": "en"}).get_json()
    assert ev["consent_text"] == english["consent_text"] == consent.replace("\n", " ")
    assert ev["consent_sha256"] == english["consent_sha256"] and ev["authentication"]["otp_verified"]
    # the proof, in the request's language (French), quotes her English words
    text = proof_text({"s": s, "sales": admin}, req["id"])
    assert "Preuve de signature électronique" in text
    assert "I have read the document" in text and "and I agree to sign it electronically" in text
    # a language the service does not speak: refused, a problem the client can read
    for answer in (s.get(f"/api/v1/sign/{tok}", query_string={"locale": "de"}),
                   s.post(f"/api/v1/sign/{tok}/sign", json={"consent": True, "locale": "de", "otp": "123456"})):
        assert answer.status_code == 422 and answer.headers["Content-Type"] == "application/problem+json"
        assert "locale" in answer.get_json()["errors"], answer.get_json()
