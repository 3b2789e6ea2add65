"""The online quote page and the customer portal in a real headless Chromium, against the gateway
served on a loopback port (werkzeug server in a thread) and the real services of the test."""
import functools
import os
import re

import pytest

from paraph_platform.testing import wait_for
from tests.e2e.web.browsing import across_in_view, scrolls_sideways

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
def live(world):
    """The test's gateway app on http://127.0.0.1:<port> (stopped with the system)."""
    return world.s.serve()


# a browser shares the machine's cores: 20 s for what the page shows
wait = functools.partial(wait_for, timeout=20.0, interval=0.1)


def downloaded(driver, name):
    path = os.path.join(driver.downloads, name)
    return path if os.path.exists(path) and os.path.getsize(path) > 0 else None


def compact(text):
    return re.sub(r"\s", "", text.replace("\u202f", "").replace("\xa0", ""))


def test_online_quote_page_view_download_and_feedback(world, live, browser):
    from selenium.webdriver.common.by import By
    s, w = world.s, world
    sent = w.send_quote(request_signature=False, attach_pdf=True)
    path = "/q/" + sent["link"].rsplit("/q/", 1)[1]

    browser.get(live + path)
    assert browser.find_element(By.ID, "quote-number").text == f"Devis {w.quote['number']}"
    assert browser.find_element(By.ID, "quote-title").text == "Équipement atelier"
    # who sends the quote, at once: the seller's company in the top bar, who in it under the title
    assert browser.find_element(By.CSS_SELECTOR, "header.top .brand").text == "Vendeur SA"
    assert browser.find_element(By.ID, "quote-from").text == "De la part de Paul Martin"
    assert browser.find_element(By.ID, "quote").text.count("Paul Martin") == 1  # not again as "Votre interlocuteur"
    assert browser.find_element(By.ID, "quote-customer").text == "ACME Industries"
    lines = browser.find_elements(By.CSS_SELECTOR, "#quote-lines tr.line")
    assert [l.find_element(By.TAG_NAME, "td").text for l in lines] == ["Perceuse <industrielle> (PX-1)", "Formation"]
    # on a phone: each line a block (its designation, "2 u × 450,00 € · TVA 20 %", its amount on the right),
    # nothing to scroll sideways to read the amounts; at the desktop's width the table as it was
    assert lines[0].value_of_css_property("display") == "table-row"
    browser.set_window_size(375, 900)
    amount = lines[0].find_element(By.CSS_SELECTOR, "td.amount")
    assert not scrolls_sideways(browser) and across_in_view(browser, amount)
    assert compact(amount.text) == "900,00€"
    assert not browser.find_elements(By.CSS_SELECTOR, "#quote-lines td.discount")  # no line with a discount: no column
    browser.set_window_size(1280, 1600)
    assert "Extension de garantie" in browser.find_element(By.ID, "quote-optional-lines").text
    assert compact(browser.find_element(By.ID, "quote-total").text) == "1410,00€"
    # two rates: each with its base, then the total VAT (one rate: a single "TVA 20 %" line)
    assert [compact(r.text)[:8] for r in browser.find_elements(By.CSS_SELECTOR, "#quote-totals tr.tax")] == [
        "TVA10%su", "TVA20%su", "TotalTVA"]
    assert browser.find_element(By.ID, "quote-valid-until").text == "31 décembre 2031"
    assert browser.find_elements(By.ID, "sign") == []  # no signing service in this system
    wait(lambda: w.rows("portal", "select count(*) from quote_activity where kind = 'viewed'")[0][0] == 1,
         message="the view recorded")

    # Télécharger le PDF
    download = browser.find_element(By.ID, "download")
    assert download.text == "Télécharger le PDF"
    download.click()
    file = wait(lambda: downloaded(browser, f"{w.quote['number']}.pdf"), message="the PDF download")
    with open(file, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    wait(lambda: w.outbox("portal", "quote.downloaded.v1"), message="quote.downloaded.v1")
    event = w.outbox("portal", "quote.downloaded.v1")[-1]["data"]
    assert "Chrome" in event["user_agent"] and event["ip"] == "127.0.0.1" and event["contact_id"] == w.alice["id"]

    # feedback to the salesperson, named as everywhere on the client's pages: "votre interlocuteur"
    assert browser.find_element(By.CSS_SELECTOR, "#feedback h2").text == "Envoyer un retour à votre interlocuteur"
    browser.find_element(By.ID, "feedback-message").send_keys("Pouvez-vous livrer avant mars ?")
    browser.find_element(By.ID, "feedback-send").click()
    thanks = wait(lambda: browser.find_elements(By.ID, "feedback-thanks"), message="the thank-you notice")
    assert thanks[0].get_attribute("textContent") == "Merci\u00a0! Votre message a été transmis à votre interlocuteur."
    mail = wait(lambda: w.notifications("portal", "quote_feedback", "paul@vendeur.test"), message="feedback email")
    assert mail[-1]["vars"]["message"] == "Pouvez-vous livrer avant mars ?"

    # counted in the quote list (contracts consumes the portal's events) and in the activity
    s.wait_for(lambda: w.quote_counts() == (1, 1), message="view/download counts")
    activity = s.get(f"/api/v1/quotes/{w.quote['id']}/activity", token=w.sales_token).get_json()
    assert [e["kind"] for e in activity["events"]] == ["viewed", "downloaded", "feedback"]

    # English version of the page
    browser.find_element(By.ID, "lang-switch").click()
    wait(lambda: browser.find_element(By.ID, "download").text == "Download the PDF", message="the English page")
    assert browser.find_element(By.ID, "quote-number").text == f"Quote {w.quote['number']}"
    assert browser.find_element(By.ID, "quote-from").text == "From Paul Martin"
    assert browser.find_element(By.CSS_SELECTOR, "#feedback h2").text == "Send feedback to your contact person"
    # an unknown link: a friendly page, not a stack trace
    browser.get(live + "/q/" + "Z" * 43)
    assert "Lien introuvable" in browser.find_element(By.TAG_NAME, "h1").text


def test_customer_portal_sign_in_contracts_and_visible_documents(world, live, browser):
    from selenium.webdriver.common.by import By
    w = world
    w.grant("alice", "8005551216")
    w.client("alice")  # the invitation link: password set
    w.share(w.contract["id"], "alice")

    browser.get(live + "/portal")
    browser.find_element(By.ID, "login-email").send_keys("alice@acme.test")
    browser.find_element(By.ID, "login-password").send_keys("a long enough password")
    browser.find_element(By.ID, "login-user-code").send_keys("8005551216")
    browser.find_element(By.ID, "login-submit").click()
    item = wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#contract-list li.contract"), message="contracts list")
    assert len(item) == 1 and w.contract["number"] in item[0].text
    # everything here is the client's to see: no staff note "visible on the portal", no green mark
    assert "ligne verte" not in browser.page_source and "portail" not in browser.find_element(By.ID, "contracts").text
    assert item[0].value_of_css_property("border-left-width") == "0px"
    assert not browser.find_elements(By.CSS_SELECTOR, "#contracts .green-dot")
    # the page's dates, as the signing page's, write the first of a month "1er" in French (client_pages.js)
    first_of_march = ("return clientPages.dateText(new Intl.DateTimeFormat(arguments[0], {day: 'numeric', "
                      "month: 'long', year: 'numeric', timeZone: 'UTC'}), new Date(Date.UTC(2027, 2, 1)))")
    assert browser.execute_script(first_of_march, "fr-FR") == "1er mars 2027"
    assert browser.execute_script(first_of_march, "en-GB") == "1 March 2027"

    item[0].find_element(By.TAG_NAME, "a").click()
    wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#attachment-list li.attachment"), message="contract page")
    assert browser.find_element(By.ID, "contract-heading").text == f"Contrat {w.contract['number']}"
    # not signed (and no signing service here): the document is its PDF, the one download offered
    pdf = browser.find_element(By.ID, "contract-pdf")
    assert pdf.is_displayed() and pdf.text == "Télécharger le PDF"
    assert not browser.find_elements(By.ID, "contract-signed-pdf")
    # a plain download link: its file name (then its size)
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#attachment-list li.attachment a")] == ["visible.pdf"]
    milestones = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#milestone-list li.milestone")]
    assert len(milestones) == 1 and milestones[0].startswith("Kick-off")
    browser.find_element(By.CSS_SELECTOR, "#attachment-list li.attachment a").click()
    wait(lambda: downloaded(browser, "visible.pdf"), message="attachment download")

    # tasks page (no signing service here: an explicit notice)
    browser.get(live + "/portal/tasks")
    wait(lambda: browser.find_element(By.ID, "signing-unavailable").is_displayed(), message="tasks page")
    # signing out returns to the sign-in form
    browser.find_element(By.ID, "logout").click()
    wait(lambda: browser.find_element(By.ID, "login").is_displayed(), message="sign-in form")
