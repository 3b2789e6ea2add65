"""The customers pages driven as a person would, in headless Chromium, against the real services: a
salesperson creates a customer with a contact, edits it, adds an equipment item, gives the contact
portal access restricted to an IP address (the invitation email leaves), comes back to the access and
sends it again, and finds customers with the list's search and filters (and its CSV); an admin shares a
customer out in a perimeter and deactivates a portal access (asked once), and DUPONT, outside the
perimeter, neither sees the customer in the list nor opens its URL (404), nor sees any perimeter control."""
import pytest

from tests.e2e.web.browsing import fill, filled_buttons, in_view, ok

from .test_admin_area import by_id, css, h1, navigate, notice, options, switch_user

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

EXTRA_SERVICES = ("portal",)  # the contacts' portal access
# a phone number refused (no SMS could go to it): the error says it shortly, with examples of the country a number
# without its country code is read in (paraph_platform.phones: the customer's, here France, then Canada)
PHONE_REFUSED = "Numéro invalide (France) : ex. 06 12 34 56 78 ou +33 6 12 34 56 78."
CANADIAN_PHONE_REFUSED = "Numéro invalide (Canada) : ex. (506) 234\u20115678 ou +1 506\u2011234\u20115678."  # one line each


def under_the_mouse(browser, element_id: str) -> bytes:
    """The element as it looks with the mouse over it (PNG)."""
    from selenium.webdriver.common.action_chains import ActionChains
    element = by_id(browser, element_id)
    ActionChains(browser).move_to_element(element).perform()
    return element.screenshot_as_png


def invitations_to(w, email: str) -> list:
    return [m for m in w.mail.messages(to=email)
            if dict(m["headers"]).get("X-Paraph-Template") == "client_invitation"]


