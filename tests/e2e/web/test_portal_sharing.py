"""LEXZUR's "Afficher sur le portail client", driven in headless Chromium against the real services (the staff
pages on the web app, the client portal on the gateway that serves it):

* an admin sets a client's company in Settings > Client portal (Client portal contacts); Settings > Users lists
  the team only (the portal clients take no seat), with the way to the portal contacts;
* the salesperson opens "Show in client portal" on a contract: chooses the requester, ticks an observer of the
  same company; the client of the other company cannot be chosen and the page says why (with the link to the
  settings); forced through anyway, the API refuses it and the page says why again;
* in the Attachments tab a whole folder is shown (a loose file stays hidden), in the Milestones tab one
  milestone is hidden; the green mark shows on the contract page and in the contracts list;
* the observer signs in to the client portal and sees exactly the visible attachments and milestones;
* stop sharing (asked once): the contract leaves the client's portal."""
from __future__ import annotations

import base64
import contextlib

import pytest

from tests.e2e.web.browsing import more_actions, ok, on_a_phone, portal_sign_in
from .conftest import PASSWORD
from .test_admin_area import by_id, css, navigate, notice

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

EXTRA_SERVICES = ("portal",)


def attach(s, token, contract_id, filename, folder=""):
    return ok(s.post(f"/api/v1/contracts/{contract_id}/attachments", token=token, json={
        "filename": filename, "content_type": "text/plain", "folder": folder,
        "content_base64": base64.b64encode(f"contenu de {filename}".encode()).decode()}))


@pytest.fixture
def lexzur(web_system, staff):
    """The salesperson's customer with three portal clients (two of the same company, one soon moved to
    another company by the admin), and a contract with files (one folder) and milestones."""
    s = web_system.s
    admin, sales = staff.admin, staff.sales
    T = sales["access_token"]
    customer = ok(s.post("/api/v1/customers", token=T, json={"name": "Hervé David SA", "kind": "company", "contacts": [
        {"first_name": "Mireille", "last_name": "Couture", "email": "mireille@hervedavid.test"},
        {"first_name": "Jean", "last_name": "Petit", "email": "jean@hervedavid.test"},
        {"first_name": "Luc", "last_name": "Autre", "email": "luc@filiale.test"}]}))
    contacts = {c["first_name"]: c for c in customer["contacts"]}
    for name, code in (("Mireille", "HD-COUTURE"), ("Jean", "HD-PETIT"), ("Luc", "HD-AUTRE")):
        ok(s.post(f"/api/v1/contacts/{contacts[name]['id']}/portal-access", token=T, json={"user_code": code}))
    s.accept("jean@hervedavid.test", PASSWORD)
    contract = ok(s.post("/api/v1/contracts", token=T, json={
        "title": "Bail commercial", "customer_id": customer["id"], "contact_id": contacts["Mireille"]["id"],
        "lines": [{"description": "Rédaction du bail", "quantity": "1", "unit_price": "1500", "tax_rate": "20"}]}))
    files = {"note": attach(s, T, contract["id"], "note-interne.txt"),
             "plan": attach(s, T, contract["id"], "plan-des-locaux.txt", folder="Annexes"),
             "etat": attach(s, T, contract["id"], "etat-des-lieux.txt", folder="Annexes")}
    milestones = {title: ok(s.post(f"/api/v1/contracts/{contract['id']}/milestones", token=T, json={
        "title": title, "due_date": due})) for title, due in (("Signature du bail", "2027-01-15"),
                                                               ("Revue juridique interne", "2027-01-05"))}
    return {"admin": admin, "sales": sales, "customer": customer, "contacts": contacts, "contract": contract,
            "files": files, "milestones": milestones}


def observer_row(browser, contact_id: str) -> tuple[dict, dict, dict | None]:
    """Where an observer's name, company and reason (None when they can be chosen) sit on the sharing page."""
    row = by_id(browser, f"observer-{contact_id}").find_element("xpath", "ancestor::li")
    reason = row.find_elements("css selector", ".why-not")
    return (row.find_element("css selector", ".who > span").rect, row.find_element("css selector", ".who > small").rect,
            reason[0].rect if reason else None)


