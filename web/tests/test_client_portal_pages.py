"""The pages around the client portal against a fake gateway: a client's set-password page is in the portal's look
under her company's name and repeats her user code, and the portal's sign-in she lands on is filled in with them;
a deactivated portal access says its button grants it again; on the contract page, a milestone has the documents'
"Show on the portal" / "Hide from the portal" button (one route, quote_actions.show_on_portal)."""
from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask, jsonify, request

from web.tests.test_web import (answer_a_contract_pages_lookups, answer_gets, choose_password, csrf, session_answer,
                                sign_in, web_in_front_of)

LINKS = {"client-token-1": {"role": "client", "company": "Immo Conseil", "user_code": "8005551216"},
         "staff-token-1": {"role": "user", "company": "Immo Conseil", "user_code": None}}


@pytest.fixture
def password_pages():
    fake = Flask("fake_gateway")

    @fake.post("/api/v1/auth/<action>")
    def auth(action):
        """Whose the link is (link_info: a client's has her user code), then the client's session, ended at once."""
        body = request.get_json()
        if action == "logout":
            return jsonify({"logged_out": True})
        if action == "accept-invitation":
            return jsonify({**session_answer(refresh="client-refresh"), "role": "client"})
        return jsonify({"purpose": body["purpose"], "email": "mireille@hd.test", "name": "Mireille", "locale": "fr",
                        "has_password": False, "expires_at": "2031-01-01T00:00:00Z", **LINKS[body["token"]]})

    with web_in_front_of(fake, locale=lambda: "fr") as app:
        yield app


def test_a_clients_set_password_page_is_her_companys_portal_and_repeats_her_user_code(password_pages):
    client = password_pages.test_client()
    page = unescape(client.get("/set-password?token=client-token-1").get_data(as_text=True))
    # the client pages' look (paraph_platform's stylesheet inlined), not the staff app's
    assert "pico.min.css" not in page and ".top{background:#1f2933" in page
    assert '<span class="brand" id="client-brand">Immo Conseil — Portail client</span>' in page
    assert "<h1 id=\"page-title\">Bienvenue sur le portail client d'Immo Conseil</h1>" in page
    assert "Bienvenue sur Paraph" not in page and "Propulsé par Paraph" in page
    assert re.search(r'<dt>Code utilisateur</dt><dd id="link-user-code">8005551216</dd>', page)
    # the top bar and the title name the seller's portal: no row of the card says it a third time
    assert 'id="link-company"' not in page and "<dt>Portail client de</dt>" not in page
    assert 'id="user-code-hint"' in page and 'id="password-submit" class="button"' in page
    # a member of staff's page stays the staff app's, with no user code
    staff = unescape(client.get("/set-password?token=staff-token-1").get_data(as_text=True))
    assert "pico.min.css" in staff and "Bienvenue sur Paraph" in staff and "link-user-code" not in staff
    # nothing else names the company a colleague joins: its row stays
    assert re.search(r'<dt>Société</dt><dd id="link-company">', staff)


def test_once_her_password_is_set_the_portals_sign_in_is_filled_in_with_her_email_and_user_code(password_pages):
    client = password_pages.test_client()
    page = "/set-password?token=client-token-1"
    r = choose_password(client, page)
    # in the fragment: read by the portal's script, never sent to a server
    assert r.status_code == 302
    assert r.headers["Location"] == "/portal?password_set=1&lang=fr#email=mireille%40hd.test&user_code=8005551216"


CUSTOMER = {"id": "cu-1", "name": "Hervé David SARL",
            "contacts": [{"id": "c-paul", "name": "Paul Lemaire", "email": "paul@hd.test"}]}


def portal_access_page(status):
    fake = Flask("fake_gateway")
    answer_gets(fake, {"/customers/cu-1": CUSTOMER, "/customers/cu-1/portal-accesses": []})

    @fake.get("/api/v1/contacts/c-paul/portal-access")
    def access():
        if status is None:
            return jsonify({"status": 404, "title": "Not Found", "detail": "No portal access."}), 404
        return jsonify({"contact_id": "c-paul", "email": "paul@hd.test", "user_code": "PAUL", "status": status,
                        "allowed_ip": None, "branch": None, "company": "Hervé David SARL"})

    with web_in_front_of(fake, locale=lambda: "fr", role="license_admin") as app:
        client = app.test_client()
        sign_in(client)
        r = client.get("/customers/cu-1/contacts/c-paul/portal-access")
        assert r.status_code == 200
        return unescape(r.get_data(as_text=True))


