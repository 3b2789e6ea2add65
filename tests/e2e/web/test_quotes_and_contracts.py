"""The quotes and contracts lists (filters and sort in the URL, views and downloads, CSV export of the
current view) and the full contract page (lines, taxes by rate, documents, milestones, history, PDF,
banner, duplicate and convert), driven as a salesperson in a real headless Chromium."""
from __future__ import annotations

import base64
import csv
import os
import time
import uuid

import pytest

from tests.e2e.web.browsing import by_id, css as css_all, more_actions, ok, on_a_phone, stale, text_of

pytestmark = pytest.mark.integration



def numbers(browser) -> list[str]:
    return [row.get_attribute("data-number") for row in browser.find_elements("css selector", "#documents tbody tr")]


def line_headings(browser) -> list[str]:
    """The headings of a document page's lines table, as written."""
    return [th.get_attribute("textContent").strip() for th in css_all(browser, "#contract-lines thead th")]


def choose(browser, select_id: str, label: str):
    from selenium.webdriver.support.ui import Select
    Select(by_id(browser, select_id)).select_by_visible_text(label)


def signed_electronically(w, staff, d, quote):
    """The quote sent, then signed by Mireille Couture (the signing service's event), accepted."""
    s = w.s
    assert s.post(f"/api/v1/contracts/{quote['id']}/mark-sent", token=d["token"], json={}).status_code == 200
    publish(s, "signing", "signature.completed.v1", {
        "request_id": "req-1", "contract_id": quote["id"], "owner_id": staff.sales["user"]["user_id"],
        "signers": [{"name": "Mireille Couture", "email": "mireille@boulangerie.test",
                     "signed_at": "2026-11-23T10:00:00Z"}], "sealed_sha256": "0" * 64,
        "completed_at": "2026-11-23T10:00:00Z"}, license_id=staff.sales["license_id"], subject="req-1")
    w.wait(lambda: s.get(f"/api/v1/contracts/{quote['id']}", token=d["token"]).get_json()["status"] == "accepted",
           message="the quote accepted")


def header_actions(browser) -> tuple[list[str], list[str]]:
    """The document page's header as a person sees it: the words of its filled buttons (white ones are
    outlined), and of every action shown without opening "More actions"."""
    shown = [a for a in browser.find_elements("css selector", "#contract-actions > a[role=button], #more-actions > summary")
             if a.is_displayed()]
    filled = [a.text for a in shown if a.value_of_css_property("background-color") not in ("rgba(255, 255, 255, 1)",
                                                                                           "rgb(255, 255, 255)")]
    return filled, [a.text for a in shown]


def publish(s, service: str, event_type: str, data: dict, **envelope):
    """An event of a service that this test system does not run (the portal, signing), as it publishes it."""
    from kombu import Connection, Exchange, Producer
    from paraph_platform.envelope import make_event
    event = make_event(service, event_type, data, **envelope)
    with Connection(s.containers["contracts"].config["AMQP_URI"]) as conn:
        producer = Producer(conn.channel(), exchange=Exchange(f"{service}.events", type="topic", durable=True),
                            serializer="json")
        producer.publish(event, routing_key=event_type, declare=[producer.exchange])


def downloaded_csv(browser, name: str, timeout: float = 15.0) -> list[list[str]]:
    """The rows of a CSV the (French) page downloaded, as French Excel opens it by a double click: UTF-8 said by a
    BOM, its cells split by ";" ("," is its decimal mark)."""
    path = os.path.join(browser.downloads, name)
    deadline = time.monotonic() + timeout
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    with open(path, "rb") as f:
        assert f.read(3) == b"\xef\xbb\xbf"
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter=";"))


