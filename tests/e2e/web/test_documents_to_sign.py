"""Envois en signature (issue 15), driven as the salesperson in headless Chromium against the real services: the
page reached from the main navigation (named for what it lists: documents the salesperson sent, not documents
to sign), empty; an encrypted PDF refused with the API's reason next to the file
input (in French, the values kept); a PDF built here sent to one signer, listed as under way and shown with its
participant; the signer signs from the link emailed to her; the detail then offers the signed PDF and its
proof, which download as PDFs through the web app. Another PDF is signed in person on the salesperson's device
("Sign now on this device"), back to its page afterwards."""
from __future__ import annotations

import pytest
import requests
from signing_service import testing as esign

from .browsing import by_id, fill, sign_with_the_emailed_code
from .conftest import PASSWORD, signing_in
from .test_admin_area import css, h1, navigate, notice

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def seen_whole(browser, element) -> bool:
    """Is the element inside the window as the page is scrolled now, on all four sides (not cut by its edge)?"""
    return browser.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.left >= 0 &&"
        " r.bottom <= window.innerHeight && r.right <= document.documentElement.clientWidth;", element)


def asked_at_the_bottom_of_the_window(browser, button_id: str):
    """The question of a destructive action whose button is at the bottom of the window (too little room under it,
    on a laptop's screen and on a phone's): it opens above the button, seen whole, and Escape closes it, back on
    its button."""
    from selenium.webdriver.common.keys import Keys
    size = browser.get_window_size()
    try:
        for width, height in ((1280, 700), (375, 812)):
            browser.set_window_size(width, height)
            ask = by_id(browser, f"{button_id}-ask")
            browser.execute_script("window.scrollTo(0, document.documentElement.scrollHeight);")
            room_below = browser.execute_script(
                "return window.innerHeight - arguments[0].getBoundingClientRect().bottom;", ask)
            ask.click()
            box = ask.find_element("xpath", "following-sibling::form[contains(@class, 'confirm-box')]")
            assert room_below < box.rect["height"], "the button should be at the window's bottom"
            assert box.is_displayed() and seen_whole(browser, box), (width, box.rect)
            assert box.rect["y"] + box.rect["height"] <= ask.rect["y"]  # above its button
            by_id(browser, button_id).send_keys(Keys.ESCAPE)
            assert not box.is_displayed() and browser.switch_to.active_element == ask
    finally:
        browser.set_window_size(size["width"], size["height"])


def fill_form(browser, path, title: str):
    by_id(browser, "document-file").send_keys(str(path))
    title_input = by_id(browser, "document-title")
    title_input.clear()
    title_input.send_keys(title)
    for field, value in (("signers-0-name", "Jeanne Dupont"), ("signers-0-email", "jeanne@client.test")):
        box = by_id(browser, field)
        box.clear()
        box.send_keys(value)


def sent_by_paul_to_jeanne(w, browser, tmp_path, title: str):
    """Paul, a salesperson of a new license, signed in, sends a one-page PDF titled ``title`` to Jeanne: his
    account, the document's page (where the browser is) and Jeanne's participant id."""
    from weasyprint import HTML
    admin = w.s.new_license("ACME Paris", "boss@acme.test")
    sales = w.s.add_user(admin, "paul@acme.test", name="Paul Martin")
    signing_in(w)(browser, "paul@acme.test", next_path="/signatures/documents")
    document = tmp_path / "document.pdf"
    document.write_bytes(HTML(string=f"<h1>{title}</h1><p>{{{{sig:1}}}}</p>").write_pdf())
    fill_form(browser, document, title)
    navigate(browser, "document-sign-submit")
    [row] = css(browser, "#participants-table tbody tr")
    return sales, browser.current_url, row.get_attribute("data-participant")


