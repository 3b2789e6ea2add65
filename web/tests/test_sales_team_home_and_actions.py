"""What a sales team expects of the staff pages, against a fake gateway (the browser walk is
tests/e2e/web/test_sales_team_home_and_actions.py):

* a license admin's home page says what is left to set up ("Getting started": company profile, a quote type, the
  team, perimeters once several salespeople share the customers), each step read from the API, linked to its page,
  ticked once done; gone when all are done or hidden; only license admins see it;
* a manager's own accepted quote is listed once, to validate (then, validated, among those to convert);
* "Approval & signature" only while a quote or contract may be sent for signature (or its request is under way),
  "Create an order / an invoice" only for a quote the API converts;
* an email template's preview says when it shows changes not saved yet;
* a full seat pool says what each company uses in a sentence ("ACME Paris utilise 3 licences")."""
from __future__ import annotations

import re

import pytest
from flask import Flask, jsonify, request

from paraph_web import create_app
from paraph_web.api_messages import translate
from paraph_web.pages.getting_started import COOKIE_NAME
from web.tests.test_license_admin_pages import text_of
from web.tests.test_validation_queue import FRENCH, words
from web.tests.test_web import (NO_ITEMS, answer_a_contract_pages_history, answer_a_contract_pages_lookups, answer_gets,
                                answer_lists, csrf, sign_in, web_in_front_of)

ENGLISH = {"Accept-Language": "en"}
ME = {"user_id": "u1", "email": "ann@acme.test", "role": "license_admin", "status": "active"}


def member(n: int, role: str = "user", status: str = "active") -> dict:
    return {"user_id": f"u{n + 1}", "email": f"seller{n}@acme.test", "role": role, "status": status}


EMPTY_PROFILE = {"name": "ACME Paris", "address": {"line1": "", "city": ""}, "updated_at": None}
FILLED_PROFILE = {"name": "ACME Paris", "address": {"line1": "3 rue de la Paix", "city": "Paris"},
                  "updated_at": "2026-12-01T09:00:00Z"}
QUOTE_TYPE = {"id": "t1", "name": "Devis standard", "kind": "quote", "archived": False}


def setup_gateway(profile=EMPTY_PROFILE, types=(), team=(ME,), perimeters=(), failing: str | None = None):
    """The home page's lists (empty) and the license's setup as the API tells it; ``failing``: that path answers a
    503. ``asked``: the setup paths the home page asked."""
    fake = Flask("fake_gateway")
    asked = []

    @fake.get("/api/v1/<any(quotes, contracts, tasks):path>")
    def no_documents(path):
        return jsonify({"items": [], "next_cursor": None})

    @fake.get("/api/v1/<any('company-profile', 'contract-types', users, perimeters):path>")
    def setup(path):
        asked.append(path)
        if path == failing:
            return jsonify({"status": 503, "title": "Service Unavailable"}), 503
        return jsonify({"company-profile": profile, "contract-types": list(types),
                        "users": {"items": list(team), "next_cursor": None},
                        "perimeters": {"items": list(perimeters), "next_cursor": None}}[path])

    return fake, asked


def home(fake, role="license_admin", locale="fr", cookies=()):
    """The home page as Ann reads it in ``role`` (``cookies``: this browser's), and its answer."""
    with web_in_front_of(fake, locale=lambda: locale, role=role) as web:
        client = web.test_client()
        sign_in(client)
        for name, value in cookies:
            client.set_cookie(name, value)
        r = client.get("/", headers=FRENCH if locale == "fr" else ENGLISH)
    assert r.status_code == 200
    return r.get_data(as_text=True), r


def steps(page: str) -> dict[str, tuple[str, str, str]]:
    """step -> (its link's words, where it leads, Done / To do) of the "Getting started" block."""
    block = page[page.index('id="getting-started"'):]
    block = block[:block.index("</section>")]
    return {key: (words(label), href, words(badge)) for key, href, label, badge in re.findall(
        r'data-step="([^"]+)".*?<a href="([^"]+)"[^>]*>(.*?)</a>\s*<span class="badge[^"]*">(.*?)</span>', block, re.S)}