@pytest.fixture
def documents(web_system, staff):
    """Two customers, a contract type, a flag and a custom column; three quotes and a contract."""
    s, token, admin = web_system.s, staff.sales["access_token"], staff.admin["access_token"]

    ok(s.post("/api/v1/settings/flags", token=admin, json={"key": "urgent", "label": "Urgent"}))
    ok(s.post("/api/v1/settings/columns", token=admin, json={"key": "region", "label": "Région", "type": "text"}))
    ok(s.post("/api/v1/settings/columns", token=admin, json={"key": "surface", "label": "Surface (m²)",
                                                             "type": "number", "position": 10}))
    maintenance = ok(s.post("/api/v1/contract-types", token=admin, json={"name": "Maintenance", "kind": "quote"}))
    herve = ok(s.post("/api/v1/customers", token=token, json={"name": "Hervé David", "kind": "company"}))
    bakery = ok(s.post("/api/v1/customers", token=token, json={"name": "Boulangerie Martin", "kind": "company"}))
    workshop = ok(s.post("/api/v1/quotes", token=token, json={
        "title": "Équipement atelier", "customer_id": herve["id"], "flags": ["urgent"],
        "custom": {"region": "Nord", "surface": 1234.5},
        "lines": [{"product_code": "INS", "description": "Installation", "quantity": "2", "unit_price": "600",
                   "tax_rate": "20"},
                  {"description": "Manuel", "quantity": "1", "unit_price": "100", "tax_rate": "5.5"},
                  {"description": "Extension de garantie", "quantity": "1", "unit_price": "200", "tax_rate": "20",
                   "optional": True}]}))
    yearly = ok(s.post("/api/v1/quotes", token=token, json={
        "title": "Maintenance annuelle", "customer_id": bakery["id"], "contract_type_id": maintenance["id"],
        "lines": [{"description": "Visite", "quantity": "4", "unit_price": "90", "tax_rate": "20"}]}))
    oven = ok(s.post("/api/v1/quotes", token=token, json={
        "title": "Four à pain", "customer_id": bakery["id"],
        "lines": [{"description": "Four", "quantity": "1", "unit_price": "9000", "tax_rate": "20"}]}))
    contract = ok(s.post("/api/v1/contracts", token=token, json={"kind": "contract", "title": "Contrat de service",
                                                                 "customer_id": herve["id"]}))
    # the oven quote is sent by email and the customer opened it online
    ok(s.post(f"/api/v1/contracts/{oven['id']}/mark-sent", token=token, json={}), 200)
    publish(s, "portal", "quote.viewed.v1", {"contract_id": oven["id"], "contact_id": None, "ip": "203.0.113.7",
                                             "at": "2026-11-20T09:00:00+00:00", "request_id": str(uuid.uuid4())},
            license_id=staff.sales["license_id"])
    web_system.wait(lambda: s.get(f"/api/v1/contracts/{oven['id']}", token=token).get_json()["view_count"] == 1,
                    message="the online view counted")
    # the workshop quote has a document and a milestone
    ok(s.post(f"/api/v1/contracts/{workshop['id']}/attachments", token=token, json={
        "filename": "plan-acces.txt", "content_type": "text/plain",
        "content_base64": base64.b64encode("Plan d'accès à l'atelier".encode()).decode()}))
    ok(s.post(f"/api/v1/contracts/{workshop['id']}/milestones", token=token, json={
        "title": "Livraison", "due_date": "2027-03-01"}))
    return {"workshop": workshop, "yearly": yearly, "oven": oven, "contract": contract, "bakery": bakery,
            "maintenance": maintenance, "token": token}


