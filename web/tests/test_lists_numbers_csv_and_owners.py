"""The lists of documents against a fake gateway: a number column's filter read in the page's language (an error next
to its field when it is not a number), the CSV export as a spreadsheet of the page's language reads it (its
separator, a BOM, yes/no, numbers, times, statuses and flags as the list says them), and whom
the owner filter and pickers offer (a deactivated user marked in a filter, not offered to be given anything)."""
from __future__ import annotations

import csv
import io

import pytest
from flask import Flask, jsonify, request

from web.tests.test_web import NO_ITEMS, answer_gets, sign_in, web_in_front_of

COLUMNS = [{"key": "surface", "label": "Surface", "type": "number", "choices": []},
           {"key": "signed_paper", "label": "Paper", "type": "boolean", "choices": []},
           {"key": "visit", "label": "Visit", "type": "date", "choices": []}]
QUOTE = {"id": "q1", "kind": "quote", "number": "Q-1", "title": "Atelier", "status": "sent", "customer_id": "c1",
         "customer_name": "Hervé David", "owner_id": "u2", "owner_name": "Jean Dupont", "currency": "EUR",
         "subtotal": "1234.50", "tax_total": "246.90", "total": "1481.40", "flags": ["urgent", "gone"], "view_count": 2,
         "download_count": 0, "created_at": "2026-12-04T22:50:00.123456Z", "sent_at": None, "signed_at": None,
         "custom": {"surface": "1234.50", "signed_paper": True, "visit": "2027-03-01"}}
OTHER = {**QUOTE, "id": "q2", "number": "Q-2", "status": "accepted", "flags": [],
         "title": "Atelier; cuisine, « Hervé »", "custom": {"surface": "-12", "signed_paper": False},
         "customer_name": '=HYPERLINK("https://evil.test","Hervé")'}  # typed by anyone who may write a customer
ORDER = {**QUOTE, "id": "o1", "kind": "order", "number": "O-1", "status": "cancelled"}
FLAGS = [{"key": "urgent", "label": "Urgent", "color": "#d00"}]  # "gone": a flag deleted since
USERS = [{"user_id": "u1", "email": "ann@acme.test", "name": "Ann Lee", "role": "license_admin", "status": "active"},
         {"user_id": "u2", "email": "jean@acme.test", "name": "Jean Dupont", "role": "user", "status": "deactivated"},
         {"user_id": "u3", "email": "zoe@acme.test", "name": "Zoé Lambert", "role": "user", "status": "active"}]


def fake_gateway(asked: dict) -> Flask:
    """The gateway of the lists, noting the queries of the documents (``asked["quotes"]``) and users asked."""
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/quotes")
    def quotes():
        asked["quotes"].append(request.args.to_dict())
        return jsonify({"items": [QUOTE, OTHER], "next_cursor": None, "total": 2})

    answer_gets(fake, {"/settings/columns": COLUMNS, "/contracts": {"items": [ORDER], "next_cursor": None, "total": 1},
                       "/settings/flags": FLAGS, "/contract-types": [], "/customers": NO_ITEMS})

    @fake.get("/api/v1/users")
    def users():  # the API's filters: the staff, of a status
        asked["users"].append(request.args.to_dict())
        status = request.args.get("status")
        return jsonify({"items": [u for u in USERS if not status or u["status"] == status], "next_cursor": None})

    @fake.get("/api/v1/users/<user_id>")
    def user(user_id):
        return jsonify(next(u for u in USERS if u["user_id"] == user_id))

    return fake


@pytest.fixture(params=["fr", "en"])
def web(request):
    asked = {"quotes": [], "users": []}
    with web_in_front_of(fake_gateway(asked), locale=lambda: request.param, role="license_admin") as app:
        app.asked = asked
        app.language = request.param
        client = app.test_client()
        sign_in(client)
        client.set_cookie("tz", "Europe/Paris")
        yield app, client


def test_a_number_filter_is_read_as_the_page_writes_numbers(web):
    app, client = web
    typed = {"fr": "1 234,5", "en": "1,234.5"}[app.language]
    html = client.get("/quotes", query_string={"column": "surface", "value": typed}).get_data(as_text=True)
    assert app.asked["quotes"][-1]["custom_value"] == "1234.5"  # the API compares numbers
    assert f'value="{typed}"' in html  # the field keeps it as typed
    assert 'id="filter-value-surface-error"' not in html