def test_a_salesperson_creates_a_customer_and_gives_its_contact_portal_access(web_system, staff, browser, sign_in,
                                                                               screenshot):
    w, s = web_system, web_system.s
    sign_in(browser, staff.email["sales"], next_path="/customers")
    assert h1(browser) == "Clients"
    assert css(browser, ".empty-state") and not css(browser, "#filter-perimeter")  # no perimeter for a plain user
    assert filled_buttons(browser) == ["+ Client"]  # the header's; the empty list's own is outlined
    screenshot(browser, "customers-empty")

    # create: a company with its first contact; a bad email and a bad phone are said next to their fields
    navigate(browser, "new-customer-link")
    fill(browser, {"field-name": "Durand Immobilier", "field-code": "C100", "field-line1": "12 rue des Lilas",
                   "field-postal_code": "59000", "field-city": "Lille", "field-contact_first_name": "Claire",
                   "field-contact_last_name": "Durand", "field-contact_email": "not-an-email",
                   "field-contact_phone": "06 12"})
    navigate(browser, "customer-submit")
    assert by_id(browser, "field-contact_email-error").text
    assert by_id(browser, "field-contact_phone-error").text == PHONE_REFUSED
    screenshot(browser, "customer-new")
    fill(browser, {"field-contact_email": "claire@durand.test", "field-contact_phone": "06 12 34 56 78"})
    navigate(browser, "customer-submit")
    assert h1(browser) == "Durand Immobilier"
    assert by_id(browser, "field-city").get_attribute("value") == "Lille"
    # no language or currency of its own: its documents get the license's, named (not "the license's default")
    assert (by_id(browser, "customer-language").text, by_id(browser, "customer-currency").text) == \
        ("Langue : Français", "Devise : Euro (EUR)")
    assert by_id(browser, "field-code-hint").text == "Laissez vide pour qu'un code soit attribué"
    assert not css(browser, "#tab-perimeters")

    # edit the info: a phone given (one that is not a number is said next to it), the street emptied
    fill(browser, {"field-phone": "appelez-nous"})
    navigate(browser, "customer-submit")
    assert by_id(browser, "field-phone-error").text == PHONE_REFUSED
    fill(browser, {"field-phone": "03 20 00 00 00"})
    by_id(browser, "field-line1").clear()
    navigate(browser, "customer-submit")
    assert "enregistré" in notice(browser)
    assert by_id(browser, "field-phone").get_attribute("value") == "03 20 00 00 00"
    assert by_id(browser, "field-line1").get_attribute("value") == ""
    assert by_id(browser, "field-city").get_attribute("value") == "Lille"
    assert filled_buttons(browser) == ["+ Devis"]  # the header's; saving the file is outlined
    screenshot(browser, "customer-info")

    # contacts: edit Claire, add a second one
    navigate(browser, "tab-contacts")
    contact_id = css(browser, ".contact-list > li")[0].get_attribute("id").removeprefix("contact-")
    css(browser, f"#contact-{contact_id} summary")[0].click()
    fill(browser, {f"contact-form-{contact_id}-title": "Gérante"})
    navigate(browser, f"contact-form-{contact_id}-submit")
    assert "Gérante" in by_id(browser, f"contact-{contact_id}").text
    by_id(browser, "add-contact").click()
    fill(browser, {"contact-form-new-first_name": "Marc", "contact-form-new-last_name": "Leroy"})
    navigate(browser, "contact-form-new-submit")
    assert [li.get_attribute("data-contact") for li in css(browser, ".contact-list > li")] == \
        ["Claire Durand", "Marc Leroy"]
    screenshot(browser, "customer-contacts")

    # the equipment base: an item by hand
    navigate(browser, "tab-equipment")
    fill(browser, {"field-description": "Photocopieur A3", "field-serial_number": "SN-4242"})
    navigate(browser, "equipment-submit")
    assert "Photocopieur A3" in by_id(browser, "equipment").text
    screenshot(browser, "customer-equipment")

    # portal access: role Client, the user code given, an IP restriction; the invitation email leaves
    navigate(browser, "tab-portal")
    screenshot(browser, "customer-portal")
    navigate(browser, css(browser, "#portal-accesses a")[0])
    assert by_id(browser, "field-role").get_attribute("value") == "Client"
    assert by_id(browser, "field-user_code").get_attribute("value") == "C100-DURAND"
    assert by_id(browser, "field-email").get_attribute("value") == "claire@durand.test"
    fill(browser, {"field-allowed_ip": "203.0.113.7"})
    navigate(browser, "access-submit")
    w.wait(lambda: invitations_to(w, "claire@durand.test"), message="the portal invitation email")
    # later: the same window shows the access and sends the email again
    navigate(browser, "back-to-customer")
    assert "Invité" in by_id(browser, "portal-accesses").text
    navigate(browser, css(browser, "#portal-accesses a")[0])
    assert by_id(browser, "field-allowed_ip").get_attribute("value") == "203.0.113.7"
    assert by_id(browser, "access-submit").text == "Enregistrer l'accès"
    # the role and the email are shown, not fields to type in: no border, as text
    shown = by_id(browser, "field-email")
    assert shown.get_attribute("readonly") and shown.value_of_css_property("border-top-color") in (
        "rgba(0, 0, 0, 0)", "transparent")
    assert "modifiable" in by_id(browser, "field-user_code-hint").text  # a suggestion, not the system's
    screenshot(browser, "customer-portal-access")
    assert not css(browser, "#access-deactivate-ask")  # deactivating is for admins and user managers
    navigate(browser, "access-resend")
    w.wait(lambda: len(invitations_to(w, "claire@durand.test")) == 2, message="the invitation sent again")

    # contracts & quotes: none yet, "+ Quote" opens the new quote with this customer chosen
    navigate(browser, "back-to-customer")
    navigate(browser, "tab-contracts")
    # the empty state offers the header's two actions in its order, the header's "+ Quote" the one filled
    assert [a.text for a in css(browser, ".empty-state a")] == ["+ Contrat", "+ Devis"]
    assert filled_buttons(browser) == ["+ Devis"]
    screenshot(browser, "customer-contracts")
    navigate(browser, "new-quote-link")
    from selenium.webdriver.support.ui import Select
    assert Select(by_id(browser, "field-customer_id")).first_selected_option.text == "Durand Immobilier"

    # the list: search and the kind filter, kept in the URL
    s.post("/api/v1/customers", token=staff.sales["access_token"], json={"name": "Bruno Martin", "kind": "person"})
    browser.get(w.url + "/customers")
    assert [r.get_attribute("data-customer") for r in css(browser, "#customers tbody tr")] == \
        ["Bruno Martin", "Durand Immobilier"]
    fill(browser, {"filter-q": "durand"})
    navigate(browser, "customers-search-submit")
    assert [r.get_attribute("data-customer") for r in css(browser, "#customers tbody tr")] == ["Durand Immobilier"]
    browser.get(w.url + "/customers?kind=person&sort=-name")
    assert [r.get_attribute("data-customer") for r in css(browser, "#customers tbody tr")] == ["Bruno Martin"]
    browser.get(w.url + "/customers?sort=-name")
    assert [r.get_attribute("data-customer") for r in css(browser, "#customers tbody tr")] == \
        ["Durand Immobilier", "Bruno Martin"]
    screenshot(browser, "customers")
    # the CSV of the view on screen
    import requests
    export = requests.get(w.url + "/customers.csv?kind=company", timeout=10,
                          cookies={c["name"]: c["value"] for c in browser.get_cookies()})
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    # as French Excel splits a double-clicked file: by ";" ("," is its decimal mark), UTF-8 said by a BOM
    assert export.content.startswith("\ufeffNom;Code;Type".encode())
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(";Ville;Région;Pays;Langue;Devise;Créé")
    assert len(lines) == 2 and lines[1].startswith("Durand Immobilier;C100;Société;")  # its kind as a word
    assert ";59000;Lille;;France;" in lines[1]  # its country (France, where a new customer starts) by name, not FR