def test_lists_filter_sort_and_export_the_current_view(web_system, staff, documents, browser, sign_in, screenshot):
    w, d = web_system, documents
    sign_in(browser, staff.email["sales"])
    browser.get(w.url + "/quotes")
    assert by_id(browser, "page-title").text == "Devis"
    assert set(numbers(browser)) == {d["workshop"]["number"], d["yearly"]["number"], d["oven"]["number"]}
    oven_row = browser.find_element("css selector", f"tr[data-number='{d['oven']['number']}']")
    assert oven_row.find_element("css selector", "td.views").text == "1"
    assert "Envoyé" in oven_row.text
    workshop_row = browser.find_element("css selector", f"tr[data-number='{d['workshop']['number']}']")
    assert "Urgent" in workshop_row.text and "Nord" in workshop_row.text
    # a quote without a flag says so as any other empty cell does
    yearly_row = browser.find_element("css selector", f"tr[data-number='{d['yearly']['number']}']")
    assert yearly_row.find_element("css selector", "td[data-label='Étiquettes']").text == "—"
    # the headers as written: a custom column's unit stays its unit ("SURFACE (M²)" read as another one); the
    # total says it includes the tax
    headers = [th.text for th in css_all(browser, "#documents thead th")]
    assert headers[-1] == "Surface (m²)" and "Total TTC" in headers, headers
    # each filter says what it filters: the contract type (as the editor names it)
    assert browser.find_element("css selector", "label[for='filter-type']").text == "Type de contrat"
    assert by_id(browser, "new-quote").get_attribute("href").endswith("/quotes/new")
    screenshot(browser, "quotes")

    # filter by customer, then sort by total (the filter stays in the URL)
    choose(browser, "filter-customer", "Boulangerie Martin")
    by_id(browser, "filter-submit").click()
    w.wait(lambda: "customer=" in browser.current_url, message="the filtered list")
    assert set(numbers(browser)) == {d["yearly"]["number"], d["oven"]["number"]}
    sort_by_total = "#documents thead a[href*='sort=']"
    [a for a in browser.find_elements("css selector", sort_by_total) if a.text == "Total TTC"][0].click()
    w.wait(lambda: "sort=total" in browser.current_url, message="sorted by total")
    assert numbers(browser) == [d["yearly"]["number"], d["oven"]["number"]]
    [a for a in browser.find_elements("css selector", sort_by_total) if a.text == "Total TTC"][0].click()  # descending
    w.wait(lambda: "sort=-total" in browser.current_url, message="sorted by total, descending")
    assert numbers(browser) == [d["oven"]["number"], d["yearly"]["number"]]
    with on_a_phone(browser):  # the folded filters say how many of them filter the list
        assert by_id(browser, "list-filters-more").text == "Plus de filtres (1)"
    screenshot(browser, "quotes-filtered")

    # the CSV is the current view: the bakery's two quotes, most expensive first, with the views
    by_id(browser, "export-csv").click()
    rows = downloaded_csv(browser, "quotes.csv")
    assert rows[0][:3] == ["Numéro", "Titre", "Client"] and rows[0][-2:] == ["Région", "Surface (m²)"]
    assert rows[0][5:8] == ["Total HT", "TVA", "Total TTC"]  # the amounts named as on the pages
    assert [r[0] for r in rows[1:]] == [d["oven"]["number"], d["yearly"]["number"]]
    assert rows[1][9] == "1"  # online views
    assert [r[3] for r in rows[1:]] == ["Envoyé", "Brouillon"]  # the status as its badge says it, not "sent"

    # a number column is written as the language writes numbers (it read "1234.5")
    browser.get(f"{w.url}/quotes")
    workshop = browser.find_element("css selector", f'#documents tr[data-number="{d["workshop"]["number"]}"]')
    surface = workshop.find_elements("tag name", "td")[-1].text
    assert surface.replace("\u202f", " ").replace("\u00a0", " ") == "1 234,5"

    # by type; a filter matching nothing says so and offers the way back
    browser.get(f"{w.url}/quotes?type={d['maintenance']['id']}")
    assert numbers(browser) == [d["yearly"]["number"]]
    browser.get(f"{w.url}/quotes")
    choose(browser, "filter-column", "Région")
    by_id(browser, "filter-value-region").send_keys("Nord")  # the field of the column chosen
    by_id(browser, "filter-submit").click()
    w.wait(lambda: "column=region" in browser.current_url, message="filtered by a custom column")
    assert numbers(browser) == [d["workshop"]["number"]]
    browser.get(f"{w.url}/quotes?owner=me&flag=urgent")
    assert numbers(browser) == [d["workshop"]["number"]]
    browser.get(f"{w.url}/quotes?flag=urgent&status=sent")
    assert "Aucun document ne correspond" in browser.find_element("css selector", ".empty-state").text
    browser.get(f"{w.url}/quotes?sort=password")  # a hand-edited URL: the list, and why not sorted
    assert by_id(browser, "list-error").text and len(numbers(browser)) == 3

    # contracts: only contracts, not the quotes; no invoice yet is a filter matching nothing, not an empty list
    browser.get(w.url + "/contracts")
    assert numbers(browser) == [d["contract"]["number"]]
    browser.get(w.url + "/contracts?kind=invoice")
    assert "Aucun document ne correspond" in browser.find_element("css selector", ".empty-state").text
    with on_a_phone(browser):  # invoices are a filter in use...
        browser.get(w.url + "/contracts?kind=invoice")
        assert by_id(browser, "list-filters-more").text == "Plus de filtres (1)"
        browser.get(w.url + "/contracts?kind=order")  # ...not the orders, a view of their own (the menu's Orders)
        assert by_id(browser, "list-filters-more").text == "Plus de filtres"
    browser.get(w.url + "/contracts")
    assert browser.find_element("css selector", "label[for='filter-kind']").text == "Type de document"
    with on_a_phone(browser):  # ...the kind at its default (contracts) is not
        assert by_id(browser, "list-filters-more").text == "Plus de filtres"
    screenshot(browser, "contracts")