def test_upload_a_pdf_refusal_next_to_the_file_then_signed(public_system, browser, screenshot, tmp_path):
    from weasyprint import HTML
    w, s = public_system, public_system.s
    admin = s.new_license("ACME Paris", "boss@acme.test")
    s.add_user(admin, "paul@acme.test", name="Paul Martin")
    signing_in(w)(browser, "paul@acme.test")
    assert by_id(browser, "nav-documents-to-sign").text == "Envois en signature"
    navigate(browser, "nav-documents-to-sign")
    assert h1(browser) == "Envois en signature"
    assert "Rien d'envoyé à la signature" in by_id(browser, "main").text
    # the form is below the list: the header leads down to it (a link, not a second submit), and to the bulk send
    assert by_id(browser, "new-document-heading").text == "Envoyer un document à signer"
    assert by_id(browser, "new-document-link").get_attribute("href").endswith("#new-document-heading")
    assert "primary" not in (by_id(browser, "new-document-link").get_attribute("class") or "").split()
    assert by_id(browser, "bulk-send-link")
    # where the signers sign, and the code placing their box in one's own PDF, one click away
    help_ = by_id(browser, "signature-tag-help")
    assert not help_.find_element("css selector", "code").is_displayed()
    help_.find_element("css selector", "summary").click()
    assert help_.find_element("css selector", "code").text == "{{sig:1}}"
    # one signer's row, "Add a signer" the next
    rows = css(browser, "#signers-fieldset [data-row]")
    assert [row.is_displayed() for row in rows[:2]] == [True, False]
    by_id(browser, "add-signers").click()
    assert rows[1].is_displayed() and browser.switch_to.active_element == by_id(browser, "signers-1-name")
    screenshot(browser, "documents-to-sign-empty")

    # an encrypted PDF: the API's reason next to the file input, in French; the title and signer kept
    encrypted = tmp_path / "protected.pdf"
    encrypted.write_bytes(esign.pdf_file(1, encrypt=True))
    fill_form(browser, encrypted, "Accord protégé")
    navigate(browser, "document-sign-submit")
    assert by_id(browser, "document-file-error").text == (
        "Ce PDF est chiffré ou protégé par un mot de passe : déposez-le sans protection.")
    assert by_id(browser, "document-file").get_attribute("aria-invalid") == "true"
    assert by_id(browser, "signers-0-email").get_attribute("value") == "jeanne@client.test"
    screenshot(browser, "documents-to-sign-refused")

    # a real PDF to one signer: the detail shows her turn, the list shows it under way
    agreement = tmp_path / "partenariat.pdf"
    agreement.write_bytes(HTML(string="<h1>Accord de partenariat</h1><p>Signé pour le partenaire :</p>"
                                      "<p>{{sig:1}}</p>").write_pdf())
    fill_form(browser, agreement, "Accord de partenariat")
    navigate(browser, "document-sign-submit")
    assert "envoyé" in notice(browser)
    assert h1(browser) == "Accord de partenariat"
    assert by_id(browser, "request-status").text == "En cours"
    [row] = css(browser, "#participants-table tbody tr")
    assert "Jeanne Dupont" in row.text and row.get_attribute("data-status") == "pending"
    assert not css(browser, "#download-signed-pdf")
    screenshot(browser, "documents-to-sign-detail")
    navigate(browser, f"remind-{row.get_attribute('data-participant')}")  # the signature center's reminder
    assert "relance" in notice(browser).lower()
    navigate(browser, "back-to-documents")
    [listed] = css(browser, "#documents-to-sign tbody tr")
    # the list names the people as the detail does (approvers are participants too)
    columns = [th.get_attribute("textContent").strip() for th in css(browser, "#documents-to-sign thead th")]
    assert "Participants" in columns
    assert listed.get_attribute("data-status") == "pending"
    assert "Accord de partenariat" in listed.text and "Jeanne Dupont" in listed.text
    screenshot(browser, "documents-to-sign-list")

    # the signer signs from her link; once sealed, the detail offers the signed PDF and the proof
    r = esign.sign_via_link(s, "jeanne@client.test")
    assert r.status_code == 200, r.get_json()
    navigate(browser, listed.find_element("css selector", "a"))

    def completed():
        browser.refresh()
        return css(browser, "#download-signed-pdf")
    w.wait(completed, message="the request to be sealed")
    assert by_id(browser, "request-status").text == "Terminée"
    assert by_id(browser, "participants-heading").text == "Participants"
    # the downloads say what the contract page says
    assert (by_id(browser, "download-signed-pdf").text, by_id(browser, "download-proof").text) == (
        "Télécharger le document signé", "Télécharger la preuve de signature")
    screenshot(browser, "documents-to-sign-completed")
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    for link in ("download-signed-pdf", "download-proof"):
        got = requests.get(by_id(browser, link).get_attribute("href"), cookies=cookies, timeout=30)
        assert got.status_code == 200 and got.content.startswith(b"%PDF"), link


