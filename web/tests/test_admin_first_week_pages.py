"""A license admin's first week against a fake gateway (the browser walk is tests/e2e/web/test_admin_first_week.py):
the invitation form says no seat is left before it is filled in, only when none is and only to a license admin
(the API gives a front user manager no seat figures); a webhook delivery's failure, worded in English by the
notify service, is said in the page's language."""
from __future__ import annotations

import pytest
from flask import Flask, jsonify

from web.tests.test_license_admin_pages import FRENCH, text_of
from web.tests.test_web import NO_ITEMS, answer_gets, sign_in, web_in_front_of


def seats_gateway(free: int):
    """A license of 3 seats with ``free`` of them left; a license admin's ``/license`` has the seat figures, a
    front user manager's has none (as identity's)."""
    fake = Flask("fake_gateway")
    role = {"now": "license_admin"}

    @fake.get("/api/v1/license")
    def license():
        figures = {"seats_total": 3, "seats_used": 3 - free, "seats_used_here": 3 - free, "active_users": 3 - free,
                   "expires_at": "2027-12-31T00:00:00Z"} if role["now"] == "license_admin" else {}
        return jsonify({"id": "l1", "name": "ACME Paris", **figures})

    @fake.get("/api/v1/perimeters")
    def perimeters():
        return jsonify({"items": [], "next_cursor": None})

    @fake.get("/api/v1/users")
    def users():
        return jsonify({"items": [], "next_cursor": None, "total": 0})

    return fake, role


@pytest.mark.parametrize("role", ["license_admin", "front_user_manager"])
def test_the_invitation_form_says_no_seat_is_left_before_it_is_filled_in_to_a_license_admin(role):
    fake, answering = seats_gateway(free=0)
    answering["now"] = role
    with web_in_front_of(fake, locale=lambda: "fr", role=role) as web:
        client = web.test_client()
        sign_in(client)
        form = client.get("/settings/users/invite", headers=FRENCH).get_data(as_text=True)
        users = client.get("/settings/users", headers=FRENCH).get_data(as_text=True)
    if role == "front_user_manager":  # no seat figures: told by the refusal, above the form, once sent
        assert 'id="no-free-seat"' not in form and 'id="no-free-seat"' not in users
        return
    said = ("Plus aucune licence libre (3 sur 3 utilisées)\u00a0: une invitation serait refusée. Désactivez un "
            "utilisateur parti pour libérer sa licence, ou ajoutez des licences à l'abonnement.")
    assert text_of(form, "no-free-seat", "no-free-seat-users") == said
    assert 'href="/settings/users?status=active" id="no-free-seat-users"' in form
    assert text_of(users, "no-free-seat", "users-heading").startswith(said)  # on the list: no link to itself
    assert 'id="no-free-seat-users"' not in users


def test_no_word_of_seats_while_one_is_free():
    fake, _ = seats_gateway(free=1)
    with web_in_front_of(fake, locale=lambda: "fr", role="license_admin") as web:
        client = web.test_client()
        sign_in(client)
        assert 'id="no-free-seat"' not in client.get("/settings/users/invite", headers=FRENCH).get_data(as_text=True)
        assert 'id="no-free-seat"' not in client.get("/settings/users", headers=FRENCH).get_data(as_text=True)


@pytest.mark.parametrize("english, french", [
    ("the host name does not resolve", "le nom d'hôte est introuvable (DNS)"),
    ("timeout after 10s", "aucune réponse en 10\u00a0s"),
    ("connection error: ConnectionRefusedError: [Errno 111] Connection refused",
     "connexion impossible (ConnectionRefusedError: [Errno 111] Connection refused)"),
    ("refused: the host resolves to a non-public address (10.0.0.7)",
     "refusé\u00a0: le nom d'hôte mène à une adresse non publique (10.0.0.7)"),
    ("refused: not an http(s) URL", "refusé\u00a0: l'URL ne commence pas par http:// ou https://"),
    ("endpoint disabled", "le webhook est désactivé"),
    ("disabled by boss@acme.test", "à la main par boss@acme.test"),
    ("5 deliveries failed in a row", "5 envois ont échoué d'affilée"),
    ("every attempt failed since 2026-12-07T18:00:10Z (the whole retry schedule)",  # the time as the pages write one
     "toutes les tentatives ont échoué depuis le 7 déc. 2026, 18:00:10 UTC (tous les nouveaux essais)"),
])
def test_a_webhook_delivery_failure_is_said_in_the_page_language(english, french):
    from paraph_web import create_app
    from paraph_web.api_messages import translate
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "unit-test-key", "TESTING": True})
    with app.test_request_context("/", headers=FRENCH):
        assert translate(english) == french


