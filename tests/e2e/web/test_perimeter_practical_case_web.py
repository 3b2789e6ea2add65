"""The SELL&SIGN Enterprise practical case in the staff web app, in headless Chromium, against the real services
(the API version: tests/e2e/test_perimeter_practical_case.py).

DUPONT has perimeters A (Ile de France) and B (PACA); DURAND has A and C (Brittany). Customer TOURNIER is in B,
FIORE in C. Contract types: "studio" in A, B and C, "with swimming pool" in B only, "longère" in C only. Each
customer has a quote, a contract and a deal. In every list, search and picker of the web app DUPONT sees only
TOURNIER, his documents and deal and the pool and studio mandates, DURAND only FIORE's and the longère and
studio mandates; the other's customer file, quote and deal by URL are the 404 page (never "access denied")."""
from types import SimpleNamespace

import pytest

from .test_admin_area import by_id, css, h1, options, switch_user

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
def world(web_system):
    s = web_system.s
    admin = s.new_license("Agence Immo", "admin@immo.test")
    token = admin["access_token"]

    def ok(resp, status=201):
        assert resp.status_code == status, resp.get_json()
        return resp.get_json()

    per = {key: ok(s.post("/api/v1/perimeters", json={"name": name}, token=token))["id"]
           for key, name in (("A", "Ile de France"), ("B", "PACA"), ("C", "Bretagne"))}
    for email, name, keys in (("dupont@immo.test", "M. DUPONT", "AB"), ("durand@immo.test", "Mme DURAND", "AC")):
        user = s.add_user(admin, email, name=name)
        ok(s.put(f"/api/v1/users/{user['user']['user_id']}/perimeters",
                 json={"perimeter_ids": [per[k] for k in keys]}, token=token), 200)

    def scoped(path, body, keys):
        subject = ok(s.post(path, json=body, token=token))
        ok(s.put(f"{path}/{subject['id']}/perimeters", json={"perimeter_ids": [per[k] for k in keys]}, token=token),
           200)
        return subject["id"]

    studio = scoped("/api/v1/contract-types", {"name": "Mandat de vente studio", "kind": "quote"}, "ABC")
    pool = scoped("/api/v1/contract-types", {"name": "Mandat de vente avec piscine", "kind": "quote"}, "B")
    longere = scoped("/api/v1/contract-types", {"name": "Mandat de vente longère", "kind": "quote"}, "C")

    def customer_with_documents(name, keys, ctype, place):
        customer_id = scoped("/api/v1/customers", {"name": name, "kind": "person"}, keys)
        quote = ok(s.post("/api/v1/quotes", json={"title": f"Mandat {place}", "customer_id": customer_id,
                                                  "contract_type_id": ctype}, token=token))
        contract = ok(s.post("/api/v1/contracts", json={"title": f"Contrat {place}", "customer_id": customer_id},
                             token=token))
        deal = ok(s.post("/api/v1/deals", json={"title": f"Vente {place}", "customer_id": customer_id},
                         token=token))
        return SimpleNamespace(id=customer_id, name=name, quote=quote["number"], quote_id=quote["id"],
                               contract=contract["number"], deal=deal["title"], deal_id=deal["id"])

    return SimpleNamespace(
        tournier=customer_with_documents("Monsieur TOURNIER", "B", pool, "Cannes"),
        fiore=customer_with_documents("Madame FIORE", "C", longere, "Quimper"),
        types={"studio": "Mandat de vente studio", "pool": "Mandat de vente avec piscine",
               "longere": "Mandat de vente longère"}, studio=studio)


def rows(browser, table_id: str, attribute: str) -> list[str]:
    return sorted(tr.get_attribute(attribute) for tr in css(browser, f"#{table_id} tbody tr"))


def test_dupont_and_durand_each_see_only_their_perimeters_everywhere(web_system, world, browser, sign_in,
                                                                      screenshot):
    w = web_system
    cases = (("dupont@immo.test", "dupont", world.tournier, world.fiore, ["pool", "studio"]),
             ("durand@immo.test", "durand", world.fiore, world.tournier, ["longere", "studio"]))
    for email, who, mine, other, type_keys in cases:
        types = sorted(world.types[k] for k in type_keys)
        switch_user(browser, sign_in, email)

        # customers: the list, and a search for the other's customer finds nothing
        browser.get(w.url + "/customers")
        assert rows(browser, "customers", "data-customer") == [mine.name]
        screenshot(browser, f"practical-case-{who}-customers")
        browser.get(w.url + "/customers?q=" + other.name.split()[-1])
        assert not css(browser, "#customers") and css(browser, ".empty-state")
        browser.get(w.url + "/customers?q=" + mine.name.split()[-1])
        assert rows(browser, "customers", "data-customer") == [mine.name]

        # quotes: the list, its customer and type pickers, a search by the other's customer or number
        browser.get(w.url + "/quotes")
        assert rows(browser, "documents", "data-number") == [mine.quote]
        assert options(browser, "filter-customer") == [mine.name]
        assert options(browser, "filter-type") == types
        screenshot(browser, f"practical-case-{who}-quotes")
        for q in (other.name.split()[-1], other.quote):
            browser.get(w.url + "/quotes?q=" + q)
            assert not css(browser, "#documents") and css(browser, ".empty-state"), q
        # a hand-made URL filtering on the other's customer shows nothing of theirs either
        browser.get(f"{w.url}/quotes?customer={other.id}")
        assert not css(browser, "#documents")

        # contracts: the list and its customer picker, a search
        browser.get(w.url + "/contracts")
        assert rows(browser, "documents", "data-number") == [mine.contract]
        assert options(browser, "filter-customer") == [mine.name]
        browser.get(w.url + "/contracts?q=" + other.contract)
        assert not css(browser, "#documents")

        # deals: the list, its customer picker, a search, and the new deal's customer picker
        browser.get(w.url + "/deals")
        assert rows(browser, "deals", "data-deal") == [mine.deal]
        assert options(browser, "filter-customer") == [mine.name]
        screenshot(browser, f"practical-case-{who}-deals")
        browser.get(w.url + "/deals?q=" + other.name.split()[-1])
        assert not css(browser, "#deals")
        browser.get(w.url + "/deals/new")
        assert options(browser, "field-customer_id") == [mine.name]

        # the quote editor's pickers
        browser.get(w.url + "/quotes/new")
        assert options(browser, "field-customer_id") == [mine.name]
        assert options(browser, "field-contract_type_id") == types
        screenshot(browser, f"practical-case-{who}-quote-new")

        # the other's customer file, quote and deal by URL: the 404 page
        for path in (f"/customers/{other.id}", f"/contracts/{other.quote_id}", f"/deals/{other.deal_id}",
                     f"/quotes/new?customer_id={other.id}"):
            browser.get(w.url + path)
            if path.startswith("/quotes/new"):  # the editor does not offer it: nothing of theirs is chosen
                assert options(browser, "field-customer_id") == [mine.name]
                assert other.name not in browser.page_source
                continue
            assert by_id(browser, "error-page").get_attribute("data-status") == "404", path
            assert other.name not in browser.page_source
        screenshot(browser, f"practical-case-{who}-404")
        # their own file opens
        browser.get(f"{w.url}/customers/{mine.id}")
        assert h1(browser) == mine.name
