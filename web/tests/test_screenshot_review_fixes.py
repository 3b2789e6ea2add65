"""What a designer's review of the screenshots found, against a fake gateway: a contact without an email is not
offered portal access (the way to add the email instead); a list's address the API refused is said in the neutral
notice, not as an error; a deal with only a draft order says no order is confirmed yet (not "confirmed: 0.00 €"),
its meta line's parts whole; the subscription's end is said to its reader (an admin renews it, a user asks an
admin), with no bare "403"; a front user manager is warned on the perimeters form before hiding a customer from
herself; the account page's saves look alike; a client's password page names the seller's portal, not "Company",
and says the user code is optional."""
from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask, jsonify, request

from web.tests.test_web import sign_in, web_in_front_of

CUSTOMER = {"id": "cu-1", "name": "Boulangerie Martin", "kind": "company", "code": "C0001", "locale": "fr",
            "currency": "EUR", "perimeter_ids": ["p-nord"], "address": {},
            "contacts": [{"id": "c-claire", "name": "Claire Durand", "first_name": "Claire", "last_name": "Durand",
                          "email": "claire@durand.test"},
                         {"id": "c-marc", "name": "Marc Leroy", "first_name": "Marc", "last_name": "Leroy",
                          "email": None, "phone": "01 23 45 67 89"}]}
DEAL = {"id": "d-1", "title": "Copieurs 2027", "stage": "prospecting", "customer_id": "cu-1",
        "customer_name": "Boulangerie Martin", "amount": "12000.00", "currency": "EUR",
        "expected_close_date": "2027-03-01", "owner_id": "u1", "owner_name": "Ann Lee", "notes": "", "version": 1,
        "documents": {"quote": {"count": 1, "total": "2400.00", "won_total": "2400.00"},
                      "contract": {"count": 0, "total": "0.00", "won_total": "0.00"},
                      "order": {"count": 1, "total": "2400.00", "won_total": "0.00"},
                      "invoice": {"count": 0, "total": "0.00", "won_total": "0.00"}}}
DOCS = [{"id": "k-q", "kind": "quote", "number": "Q-1", "title": "Devis", "status": "accepted", "total": "2400.00",
         "currency": "EUR", "created_at": "2026-12-07T10:00:00Z"},
        {"id": "k-o", "kind": "order", "number": "O-1", "title": "Devis", "status": "draft", "total": "2400.00",
         "currency": "EUR", "created_at": "2026-12-07T10:00:00Z"}]
ENDED = {"type": "https://paraph.dev/problems/forbidden", "title": "Forbidden", "status": 403, "code": "forbidden",
         "detail": "The subscription expired on 2026-12-01.", "expires_at": "2026-12-01T00:00:00Z"}


def gateway() -> Flask:
    fake = Flask("fake_gateway")
    fake.config["ended"] = False

    @fake.before_request
    def subscription():
        if fake.config["ended"] and not request.path.startswith(("/api/v1/auth", "/api/v1/me")):
            return jsonify(ENDED), 403

    @fake.get("/api/v1/customers/cu-1")
    def customer():
        return jsonify(CUSTOMER)

    @fake.get("/api/v1/customers")
    def customers():
        return jsonify({"items": [], "next_cursor": None, "count": 0})

    @fake.get("/api/v1/customers/cu-1/portal-accesses")
    def accesses():
        return jsonify([])

    @fake.get("/api/v1/contacts/<contact_id>/portal-access")
    def access(contact_id):
        return jsonify({"status": 404, "title": "Not Found", "detail": "No access."}), 404

    @fake.get("/api/v1/license")
    def license_():
        return jsonify({"name": "ACME Paris", "settings": {}})

    @fake.get("/api/v1/perimeters")
    def perimeters():
        return jsonify({"items": [{"id": "p-nord", "name": "Nord"}, {"id": "p-sud", "name": "Sud"}],
                        "next_cursor": None})

    @fake.get("/api/v1/perimeters/<perimeter_id>")
    def perimeter(perimeter_id):
        return jsonify({"id": perimeter_id, "name": "Nord", "members": {"users": ["u1"]}})

    @fake.get("/api/v1/users")
    def users():
        return jsonify({"items": [{"user_id": "u1", "email": "ann@acme.test", "name": "Ann Lee",
                                   "role": "front_user_manager", "status": "active"}], "next_cursor": None})

    @fake.get("/api/v1/users/u1/perimeters")
    def my_perimeters():
        return jsonify({"perimeter_ids": ["p-nord"], "perimeters": [{"id": "p-nord", "name": "Nord"}]})

    @fake.get("/api/v1/deals/d-1")
    def deal():
        return jsonify(DEAL)

    @fake.get("/api/v1/quotes")
    @fake.get("/api/v1/contracts")
    def contracts():
        if request.args.get("cursor") == "bad":
            return jsonify({"status": 400, "title": "Bad Request", "detail": "Invalid cursor."}), 400
        return jsonify({"items": DOCS if request.args.get("deal_id") else [], "next_cursor": None, "count": 0})

    @fake.get("/api/v1/colleagues")
    def colleagues():
        return jsonify({"items": [{"user_id": "u1", "name": "Ann Lee", "email": "ann@acme.test"}],
                        "next_cursor": None})

    @fake.get("/api/v1/settings/columns")
    @fake.get("/api/v1/settings/flags")
    @fake.get("/api/v1/contract-types")
    def settings():
        return jsonify([])

    return fake