def test_a_deactivated_access_says_its_button_grants_it_again():
    page = portal_access_page("deactivated")
    said = re.search(r'<p class="notice warn" id="access-regrant" role="note">([^<]+)</p>', page).group(1)
    assert said == ("Cet accès est désactivé\u00a0: «\u00a0Enregistrer et envoyer l'email\u00a0» l'accorde à nouveau "
                    "et envoie à Paul Lemaire une nouvelle invitation au portail client.")
    assert page.index('id="access-regrant"') < page.index('id="access-submit"')
    for status in ("active", "invited", None):  # a live access is changed in place; a first one is not "again"
        assert 'id="access-regrant"' not in portal_access_page(status), status


@pytest.fixture
def contract_page():
    fake, patched = Flask("fake_gateway"), []
    contract = {"id": "k1", "kind": "contract", "number": "C-1", "status": "sent", "customer_id": "cu-1",
                "customer_name": "Hervé David SARL", "currency": "EUR", "lines": [], "portal_shared": True,
                "attachments": [{"id": "a1", "filename": "plan.pdf", "folder": None, "portal_visible": False,
                                 "created_at": "2026-12-05T09:00:00Z"}],
                "milestones": [{"id": "m1", "title": "Livraison", "done": False, "due_date": None, "portal_visible": True},
                               {"id": "m2", "title": "Installation", "done": False, "due_date": None,
                                "portal_visible": False}]}

    answer_a_contract_pages_lookups(fake)

    @fake.get("/api/v1/contracts/k1/history")
    def history():  # a milestone and a document hidden from the portal, one at a time
        return jsonify([{"at": "2026-12-05T10:00:00Z", "actor_id": "u1", "actor_name": "Sophie", "action": action,
                         "details": details} for action, details in (
            ("milestone_updated", {"milestone_id": "m2", "title": "Installation", "fields": ["portal_visible"],
                                   "portal_visible": False}),
            ("attachment_updated", {"attachment_id": "a1", "portal_visible": False}))])

    @fake.get("/api/v1/contracts/k1")
    def read():
        return jsonify(contract)

    @fake.patch("/api/v1/<any(attachments, milestones):items>/<item_id>")
    def patch(items, item_id):
        patched.append((items, item_id, request.get_json()))
        row = next(x for x in contract[items] if x["id"] == item_id)
        return jsonify({**row, **request.get_json()})

    with web_in_front_of(fake, locale=lambda: "fr") as app:
        client = app.test_client()
        sign_in(client)
        yield client, patched


def row(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[html.rindex("<li", 0, start):html.index("</li>", start)]


def test_a_milestone_is_shown_or_hidden_on_the_portal_from_the_contract_page_as_a_document_is(contract_page):
    client, patched = contract_page
    html = unescape(client.get("/contracts/k1").get_data(as_text=True))
    shown, hidden = row(html, 'data-milestone="Livraison"'), row(html, 'data-milestone="Installation"')
    assert 'action="/contracts/k1/milestones/m1/portal/hide"' in shown and "Masquer du portail" in shown
    assert 'action="/contracts/k1/milestones/m2/portal/show"' in hidden and "Afficher sur le portail" in hidden
    assert 'id="milestone-m1-portal"' in shown
    # the document's button: the same markup and route
    document = row(html, 'data-attachment="plan.pdf"')
    assert 'action="/contracts/k1/attachments/a1/portal/show"' in document and 'id="attachment-a1-portal"' in document
    token = csrf(client, "/contracts/k1")
    r = client.post("/contracts/k1/milestones/m1/portal/hide", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith("/contracts/k1#milestones")
    r = client.post("/contracts/k1/attachments/a1/portal/show", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith("/contracts/k1#documents")
    assert patched == [("milestones", "m1", {"portal_visible": False}), ("attachments", "a1", {"portal_visible": True})]
    said = unescape(client.get("/contracts/k1").get_data(as_text=True))
    assert "Le jalon Livraison est masqué du portail client." in said
    assert "Le document plan.pdf est visible sur le portail client." in said
    # anything else is no route
    assert client.post("/contracts/k1/tasks/t1/portal/hide", data={"csrf_token": token}).status_code == 404


def test_the_history_says_a_milestone_was_hidden_from_the_portal_as_it_says_a_documents(contract_page):
    client, _patched = contract_page
    html = client.get("/contracts/k1").get_data(as_text=True)

    def entry(action):  # the history line's text, as read (white space folded, no-break spaces too)
        line = html[html.index(f'<li data-action="{action}"'):]
        return " ".join(unescape(re.sub(r"<[^>]+>", "", line[:line.index("</li>")])).split())
    assert entry("milestone_updated").endswith("Jalon modifié : Installation (masqué du portail client)")
    assert entry("attachment_updated").endswith("Document modifié : plan.pdf (masqué du portail client)")
