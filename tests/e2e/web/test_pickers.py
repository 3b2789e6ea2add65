"""Pickers searchable across the whole list (pages/pickers.py): a license with more customers (and users) than a
picker lists at first. The picker's page size is lowered to 5 for the test (``PICKER_PAGE_SIZE``, 200 by
default): a salesperson finds the customer beyond it by typing in the quote editor and in the new deal form; the
chosen customer then shows by its name (an edited quote, a list's filter in the URL); the admin adds a user and
a customer beyond the first page to a perimeter, filters by an owner and gives a deal to an owner beyond it. Each
choice is checked through the API."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from tests.e2e.web.browsing import by_id, css, ok, wait_for_next_page

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

PAGE_SIZE = 5


def navigate(browser, element_id: str):
    page = css(browser, "html")[0]
    by_id(browser, element_id).click()
    wait_for_next_page(browser, page)


def option_texts(browser, select_id: str) -> list[str]:
    """A select's options, read at once (a search replaces them meanwhile)."""
    by_id(browser, select_id)
    return browser.execute_script("return Array.from(document.getElementById(arguments[0]).options, o => o.text)",
                                  select_id)


def search(w, browser, picker_id: str, words: str, expected: str):
    """Type in a long picker's search box (keyboard only) and wait for ``expected`` among its select's options."""
    box = by_id(browser, picker_id + "-search")
    assert box.is_displayed()
    box.send_keys(words)
    w.wait(lambda: expected in option_texts(browser, picker_id), message=f"{expected} found by the search")


def selected(browser, select_id: str) -> str:
    return Select(by_id(browser, select_id)).first_selected_option.text


@pytest.fixture
def crowd(web_system, staff):
    """8 customers (Client 01 … Client 08, by name) and 8 staff users: more than a picker's first page."""
    w, s = web_system, web_system.s
    w.app.config["PICKER_PAGE_SIZE"] = PAGE_SIZE
    token = staff.sales["access_token"]
    customers = {c["name"]: c for c in (ok(s.post("/api/v1/customers", token=token, json={"name": f"Client {n:02d}"}))
                                        for n in range(1, 9))}
    for n in range(1, 6):  # invited users: listed by email after boss@ and paul@, before zoe@
        ok(s.post("/api/v1/users", token=staff.admin["access_token"],
                  json={"email": f"user{n}@acme.test", "name": f"Utilisateur {n}", "role": "user"}))
    zoe = ok(s.post("/api/v1/users", token=staff.admin["access_token"],
                    json={"email": "zoe@acme.test", "name": "Zoé Lambert", "role": "user"}))
    s.accept("zoe@acme.test")  # active: she may own a deal
    return {"customers": customers, "zoe": zoe, "token": token}