def signed_in_as(role: str):
    """The web app in front of the fake gateway, Ann Lee being ``role`` (``app.fake``: the gateway, to end the
    subscription)."""
    fake = gateway()
    with web_in_front_of(fake, locale=lambda: "fr", role=role) as app:
        app.fake = fake
        yield app


@pytest.fixture
def manager():
    yield from signed_in_as("front_user_manager")


@pytest.fixture
def admin():
    yield from signed_in_as("license_admin")


def page(client, path: str) -> str:
    r = client.get(path, headers={"Accept-Language": "fr"})
    return r.status_code, unescape(r.get_data(as_text=True))


def test_a_contact_without_an_email_is_pointed_to_adding_one_not_offered_portal_access(manager):
    client = manager.test_client()
    sign_in(client)
    status, contacts = page(client, "/customers/cu-1?tab=contacts")
    assert status == 200
    # Claire has an email: her access; Marc has none: the way to add it, his form open at the email field
    assert 'id="portal-access-c-claire"' in contacts and 'id="portal-access-c-marc"' not in contacts
    link = re.search(r'<a href="([^"]+)" class="portal-link" id="portal-needs-email-c-marc">([^<]+)', contacts)
    assert link.group(2) == "Ajouter un email pour l'accès portail"
    assert link.group(1) == "/customers/cu-1?tab=contacts&edit=c-marc#contact-form-c-marc-email"
    status, editing = page(client, link.group(1).split("#")[0])
    assert re.search(r'<details open>\s*<summary>Modifier<span class="visually-hidden"> Marc Leroy', editing)
    assert re.search(r'id="contact-form-c-marc-last_name"[^>]*value="Leroy"|value="Leroy"[^>]*id="contact-form-c-marc-last_name"',
                     editing)
    # the portal tab: no "Give access" for him, said why
    status, portal = page(client, "/customers/cu-1?tab=portal")
    assert portal.count("Donner l'accès") == 1
    assert "Un email est nécessaire pour donner l'accès." in portal and "Ajouter son email" in portal
    # his access page, reached by its address: no form to fill, the way to add the email
    status, access = page(client, "/customers/cu-1/contacts/c-marc/portal-access")
    assert 'id="access-form"' not in access and 'id="access-needs-email"' in access
    assert "Marc Leroy n'a pas encore d'email\u00a0: le portail client y envoie son invitation" in access
    status, claire = page(client, "/customers/cu-1/contacts/c-claire/portal-access")
    assert 'id="access-form"' in claire and 'id="access-needs-email"' not in claire


def test_a_list_shown_from_its_first_page_says_so_in_the_neutral_notice(manager):
    client = manager.test_client()
    sign_in(client)
    status, quotes = page(client, "/quotes?cursor=bad")
    assert status == 200
    notice = re.search(r'<p class="([^"]+)" role="(\w+)" id="list-error">', quotes)
    assert notice.groups() == ("notice info", "status")


