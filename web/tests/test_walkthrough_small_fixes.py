"""Small things a walk through the app found, against fake gateways: the notice after an invitation names the
person; a user's page says "Rôle" once and keeps one filled button; a request without approvers says so in its
approval center; the quote's title hint is any trade's example; the editor's "Recalculate" stays for browsers
without JavaScript."""
from __future__ import annotations

import re
from html import unescape

from flask import Flask, jsonify, request

from web.tests.test_documents_to_sign import CLAIRE_SIGNED_MARC_TO_SIGN, request_with, signature_center_gateway
from web.tests.test_front_user_manager_refusals import PAUL, notices
from web.tests.test_quote_editor import editor_gateway
from web.tests.test_web import csrf, sign_in, web_in_front_of

FRENCH = {"Accept-Language": "fr"}


def users_gateway() -> Flask:
    """A license's users: Paul Martin's page, his perimeters (Nord offered, none given); an invitation answers with
    the person invited, as identity does (their name when they have one)."""
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/users/<user_id>")
    def user(user_id):
        return jsonify(PAUL)

    @fake.get("/api/v1/users/<user_id>/perimeters")
    def assigned(user_id):
        return jsonify({"user_id": user_id, "perimeter_ids": [], "perimeters": []})

    @fake.get("/api/v1/perimeters")
    def perimeters():
        return jsonify({"items": [{"id": "p1", "name": "Nord"}], "next_cursor": None})

    @fake.post("/api/v1/users")
    def invite():
        body = request.get_json()
        return jsonify({**PAUL, "user_id": "u-new", "email": body["email"], "name": body["name"] or None,
                        "status": "invited"}), 201

    return fake


def invited_notice(client, name: str) -> str:
    client.post("/settings/users/invite", headers=FRENCH, data={
        "email": "jean@nord.test", "name": name, "role": "user", "csrf_token": csrf(client, "/settings/users/invite")})
    return notices(client.get("/settings/users/u-new", headers=FRENCH).get_data(as_text=True))[0]


def test_the_invitation_notice_names_the_person_else_their_email():
    with web_in_front_of(users_gateway(), locale=lambda: "fr", role="license_admin") as web:
        client = web.test_client()
        sign_in(client)
        assert invited_notice(client, "Jean Dupont") == (
            "Invitation envoyée à Jean Dupont (jean@nord.test)\u00a0: l'email reçu lui permet de choisir son mot "
            "de passe.")
        assert invited_notice(client, "") == (
            "Invitation envoyée à jean@nord.test\u00a0: l'email reçu lui permet de choisir son mot de passe.")


def test_a_users_page_says_role_once_and_changing_it_is_an_outlined_button():
    with web_in_front_of(users_gateway(), locale=lambda: "fr", role="license_admin") as web:
        client = web.test_client()
        sign_in(client)
        page = client.get("/settings/users/u-paul", headers=FRENCH).get_data(as_text=True)
    role_card = page[page.index('id="role-heading"'):page.index('id="perimeters-heading"')]
    # the heading names the section and, for screen readers only, the select: "Rôle" is seen once
    assert re.search(r'<label for="field-role" class="visually-hidden">Rôle</label>', role_card)
    assert re.search(r'<button type="submit" class="secondary" id="role-submit">', role_card)
    # the page's one filled button: the perimeters' save
    assert '<button type="submit" id="user-perimeters-submit">' in page


def test_a_request_without_approvers_says_no_approval_was_requested():
    # a request with three signers and no approver
    for language, said in (("fr", "Aucune approbation demandée"), ("en", "No approval requested")):
        with web_in_front_of(signature_center_gateway(request_with(CLAIRE_SIGNED_MARC_TO_SIGN)), locale=lambda: language) as app:
            client = app.test_client()
            sign_in(client)
            page = unescape(client.get("/contracts/c-1/signature").get_data(as_text=True))
        center = page[page.index('id="approval-center-heading"'):page.index('id="signature-center-heading"')]
        assert f'<p class="muted" id="approval-center-nobody">{said}</p>' in center, center
        assert "Personne" not in center and "Nobody" not in center


def test_the_quote_title_hint_is_any_trades_and_recalculate_works_without_javascript():
    with web_in_front_of(editor_gateway({}, 422), locale=lambda: "fr") as web:
        client = web.test_client()
        sign_in(client)
        page = client.get("/quotes/new", headers=FRENCH).get_data(as_text=True)
        assert ('<small id="field-title-hint" class="hint">L\'objet du devis, ex. Maintenance annuelle — Site de '
                'Lyon</small>') in page
        assert "Lilas" not in page and "Mandat" not in page
        # the button is in the page (app.js hides it once the totals follow the lines); without JavaScript it
        # posts the form back with its totals, saving nothing
        assert 'value="recalculate" class="secondary" id="recalculate"' in page
        r = client.post("/quotes/new", headers=FRENCH, data={
            "csrf_token": csrf(client, "/quotes/new"), "title": "Entretien", "customer_id": "cu-1",
            "action": "recalculate"})
    assert r.status_code == 200 and 'value="Entretien"' in r.get_data(as_text=True)
    with web_in_front_of(editor_gateway({}, 422), locale=lambda: "en") as web:
        client = web.test_client()
        sign_in(client)
        page = client.get("/contracts/new").get_data(as_text=True)
    assert "What the contract is for, e.g. Maintenance contract — Lyon site" in page
