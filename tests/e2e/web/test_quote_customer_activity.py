"""What the customer did with a quote sent by email, on its contract page ("Customer activity", Initiative CRM:
the quote's views and downloads are tracked, the contact can "envoyer un retour au contact commercial"),
in headless Chromium against every real service:

1. the salesperson sends the quote from its send page; the contract page says it was not opened yet, and when
   it was sent;
2. the contact, from the email: opens the online quote, downloads the PDF, sends a remark;
3. the salesperson (reading in Paris time) sees the three, latest first, each with the contact's name and
   the time with its offset, the remark in full and set apart; the home page's "recently viewed online"
   leads to that section.

The web app is the one public address (``public_system``): the emailed links land on it."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .browsing import by_id, css, ok
from .conftest import signing_in
from .test_admin_area import navigate, notice
from .test_salesperson_day import emails

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

REMARK = "Pouvez-vous livrer avant mars ?\nEt ajouter la pose, si possible."
# "6 déc. 2026, 06:40 UTC+1": the reader's time zone, with its offset
SHORT_MOMENT = r"\d{1,2} \S+ \d{4}, \d{2}:\d{2} UTC\+1"


def test_the_salesperson_sees_who_viewed_downloaded_and_commented_a_sent_quote(public_system, browser, screenshot):
    w, s = public_system, public_system.s
    admin = s.new_license("ACME Paris", "boss@acme.test")
    T = s.add_user(admin, "paul@acme.test", name="Paul Martin")["access_token"]
    customer = ok(s.post("/api/v1/customers", token=T, json={"name": "Atelier Durand", "contacts": [
        {"first_name": "Claire", "last_name": "Durand", "email": "claire@durand.test"}]}))
    quote = ok(s.post("/api/v1/contracts", token=T, json={
        "kind": "quote", "title": "Équipement atelier", "customer_id": customer["id"],
        "contact_id": customer["contacts"][0]["id"],
        "lines": [{"description": "Perceuse industrielle", "quantity": "2", "unit_price": "600", "tax_rate": "20"}]}))
    page = f"/contracts/{quote['id']}"

    # a reader in Paris: times in Paris time (the browser's zone, kept by app.js for the next pages)
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Paris"})
    sign_in = signing_in(w)
    sign_in(browser, "paul@acme.test", next_path=page)
    assert not css(browser, "#customer-activity")  # a draft never sent: no such section

    # -- sent by email from its send page: not opened yet, and since when ----------------------------------
    navigate(browser, "send-by-email")
    navigate(browser, "send-submit")
    assert "claire@durand.test" in notice(browser)
    empty = by_id(browser, "customer-activity").text
    assert "Activité du client" in empty and "Pas encore ouvert" in empty, empty
    assert re.search("Envoyé le " + SHORT_MOMENT, empty), empty
    screenshot(browser, "quote-activity-not-opened")
    [sent] = w.wait(lambda: emails(w, "claire@durand.test", "quote_send"), message="the quote email")
    quote_link = next(link for link in sent["links"] if "/q/" in link)

    # -- the contact: the online quote, its PDF, a remark -------------------------------------------------
    browser.delete_all_cookies()
    browser.get(w.link(quote_link))
    number = quote["number"]
    assert by_id(browser, "quote-number").text == f"Devis {number}"
    by_id(browser, "download").click()
    pdf = Path(browser.downloads) / f"{number}.pdf"
    w.wait(lambda: pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), message="the PDF downloaded")
    by_id(browser, "feedback-message").send_keys(REMARK)
    by_id(browser, "feedback-send").click()
    by_id(browser, "feedback-thanks")
    # post/redirect/get: the thanks are a page of their own, which a refresh shows again without sending again
    assert urlsplit(browser.current_url).path.endswith("/feedback")
    browser.refresh()
    assert "Merci" in by_id(browser, "feedback-thanks").text and by_id(browser, "feedback-message").text == ""
    screenshot(browser, "quote-feedback-sent")

    # -- the salesperson: who did what, when, latest first; the remark in full, set apart -----------------
    def recorded():
        activity = s.get(f"/api/v1/quotes/{quote['id']}/activity", token=T).get_json()
        return activity if activity["feedback"] == 1 and activity["downloads"] == 1 else None
    activity = w.wait(recorded, message="the activity recorded")
    assert [e["kind"] for e in activity["events"]] == ["viewed", "downloaded", "feedback"]
    assert {e["contact_name"] for e in activity["events"]} == {"Claire Durand"}

    sign_in(browser, "paul@acme.test", next_path="/")
    browser.refresh()  # the home page keeps the browser's zone for the next pages
    viewed = by_id(browser, "recently-viewed")
    link = next(a for a in viewed.find_elements("css selector", "a") if a.text == number)
    assert urlsplit(link.get_attribute("href")).fragment == "customer-activity"
    navigate(browser, link)
    assert urlsplit(browser.current_url).path == page
    rows = css(browser, "#customer-activity-list li")
    assert [r.get_attribute("data-kind") for r in rows] == ["feedback", "downloaded", "viewed"]
    feedback, download, view = rows
    for row, what in ((feedback, "Retour du client"), (download, "PDF téléchargé"), (view, "Consulté en ligne")):
        assert what in row.text and "Claire Durand" in row.text and "page du devis" in row.text, row.text
        assert re.search(SHORT_MOMENT, row.find_element("css selector", "time").text), row.text
    message = feedback.find_element("css selector", ".feedback-message")
    assert message.text == REMARK  # in full, its line break kept
    # set apart from the views and downloads: what the salesperson acts on
    assert "feedback" in feedback.get_attribute("class").split()
    assert feedback.value_of_css_property("background-color") != view.value_of_css_property("background-color")
    assert "Pas encore ouvert" not in by_id(browser, "customer-activity").text
    browser.execute_script("document.getElementById('customer-activity').scrollIntoView()")
    screenshot(browser, "quote-activity")
