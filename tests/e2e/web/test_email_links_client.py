"""Every link of the client-facing emails — the online quote (sent, reminded), the signature request,
reminder and completion, the portal invitation and the contract shared on the portal — produced for real
by the services and followed in headless Chromium at the ONE public address: the web app, forwarding the
gateway's own paths (``WEB_PROXY_GATEWAY=1``), as under ``./paraph up`` and compose. Each must show a real
page (not an error page). The staff emails' links are followed by ``test_settings_pages.py``."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.web.browsing import by_id, css, page_text
import requests

from .conftest import PASSWORD, local

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

# the client-facing templates with a link (signature_otp has none)
CLIENT_TEMPLATES = {"quote_send", "quote_reminder", "signature_request", "signature_reminder",
                    "signature_completed", "client_invitation", "contract_shared"}


def test_every_link_of_every_client_email_lands_on_a_working_page(public_system, browser, screenshot):
    w, s = public_system, public_system.s
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    T = s.add_user(admin, "paul@vendeur.test", name="Paul Martin")["access_token"]
    customer = s.post("/api/v1/customers", token=T, json={"name": "ACME Industries", "kind": "company", "contacts": [
        {"first_name": "Alice", "last_name": "Martin", "email": "alice@acme.test"},
        {"first_name": "Bob", "last_name": "Durand", "email": "bob@acme.test"}]}).get_json()
    alice, bob = customer["contacts"]
    line = {"description": "Maintenance annuelle", "quantity": "1", "unit_price": "1200", "tax_rate": "20"}

    # the online quote: sent, then reminded (without a signature: the signature emails come next)
    quote = s.post("/api/v1/quotes", token=T, json={"title": "Équipement atelier", "contact_id": alice["id"],
                                                    "valid_until": "2031-12-31", "lines": [line]}).get_json()
    for _ in range(2):
        r = s.post(f"/api/v1/quotes/{quote['id']}/send", token=T, json={"request_signature": False})
        assert r.status_code == 200, r.get_json()
    # a contract to sign: the request, a reminder, then Alice signs (with the code emailed to her)
    contract = s.post("/api/v1/contracts", token=T, json={"title": "Contrat de maintenance",
                                                          "customer_id": customer["id"], "contact_id": alice["id"],
                                                          "lines": [line]}).get_json()
    r = s.post(f"/api/v1/contracts/{contract['id']}/signature-requests", token=T,
               json={"signers": [{"contact_id": alice["id"]}]})
    assert r.status_code == 201, r.get_json()
    request_id = r.get_json()["id"]
    w.wait(lambda: "signature_request" in templates_to("alice@acme.test", w), message="the signature request email")
    assert s.post(f"/api/v1/signature-requests/{request_id}/remind", token=T).status_code == 200
    token = templates_to("alice@acme.test", w)["signature_request"].rsplit("/sign/", 1)[1]
    info = s.get(f"/api/v1/sign/{token}").get_json()
    assert s.post(f"/api/v1/sign/{token}/otp", json={}).status_code == 200
    [code_mail] = w.wait(lambda: [m for m in w.mail.messages(to="alice@acme.test")
                                  if ("X-Paraph-Template", "signature_otp") in map(tuple, m["headers"])],
                         message="the one-time code")
    code = next(word for word in code_mail["text"].split() if word.isdigit() and len(word) == 6)
    r = s.post(f"/api/v1/sign/{token}/sign", json={"otp": code, "consent": True,
                                                   "consent_sha256": info["consent_sha256"]})
    assert r.status_code == 200, r.get_json()
    # Bob: portal access (the invitation), then the contract shared with him
    r = s.post(f"/api/v1/contacts/{bob['id']}/portal-access", token=T, json={"user_code": "8005551216"})
    assert r.status_code == 201, r.get_json()
    r = s.post(f"/api/v1/contracts/{contract['id']}/portal-share", token=T,
               json={"requester_contact_id": bob["id"], "observer_contact_ids": []})
    assert r.status_code == 201, r.get_json()

    expected = {"alice@acme.test": {"quote_send", "quote_reminder", "signature_request", "signature_reminder",
                                    "signature_completed"},
                "bob@acme.test": {"client_invitation", "contract_shared"}}
    for to, names in expected.items():
        w.wait(lambda: names <= set(templates_to(to, w)), message=f"{sorted(names)} to {to}")
    links = {name: link for to in expected for name, link in templates_to(to, w).items()}
    assert set(links) == CLIENT_TEMPLATES
    # each from the company Alice and Bob deal with, at the platform's address (the one-time code too)
    senders = {(dict(m["headers"]).get("X-Paraph-Template"), m["from"])
               for to in expected for m in w.mail.messages(to=to)}
    assert {sender.split(" <")[0] for _template, sender in senders} == {"Vendeur SA"}, senders

    # the quote's email: its button says what it opens, its number stays on one line in the HTML
    [sent] = [m for m in w.mail.messages(to="alice@acme.test")
              if ("X-Paraph-Template", "quote_send") in map(tuple, m["headers"])]
    assert "Consulter le devis\u00a0: http://paraph.test/q/" in sent["text"] and "cette page" not in sent["text"]
    assert f'<span style="white-space:nowrap">{quote["number"]}</span>' in sent["html"]
    # the shared contract's email: what was shared, and what its button opens (the document's portal page, not the
    # portal's list of contracts)
    [shared] = [m for m in w.mail.messages(to="bob@acme.test")
                if ("X-Paraph-Template", "contract_shared") in map(tuple, m["headers"])]
    assert f"Le contrat {contract['number']} «\u00a0Contrat de maintenance\u00a0» a été partagé avec vous" \
        in shared["text"]
    assert "Le bouton ci-dessous l'ouvre sur le portail, où vous pouvez le consulter et en télécharger le PDF." \
        in shared["text"] and "Contrats" not in shared["text"]
    assert f"Accéder au document\u00a0: http://paraph.test/portal/contracts/{contract['id']}" in shared["text"]

    # every link answers at the public address (the web app) — through the proxy for the gateway's pages
    for name, link in links.items():
        assert link.startswith("http://paraph.test/"), (name, link)
        r = requests.get(local(w.url, link), timeout=30)
        assert r.status_code == 200, (name, link, r.status_code, r.text[:300])

    def shows(name: str, predicate, message: str):
        browser.get(local(w.url, links[name]))
        w.wait(lambda: predicate(page_text(browser)), message=f"{name}: {message}")
        assert not css(browser, "#error-page, .error-page"), (name, page_text(browser))
        assert not css(browser, "#link-problem"), (name, "a used or unknown link")

    # the online quote (first link and reminder's link: the same page)
    for name in ("quote_send", "quote_reminder"):
        shows(name, lambda text: quote["number"] in text, "the quote's page")
    screenshot(browser, "email-link-quote")
    # the signing page (its document), before and after signing: the same link, now "signed"
    for name in ("signature_request", "signature_reminder", "signature_completed"):
        shows(name, lambda text: contract["number"] in text, "the signing page")
    assert css(browser, "h1")
    # signed by its one signer (not "everybody"): a finished good state, in green, offering the signed document; the
    # link's expiry and the unsigned PDF's download no longer matter once signed (test_sign_page_display.py)
    assert css(browser, "p.notice.ok")[0].text.replace("\u00a0", " ") == "Document signé : vous pouvez le télécharger."
    assert by_id(browser, "signed-pdf").text == "Télécharger le document signé"
    # and, as the email says ("Le document signé et son dossier de preuve sont disponibles"), the proof of signature
    assert by_id(browser, "proof-pdf").text == "Télécharger la preuve de signature"
    assert not css(browser, "#expires") and not css(browser, "#download-pdf")
    screenshot(browser, "email-link-signing")
    # the portal invitation: the web app's set-password page for Bob; setting it leads to the portal
    shows("client_invitation", lambda text: "bob@acme.test" in text, "the set-password page")
    # in a client's words, not the staff's page's "vos collègues et vos clients" (identity's link_info tells the
    # client's role), and in his invitation's language (French, link_info's locale), not his browser's (English)
    invited = page_text(browser)
    assert "pour consulter les documents partagés avec vous" in invited and "collègues" not in invited
    # the seller's portal is named by the top bar and the title, and by no row of the card a third time
    assert by_id(browser, "page-title").text == "Bienvenue sur le portail client de Vendeur SA"
    assert not css(browser, "#link-company")
    assert "Tel que l'équipe de Vendeur SA le lira" in invited
    assert browser.find_element("tag name", "html").get_attribute("lang") == "fr"
    assert browser.execute_script("return navigator.language").startswith("en")
    screenshot(browser, "set-password-client-in-the-emails-language")
    from selenium.webdriver.common.by import By
    for field in ("field-password", "field-password_confirm"):
        browser.find_element(By.ID, field).send_keys(PASSWORD)
    browser.find_element(By.ID, "password-submit").click()
    w.wait(lambda: urlsplit(browser.current_url).path.startswith("/portal")
           and browser.find_element(By.ID, "login").is_displayed(), message="the portal's sign-in")
    # his portal in French too, told his password is saved
    assert urlsplit(browser.current_url).query == "password_set=1&lang=fr"
    assert by_id(browser, "password-set").text.replace("\u00a0", " ") == "Votre mot de passe est enregistré : connectez-vous."
    # the invitation's link again, now used: Bob has no license administrator to ask, his contact at the company
    # that invited him sends it again; "Sign in" leads to the portal, where he works
    browser.get(local(w.url, links["client_invitation"]))
    w.wait(lambda: css(browser, "#link-problem"), message="the used invitation link")
    assert by_id(browser, "ask-for-invitation").text == (
        "Si vous avez déjà choisi votre mot de passe, connectez-vous. Sinon, demandez à votre interlocuteur chez "
        "Vendeur SA de vous renvoyer une invitation.")
    assert "administrat" not in page_text(browser)
    assert urlsplit(by_id(browser, "link-sign-in").get_attribute("href")).path == "/portal"
    screenshot(browser, "set-password-used-client")
    by_id(browser, "link-sign-in").click()
    w.wait(lambda: urlsplit(browser.current_url).path.startswith("/portal")
           and browser.find_element(By.ID, "login").is_displayed(), message="the portal's sign-in")
    browser.find_element(By.ID, "login-email").send_keys("bob@acme.test")
    browser.find_element(By.ID, "login-password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login-submit").click()
    w.wait(lambda: browser.find_element(By.ID, "contracts").is_displayed(), message="Bob in the portal")
    # the shared contract's link: its page in the portal
    shows("contract_shared", lambda text: contract["number"] in text, "the contract in the portal")
    assert browser.find_element(By.ID, "contract").is_displayed()
    w.wait(lambda: css(browser, "#contract-status"), message="the contract's status")
    status = browser.find_element(By.ID, "contract-status")
    assert status.text == "Signé" and status.get_attribute("class") == "badge signed"
    assert status.value_of_css_property("background-color") in ("rgba(211, 245, 227, 1)", "rgb(211, 245, 227)")
    # signed by Alice, read by Bob, who signed nothing: the one document offered is the signed one (the portal's
    # download gives the sealed copy), not the PDF sent for signature
    offered = by_id(browser, "contract-pdf")
    assert offered.is_displayed() and offered.text == "Télécharger le document signé"
    assert offered.get_attribute("class") == "button"  # the page's one action, filled as the signers' is
    assert not css(browser, "#contract-signed-pdf")
    r = s.post("/api/v1/auth/login", json={"email": "bob@acme.test", "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    pdf = s.get(f"/api/v1/portal/contracts/{contract['id']}/pdf", token=r.get_json()["access_token"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "-signed.pdf" in pdf.headers["Content-Disposition"]
    screenshot(browser, "email-link-portal-contract")


def templates_to(to: str, w) -> dict[str, str]:
    """The emails sent to ``to`` by template (notify's ``X-Paraph-Template`` header), each with its first
    public link."""
    found = {}
    for message in w.mail.messages(to=to):
        template = dict(message["headers"]).get("X-Paraph-Template")
        public = [link for link in message["links"] if link.startswith("http://paraph.test/")]
        if template and public:
            found.setdefault(template, public[0])
    return found


def test_a_client_who_forgot_her_password_hears_from_her_company_and_signs_in_on_the_portal(
        public_system, browser, screenshot):
    """A portal client asks for a reset link from the portal's sign-in ("Mot de passe oublié ?": the portal's own
    page, in its language, answering the same for an email without an account); it is her company's portal's:
    the email comes from the company, the page names it, and choosing the password leads to the portal's sign-in,
    told it is saved, in the email's language (French, in an English browser). Signing in at the staff's sign-in
    leads there too, told why (in the browser's language: that page knows nobody yet)."""
    w, s = public_system, public_system.s
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    T = admin["access_token"]
    customer = s.post("/api/v1/customers", token=T, json={"name": "ACME Industries", "kind": "company", "contacts": [
        {"first_name": "Bob", "last_name": "Durand", "email": "bob@acme.test"}]}).get_json()
    r = s.post(f"/api/v1/contacts/{customer['contacts'][0]['id']}/portal-access", token=T,
               json={"user_code": "8005551216"})
    assert r.status_code == 201, r.get_json()
    s.accept("bob@acme.test")

    def ask_for_a_link(email: str, shot: str = "") -> str:
        """From the portal's sign-in (French: the portal's language without ?lang), what its reset page answers."""
        browser.get(w.url + "/portal")
        w.wait(lambda: by_id(browser, "login").is_displayed(), message="the portal's sign-in")
        by_id(browser, "forgot-link").click()
        w.wait(lambda: urlsplit(browser.current_url).path == "/portal/forgot-password"
               and by_id(browser, "forgot").is_displayed(), message="the portal's forgotten password page")
        assert urlsplit(browser.current_url).query == "lang=fr" and not by_id(browser, "login").is_displayed()
        assert css(browser, "#forgot h1")[0].text.replace("\u00a0", " ") == "Mot de passe oublié ?"
        by_id(browser, "forgot-email").send_keys(email)
        if shot:
            screenshot(browser, shot)
        by_id(browser, "forgot-submit").click()
        w.wait(lambda: by_id(browser, "reset-requested").is_displayed(), message="the reset asked for")
        assert not by_id(browser, "forgot-form").is_displayed() and not by_id(browser, "error").is_displayed()
        return by_id(browser, "reset-requested").text

    # an email without an account reads the same answer, and nothing is sent
    assert ask_for_a_link("nobody@acme.test") == (
        "Si un compte utilise nobody@acme.test, nous lui avons envoyé un lien pour choisir un nouveau mot de passe. "
        "Ce lien est valable pendant une durée limitée.")
    assert ask_for_a_link("bob@acme.test", shot="portal-forgot-password") == (
        "Si un compte utilise bob@acme.test, nous lui avons envoyé un lien pour choisir un nouveau mot de passe. "
        "Ce lien est valable pendant une durée limitée.")
    screenshot(browser, "portal-forgot-password-sent")
    by_id(browser, "back-to-login").click()
    w.wait(lambda: by_id(browser, "login").is_displayed(), message="back to the portal's sign-in")
    assert urlsplit(browser.current_url).path == "/portal"
    w.wait(lambda: "client_password_reset" in templates_to("bob@acme.test", w), message="the reset email")
    assert w.mail.messages(to="nobody@acme.test") == []
    [email] = [m for m in w.mail.messages(to="bob@acme.test")
               if ("X-Paraph-Template", "client_password_reset") in map(tuple, m["headers"])]
    assert email["from"].startswith("Vendeur SA <") and "Vendeur SA" in email["subject"]
    assert "Paraph" not in email["subject"] + email["text"]  # the plain text has no "Sent by Paraph" footer
    browser.get(local(w.url, templates_to("bob@acme.test", w)["client_password_reset"]))
    # the seller's portal is named by the top bar, not again by a row of the card (read as the client's company)
    assert by_id(browser, "client-brand").text == "Vendeur SA — Portail client" and not css(browser, "#link-company")
    assert by_id(browser, "link-email").text == "bob@acme.test"
    assert browser.find_element("tag name", "html").get_attribute("lang") == "fr"  # her reset email's language
    for field in ("field-password", "field-password_confirm"):
        by_id(browser, field).send_keys("Bob's brand new password")
    screenshot(browser, "reset-password-client")
    notices = {"password-set": "Votre mot de passe est enregistré : connectez-vous.",
               "portal-account": "Your account opens the customer portal: sign in here."}

    def on_the_portals_sign_in_told(notice: str):
        """The portal's sign-in form, with this one of its notices above it."""
        w.wait(lambda: urlsplit(browser.current_url).path == "/portal" and by_id(browser, notice).is_displayed(),
               message=f"the portal's sign-in, with {notice}")
        assert by_id(browser, notice).text.replace("\u00a0", " ") == notices[notice]
        assert not any(by_id(browser, other).is_displayed() for other in notices if other != notice)

    by_id(browser, "password-submit").click()
    on_the_portals_sign_in_told("password-set")
    screenshot(browser, "portal-password-reset-saved")

    # at the staff's sign-in: to the portal's, told that her account is the portal's
    browser.get(w.url + "/sign-in")
    by_id(browser, "field-email").send_keys("bob@acme.test")
    by_id(browser, "field-password").send_keys("Bob's brand new password")
    by_id(browser, "sign-in-submit").click()
    on_the_portals_sign_in_told("portal-account")
    screenshot(browser, "portal-sign-in-from-staff-page")
    by_id(browser, "login-email").send_keys("bob@acme.test")
    by_id(browser, "login-password").send_keys("Bob's brand new password")
    by_id(browser, "login-submit").click()
    w.wait(lambda: by_id(browser, "contracts").is_displayed(), message="Bob in the portal")
    assert not by_id(browser, "portal-account").is_displayed()
