"""A designer's screenshot review, second pass, against a fake gateway: the company profile shows its share capital
as a French admin writes it ("10 000,50") and hides "no logo yet" while a new one is previewed; the customers list
says its default sort (name, A to Z) on its header; a phone number's refusal is short, with examples, and a too
short password is said once (the error, not the hint again); the editor's first card is named after its fields and
the totals carry no developer's note, its move buttons named; the contract types' settings page is named after
what it lists; an ERP review's email wraps after its "@" or a ".", never mid-word."""
from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask, jsonify, request

from web.src.paraph_web.api import ApiError
from web.src.paraph_web.tables import breakable_email
from web.tests.test_web import csrf, sign_in, web_in_front_of

NNBSP = "\u202f"
CUSTOMERS = [{"id": "cu-b", "name": "Bruno Martin", "kind": "person", "code": "CU-1", "perimeter_ids": []},
             {"id": "cu-d", "name": "Durand Immobilier", "kind": "company", "code": "C100", "perimeter_ids": []}]
REPORT = {"collaborators_without_user": [{"code": "V05", "email": "jeanne.dupont@acme.test", "name": "Jeanne Dupont",
                                          "active": True}],
          "matched": [{"code": "V09", "email": "paul.leroy@acme.test", "user_id": "u9", "active": False}],
          "users_without_collaborator": []}
NO_TOTALS = dict.fromkeys(("subtotal", "tax_total", "total", "optional_total"), "0.00") | {"taxes": [], "line_amounts": []}


def gateway() -> Flask:
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/company-profile")
    def company_profile():
        return jsonify({"name": "Atelier Dupont", "siren": "732829320", "share_capital": "10000.50", "address": {},
                        "logo": None, "updated_at": "2026-12-07T10:00:00Z"})

    @fake.get("/api/v1/customers")
    def customers():
        rows = sorted(CUSTOMERS, key=lambda c: c["name"], reverse=request.args.get("sort") == "-name")
        return jsonify({"items": rows, "next_cursor": None, "total": len(rows)})

    @fake.post("/api/v1/me/password")
    def password():
        return jsonify({"type": "about:blank", "title": "Unprocessable", "status": 422,
                        "errors": {"new_password": ["Shorter than minimum length 10."]}}), 422

    fake.add_url_rule("/api/v1/quotes/totals", "totals", lambda: jsonify(NO_TOTALS), methods=["POST"])

    @fake.get("/api/v1/erp/sync-report")
    def sync_report():
        return jsonify(REPORT)

    @fake.get("/api/v1/<path:anything>")  # no contract type, column, flag, perimeter; seats: none used
    def nothing(anything):
        return jsonify([] if anything in ("contract-types", "settings/columns", "settings/flags") else
                       {"items": [], "next_cursor": None})
    return fake


@pytest.fixture
def admin():
    with web_in_front_of(gateway(), locale=lambda: "fr", role="license_admin") as app:
        client = app.test_client()
        sign_in(client)
        yield client


def page(client, path: str) -> str:
    r = client.get(path, headers={"Accept-Language": "fr"})
    assert r.status_code == 200, r.status_code
    return unescape(r.get_data(as_text=True))


def test_the_share_capital_is_shown_as_a_french_admin_writes_it_and_read_back(admin):
    from web.src.paraph_web.pages.forms import as_typed, typed_number
    profile = page(admin, "/settings/company-profile")
    assert re.search(rf'id="field-share_capital" name="share_capital" value="10{NNBSP}000,50"', profile)
    assert 'id="field-siren" name="siren" value="732829320"' in profile  # the digits saved, none changed
    assert typed_number(f"10{NNBSP}000,50") == "10000.50"
    from web.src.paraph_web.app import create_app
    app = create_app({"WEB_SESSION_KEY": "k", "TESTING": True})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert as_typed("1234567.5", money=True, grouped=True) == f"1{NNBSP}234{NNBSP}567,50"
        assert as_typed("-999", grouped=True) == "-999" and as_typed("NaN", grouped=True) == "NaN"
        assert as_typed("10000.50", money=True) == "10000,50"  # the other forms: as before
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert as_typed("10000.50", money=True, grouped=True) == "10000.50"  # a "," would read as the decimal one


