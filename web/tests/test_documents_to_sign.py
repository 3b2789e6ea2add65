"""The form of "Envois en signature" (pages/documents_to_sign.py) against a fake gateway: what it sends to
``POST /signature-requests`` (a title by default, approvers) and how it comes back after a refusal."""
from __future__ import annotations

import io
import re
from html import unescape

from flask import Flask, jsonify, request

from web.tests.test_web import sign_in, web_in_front_of


def fake_gateway(answers: list):
    """A gateway whose ``POST /signature-requests`` records each body and answers the next of ``answers``."""
    fake = Flask("fake_gateway")
    fake.sent = []

    @fake.get("/api/v1/signature-requests")
    def listing():
        return jsonify({"items": [], "limit": 50, "offset": 0, "next_cursor": None})

    @fake.post("/api/v1/signature-requests")
    def create():
        fake.sent.append(request.get_json())
        status, body = answers.pop(0)
        return jsonify(body), status, {"Content-Type": "application/problem+json" if status >= 400
                                       else "application/json"}

    return fake


def post_form(client, **fields):
    page = client.get("/signatures/documents").get_data(as_text=True)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    data = {**hidden, "signers-0-name": "Claire Client", "signers-0-email": "claire@client.test",
            "document": (io.BytesIO(b"%PDF-1.7 a contract"), "Contrat Client SARL.pdf"), **fields}
    return client.post("/signatures/documents", data=data, content_type="multipart/form-data")


