"""The document page's one filled button is the sale's next step at its status and for the user's role, and the home
page keeps the salesperson's accepted quotes in sight, against a fake gateway (a salesperson's walkthrough: after the
customer accepted, "Create an order" was hidden under "More actions", an order's "Confirm" under "Change the status
manually", and an accepted quote appeared nowhere on the home page).

An accepted quote no order was made from: "Create an order" filled for the salesperson, outlined beside a manager's
"Validate"; once converted, its PDF again. An order to confirm or deliver, an invoice to issue or mark paid: that
move, filled in the header, not folded with the exceptions. The home page: "+ Quote" its one action, and "Accepted —
to convert" listing my accepted (or validated) quotes not converted yet, from the list API's ``converted`` filter."""
from __future__ import annotations

import re

import pytest
from flask import Flask, jsonify, request

from web.tests.test_validation_queue import FRENCH, filled, header, words
from web.tests.test_web import (NO_ITEMS, answer_a_contract_pages_history, answer_a_contract_pages_lookups, answer_gets,
                                answer_lists, csrf, sign_in, web_in_front_of)

# contract id -> (kind, status, the moves the API allows, converted already)
DOCUMENTS = {"accepted": ("quote", "accepted", [], False),
             "accepted-for-a-manager": ("quote", "accepted", ["validated"], False),
             "ordered": ("quote", "accepted", [], True),
             "validated": ("quote", "validated", [], False),
             "order": ("order", "draft", ["cancelled", "confirmed"], False),
             "confirmed-order": ("order", "confirmed", ["cancelled", "delivered"], False),
             "invoice": ("invoice", "draft", ["cancelled", "issued"], False),
             "issued-invoice": ("invoice", "issued", ["cancelled", "paid"], False)}
ACCEPTED = {"id": "accepted", "kind": "quote", "number": "Q-0007", "title": "Four à pain", "status": "accepted",
            "customer_name": "Boulangerie Martin", "owner_name": "Ann Lee", "currency": "EUR", "total": "14400.00",
            "signed_at": "2026-12-03T10:00:00Z", "created_at": "2026-12-01T09:00:00Z"}
VALIDATED = {**ACCEPTED, "id": "validated", "number": "Q-0009", "title": "Pétrin", "status": "validated",
             "signed_at": "2026-12-05T10:00:00Z", "total": "2400.00"}


def gateway(accepted: bool = True):
    """The contract pages and the home page's lists; ``accepted``: my accepted and validated quotes are not
    converted yet. ``calls``: the lists asked, with their filters; the conversions posted."""
    fake = Flask("fake_gateway")
    answer_a_contract_pages_lookups(fake)
    answer_gets(fake, {"/tasks": NO_ITEMS, "/users": NO_ITEMS})  # (users: a manager's owner picker)

    def my_quotes_to_convert(path, filters):
        mine = {"accepted": ACCEPTED, "validated": VALIDATED}.get(filters.get("status"))
        to_convert = accepted and path == "quotes" and filters.get("converted") == "false" and mine
        return ([mine] if to_convert else []), None

    calls = {"lists": answer_lists(fake, "quotes, contracts", my_quotes_to_convert), "converted": []}

    @fake.get("/api/v1/contracts/<contract_id>")
    def contract(contract_id):
        kind, status, moves, _ = DOCUMENTS[contract_id]
        return jsonify({"id": contract_id, "kind": kind, "number": f"{kind[0].upper()}-1", "status": status,
                        "allowed_statuses": moves, "customer_id": "martin", "customer_name": "Boulangerie Martin",
                        "currency": "EUR", "lines": []})

    answer_a_contract_pages_history(fake, converted=lambda contract_id: DOCUMENTS[contract_id][3])

    @fake.post("/api/v1/contracts/<contract_id>/convert")
    def convert(contract_id):
        calls["converted"].append((contract_id, request.get_json()["target"]))
        return jsonify({"id": "o1", "number": "O-1"}), 201

    return fake, calls


def page_of(contract_id: str, role: str = "user") -> str:
    return read(f"/contracts/{contract_id}", role)[0]


def read(path: str, role: str = "user", accepted: bool = True) -> tuple[str, list]:
    """The page at ``path`` as Ann reads it in French in the ``role`` she has, and the lists it asked."""
    fake, calls = gateway(accepted)
    with web_in_front_of(fake, locale=lambda: "fr", role=role) as web:
        client = web.test_client()
        sign_in(client)
        r = client.get(path, headers=FRENCH)
    assert r.status_code == 200
    return r.get_data(as_text=True), calls["lists"]


