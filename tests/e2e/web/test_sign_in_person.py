"""Face-to-face signing from the signature center ("Sign now on this device"), driven as the salesperson in
headless Chromium against the real services: a quote sent for signature, the button of the signer whose turn it
is asks once (hand the device to her, you vouch for who signs), the signing page opens in the same browser, the
customer's contact signs there with the code she received, then the page asks her to give the device back and
links to the quote's page. Meanwhile every staff page asks the salesperson's password (the device is locked while
the customer holds it). The request is completed and the quote accepted (through the API), the proof of
signature says it was signed in person on the salesperson's device; the used link and a second click from a page
left open are refused, saying why."""
from __future__ import annotations

import io
import re

import pytest

from .browsing import by_id, css, fill, off_centre, screens_down, sign_with_the_emailed_code
from .conftest import PASSWORD, signing_in
from .test_admin_area import h1, navigate, notice
from .test_signature_center import document_of_durand

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def proof_text(s, token: str, request_id: str) -> str:
    from pypdf import PdfReader
    r = s.get(f"/api/v1/signature-requests/{request_id}/proof.pdf", token=token)
    assert r.status_code == 200, r.get_json()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def test_the_customer_signs_on_the_salespersons_device(public_system, browser, screenshot):
    w, s = public_system, public_system.s
    admin = s.new_license("ACME Paris", "boss@acme.test")
    sales = s.add_user(admin, "paul@acme.test", name="Paul Martin")
    token = sales["access_token"]
    quote = document_of_durand(s, token, "quote", "Devis atelier", "Installation", "900")
    center = f"/contracts/{quote['id']}/signature"

    # the salesperson sends the quote for signature to its contact, Jeanne Durand
    signing_in(w)(browser, "paul@acme.test", next_path=center)
    navigate(browser, "signature-submit")
    assert "envoyée" in notice(browser)
    request = s.get(f"/api/v1/signature-requests?contract_id={quote['id']}", token=token).get_json()["items"][0]
    jeanne = request["participants"][0]
    assert jeanne["email"] == "jeanne@durand.test" and jeanne["status"] == "pending"

    # the same center, left open in another tab (for a second click later)
    first_tab = browser.current_window_handle
    browser.switch_to.new_window("tab")
    browser.get(w.url + center)
    stale_tab = browser.current_window_handle
    browser.switch_to.window(first_tab)

    # "Sign now on this device" asks once: hand the device to Jeanne, you vouch for who signs
    by_id(browser, f"in-person-{jeanne['id']}-ask").click()
    question = by_id(browser, f"in-person-{jeanne['id']}").find_element("xpath", "..").text
    assert "Remettez l'appareil à Jeanne Durand" in question and "en présence" in question
    screenshot(browser, "sign-in-person-confirm")
    navigate(browser, f"in-person-{jeanne['id']}")

    # the signing page, in this browser, at the top (the staff app's address), on Paul's device
    assert browser.current_url.startswith(w.url + "/sign/in-person/")
    used_url = browser.current_url
    assert by_id(browser, "in-person").text == "Signature en présence, sur l'appareil de Paul Martin"
    screenshot(browser, "sign-in-person-page")
    # on a phone, the document's frame is bounded: the consent box is within two screens of the top
    size = browser.get_window_size()
    browser.set_window_size(375, 812)
    assert screens_down(browser, by_id(browser, "consent")) < 2
    browser.set_window_size(size["width"], size["height"])
    sign_with_the_emailed_code(browser, s, "jeanne@durand.test", consent=True,
                               signed=lambda: by_id(browser, "give-back").is_displayed())

    # signed: give the device back, with the way back to the quote's page (and nowhere else of the staff app)
    assert by_id(browser, "give-back-outcome").text == ("Document signé. Merci ! Le document signé vous est envoyé "
                                                         "par email.")
    assert "Rendez maintenant l'appareil à Paul Martin." in by_id(browser, "give-back").text
    assert not by_id(browser, "panel").is_displayed()
    assert off_centre(browser, by_id(browser, "give-back")) <= 1
    links = [a.get_attribute("href") for a in css(browser, "#give-back a")]
    assert links == [w.url + f"/contracts/{quote['id']}"]
    screenshot(browser, "sign-in-person-give-back")

    # through the API: the request completed, the quote accepted, the proof says in person on Paul's device
    w.wait(lambda: s.get(f"/api/v1/signature-requests/{request['id']}", token=token).get_json()["status"]
           == "completed", message="the request to be completed")
    w.wait(lambda: s.get(f"/api/v1/contracts/{quote['id']}", token=token).get_json()["status"] == "accepted",
           message="the quote to be accepted")
    detail = s.get(f"/api/v1/signature-requests/{request['id']}", token=token).get_json()
    assert [(e["mode"], e["authentication"]["attested_by_name"]) for e in detail["evidence"]] == [
        ("in_person_device", "Paul Martin")]
    proof = proof_text(s, token, request["id"])
    assert "en présence, sur l'appareil de Paul Martin (collaborateur), qui a ouvert la page de signature" in proof
    assert "Signature en présence ouverte sur l'appareil du collaborateur" in proof

    # while Jeanne holds the device, the staff app is locked: the quote's page, or any other, asks Paul's password
    navigate(browser, "back-to-document")
    assert "remis à Jeanne Durand" in by_id(browser, "handed-over-to").text and not css(browser, "#contract-status")
    browser.get(w.url + "/customers")
    assert css(browser, "#unlock-form") and not css(browser, "#customers") and not css(browser, "nav a[href='/customers']")
    fill(browser, {"field-password": "not his password"})
    navigate(browser, "unlock-submit")
    assert by_id(browser, "field-password-error").text == "Ce n'est pas votre mot de passe."
    screenshot(browser, "sign-in-person-locked")
    # the device is given back: Paul's password, then the page he asked for
    fill(browser, {"field-password": PASSWORD})
    navigate(browser, "unlock-submit")
    assert h1(browser) == "Clients"
    browser.get(w.url + f"/contracts/{quote['id']}")
    assert h1(browser).startswith(quote["number"]) or quote["number"] in h1(browser)

    # the one-time link does not open again: said, with the way back to the quote
    browser.get(used_url)
    assert "déjà servi" in css(browser, "main")[0].text
    assert by_id(browser, "back-to-document").get_attribute("href") == w.url + f"/contracts/{quote['id']}"
    assert off_centre(browser, by_id(browser, "error")) <= 1  # a message card, centred like the give-back one
    screenshot(browser, "sign-in-person-used")

    # a second click from the center left open: refused, saying why, on the center
    browser.switch_to.window(stale_tab)
    by_id(browser, f"in-person-{jeanne['id']}-ask").click()
    navigate(browser, f"in-person-{jeanne['id']}")
    assert browser.current_url == w.url + center
    assert ("Jeanne Durand a déjà traité ce document : il n'y a plus rien à signer sur cet appareil."
            in notice(browser).replace("\xa0", " "))
    assert not css(browser, f"#in-person-{jeanne['id']}-ask")  # signed: no button any more
    screenshot(browser, "sign-in-person-refused")