def test_a_new_license_admin_is_told_what_to_set_up_first():
    fake, asked = setup_gateway()
    page, _ = home(fake)
    assert steps(page) == {
        "company-profile": ("Renseigner le profil de l'entreprise", "/settings/company-profile", "À faire"),
        "quote-type": ("Créer un type de contrat pour vos devis", "/settings/document-templates/new?kind=quote", "À faire"),
        "team": ("Inviter votre équipe", "/settings/users/invite", "À faire")}
    assert text_of(page, "getting-started-progress", "getting-started-steps").endswith("étapes faites, 0 sur 3.")
    # above the day's work; its "Hide" outlined: "+ Quote" stays the page's one filled button
    assert page.index('id="getting-started"') < page.index('id="to-validate"')
    assert 'class="secondary" id="getting-started-hide"' in page
    assert sorted(asked) == ["company-profile", "contract-types", "perimeters", "users"]


def test_each_step_is_ticked_from_what_the_api_says_and_perimeters_come_with_a_second_salesperson():
    team = (ME, member(1), member(2), member(3, status="deactivated"))
    fake, _ = setup_gateway(profile=FILLED_PROFILE, types=[{**QUOTE_TYPE, "kind": "contract"}], team=team)
    page, _ = home(fake)
    assert {key: done for key, (_, _, done) in steps(page).items()} == {
        "company-profile": "Fait", "quote-type": "À faire",  # a type of contracts: the quote editor offers none
        "team": "Fait", "perimeters": "À faire"}
    assert steps(page)["perimeters"][:2] == ("Répartir les clients en périmètres", "/settings/perimeters/new")
    assert text_of(page, "getting-started-progress", "getting-started-steps").endswith("2 sur 4.")
    # one salesperson (the other deactivated, a manager is none): no perimeter to make
    fake, _ = setup_gateway(team=(ME, member(1), member(2, "front_user_manager"), member(3, status="deactivated")))
    assert "perimeters" not in steps(home(fake)[0])


def test_a_profile_saved_without_an_address_is_not_filled_in():
    fake, _ = setup_gateway(profile={**FILLED_PROFILE, "address": {"line1": "", "city": "Paris"}})
    assert steps(home(fake)[0])["company-profile"][2] == "À faire"


