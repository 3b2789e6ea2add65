"""The ERP user sync pages (pages/settings_erp.py) show identity's English refusals in the page's language:
a whole export refused on upload, an invitation refused in an import chunk or on the review page; the review
lists the users whose collaborator left the ERP but who still hold a seat."""
from __future__ import annotations

import re

import pytest
from flask import Flask, jsonify

from paraph_web import create_app
from paraph_web.api_messages import translate
from web.tests.test_web import sign_in, web_in_front_of


@pytest.fixture()
def french():
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        yield


def test_every_refusal_of_an_export_a_person_can_upload_is_translated(french):
    """A message identity adds to parse_collaborators must be mapped in api_messages.py too."""
    logic = pytest.importorskip("identity_service.logic")
    refusals = [logic.CSV_UNREADABLE, logic.CSV_MISSING_COLUMNS]
    assert [message for message in refusals if translate(message) == message] == []
    # the row errors the page shows with their details
    assert translate(f"collaborator code longer than {logic.MAX_CODE_LENGTH} characters") == \
        "Code collaborateur de plus de 64 caractères"
    assert translate(f"name longer than {logic.MAX_NAME_LENGTH} characters") == "Nom de plus de 200 caractères"
    assert translate(logic.CSV_MISSING_COLUMNS) == (
        "L'export CSV doit commencer par une ligne d'en-tête avec au moins les colonnes "
        "«\u00a0code\u00a0» et «\u00a0email\u00a0».")


def test_the_reasons_an_invitation_is_refused_are_translated_with_a_localized_date(french):
    collaborators = pytest.importorskip("identity_service.collaborators")
    assert translate(collaborators.INACTIVE_IN_ERP) == "Marqué inactif dans l'ERP."
    assert translate("already invited in this license") == "Déjà invité dans cette licence."
    # the expiry date as the pages write dates (the users page's "License expires on"), not 2027-01-31
    assert translate("The subscription expired on 2027-01-31.") == "L'abonnement a expiré le 31 janv. 2027."
    # what each company uses, a sentence (it read "7 par ACME, 3 par Beta"), of identity's words as of before
    for companies in ("ACME uses 7 seats, Beta uses 3 seats", "ACME: 7, Beta: 3"):
        assert translate(f"No seat left: 10 of 10 seats are in use ({companies}). Deactivate a user or add seats "
                         "to the subscription.") == (
            "Plus aucune licence libre (10 sur 10 utilisées, ACME utilise 7 licences, Beta utilise 3 licences). "
            "Désactivez un utilisateur ou ajoutez des licences à l'abonnement.")


def test_the_review_lists_the_users_whose_collaborator_left_the_erp_each_linked_to_their_page():
    """The sync marks a collaborator inactive (the ERP says so, or the export left them out) but never
    deactivates their user, who keeps a seat: the review says so, in French, with a link to deactivate them."""
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/erp/sync-report")
    def report():
        return jsonify({"matched": [
            {"code": "CO001", "email": "jean@acme.test", "user_id": "u-jean", "active": False},
            {"code": "CO002", "email": "sophie@acme.test", "user_id": "u-sophie", "active": True}],
            "collaborators_without_user": [], "users_without_collaborator": []})

    @fake.get("/api/v1/license")
    def license():
        return jsonify({"id": "l1", "name": "ACME Paris", "seats_total": 6, "seats_used": 6, "seats_used_here": 3})

    with web_in_front_of(fake, locale=lambda: "fr", role="license_admin") as app:
        client = app.test_client()
        sign_in(client)
        page = client.get("/settings/erp-sync/review").get_data(as_text=True)
    left = page[page.index('id="erp-left"'):page.index('id="erp-link"')]
    assert "Utilisateurs sortis de l'ERP" in left and "la synchronisation ne désactive aucun utilisateur" in left
    # (an email's words kept whole, breaking only after "@" or ".": the markup around them aside)
    linked = re.search(r'<a href="/settings/users/u-jean">(.*?)</a>', left, re.S)
    assert linked and re.sub(r"<[^>]+>", "", linked.group(1)) == "jean@acme.test"
    assert "sophie@" not in left



def test_a_quote_turned_into_an_order_is_said_in_french(french):
    """signing's 409 on a quote the customer ordered, shown where the request was refused."""
    for kind, number, said in (("an order", "O-2026-00001", "commande"), ("an invoice", "F-2026-00003", "facture")):
        assert translate(f"This quote was turned into {kind} ({number}): it is not sent for signature any more.") == \
            f"Ce devis a été transformé en {said} {number}\u00a0: il n'est plus envoyé pour signature."