def test_a_number_filter_that_is_not_a_number_is_said_next_to_its_field(web):
    app, client = web
    r = client.get("/quotes", query_string={"column": "surface", "value": "douze"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "custom_value" not in app.asked["quotes"][-1]  # the list, not filtered by it
    said = {"fr": "Saisissez un nombre, par exemple 1\u202f234,5\u00a0: la liste n'est pas filtrée par cette valeur.",
            "en": "Type a number, such as 1,234.5: the list is not filtered by this value."}[app.language]
    assert f'<small id="filter-value-surface-error" class="error">{said}</small>' in html.replace("&#39;", "'")
    assert 'aria-invalid="true" aria-describedby="filter-value-surface-error"' in html
    assert 'value="douze"' in html


def exported(client, path: str, separator: str) -> list[list[str]]:
    """The rows of a CSV export, after checking what makes Excel open it right by a double click: the UTF-8 BOM
    (its accents) and the page language's separator (its columns)."""
    resp = client.get(path)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.data.startswith(b"\xef\xbb\xbf") and not resp.data.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    text = resp.data.decode("utf-8-sig")
    header = text.split("\r\n", 1)[0]
    assert len(header.split(separator)) > 10 and '"' not in header  # its columns split by it alone
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def test_the_csv_is_separated_as_the_pages_language_and_says_statuses_and_flags_as_the_list(web):
    app, client = web
    separator = {"fr": ";", "en": ","}[app.language]
    header, first, second = exported(client, "/quotes.csv", separator)
    quote, other = dict(zip(header, first)), dict(zip(header, second))
    status, flags = {"fr": ("Statut", "Étiquettes"), "en": ("Status", "Flags")}[app.language]
    assert (quote[status], other[status]) == {"fr": ("Envoyé", "Accepté"), "en": ("Sent", "Accepted")}[app.language]
    assert (quote[flags], other[flags]) == ("Urgent, gone", "")  # the license's label; a deleted flag's key
    assert other[{"fr": "Titre", "en": "Title"}[app.language]] == "Atelier; cuisine, « Hervé »"  # quoted, whole
    customer = {"fr": "Client", "en": "Customer"}[app.language]
    assert quote[customer] == "Hervé David"
    # a text a spreadsheet would run as a formula is written as text; a negative number stays a number
    assert other[customer] == '\'=HYPERLINK("https://evil.test","Hervé")' and other["Surface"] == "-12"
    # an order's status agrees with its kind, as its badge does ("Annulée", la commande)
    header, order = exported(client, "/contracts.csv?kind=order", separator)
    assert dict(zip(header, order))[status] == {"fr": "Annulée", "en": "Cancelled"}[app.language]
    html = client.get("/quotes").get_data(as_text=True)  # the list's badges: the same words
    assert f'<span class="badge sent">{quote[status]}</span>' in html
    assert f'<span class="badge accepted">{other[status]}</span>' in html


def test_the_csv_writes_yes_no_numbers_and_times_as_the_pages_language(web):
    app, client = web
    rows = exported(client, "/quotes.csv", {"fr": ";", "en": ","}[app.language])
    header, first, second = rows
    cells = dict(zip(header, first))
    if app.language == "fr":
        assert (cells["Total HT"], cells["TVA"], cells["Total TTC"]) == ("1234,50", "246,90", "1481,40")
        assert (cells["Surface"], cells["Paper"], cells["Visit"]) == ("1234,50", "Oui", "2027-03-01")
        assert cells["Créé"] == "2026-12-04 23:50"  # in the reader's time zone (Paris)
        assert dict(zip(header, second))["Paper"] == "Non"
    else:
        assert (cells["Subtotal (excl. tax)"], cells["Total (incl. tax)"]) == ("1234.50", "1481.40")
        assert (cells["Surface"], cells["Paper"], cells["Created"]) == ("1234.50", "Yes", "2026-12-04 23:50")
        assert dict(zip(header, second))["Paper"] == "No"
    assert "True" not in rows[1] + rows[2] and "False" not in rows[1] + rows[2]


def test_the_owner_filter_marks_a_deactivated_user_and_the_owner_picker_offers_only_active_staff(web):
    app, client = web
    deactivated = {"fr": "Jean Dupont (désactivé)", "en": "Jean Dupont (deactivated)"}[app.language]
    html = client.get("/quotes").get_data(as_text=True)
    assert f'<option value="u2" >{deactivated}</option>' in html  # their documents stay findable
    assert '<option value="u3" >Zoé Lambert</option>' in html
    assert {"staff": "true"}.items() <= app.asked["users"][-1].items()

    # a new deal's owner: only the active staff are offered
    html = client.get("/deals/new").get_data(as_text=True)
    assert app.asked["users"][-1]["status"] == "active" and app.asked["users"][-1]["staff"] == "true"
    assert "Jean Dupont" not in html and '<option value="u3" >Zoé Lambert</option>' in html
    # a deal of Jean's, shown again (the form's values): kept, marked, never offered to another
    html = client.get("/pickers/owners", query_string={"name": "owner_id", "id": "field-owner_id", "q": "z",
                                                       "owner_id": "u2"}).get_data(as_text=True)
    assert f'<option value="u2" selected>{deactivated}</option>' in html