def test_a_customer_beyond_the_first_page_is_found_in_the_quote_editor_and_the_deal_form(
        web_system, staff, crowd, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    client_8, client_7 = crowd["customers"]["Client 08"], crowd["customers"]["Client 07"]
    sign_in(browser, staff.email["sales"], next_path="/quotes/new")

    # the first page only, and the search box for the others
    assert option_texts(browser, "field-customer_id") == ["Choisir…"] + [f"Client {n:02d}" for n in range(1, 6)]
    assert "Les 5 premiers" in by_id(browser, "field-customer_id-status").text
    search(w, browser, "field-customer_id", "08", "Client 08")
    w.wait(lambda: "1 résultat" in by_id(browser, "field-customer_id-status").text, message="the status")
    assert option_texts(browser, "field-customer_id") == ["Choisir…", "Client 08"]
    screenshot(browser, "picker-quote-search")

    # by keyboard: ArrowDown from the box goes to the select, where the arrows choose (the editor refreshes)
    page = css(browser, "html")[0]
    by_id(browser, "field-customer_id-search").send_keys(Keys.ARROW_DOWN)
    assert browser.switch_to.active_element.get_attribute("id") == "field-customer_id"
    Select(by_id(browser, "field-customer_id")).select_by_visible_text("Client 08")
    wait_for_next_page(browser, page)
    assert selected(browser, "field-customer_id") == "Client 08"  # shown though beyond the first page
    by_id(browser, "field-title").send_keys("Devis du client 8")
    navigate(browser, "quote-submit")
    quote_id = browser.current_url.rstrip("/").split("/")[-1]
    assert ok(s.get(f"/api/v1/contracts/{quote_id}", token=crowd["token"]))["customer_id"] == client_8["id"]

    # an edited quote and a list's filter in the URL show the customer by its name
    browser.get(f"{w.url}/contracts/{quote_id}/edit")
    assert by_id(browser, "quote-customer").text == "Client 08"
    browser.get(f"{w.url}/quotes?customer={client_8['id']}")
    assert selected(browser, "filter-customer") == "Client 08"
    assert "Devis du client 8" in browser.page_source
    search(w, browser, "filter-customer", "07", "Client 07")  # the filter bar's picker searches too
    assert selected(browser, "filter-customer") == "Client 08"  # until another is chosen
    screenshot(browser, "picker-quotes-filter")

    # the new deal: the same picker
    browser.get(w.url + "/deals/new")
    search(w, browser, "field-customer_id", "Client 07", "Client 07")
    Select(by_id(browser, "field-customer_id")).select_by_visible_text("Client 07")
    by_id(browser, "field-title").send_keys("Affaire du client 7")
    screenshot(browser, "picker-deal-new")
    navigate(browser, "deal-submit")
    deal_id = browser.current_url.rstrip("/").split("/")[-1]
    assert ok(s.get(f"/api/v1/deals/{deal_id}", token=crowd["token"]))["customer_id"] == client_7["id"]

    # a search that finds nothing says so; the chosen customer stays chosen
    browser.get(f"{w.url}/deals/new?customer_id={client_8['id']}")
    assert selected(browser, "field-customer_id") == "Client 08"
    by_id(browser, "field-customer_id-search").send_keys("zzz")
    w.wait(lambda: "Aucun résultat" in by_id(browser, "field-customer_id-status").text, message="no match")
    assert selected(browser, "field-customer_id") == "Client 08"


def test_the_admin_adds_a_user_and_a_customer_beyond_the_first_page_to_a_perimeter(
        web_system, staff, crowd, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    admin = staff.admin["access_token"]
    perimeter = ok(s.post("/api/v1/perimeters", token=admin, json={"name": "Sud"}))
    zoe, client_8 = crowd["zoe"], crowd["customers"]["Client 08"]
    sign_in(browser, staff.email["admin"], next_path=f"/settings/perimeters/{perimeter['id']}")

    assert not css(browser, f"#users-{zoe['user_id']}")  # beyond the first page
    by_id(browser, "users-search").send_keys("zoe")
    w.wait(lambda: css(browser, f"#users-found #users-{zoe['user_id']}"), message="Zoé found")
    assert "cochez-le" in by_id(browser, "users-list-status").text
    by_id(browser, f"users-{zoe['user_id']}").send_keys(Keys.SPACE)  # ticked by keyboard: it joins the list
    assert css(browser, f"#users-list #users-{zoe['user_id']}:checked")
    # the status no longer asks to tick it: it says what is ticked and not saved yet (the search's words when none)
    assert by_id(browser, "users-list-status").text == "1 coché : il est ajouté à l'enregistrement."
    by_id(browser, f"users-{zoe['user_id']}").send_keys(Keys.SPACE)
    assert "cochez-le" in by_id(browser, "users-list-status").text
    by_id(browser, f"users-{zoe['user_id']}").send_keys(Keys.SPACE)
    by_id(browser, "customers-search").send_keys("08")
    w.wait(lambda: css(browser, f"#customers-found #customers-{client_8['id']}"), message="Client 08 found")
    by_id(browser, f"customers-{client_8['id']}").click()
    assert by_id(browser, "customers-list-status").text == "1 coché : il est ajouté à l'enregistrement."
    # another search says what it found; a second box ticked is counted with the first
    client_7 = crowd["customers"]["Client 07"]
    by_id(browser, "customers-search").send_keys(Keys.BACKSPACE * 2 + "07")
    w.wait(lambda: css(browser, f"#customers-found #customers-{client_7['id']}"), message="Client 07 found")
    assert "cochez-le" in by_id(browser, "customers-list-status").text
    by_id(browser, f"customers-{client_7['id']}").click()
    assert by_id(browser, "customers-list-status").text == "2 cochés : ils sont ajoutés à l'enregistrement."
    by_id(browser, f"customers-{client_7['id']}").click()  # not this one after all
    assert by_id(browser, "customers-list-status").text == "1 coché : il est ajouté à l'enregistrement."
    screenshot(browser, "picker-perimeter-search")
    # searched again, Client 08 is found in the list, ticked already: the status does not ask to tick it
    by_id(browser, "customers-search").send_keys(Keys.BACKSPACE * 2 + "08")
    w.wait(lambda: by_id(browser, "customers-list-status").text == "1 résultat, déjà dans la liste ci-dessus.",
           message="Client 08 said to be in the list")
    assert not css(browser, "#customers-found li") and by_id(browser, f"customers-{client_8['id']}").is_selected()
    screenshot(browser, "picker-perimeter-search-listed")
    navigate(browser, "perimeter-submit")
    members = ok(s.get(f"/api/v1/perimeters/{perimeter['id']}", token=admin))["members"]
    assert members["users"] == [zoe["user_id"]] and members["customers"] == [client_8["id"]]

    # back on the page: the members beyond the first page are listed, ticked; unticking one removes it
    browser.get(f"{w.url}/settings/perimeters/{perimeter['id']}")
    assert by_id(browser, f"users-{zoe['user_id']}").is_selected()
    assert by_id(browser, f"customers-{client_8['id']}").is_selected()
    by_id(browser, f"users-{zoe['user_id']}").click()
    navigate(browser, "perimeter-submit")
    members = ok(s.get(f"/api/v1/perimeters/{perimeter['id']}", token=admin))["members"]
    assert members["users"] == [] and members["customers"] == [client_8["id"]]

    # a manager's owner filter: the license's users, the one in the URL shown by name though beyond the first page
    browser.get(f"{w.url}/quotes?owner={zoe['user_id']}")
    assert selected(browser, "filter-owner") == "Zoé Lambert"
    search(w, browser, "filter-owner", "user5", "Utilisateur 5")
    assert option_texts(browser, "filter-owner")[:3] == ["Tout le monde", "Moi", "Zoé Lambert"]

    # a manager's new deal: its owner found beyond the first page of the active staff too (the users invited and
    # not active yet are not offered: the API refuses them as owners)
    w.app.config["PICKER_PAGE_SIZE"] = 2  # boss@, paul@: Zoé beyond
    browser.get(w.url + "/deals/new")
    assert selected(browser, "field-owner_id") == "boss@acme.test"  # the manager, until another is chosen
    by_id(browser, "field-owner_id-search").send_keys("user")
    w.wait(lambda: browser.execute_script("return document.getElementById('field-owner_id-options').label")
           == "Aucun résultat", message="no invited user found")
    assert not [text for text in option_texts(browser, "field-owner_id") if "Utilisateur" in text]
    by_id(browser, "field-owner_id-search").clear()
    search(w, browser, "field-owner_id", "zoe", "Zoé Lambert")
    Select(by_id(browser, "field-owner_id")).select_by_visible_text("Zoé Lambert")
    screenshot(browser, "picker-deal-owner")
    Select(by_id(browser, "field-customer_id")).select_by_visible_text("Client 01")
    by_id(browser, "field-title").send_keys("Affaire de Zoé")
    navigate(browser, "deal-submit")
    deal_id = browser.current_url.rstrip("/").split("/")[-1]
    assert ok(s.get(f"/api/v1/deals/{deal_id}", token=admin))["owner_id"] == zoe["user_id"]
    assert selected(browser, "field-owner_id") == "Zoé Lambert"  # the deal's page shows her by name
    assert not [e for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]


def test_a_perimeter_offers_no_deactivated_user_and_marks_a_deactivated_member_for_the_admin_to_remove(
        web_system, staff, crowd, browser, sign_in, screenshot):
    """A deactivated user sees nothing until reactivated: the perimeter's checklist (and its search) does not offer
    them to tick; one still a member, on the first page or beyond it, stays listed, ticked and marked "Désactivé",
    so that the admin sees the membership and may untick it (hidden, a save kept it unseen)."""
    w, s = web_system, web_system.s
    admin = staff.admin["access_token"]
    ids = {n: ok(s.get(f"/api/v1/users?q=user{n}@", token=admin))["items"][0]["user_id"] for n in (1, 2)}
    zoe = crowd["zoe"]["user_id"]  # beyond the first page
    perimeter = ok(s.post("/api/v1/perimeters", token=admin, json={"name": "Nord"}))
    ok(s.put(f"/api/v1/perimeters/{perimeter['id']}/members", token=admin,
             json={"users": [ids[1], zoe], "customers": [], "contract_types": []}))
    for user_id in (ids[1], ids[2], zoe):
        ok(s.post(f"/api/v1/users/{user_id}/deactivate", token=admin))
    sign_in(browser, staff.email["admin"], next_path=f"/settings/perimeters/{perimeter['id']}")

    for member in (ids[1], zoe):  # listed, ticked, marked
        box = by_id(browser, f"users-{member}")
        assert box.is_selected()
        assert box.find_element("xpath", "..").find_element("css selector", ".badge.deactivated").text == "Désactivé"
    assert not css(browser, f"#users-{ids[2]}")  # on the first page, deactivated: not offered
    assert "n'est pas proposé" in by_id(browser, "perimeter-deactivated-hint").text
    screenshot(browser, "perimeter-deactivated-members")
    by_id(browser, "users-search").send_keys("user2")
    w.wait(lambda: "user2" in by_id(browser, "users-list-status").text, message="the search for user2")
    assert not css(browser, "#users-found li")  # nor found by the search
    by_id(browser, "users-search").send_keys(Keys.BACKSPACE * 5)  # the list whole again
    w.wait(lambda: by_id(browser, f"users-{ids[1]}").is_displayed(), message="user1 shown again")

    by_id(browser, f"users-{ids[1]}").click()  # user1 out of the perimeter; Zoé kept
    navigate(browser, "perimeter-submit")
    members = ok(s.get(f"/api/v1/perimeters/{perimeter['id']}", token=admin))["members"]
    assert members["users"] == [zoe]
    browser.get(f"{w.url}/settings/perimeters/{perimeter['id']}")
    assert not css(browser, f"#users-{ids[1]}") and by_id(browser, f"users-{zoe}").is_selected()