def test_a_deal_with_only_a_draft_order_says_none_is_confirmed(manager):
    client = manager.test_client()
    sign_in(client)
    status, deal = page(client, "/deals/d-1")
    assert status == 200
    order = re.search(r'<small class="muted" id="order-summary">([^<]+)</small>', deal).group(1)
    assert order == "· aucune commande confirmée pour l'instant"
    quote = re.search(r'<small class="muted" id="quote-summary">(.+?)</small>', deal).group(1)
    assert re.sub(r"<[^>]+>|\s", " ", quote).split() == ["·", "montant", "accepté", ":", "2", "400,00", "€", "TTC"]
    # the meta line: each part whole, no "·" written between them (app.css puts it after each but the last)
    meta = re.search(r'<p class="muted deal-meta">(.+?)</p>', deal, re.S).group(1)
    assert "·" not in meta and 'id="deal-owner">Ann Lee</span>' in meta


@pytest.mark.parametrize("who, said, not_said", [
    ("admin", "En tant qu'administrateur de votre société, renouvelez-le auprès du fournisseur de votre abonnement",
     "adressez-vous"),
    ("manager", "adressez-vous à un administrateur de votre entreprise", "En tant qu'administrateur")])
def test_the_subscriptions_end_is_said_to_its_reader_without_a_bare_status_code(request, who, said, not_said):
    app = request.getfixturevalue(who)
    client = app.test_client()
    sign_in(client)
    app.fake.config["ended"] = True
    status, ended = page(client, "/customers")
    assert status == 403
    assert "Abonnement terminé" in ended and said in ended and not_said not in ended
    assert 'class="code"' not in ended and ">403<" not in ended


def test_a_manager_is_warned_before_saving_perimeters_that_hide_the_customer_from_her(manager, admin):
    client = manager.test_client()
    sign_in(client)
    status, tab = page(client, "/customers/cu-1?tab=perimeters")
    assert status == 200
    # hers, for the page's script; the warning there, hidden while the customer stays in one of them
    assert 'data-my-perimeters="["p-nord"]" data-hides-warning="perimeters-hide-warning"' in tab  # (unescaped)
    warning = re.search(r'<p class="notice warn" id="perimeters-hide-warning" role="status"( hidden)?>([^<]+)', tab)
    assert warning.group(1) == " hidden"
    assert warning.group(2) == ("Enregistré ainsi, Boulangerie Martin ne sera dans aucun de vos périmètres\u00a0: "
                                "vous ne le verrez plus, ni ses devis et contrats.")
    # a license admin sees every customer: nothing to warn of
    client = admin.test_client()
    sign_in(client)
    status, tab = page(client, "/customers/cu-1?tab=perimeters")
    assert "data-my-perimeters" not in tab and "perimeters-hide-warning" not in tab


def test_the_account_pages_saves_look_alike(manager):
    client = manager.test_client()
    sign_in(client)
    r = client.get("/account", headers={"Accept-Language": "fr"})
    account = r.get_data(as_text=True)
    for button in ("profile-submit", "preferences-submit", "password-submit"):
        assert re.search(rf'<button type="submit" class="secondary" id="{button}">', account), button


def test_a_clients_password_page_names_the_sellers_portal_and_says_the_user_code_is_optional():
    fake = Flask("fake_gateway")

    @fake.post("/api/v1/auth/<action>")
    def auth(action):
        return jsonify({"purpose": "reset", "email": "claire@durand.test", "name": "Claire", "locale": "fr",
                        "has_password": True, "expires_at": "2031-01-01T00:00:00Z", "role": "client",
                        "company": "Vendeur SA", "user_code": "C0001-DURAND"})

    with web_in_front_of(fake, locale=lambda: "fr") as app:
        status, reset = page(app.test_client(), "/reset-password?token=client-reset-token-1")
    assert status == 200
    # the link's company is the one whose portal it is, the seller, named by the top bar; no row says it again
    # ("Société" read as the client's own company, and repeated the top bar, and an invitation's title)
    assert '<span class="brand" id="client-brand">Vendeur SA — Portail client</span>' in reset
    assert 'id="link-company"' not in reset and "<dt>Société</dt>" not in reset
    assert reset.count("Vendeur SA") == 1  # once, at the top: the card names her email and user code
    hint = re.search(r'<p class="muted" id="user-code-hint">([^<]+)</p>', reset).group(1)
    assert "facultatif" in hint and "plusieurs sociétés" in hint and "vous le demande" not in hint
