"""A manager's validation, against a fake gateway, for what a front user manager's walkthrough found: "Validate" was
tucked inside "Change the status manually" and the home page did not say what awaits validation. An accepted quote
or a signed contract the API lets her validate shows "Validate" as the header's filled button (the one primary
action: the signed PDF beside it is then outlined), posting the status move; the home page lists the accepted
quotes and signed contracts not validated yet, or says what goes there. A salesperson sees neither."""
from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask, jsonify, request

from web.tests.test_web import (NO_ITEMS, answer_a_contract_pages_history, answer_a_contract_pages_lookups, answer_gets,
                                answer_lists, csrf, sign_in, web_in_front_of)

FRENCH = {"Accept-Language": "fr"}
# contract id -> (kind, status, signed electronically, the moves the API allows a manager)
DOCUMENTS = {"q1": ("quote", "accepted", False, ["validated"]),
             "c1": ("contract", "signed", True, ["refused", "validated"]),
             "q2": ("quote", "sent", False, ["accepted", "draft", "refused", "abandoned"])}
ACCEPTED = {"id": "q1", "kind": "quote", "number": "Q-0007", "title": "Four à pain", "status": "accepted",
            "customer_name": "Boulangerie Martin", "owner_name": "Paul Vendeur", "currency": "EUR", "total": "14400.00",
            "signed_at": "2026-12-03T10:00:00Z", "created_at": "2026-12-01T09:00:00Z"}
SIGNED = {**ACCEPTED, "id": "c1", "kind": "contract", "number": "C-0003", "title": "Maintenance",
          "status": "signed", "signed_at": "2026-12-04T10:00:00Z", "total": "1200.00"}


def gateway(waiting: bool = True, manager: bool = True, more: bool = False):
    """The contract pages and the home page's lists; ``waiting``: an accepted quote and a signed contract await
    validation (``more``: and others, on a next page); not ``manager``: the API offers no validation.
    ``calls``: the lists asked, with their filters; the status moves posted."""
    fake = Flask("fake_gateway")
    answer_a_contract_pages_lookups(fake)
    answer_gets(fake, {"/tasks": NO_ITEMS, "/users": NO_ITEMS})

    def awaiting_validation(path, filters):
        waited = {("quotes", "accepted"): ACCEPTED, ("contracts", "signed"): SIGNED}.get((path, filters.get("status")))
        return ([waited] if waiting and waited else []), ("p2" if more and waited else None)

    calls = {"lists": answer_lists(fake, "quotes, contracts", awaiting_validation), "moves": []}

    @fake.get("/api/v1/contracts/<contract_id>")
    def contract(contract_id):
        kind, status, electronic, moves = DOCUMENTS[contract_id]
        return jsonify({"id": contract_id, "kind": kind, "number": f"{kind[0].upper()}-1", "status": status,
                        "customer_id": "martin", "customer_name": "Boulangerie Martin", "currency": "EUR",
                        "lines": [], "signature_request_id": "req-1" if electronic else None,
                        "allowed_statuses": [m for m in moves if manager or m != "validated"]})

    answer_a_contract_pages_history(fake)

    @fake.post("/api/v1/contracts/<contract_id>/status")
    def move(contract_id):
        calls["moves"].append((contract_id, request.get_json()["status"]))
        return jsonify({"id": contract_id, "status": request.get_json()["status"]})

    return fake, calls


def header(page: str) -> str:
    start = page.index('id="contract-actions"')
    return page[start:page.index('id="more-actions"', start)]


def filled(part: str) -> list[str]:
    """The ids of the buttons and button-links of ``part`` that are not outlined (UI.md: one primary action)."""
    return [m.group(2) for m in re.finditer(r'<(a|button)\b[^>]*\bid="([^"]+)"[^>]*>', part)
            if 'class="secondary"' not in m.group(0) and (m.group(1) == "button" or 'role="button"' in m.group(0))]


