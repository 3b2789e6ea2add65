"""The approval center and the signature center of a contract (LEXZUR), driven as the salesperson in
headless Chromium against the real services: a collaborator as approver and two contacts of the customer as
signers, in order; each one's status; the approver approves first (the signers wait); a reminder to one
signer, then to everybody whose turn it is; the request cancelled (asked once, naming the contract); a new
request made again. In English too."""
from __future__ import annotations

import pytest

from .browsing import by_id, on_a_phone
from .conftest import signing_in
from .test_admin_area import css, h1, navigate, notice

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def choose(browser, select_id: str, text: str):
    from selenium.webdriver.support.ui import Select
    Select(by_id(browser, select_id)).select_by_visible_text(text)


def statuses(browser, center: str) -> list[tuple[str, str]]:
    """(person, status) of each row of a center, in order."""
    return [(row.find_elements("css selector", "td")[1].text.split("\n")[0].split(" ")[0], row.get_attribute("data-status"))
            for row in css(browser, f"#{center}-center-heading-table tbody tr")]


def document_of_durand(s, token: str, kind: str, title: str, line: str, unit_price: str) -> dict:
    """A contract or quote (``kind``) of the customer Atelier Durand, made for the test with its two contacts
    Jeanne Durand (the document's contact) and Marc Leroy."""
    customer = s.post("/api/v1/customers", token=token, json={"name": "Atelier Durand", "kind": "company", "contacts": [
        {"first_name": "Jeanne", "last_name": "Durand", "email": "jeanne@durand.test"},
        {"first_name": "Marc", "last_name": "Leroy", "email": "marc@durand.test"}]}).get_json()
    return s.post("/api/v1/contracts", token=token, json={
        "kind": kind, "title": title, "customer_id": customer["id"], "contact_id": customer["contacts"][0]["id"],
        "lines": [{"description": line, "quantity": "1", "unit_price": unit_price, "tax_rate": "20"}]}).get_json()


def text_and_room(browser, select) -> tuple[float, float]:
    """The width of the select's chosen text and the room it has (px): a select cuts what does not fit."""
    return tuple(browser.execute_script("""
        const select = arguments[0], style = getComputedStyle(select);
        const context = document.createElement("canvas").getContext("2d");
        context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return [context.measureText(select.options[select.selectedIndex].text).width, room];""", select))


def shown_rows(browser, rows: str) -> int:
    """How many rows of a list of people (approvers, signers, cc) the form shows."""
    return len([row for row in css(browser, f"#{rows}-fieldset [data-row]") if row.is_displayed()])


def reminders_to(w, email: str) -> int:
    return len([m for m in w.mail.messages(to=email)
                if dict(m["headers"]).get("X-Paraph-Template") == "signature_reminder"])