def box_and_lines_of_words(browser, box_id: str) -> tuple[dict, list[dict]]:
    """Where a tick box sits and where each line of its label's words does (a Range on the words: the label's
    own box spans them all)."""
    return browser.execute_script("""
        const box = document.getElementById(arguments[0]), range = document.createRange();
        range.selectNodeContents(box.closest("label"));
        range.setStartAfter(box);
        const rect = r => ({x: r.left, y: r.top, width: r.width, height: r.height});
        return [rect(box.getBoundingClientRect()),
                [...range.getClientRects()].filter(r => r.width > 0).map(rect)];""", box_id)


def _shown_word(item) -> str | None:
    """The word on the badge of a portal page's attachment or milestone the client sees, None when it has none."""
    badges = item.find_elements("css selector", ".badge.shown-mark")
    return badges[0].text if badges else None


def test_show_a_contract_in_the_client_portal_to_a_requester_and_an_observer(web_system, staff, lexzur, browser,
                                                                             sign_in, screenshot):
    w, s = web_system, web_system.s
    contract, contacts = lexzur["contract"], lexzur["contacts"]
    luc = contacts["Luc"]["id"]

    # the admin: Settings > Client portal lists the three clients; Luc is moved to another company
    sign_in(browser, "boss@acme.test", next_path="/settings/portal")
    assert [r.get_attribute("data-client") for r in css(browser, "#portal-clients tbody tr")] == [
        "jean@hervedavid.test", "luc@filiale.test", "mireille@hervedavid.test"]
    assert "Hervé David SA" in by_id(browser, f"client-{luc}").text
    field = by_id(browser, f"company-{luc}")
    field.clear()
    field.send_keys("Filiale Nord")
    navigate(browser, f"company-{luc}-submit")
    assert "appartient désormais à la société « Filiale Nord »" in notice(browser).replace("\u00a0", " ")
    assert by_id(browser, f"company-{luc}").get_attribute("value") == "Filiale Nord"
    # one word for a client's company (the filter and the column say "Société"); the card names what it lists
    assert by_id(browser, "clients-heading").text.startswith("Contacts du portail client")
    assert "entreprise" not in by_id(browser, "settings-section").text.lower()
    screenshot(browser, "settings-portal-clients")
    # Settings > Users is the team: the seats' holders, not the customer's three portal clients (who take no
    # seat, and are counted out of the seats too); the page leads to them
    browser.get(w.url + "/settings/users")
    assert sorted(r.get_attribute("data-user") for r in css(browser, "#users tbody tr")) == [
        "boss@acme.test", "paul@acme.test"]
    assert "(2)" in by_id(browser, "users-heading").text and by_id(browser, "seats-active").text.startswith("2")
    assert "n'occupent pas de licence" in by_id(browser, "portal-clients-elsewhere").text
    assert [o.get_attribute("value") for o in css(browser, "#filter-role option")] == [
        "", "license_admin", "front_user_manager", "user"]
    screenshot(browser, "admin-users-team-only")
    navigate(browser, "portal-clients-link")
    assert css(browser, "#portal-clients")
    # a link of the time the users' list had a role "client" filter opens the portal contacts, filtered alike
    browser.get(w.url + "/settings/users?role=client&q=jean")
    assert [r.get_attribute("data-client") for r in css(browser, "#portal-clients tbody tr")] == [
        "jean@hervedavid.test"]
    # the admin, on the contract's sharing page: the observer who cannot be ticked links to those settings
    browser.get(f"{w.url}/contracts/{contract['id']}/portal?requester={contacts['Mireille']['id']}")
    assert by_id(browser, f"observer-{luc}-why").find_element("css selector", "a").get_attribute("href").endswith(
        f"/settings/portal?customer_id={lexzur['customer']['id']}")
    browser.delete_all_cookies()

    # the salesperson: the contract page's "Show in client portal"
    sign_in(browser, "paul@acme.test", next_path=f"/contracts/{contract['id']}")
    assert not css(browser, "#portal-banner")
    more_actions(browser)
    navigate(browser, "portal-sharing")
    assert by_id(browser, "portal-not-shared")
    from selenium.webdriver.support.ui import Select
    requester = Select(by_id(browser, "field-requester"))
    # the contract's contact asked for it: she is the requester offered, though Jean comes first by name
    assert requester.first_selected_option.get_attribute("value") == contacts["Mireille"]["id"]
    assert requester.options[0].get_attribute("value") != contacts["Mireille"]["id"]
    jean, other = by_id(browser, f"observer-{contacts['Jean']['id']}"), by_id(browser, f"observer-{luc}")
    assert jean.is_enabled() and not other.is_enabled()
    why = by_id(browser, f"observer-{luc}-why")
    # Luc's company is beside his name, as Jean's: the reason says once what is wrong, naming the requester's
    assert why.text.startswith("N'appartient pas à la société du demandeur (Hervé David SA).")
    assert "Filiale Nord" not in why.text and "Luc" not in why.text
    # a salesperson cannot open the client portal settings (403): no link, whom to ask instead
    assert not why.find_elements("css selector", "a") and "demandez à votre administrateur de corriger sa société" in why.text
    for width in ("desktop", "phone"):
        with on_a_phone(browser) if width == "phone" else contextlib.nullcontext():
            for contact_id in (contacts["Jean"]["id"], luc):
                name, company, reason = observer_row(browser, contact_id)
                assert abs(company["y"] + company["height"] / 2 - name["y"] - name["height"] / 2) < 4, \
                    (width, contact_id, "the company beside the name")
                assert company["x"] > name["x"] + name["width"]
            assert reason["y"] >= name["y"] + name["height"] and abs(reason["x"] - name["x"]) <= 2, \
                (width, "the reason under the name, level with it", reason, name)
            # the attachments' box with its words beside it, level with the first line; on a phone they wrap
            # beside it too, not under it
            box, lines = box_and_lines_of_words(browser, "field-show_attachments")
            assert abs(lines[0]["y"] + lines[0]["height"] / 2 - box["y"] - box["height"] / 2) < 6, (width, box, lines)
            assert all(line["x"] >= box["x"] + box["width"] for line in lines), (width, box, lines)
            # the box's label is a field of the form: the space after it is the one between fields (the observers'
            # fieldset and it), not glued to the message's label
            observers, label, message = (by_id(browser, i).rect for i in ("observers", "show-attachments-label",
                                                                          "message-field"))
            above, below = label["y"] - observers["y"] - observers["height"], message["y"] - label["y"] - label["height"]
            assert below >= 14 and abs(below - above) <= 2, (width, above, below)
    screenshot(browser, "portal-sharing-choose")

    # forced through anyway (the box enabled by script): the API refuses, the page says why
    browser.execute_script("arguments[0].disabled = false; arguments[0].checked = true;", other)
    jean.click()
    navigate(browser, "share-submit")
    assert "refusé" in by_id(browser, "form-message").text
    assert "Filiale Nord" in by_id(browser, "observers-error").text and "même société" in by_id(
        browser, "observers-error").text
    assert by_id(browser, "portal-not-shared")

    # the real share: requester Mireille, observer Jean
    assert by_id(browser, f"observer-{contacts['Jean']['id']}").is_selected()  # the refused form kept the choice
    assert not by_id(browser, f"observer-{luc}").is_selected()
    by_id(browser, "field-message").send_keys("Voici le bail pour relecture.")
    navigate(browser, "share-submit")
    assert "Mireille Couture" in notice(browser) and "Jean Petit" in notice(browser)
    shared = by_id(browser, "portal-shared").text
    assert "Mireille Couture" in shared and "Jean Petit" in shared
    assert css(browser, "#portal-shared .portal-mark")
    # one vocabulary ("sur le portail client"); once shared, the form's heading says what it does now
    assert "Visible sur le portail client" in shared
    assert by_id(browser, "sharing-heading").text == "Partage sur le portail client"
    # "client" is the customer: the people of the portal are its contacts
    assert "client du portail" not in by_id(browser, "sharing").text
    screenshot(browser, "portal-sharing-shared")
    for email in ("mireille@hervedavid.test", "jean@hervedavid.test"):
        w.wait(lambda: [m for m in w.mail.messages(to=email)
                        if dict(m["headers"]).get("X-Paraph-Template") == "contract_shared"],
               message=f"the contract_shared email to {email}")

    # attachments: the folder "Annexes" shown at once, the loose internal note stays hidden
    navigate(browser, "tab-attachments")
    assert {li.get_attribute("data-visible") for li in css(browser, "[data-attachment]")} == {"no"}
    navigate(browser, "toggle-folder-2")
    visible = {li.get_attribute("data-attachment"): li.get_attribute("data-visible")
               for li in css(browser, "[data-attachment]")}
    assert visible == {"note-interne.txt": "no", "plan-des-locaux.txt": "yes", "etat-des-lieux.txt": "yes"}
    # what the client sees says so in a word, not by the green line alone (UI.md)
    assert {li.get_attribute("data-attachment"): _shown_word(li) for li in css(browser, "[data-attachment]")} == {
        "note-interne.txt": None, "plan-des-locaux.txt": "Visible", "etat-des-lieux.txt": "Visible"}
    screenshot(browser, "portal-sharing-attachments")

    # milestones: visible by default; the internal review is hidden
    navigate(browser, "tab-milestones")
    internal = lexzur["milestones"]["Revue juridique interne"]["id"]
    assert {li.get_attribute("data-visible") for li in css(browser, "[data-milestone]")} == {"yes"}
    navigate(browser, f"toggle-milestone-{internal}")
    assert by_id(browser, f"milestone-{internal}").get_attribute("data-visible") == "no"
    assert _shown_word(by_id(browser, f"milestone-{internal}")) is None
    assert {_shown_word(li) for li in css(browser, "[data-milestone]") if li.get_attribute("data-visible") == "yes"} == {
        "Visible"}
    screenshot(browser, "portal-sharing-milestones")

    # the green mark: on the contract page (banner, visible documents) and in the contracts list
    w.wait(lambda: s.get(f"/api/v1/contracts/{contract['id']}", token=lexzur["sales"]["access_token"])
           .get_json()["portal_shared"], message="the contract marked shared")
    browser.get(f"{w.url}/contracts/{contract['id']}")
    assert by_id(browser, "portal-banner").is_displayed()
    assert len(css(browser, "#documents .portal-mark")) == 2
    screenshot(browser, "contract-in-portal")
    browser.get(f"{w.url}/contracts")
    row = css(browser, f"tr[data-number='{contract['number']}']")[0]
    assert row.find_elements("css selector", ".portal-mark")
    # every page names Paraph's icon: no "Failed to load resource: 404" for a /favicon.ico in the console
    assert not [e["message"] for e in browser.get_log("browser") if "404" in e["message"] or "favicon" in e["message"]]
    browser.delete_all_cookies()

    # the observer in the client portal: exactly the visible attachments and milestones
    portal = s.serve()  # the gateway serves the client portal (the web app forwards it under ./paraph up)
    portal_sign_in(browser, w, f"{portal}/portal?lang=fr", "jean@hervedavid.test", PASSWORD)
    w.wait(lambda: css(browser, f"#contract-list li[data-contract-id='{contract['id']}']"), message="the contract")
    item = css(browser, f"#contract-list li[data-contract-id='{contract['id']}']")[0]
    title, status = item.find_element("css selector", "a"), item.find_element("css selector", ".badge.draft")
    assert status.text == "En préparation"  # the client's words for a draft, not the staff's "Brouillon"
    assert status.location["x"] >= title.location["x"] + title.size["width"] + 4  # not glued to the title
    # French typography: a (non-breaking) space before the colon
    who = item.find_element("css selector", ".muted").get_attribute("textContent")
    assert who == "Demandeur\u00a0: Mireille Couture · Observateurs\u00a0: Jean Petit"
    # everything on the portal is the client's to see: no staff note about what is visible, no green mark
    assert by_id(browser, "contracts").text.splitlines()[0] == "Vos documents" and "ligne verte" not in browser.page_source
    assert item.value_of_css_property("border-left-width") == "0px"
    screenshot(browser, "portal-client-contracts")
    browser.get(f"{portal}/portal/contracts/{contract['id']}?lang=fr")
    w.wait(lambda: css(browser, "#attachment-list li.attachment"), message="the contract's attachments")
    # plain download links, their file name then their size; no outline buttons
    assert sorted(li.text.replace("\u00a0", " ") for li in css(browser, "#attachment-list li.attachment")) == [
        "etat-des-lieux.txt · 1 ko", "plan-des-locaux.txt · 1 ko"]
    links = css(browser, "#attachment-list li.attachment a")
    assert sorted(a.text for a in links) == ["etat-des-lieux.txt", "plan-des-locaux.txt"]
    assert not css(browser, "#attachment-list button")
    assert links[0].value_of_css_property("font-weight") == "400"
    # the lists start at their heading's left edge (no inset)
    for section in ("milestone-list", "attachment-list"):
        heading = by_id(browser, section).find_element("xpath", "preceding-sibling::h2")
        first = css(browser, f"#{section} li")[0]
        assert abs(first.location["x"] - heading.location["x"]) <= 1, section
        assert first.value_of_css_property("padding-left") == "0px", section
    # the amount says it is with taxes
    amount = [d for d in css(browser, "#contract-meta > div") if d.text.startswith("MONTANT")][0]
    assert amount.find_element("css selector", "dt").get_attribute("textContent") == "Montant TTC"
    assert "".join(amount.find_element("css selector", "dd").text.split()).replace("\u202f", "") == "1800,00€"
    assert [li.text.split(" · ")[0] for li in css(browser, "#milestone-list li.milestone")] == ["Signature du bail"]
    assert css(browser, "#milestone-list li.milestone")[0].text == "Signature du bail · Échéance 15 janv. 2027"
    # the status: its word on a coloured badge, as in the lists
    assert by_id(browser, "contract-status").text == "En préparation"
    assert by_id(browser, "contract-status").get_attribute("class") == "badge draft"
    # on a phone: the brand on one line with the other language beside it, the menu on one row below them
    browser.set_window_size(375, 900)
    width = browser.execute_script("return document.documentElement.clientWidth")
    brand, lang = css(browser, "header.top .brand")[0], by_id(browser, "lang-switch")
    assert brand.text == "ACME Paris — Portail client" and brand.size["height"] < 30
    assert abs(lang.location["y"] - brand.location["y"]) <= 4 and lang.location["x"] > brand.location["x"]
    items = [e for e in css(browser, "header.top nav a, header.top nav button") if e.is_displayed()]
    tops = [e.location["y"] for e in items]
    assert [e.text for e in items] == ["Documents", "Mes tâches", "Mon profil", "Se déconnecter"]
    assert max(tops) - min(tops) <= 4, [(e.text, e.location) for e in items]  # one row
    assert min(tops) >= brand.location["y"] + brand.size["height"]  # below the brand
    assert items[-1].location["x"] + items[-1].size["width"] <= width
    browser.set_window_size(1280, 900)
    screenshot(browser, "portal-client-contract")
    session = browser.execute_script("return JSON.parse(sessionStorage.getItem('paraph.portal.session'))")
    # the client portal's pages name the icon too (a data: URI, which their Content-Security-Policy allows)
    assert css(browser, "link[rel=icon]")[0].get_attribute("href").startswith("data:image/svg+xml,")
    assert not [e["message"] for e in browser.get_log("browser") if "404" in e["message"] or "favicon" in e["message"]]

    # stop sharing (asked once): the contract leaves the client's portal
    sign_in(browser, "paul@acme.test", next_path=f"/contracts/{contract['id']}/portal")
    by_id(browser, "stop-sharing-ask").click()
    navigate(browser, "stop-sharing")
    assert by_id(browser, "portal-not-shared")
    mine = s.get("/api/v1/portal/contracts", token=session["access_token"]).get_json()
    assert mine["items"] == []


