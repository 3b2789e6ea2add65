"""What a sales team expects of the staff pages, in headless Chromium against the real services, as a license admin
uses them (the cases one by one: web/tests/test_sales_team_home_and_actions.py):

1. a new license admin's home page says what is left to set up ("Premiers pas"), each step a link to its page,
   ticked once done there; perimeters become a step with a second salesperson; "Masquer" hides it, and it goes once
   every step is done; a salesperson never sees it;
2. the last seat of a subscription shared by two companies taken, an invitation is refused in a sentence: "ACME
   Lyon utilise 1 licence, ACME Paris utilise 3 licences" (it read "1 par ACME Lyon");
3. the admin's own accepted quote is listed once, to validate (not also among those to convert), its page offers no
   "Approbation et signature"; validated, it is to convert; an abandoned quote offers neither a signature nor an
   order;
4. an email template's preview says when it shows changes not saved yet."""
from __future__ import annotations

import pytest

from tests.e2e.web.browsing import by_id, css, filled_buttons, fill, more_actions, ok, text_of
from tests.e2e.web.test_admin_area import navigate

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

COOKIE = "paraph_getting_started_hidden"
EXTRA_SERVICES = ("portal",)  # a quote page's customer activity (online views), as a sales team has it


def checklist(browser) -> dict[str, str]:
    """step -> its badge's word (Fait / À faire) of the home page's "Premiers pas"; {} when it is not shown."""
    return {li.get_attribute("data-step"): li.find_element("css selector", ".badge").text
            for li in css(browser, "#getting-started-steps li")}


def numbers(browser, section_id: str) -> list[str]:
    return [tr.get_attribute("data-number") for tr in css(browser, f"#{section_id} tr[data-number]")]


def home(browser, w):
    browser.get(w.url + "/")
    by_id(browser, "to-convert")