def test_approvers_then_signers_status_reminders_and_cancel(public_system, browser, screenshot):
    w, s = public_system, public_system.s
    admin = s.new_license("ACME Paris", "boss@acme.test")
    sales = s.add_user(admin, "paul@acme.test", name="Paul Martin")
    s.add_user(admin, "claire@acme.test", name="Claire Juriste")
    token = sales["access_token"]
    contract = document_of_durand(s, token, "contract", "Contrat de maintenance", "Maintenance", "1200")

    signing_in(w)(browser, "paul@acme.test", next_path=f"/contracts/{contract['id']}")
    navigate(browser, "signature-center")
    assert h1(browser) == f"Approbation et signature — {contract['number']}"
    # one row per list, "Add" shows the next one, the focus in it
    assert shown_rows(browser, "approvers") == shown_rows(browser, "signers") == shown_rows(browser, "cc") == 1
    # the contract's contact is offered as the first signer; a collaborator approves first
    choose(browser, "approvers-0-person", "Claire Juriste <claire@acme.test>")
    assert by_id(browser, "add-signers").text == "Ajouter un signataire"
    by_id(browser, "add-signers").click()
    assert shown_rows(browser, "signers") == 2 and browser.switch_to.active_element == by_id(browser, "signers-1-person")
    choose(browser, "signers-1-person", "Marc Leroy <marc@durand.test>")
    assert [by_id(browser, f"add-{role}").text for role in ("approvers", "cc")] == [
        "Ajouter un approbateur", "Ajouter un destinataire en copie"]
    # the form takes the card's width: the people on the left, the request's options on the right
    card = by_id(browser, "new-request-heading").find_element("xpath", "..")
    assert by_id(browser, "signature-form").size["width"] > card.size["width"] * .85
    assert by_id(browser, "field-expires_at").location["x"] > by_id(browser, "signers-0-order").location["x"]
    # the salespeople read no code: where a document's signature box goes is the templates' business
    assert "{{" not in by_id(browser, "signature-form").get_attribute("textContent")
    assert [css(browser, f"label[for='field-{name}']")[0].text for name in ("reminder_every_days", "reminder_max")] == [
        "Relance automatique tous les … jours", "Nombre maximum de relances"]
    # each person's turn is a "Tour", not the request's "Ordre de signature"
    assert css(browser, "label[for='signers-0-order']")[0].text == "Tour"
    assert by_id(browser, "signing-order").find_element("css selector", "legend").text.startswith("Ordre de signature")
    # on a phone the chosen people read in full, the turn a narrow box under them; every label above its field
    with on_a_phone(browser):
        for person in ("approvers-0-person", "signers-0-person", "signers-1-person"):
            text, room = text_and_room(browser, by_id(browser, person))
            assert text <= room, (person, text, room)
        turn, person = by_id(browser, "signers-0-order"), by_id(browser, "signers-0-person")
        assert turn.size["width"] < person.size["width"] / 3 and turn.location["y"] > person.location["y"]
        for field in (person, turn):
            label = css(browser, f"label[for='{field.get_attribute('id')}']")[0]
            assert label.location["y"] + label.size["height"] <= field.location["y"], label.text
            assert abs(label.location["x"] - field.location["x"]) < 2, label.text
    screenshot(browser, "signature-center-new")
    navigate(browser, "signature-submit")
    assert "envoyée" in notice(browser)
    assert statuses(browser, "approval") == [("Claire", "pending")]
    assert statuses(browser, "signature") == [("Jeanne", "waiting"), ("Marc", "waiting")]
    screenshot(browser, "signature-center-approval")

    # the approver approves from the link emailed to her: then the first signer's turn
    request = s.get(f"/api/v1/signature-requests?contract_id={contract['id']}", token=token).get_json()["items"][0]
    approval = w.wait(lambda: [m for m in w.mail.messages(to="claire@acme.test")
                               if dict(m["headers"]).get("X-Paraph-Template") == "signature_request"],
                      message="the approval request")[0]
    sign_token = next(link for link in approval["links"] if "/sign/" in link).rsplit("/sign/", 1)[1]
    info = s.get(f"/api/v1/sign/{sign_token}").get_json()
    r = s.post(f"/api/v1/sign/{sign_token}/approve", json={"consent": True, "consent_sha256": info["consent_sha256"]})
    assert r.status_code == 200, r.get_json()
    browser.refresh()
    assert statuses(browser, "approval") == [("Claire", "approved")]
    assert statuses(browser, "signature") == [("Jeanne", "pending"), ("Marc", "waiting")]

    # a reminder to Jeanne (only her turn has the button), then to everybody whose turn it is
    jeanne = next(p for p in request["participants"] if p["email"] == "jeanne@durand.test")
    assert not css(browser, "button[id^='remind-'][id$='" + request["participants"][-1]["id"] + "']")
    navigate(browser, f"remind-{jeanne['id']}")
    assert "relance" in notice(browser).lower()
    w.wait(lambda: reminders_to(w, "jeanne@durand.test") == 1, message="the reminder to Jeanne")
    navigate(browser, "remind-all")
    w.wait(lambda: reminders_to(w, "jeanne@durand.test") == 2, message="the reminder to everybody")
    assert reminders_to(w, "marc@durand.test") == 0  # not his turn yet
    screenshot(browser, "signature-center-signing")

    # cancel: asked once, naming the contract; then a new request can be prepared
    by_id(browser, "cancel-request-ask").click()
    assert contract["number"] in by_id(browser, "cancel-request").find_element("xpath", "..").text
    navigate(browser, "cancel-request")
    assert "annulée" in notice(browser)
    # a request ("la demande") is "Annulée"
    assert by_id(browser, "signature-form") and css(browser, "#past-requests .badge")[0].text == "Annulée"
    # nobody waits for a turn in a cancelled request: Jeanne was asked and did not answer, Marc was never asked
    past = by_id(browser, "past-requests").text
    assert "son tour" not in past and "Sans réponse" in past and "Non sollicité" in past, past
    # refused input is said on the page (nobody to sign)
    choose(browser, "signers-0-person", "—")
    navigate(browser, "signature-submit")
    assert by_id(browser, "form-message").text == "Choisissez au moins un signataire."
    # an error of a person is named after the form's row (row 2 here, the first one sent) above the form, and
    # said under that row, next to the input it is about (drawn again, the form shows the rows filled in)
    by_id(browser, "add-signers").click()
    choose(browser, "signers-1-person", "Marc Leroy <marc@durand.test>")
    fill_turn = by_id(browser, "signers-1-order")
    fill_turn.clear()
    fill_turn.send_keys("0")
    navigate(browser, "signature-submit")
    assert "Signataire 2, tour : entre 1 et 100." in " ".join(p.text for p in css(browser, "p.notice.err"))
    turn = by_id(browser, "signers-1-order")
    assert turn.get_attribute("aria-invalid") == "true"
    assert by_id(browser, "signers-1-order-error").text == "Tour : entre 1 et 100."
    assert "signers-1-order-error" in turn.get_attribute("aria-describedby")
    assert shown_rows(browser, "signers") == 2
    screenshot(browser, "signature-center-cancelled")

    # without JavaScript "Add a signer" is a link to the page with one more row; an address with anything else
    # shows one row
    assert by_id(browser, "add-signers").get_attribute("href").endswith("signers=3&cc=1#signers-fieldset")
    browser.get(f"{w.url}/contracts/{contract['id']}/signature?signers=3&approvers=x&cc=99")
    assert (shown_rows(browser, "approvers"), shown_rows(browser, "signers"), shown_rows(browser, "cc")) == (1, 3, 5)
    assert not css(browser, "#add-cc")  # every CC row shown

    # in English
    r = s.patch("/api/v1/me", token=token, json={"locale": "en"})
    assert r.status_code == 200, r.get_json()
    browser.delete_all_cookies()
    signing_in(w)(browser, "paul@acme.test", next_path=f"/contracts/{contract['id']}/signature")
    assert h1(browser) == f"Approval & signature — {contract['number']}"
    assert "Cancelled" in by_id(browser, "past-requests").text