def more(page: str) -> str:
    """The "More actions" disclosure."""
    start = page.index('id="more-actions"')
    return page[start:page.index("</details>", start)]


def button_words(page: str, button_id: str) -> str:
    return words(re.search(rf'id="{button_id}"[^>]*>(.*?)</button>', page, re.S).group(1))


def test_an_accepted_quotes_order_is_the_salespersons_filled_button():
    fake, calls = gateway()
    with web_in_front_of(fake, locale=lambda: "fr") as web:
        client = web.test_client()
        sign_in(client)
        page = client.get("/contracts/accepted", headers=FRENCH).get_data(as_text=True)
        r = client.post("/contracts/accepted/convert", headers=FRENCH,
                        data={"target": "order", "csrf_token": csrf(client, "/contracts/accepted")})
    assert filled(header(page)) == ["convert-order"] and button_words(page, "convert-order") == "Créer une commande"
    assert page.count('id="convert-order"') == 1 and 'id="convert-invoice"' in more(page)  # the invoice: rarer
    assert r.status_code == 302 and r.headers["Location"].endswith("/contracts/o1")
    assert calls["converted"] == [("accepted", "order")]


def test_a_validated_quote_not_converted_offers_its_order_too():
    assert filled(header(page_of("validated"))) == ["convert-order"]


def test_a_manager_validates_first_the_order_outlined_beside():
    page = page_of("accepted-for-a-manager", role="front_user_manager")
    assert filled(header(page)) == ["status-validated"]
    assert 'id="convert-order" class="secondary"' in header(page)


def test_once_converted_the_order_goes_back_among_the_rarer_actions():
    page = page_of("ordered")
    assert filled(header(page)) == ["download-pdf"] and 'id="convert-order"' in more(page)


@pytest.mark.parametrize("contract_id, move, said", [
    ("order", "confirmed", "Confirmer la commande"), ("confirmed-order", "delivered", "Marquer comme livrée"),
    ("invoice", "issued", "Émettre la facture"), ("issued-invoice", "paid", "Marquer comme payée")])
def test_an_orders_and_an_invoices_next_move_is_the_filled_button(contract_id, move, said):
    page = page_of(contract_id)
    assert filled(header(page)) == [f"status-{move}"] and button_words(page, f"status-{move}") == said
    assert page.count(f'id="status-{move}"') == 1  # not again under "Change the status manually"
    assert 'id="status-cancelled-ask"' in page  # cancelling stays an exception, asked once, folded


def to_convert(page: str) -> str:
    """The home page's "Accepted — to convert" section, from its heading."""
    start = page.index(">", page.index('id="to-convert-heading"')) + 1
    return page[start:page.index("</section>", start)]


def test_the_home_page_offers_a_quote_and_lists_my_accepted_quotes_to_convert():
    page, lists = read("/")
    actions = page[page.index('class="page-actions"'):page.index("</main>")]
    assert filled(actions) == ["new-quote-link"] and 'href="/quotes/new"' in actions
    section = to_convert(page)
    assert words(section).startswith("Acceptés — à transformer")
    # the latest accepted first, each linking to its page (where "Create an order" is the filled button)
    assert re.findall(r'data-number="([^"]+)"', section) == ["Q-0009", "Q-0007"]
    assert 'href="/contracts/accepted"' in section and 'href="/contracts/validated"' in section
    rows = [words(row) for row in re.findall(r"<tr[^>]*data-number[^>]*>(.*?)</tr>", section, re.S)]
    assert rows[1] == "Q-0007 Four à pain Boulangerie Martin Accepté 3 déc. 2026 14\u202f400,00\xa0€", rows
    # mine (the signed-in user's id), accepted or validated, no order nor invoice made from them yet
    asked = [filters for path, filters in lists if path == "quotes" and filters.get("converted") == "false"
             and filters.get("status") != "sent"]  # sent, not ordered: awaiting the customer's answer
    assert sorted(f["status"] for f in asked) == ["accepted", "validated"]
    assert all(f["owner_id"] and f["owner_id"] == asked[0]["owner_id"] for f in asked)


def test_no_accepted_quote_to_convert_says_what_goes_there():
    section = words(to_convert(read("/", accepted=False)[0]))
    assert section == ("Acceptés — à transformer Aucun devis accepté en attente de commande. Vos devis acceptés par "
                       "le client s'affichent ici jusqu'à ce que vous en créiez la commande depuis leur page.")