def test_a_custom_column_is_filtered_by_its_own_kind_of_value(web_system, staff, documents, browser, sign_in,
                                                              screenshot):
    """A yes/no column by Oui / Non (the API's ``true`` / ``false``), a choice column among its choices, a date
    column by a date; no value before a column is chosen, and a URL's value the list cannot use said so."""
    from selenium.webdriver.support.ui import Select
    w, d, s, admin = web_system, documents, web_system.s, staff.admin["access_token"]
    for column in ({"key": "paper", "label": "Contrat papier reçu", "type": "boolean", "position": 1},
                   {"key": "segment", "label": "Segment", "type": "choice", "choices": ["PME", "Grand compte"],
                    "position": 2},
                   {"key": "visit", "label": "Visite", "type": "date", "position": 3}):
        ok(s.post("/api/v1/settings/columns", token=admin, json=column))
    for quote, custom in ((d["workshop"], {"paper": True, "segment": "PME", "visit": "2027-03-01"}),
                          (d["oven"], {"paper": False, "segment": "Grand compte"})):
        ok(s.patch(f"/api/v1/contracts/{quote['id']}", token=d["token"], json={"custom": custom}), 200)
    everything = {d["workshop"]["number"], d["yearly"]["number"], d["oven"]["number"]}
    sign_in(browser, staff.email["sales"], next_path="/quotes")

    def filter_by(column: str, field_id: str, value: str | None = None, date: str | None = None) -> list[str]:
        choose(browser, "filter-column", column)
        if date is not None:  # a date typed as the browser's locale writes it: set as the input holds it
            browser.execute_script("arguments[0].value = arguments[1]", by_id(browser, field_id), date)
        else:
            choose(browser, field_id, value)
        page = by_id(browser, "page-title")
        by_id(browser, "filter-submit").click()
        w.wait(lambda: stale(page), message="the filtered list")
        return numbers(browser)

    # before a column is chosen, no value can be typed; choosing one shows its field, of its kind
    assert not by_id(browser, "filter-value").is_enabled()
    assert by_id(browser, "filter-value").get_attribute("placeholder") == "Choisissez d'abord une colonne"
    assert not by_id(browser, "filter-value-paper").is_displayed()
    choose(browser, "filter-column", "Contrat papier reçu")
    assert not by_id(browser, "filter-value").is_displayed()
    assert [o.text for o in Select(by_id(browser, "filter-value-paper")).options] == ["Toutes les valeurs", "Oui",
                                                                                      "Non"]
    choose(browser, "filter-column", "Segment")
    assert [o.text for o in Select(by_id(browser, "filter-value-segment")).options] == ["Toutes les valeurs", "PME",
                                                                                        "Grand compte"]
    choose(browser, "filter-column", "Visite")
    assert by_id(browser, "filter-value-visit").get_attribute("type") == "date"

    # yes / no: the API's true / false in the URL, Oui / Non on the page, in the filter and in the cells
    assert filter_by("Contrat papier reçu", "filter-value-paper", "Oui") == [d["workshop"]["number"]]
    assert "column=paper" in browser.current_url and "value=true" in browser.current_url
    assert Select(by_id(browser, "filter-value-paper")).first_selected_option.text == "Oui"
    assert filter_by("Contrat papier reçu", "filter-value-paper", "Non") == [d["oven"]["number"]]
    browser.get(w.url + "/quotes")
    cells = {row.get_attribute("data-number"): row.find_element("css selector", "td[data-label='Contrat papier reçu']")
             .text for row in css_all(browser, "#documents tbody tr")}
    assert cells == {d["workshop"]["number"]: "Oui", d["oven"]["number"]: "Non", d["yearly"]["number"]: "—"}
    assert filter_by("Segment", "filter-value-segment", "Grand compte") == [d["oven"]["number"]]
    assert filter_by("Visite", "filter-value-visit", date="2027-03-01") == [d["workshop"]["number"]]
    assert by_id(browser, "filter-value-visit").get_attribute("value") == "2027-03-01"
    screenshot(browser, "quotes-filtered-by-a-date-column")
    browser.get(w.url + "/quotes?column=paper&value=true")
    with on_a_phone(browser):  # the folded filters count a column and its value as one filter
        assert by_id(browser, "list-filters-more").text == "Plus de filtres (1)"
        by_id(browser, "list-filters-more").click()
        assert by_id(browser, "filter-value-paper").is_displayed()
        screenshot(browser, "quotes-filtered-by-a-yes-no-column")

    # a hand-edited (or older) URL: a value without its column filters nothing, and the page says so
    browser.get(w.url + "/quotes?value=Nord")
    assert set(numbers(browser)) == everything
    assert by_id(browser, "column-filter-notice").text == (  # (as read: the no-break spaces are spaces)
        "Cette adresse donne une valeur, « Nord », sans sa colonne : elle ne filtre pas la liste. Choisissez la "
        "colonne, puis sa valeur.")
    screenshot(browser, "quotes-value-without-a-column")
    browser.get(w.url + "/quotes?column=paper&value=oui")  # a yes/no column holds true or false
    assert by_id(browser, "column-filter-notice").text.startswith(
        "« oui » n'est pas une valeur de la colonne « Contrat papier reçu » : rien n'y correspond.")
    assert Select(by_id(browser, "filter-value-paper")).first_selected_option.text == "Toutes les valeurs"
    browser.get(w.url + "/quotes?column=segment&value=pme")  # the API ignores the case: the choice is shown chosen
    assert numbers(browser) == [d["workshop"]["number"]]
    assert Select(by_id(browser, "filter-value-segment")).first_selected_option.text == "PME"


