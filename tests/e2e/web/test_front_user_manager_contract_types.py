"""A front user manager and the contract types, in headless Chromium against the real services. SELL&SIGN gives
the role the users and the customers' perimeters; contract types and their templates are the license admin's
(contracts_service/contract_types.py, TYPE_AUTHORS): the API refuses the manager their writes, and the web app offers
them no page to make them, but the new quote page offers them the types of their perimeters."""
import pytest

from tests.e2e.web.browsing import by_id, css
from tests.e2e.web.test_admin_area import h1, options

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def test_a_front_user_manager_uses_the_types_of_her_perimeter_and_has_no_page_to_write_them(
        web_system, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    admin = s.new_license("Immobilière du Nord", "admin@nord.test")
    token = admin["access_token"]
    lucie = s.add_user(admin, "lucie@nord.test", role="front_user_manager", name="Lucie Manager")
    perimeters = {name: s.post("/api/v1/perimeters", json={"name": name}, token=token).get_json()["id"]
                  for name in ("Nord", "Sud")}
    r = s.put(f"/api/v1/users/{lucie['user']['user_id']}/perimeters", json={"perimeter_ids": [perimeters["Nord"]]},
              token=token)
    assert r.status_code == 200, r.get_json()
    types = {}
    for name, perimeter in (("Mandat Nord", "Nord"), ("Mandat Sud", "Sud"), ("Mandat commun", None)):
        r = s.post("/api/v1/contract-types", json={"name": name, "kind": "quote"}, token=token)
        assert r.status_code == 201, r.get_json()
        types[name] = r.get_json()["id"]
        if perimeter:
            r = s.put(f"/api/v1/contract-types/{types[name]}/perimeters",
                      json={"perimeter_ids": [perimeters[perimeter]]}, token=token)
            assert r.status_code == 200, r.get_json()
    assert s.post("/api/v1/customers", json={"name": "Client du Nord", "kind": "company"},
                  token=lucie["access_token"]).status_code == 201

    sign_in(browser, "lucie@nord.test", next_path="/settings")
    # her settings: the users and the client portal, not the contract types and templates
    assert [a.get_attribute("pathname") for a in css(browser, "main .settings-menu a")] == [
        "/settings/users", "/settings/portal"]
    assert "Types de contrat" not in css(browser, "main")[0].text
    screenshot(browser, "fum-settings")
    for path in ("/settings/document-templates", "/settings/document-templates/new",
                 f"/settings/document-templates/{types['Mandat Nord']}"):
        browser.get(w.url + path)
        assert by_id(browser, "error-page").get_attribute("data-status") == "403", path
    screenshot(browser, "fum-document-templates-refused")

    # what she does with them: a quote of a type of her perimeter (or of none), never of the south's
    browser.get(w.url + "/quotes/new")
    assert h1(browser)
    assert options(browser, "field-contract_type_id") == ["Mandat Nord", "Mandat commun"]
    screenshot(browser, "fum-quote-new")

    # the API says the same, as problem+json: she reads the types, writes none
    fum = lucie["access_token"]
    assert s.get(f"/api/v1/contract-types/{types['Mandat Nord']}", token=fum).status_code == 200
    assert s.get(f"/api/v1/contract-types/{types['Mandat Sud']}", token=fum).status_code == 404
    for r in (s.post("/api/v1/contract-types", json={"name": "Mandat Lucie", "kind": "quote"}, token=fum),
              s.patch(f"/api/v1/contract-types/{types['Mandat Nord']}", json={"name": "Mandat Lucie"}, token=fum)):
        assert r.status_code == 403 and r.mimetype == "application/problem+json", r.get_json()
