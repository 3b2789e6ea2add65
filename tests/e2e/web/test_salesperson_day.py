"""The salesperson's day (issue 11's "done means"), through the pages only, in headless Chromium against
every real service, with a screenshot at each step:

1. as the salesperson: create a customer with a contact, give the contact portal access (restricted to
   127.0.0.1, this test's address), write a quote with an optional product in the quote editor, send it
   by email asking for an electronic signature (the send page: recipient, template, subject, message);
2. as the contact, from the email: open the online quote, download it, send a remark, sign with the
   one-time code emailed to them;
3. back as the salesperson: the view and the download in the quote's history with the email sent, the
   quote "Accepté", the banner naming the signer and the date, the proof of signature (a PDF); the accepted quote
   on the home page ("Acceptés — à transformer"), its order the page's filled button, then gone from there.

The web app is the one public address (``public_system``): the emailed links land on it."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from .browsing import by_id, filled_buttons, in_view, lines_of, more_actions, on_a_phone
from .conftest import PASSWORD, signing_in
from .test_admin_area import css, h1, navigate, notice
from .test_customers import fill

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

SUBJECT = "Votre devis pour l'atelier"


def emails(w, to: str, template: str) -> list[dict]:
    return [m for m in w.mail.messages(to=to) if dict(m["headers"]).get("X-Paraph-Template") == template]


def choose(browser, select_id: str, text: str):
    from selenium.webdriver.support.ui import Select
    Select(by_id(browser, select_id)).select_by_visible_text(text)


def history(browser) -> list[str]:
    return [li.get_attribute("data-action") for li in css(browser, "#history-list li")]


def choice_fits(browser, select) -> bool:
    """Whether a closed select shows its chosen option's words whole (a select cuts them at its arrow): their
    width in the select's font against the room between its paddings."""
    return browser.execute_script("""
        const select = arguments[0], style = getComputedStyle(select), probe = document.createElement("span");
        probe.style.font = style.font;
        probe.style.whiteSpace = "pre";
        probe.textContent = select.selectedOptions[0].text;
        document.body.append(probe);
        const width = probe.getBoundingClientRect().width;
        probe.remove();
        return width <= select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);""", select)


def email_shown(browser) -> str:
    """The words of the email in the page's preview frame."""
    browser.switch_to.frame(by_id(browser, "preview-html"))
    try:
        return browser.find_element("tag name", "body").text
    finally:
        browser.switch_to.default_content()