def test_contract_page_sections_history_and_actions(web_system, staff, documents, browser, sign_in, screenshot):
    w, s, d = web_system, web_system.s, documents
    workshop, oven = d["workshop"], d["oven"]
    sign_in(browser, staff.email["sales"], next_path=f"/contracts/{workshop['id']}")
    w.wait(lambda: browser.find_elements("id", "contract-lines"), message="the contract page")
    lines = browser.find_elements("css selector", "#contract-lines tbody tr")
    assert len(lines) == 3 and "Option" in lines[2].text
    # a devis' words, as the client's online quote and the PDF write them; no line with a discount: no such column
    assert line_headings(browser) == ["Désignation", "Qté", "Prix unitaire HT", "TVA", "Montant HT"]
    assert [len(css_all(browser, f"#contract-lines tbody tr:nth-child({n}) td")) for n in (1, 2, 3)] == [5, 5, 5]
    taxes = by_id(browser, "contract-totals").text
    assert "20" in taxes and "5,5" in taxes
    assert "plan-acces.txt" in by_id(browser, "documents").text
    assert "Livraison" in by_id(browser, "milestones").text
    assert "Créé" in by_id(browser, "history-list").text
    # the summary's labels as written (a custom column's unit is its own), the flags in a salesperson's word
    labels = [dt.text for dt in css_all(browser, ".contract-header dt")]
    assert "Surface (m²)" in labels and "Étiquettes" in labels, labels
    # the document downloads through the web app
    link = browser.find_element("css selector", "#documents a")
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    import requests
    r = requests.get(link.get_attribute("href"), cookies=cookies, timeout=15)
    assert r.status_code == 200 and r.content.decode() == "Plan d'accès à l'atelier"
    screenshot(browser, "contract-full")
    # the PDF preview: the page may frame this app's inline PDF, and only this app may frame it
    assert "frame-src 'self'" in requests.get(browser.current_url, cookies=cookies, timeout=15).headers[
        "Content-Security-Policy"]
    preview = browser.find_element("css selector", "#pdf-preview iframe").get_attribute("src")
    r = requests.get(preview, cookies=cookies, timeout=60)
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and r.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]
    by_id(browser, "show-preview").click()

    # a line with a discount: the column, its rate on that line, empty on the others
    discounted = ok(s.post("/api/v1/quotes", token=d["token"], json={
        "title": "Remise fidélité", "customer_id": d["bakery"]["id"],
        "lines": [{"description": "Four", "quantity": "1", "unit_price": "9000", "tax_rate": "20"},
                  {"description": "Pose", "quantity": "1", "unit_price": "500", "discount_pct": "10",
                   "tax_rate": "20"}]}))
    browser.get(f"{w.url}/contracts/{discounted['id']}")
    assert line_headings(browser) == ["Désignation", "Qté", "Prix unitaire HT", "Remise", "TVA", "Montant HT"]
    assert [td.get_attribute("textContent").strip() for td in css_all(browser, "#contract-lines tbody td:nth-child(4)")] \
        == ["", "10\u00a0%"]
    screenshot(browser, "quote-with-discount")
    browser.get(f"{w.url}/contracts/{workshop['id']}")

    # a draft quote is not converted (the API refuses it): neither an order nor an invoice offered; duplicated: the
    # copy opens
    more_actions(browser)
    assert not css_all(browser, "#convert-order") and not css_all(browser, "#convert-invoice")
    by_id(browser, "duplicate").click()
    w.wait(lambda: workshop["id"] not in browser.current_url, message="the copy")
    assert by_id(browser, "page-title").text.startswith("Devis ") and workshop["number"] not in \
        by_id(browser, "page-title").text
    assert by_id(browser, "contract-status").text == "Brouillon"

    # the sent quote: its history (email, online view), then accepted: converted into an order
    browser.get(f"{w.url}/contracts/{oven['id']}")
    # sent without an e-signature: the customer is to answer, not to sign
    assert by_id(browser, "signature-banner").text == "En attente de la réponse du client. Consulté une fois en ligne."
    history = by_id(browser, "history-list").text
    assert "Envoyé au client" in history and "Consulté en ligne" in history
    r = s.post(f"/api/v1/contracts/{oven['id']}/status", json={"status": "accepted"}, token=d["token"])
    assert r.status_code == 200, r.get_json()
    browser.refresh()
    banner = by_id(browser, "signature-banner").text
    assert "Accepté hors de Paraph (statut modifié à la main)." in banner  # no signed document to offer
    assert "Statut modifié" in by_id(browser, "history-list").text
    screenshot(browser, "quote-accepted")
    by_id(browser, "convert-order").click()  # the header's: an accepted quote's next step
    w.wait(lambda: text_of(browser, "page-title").startswith("Commande"), message="the order")
    assert by_id(browser, "contract-customer").text == "Boulangerie Martin"

    # signed electronically (the signing service's event): the banner names the signer, the date and time,
    # and offers the signed PDF and the proof
    yearly = d["yearly"]
    signed_electronically(w, staff, d, yearly)
    browser.get(f"{w.url}/contracts/{yearly['id']}")
    banner = by_id(browser, "signature-banner").text
    assert "Accepté" in banner and "Mireille Couture" in banner and "23 nov. 2026, 10:00:00 UTC" in banner
    # a reader in Paris reads that time in Paris time, with its offset (the browser's zone, kept by app.js)
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Paris"})
    browser.refresh()  # this page keeps the browser's new zone; the next one shows times in it
    browser.refresh()
    assert "23 nov. 2026, 11:00:00 UTC+1" in by_id(browser, "signature-banner").text
    # why the status changed, in the reader's language (the service records a code, not only English words)
    reason = browser.find_element("css selector", '#history-list [data-reason="signed_electronically"]')
    assert reason.text == "(signé électroniquement)"
    # the line reads as French: "Envoyé → Accepté (signé électroniquement)", not "Accepté signé électroniquement"
    line = reason.find_element("xpath", "./ancestor::li").text.replace("\u00a0", " ")
    assert line.endswith("Statut modifié : Envoyé → Accepté (signé électroniquement)"), line
    # the signed PDF once, in the header (the banner repeated it), the proof beside the signers
    assert [a.get_attribute("id") for a in css_all(browser, "a[href$='/signed.pdf']")] == ["download-signed-pdf"]
    assert by_id(browser, "proof-pdf").get_attribute("href").endswith(f"/contracts/{yearly['id']}/proof.pdf")
    screenshot(browser, "quote-signed")



