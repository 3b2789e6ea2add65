"""A license admin's first week, in headless Chromium against the real services, for what a walk through it found:
the settings page says what each section is for; the last seat taken, the users list and the invitation form say
so before anyone fills the form in (the invitation was refused only once sent); a perimeter's empty lists link to
where customers and contract types are made; a custom column of numbers is of type "Nombre" (it read "Numéro",
the word of a document's number); the service accounts page fills one button, its header's; a webhook's failed
delivery says why in French (the notify service words it in English), and when it is tried again."""
import pytest

from tests.e2e.web.browsing import by_id, css, filled_buttons, ok

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def test_a_first_week_seats_columns_service_accounts_and_a_failed_delivery(web_system, browser, sign_in,
                                                                           screenshot):
    from selenium.webdriver.support.ui import Select
    w, s = web_system, web_system.s
    admin = s.new_license("ACME Paris", "boss@acme.test", seats=2)
    s.add_user(admin, "paul@acme.test", name="Paul Martin")  # the second and last seat
    sign_in(browser, "boss@acme.test", next_path="/settings")
    # the settings say what each section is for, under its link
    hints = {a.text: a.find_element("xpath", "..").find_element("css selector", ".settings-hint").text
             for a in css(browser, "main .settings-menu a")}
    assert hints["Profil de l'entreprise"] == (
        "Le nom, le logo, l'adresse et les mentions légales de votre entreprise sur chaque PDF.")
    assert len(hints) == 13 and all(hints.values()), hints
    screenshot(browser, "first-week-settings")
    browser.get(w.url + "/settings/users")

    # no seat left: said on the users list, and above the invitation form before it is filled in
    w.wait(lambda: css(browser, "#no-free-seat"), message="the no-seat notice")
    assert by_id(browser, "no-free-seat").text == (
        "Plus aucune licence libre (2 sur 2 utilisées) : une invitation serait refusée. Désactivez un "
        "utilisateur parti pour libérer sa licence, ou ajoutez des licences à l'abonnement.")
    screenshot(browser, "first-week-users-no-seat")
    by_id(browser, "invite-link").click()
    w.wait(lambda: css(browser, "#invite-form"), message="the invitation form")
    assert by_id(browser, "no-free-seat").text.startswith("Plus aucune licence libre (2 sur 2 utilisées)")
    assert by_id(browser, "no-free-seat-users").get_attribute("href").endswith("/settings/users?status=active")
    screenshot(browser, "first-week-invite-no-seat")

    # a perimeter made before any customer or contract type: its empty lists say where those are made
    perimeter = ok(s.post("/api/v1/perimeters", token=admin["access_token"], json={"name": "Sud"}))
    browser.get(w.url + f"/settings/perimeters/{perimeter['id']}")
    assert by_id(browser, "perimeter-new-contract-type").text == "Créer un type de contrat"
    assert by_id(browser, "perimeter-new-customer").text == "Nouveau client"
    screenshot(browser, "first-week-empty-perimeter")

    # a column of numbers is a "Nombre", in the form and in the list of columns
    browser.get(w.url + "/settings/columns")
    assert [o.text for o in Select(by_id(browser, "column-type")).options] == [
        "Texte", "Nombre", "Date", "Oui / non", "Choix dans une liste"]
    by_id(browser, "column-label").send_keys("Budget")
    by_id(browser, "column-key").send_keys("budget")
    Select(by_id(browser, "column-type")).select_by_value("number")
    by_id(browser, "add-column").click()
    w.wait(lambda: "budget" in by_id(browser, "columns-table").text, message="the column added")
    assert "Nombre" in by_id(browser, "columns-table").text and "Numéro" not in by_id(browser, "columns-table").text
    screenshot(browser, "first-week-columns")

    # the service accounts page: its header's "New service account" is its one filled button
    browser.get(w.url + "/settings/service-accounts")
    assert filled_buttons(browser) == [by_id(browser, "new-service-account").text] == ["Nouveau compte de service"]
    screenshot(browser, "first-week-service-accounts")

    # a test delivery to a host that does not exist (.invalid never resolves): its log says why, in French
    hook = ok(s.post("/api/v1/webhooks", token=admin["access_token"],
                     json={"url": "https://crm.nowhere.invalid/paraph", "event_types": ["*"]}))
    browser.get(w.url + f"/settings/webhooks/{hook['id']}")
    by_id(browser, "send-test").click()

    def failed_attempt():
        browser.refresh()
        return "nom d'hôte est introuvable" in " ".join(row.text for row in css(browser, "#deliveries tbody tr"))
    w.wait(failed_attempt, timeout=60, interval=1, message="the failed attempt, said in French")
    assert "does not resolve" not in by_id(browser, "deliveries").text
    if "En attente" in by_id(browser, "deliveries").text:  # a failed attempt waiting for the next: says when
        assert "prochain essai" in by_id(browser, "deliveries").text
    screenshot(browser, "first-week-webhook-failed-delivery")