def test_a_license_admins_first_days_and_a_sales_teams_quotes(web_system, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    # a subscription of 4 seats shared by two companies: ACME Paris (its admin and Paul), ACME Lyon (its admin)
    admin = s.new_license("ACME Paris", "boss@acme.test", seats=4)
    s.add_user(admin, "paul@acme.test", name="Paul Martin")
    s.new_license("ACME Lyon", "lyon@acme.test", pool=admin["pool"])
    token = admin["access_token"]

    # -- 1. "Premiers pas": the company profile, a quote type; the team is there already (Paul) -------------------
    sign_in(browser, "boss@acme.test")
    assert by_id(browser, "getting-started-heading").text == "Premiers pas"
    assert checklist(browser) == {"company-profile": "À faire", "quote-type": "À faire", "team": "Fait"}
    assert by_id(browser, "getting-started-progress").text.endswith("étapes faites, 1 sur 3.")
    assert filled_buttons(browser) == ["+ Devis"]  # "Masquer" outlined: the page's one action stays the quote
    screenshot(browser, "sales-team-getting-started")

    navigate(browser, "getting-started-company-profile")
    assert browser.current_url.endswith("/settings/company-profile")
    fill(browser, {"field-address-line1": "3 rue de la Paix", "field-address-postal_code": "75002",
                   "field-address-city": "Paris"})
    navigate(browser, "save-company-profile")
    home(browser, w)
    assert checklist(browser)["company-profile"] == "Fait"

    # -- 2. a second salesperson: perimeters become a step (who sees which customers); the last seat taken, the next
    # invitation is refused in a sentence
    navigate(browser, "getting-started-team")
    fill(browser, {"field-email": "lea@acme.test", "field-name": "Léa Petit"})
    navigate(browser, "invite-submit")
    home(browser, w)
    assert checklist(browser) == {"company-profile": "Fait", "quote-type": "À faire", "team": "Fait",
                                  "perimeters": "À faire"}
    assert by_id(browser, "getting-started-perimeters").text == "Répartir les clients en périmètres"
    screenshot(browser, "sales-team-getting-started-perimeters")

    browser.get(w.url + "/settings/users/invite")
    fill(browser, {"field-email": "marc@acme.test", "field-name": "Marc Durand"})
    by_id(browser, "invite-submit").click()
    w.wait(lambda: text_of(browser, "form-message"), message="the refusal")
    assert text_of(browser, "form-message") == (
        "Plus aucune licence libre (4 sur 4 utilisées, ACME Lyon utilise 1 licence, ACME Paris utilise 3 licences). "
        "Désactivez un utilisateur ou ajoutez des licences à l'abonnement.")
    screenshot(browser, "sales-team-seat-full")

    # "Masquer": gone from the home page of this browser
    home(browser, w)
    navigate(browser, "getting-started-hide")
    assert not css(browser, "#getting-started") and css(browser, "#to-convert")
    # a browser that does not remember it shows it until the last steps are done
    browser.delete_cookie(COOKIE)
    home(browser, w)
    navigate(browser, "getting-started-quote-type")
    assert by_id(browser, "kind-quote").is_selected()  # a type of quotes, as the step says
    fill(browser, {"field-name": "Devis standard"})
    navigate(browser, "create-contract-type")
    home(browser, w)
    assert checklist(browser)["quote-type"] == "Fait"
    navigate(browser, "getting-started-perimeters")
    fill(browser, {"field-name": "Sud"})
    navigate(browser, "perimeter-submit")
    home(browser, w)
    assert checklist(browser) == {}
    screenshot(browser, "sales-team-home-set-up")

    # -- 3. the admin's own accepted quote: to validate, once ----------------------------------------------------
    customer = ok(s.post("/api/v1/customers", token=token, json={"name": "Boulangerie Martin", "kind": "company"}))

    def quote(title: str, *statuses: str) -> dict:
        made = ok(s.post("/api/v1/quotes", token=token, json={"title": title, "customer_id": customer["id"], "lines": [
            {"description": title, "quantity": "1", "unit_price": "9000", "tax_rate": "20"}]}))
        ok(s.post(f"/api/v1/contracts/{made['id']}/mark-sent", token=token, json={}))
        for status in statuses:
            ok(s.post(f"/api/v1/contracts/{made['id']}/status", token=token, json={"status": status}))
        return made

    oven = quote("Four à pain", "accepted")
    home(browser, w)
    assert numbers(browser, "to-validate") == [oven["number"]] and numbers(browser, "to-convert") == []
    screenshot(browser, "sales-team-home-to-validate")
    navigate(browser, css(browser, f'#to-validate a[href$="/contracts/{oven["id"]}"]')[0])
    assert not css(browser, "#signature-center")  # accepted: not sent for signature again
    assert filled_buttons(browser) == ["Valider"]
    screenshot(browser, "sales-team-accepted-quote")
    navigate(browser, "status-validated")
    home(browser, w)
    assert numbers(browser, "to-validate") == [] and numbers(browser, "to-convert") == [oven["number"]]

    # an abandoned quote: neither a signature nor an order (the API refuses it); duplicated to sell again
    case = quote("Vitrine", "abandoned")
    browser.get(w.url + f"/contracts/{case['id']}")
    assert not css(browser, "#signature-center") and not css(browser, "#send-by-email")
    more_actions(browser)
    assert css(browser, "#duplicate") and not css(browser, "#convert-order") and not css(browser, "#convert-invoice")
    screenshot(browser, "sales-team-abandoned-quote")

    # -- 4. an email template's preview of changes not saved yet ---------------------------------------------------
    browser.get(w.url + "/settings/email-templates/quote_send?locale=fr")
    navigate(browser, "preview-template")  # as saved: nothing to say
    assert css(browser, "#preview") and not css(browser, "#preview-unsaved")
    fill(browser, {"field-subject": "Notre proposition {{ number }}"})
    navigate(browser, "preview-template")
    assert by_id(browser, "preview-unsaved").text.replace("\xa0", " ").startswith(
        "Pas encore enregistré : cet aperçu montre vos modifications.")
    assert by_id(browser, "preview-subject").text.startswith("Notre proposition")
    screenshot(browser, "sales-team-email-preview-unsaved")
    navigate(browser, "save-template")
    navigate(browser, "preview-template")
    assert not css(browser, "#preview-unsaved")

    # -- a salesperson's home page: no "Premiers pas" --------------------------------------------------------------
    browser.delete_all_cookies()
    sign_in(browser, "paul@acme.test")
    assert not css(browser, "#getting-started") and css(browser, "#to-convert")