def test_the_header_offers_the_next_step_as_its_one_filled_button(web_system, staff, documents, browser, sign_in,
                                                                   screenshot):
    """The one filled button is the sale's next step at the document's status; the rarer actions wait behind
    "More actions"; on a phone the next step comes first."""
    w, d = web_system, documents
    sign_in(browser, staff.email["sales"], next_path=f"/contracts/{d['workshop']['id']}")
    filled, shown = header_actions(browser)  # a draft quote: send it
    assert filled == ["Envoyer par email"]
    assert shown == ["Envoyer par email", "Approbation et signature", "Modifier", "Télécharger le PDF",
                     "Plus d'actions"]
    assert not by_id(browser, "duplicate").is_displayed()
    more_actions(browser)
    rarer = ["Afficher sur le portail client", "Dupliquer"]  # not converted before it is sent (the API refuses)
    w.wait(lambda: [e.text for e in css_all(browser, "#more-actions li")] == rarer,  # once the menu has unfolded
           message="the rarer actions shown")
    screenshot(browser, "document-actions-draft-quote")
    with on_a_phone(browser):
        browser.refresh()
        actions = browser.find_elements("css selector", "#contract-actions > a[role=button], #more-actions > summary")
        tops = {a.text: a.location["y"] for a in actions}
        assert tops["Envoyer par email"] == min(tops.values())  # first
        assert max(tops.values()) < 600  # all of them, with "More actions", on the first screen

    browser.get(f"{w.url}/contracts/{d['oven']['id']}")  # a sent quote: remind the customer
    assert header_actions(browser)[0] == ["Relancer par email"]
    screenshot(browser, "document-actions-sent-quote")

    browser.get(f"{w.url}/contracts/{d['contract']['id']}")  # a draft contract: have it approved and signed
    filled, shown = header_actions(browser)
    assert filled == ["Approbation et signature"] and "Envoyer par email" not in shown
    screenshot(browser, "document-actions-draft-contract")

    signed_electronically(w, staff, d, d["yearly"])  # accepted: its order (a form's button), its signed copy beside
    browser.get(f"{w.url}/contracts/{d['yearly']['id']}")
    filled, shown = header_actions(browser)
    assert filled == [] and "Télécharger le document signé" in shown and "Télécharger le PDF" in shown
    assert by_id(browser, "convert-order").value_of_css_property("background-color") not in (
        "rgba(255, 255, 255, 1)", "rgb(255, 255, 255)")
    assert by_id(browser, "download-signed-pdf").get_attribute("href").endswith(
        f"/contracts/{d['yearly']['id']}/signed.pdf")
    screenshot(browser, "document-actions-signed")