def test_an_untitled_document_is_sent_under_its_files_name_with_its_approvers_first():
    """DocuSeal or Documenso name a document after its file: the title was required, and leaving it empty came
    back with the file lost; an approver (the brief's manager who checks before the customer signs) could only be
    asked on a quote or a contract."""
    fake = fake_gateway([(201, {"id": "r-1"})])
    with web_in_front_of(fake, locale=lambda: "fr") as app:
        client = app.test_client()
        sign_in(client)
        page = client.get("/signatures/documents").get_data(as_text=True)
        assert "Vide\u00a0: le nom du fichier." in page and 'id="approvers-0-email"' in page
        answer = post_form(client, **{"approvers-0-name": "Alain Approbateur",
                                      "approvers-0-email": "alain@acme.test"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/signatures/documents/r-1")
    [sent] = fake.sent
    assert sent["title"] == "Contrat Client SARL"
    assert sent["approvers"] == [{"name": "Alain Approbateur", "email": "alain@acme.test"}]
    assert sent["signers"] == [{"name": "Claire Client", "email": "claire@client.test"}]


def test_a_refused_form_says_its_error_beside_the_approver_and_asks_for_the_file_again():
    refusal = {"type": "about:blank", "title": "Unprocessable", "status": 422, "detail": "Invalid input.",
               "errors": {"approvers.0.email": ["Not a valid email address."]}}
    fake = fake_gateway([(422, refusal)])
    with web_in_front_of(fake, locale=lambda: "fr") as app:
        client = app.test_client()
        sign_in(client)
        answer = post_form(client, title="Contrat", **{"approvers-1-name": "Alain", "approvers-1-email": "alain@"})
    page = unescape(answer.get_data(as_text=True))
    assert answer.status_code == 422 and fake.sent[0]["approvers"] == [{"name": "Alain", "email": "alain@"}]
    # the API's approvers.0 is the form's second row (the first one was left empty)
    assert 'id="approvers-1-email-error"' in page
    # a browser never keeps a file when a form comes back: the hint says so, naming it
    hint = re.search(r'<small id="document-file-hint" class="hint">([^<]*)</small>', page).group(1)
    assert hint == ("Choisissez à nouveau Contrat Client SARL.pdf\u00a0: le navigateur ne garde pas le fichier "
                    "quand le formulaire revient.")


def test_the_documents_page_says_who_approves_and_who_signs():
    """An approver and the first signer both have turn 1: each row says which one they are."""
    fake = fake_gateway([])

    @fake.get("/api/v1/signature-requests/<request_id>")
    def detail(request_id):
        people = [("p1", "Alain", "approver", 1, "pending"), ("p2", "Claire", "signer", 1, "waiting")]
        return jsonify({"id": request_id, "status": "pending", "contract_title": "Contrat", "contract_number": "contrat",
                        "created_at": "2026-12-07T09:56:26Z", "expires_at": "2027-01-07T00:00:00Z",
                        "signing_order": "sequential", "reminders": {"every_days": 3, "max": 3}, "cc": [],
                        "document": {"filename": "contrat.pdf"},
                        "participants": [{"id": pid, "name": name, "email": f"{name.lower()}@x.test", "role": role,
                                          "order": order, "status": status, "reminders_sent": 0}
                                         for pid, name, role, order, status in people]})

    with web_in_front_of(fake, locale=lambda: "fr") as app:
        client = app.test_client()
        sign_in(client)
        page = unescape(client.get("/signatures/documents/r-1").get_data(as_text=True))
    assert "alain@x.test · Approbateur</small>" in page and "claire@x.test · Signataire</small>" in page


def request_with(people, reminders=None, status="pending"):
    """A request on an uploaded document, ``people``: (id, name, role, order, status)."""
    reminders = reminders or {}
    return {"id": "r-1", "status": status, "contract_title": "Contrat", "contract_number": "contrat",
            "created_at": "2026-12-07T09:56:26Z", "expires_at": "2027-01-07T00:00:00Z",
            "signing_order": "sequential", "reminders": {"every_days": 3, "max": 3}, "cc": [],
            "document": {"filename": "contrat.pdf"}, "created_by": "u1", "owner_id": "u1",
            "participants": [{"id": pid, "name": name, "email": f"{name.lower()}@x.test", "role": role,
                              "order": order, "status": state, "reminders_sent": reminders.get(pid, 0)}
                             for pid, name, role, order, state in people]}


def documents_page_gateway(detail: dict):
    """The gateway of one request's page, recording what it was asked to do (reassign, remind)."""
    fake = fake_gateway([])
    fake.posted, fake.answers = [], []

    @fake.get("/api/v1/signature-requests/<request_id>")
    def detail_of(request_id):
        return jsonify(detail)

    @fake.post("/api/v1/signature-requests/<request_id>/<path:action>")
    def act(request_id, action):
        fake.posted.append((action, request.get_json()))
        status, body = fake.answers.pop(0)
        return jsonify(body), status, {"Content-Type": "application/problem+json" if status >= 400
                                       else "application/json"}

    return fake


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


CLAIRE_SIGNED_MARC_TO_SIGN = [("p1", "Claire", "signer", 1, "signed"), ("p2", "Marc", "signer", 2, "pending"),
                              ("p3", "Léa", "signer", 3, "waiting")]


def reassignable(page: str, marcs_action: str):
    """Claire signed: nobody replaces her; Marc (his turn) and Léa (waiting) may be, Marc's form posting to
    ``marcs_action``."""
    assert 'id="reassign-p1"' not in page and 'id="reassign-p2"' in page and 'id="reassign-p3"' in page
    assert f'action="{marcs_action}"' in page


def test_who_has_not_acted_yet_can_be_reassigned_from_the_documents_page():
    """The contract's signature center could hand a participant's turn to someone else; an uploaded document's
    page could not. The same form (signatures/_status.html reassign_forms), posted to this page's route; a
    refusal is said next to the person's form, the values kept."""
    fake = documents_page_gateway(request_with(CLAIRE_SIGNED_MARC_TO_SIGN))
    refusal = {"type": "about:blank", "title": "Unprocessable", "status": 422, "detail": "Invalid input.",
               "errors": {"reason": ["Missing data for required field."]}}
    fake.answers += [(422, refusal), (200, {"id": "r-1"})]
    with web_in_front_of(fake, locale=lambda: "fr") as app:
        client = app.test_client()
        sign_in(client)
        page = unescape(client.get("/signatures/documents/r-1").get_data(as_text=True))
        reassignable(page, "/signatures/documents/r-1/participants/p2/reassign")
        form = {"csrf_token": csrf_of(page), "name": "Luc Martin", "email": "luc@x.test", "reason": ""}
        refused = client.post("/signatures/documents/r-1/participants/p2/reassign", data=form)
        said = unescape(refused.get_data(as_text=True))
        assert refused.status_code == 422 and 'id="reassign-p2" open' in said
        assert 'id="reassign-p2-reason-error"' in said and 'value="Luc Martin"' in said
        done = client.post("/signatures/documents/r-1/participants/p2/reassign",
                           data={**form, "reason": "Marc a quitté l'entreprise"})
        assert done.status_code == 302 and done.headers["Location"].endswith("/signatures/documents/r-1")
        after = unescape(client.get("/signatures/documents/r-1").get_data(as_text=True))
    assert "Luc Martin remplace le participant" in after
    assert fake.posted == [("participants/p2/reassign", {"name": "Luc Martin", "email": "luc@x.test"}),
                           ("participants/p2/reassign", {"name": "Luc Martin", "email": "luc@x.test",
                                                         "reason": "Marc a quitté l'entreprise"})]


def test_nobody_reminded_reads_nothing_and_a_refused_reminder_says_when_the_next_one_is_possible():
    """The reminders column read "0" for everybody never reminded; "Personne n'a été relancé : une relance a été
    envoyée il y a peu." left the sender guessing how long to wait."""
    fake = documents_page_gateway(request_with(CLAIRE_SIGNED_MARC_TO_SIGN, reminders={"p2": 2}))
    fake.answers += [(200, {"reminded": 0, "participant_ids": [], "next_reminder_at": "2026-12-07T10:05:00Z"}),
                     (200, {"reminded": 0, "participant_ids": [], "next_reminder_at": None})]
    with web_in_front_of(fake, locale=lambda: "fr") as app:
        client = app.test_client()
        sign_in(client)
        page = client.get("/signatures/documents/r-1").get_data(as_text=True)
        cells = dict(re.findall(r'data-participant="(p\d)".*?data-label="Relances" class="num">([^<]*)</td>', page,
                                re.S))
        assert cells == {"p1": "—", "p2": "2", "p3": "—"}
        answer = client.post("/signatures/documents/r-1/remind",
                             data={"csrf_token": csrf_of(page), "participant_id": "p2"})
        assert answer.status_code == 302
        said = unescape(client.get("/signatures/documents/r-1").get_data(as_text=True))
        assert ("Personne n'a été relancé\u00a0: une relance a été envoyée il y a peu. La prochaine est possible "
                "à partir du 7 déc. 2026, 10:05 UTC.") in said
        client.post("/signatures/documents/r-1/remind", data={"csrf_token": csrf_of(page)})
        said = unescape(client.get("/signatures/documents/r-1").get_data(as_text=True))
    assert "une relance a été envoyée il y a peu." in said and "La prochaine" not in said  # nobody's turn left


def signature_center_gateway(detail: dict):
    """The gateway of a quote's signature center (/contracts/c-1/signature) whose request ``detail`` is under way."""
    fake = documents_page_gateway(detail)

    @fake.get("/api/v1/contracts/<contract_id>")
    def contract(contract_id):
        return jsonify({"id": contract_id, "kind": "quote", "number": "Q-2026-00001", "status": "sent",
                        "customer_id": None, "contact_id": None})

    def requests_of_contract():
        return jsonify({"items": [{"id": "r-1", "status": "pending"}], "limit": 50, "offset": 0, "next_cursor": None})
    fake.view_functions["listing"] = requests_of_contract  # the contract's requests: this one under way
    return fake


def test_the_contracts_signature_center_offers_the_same_reassignment_form():
    """One form (signatures/_status.html reassign_forms) for both pages: the contract's posts to its own route."""
    fake = signature_center_gateway(request_with(CLAIRE_SIGNED_MARC_TO_SIGN))
    with web_in_front_of(fake, locale=lambda: "fr") as app:
        client = app.test_client()
        sign_in(client)
        page = unescape(client.get("/contracts/c-1/signature").get_data(as_text=True))
    reassignable(page, "/contracts/c-1/signature/r-1/participants/p2/reassign")
    assert 'data-label="Relances" class="num">—</td>' in page


def sent_for_signature_gateway(items: list, asked: list) -> Flask:
    fake = fake_gateway([])

    def listing():
        asked.append(dict(request.args))
        return jsonify({"items": items, "limit": 50, "offset": 0, "next_cursor": None})
    fake.view_functions["listing"] = listing
    return fake


SIGNED_BY_CLAIRE = [{"id": "p1", "name": "Claire Martin", "status": "signed", "role": "signer"}]
SENT = [{"id": "r-1", "contract_id": "c-1", "contract_kind": "quote", "contract_number": "Q-2026-00001",
         "contract_title": "Four à sole", "status": "completed", "participants": SIGNED_BY_CLAIRE,
         "owner_name": "Julie Martin", "created_at": "2026-12-07T10:00:00Z"},
        {"id": "r-2", "contract_id": None, "contract_kind": "document", "contract_number": "DOC-2026-00001",
         "contract_title": "Bon de commande", "status": "pending", "participants": SIGNED_BY_CLAIRE,
         "owner_name": "Paul Durand", "created_at": "2026-12-07T11:00:00Z"}]


def sent_for_signature_page(role: str, asked: list) -> str:
    with web_in_front_of(sent_for_signature_gateway(SENT, asked), locale=lambda: "fr", role=role) as app:
        client = app.test_client()
        sign_in(client)
        return unescape(client.get("/signatures/documents", headers={"Accept-Language": "fr"}).get_data(as_text=True))


def test_the_sent_for_signature_page_lists_quotes_and_contracts_too():
    """The main menu's "Sent for signature" lists every request the salesperson sent (a first walkthrough sent a quote
    for signature, opened it and read "nothing sent yet"): a quote's row opens its signature center, an uploaded
    PDF's its own page; the API is asked for every kind."""
    asked = []
    page = sent_for_signature_page("user", asked)
    assert "kind" not in asked[0]
    quote_row = re.search(r'<tr role="row" data-request="r-1".*?</tr>', page, re.S).group(0)
    assert '<a href="/contracts/c-1/signature">Four à sole</a>' in quote_row and "Devis · " in quote_row
    document_row = re.search(r'<tr role="row" data-request="r-2".*?</tr>', page, re.S).group(0)
    assert '<a href="/signatures/documents/r-2">Bon de commande</a>' in document_row
    assert "PDF importé · " in document_row


def test_nothing_sent_yet_says_where_quotes_are_sent_from():
    with web_in_front_of(fake_gateway([]), locale=lambda: "fr") as app:
        client = app.test_client()
        sign_in(client)
        page = unescape(client.get("/signatures/documents", headers={"Accept-Language": "fr"}).get_data(as_text=True))
    assert "Rien d'envoyé à la signature pour l'instant\u00a0: envoyez un devis ou un contrat depuis sa page" in page


def test_a_license_admins_list_is_everyones_and_says_whose():
    salesperson, admin = sent_for_signature_page("user", []), sent_for_signature_page("license_admin", [])
    assert "Vos documents envoyés à la signature" in salesperson and "Julie Martin" not in salesperson
    assert re.search(r'<h2 id="sent-heading">Documents envoyés à la signature</h2>', admin)
    quote_row = re.search(r'<tr role="row" data-request="r-1".*?</tr>', admin, re.S).group(0)
    assert re.search(r'data-label="Responsable">Julie Martin</td>', quote_row), quote_row
