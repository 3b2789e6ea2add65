"""A number field is read as a whole number only when it is one (ASCII digits, a sane length): "²" (a key of
the French AZERTY keyboard, which ``str.isdigit`` takes for a digit), "1e3" or 5,000 digits (which ``int``
refuses) are sent as typed, the API refuses them, and the form says why next to the field: a form error, never
a 500. Against a fake gateway that refuses anything but a whole number, as the API does."""
from __future__ import annotations

import pytest
from flask import Flask, jsonify, request

from paraph_web.pages.contract_details import api_body
from paraph_web.pages.forms import whole_number
from web.tests.test_submissions import form_tokens
from web.tests.test_web import sign_in, web_in_front_of

BAD = ("²", "1e3", "7" * 5000, "٣", "12,5")
NOT_A_NUMBER = "Not a valid integer."  # the API's words
SAID = "Not a valid number."  # the page's


def test_whole_number_is_an_int_only_for_ascii_digits():
    assert whole_number(" 42 ") == 42 and whole_number("-3") == -3 and whole_number("0") == 0
    for raw in BAD:
        assert whole_number(raw) == raw, raw[:10]
    assert whole_number("") == "" and whole_number(None) == "" and whole_number(7) == 7


def test_a_version_that_is_not_a_number_is_not_sent():
    assert "expected_version" not in api_body({"version": "²"}, [])
    assert "expected_version" not in api_body({"version": "9" * 5000}, [])
    assert api_body({"version": "3"}, [])["expected_version"] == 3


@pytest.fixture
def admin():
    """Ann, a license admin, signed in to the web app in front of a gateway that keeps only whole numbers."""
    fake, sent = Flask("fake_gateway"), []

    def kept(names, saved=lambda body: body, status=200):
        """The API's answer to the posted body: a 422 naming each of ``names`` that is not a whole number, else
        ``saved(body)``; the body is recorded in ``sent``."""
        body = request.get_json()
        sent.append(body)
        errors = {name: [NOT_A_NUMBER] for name in names
                  if name in body and body[name] is not None and not isinstance(body[name], int)}
        if errors:
            return jsonify({"status": 422, "detail": "The request contains invalid fields.", "errors": errors}), 422
        return jsonify(saved(body)), status

    @fake.get("/api/v1/license")
    def license():
        return jsonify({"id": "l1", "name": "ACME Paris", "settings": {"default_locale": "fr", "currency": "EUR",
                                                                      "abandon_delay_days": 30}})

    @fake.patch("/api/v1/license")
    def edit_license():
        return kept(("abandon_delay_days",), lambda body: {"id": "l1", "settings": body})

    @fake.get("/api/v1/signing/settings")
    def signing():
        return jsonify({"embed_origins": [], "reminder_every_days": None, "reminder_max": None,
                        "defaults": {"reminder_every_days": 3, "reminder_max": 5}})

    @fake.patch("/api/v1/signing/settings")
    def edit_signing():
        return kept(("reminder_every_days", "reminder_max"))

    @fake.post("/api/v1/contract-types")
    def create_type():
        return kept(("abandon_delay_days",), lambda body: {"id": "t1", **body}, status=201)

    with web_in_front_of(fake, role="license_admin") as app:
        client = app.test_client()
        sign_in(client)
        yield client, sent


def test_the_abandon_delay_not_a_whole_number_is_said_next_to_its_field(admin):
    client, sent = admin
    for raw in BAD:
        form = {**form_tokens(client, "/settings/abandon-delay"), "default_locale": "fr", "currency": "EUR",
                "abandon_delay_days": raw}
        r = client.post("/settings/abandon-delay", data=form)
        page = r.get_data(as_text=True)
        assert r.status_code == 422, raw[:10]
        assert 'id="document-defaults"' in page, raw[:10]
        assert 'id="field-abandon_delay_days-error"' in page and SAID in page, raw[:10]
        assert sent[-1]["abandon_delay_days"] == raw  # sent as typed, for the API to say why
        assert f'value="{raw}"' in page, raw[:10]  # and shown as typed next to its error
    # none typed: sent as none, which the API says is required (not "not a valid number", as "" got)
    form = {**form_tokens(client, "/settings/abandon-delay"), "default_locale": "fr", "currency": "EUR",
            "abandon_delay_days": " "}
    client.post("/settings/abandon-delay", data=form)
    assert sent[-1]["abandon_delay_days"] is None
    form = {**form_tokens(client, "/settings/abandon-delay"), "default_locale": "fr", "currency": "EUR",
            "abandon_delay_days": " 45 "}
    assert client.post("/settings/abandon-delay", data=form).status_code == 302
    assert sent[-1]["abandon_delay_days"] == 45


def test_the_reminders_not_a_whole_number_are_said_next_to_their_fields(admin):
    client, sent = admin
    for raw in BAD:
        form = {**form_tokens(client, "/settings/e-signature"), "embed_origins": "",
                "reminder_every_days": raw, "reminder_max": "2"}
        r = client.post("/settings/e-signature", data=form)
        page = r.get_data(as_text=True)
        assert r.status_code == 422, raw[:10]
        assert 'id="field-reminder_every_days-error"' in page and SAID in page, raw[:10]
        assert sent[-1]["reminder_every_days"] == raw and sent[-1]["reminder_max"] == 2
    form = {**form_tokens(client, "/settings/e-signature"), "embed_origins": "", "reminder_every_days": "4",
            "reminder_max": ""}
    assert client.post("/settings/e-signature", data=form).status_code == 302
    assert sent[-1]["reminder_every_days"] == 4 and sent[-1]["reminder_max"] is None


def test_a_contract_types_delay_or_row_count_not_a_whole_number_is_no_server_error(admin):
    """The new contract type's form read its delay and its count of merge field rows with isdigit() then int():
    "²" was a 500. The delay is sent as typed (the API's 422 beside the field); a row count that is no number
    is no rows."""
    client, sent = admin
    for raw in BAD:
        form = {**form_tokens(client, "/settings/document-templates/new"), "kind": "quote", "name": "Mandat",
                "abandon_delay_days": raw, "field_rows": raw}
        r = client.post("/settings/document-templates/new", data=form)
        page = r.get_data(as_text=True)
        assert r.status_code == 422, raw[:10]
        assert 'id="field-abandon_delay_days-error"' in page and SAID in page, raw[:10]
        assert sent[-1]["abandon_delay_days"] == raw and sent[-1]["merge_fields"] == []
    form = {**form_tokens(client, "/settings/document-templates/new"), "kind": "quote", "name": "Mandat",
            "abandon_delay_days": " 30 ", "field_rows": "1", "merge_fields.0.key": "prix", "merge_fields.0.label": "Prix"}
    assert client.post("/settings/document-templates/new", data=form).status_code == 302
    assert sent[-1]["abandon_delay_days"] == 30 and [f["key"] for f in sent[-1]["merge_fields"]] == ["prix"]