def test_the_history_names_who_did_it_and_the_fields_edited(web_system, staff, documents, browser, sign_in):
    w, s, d = web_system, web_system.s, documents
    r = s.patch(f"/api/v1/contracts/{d['workshop']['id']}", token=d["token"],
                json={"title": "Atelier complet", "valid_until": "2027-01-31"})
    assert r.status_code == 200, r.get_json()
    ok(s.patch(f"/api/v1/contracts/{d['workshop']['id']}", token=d["token"],
               json={"custom": {"region": "Sud"}, "flags": []}), 200)
    sign_in(browser, staff.email["sales"], next_path=f"/contracts/{d['workshop']['id']}")
    entries = [li.text.replace("\u00a0", " ") for li in css_all(browser, "#history-list li")]
    # the custom columns and the flags in a salesperson's words
    assert "Paul Martin — Modifié : Informations complémentaires, Étiquettes" in entries[0]
    assert "Paul Martin — Modifié : Titre, Valable jusqu'au" in entries[1]
    assert "Paul Martin — Créé" in entries[-1]
    # what Paraph did by itself says so
    signed_electronically(w, staff, d, d["yearly"])
    browser.get(f"{w.url}/contracts/{d['yearly']['id']}")
    entries = [li.text for li in css_all(browser, "#history-list li")]
    assert any("Paraph (automatique) — Signé" in e for e in entries), entries