def test_perimeters_of_a_customer_admins_only_and_dupont_does_not_see_durands(web_system, staff, browser,
                                                                               sign_in, screenshot):
    w, s = web_system, web_system.s
    A = staff.admin["access_token"]
    nord, sud = (s.post("/api/v1/perimeters", json={"name": n}, token=A).get_json()["id"] for n in ("Nord", "Sud"))
    dupont = s.add_user(staff.admin, "dupont@acme.test", name="Jean Dupont")
    s.put(f"/api/v1/users/{dupont['user']['user_id']}/perimeters", json={"perimeter_ids": [nord]}, token=A)
    lille = s.post("/api/v1/customers", token=A, json={"name": "Lille Habitat"}).get_json()
    s.put(f"/api/v1/customers/{lille['id']}/perimeters", json={"perimeter_ids": [nord]}, token=A)
    marseille = s.post("/api/v1/customers", token=A, json={"name": "Marseille Logement"}).get_json()

    # the admin puts Marseille in Sud from the customer file, and filters the list by perimeter
    sign_in(browser, staff.email["admin"], next_path=f"/customers/{marseille['id']}?tab=perimeters")
    by_id(browser, f"perimeter_ids-{sud}").click()
    navigate(browser, "perimeters-submit")
    assert by_id(browser, f"perimeter_ids-{sud}").is_selected()
    screenshot(browser, "customer-perimeters")
    browser.get(w.url + f"/customers?perimeter_id={sud}")
    assert [r.get_attribute("data-customer") for r in css(browser, "#customers tbody tr")] == ["Marseille Logement"]
    assert "Sud" in options(browser, "filter-perimeter")

    # the admin deactivates a contact's portal access, asked once by name
    contact = s.post(f"/api/v1/customers/{lille['id']}/contacts", token=A,
                     json={"first_name": "Luc", "last_name": "Petit", "email": "luc@lille.test"}).get_json()
    assert s.post(f"/api/v1/contacts/{contact['id']}/portal-access", token=A,
                  json={"user_code": "LH-PETIT"}).status_code == 201
    browser.get(w.url + f"/customers/{lille['id']}/contacts/{contact['id']}/portal-access")
    by_id(browser, "access-deactivate-ask").click()
    assert "Luc Petit" in by_id(browser, "access-deactivate").text
    navigate(browser, "access-deactivate")
    assert "désactivé" in notice(browser) and not css(browser, "#access-resend")
    assert by_id(browser, "access-submit").text == "Enregistrer et envoyer l'email"  # granted again from here

    # DUPONT (Nord): Lille only, no perimeter control, Marseille's URL is the 404 page
    switch_user(browser, sign_in, "dupont@acme.test")
    browser.get(w.url + f"/customers?perimeter_id={sud}")  # a perimeter filter in the URL is ignored
    assert [r.get_attribute("data-customer") for r in css(browser, "#customers tbody tr")] == ["Lille Habitat"]
    assert not css(browser, "#filter-perimeter")
    browser.get(w.url + f"/customers/{lille['id']}?tab=perimeters")
    assert css(browser, "#customer-form") and not css(browser, "#tab-perimeters, #perimeters-form")
    browser.get(w.url + f"/customers/{marseille['id']}")
    assert by_id(browser, "error-page").get_attribute("data-status") == "404"
    assert "Marseille" not in browser.page_source