def test_a_requester_and_an_observer_who_no_longer_see_the_contract_are_named_so(web_system, lexzur, browser,
                                                                                 sign_in, screenshot):
    """The salesperson cannot delete Mireille's contact (it would revoke her portal access, which only managers
    may do): the Contacts tab says so. The admin deletes it (the portal revokes her access with it) and revokes
    Luc's access: the share still names them, each with a muted badge saying why the contract no longer shows to
    them, and the page asks for another requester, offering neither of them; Jean, in the client portal, reads
    Mireille by her name alone (that her contact was deleted is the staff's business); Jean chosen, the share
    names him alone."""
    from selenium.webdriver.support.ui import Select
    w, s = web_system, web_system.s
    T, A = lexzur["sales"]["access_token"], lexzur["admin"]["access_token"]
    contract, contacts = lexzur["contract"], lexzur["contacts"]
    mireille, jean, luc = (contacts[name]["id"] for name in ("Mireille", "Jean", "Luc"))
    ok(s.post(f"/api/v1/contracts/{contract['id']}/portal-share", token=T,
              json={"requester_contact_id": mireille, "observer_contact_ids": [jean, luc]}), 201)

    # the salesperson's deletion is refused, saying why, on the Contacts tab
    sign_in(browser, "paul@acme.test", next_path=f"/customers/{lexzur['customer']['id']}?tab=contacts")
    css(browser, f"#contact-{mireille} summary")[0].click()
    by_id(browser, f"delete-contact-{mireille}-ask").click()
    navigate(browser, f"delete-contact-{mireille}")
    # in the salesperson's words: the license is the admins' business
    assert notice(browser) == ("Ce contact a un accès au portail client : demandez à un administrateur ou à un "
                               "gestionnaire des utilisateurs de votre entreprise de supprimer le contact, ou de "
                               "retirer d'abord son accès.")
    assert by_id(browser, "tab-contacts").get_attribute("aria-current") == "page"
    assert css(browser, f"#contact-{mireille}")
    screenshot(browser, "customer-contact-with-portal-access-not-deleted")
    assert s.delete(f"/api/v1/contacts/{mireille}", token=A).status_code == 204
    ok(s.delete(f"/api/v1/contacts/{luc}/portal-access", token=A), 200)

    def share():
        return ok(s.get(f"/api/v1/contracts/{contract['id']}/portal", token=T), 200)["share"]
    w.wait(lambda: share()["requester"]["access_status"] == "deactivated",
           message="Mireille's access revoked with her contact")
    assert share()["requester"]["contact_deleted"] is True
    assert sorted((o["name"], o["access_status"], o["contact_deleted"]) for o in share()["observers"]) == [
        ("Jean Petit", "active", False), ("Luc Autre", "deactivated", False)]

    browser.get(f"{w.url}/contracts/{contract['id']}/portal")
    assert "demandé par Mireille Couture contact supprimé" in by_id(browser, "portal-shared").text
    assert {b.get_attribute("data-no-longer-sees"): b.text for b in css(browser, "#portal-shared .badge")} == {
        mireille: "contact supprimé", luc: "accès retiré"}
    assert by_id(browser, "requester-lost").text == \
        "Mireille Couture ne voit plus ce contrat sur le portail client : choisissez un autre demandeur ci-dessous."
    requester = Select(by_id(browser, "field-requester"))
    assert [o.get_attribute("value") for o in requester.options] == [jean]  # the clients who still see the portal
    assert not css(browser, "#observers input[type=checkbox]")  # nor is anyone else offered as an observer
    screenshot(browser, "portal-sharing-no-longer-sees")

    # in the client portal, Jean reads who the contract was shared with: Mireille by her name alone, without the
    # staff's "(contact supprimé)": a deleted contact is the seller's bookkeeping, nothing the client acts on
    staff_page = browser.current_url
    portal = s.serve()
    portal_sign_in(browser, w, f"{portal}/portal?lang=fr", "jean@hervedavid.test", PASSWORD)
    w.wait(lambda: css(browser, f"#contract-list li[data-contract-id='{contract['id']}']"), message="the contract")
    item = css(browser, f"#contract-list li[data-contract-id='{contract['id']}']")[0]
    requester_part, observers_part = item.find_element("css selector", ".muted").get_attribute("textContent").split(" · ")
    assert requester_part == "Demandeur\u00a0: Mireille Couture"
    assert sorted(observers_part.split("\u00a0: ")[1].split(", ")) == ["Jean Petit", "Luc Autre"]
    assert "supprimé" not in by_id(browser, "contracts").text
    # on a phone the status badge wraps under the title at its left edge, not indented
    with on_a_phone(browser):
        title, status = item.find_element("css selector", "a"), item.find_element("css selector", ".badge")
        assert status.location["y"] > title.location["y"] and status.location["x"] == title.location["x"]
    screenshot(browser, "portal-client-contracts-deleted-contact")
    browser.get(f"{portal}/portal/contracts/{contract['id']}?lang=en")
    w.wait(lambda: "Mireille Couture" in by_id(browser, "contract-meta").text, message="the requester named")
    assert "deleted" not in by_id(browser, "contract-meta").text
    browser.get(staff_page)

    navigate(browser, "share-submit")
    assert "Jean Petit" in notice(browser)
    assert "demandé par Jean Petit" in by_id(browser, "portal-shared").text
    assert not css(browser, "#portal-shared .badge") and not css(browser, "#requester-lost")
