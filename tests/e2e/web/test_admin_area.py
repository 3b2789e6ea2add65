"""The Enterprise admin area driven as a person would, in headless Chromium, against the real services:
the seats of a pool shared by two companies, inviting a user, changing a role, deactivating and
reactivating (asked once, by name), a front user manager's narrower page, and the SELL&SIGN
practical case: the admin shares customers and contract types out in perimeters ("Nord", "Sud"), invites a
salesperson into "Sud" at once (the form posted twice: one invitation), and DUPONT, DURAND and she each see
only theirs in the pickers of the new quote page."""
import pytest

from tests.e2e.web.browsing import by_id, css, filled_buttons

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def navigate(browser, element):
    """Click a link or submit button (an element or its id) and wait for the next page."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
    page = css(browser, "html")[0]
    (by_id(browser, element) if isinstance(element, str) else element).click()

    def left(_):
        # the old page's root is gone once the next page loaded; Chromium reports a node it has just
        # dropped either as stale or as "does not belong to the document": both mean the page changed
        try:
            page.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(browser, 20).until(left)


def h1(browser):
    return css(browser, "h1")[0].text


def options(browser, select_id) -> list[str]:
    """The choices of a picker, without its placeholder."""
    from selenium.webdriver.support.ui import Select
    return sorted(o.text for o in Select(by_id(browser, select_id)).options if o.get_attribute("value"))


def notice(browser) -> str:
    return " ".join(n.text for n in css(browser, "p.notice"))


def switch_user(browser, sign_in, email):
    browser.delete_all_cookies()
    sign_in(browser, email)


def test_seats_users_roles_and_a_front_user_manager(web_system, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    # one subscription of 10 seats shared by two companies: the other one uses 3
    admin = s.new_license("Immobilière du Nord", "admin@nord.test", seats=10)
    other = s.new_license("Immobilière du Sud", "admin@sud.test", pool=admin["pool"])
    for email in ("a@sud.test", "b@sud.test"):
        s.add_user(other, email)
    s.add_user(admin, "manager@nord.test", role="front_user_manager", name="Lucie Manager")
    s.add_user(admin, "paul@nord.test", name="Paul Martin")
    nord = s.post("/api/v1/perimeters", json={"name": "Nord"}, token=admin["access_token"]).get_json()

    sign_in(browser, "admin@nord.test", next_path="/settings/users")
    assert h1(browser) == "Utilisateurs et licences"  # the admin's language: French (the default)
    # the pool's seats are said as one figure, then where they go (this company, the subscription's other ones)
    assert by_id(browser, "seats-pool").text == ("6 sur 10\n3 chez Immobilière du Nord, 3 dans les autres sociétés "
                                                 "de l'abonnement")
    assert by_id(browser, "seats-active").text == "3"
    assert by_id(browser, "seats-free").text == "4"
    assert by_id(browser, "license-expiry").text
    assert len(css(browser, "#users tbody tr")) == 3
    # a role has one name: the admin's in the list of users is the one their own account page says
    admin_row = [row for row in css(browser, "#users tbody tr") if "admin@nord.test" in row.text][0]
    assert admin_row.find_element("css selector", ".badge.role").text == "Administrateur de licence"
    browser.get(w.url + "/account")
    assert by_id(browser, "profile-role").text == "Administrateur de licence"
    screenshot(browser, "account-license-admin")
    browser.get(w.url + "/settings/users")

    # invite a user: the primary action, a form with the role and the perimeters (optional: none ticked), then
    # her page
    navigate(browser, "invite-link")
    assert not by_id(browser, f"perimeter_ids-{nord['id']}").is_selected()
    assert by_id(browser, "perimeter_ids-choices").text.splitlines() == ["Périmètres", "Nord"]
    by_id(browser, "field-email").send_keys("claire@nord.test")
    by_id(browser, "field-name").send_keys("Claire Petit")
    navigate(browser, "invite-submit")
    w.wait(lambda: css(browser, "#user-status"), message="the invited user's page")
    assert h1(browser) == "Claire Petit" and by_id(browser, "user-status").text == "Invité"
    assert notice(browser).startswith("Invitation envoyée à Claire Petit (claire@nord.test) : ")  # the person
    assert not by_id(browser, f"perimeter_ids-{nord['id']}").is_selected()
    screenshot(browser, "admin-user")
    navigate(browser, "resend-invitation")
    assert "Claire Petit" in notice(browser)
    # the same email again: said next to the email field, in the page's language, not a crash
    browser.get(w.url + "/settings/users/invite")
    by_id(browser, "field-email").send_keys("claire@nord.test")
    navigate(browser, "invite-submit")
    w.wait(lambda: css(browser, "#field-email-error"), message="the refusal next to the email")
    assert by_id(browser, "field-email-error").text == "Déjà invité dans cette licence."
    screenshot(browser, "admin-invite")

    # search (kept in the URL), then her role, deactivation (asked once, by name) and reactivation
    browser.get(w.url + "/settings/users?q=claire")
    rows = css(browser, "#users tbody tr")
    assert len(rows) == 1 and "claire@nord.test" in rows[0].text
    assert by_id(browser, "seats-pool").text.startswith("7 sur 10\n4 chez Immobilière du Nord")
    assert by_id(browser, "seats-active").text == "3\net 1 invité, pas encore connecté"  # Claire takes a seat
    screenshot(browser, "admin-users")
    navigate(browser, rows[0].find_element("tag name", "a"))
    from selenium.webdriver.support.ui import Select
    Select(by_id(browser, "field-role")).select_by_value("front_user_manager")
    navigate(browser, "role-submit")
    assert by_id(browser, "user-role").text == "Gestionnaire des utilisateurs"
    # one filled button: the perimeters' save; the role's change is outlined, its select named by its heading only
    assert filled_buttons(browser) == [by_id(browser, "user-perimeters-submit").text]
    role_label = by_id(browser, "field-role").find_element("xpath", "preceding-sibling::label")
    assert by_id(browser, "role-heading").text == "Rôle" and role_label.size["height"] <= 1  # for screen readers
    # the question opens over the page (what is under it does not move) and Cancel closes it
    role_heading_at = by_id(browser, "role-heading").location["y"]
    by_id(browser, "deactivate-ask").click()
    assert "Claire Petit" in by_id(browser, "deactivate").text
    assert by_id(browser, "role-heading").location["y"] == role_heading_at
    screenshot(browser, "admin-user-deactivate-question")
    by_id(browser, "deactivate-cancel").click()
    assert not by_id(browser, "deactivate").is_displayed()
    assert browser.switch_to.active_element.get_attribute("id") == "deactivate-ask"
    by_id(browser, "deactivate-ask").click()
    navigate(browser, "deactivate")
    w.wait(lambda: css(browser, "#reactivate"), message="deactivated")
    assert by_id(browser, "user-status").text == "Désactivé"
    assert filled_buttons(browser) == [by_id(browser, "reactivate").text]
    navigate(browser, "reactivate")
    assert by_id(browser, "user-status").text == "Invité"

    # a front user manager: users and the seats she invites into, invites plain users, cannot touch an admin
    switch_user(browser, sign_in, "manager@nord.test")
    browser.get(w.url + "/settings/users")
    assert by_id(browser, "seats-free").text == "3" and css(browser, "#users tbody tr")
    navigate(browser, "invite-link")
    assert options(browser, "field-role") == ["Utilisateur"]
    # the perimeters of a user are a license admin's to give (the user's page shows them, read-only): not offered,
    # the form says who will and what the newcomer sees meanwhile
    assert not css(browser, "#perimeter_ids-choices")
    assert "Un administrateur de licence choisit ses périmètres" in by_id(browser, "perimeters-by-admin").text
    screenshot(browser, "admin-invite-manager")
    paul = s.get("/api/v1/users?q=paul", token=admin["access_token"]).get_json()["items"][0]
    browser.get(f"{w.url}/settings/users/{paul['user_id']}")
    assert css(browser, "#deactivate-ask") and not css(browser, "#role-form")
    assert not css(browser, "#user-perimeters-form") and by_id(browser, "user-perimeters").text == "Aucun périmètre"
    browser.get(f"{w.url}/settings/users/{admin['user']['user_id']}")
    assert not css(browser, "#deactivate-ask")
    browser.get(w.url + "/settings/perimeters")
    assert by_id(browser, "error-page").get_attribute("data-status") == "403"
    # /settings typed: the menu lists only the sections a manager may open (none of them a 403)
    browser.get(w.url + "/settings")
    assert [a.get_attribute("pathname") for a in css(browser, "main .settings-menu a")] == [
        "/settings/users", "/settings/portal"]

    # a plain user who types /settings: no section to open, and whom to ask
    switch_user(browser, sign_in, "paul@nord.test")
    browser.get(w.url + "/settings")
    assert not css(browser, "main .settings-menu a")
    assert "demandez" in by_id(browser, "settings-none").text


def test_practical_case_perimeters_then_each_salesperson_sees_only_theirs(web_system, browser, sign_in,
                                                                          screenshot):
    w, s = web_system, web_system.s
    admin = s.new_license("Agence Immo", "admin@immo.test")
    token = admin["access_token"]
    dupont = s.add_user(admin, "dupont@immo.test", name="Jean DUPONT")
    durand = s.add_user(admin, "durand@immo.test", name="Marie DURAND")
    ids = {}
    for key, name in (("tournier", "Monsieur TOURNIER"), ("fiore", "Madame FIORE")):
        r = s.post("/api/v1/customers", json={"name": name, "kind": "person"}, token=token)
        assert r.status_code == 201, r.get_json()
        ids[key] = r.get_json()["id"]
    for key, name in (("studio", "Mandat studio"), ("pool", "Mandat avec piscine"), ("longere", "Mandat longère")):
        r = s.post("/api/v1/contract-types", json={"name": name, "kind": "quote"}, token=token)
        assert r.status_code == 201, r.get_json()
        ids[key] = r.get_json()["id"]

    sign_in(browser, "admin@immo.test", next_path="/settings/perimeters")
    assert css(browser, ".empty-state")
    assert filled_buttons(browser) == ["Nouveau périmètre"]  # the header's; the empty list's own is outlined
    screenshot(browser, "admin-perimeters-empty")

    def create(name, description):
        browser.get(w.url + "/settings/perimeters")
        navigate(browser, "new-perimeter")
        by_id(browser, "field-name").send_keys(name)
        by_id(browser, "field-description").send_keys(description)
        navigate(browser, "perimeter-submit")
        w.wait(lambda: css(browser, "#users-choices"), message=f"the page of {name}")
        assert h1(browser) == f"Périmètre {name}"

    def tick(*box_ids, shot=None):
        for box_id in box_ids:
            by_id(browser, box_id).click()
        if shot:
            screenshot(browser, shot)
        navigate(browser, "perimeter-submit")
        w.wait(lambda: css(browser, "#perimeters"), message="back to the perimeters")

    # a perimeter needs a name: said next to the field
    navigate(browser, "new-perimeter")
    navigate(browser, "perimeter-submit")
    assert by_id(browser, "field-name-error").text
    # "Nord": TOURNIER and the pool mandate (DUPONT gets it on his own page below)
    create("Nord", "Agences du nord")
    tick(f"customers-{ids['tournier']}", f"contract_types-{ids['pool']}")
    # "Sud": DURAND, FIORE and the longère mandate, all from the perimeter's page (with the search box)
    create("Sud", "Agences du sud")
    search = css(browser, "#users-choices input[type=search]")
    assert not search or search[0].is_displayed()
    tick(f"users-{durand['user']['user_id']}", f"customers-{ids['fiore']}", f"contract_types-{ids['longere']}",
         shot="admin-perimeter")
    assert "Sud" in notice(browser)
    row = css(browser, "#perimeters tr[data-perimeter=Sud]")[0]
    assert [c.text for c in row.find_elements("css selector", "td.num")] == ["1", "1", "1"]
    perimeter_ids = {p["name"]: p["id"] for p in s.get("/api/v1/perimeters", token=token).get_json()["items"]}

    # a new salesperson for the south, in "Sud" from her invitation on; the form posted twice (a double click, a
    # slow answer sent again) invites her once and gives her "Sud" once
    browser.get(w.url + "/settings/users/invite")
    by_id(browser, "field-email").send_keys("leroy@immo.test")
    by_id(browser, "field-name").send_keys("Anne LEROY")
    by_id(browser, f"perimeter_ids-{perimeter_ids['Sud']}").click()
    screenshot(browser, "admin-invite-perimeters")
    assert browser.execute_script("""
        const form = document.getElementById("invite-form");
        return fetch(form.action, {method: "POST", body: new FormData(form), redirect: "manual"})
            .then(answer => answer.type === "opaqueredirect");""")
    navigate(browser, "invite-submit")
    w.wait(lambda: css(browser, "#user-status"), message="the invited salesperson's page")
    assert h1(browser) == "Anne LEROY"
    assert by_id(browser, f"perimeter_ids-{perimeter_ids['Sud']}").is_selected()
    assert not by_id(browser, f"perimeter_ids-{perimeter_ids['Nord']}").is_selected()
    leroy = s.get("/api/v1/users?q=leroy", token=token).get_json()["items"]
    assert [u["email"] for u in leroy] == ["leroy@immo.test"] and len(s.invitation_links("leroy@immo.test")) == 1
    assert s.get(f"/api/v1/users/{leroy[0]['user_id']}/perimeters", token=token).get_json()["perimeter_ids"] == [
        perimeter_ids["Sud"]]

    # DUPONT's perimeters on his page: a multi-select of the license's perimeters
    browser.get(f"{w.url}/settings/users/{dupont['user']['user_id']}")
    nord = [p for p in s.get("/api/v1/perimeters", token=token).get_json()["items"] if p["name"] == "Nord"][0]
    by_id(browser, f"perimeter_ids-{nord['id']}").click()
    navigate(browser, "user-perimeters-submit")
    assert by_id(browser, f"perimeter_ids-{nord['id']}").is_selected()
    screenshot(browser, "admin-user-perimeters")

    # a perimeter created by mistake is deleted: asked once, naming it
    create("Ouest", "")
    by_id(browser, "delete-perimeter-ask").click()
    assert "Ouest" in by_id(browser, "delete-perimeter").text
    navigate(browser, "delete-perimeter")
    w.wait(lambda: css(browser, "#perimeters"), message="the perimeters after the deletion")
    assert not css(browser, "#perimeters tr[data-perimeter=Ouest]")
    screenshot(browser, "admin-perimeters")

    # DUPONT sees TOURNIER, the pool and studio mandates; his draft quote is created
    switch_user(browser, sign_in, "dupont@immo.test")
    browser.get(w.url + "/quotes/new")
    assert options(browser, "field-customer_id") == ["Monsieur TOURNIER"]
    assert options(browser, "field-contract_type_id") == ["Mandat avec piscine", "Mandat studio"]
    screenshot(browser, "quote-new")
    navigate(browser, "quote-submit")  # no title: said next to the field
    assert by_id(browser, "field-title-error").text
    by_id(browser, "field-title").send_keys("Mandat — villa avec piscine")
    from selenium.webdriver.support.ui import Select
    Select(by_id(browser, "field-customer_id")).select_by_visible_text("Monsieur TOURNIER")
    Select(by_id(browser, "field-contract_type_id")).select_by_visible_text("Mandat avec piscine")
    navigate(browser, "quote-submit")
    w.wait(lambda: css(browser, "#contract-status"), message="the new quote's page")
    assert by_id(browser, "contract-customer").text == "Monsieur TOURNIER"
    assert by_id(browser, "contract-status").text == "Brouillon"

    # DURAND, and LEROY from her first sign-in, see FIORE, the longère and studio mandates
    s.accept("leroy@immo.test")
    for email in ("durand@immo.test", "leroy@immo.test"):
        switch_user(browser, sign_in, email)
        browser.get(w.url + "/quotes/new")
        assert options(browser, "field-customer_id") == ["Madame FIORE"], email
        assert options(browser, "field-contract_type_id") == ["Mandat longère", "Mandat studio"], email