def test_no_logo_yet_is_hidden_while_a_new_logo_is_previewed(admin):
    profile = page(admin, "/settings/company-profile")
    assert re.search(r'<div id="logo-none" data-hidden-by-preview="logo-new-preview"><div class="empty-state">',
                     profile)
    assert 'data-preview="logo-new-preview"' in profile
    script = admin.get("/static/app.js").get_data(as_text=True)
    assert "[data-hidden-by-preview='\" + image.id + \"']" in script


def test_the_customers_list_says_its_default_sort_name_a_to_z(admin):
    listed = page(admin, "/customers")
    assert listed.index("Bruno Martin") < listed.index("Durand Immobilier")
    name = re.search(r'<th scope="col" role="columnheader" class=""([^>]*)>\s*<a href="\?([^"]*)">Nom</a>', listed)
    assert name.group(1) == ' aria-sort="ascending"' and name.group(2) == "sort=-name"  # ▲, a click for Z to A
    assert listed.count("aria-sort=") == 1
    descending = page(admin, "/customers?sort=-name")
    assert descending.index("Durand Immobilier") < descending.index("Bruno Martin")
    name = re.search(r'<th scope="col" role="columnheader" class=""([^>]*)>\s*<a href="\?([^"]*)">Nom</a>', descending)
    assert name.group(1) == ' aria-sort="descending"' and name.group(2) == "sort=name"
    css = admin.get("/static/app.css").get_data(as_text=True)
    assert 'th[aria-sort=ascending] a::after { content: " ▲"; }' in css
    assert 'th[aria-sort=descending] a::after { content: " ▼"; }' in css


def test_a_refused_phone_number_is_said_shortly_with_examples():
    from paraph_platform.phones import PHONE_ERROR
    from web.src.paraph_web.app import create_app
    app = create_app({"WEB_SESSION_KEY": "k", "TESTING": True})
    refused = ApiError(422, {"status": 422, "errors": {"mobile": [PHONE_ERROR]}})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert refused.field_errors["mobile"] == (
            "Numéro invalide (France)\u00a0: ex. 06\u00a012\u00a034\u00a056\u00a078 ou "
            "+33\u00a06\u00a012\u00a034\u00a056\u00a078.")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert refused.field_errors["mobile"] == (
            "Not a valid phone number (France): e.g. 06\u00a012\u00a034\u00a056\u00a078 or "
            "+33\u00a06\u00a012\u00a034\u00a056\u00a078.")  # each example on one line


def test_a_too_short_password_is_said_once(admin):
    account = page(admin, "/account")
    assert "Au moins 10 caractères. Vos autres sessions seront déconnectées." in account  # the rule, before typing
    r = admin.post("/account/password", headers={"Accept-Language": "fr"}, data={
        "csrf_token": csrf(admin, "/account"), "current_password": "right password", "new_password": "short",
        "new_password_confirm": "short"})
    refused = unescape(r.get_data(as_text=True))
    assert r.status_code == 422
    assert '<small id="field-new_password-error" class="error">Au moins 10 caractères.</small>' in refused
    assert '<small id="field-new_password-hint" class="hint">Vos autres sessions seront déconnectées.</small>' in refused
    assert refused.count("Au moins 10 caractères") == 1