def test_the_salespersons_day(public_system, browser, screenshot):
    from selenium.webdriver.support.ui import Select
    w, s = public_system, public_system.s
    admin = s.new_license("ACME Paris", "boss@acme.test")
    s.add_user(admin, "paul@acme.test", name="Paul Martin")
    sign_in = signing_in(w)

    # -- morning: the salesperson creates the customer and its contact ---------------------------------
    sign_in(browser, "paul@acme.test", next_path="/customers")
    navigate(browser, "new-customer-link")
    fill(browser, {"field-name": "Atelier Durand", "field-code": "C200", "field-city": "Lille",
                   "field-contact_first_name": "Claire", "field-contact_last_name": "Durand",
                   "field-contact_email": "claire@durand.test"})
    navigate(browser, "customer-submit")
    assert h1(browser) == "Atelier Durand"
    screenshot(browser, "day-1-customer")

    # the contact's portal access, restricted to this test's address
    navigate(browser, "tab-portal")
    navigate(browser, css(browser, "#portal-accesses a")[0])
    fill(browser, {"field-allowed_ip": "127.0.0.1"})
    screenshot(browser, "day-2-portal-access")
    navigate(browser, "access-submit")
    w.wait(lambda: emails(w, "claire@durand.test", "client_invitation"), message="the portal invitation")

    # -- the quote: two lines, the second an optional product ---------------------------------------------
    navigate(browser, "back-to-customer")
    navigate(browser, "new-quote-link")
    fill(browser, {"field-title": "Équipement atelier"})
    # the customer's only contact is whom the quote is for, already chosen
    assert Select(by_id(browser, "field-contact_id")).first_selected_option.text == "Claire Durand"
    if css(browser, "#refresh-pickers"):  # without JavaScript the contact picker needs the customer first
        navigate(browser, "refresh-pickers")
    choose(browser, "field-contact_id", "Claire Durand")
    for n, line in enumerate(({"description": "Perceuse industrielle", "quantity": "2", "unit_price": "600",
                               "tax_rate": "20"},
                              {"description": "Extension de garantie", "quantity": "1", "unit_price": "150",
                               "tax_rate": "20"})):
        navigate(browser, "add-line")
        fill(browser, {f"line-{n}-{key}": value for key, value in line.items()})
    # "Selected by the customer" is offered once the line is an optional product, not on every line
    assert not by_id(browser, "line-1-selected").is_displayed()
    by_id(browser, "line-1-optional").click()
    assert by_id(browser, "line-1-selected").is_displayed() and not by_id(browser, "line-0-selected").is_displayed()
    with on_a_phone(browser):  # a line is a card of two columns: its amount under its name, not mid-column
        # read in one script: the totals' refresh after the click may be swapping the amount in at this instant
        assert browser.execute_script("return getComputedStyle(document.getElementById('line-amount-0'))"
                                      ".textAlign") in ("left", "start")
    screenshot(browser, "day-3-quote-editor")
    navigate(browser, "quote-submit")
    assert "Équipement atelier" in by_id(browser, "contract-title").text
    quote_id = urlsplit(browser.current_url).path.split("/")[2]
    number = h1(browser).split()[-1]
    assert [tr.get_attribute("class") for tr in css(browser, "#contract-lines tbody tr")] == ["", "optional"]
    assert "1 440,00" in by_id(browser, "contract-total").text.replace("\u202f", " ").replace("\xa0", " ")

    # -- "Envoyer par email", with the electronic signature asked (on by default) ---------------------
    assert by_id(browser, "send-by-email").text == "Envoyer par email"
    navigate(browser, "send-by-email")
    assert by_id(browser, "field-request_signature").is_selected()  # e-signature is enabled: on by default
    assert "Claire Durand" in by_id(browser, "field-contact_id").text
    # the quote's contact named by the group of its option: the option's words fit a phone's width
    with on_a_phone(browser):
        recipient = by_id(browser, "field-contact_id")
        assert recipient.find_element("css selector", "option:checked").text == "Claire Durand <claire@durand.test>"
        assert recipient.find_element("css selector", "option:checked").find_element("xpath", "..").get_attribute(
            "label") == "Contact du devis"
        assert choice_fits(browser, recipient)
    assert number in by_id(browser, "preview-subject").text  # the template's subject, to edit
    # the email as Claire will see it (its button to the quote), its plain text one click away
    assert "Consulter le devis" in email_shown(browser)
    by_id(browser, "preview-text-version").find_element("tag name", "summary").click()
    assert "Consulter le devis" in by_id(browser, "preview-text").text
    fill(browser, {"field-subject": SUBJECT, "field-message": "Voici notre proposition, comme convenu mardi."})
    navigate(browser, "send-preview")
    assert "Voici notre proposition, comme convenu mardi." in email_shown(browser)
    assert by_id(browser, "field-subject").get_attribute("value") == SUBJECT  # kept as written
    screenshot(browser, "day-4-send")
    navigate(browser, "send-submit")
    assert "claire@durand.test" in notice(browser)
    # the page's top, where the notice says who got it (not its history at the bottom, which hid the notice)
    assert "#" not in browser.current_url and in_view(browser, css(browser, "p.notice")[0])
    assert "sent" in history(browser)
    emailed = by_id(browser, "emails-sent").text  # the email itself: to whom, PDF, signature asked
    assert "claire@durand.test" in emailed and "PDF joint" in emailed and "signature électronique" in emailed
    assert by_id(browser, "send-by-email").text == "Relancer par email"
    [sent] = w.wait(lambda: emails(w, "claire@durand.test", "quote_send"), message="the quote email")
    assert sent["subject"] == SUBJECT and "Voici notre proposition, comme convenu mardi." in sent["text"]
    # from the company Claire deals with (she does not know Paraph), a reply reaching Paul
    assert sent["from"].startswith("ACME Paris <") and ["Reply-To", "paul@acme.test"] in sent["headers"]
    quote_link = next(link for link in sent["links"] if "/q/" in link)
    # an e-signature asked: the customer is to sign (the request reaches the quote's page in a moment)
    w.wait(lambda: (browser.refresh() or True)
           and by_id(browser, "signature-banner").text.startswith("En attente de la signature du client."),
           message="the signature awaited")
    screenshot(browser, "day-5-sent")
    # Paul asked for the signature (with the email), not Paraph on its own
    asked = css(browser, '#history-list li[data-action="signature_requested"]')[0]
    assert "Paul Martin" in asked.text and "Paraph" not in asked.text
    # the signature center of the request under way: no approver, so no word about the approvers' turn
    navigate(browser, "signature-center")
    assert by_id(browser, "request-dates").text.startswith("Envoyée le") and not css(browser, "#approvers-first")
    screenshot(browser, "day-5-signature-center")

    # -- the contact: the online quote from the email, the PDF, a remark, the signature --------------------
    browser.delete_all_cookies()
    browser.get(w.link(quote_link))
    assert by_id(browser, "quote-number").text == f"Devis {number}"
    # who sends it, at once: the seller's company in the top bar, "De la part de <owner>" under the title
    assert css(browser, "header.top .brand")[0].text == "ACME Paris"
    assert by_id(browser, "quote-from").text == "De la part de Paul Martin"
    assert by_id(browser, "quote").text.count("ACME Paris") == 0  # the company once, in the top bar
    assert by_id(browser, "quote-status").text == "En attente de votre réponse"  # the client's words, not "Envoyé"
    assert "Extension de garantie" in by_id(browser, "quote-optional-lines").text
    # the actions are the product's one blue, only the sale's one filled; the feedback's button says what it does
    blue = ("rgba(31, 79, 209, 1)", "rgb(31, 79, 209)")
    assert by_id(browser, "sign").value_of_css_property("background-color") in blue
    assert by_id(browser, "feedback-send").value_of_css_property("background-color") in ("rgba(255, 255, 255, 1)",
                                                                                         "rgb(255, 255, 255)")
    assert by_id(browser, "feedback-send").value_of_css_property("color") in blue
    assert by_id(browser, "feedback-send").text == "Envoyer mon retour"
    # the status badge sits on the title's line (its top right), not floating lower in the card
    title, status, card = (by_id(browser, i).rect for i in ("quote-number", "quote-status", "quote"))
    assert title["y"] <= status["y"] + status["height"] / 2 <= title["y"] + title["height"]
    assert status["x"] + status["width"] >= card["x"] + card["width"] - 40
    screenshot(browser, "day-6-online-quote")
    by_id(browser, "download").click()  # in the browser: a link scanner's fetch would not count as a download
    pdf = Path(browser.downloads) / f"{number}.pdf"
    w.wait(lambda: pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), message="the PDF downloaded")
    by_id(browser, "feedback-message").send_keys("Pouvez-vous livrer avant mars ?")
    by_id(browser, "feedback-send").click()
    by_id(browser, "feedback-thanks")
    navigate(browser, "sign")
    assert urlsplit(browser.current_url).path.startswith("/sign/")
    assert css(browser, "header.top .brand")[0].text == "ACME Paris"  # the sender, as on the quote page
    by_id(browser, "send").click()
    code_mail = w.wait(lambda: emails(w, "claire@durand.test", "signature_otp"), message="the one-time code")[-1]
    code = re.search(r"\b(\d{6})\b", code_mail["text"]).group(1)
    by_id(browser, "otp").send_keys(code)
    by_id(browser, "consent").click()
    # the link's expiry: a readable date and time with its zone ("3 janv. 2027, 23:52 UTC"), not raw ISO
    assert re.fullmatch(r"Lien valable jusqu'au \d{1,2} \S+ \d{4}, \d{2}:\d{2} UTC", by_id(browser, "expires").text)
    screenshot(browser, "day-7-signing")
    by_id(browser, "go").click()
    w.wait(lambda: "signé" in by_id(browser, "msg").text, message="the signature")
    screenshot(browser, "day-8-signed-by-the-contact")
    # Claire's copy of the signed document comes from ACME Paris and is signed by it; Paul's own news, from Paraph
    [copy] = w.wait(lambda: emails(w, "claire@durand.test", "signature_completed"), message="the signer's copy")
    assert copy["from"].startswith("ACME Paris <") and copy["text"].rstrip().endswith("Cordialement,\r\nACME Paris")
    assert "Paraph" not in copy["text"].replace("Envoyé par Paraph", "")
    assert code_mail["from"].startswith("ACME Paris <")
    [news] = w.wait(lambda: emails(w, "paul@acme.test", "signature_completed_owner"), message="the owner's news")
    assert news["from"].startswith("Paraph <") and news["text"].rstrip().endswith("L'équipe Paraph")
    # the times in Paris time, as Paul reads them, not UTC
    assert re.search(r"le \d{1,2}(er)? \S+ \d{4} à \d{2}:\d{2} \(heure de Paris\)", news["text"]), news["text"]
    assert "(UTC)" not in news["text"]

    # the portal access works from this address: the invitation's set-password page, then the portal
    invitation = emails(w, "claire@durand.test", "client_invitation")[-1]
    browser.get(w.link(next(link for link in invitation["links"] if "set-password" in link)))
    for field in ("field-password", "field-password_confirm"):
        by_id(browser, field).send_keys(PASSWORD)
    by_id(browser, "password-submit").click()
    w.wait(lambda: urlsplit(browser.current_url).path.startswith("/portal"), message="the portal")
    # the portal's sign-in, in the language of her invitation (French, whatever her browser's), says her password
    # is saved; once signed in, the top bar names the company
    w.wait(lambda: by_id(browser, "password-set").is_displayed(), message="the password saved notice")
    assert by_id(browser, "password-set").text.replace("\u00a0", " ") == "Votre mot de passe est enregistré : connectez-vous."
    assert css(browser, "header.top .brand")[0].text == "Portail client"  # nobody signed in yet: whose is unknown
    screenshot(browser, "day-8-portal-password-saved")
    # her email is filled in from the set-password page (after the address's #, which no server sees)
    assert by_id(browser, "login-email").get_attribute("value") == "claire@durand.test"
    by_id(browser, "login-password").send_keys(PASSWORD)
    by_id(browser, "login-submit").click()
    w.wait(lambda: by_id(browser, "contracts").is_displayed(), message="Claire in the portal")
    assert css(browser, "header.top .brand")[0].text == "ACME Paris — Portail client"
    assert browser.title == "ACME Paris — Portail client" and not by_id(browser, "password-set").is_displayed()
    screenshot(browser, "day-8-portal-signed-in")

    # -- back as the salesperson: accepted, signed by Claire, viewed and downloaded, the proof ------------
    browser.delete_all_cookies()
    sign_in(browser, "paul@acme.test", next_path=f"/contracts/{quote_id}")
    w.wait(lambda: (browser.refresh() or True) and "Accepté" in by_id(browser, "contract-status").text,
           message="the quote accepted")
    banner = by_id(browser, "signature-banner").text
    assert "Accepté" in banner and "Claire Durand" in banner and re.search(r"\d{4}", banner)
    actions = history(browser)
    for action in ("sent", "signature_completed"):
        assert action in actions, (action, actions)
    # the customer's views and downloads are said once, in the customer activity, with who did them
    assert "portal_viewed" not in actions and "portal_downloaded" not in actions
    activity = [li.get_attribute("data-kind") for li in css(browser, "#customer-activity-list li")]
    assert "viewed" in activity and "downloaded" in activity, activity
    # the sale's next step, its order, is the page's one filled action; the signed PDF is outlined beside it
    assert filled_buttons(browser) == ["Créer une commande"]
    assert by_id(browser, "download-signed-pdf").text == "Télécharger le document signé"  # the portal's words
    screenshot(browser, "day-9-accepted")
    proof = requests.get(by_id(browser, "proof-pdf").get_attribute("href"), timeout=30,
                         cookies={c["name"]: c["value"] for c in browser.get_cookies()})
    assert proof.status_code == 200 and proof.content.startswith(b"%PDF")
    assert proof.headers["Content-Type"].startswith("application/pdf")

    # -- the home page: "+ Devis" its one action; the accepted quote there until its order is made --------------
    navigate(browser, css(browser, "a.brand")[0])  # the top bar's "Paraph": today's work
    assert filled_buttons(browser) == ["+ Devis"]
    assert by_id(browser, "to-convert-heading").text == "Acceptés — à transformer"
    assert [tr.get_attribute("data-number") for tr in css(browser, "#to-convert-list tbody tr")] == [number]
    screenshot(browser, "day-9-home-to-convert")
    navigate(browser, css(browser, f'#to-convert-list tr[data-number="{number}"] a')[0])

    # -- the order: made from the accepted quote, each naming the other in its history ---------------------------
    navigate(browser, "convert-order")
    order_number = h1(browser).split()[-1]
    order_id = urlsplit(browser.current_url).path.split("/")[2]
    assert h1(browser).startswith("Commande ") and order_number in notice(browser)
    created = css(browser, '#history-list li[data-action="created"]')[0]
    assert "Créé à partir du devis : " + number in created.text.replace("\u00a0", " ")
    source = created.find_element("css selector", "a.history-source")
    screenshot(browser, "day-10-order")
    with on_a_phone(browser):  # the quote's number kept whole on a phone
        assert lines_of(browser, source, number) == 1
    navigate(browser, source)  # to the quotes list, searching for the quote
    assert [a.text for a in css(browser, "main table tbody a")][:1] == [number]
    navigate(browser, css(browser, "main table tbody a")[0])
    converted = css(browser, '#history-list li[data-action="converted"]')[0]
    assert "Transformé en commande : " + order_number in converted.text.replace("\u00a0", " ")
    # converted: the signed PDF is the filled button again, a second order among the rarer actions
    assert filled_buttons(browser) == ["Télécharger le document signé"]
    more_actions(browser)
    assert by_id(browser, "convert-order").is_displayed()

    # -- the order to confirm: "Confirmer la commande", its filled button; on the home page, nothing left to convert
    browser.get(w.url + f"/contracts/{order_id}")
    assert filled_buttons(browser) == ["Confirmer la commande"]
    screenshot(browser, "day-11-order-to-confirm")
    navigate(browser, "status-confirmed")
    assert by_id(browser, "contract-status").text == "Confirmée"
    browser.get(w.url + "/")
    assert not css(browser, "#to-convert-list") and "Aucun devis accepté" in by_id(browser, "to-convert").text
    screenshot(browser, "day-12-home-nothing-to-convert")