def test_an_uploaded_pdf_signed_in_person_on_the_salespersons_device(public_system, browser, screenshot, tmp_path):
    """"Sign now on this device" on an uploaded document's page: the signer signs in this browser, the give-back
    screen links to that document's page (asking the salesperson's password first), the request completes."""
    w, s = public_system, public_system.s
    sales, page, jeanne = sent_by_paul_to_jeanne(w, browser, tmp_path, "Plan de pose")
    request_id = page.rsplit("/", 1)[1]

    # asked once, naming her, whole in the window even from its bottom (above the button), on a phone too;
    # then the signing page opens in this browser, on Paul's device
    asked_at_the_bottom_of_the_window(browser, f"in-person-{jeanne}")
    browser.execute_script("window.scrollTo(0, document.documentElement.scrollHeight);")
    by_id(browser, f"in-person-{jeanne}-ask").click()
    question = by_id(browser, f"in-person-{jeanne}").find_element("xpath", "..").text
    assert "Remettez l'appareil à Jeanne Dupont" in question
    screenshot(browser, "documents-to-sign-in-person-confirm")
    navigate(browser, f"in-person-{jeanne}")
    assert browser.current_url.startswith(w.url + "/sign/in-person/")
    assert by_id(browser, "in-person").text == "Signature en présence, sur l'appareil de Paul Martin"
    sign_with_the_emailed_code(browser, s, "jeanne@client.test", consent=True,
                               signed=lambda: by_id(browser, "give-back").is_displayed())

    # signed: give the device back, the way back leads to this document's page
    assert [a.get_attribute("href") for a in css(browser, "#give-back a")] == [page]
    screenshot(browser, "documents-to-sign-in-person-give-back")
    token = sales["access_token"]
    w.wait(lambda: s.get(f"/api/v1/signature-requests/{request_id}", token=token).get_json()["status"]
           == "completed", message="the request to be completed")
    detail = s.get(f"/api/v1/signature-requests/{request_id}", token=token).get_json()
    assert [(e["mode"], e["authentication"]["attested_by_name"]) for e in detail["evidence"]] == [
        ("in_person_device", "Paul Martin")]

    # the document's page asks Paul's password first, then shows the request completed, without the button
    navigate(browser, css(browser, "#give-back a")[0])
    assert "remis à Jeanne Dupont" in by_id(browser, "handed-over-to").text
    fill(browser, {"field-password": PASSWORD})
    navigate(browser, "unlock-submit")
    assert browser.current_url == page and h1(browser) == "Plan de pose"
    assert by_id(browser, "request-status").text == "Terminée" and not css(browser, f"#in-person-{jeanne}-ask")
    screenshot(browser, "documents-to-sign-in-person-completed")


def test_an_uploaded_documents_page_lists_who_was_replaced_by_whom(public_system, browser, screenshot, tmp_path):
    """The signature center's history on an uploaded document's page: nothing while nobody was replaced; Jeanne
    replaced by Luc, with when and why, in French and in English; still listed once Luc signed."""
    w, s = public_system, public_system.s
    sales, page, jeanne = sent_by_paul_to_jeanne(w, browser, tmp_path, "Bail commercial")
    assert not css(browser, "#request-history")

    by_id(browser, f"reassign-{jeanne}-open").click()
    fill(browser, {f"reassign-{jeanne}-name": "Luc Martin", f"reassign-{jeanne}-email": "luc@client.test",
                   f"reassign-{jeanne}-reason": "Jeanne est en congé"})
    navigate(browser, f"reassign-{jeanne}-submit")
    assert browser.current_url == page and "Luc Martin" in notice(browser)
    history = by_id(browser, "request-history")
    assert by_id(browser, "history-heading").text == "Historique"
    [entry] = history.find_elements("css selector", "li")
    assert "Jeanne Dupont remplacé(e) par Luc Martin : Jeanne est en congé" in entry.text
    assert entry.text.split(" — ")[0]  # when, before who
    [row] = css(browser, "#participants-table tbody tr")  # Jeanne is no longer listed: the history says why
    assert "Luc Martin" in row.text and row.get_attribute("data-status") == "pending"
    screenshot(browser, "documents-to-sign-reassigned")

    # Luc signs: the request is over, its history stays
    assert esign.sign_via_link(s, "luc@client.test").status_code == 200

    def completed():
        browser.refresh()
        return css(browser, "#download-signed-pdf")
    w.wait(completed, message="the request to be sealed")
    assert "Jeanne Dupont remplacé(e) par Luc Martin" in by_id(browser, "request-history").text
    screenshot(browser, "documents-to-sign-reassigned-completed")

    # in English
    assert s.patch("/api/v1/me", token=sales["access_token"], json={"locale": "en"}).status_code == 200
    browser.delete_all_cookies()
    signing_in(w)(browser, "paul@acme.test", next_path=page.removeprefix(w.url))
    assert by_id(browser, "history-heading").text == "History"
    assert "Jeanne Dupont replaced by Luc Martin: Jeanne est en congé" in by_id(browser, "request-history").text