def test_once_everything_is_done_the_block_goes_and_is_not_asked_for_again():
    fake, asked = setup_gateway(profile=FILLED_PROFILE, types=[QUOTE_TYPE], team=(ME, member(1), member(2)),
                                perimeters=[{"id": "p1", "name": "Sud"}])
    with web_in_front_of(fake, locale=lambda: "fr", role="license_admin") as web:
        client = web.test_client()
        sign_in(client)
        r = client.get("/", headers=FRENCH)
        assert 'id="getting-started"' not in r.get_data(as_text=True)
        cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith(COOKIE_NAME + "="))
        assert cookie.startswith(f"{COOKIE_NAME}=l1;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        asked.clear()
        page = client.get("/", headers=FRENCH).get_data(as_text=True)
    assert 'id="getting-started"' not in page and "Premiers pas" not in page and asked == []


def test_hide_takes_it_away_for_this_company_in_this_browser():
    fake, asked = setup_gateway()
    with web_in_front_of(fake, locale=lambda: "fr", role="license_admin") as web:
        client = web.test_client()
        sign_in(client)
        client.set_cookie(COOKIE_NAME, "other-license")  # another company's, hidden before: kept
        r = client.post("/getting-started/hide", headers=FRENCH, data={"csrf_token": csrf(client, "/")})
        assert r.status_code == 302 and r.headers["Location"] == "/"
        asked.clear()
        page = client.get("/", headers=FRENCH).get_data(as_text=True)
    assert 'id="getting-started"' not in page and asked == []
    assert client.get_cookie(COOKIE_NAME).value == "other-license.l1"


@pytest.mark.parametrize("role", ["front_user_manager", "user"])
def test_only_license_admins_see_it(role):
    fake, asked = setup_gateway()
    with web_in_front_of(fake, locale=lambda: "fr", role=role) as web:
        client = web.test_client()
        sign_in(client)
        page = client.get("/", headers=FRENCH).get_data(as_text=True)
        assert client.post("/getting-started/hide", data={"csrf_token": csrf(client, "/")}).status_code == 403
    assert 'id="getting-started"' not in page and asked == []


def test_in_english():
    fake, _ = setup_gateway(profile=FILLED_PROFILE)
    page, _ = home(fake, locale="en")
    assert words(page[page.index('id="getting-started-heading"'):].split("</h2>")[0].split(">", 1)[1]) == \
        "Getting started"
    assert [(label, done) for label, _, done in steps(page).values()] == [
        ("Fill in your company profile", "Done"), ("Create a contract type for your quotes", "To do"), ("Invite your team", "To do")]
    assert text_of(page, "getting-started-progress", "getting-started-steps") == (
        "What your team needs before sending its first quotes: 1 of 3 done.")


def test_the_day_s_work_shows_when_the_setup_cannot_be_read():
    fake, _ = setup_gateway(failing="perimeters")
    page, _ = home(fake)
    assert 'id="getting-started"' not in page and 'id="to-validate"' in page


# -- a manager's own accepted quote: to validate first, then to convert -----------------------------------------

MY_ACCEPTED = {"id": "q1", "kind": "quote", "number": "Q-0007", "title": "Four à pain", "status": "accepted",
               "customer_name": "Boulangerie Martin", "owner_name": "Ann Lee", "currency": "EUR", "total": "14400.00",
               "signed_at": "2026-12-03T10:00:00Z", "owner_id": "u1"}
MY_VALIDATED = {**MY_ACCEPTED, "id": "q2", "number": "Q-0009", "status": "validated"}


def queue_gateway():
    """My quotes: one accepted (not validated yet), one validated; neither converted. ``asked``: the lists asked."""
    fake = Flask("fake_gateway")
    asked = answer_lists(fake, "quotes, contracts, tasks", lambda path, filters: (
        [q for q in (MY_ACCEPTED, MY_VALIDATED) if path == "quotes" and q["status"] == filters.get("status")], None))
    return fake, asked


@pytest.mark.parametrize("role", ["front_user_manager", "license_admin"])
def test_a_managers_own_accepted_quote_is_listed_once_to_validate(role):
    fake, asked = queue_gateway()
    page, _ = home(fake, role=role, cookies=[(COOKIE_NAME, "l1")])
    to_validate = page[page.index('id="to-validate"'):page.index('id="to-convert"')]
    to_convert = page[page.index('id="to-convert"'):]
    to_convert = to_convert[:to_convert.index("</section>")]
    assert re.findall(r'data-number="([^"]+)"', to_validate) == ["Q-0007"]
    assert re.findall(r'data-number="([^"]+)"', to_convert) == ["Q-0009"]  # validated: its order next
    assert sorted(f["status"] for path, f in asked if f.get("converted") == "false" and f["status"] != "sent") == [
        "validated"]  # sent, not ordered: awaiting the customer's answer


def test_a_managers_empty_list_to_convert_says_validated_quotes_come_there():
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/<any(quotes, contracts, tasks):path>")
    def nothing(path):
        return jsonify({"items": [], "next_cursor": None})

    page, _ = home(fake, role="front_user_manager")
    assert text_of(page, "to-convert-heading", "tasks-heading").startswith(
        "Acceptés — à transformer Aucun devis validé en attente de commande. Vos devis acceptés par le client se "
        "valident d'abord (À valider), puis s'affichent ici")


# -- the document page's actions at each status -----------------------------------------------------------------

# contract id -> (kind, status, a request under way, converted already)
DOCUMENTS = {"draft-quote": ("quote", "draft", False, False), "sent-quote": ("quote", "sent", False, False),
             "signing-quote": ("quote", "sent", True, False), "accepted-quote": ("quote", "accepted", False, False),
             "validated-quote": ("quote", "validated", False, False),
             "refused-quote": ("quote", "refused", False, False),
             "abandoned-quote": ("quote", "abandoned", False, False),
             "ordered-quote": ("quote", "sent", False, True),
             "draft-contract": ("contract", "draft", False, False),
             "signed-contract": ("contract", "signed", False, False),
             "cancelled-order": ("order", "cancelled", False, False)}


def document_gateway():
    fake = Flask("fake_gateway")
    answer_a_contract_pages_lookups(fake)

    @fake.get("/api/v1/contracts/<contract_id>")
    def contract(contract_id):
        kind, status, pending, _ = DOCUMENTS[contract_id]
        return jsonify({"id": contract_id, "kind": kind, "number": "Q-1", "status": status, "allowed_statuses": [],
                        "signature_pending": pending, "customer_id": "martin", "customer_name": "Boulangerie Martin",
                        "currency": "EUR", "lines": [], "sent_at": "2026-12-01T09:00:00Z" if status != "draft" else None})

    answer_a_contract_pages_history(fake, converted=lambda contract_id: DOCUMENTS[contract_id][3])
    answer_gets(fake, {"/tasks": NO_ITEMS})
    return fake


@pytest.mark.parametrize("contract_id, signature, convert, by_email", [
    ("draft-quote", True, False, True), ("sent-quote", True, True, True),
    ("signing-quote", True, True, True),  # followed, reminded, cancelled in the signature center
    ("accepted-quote", False, True, False), ("validated-quote", False, True, False),
    ("refused-quote", False, False, False), ("abandoned-quote", False, False, False),
    ("ordered-quote", False, True, False),  # the customer ordered: no reminder, nor a signature asked
    ("draft-contract", True, False, False), ("signed-contract", False, False, False),
    ("cancelled-order", False, False, False)])
def test_a_document_offers_only_the_actions_its_status_allows(contract_id, signature, convert, by_email):
    with web_in_front_of(document_gateway(), locale=lambda: "fr") as web:
        client = web.test_client()
        sign_in(client)
        page = client.get(f"/contracts/{contract_id}", headers=FRENCH).get_data(as_text=True)
    assert ('id="signature-center"' in page) is signature
    assert ('id="convert-invoice"' in page) is convert
    assert ('id="send-by-email"' in page) is by_email


# -- an email template's preview of changes not saved yet ---------------------------------------------------------

SAVED = {"name": "quote_send", "locale": "fr", "customized": False, "subject": "Votre devis {{ number }}",
         "text": "Bonjour,\nVoici votre devis.", "html": "<p>Bonjour,</p>", "sms": None,
         "variables": {"number": "the quote's number"}, "required_variable": None}


def template_gateway():
    fake = Flask("fake_gateway")
    answer_gets(fake, {"/notification-templates/quote_send": SAVED})

    @fake.post("/api/v1/notification-templates/quote_send/preview")
    def preview():
        body = request.get_json()
        return jsonify({"subject": body["subject"], "text": body["text"], "html": f"<p>{body['text']}</p>", "sms": ""})

    return fake


@pytest.mark.parametrize("subject, unsaved", [("Votre devis {{ number }}", False),
                                              ("Notre proposition {{ number }}", True)])
def test_the_preview_says_when_it_shows_changes_not_saved_yet(subject, unsaved):
    with web_in_front_of(template_gateway(), locale=lambda: "fr", role="license_admin") as web:
        client = web.test_client()
        sign_in(client)
        path = "/settings/email-templates/quote_send?locale=fr"
        # as the edit page posts it: the built-in HTML left empty (it follows the text), the text with CRLF
        r = client.post(path, headers=FRENCH, data={
            "csrf_token": csrf(client, path), "do": "preview", "subject": subject,
            "text": "Bonjour,\r\nVoici votre devis.", "html": "", "sms": ""})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="preview"' in page
    assert ('id="preview-unsaved"' in page) is unsaved
    if unsaved:
        assert text_of(page, "preview-unsaved", "preview-subject") == (
            "Pas encore enregistré\u00a0: cet aperçu montre vos modifications. Les emails continuent d'utiliser le "
            "modèle enregistré jusqu'à ce que vous l'enregistriez ci-dessous.")


# -- a full seat pool, in words ----------------------------------------------------------------------------------

@pytest.mark.parametrize("language, said", [
    ("fr", "Plus aucune licence libre (3 sur 3 utilisées, ACME Lyon utilise 1 licence, ACME Paris utilise 2 "
           "licences). Désactivez un utilisateur ou ajoutez des licences à l'abonnement."),
    ("en", "No seat left: 3 of 3 seats are in use (ACME Lyon uses 1 seat, ACME Paris uses 2 seats). Deactivate a "
           "user or add seats to the subscription.")])
def test_a_full_seat_pool_says_what_each_company_uses_in_a_sentence(language, said):
    logic = pytest.importorskip("identity_service.logic")
    refusal = (f"No seat left: {logic.SeatUsage(3, {'l1': 2, 'l2': 1}).describe({'l1': 'ACME Paris', 'l2': 'ACME Lyon'})}"
               ". Deactivate a user or add seats to the subscription.")  # identity's words (base.py: _take_seat)
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    with app.test_request_context(headers={"Accept-Language": language}):
        assert translate(refusal) == said