def test_a_manager_finds_the_customers_in_no_perimeter_and_puts_them_in_one(web_system, staff, browser, sign_in,
                                                                            screenshot):
    """SELL&SIGN: the customers created before the license used perimeters are in none (every user sees them) and
    must be put in one. The list's perimeter filter offers them ("Dans aucun périmètre", kept in the URL) to a
    front user manager and a license admin; once all are in a perimeter, the list says so. A plain user is not
    offered the filter, and the URL's is ignored."""
    from selenium.webdriver.support.ui import Select
    w, s = web_system, web_system.s
    A = staff.admin["access_token"]
    nord = ok(s.post("/api/v1/perimeters", json={"name": "Nord"}, token=A))["id"]
    lucie = s.add_user(staff.admin, "lucie@acme.test", role="front_user_manager", name="Lucie Manager")
    s.add_user(staff.admin, "dupont@acme.test", name="Jean Dupont")
    ok(s.put(f"/api/v1/users/{lucie['user']['user_id']}/perimeters", json={"perimeter_ids": [nord]}, token=A))
    lille = ok(s.post("/api/v1/customers", token=A, json={"name": "Lille Habitat"}))
    ok(s.put(f"/api/v1/customers/{lille['id']}/perimeters", json={"perimeter_ids": [nord]}, token=A))
    ancien = ok(s.post("/api/v1/customers", token=A, json={"name": "Ancien Client SA"}))

    def rows():
        return [r.get_attribute("data-customer") for r in css(browser, "#customers tbody tr")]

    # Lucie (front user manager) picks the filter: the customer left visible to all, the filter in the URL
    sign_in(browser, "lucie@acme.test", next_path="/customers")
    assert sorted(rows()) == ["Ancien Client SA", "Lille Habitat"]
    Select(by_id(browser, "filter-perimeter")).select_by_visible_text("Dans aucun périmètre")
    navigate(browser, "customers-search-submit")
    assert "perimeter_id=none" in browser.current_url
    assert rows() == ["Ancien Client SA"]
    assert Select(by_id(browser, "filter-perimeter")).first_selected_option.text == "Dans aucun périmètre"
    screenshot(browser, "customers-in-no-perimeter")

    # she puts it in Nord from its file: the filtered list is empty and says why
    navigate(browser, css(browser, "#customers tbody tr a")[0])
    navigate(browser, "tab-perimeters")
    by_id(browser, f"perimeter_ids-{nord}").click()
    navigate(browser, "perimeters-submit")
    assert ok(s.get(f"/api/v1/customers/{ancien['id']}", token=A))["perimeter_ids"] == [nord]
    browser.get(w.url + "/customers?perimeter_id=none")
    assert rows() == []
    assert css(browser, ".empty-state p")[0].text == \
        "Tous les clients sont dans un périmètre : aucun n'est plus visible de tous les utilisateurs."
    assert css(browser, ".empty-state a")[0].text == "Voir tous les clients"
    screenshot(browser, "customers-all-in-a-perimeter")

    # the admin is offered it too; DUPONT (a plain user) is not, and the URL's filter is ignored
    switch_user(browser, sign_in, staff.email["admin"])
    browser.get(w.url + "/customers?perimeter_id=none")
    assert "Dans aucun périmètre" in options(browser, "filter-perimeter") and rows() == []
    switch_user(browser, sign_in, "dupont@acme.test")
    browser.get(w.url + "/customers")
    his = rows()
    browser.get(w.url + "/customers?perimeter_id=none")
    assert not css(browser, "#filter-perimeter") and rows() == his


