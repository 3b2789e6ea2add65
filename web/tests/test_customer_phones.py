"""The customer file's forms and the phone numbers the API checks (an SMS can go to them), against a fake
gateway: a number left as it is stored is not sent again, so one saved before the API checked numbers does not
stop the other fields from being saved; a number typed is sent, and the API's refusal is said next to its field
in the page's language. An emptied address line is sent as null (the API merges the address). The file names
the language and currency its documents get: the customer's own, else the license's (asked of the API only
when shown)."""
from __future__ import annotations

import pytest
from flask import Flask, jsonify, request

from paraph_platform.phones import PHONE_ERROR

from web.tests.test_submissions import form_tokens
from web.tests.test_web import sign_in, web_in_front_of

REFUSED = "06 13"  # what the fake gateway refuses, with the API's words
CONTACT = {"id": "c1", "customer_id": "cu-1", "name": "Claire Durand", "first_name": "Claire", "last_name": "Durand",
           "title": None, "department": None, "type": None, "email": None, "phone": "03 20 00 00 00",
           "mobile": "06 12", "fax": None, "branch": None}  # the mobile saved before numbers were checked
CUSTOMER = {"id": "cu-1", "kind": "company", "code": "C-1", "name": "ACME", "email": None, "phone": "appelez-nous",
            "address": {}, "vat_number": None, "locale": "fr", "currency": "EUR", "notes": "",
            "created_by": "u1", "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:00:00Z",
            "perimeter_ids": [], "contacts": [CONTACT]}
LICENSE = {"id": "l1", "name": "ACME Paris", "settings": {"default_locale": "en", "currency": "CAD"}}


@pytest.fixture
def web():
    fake, sent = Flask("fake_gateway"), []

    @fake.get("/api/v1/customers/<customer_id>")
    def customer(customer_id):
        return jsonify(CUSTOMER)

    @fake.get("/api/v1/contacts/<contact_id>")
    def contact(contact_id):
        return jsonify(CONTACT)

    @fake.get("/api/v1/license")  # a plain user reads its settings too
    def license():
        sent.append("GET /license")
        return jsonify(LICENSE)

    @fake.patch("/api/v1/customers/<customer_id>")
    @fake.patch("/api/v1/contacts/<customer_id>")
    def edit(customer_id):
        body = request.get_json()
        sent.append(body)
        refused = {key: [PHONE_ERROR] for key in ("phone", "mobile", "fax") if body.get(key) == REFUSED}
        if refused:
            return jsonify({"status": 422, "detail": "The request contains invalid fields.", "errors": refused}), 422
        return jsonify({**CUSTOMER, **body})

    with web_in_front_of(fake, locale=lambda: "fr") as app:
        client = app.test_client()
        sign_in(client)
        sent.clear()  # the sign-in's read of the license (the company's country): not the pages'
        yield client, sent


def contact_form(client, **changes) -> dict:
    """The contact's edit form as shown (its stored values), with ``changes`` typed."""
    shown = {key: CONTACT[key] or "" for key in ("first_name", "last_name", "title", "department", "type", "email",
                                                  "phone", "mobile", "fax", "branch")}
    return {**form_tokens(client, "/customers/cu-1?tab=contacts"), **shown, **changes}


def test_a_number_left_as_stored_is_not_sent_again(web):
    client, sent = web
    r = client.post("/customers/cu-1/contacts/c1", data=contact_form(client, title="Gérante"))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert r.headers["Location"].endswith("#contact-c1")  # back on the contact saved
    html = client.get(r.headers["Location"], headers={"Accept-Language": "fr"}).get_data(as_text=True)
    # said in the contact's card, where the browser lands, not at the top of the page
    assert '<p class="notice success" role="status" id="contact-c1-saved">Le contact est enregistré.</p>' in html
    assert html.count("Le contact est enregistré.") == 1
    assert not {"phone", "mobile", "fax"} & set(sent[-1]) and sent[-1]["title"] == "Gérante"

    # the customer's info: its stored phone is not sent again with the notes
    form = {**form_tokens(client, "/customers/cu-1"), "kind": "company", "name": "ACME", "code": "C-1",
            "phone": "appelez-nous", "notes": "Rappeler en mai"}
    r = client.post("/customers/cu-1", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert "phone" not in sent[-1] and sent[-1]["notes"] == "Rappeler en mai"

    # changed (or emptied), it is sent
    client.post("/customers/cu-1/contacts/c1", data=contact_form(client, mobile=""))
    assert sent[-1]["mobile"] is None


def test_an_emptied_address_line_is_sent_as_null(web):
    """The API merges a PATCH's address into the stored one (JSON merge patch): the form sends each of its
    address lines, an emptied one as null (removed), else the line would stay."""
    client, sent = web
    form = {**form_tokens(client, "/customers/cu-1"), "kind": "company", "name": "ACME", "code": "C-1",
            "phone": "appelez-nous", "line1": " 12 rue des Lilas ", "line2": "", "postal_code": "69003",
            "city": "Lyon", "region": "", "country": ""}
    r = client.post("/customers/cu-1", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert sent[-1]["address"] == {"line1": "12 rue des Lilas", "line2": None, "postal_code": "69003",
                                   "city": "Lyon", "region": None, "country": None}


def test_a_refused_number_is_said_next_to_its_field_in_french(web):
    client, sent = web
    r = client.post("/customers/cu-1/contacts/c1", data=contact_form(client, mobile=REFUSED),
                    headers={"Accept-Language": "fr"})
    assert r.status_code == 422 and sent[-1]["mobile"] == REFUSED
    html = r.get_data(as_text=True)
    error = html.index('id="contact-form-c1-mobile-error"')
    assert ("Numéro invalide (France)\u00a0: ex. 06\u00a012\u00a034\u00a056\u00a078 ou "
            "+33\u00a06\u00a012\u00a034\u00a056\u00a078.") in html[error:error + 200]
    assert 'id="contact-form-c1-phone-error"' not in html
    # the page is drawn at the posted URL: its fragment lands the browser on the contact's form
    assert 'action="/customers/cu-1/contacts/c1#contact-c1" id="contact-form-c1"' in html


def test_the_file_names_the_language_and_currency_its_documents_get(web, monkeypatch):
    client, sent = web
    html = client.get("/customers/cu-1?tab=contacts").get_data(as_text=True)  # its own: the license is not asked
    assert ">Langue\u00a0: Français</span>" in html and ">Devise\u00a0: Euro (EUR)</span>" in html
    assert "GET /license" not in sent

    # none of its own: the license's, named as the salesperson's company's in the form (not "the license's")
    monkeypatch.setitem(CUSTOMER, "locale", None)
    monkeypatch.setitem(CUSTOMER, "currency", None)
    html = client.get("/customers/cu-1").get_data(as_text=True)
    assert ">Langue\u00a0: Anglais</span>" in html and ">Devise\u00a0: Dollar canadien (CAD)</span>" in html
    assert '<option value="" selected>Par défaut (Anglais)</option>' in html
    assert "La langue de ses documents. Par défaut\u00a0: celle de votre entreprise." in html
    assert '<option value="" selected>Par défaut (Dollar canadien (CAD))</option>' in html
    assert "La devise de ses documents. Par défaut\u00a0: celle de votre entreprise." in html
    assert "licence" not in html.split("<main", 1)[1]