def test_a_too_short_password_is_said_once_on_the_invitations_page_too():
    fake = Flask("fake_gateway")

    @fake.post("/api/v1/auth/link-info")
    def link_info():
        return jsonify({"purpose": "invitation", "email": "ann@acme.test", "name": "Ann", "company": "ACME",
                        "role": "user", "has_password": False, "expires_at": "2031-01-01T00:00:00Z"})

    @fake.post("/api/v1/auth/accept-invitation")
    def refuse():
        return jsonify({"status": 422, "title": "Unprocessable Entity", "detail": "Invalid input.",
                        "errors": {"password": ["Shorter than minimum length 10."]}}), 422

    with web_in_front_of(fake) as web:
        client, page = web.test_client(), "/set-password?token=invitation-token-1"
        assert "Au moins 10 caractères." in unescape(client.get(page, headers={"Accept-Language": "fr"})
                                                     .get_data(as_text=True))  # the rule, before typing
        r = client.post(page, headers={"Accept-Language": "fr"}, data={
            "csrf_token": csrf(client, page), "password": "short", "password_confirm": "short"})
        refused = unescape(r.get_data(as_text=True))
        assert r.status_code == 422 and refused.count("Au moins 10 caractères") == 1, refused


def test_the_editors_first_card_is_named_after_its_fields_and_its_totals_carry_no_developers_note(admin):
    contract = page(admin, "/contracts/new")  # the license has no contract type
    heading = re.search(r'<h2 id="quote-heading">([^<]*)</h2>', contract).group(1)
    assert heading == "Titre et client"
    assert contract.index('id="quote-heading"') < contract.index('id="field-title"')
    for editor in (contract, page(admin, "/quotes/new")):
        assert "vérifiés à nouveau" not in editor and "checked again" not in editor


def test_the_line_move_buttons_are_named_and_fingertip_sized_on_a_phone(admin):
    r = admin.post("/quotes/new", headers={"Accept-Language": "fr"}, data={
        "csrf_token": csrf(admin, "/quotes/new"), "title": "Devis", "line_count": "1", "lines.0.description": "Pose",
        "action": "add-line"})
    editor = unescape(r.get_data(as_text=True))
    for n, word in ((0, "down"), (1, "up")):
        label = f"Descendre la ligne {n + 1}" if word == "down" else f"Monter la ligne {n + 1}"
        button = re.search(rf'<button [^>]*id="line-{n}-{word}"[^>]*>', editor).group(0)
        assert f'aria-label="{label}"' in button and f'title="{label}"' in button and "line-move" in button, button
    css = admin.get("/static/app.css").get_data(as_text=True)
    assert re.search(r"@media \(max-width: 600px\), \(pointer: coarse\) \{\s*\.line-buttons button "
                     r"\{ min-height: 2\.75rem; min-width: 2\.75rem; \}", css)


def test_the_contract_types_settings_page_is_named_after_what_it_lists(admin):
    listed = page(admin, "/settings/document-templates")
    assert re.search(r"<h1[^>]*>\s*Types de contrat et modèles\s*</h1>", listed)
    assert re.search(r'aria-current="page"[^>]*>Types de contrat et modèles</a>', listed)
    assert "Modèles de documents" not in listed
    assert "+ Type de contrat" in listed


def test_an_erp_reviews_email_wraps_after_its_at_sign_or_a_dot_never_mid_word(admin):
    def parts(*texts):
        return "<wbr>".join(f'<span class="nowrap">{text}</span>' for text in texts)
    # the parts unbreakable, even at a "-": a break only after the "@" or a "."
    assert str(breakable_email("jean-paul.dupont@acme.test")) == parts("jean-paul.", "dupont@", "acme.", "test")
    assert str(breakable_email("<b>x@y</b>")) == parts("&lt;b&gt;x@", "y&lt;/b&gt;")  # escaped
    assert str(breakable_email("a.")) == "a." and str(breakable_email(None)) == ""
    review = admin.get("/settings/erp-sync/review", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert parts("jeanne.", "dupont@", "acme.", "test") in review
    assert parts("paul.", "leroy@", "acme.", "test") + "</a>" in review
    css = admin.get("/static/app.css").get_data(as_text=True)
    assert "span.nowrap { white-space: nowrap; }" in css
