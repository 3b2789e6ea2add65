"""The contract's "Show in client portal" page (pages/portal_sharing.py) against a fake gateway: the contract's
contact is the requester offered; a client limited to another branch than the share's cannot be chosen as an
observer and the page says why; the API's refusals of a requester or an observer are said in French."""
from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask, jsonify, request

from web.tests.test_submissions import form_tokens
from web.tests.test_web import sign_in, web_in_front_of

CONTRACT = {"id": "k1", "kind": "contract", "number": "C-2026-00001", "title": "Maintenance 2027", "status": "draft",
            "customer_id": "cu-1", "customer_name": "Hervé David SARL", "contact_id": "c-mireille",
            "attachments": [], "milestones": []}


def access(contact_id, name, company="Hervé David SARL", branch=None):
    return {"contact_id": contact_id, "customer_id": "cu-1", "name": name, "email": f"{contact_id}@hd.test",
            "user_code": contact_id.upper(), "company": company, "branch": branch, "allowed_ip": None,
            "status": "active"}


# listed by name, as the API lists them: the contract's contact is not the first
ACCESSES = [access("c-marc", "Marc Dubois", branch="Grenoble"), access("c-mireille", "Mireille Couture"),
            access("c-paul", "Paul Lemaire"), access("c-julie", "Julie Roy", company="Roy Conseil")]
CONTACTS = [{"id": "c-marc", "name": "Marc Dubois", "branch": "Grenoble"},
            {"id": "c-mireille", "name": "Mireille Couture", "branch": None},
            {"id": "c-paul", "name": "Paul Lemaire", "branch": None},
            {"id": "c-julie", "name": "Julie Roy", "branch": None}]
# the portal service's words (portal_service.logic.check_participants)
BRANCH_REFUSAL = "Marc Dubois's portal access is limited to the branch Grenoble; this share is for no branch."
NO_ACCESS = ("Paul Lemaire has no portal access. Manage portal clients in Settings > Client portal > Client portal "
             "contacts (POST /api/v1/contacts/c-paul/portal-access).")


@pytest.fixture
def web():
    fake, sent = Flask("fake_gateway"), []
    # what the page reads: the contract, its share (none yet), the customer's portal clients and contacts
    reads = {"contracts/k1": CONTRACT, "contracts/k1/portal": {"shared": False, "share": None},
             "customers/cu-1/portal-accesses": ACCESSES,
             "customers/cu-1": {"id": "cu-1", "name": "Hervé David SARL", "contacts": CONTACTS}}

    @fake.get("/api/v1/<path:path>")
    def read(path):
        return jsonify(reads[path])

    @fake.post("/api/v1/contracts/<contract_id>/portal-share")
    def share(contract_id):
        body = request.get_json()
        sent.append(body)
        errors = {}
        if "c-marc" in body["observer_contact_ids"]:
            errors["observer_contact_ids"] = [BRANCH_REFUSAL]
        if body["requester_contact_id"] == "c-paul":  # his access revoked since the page was shown
            errors["requester_contact_id"] = [NO_ACCESS]
        return jsonify({"status": 422, "detail": "The request contains invalid fields.", "errors": errors}), 422

    with web_in_front_of(fake, locale=lambda: "fr") as app:
        client = app.test_client()
        sign_in(client)
        yield client, sent


def observer_item(html: str, contact_id: str) -> str:
    start = html.index(f'id="observer-{contact_id}"')
    return html[html.rindex("<li", 0, start):html.index("</li>", start)]


def test_the_contracts_contact_is_the_requester_offered(web):
    client, _sent = web
    html = client.get("/contracts/k1/portal").get_data(as_text=True)
    selected = re.findall(r'<option value="([^"]+)" selected>', html)
    assert selected == ["c-mireille"]
    assert 'name="requester_contact_id" value="c-mireille"' in html
    # another requester chosen on the page stays chosen
    html = client.get("/contracts/k1/portal?requester=c-paul").get_data(as_text=True)
    assert re.findall(r'<option value="([^"]+)" selected>', html) == ["c-paul"]


def test_a_client_limited_to_another_branch_cannot_be_chosen_and_the_page_says_why(web):
    client, _sent = web
    html = client.get("/contracts/k1/portal").get_data(as_text=True)
    marc = observer_item(html, "c-marc")
    assert "disabled" in marc
    assert "Son accès est limité à l'agence Grenoble\u00a0; ce document n'est partagé pour aucune agence." in \
        unescape(marc)
    # a branch is no company: the way out is his access's branch restriction, not the portal client settings
    assert 'href="/customers/cu-1/contacts/c-marc/portal-access"' in marc and "société" not in unescape(marc)
    assert "disabled" not in observer_item(html, "c-paul")  # same company, no branch restriction
    # Marc as requester: the share is for his branch, where Paul (no restriction) may observe
    html = client.get("/contracts/k1/portal?requester=c-marc").get_data(as_text=True)
    assert "disabled" not in observer_item(html, "c-paul")


def test_the_apis_refusal_of_an_observer_is_said_in_french(web):
    client, sent = web
    form = {**form_tokens(client, "/contracts/k1/portal"), "requester_contact_id": "c-mireille",
            "observer_contact_ids": ["c-marc"], "message": ""}
    r = client.post("/contracts/k1/portal", data=form)
    assert r.status_code == 422 and sent[-1]["observer_contact_ids"] == ["c-marc"]
    shown = unescape(r.get_data(as_text=True))
    assert ("L'accès au portail client de Marc Dubois est limité à l'agence Grenoble\u00a0; ce document n'est "
            "partagé pour aucune agence.") in shown and "limited to the branch" not in shown
    form = {**form_tokens(client, "/contracts/k1/portal"), "requester_contact_id": "c-paul",
            "observer_contact_ids": [], "message": ""}
    shown = unescape(client.post("/contracts/k1/portal", data=form).get_data(as_text=True))
    assert "Paul Lemaire n'a pas d'accès au portail client." in shown and "has no portal access" not in shown