def test_a_customer_in_english_and_cad_its_contacts_details_and_a_quote_made_for_it(web_system, staff, browser,
                                                                                     sign_in, screenshot):
    """The customer's language and currency (GEM-BOOKS' Langue and Devise) and notes, a contact's department,
    type and fax; a contact deleted (asked once, by name; a refusal said on the page); a quote made in the
    browser for the customer is in its language and currency (the contracts service's rule)."""
    from selenium.webdriver.support.ui import Select

    s, token = web_system.s, staff.sales["access_token"]
    sign_in(browser, staff.email["sales"], next_path="/customers/new")

    # create: English, and the currencies offered by name; another one's code typed after "Autre devise…" (in small
    # letters too); a code that is not one is said next to its field
    language = Select(by_id(browser, "field-locale"))
    assert [o.text for o in language.options] == ["Par défaut (Français)", "Français", "Anglais"]
    assert by_id(browser, "field-currency-hint").text == \
        "La devise de ses documents. Par défaut : celle de votre entreprise."
    currency = Select(by_id(browser, "field-currency"))
    assert [o.text for o in currency.options] == [
        "Par défaut (Euro (EUR))", "Euro (EUR)", "Dollar canadien (CAD)", "Dollar des États-Unis (USD)",
        "Livre sterling (GBP)", "Franc suisse (CHF)", "Autre devise…"]
    assert not by_id(browser, "field-currency_other").is_displayed()  # until "Autre devise…" is chosen
    language.select_by_value("en")
    currency.select_by_value("other")
    fill(browser, {"field-name": "Maple Leaf Supplies", "field-city": "Montréal", "field-region": "Québec",
                   "field-currency_other": "C$", "field-notes": "Prefers email. Invoices in Canadian dollars."})
    Select(by_id(browser, "field-country")).select_by_visible_text("Canada")  # a list of countries by name
    navigate(browser, "customer-submit")
    assert by_id(browser, "field-currency_other-error").text == "Indiquez un code ISO de devise à 3 lettres."
    assert Select(by_id(browser, "field-locale")).first_selected_option.text == "Anglais"  # kept as chosen
    assert Select(by_id(browser, "field-currency")).first_selected_option.text == "Autre devise…"
    screenshot(browser, "customer-new-language-currency")
    fill(browser, {"field-currency_other": "cad"})
    navigate(browser, "customer-submit")
    assert h1(browser) == "Maple Leaf Supplies"
    assert by_id(browser, "customer-language").text == "Langue : Anglais"  # (the no-break space read as a space)
    assert by_id(browser, "customer-currency").text == "Devise : Dollar canadien (CAD)"
    assert Select(by_id(browser, "field-currency")).first_selected_option.get_attribute("value") == "CAD"
    assert not by_id(browser, "field-currency_other").is_displayed()
    assert by_id(browser, "field-notes").get_attribute("value") == "Prefers email. Invoices in Canadian dollars."
    customer_id = browser.current_url.split("/customers/")[1].split("?")[0]
    customer = s.get(f"/api/v1/customers/{customer_id}", token=token).get_json()
    assert (customer["locale"], customer["currency"], customer["address"]["region"]) == ("en", "CAD", "Québec")
    assert customer["address"]["country"] == "CA"  # its ISO code, named in each reader's language
    assert customer["notes"] == "Prefers email. Invoices in Canadian dollars."
    screenshot(browser, "customer-info-language-currency")

    # edit: the notes; a save that changes nothing adds no line to the history
    fill(browser, {"field-notes": "Prefers email. Invoices in CAD, net 30."})
    navigate(browser, "customer-submit")
    assert "enregistré" in notice(browser)
    history = s.get(f"/api/v1/customers/{customer_id}/history", token=token).get_json()["items"]
    assert [(h["action"], h["details"].get("notes_changed")) for h in history] == [("customer_updated", True)]
    navigate(browser, "customer-submit")
    assert len(s.get(f"/api/v1/customers/{customer_id}/history", token=token).get_json()["items"]) == 1
    customer = s.get(f"/api/v1/customers/{customer_id}", token=token).get_json()
    assert (customer["locale"], customer["currency"], customer["notes"]) == \
        ("en", "CAD", "Prefers email. Invoices in CAD, net 30.")

    # contacts: who they are, then their email and phones together; a mobile no SMS can go to (signing texts its
    # one-time code there) is said next to its field, the form kept as typed, nothing saved
    navigate(browser, "tab-contacts")
    fill(browser, {"contact-form-new-first_name": "Mireille", "contact-form-new-last_name": "Couture",
                   "contact-form-new-title": "Responsable stock", "contact-form-new-department": "Logistique",
                   "contact-form-new-type": "Opérations", "contact-form-new-email": "mireille@mapleleaf.test",
                   "contact-form-new-phone": "514 555 0121", "contact-form-new-mobile": "appelez-moi",
                   "contact-form-new-fax": "514 555 0132", "contact-form-new-branch": "Montréal"})
    navigate(browser, "contact-form-new-submit")
    assert by_id(browser, "contact-form-new-mobile-error").text == CANADIAN_PHONE_REFUSED
    assert by_id(browser, "contact-form-new-mobile").get_attribute("aria-invalid") == "true"
    assert by_id(browser, "contact-form-new-phone").get_attribute("aria-invalid") != "true"
    assert by_id(browser, "contact-form-new-department").get_attribute("value") == "Logistique"
    assert s.get(f"/api/v1/customers/{customer_id}", token=token).get_json()["contacts"] == []
    screenshot(browser, "customer-contact-bad-mobile")
    fill(browser, {"contact-form-new-mobile": "438 555 0163"})
    navigate(browser, "contact-form-new-submit")
    (mireille,) = s.get(f"/api/v1/customers/{customer_id}", token=token).get_json()["contacts"]
    assert {k: mireille[k] for k in ("title", "department", "type", "phone", "mobile", "fax", "branch")} == {
        "title": "Responsable stock", "department": "Logistique", "type": "Opérations", "phone": "514 555 0121",
        "mobile": "438 555 0163", "fax": "514 555 0132", "branch": "Montréal"}
    line = by_id(browser, f"contact-{mireille['id']}").text
    assert "Responsable stock · Logistique · Opérations" in line and "Fax 514 555 0132" in line

    # edit her: a mobile cut short is said next to it (her form open again); then another department, the fax emptied.
    # Listed after a dozen colleagues on a laptop's screen, she is below the fold: refused or saved, the browser
    # lands on her form, not at the top of the tab
    colleagues = [f"Agent {name}" for name in ("Archambault", "Arsenault", "Audet", "Beaulieu", "Bergeron",
                                               "Bouchard", "Boucher", "Caron", "Charbonneau", "Cloutier")]
    for name in colleagues:
        first_name, last_name = name.split()
        ok(s.post(f"/api/v1/customers/{customer_id}/contacts", token=token, json={
            "first_name": first_name, "last_name": last_name, "email": f"{last_name.lower()}@mapleleaf.test",
            "title": "Magasinier", "phone": "514 555 0140"}), 201)
    window = browser.get_window_size()
    browser.set_window_size(1280, 900)
    browser.get(web_system.url + f"/customers/{customer_id}?tab=contacts")
    assert not in_view(browser, by_id(browser, f"contact-{mireille['id']}"))
    css(browser, f"#contact-{mireille['id']} summary")[0].click()
    fill(browser, {f"contact-form-{mireille['id']}-mobile": "524 14"})
    navigate(browser, f"contact-form-{mireille['id']}-submit")
    assert by_id(browser, f"contact-form-{mireille['id']}-mobile-error").text == CANADIAN_PHONE_REFUSED
    assert by_id(browser, f"contact-form-{mireille['id']}-mobile").is_displayed()
    # the field to correct has the focus, and its error is in view
    web_system.wait(lambda: browser.switch_to.active_element.get_attribute("id") ==
                    f"contact-form-{mireille['id']}-mobile", message="the focus on the number to correct")
    assert in_view(browser, by_id(browser, f"contact-form-{mireille['id']}-mobile-error"))
    screenshot(browser, "customer-contact-edit-bad-mobile")
    assert s.get(f"/api/v1/contacts/{mireille['id']}", token=token).get_json()["mobile"] == "438 555 0163"
    fill(browser, {f"contact-form-{mireille['id']}-mobile": "438 555 0163",
                   f"contact-form-{mireille['id']}-department": "Achats"})
    by_id(browser, f"contact-form-{mireille['id']}-fax").clear()
    navigate(browser, f"contact-form-{mireille['id']}-submit")
    assert "Achats" in by_id(browser, f"contact-{mireille['id']}").text
    assert in_view(browser, by_id(browser, f"contact-{mireille['id']}"))
    # saved: said in her card, where the browser landed, not in a notice at the top of the page, out of view
    assert by_id(browser, f"contact-{mireille['id']}-saved").text == "Le contact est enregistré."
    assert in_view(browser, by_id(browser, f"contact-{mireille['id']}-saved"))
    assert not css(browser, "main > p.notice")
    screenshot(browser, "customer-contact-saved")
    contact = s.get(f"/api/v1/contacts/{mireille['id']}", token=token).get_json()
    assert (contact["department"], contact["fax"], contact["type"]) == ("Achats", None, "Opérations")

    # a second contact, added by mistake, is deleted: asked once with her name
    by_id(browser, "add-contact").click()
    fill(browser, {"contact-form-new-first_name": "Paul", "contact-form-new-last_name": "Erreur"})
    navigate(browser, "contact-form-new-submit")
    paul = next(c for c in s.get(f"/api/v1/customers/{customer_id}", token=token).get_json()["contacts"]
                if c["last_name"] == "Erreur")
    assert in_view(browser, by_id(browser, f"contact-{paul['id']}"))  # the browser lands on the contact just added
    assert by_id(browser, f"contact-{paul['id']}-saved").text == "Le contact est ajouté."
    browser.set_window_size(window["width"], window["height"])
    css(browser, f"#contact-{paul['id']} summary")[0].click()
    assert by_id(browser, f"contact-form-{paul['id']}-type").get_attribute("list") == "contact-types"
    # the type is typed (suggestions while typing), so it looks like a text field: under the mouse, the empty type
    # shows no dropdown arrow, pixel for pixel the empty branch beside it
    assert under_the_mouse(browser, f"contact-form-{paul['id']}-type") == \
        under_the_mouse(browser, f"contact-form-{paul['id']}-branch")
    by_id(browser, f"delete-contact-{paul['id']}-ask").click()
    assert "Paul Erreur" in css(browser, f"#contact-{paul['id']} .confirm-box p")[0].text
    screenshot(browser, "customer-contacts-details")
    navigate(browser, f"delete-contact-{paul['id']}")
    assert "Paul Erreur est supprimé" in notice(browser)
    assert [li.get_attribute("data-contact") for li in css(browser, ".contact-list > li")] == \
        [*colleagues, "Mireille Couture"]
    assert s.get(f"/api/v1/contacts/{paul['id']}", token=token).status_code == 404

    # a contact someone else deleted meanwhile: the refusal is said on the page, not an error page
    other = s.post(f"/api/v1/customers/{customer_id}/contacts", token=token, json={"last_name": "Doublon"}).get_json()
    browser.refresh()
    css(browser, f"#contact-{other['id']} summary")[0].click()
    by_id(browser, f"delete-contact-{other['id']}-ask").click()
    assert s.delete(f"/api/v1/contacts/{other['id']}", token=token).status_code == 204
    navigate(browser, f"delete-contact-{other['id']}")
    assert "Ce contact a déjà été supprimé." in notice(browser)
    assert by_id(browser, "tab-contacts").get_attribute("aria-current") == "page"
    screenshot(browser, "customer-contacts-refusal")

    # the history: the notes' edit (not their text) and the contacts' changes
    navigate(browser, "tab-history")
    assert "notes modifiées" in by_id(browser, "customer-history").text
    screenshot(browser, "customer-history-details")

    # a quote made in the browser for the customer: in English and in CAD, as its file says
    navigate(browser, "new-quote-link")
    assert Select(by_id(browser, "field-customer_id")).first_selected_option.text == "Maple Leaf Supplies"
    by_id(browser, "field-title").send_keys("Shelving")
    navigate(browser, "add-line")
    fill(browser, {"line-0-description": "Steel shelving unit", "line-0-quantity": "2", "line-0-unit_price": "600",
                   "line-0-tax_rate": "0"})
    # the totals follow the lines (no "Recalculate" with JavaScript), in the customer's currency, not €
    web_system.wait(lambda: "$CA" in by_id(browser, "editor-total").text, message="the live total")
    navigate(browser, "quote-submit")
    assert "$CA" in by_id(browser, "contract-total").text
    (quote,) = s.get(f"/api/v1/quotes?customer_id={customer_id}", token=token).get_json()["items"]
    detail = s.get(f"/api/v1/contracts/{quote['id']}", token=token).get_json()
    assert (detail["currency"], detail["locale"], detail["total"]) == ("CAD", "en", "1200.00")