def test_quote_sent_with_options_then_a_signer_reassigned(public_system, browser, screenshot):
    """A quote sent with a CC, all signers at once, a last day and a reminder every 2 days; the second signer
    is replaced (a reason is required: its refusal is said next to the form); the page shows the new signer,
    the reason in the history, the CC, the cadence and each signer's placed fields."""
    import datetime

    w, s = public_system, public_system.s
    admin = s.new_license("ACME Paris", "boss@acme.test")
    sales = s.add_user(admin, "paul@acme.test", name="Paul Martin")
    token = sales["access_token"]
    quote = document_of_durand(s, token, "quote", "Devis atelier", "Installation", "900")
    last_day = (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=20)).isoformat()
    last_day_after = (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=21)).isoformat()
    from babel.dates import format_date
    from paraph_platform.dates import first_of_month
    last_day_shown = first_of_month(format_date(datetime.date.fromisoformat(last_day), "medium", locale="fr"), "fr")

    signing_in(w)(browser, "paul@acme.test", next_path=f"/contracts/{quote['id']}/signature")
    # the license's cadence is offered; where the signers sign is said in words (the {{sig:1}} code placing their
    # box is for who writes the document templates)
    assert by_id(browser, "field-reminder_every_days").get_attribute("value")
    hints = css(browser, "#signers-fieldset p.hint")
    assert "{{" not in hints[0].text and "dernière page" in hints[0].text
    by_id(browser, "add-signers").click()
    choose(browser, "signers-1-person", "Marc Leroy <marc@durand.test>")
    by_id(browser, "signing-order-parallel").click()
    browser.execute_script("arguments[0].value = arguments[1]", by_id(browser, "field-expires_at"), last_day)
    every = by_id(browser, "field-reminder_every_days")
    every.clear()
    every.send_keys("99")
    by_id(browser, "cc-0-name").send_keys("Sophie Compta")
    by_id(browser, "cc-0-email").send_keys("compta@durand.test")
    # a cadence the API refuses: said next to its field, the rest of the form kept
    navigate(browser, "signature-submit")
    assert by_id(browser, "field-reminder_every_days-error").text
    assert by_id(browser, "signing-order-parallel").is_selected()
    assert by_id(browser, "cc-0-email").get_attribute("value") == "compta@durand.test"
    assert by_id(browser, "field-expires_at").get_attribute("value") == last_day
    every = by_id(browser, "field-reminder_every_days")
    every.clear()
    every.send_keys("2")
    # corrected, the field is no longer said to be wrong (the error was about the value sent)
    assert not by_id(browser, "field-reminder_every_days-error").is_displayed()
    assert every.get_attribute("aria-invalid") is None
    screenshot(browser, "signature-center-options")
    navigate(browser, "signature-submit")
    assert "envoyée" in notice(browser)

    # all at once: both signers' turn; the CC, the cadence and the last day are said; no approver: said so
    assert statuses(browser, "signature") == [("Jeanne", "pending"), ("Marc", "pending")]
    assert by_id(browser, "approval-center-nobody").text == "Aucune approbation demandée"
    assert "Sophie Compta" in by_id(browser, "request-cc").text
    assert by_id(browser, "request-cadence").text.startswith("Tous les 2 jours")
    assert by_id(browser, "request-order").text == "Tous en même temps"
    request = s.get(f"/api/v1/signature-requests?contract_id={quote['id']}", token=token).get_json()["items"][0]
    # the request expires at the end of the day chosen; that day is shown as the last one
    assert request["signing_order"] == "parallel" and request["expires_at"] == f"{last_day_after}T00:00:00Z"
    assert last_day_shown in by_id(browser, "request-dates").text
    assert request["cc"] == [{"name": "Sophie Compta", "email": "compta@durand.test"}]
    # each signer's placed fields (the quote's template carries a signature field per signer)
    fields = css(browser, "#signature-center-heading-table .placed-fields li")
    assert fields and all(f.get_attribute("data-filled") == "false" for f in fields)
    assert any(f.get_attribute("data-field-type") == "signature" for f in fields)

    # replacing Marc needs a reason: the refusal is said next to his form, what was typed kept
    marc = next(p for p in request["participants"] if p["email"] == "marc@durand.test")
    by_id(browser, f"reassign-{marc['id']}-open").click()
    by_id(browser, f"reassign-{marc['id']}-name").send_keys("Luc Martin")
    by_id(browser, f"reassign-{marc['id']}-email").send_keys("luc@durand.test")
    navigate(browser, f"reassign-{marc['id']}-submit")
    error = by_id(browser, f"reassign-{marc['id']}-reason-error")
    assert error.text == "Obligatoire." and error.is_displayed()
    assert by_id(browser, f"reassign-{marc['id']}-name").get_attribute("value") == "Luc Martin"
    screenshot(browser, "signature-center-reassign-refused")
    by_id(browser, f"reassign-{marc['id']}-reason").send_keys("Marc a quitté l'entreprise")
    navigate(browser, f"reassign-{marc['id']}-submit")
    assert "Luc Martin" in notice(browser)
    assert statuses(browser, "signature") == [("Jeanne", "pending"), ("Luc", "pending")]
    assert "Marc Leroy remplacé(e) par Luc Martin : Marc a quitté l'entreprise" in by_id(browser, "request-history").text
    assert "Sophie Compta" in by_id(browser, "request-cc").text
    assert by_id(browser, "request-cadence").text.startswith("Tous les 2 jours")
    w.wait(lambda: w.mail.messages(to="luc@durand.test"), message="the new signer's request")
    screenshot(browser, "signature-center-reassigned")


    # Jeanne signs while her reassignment is being typed: the refusal (409) is said next to her form
    from signing_service import testing as esign
    jeanne = next(p for p in request["participants"] if p["email"] == "jeanne@durand.test")
    by_id(browser, f"reassign-{jeanne['id']}-open").click()
    by_id(browser, f"reassign-{jeanne['id']}-name").send_keys("Paul Durand")
    by_id(browser, f"reassign-{jeanne['id']}-email").send_keys("paul@durand.test")
    by_id(browser, f"reassign-{jeanne['id']}-reason").send_keys("Absente")
    assert esign.sign_via_link(s, "jeanne@durand.test").status_code == 200
    navigate(browser, f"reassign-{jeanne['id']}-submit")
    assert "ne peut plus être remplacée" in by_id(browser, f"reassign-{jeanne['id']}-message").text
    assert statuses(browser, "signature") == [("Jeanne", "signed"), ("Luc", "pending")]
    jeanne_fields = css(browser, f"tr[data-participant='{jeanne['id']}'] .placed-fields li")
    assert jeanne_fields and all(f.get_attribute("data-filled") == "true" for f in jeanne_fields)
    screenshot(browser, "signature-center-reassign-too-late")

    # the quote's page meanwhile: not accepted by hand while its signers are being asked (the reason said)
    browser.get(f"{w.url}/contracts/{quote['id']}")
    by_id(browser, "status-moves-open").click()
    accepted = by_id(browser, "status-accepted")
    assert accepted.is_displayed() and not accepted.is_enabled()
    assert "annulez d'abord la demande" in by_id(browser, "status-accepted-why").text
    assert "status-accepted-why" in accepted.get_attribute("aria-describedby")
    assert by_id(browser, "status-refused-ask").is_enabled()  # the other moves stay
    screenshot(browser, "quote-accepted-waits-for-the-signature")

    # in English
    assert s.patch("/api/v1/me", token=token, json={"locale": "en"}).status_code == 200
    browser.delete_all_cookies()
    signing_in(w)(browser, "paul@acme.test", next_path=f"/contracts/{quote['id']}/signature")
    assert by_id(browser, "request-cadence").text == "Every 2 days, at most 3 per person"
    assert by_id(browser, "request-order").text == "All at once"
    assert "Marc Leroy replaced by Luc Martin: Marc a quitté l'entreprise" in by_id(browser, "request-history").text