def words(part: str) -> str:
    """Its words, tags removed, spaces collapsed (not the no-break ones French writes in numbers and before a colon)."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", part))).strip()


@pytest.mark.parametrize("contract_id", ["q1", "c1"])
def test_a_manager_validates_from_the_headers_filled_button(contract_id):
    fake, calls = gateway()
    with web_in_front_of(fake, locale=lambda: "fr", role="front_user_manager") as web:
        client = web.test_client()
        sign_in(client)
        page = client.get(f"/contracts/{contract_id}", headers=FRENCH).get_data(as_text=True)
        actions = header(page)
        # "Validate" is the one filled button, first; the signed PDF and the PDF beside it are outlined
        assert filled(actions) == ["status-validated"], actions
        button = re.search(r'<form method="post" action="([^"]+)" class="inline">.*?<button type="submit" '
                           r'id="status-validated">([^<]+)</button>', actions, re.S)
        assert (button.group(1), button.group(2)) == (f"/contracts/{contract_id}/status/validated", "Valider")
        assert page.count('id="status-validated"') == 1  # not again under "Change the status manually"
        if contract_id == "c1":
            assert 'id="download-signed-pdf" class="secondary"' in actions
            assert 'id="status-refused-ask"' in page  # refusing stays an exception, asked once, folded
        else:
            assert 'id="status-moves"' not in page  # nothing else to change by hand
        r = client.post(f"/contracts/{contract_id}/status/validated", headers=FRENCH,
                        data={"csrf_token": csrf(client, f"/contracts/{contract_id}")})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/contracts/{contract_id}")
    assert calls["moves"] == [(contract_id, "validated")]


def test_no_validate_button_where_the_api_does_not_offer_it():
    """A salesperson's accepted quote (the API offers no validation: its order is the next step,
    test_next_step_actions.py), a sent quote: no "Validate"."""
    fake, _ = gateway(manager=False)
    with web_in_front_of(fake, locale=lambda: "fr") as web:
        client = web.test_client()
        sign_in(client)
        accepted = client.get("/contracts/q1", headers=FRENCH).get_data(as_text=True)
        sent = client.get("/contracts/q2", headers=FRENCH).get_data(as_text=True)
    assert 'id="status-validated"' not in accepted and filled(header(accepted)) == ["convert-order"]
    assert 'id="status-validated"' not in sent and filled(header(sent)) == ["send-by-email"]


def home(role: str, waiting: bool = True, more: bool = False) -> tuple[str, list]:
    fake, calls = gateway(waiting, more=more)
    with web_in_front_of(fake, locale=lambda: "fr", role=role) as web:
        client = web.test_client()
        sign_in(client)
        r = client.get("/", headers=FRENCH)
    assert r.status_code == 200
    return r.get_data(as_text=True), calls["lists"]


def to_validate(page: str) -> str:
    start = page.index(">", page.index('id="to-validate"')) + 1
    return page[start:page.index("</section>", start)]


@pytest.mark.parametrize("role", ["front_user_manager", "license_admin"])
def test_a_managers_home_lists_the_accepted_quotes_and_signed_contracts_to_validate(role):
    page, lists = home(role)
    section = to_validate(page)
    assert words(section).startswith("À valider")
    # the latest signed first; each links to its page, where "Validate" is the filled button
    assert re.findall(r'data-number="([^"]+)"', section) == ["C-0003", "Q-0007"]
    assert 'href="/contracts/q1"' in section and 'href="/contracts/c1"' in section
    rows = [words(row) for row in re.findall(r"<tr[^>]*data-number[^>]*>(.*?)</tr>", section, re.S)]
    assert rows == ["C-0003 Maintenance Boulangerie Martin Paul Vendeur Signé 4 déc. 2026 1\u202f200,00\xa0€",
                    "Q-0007 Four à pain Boulangerie Martin Paul Vendeur Accepté 3 déc. 2026 14\u202f400,00\xa0€"], rows
    # the list API's filters: the team's (no owner), by status; contracts only (not orders nor invoices)
    assert ("quotes", {"status": "accepted", "limit": "20"}) in lists
    assert ("contracts", {"status": "signed", "kind": "contract", "limit": "20"}) in lists
    assert 'id="to-validate-more"' not in section


def test_more_to_validate_than_shown_links_to_the_lists_filtered_by_status():
    section = to_validate(home("front_user_manager", more=True)[0])
    more = section[section.index(">", section.index('id="to-validate-more"')) + 1:]
    said = re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", "", more)))
    assert said.startswith("D'autres attendent\u00a0: tous les devis acceptés, tous les contrats signés"), said
    assert re.findall(r'href="([^"]+)"', more) == ["/quotes?status=accepted", "/contracts?status=signed"]


def test_nothing_to_validate_says_what_goes_there():
    section = words(to_validate(home("front_user_manager", waiting=False)[0]))
    assert section == ("À valider Rien à valider. Les devis acceptés et les contrats signés de votre équipe "
                       "s'affichent ici jusqu'à ce que vous les validiez depuis leur page.")


def test_a_salesperson_has_no_validation_queue():
    page, lists = home("user")
    assert 'id="to-validate"' not in page and "À valider" not in page
    # (her own accepted quotes, to convert, are asked by owner: test_next_step_actions.py)
    assert not [filters for _, filters in lists if filters.get("status") in ("accepted", "signed")
                and not filters.get("owner_id")]