def test_a_front_user_manager_sees_who_sees_a_customer_and_moves_it_out_of_her_perimeters(web_system, staff, browser,
                                                                                          sign_in, screenshot):
    """SELL&SIGN: a customer inherits its creator's perimeters, and a front user manager changes them on the
    customer file, where she reads who sees it; moved out of her own perimeters, the customer leaves her list
    (said, not a page not found). The portal access of two contacts of one family: each is offered a code of its
    own."""
    w, s = web_system, web_system.s
    A = staff.admin["access_token"]
    nord, sud = (s.post("/api/v1/perimeters", json={"name": n}, token=A).get_json()["id"] for n in ("Nord", "Sud"))
    lucie = s.add_user(staff.admin, "lucie@acme.test", role="front_user_manager", name="Lucie Manager")
    dupont = s.add_user(staff.admin, "dupont@acme.test", name="Jean Dupont")
    for user, perimeter in ((lucie, nord), (dupont, sud)):
        ok(s.put(f"/api/v1/users/{user['user']['user_id']}/perimeters", json={"perimeter_ids": [perimeter]}, token=A))

    # Lucie creates the customer: it is in her perimeter Nord, and she reads who sees it (her, not DUPONT)
    sign_in(browser, "lucie@acme.test", next_path="/customers/new")
    by_id(browser, "kind-person").click()
    fill(browser, {"field-name": "Famille Fiore", "field-code": "FIO", "field-contact_first_name": "Anna",
                   "field-contact_last_name": "Fiore", "field-contact_email": "anna@fiore.test"})
    navigate(browser, "customer-submit")
    w.wait(lambda: h1(browser) == "Famille Fiore", message="the new customer's file")
    customer = browser.current_url.split("/customers/", 1)[1]
    navigate(browser, "tab-perimeters")
    assert by_id(browser, f"perimeter_ids-{nord}").is_selected() and not by_id(browser, f"perimeter_ids-{sud}").is_selected()
    viewers = css(browser, "#customer-viewers li")
    assert [li.get_attribute("data-user") for li in viewers] == ["lucie@acme.test"]
    assert viewers[0].text == "Lucie Manager Nord"
    assert by_id(browser, "viewers-admins").text == "Les administrateurs de licence voient tous les clients."
    screenshot(browser, "customer-who-sees")

    # two contacts of one family: the second is offered a code of its own, not one the API refuses as taken
    anna = s.get(f"/api/v1/customers/{customer}", token=A).get_json()["contacts"][0]
    marc = ok(s.post(f"/api/v1/customers/{customer}/contacts", token=A,
                     json={"first_name": "Marc", "last_name": "Fiore", "email": "marc@fiore.test"}))
    for contact, code in ((anna, "FIO-FIORE"), (marc, "FIO-FIORE-MARC")):
        browser.get(f"{w.url}/customers/{customer}/contacts/{contact['id']}/portal-access")
        assert by_id(browser, "field-user_code").get_attribute("value") == code
        navigate(browser, "access-submit")
        assert "accès portail est créé" in notice(browser), code
    assert sorted(a["user_code"] for a in s.get(f"/api/v1/customers/{customer}/portal-accesses", token=A).get_json()) \
        == ["FIO-FIORE", "FIO-FIORE-MARC"]

    # she moves it to Sud: out of her own perimeters, she lands on her list, told why it is no longer there
    browser.get(f"{w.url}/customers/{customer}?tab=perimeters")
    by_id(browser, f"perimeter_ids-{sud}").click()
    by_id(browser, f"perimeter_ids-{nord}").click()
    navigate(browser, "perimeters-submit")
    assert browser.current_url.split("?")[0] == w.url + "/customers"
    assert notice(browser) == ("Périmètres enregistrés : Famille Fiore n'est plus dans aucun de vos périmètres, "
                               "vous ne le voyez plus.")
    assert not css(browser, "#customers tbody tr[data-customer='Famille Fiore']")
    assert not css(browser, "#error-page")
    screenshot(browser, "customer-moved-out-of-my-perimeters")

    # the admin reads who sees it now: DUPONT, through Sud; a customer in no perimeter is seen by every user
    switch_user(browser, sign_in, staff.email["admin"])
    browser.get(f"{w.url}/customers/{customer}?tab=perimeters")
    assert [li.text for li in css(browser, "#customer-viewers li")] == ["Jean Dupont Sud"]
    other = ok(s.post("/api/v1/customers", token=A, json={"name": "Client sans périmètre"}))
    browser.get(f"{w.url}/customers/{other['id']}?tab=perimeters")
    assert by_id(browser, "customer-viewers").text == "Tous les utilisateurs : ce client n'est dans aucun périmètre."
    switch_user(browser, sign_in, "dupont@acme.test")
    browser.get(w.url + "/customers")
    assert "Famille Fiore" in [r.get_attribute("data-customer") for r in css(browser, "#customers tbody tr")]