def test_a_perimeter_with_no_customer_nor_contract_type_to_offer_says_where_they_are_made():
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/perimeters/<perimeter_id>")
    def perimeter(perimeter_id):
        return jsonify({"id": perimeter_id, "name": "Sud", "description": None,
                        "members": {"users": [], "customers": [], "contract_types": []}})

    answer_gets(fake, {"/users": NO_ITEMS, "/customers": NO_ITEMS, "/contract-types": []})
    with web_in_front_of(fake, locale=lambda: "fr", role="license_admin") as web:
        client = web.test_client()
        sign_in(client)
        page = client.get("/settings/perimeters/p-sud", headers=FRENCH).get_data(as_text=True)
    assert text_of(page, "customers-choices").startswith("Clients Aucun client pour l'instant. Nouveau client")
    assert 'href="/customers/new" id="perimeter-new-customer"' in page
    assert text_of(page, "contract_types-choices").startswith(
        "Types de contrat Aucun type de contrat pour l'instant. Créer un type de contrat")
    assert 'href="/settings/document-templates/new" id="perimeter-new-contract-type"' in page


def test_every_settings_section_says_what_it_is_for():
    from paraph_web.pages.settings import SECTION_HINTS, SECTIONS
    assert SECTION_HINTS.keys() == SECTIONS.keys()


@pytest.mark.parametrize("url, local_receivers", [
    ("http://erp.example.com/hooks", False), ("ftp://erp.example.com/h", True), (" ", False), ("https://", False),
    ("https://-x/", False), ("https://user:pw@erp.example.com/h", False), ("https://erp.example.com:0/h", False),
    ("https://10.0.0.7/h", False), ("https://localhost/h", False), ("https://erp example.com/h", False),
    ("http://[::1/", True), ("https://erp.example.com/" + "h" * 2000, False)])
def test_every_refusal_of_a_webhook_url_is_said_in_french(url, local_receivers):
    """notify says why it refuses an endpoint's URL (logic.validate_webhook_url, the one rule): each reason has its
    French words, whether the operator allows local receivers or not."""
    logic = pytest.importorskip("notify_service.logic")
    from paraph_web import create_app
    from paraph_web.api_messages import translate
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "unit-test-key", "TESTING": True})
    with pytest.raises(logic.InvalidInput) as refused:
        logic.validate_webhook_url(url, local_receivers)
    [reason] = refused.value.details["fields"]["url"]
    with app.test_request_context("/", headers=FRENCH):
        assert translate(reason) != reason, reason


def webhook_gateway():
    """notify's refusal of a plain-http endpoint, as the gateway answers it (problem+json naming the field)."""
    logic = pytest.importorskip("notify_service.logic")
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/webhooks/event-types")
    def event_types():
        return jsonify({"event_types": [{"type": "quote.viewed.v1", "source": "portal",
                                         "description": "A customer viewed a quote online."}], "wildcard": "*"})

    @fake.post("/api/v1/webhooks")
    def create():
        return jsonify({"type": "https://paraph.dev/problems/invalid_input", "title": "Invalid input", "status": 422,
                        "detail": logic.HTTPS_ONLY, "code": "invalid_input",
                        "errors": {"url": [logic.HTTPS_ONLY]}}), 422

    return fake


@pytest.mark.parametrize("language, said", [("fr", "Seules les URL en https:// sont acceptées."),
                                            ("en", "Only https:// URLs are accepted.")])
def test_a_plain_http_endpoint_is_refused_next_to_its_field(language, said):
    from web.tests.test_web import csrf
    with web_in_front_of(webhook_gateway(), locale=lambda: language, role="license_admin") as web:
        client = web.test_client()
        sign_in(client)
        r = client.post("/settings/webhooks", data={"url": "http://erp.example.com/hooks", "event_types": "*",
                                                    "csrf_token": csrf(client, "/settings/webhooks/new")})
        page = r.get_data(as_text=True)
    assert r.status_code == 422, r.status_code
    assert f'<small id="field-url-error" class="error">{said}</small>' in page, page
    assert 'value="http://erp.example.com/hooks"' in page and 'aria-invalid="true"' in page  # kept, to be corrected
