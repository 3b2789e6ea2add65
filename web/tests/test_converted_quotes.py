"""A quote an order or an invoice was made from, against a fake gateway (the browser walk is
tests/e2e/web/test_converted_quotes.py):

* it is not among the home page's quotes awaiting the customer's answer (the list is asked ``converted=false``);
* the signature center, opened by its address, does not offer to send it for signature: it says why and links to
  what it became (the API refuses it too: services/signing/tests/integration/test_lifecycle.py);
* "All my quotes to convert" under the home page's "Accepted — to convert" opens the quote list showing what the
  section shows: a salesperson's accepted or validated quotes without their order, a manager's validated ones; the
  list's filters show those choices."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, jsonify

from web.tests.test_web import (NO_ITEMS, answer_a_contract_pages_lookups, answer_gets, answer_lists, sign_in,
                                web_in_front_of)

FRENCH = {"Accept-Language": "fr"}
SENT = {"id": "q1", "kind": "quote", "number": "Q-0001", "title": "Four", "status": "sent", "customer_id": "c1",
        "customer_name": "Boulangerie Martin", "owner_id": "u1", "currency": "EUR", "total": "100.00",
        "view_count": 0, "created_at": "2026-12-01T09:00:00Z"}
ORDERED = {**SENT, "id": "q2", "number": "Q-0002", "title": "Pétrin"}  # an order was made from it, still "sent"


def lists_gateway(answer):
    """The document lists (and the customers), each page ``answer(path, filters)`` (its items, its next cursor),
    with the filters pickers read; ``asked``: the (path, filters) of each list asked."""
    fake = Flask("fake_gateway")
    asked = answer_lists(fake, "quotes, contracts, tasks, customers", answer)
    answer_gets(fake, {"/settings/flags": [], "/settings/columns": [], "/contract-types": [], "/users": NO_ITEMS})
    return fake, asked


def sent_quotes(path, filters):
    """My sent quotes as the API filters them: without ``converted=false``, the one ordered too."""
    if path != "quotes" or filters.get("status") != "sent":
        return [], None
    return ([SENT] if filters.get("converted") == "false" else [SENT, ORDERED]), None


def more_to_convert(path, filters):
    """One more page of quotes to convert than the home page shows (its link is offered)."""
    return [], "next" if path == "quotes" and filters.get("converted") == "false" else None


def page_in_french(fake: Flask, path: str) -> str:
    """The page at ``path`` as Ann, a salesperson reading French, sees it."""
    with web_in_front_of(fake, locale=lambda: "fr") as web:
        client = web.test_client()
        sign_in(client)
        return client.get(path, headers=FRENCH).get_data(as_text=True)


def test_a_quote_the_customer_ordered_no_longer_awaits_their_answer():
    fake, asked = lists_gateway(sent_quotes)
    page = page_in_french(fake, "/")
    awaiting = page[page.index('id="quotes-heading"'):page.index('id="contracts-heading"')]
    assert "Q-0001" in awaiting and "Q-0002" not in awaiting
    assert [f.get("converted") for path, f in asked if path == "quotes" and f.get("status") == "sent"] == ["false"]


# -- the signature center of a quote made into an order ------------------------------------------------------------

def signature_gateway(converted_into: list[dict]):
    fake = Flask("fake_gateway")
    answer_a_contract_pages_lookups(fake)

    @fake.get("/api/v1/contracts/q2")
    def contract():
        return jsonify({**ORDERED, "contact_id": "k1", "allowed_statuses": [], "signature_pending": False,
                        "converted_into": converted_into})

    @fake.get("/api/v1/signature-requests")
    def no_requests():
        return jsonify({"items": [], "next_cursor": None})

    @fake.get("/api/v1/customers/c1")
    def customer():
        return jsonify({"id": "c1", "name": "Boulangerie Martin", "contacts": []})

    @fake.get("/api/v1/signing/settings")
    def settings():
        return jsonify({"reminder_every_days": None, "reminder_max": None,
                        "defaults": {"reminder_every_days": 2, "reminder_max": 3}})

    return fake


def signature_center(converted_into: list[dict]) -> str:
    with web_in_front_of(signature_gateway(converted_into), locale=lambda: "fr") as web:
        client = web.test_client()
        sign_in(client)
        r = client.get("/contracts/q2/signature", headers=FRENCH)
    assert r.status_code == 200
    return r.get_data(as_text=True)


@pytest.mark.parametrize("kind, said, named", [
    ("order", "Ce devis a été transformé en commande\u00a0: il n'est plus envoyé pour signature.", "Commande C-0004"),
    ("invoice", "Ce devis a été transformé en facture\u00a0: il n'est plus envoyé pour signature.", "Facture C-0004")])
def test_the_signature_center_of_a_quote_made_into_an_order_says_so_and_links_to_it(kind, said, named):
    page = signature_center([{"id": "o1", "kind": kind, "number": "C-0004"}])
    assert 'id="signature-submit"' not in page and 'name="signers-0-person"' not in page
    notice = unescape(re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", "", re.search(
        r'<p class="notice" id="no-request">(.*?)</p>', page, re.S).group(1)))).strip()
    assert notice == f"{said} {named}"
    assert re.search(r'<a href="/contracts/o1"[^>]*id="converted-into-1">', page)


def test_the_signature_center_of_a_sent_quote_not_ordered_offers_the_request():
    page = signature_center([])
    assert 'id="signature-submit"' in page and 'id="no-request"' not in page


# -- "All my quotes to convert" --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, statuses, status_shown", [
    ("user", "accepted,validated", "Accepté ou validé"),
    ("front_user_manager", "validated", "Validé")])  # a manager's accepted ones are in "To validate"
def test_all_my_quotes_to_convert_opens_the_list_of_what_the_section_shows(role, statuses, status_shown):
    fake, asked = lists_gateway(more_to_convert)
    with web_in_front_of(fake, locale=lambda: "fr", role=role) as web:
        client = web.test_client()
        sign_in(client)
        home = client.get("/", headers=FRENCH).get_data(as_text=True)
        section = [f for path, f in asked if path == "quotes" and f.get("converted") == "false"
                   and f.get("status") != "sent"]
        link = unescape(re.search(r'<p class="muted" id="to-convert-more"><a href="([^"]+)">Tous mes devis à '
                                  r'transformer</a>', home).group(1))
        assert urlsplit(link).path == "/quotes"
        assert parse_qs(urlsplit(link).query) == {"status": [statuses], "converted": ["false"], "owner": ["me"]}
        asked.clear()
        page = client.get(link, headers=FRENCH).get_data(as_text=True)
    listed = [f for path, f in asked if path == "quotes"]
    assert len(listed) == 1 and {key: listed[0][key] for key in ("status", "converted", "owner_id")} == {
        "status": statuses, "converted": "false", "owner_id": "u1"}
    # the section asked the same quotes, a status at a time
    assert sorted(f["status"] for f in section) == sorted(statuses.split(","))
    assert {f["owner_id"] for f in section} == {"u1"}
    # the filters say so
    assert re.search(rf'<option value="{statuses}" selected>{status_shown}</option>', page)
    assert re.search(r'<option value="false" selected>Pas encore</option>', page)
    assert '<label for="filter-converted">Commande ou facture faite</label>' in page


def test_the_quote_list_without_the_order_filter_shows_all_quotes():
    fake, asked = lists_gateway(more_to_convert)
    page = page_in_french(fake, "/quotes")
    assert "converted" not in [f for path, f in asked if path == "quotes"][0]
    assert re.search(r'<select id="filter-converted" name="converted"><option value="">Tous les devis</option>', page)
