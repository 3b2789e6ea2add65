"""Pure portal rules: share visibility (company, branch), participants, quote templates, tokens,
what a client sees, the signer of a request, formatting."""
import pytest

from paraph_platform.errors import InvalidInput
from portal_service import logic
from portal_service.logic import ClientScope


def client(company="ACME", branch=None, contact="c-alice", customer="cu-acme", license_id="lic"):
    return ClientScope(license_id, "u-1", contact, customer, company, branch)


def share(company="ACME", branch="Montréal", customer="cu-acme", revoked=None, license_id="lic"):
    return {"license_id": license_id, "customer_id": customer, "company": company, "branch": branch,
            "revoked_at": revoked}


@pytest.mark.parametrize("who, what, participants, expected", [
    (client(), share(), [], True),                                     # same company, no branch limit
    (client(company="acme "), share(company="ACME"), [], True),       # labels: case and spaces
    (client(company="Other"), share(), [], False),                    # another company label
    (client(company="Other"), share(), ["c-alice"], True),            # ...unless requester/observer
    (client(customer="cu-globex"), share(), ["c-alice"], False),      # never another customer
    (client(license_id="lic2"), share(), ["c-alice"], False),         # never another license
    (client(branch="Montréal"), share(branch="montréal"), [], True),  # branch limit, same branch
    (client(branch="Québec"), share(branch="Montréal"), [], False),   # branch limit, other branch
    (client(branch="Québec"), share(branch=None), [], False),         # branch limit, share without branch
    (client(branch="Québec"), share(branch="Montréal"), ["c-alice"], False),  # the limit also binds participants
    (client(), share(revoked="2030-01-01"), ["c-alice"], False),      # unshared
    (client(company=None), share(), [], False),                       # no company label: participants only
    (client(company=None, customer=None), share(), ["c-alice"], False),
])
def test_share_visibility_rule(who, what, participants, expected):
    assert logic.share_visible(who, what, participants) is expected


CONTACTS = {
    "alice": {"id": "alice", "name": "Alice", "customer_id": "acme", "branch": "Montréal"},
    "bob": {"id": "bob", "name": "Bob", "customer_id": "acme", "branch": None},
    "dave": {"id": "dave", "name": "Dave", "customer_id": "acme", "branch": "Québec"},
    "carol": {"id": "carol", "name": "Carol", "customer_id": "globex"},
    "eve": {"id": "eve", "name": "Eve", "customer_id": "acme"},
}
ACCESSES = {
    "alice": {"status": "active", "company": "ACME", "branch": None},
    "bob": {"status": "invited", "company": "acme", "branch": "Montréal"},
    "dave": {"status": "active", "company": "ACME", "branch": "Québec"},
    "carol": {"status": "active", "company": "Globex", "branch": None},
    "eve": {"status": "deactivated", "company": "ACME", "branch": None},
}


def check(requester, observers, branch="Montréal", accesses=ACCESSES):
    return logic.check_participants("acme", "ACME SA", requester, observers, CONTACTS, accesses, branch)


def test_participants_of_the_same_company_with_access():
    assert check("alice", ["bob"]) == "ACME"
    assert check("alice", ["alice"]) == "ACME"  # the requester is not also an observer


@pytest.mark.parametrize("requester, observers, branch, field, text", [
    ("alice", ["carol"], "Montréal", "observer_contact_ids", "Carol is not a contact of ACME SA"),
    ("alice", ["missing"], "Montréal", "observer_contact_ids", "missing is not a contact"),
    ("alice", ["eve"], "Montréal", "observer_contact_ids", "Eve has a deactivated portal access"),
    ("carol", [], "Montréal", "requester_contact_id", "Carol is not a contact"),
    ("alice", ["dave"], "Montréal", "observer_contact_ids", "limited to the branch Québec"),
    ("dave", [], "Montréal", "requester_contact_id", "limited to the branch Québec"),
])
def test_participants_refused_with_a_clear_message(requester, observers, branch, field, text):
    with pytest.raises(InvalidInput) as err:
        check(requester, observers, branch)
    assert field in err.value.details["fields"]
    assert any(text in m for m in err.value.details["fields"][field])
    assert "Client portal > Client portal contacts" in err.value.details["settings"]


def test_participants_need_a_portal_access_and_the_same_company():
    accesses = {k: v for k, v in ACCESSES.items() if k != "bob"}
    with pytest.raises(InvalidInput, match="Bob has no portal access.*Client portal contacts"):
        check("alice", ["bob"], accesses=accesses)
    accesses = {**ACCESSES, "bob": {**ACCESSES["bob"], "company": "ACME Logistics"}}
    with pytest.raises(InvalidInput, match="same company"):
        check("alice", ["bob"], accesses=accesses)


def test_share_branch_defaults():
    assert logic.share_branch(" Laval ", {"branch": "Montréal"}, {"branch": "Québec"}) == "Laval"
    assert logic.share_branch(None, {"branch": "Montréal"}, {"branch": "Québec"}) == "Montréal"
    assert logic.share_branch("", {"branch": "  "}, {"branch": "Québec"}) == "Québec"
    assert logic.share_branch(None, {}, {}) is None


def test_quote_templates():
    assert logic.quote_template(0) == "quote_send" and logic.quote_template(3) == "quote_reminder"


def test_page_tokens_are_random_and_hashed():
    a, b = logic.new_secret(), logic.new_secret()
    assert a != b and len(a) >= 43 and logic.token_well_formed(a)
    assert logic.hash_secret(a) != a and len(logic.hash_secret(a)) == 64
    for bad in ("short", "x" * 200, "../../etc/passwd" + "a" * 30, None, 12, "a b" * 20):
        assert not logic.token_well_formed(bad)
    assert logic.quote_url("https://app.test/", a) == f"https://app.test/q/{a}"


def test_client_contract_view_shows_only_portal_visible_items():
    detail = {"id": "c", "kind": "contract", "number": "C-1", "title": "T", "status": "sent", "notes": "secret",
              "tasks": [{"title": "internal"}], "custom": {"margin": 40}, "lines": [{"description": "x", "cost": 1}],
              "attachments": [{"id": "a1", "filename": "ok.pdf", "portal_visible": True},
                              {"id": "a2", "filename": "internal.pdf", "portal_visible": False}],
              "milestones": [{"id": "m1", "title": "Kick-off", "portal_visible": True},
                             {"id": "m2", "title": "Internal review", "portal_visible": False}]}
    view = logic.client_contract_view(detail)
    assert [a["id"] for a in view["attachments"]] == ["a1"] and [m["id"] for m in view["milestones"]] == ["m1"]
    assert "notes" not in view and "tasks" not in view and "custom" not in view and "cost" not in view["lines"][0]
    summary = logic.portal_summary({**detail, "view_count": 3})
    assert summary["counts"] == {"attachments": 2, "visible_attachments": 1, "milestones": 2,
                                 "visible_milestones": 1, "views": 3, "downloads": 0}


@pytest.mark.parametrize("value, expected", [
    ("/sign/abcDEF123_-x", "/sign/abcDEF123_-x"),
    ("https://paraph.test/sign/abcdefgh12", "/sign/abcdefgh12"),
    ("//evil.example/sign/abcdefgh12", None),
    ("javascript:alert(1)", None),
    ("/sign/short", None),
    ("/sign/abcdefgh12/../../admin", None),
    ("/admin/abcdefgh12", None),
    (None, None),
])
def test_sign_paths_stay_on_site(value, expected):
    assert logic.sign_path(value) == expected


def test_signer_of_a_request():
    request = {"id": "r", "status": "pending", "participants": [
        {"role": "approver", "user_id": "u", "status": "pending", "sign_path": "/sign/approver-token"},
        {"role": "signer", "contact_id": "c1", "email": "A@x.test", "status": "pending",
         "sign_path": "/sign/alice-token-1"},
        {"role": "signer", "contact_id": "c2", "email": "b@x.test", "status": "waiting",
         "sign_path": "/sign/bob-token-12"}]}
    assert logic.signer_for(request, "c1", None)["path"] == "/sign/alice-token-1"
    assert logic.signer_for(request, None, "a@x.test")["path"] == "/sign/alice-token-1"
    bob = logic.signer_for(request, "c2", None)
    assert bob["path"] is None and bob["open"] is True  # not their turn yet
    assert logic.signer_for(request, "c9", None) is None
    assert logic.signer_for({**request, "status": "cancelled"}, "c1", None)["path"] is None
    assert logic.signer_for({**request, "status": "cancelled"}, "c1", None)["open"] is False
    signed = {"status": "completed", "participants": [
        {"role": "signer", "contact_id": "c1", "status": "signed", "acted_at": "2030-01-15T09:30:00Z"}]}
    assert logic.signer_for(signed, "c1", None) == {"role": "signer", "status": "signed", "path": None,
                                                   "signed_at": "2030-01-15T09:30:00Z",
                                                   "request_status": "completed", "open": False,
                                                   "signed_pdf": None, "proof_pdf": None}
    # signed by everybody: the signer's link downloads the sealed document (the quote's PDF is the unsigned one)
    # and the proof of signature
    signed["participants"][0]["sign_path"] = "/sign/alice-token-1"
    assert logic.signer_for(signed, "c1", None)["signed_pdf"] == "/api/v1/sign/alice-token-1/signed.pdf"
    assert logic.signer_for(signed, "c1", None)["proof_pdf"] == "/api/v1/sign/alice-token-1/proof.pdf"
    assert logic.signer_for({**signed, "status": "sealing"}, "c1", None)["signed_pdf"] is None  # not sealed yet
    assert logic.signer_for(None, "c1", None) is None


def test_what_a_contact_has_to_do_on_a_request():
    """The portal's document page: an approver whose turn it is is led to the signing page too (there the
    document and the consent are read), a contact who approves then signs is shown the step whose turn it is."""
    request = {"id": "r", "status": "pending", "participants": [
        {"role": "approver", "contact_id": "c1", "status": "pending", "sign_path": "/sign/bob-approves-1"},
        {"role": "signer", "contact_id": "c2", "status": "waiting", "sign_path": "/sign/alice-token-1"},
        {"role": "approver", "contact_id": "c2", "status": "pending", "sign_path": "/sign/alice-approve-1"}]}
    bob = logic.participant_for(request, "c1", None)
    assert bob["role"] == "approver" and bob["path"] == "/sign/bob-approves-1"
    assert logic.signer_for(request, "c1", None) is None  # the quote page's "Signer": signers only
    alice = logic.participant_for(request, "c2", None)
    assert alice["role"] == "approver" and alice["path"] == "/sign/alice-approve-1"
    request["participants"][2]["status"] = "approved"
    request["participants"][1]["status"] = "pending"
    assert logic.participant_for(request, "c2", None)["path"] == "/sign/alice-token-1"
    request["participants"][0]["status"] = "approved"
    assert logic.participant_for(request, "c1", None)["path"] is None  # acted: nothing more to do
    completed = {"status": "completed", "participants": [
        {"role": "approver", "contact_id": "c1", "status": "approved", "sign_path": "/sign/bob-approves-1"}]}
    assert logic.participant_for(completed, "c1", None)["proof_pdf"] == "/api/v1/sign/bob-approves-1/proof.pdf"
    assert logic.participant_for(completed, "c9", None) is None and logic.participant_for(None, "c1", None) is None


def test_a_contract_awaiting_someone_elses_signature_does_not_say_it_awaits_the_readers_answer():
    """"En attente de votre réponse" only when the reader has something to do (or no signature is asked)."""
    request = {"status": "pending", "participants": [
        {"role": "approver", "contact_id": "approver", "status": "pending", "sign_path": "/sign/approver-token-1"},
        {"role": "signer", "contact_id": "requester", "status": "waiting", "sign_path": "/sign/requester-token"}]}
    assert logic.reader_status("sent", request, "requester", None) == "signing"  # the approver's turn
    assert logic.reader_status("sent", request, "observer", None) == "signing"  # takes no part in it
    assert logic.reader_status("sent", request, "approver", None) == "sent"  # their turn: their answer awaited
    request["participants"][0]["status"] = "approved"
    request["participants"][1]["status"] = "pending"
    assert logic.reader_status("sent", request, "requester", None) == "sent"
    assert logic.reader_status("sent", request, "approver", None) == "signing"
    assert logic.reader_status("sent", None, "requester", None) == "sent"  # no signature asked: an answer is
    assert logic.reader_status("signed", request, "approver", None) == "signed"
    assert logic.reader_status("sent", {**request, "status": "cancelled"}, "approver", None) == "sent"


def test_feedback_checks():
    assert logic.check_feedback("  ok  ") == "ok"
    for bad in ("", "   ", None, 42, "x" * (logic.MAX_FEEDBACK + 1)):
        with pytest.raises(InvalidInput):
            logic.check_feedback(bad)


def test_locale_and_formatting():
    assert logic.pick_locale(None, "EN-gb", "fr") == "en"
    assert logic.pick_locale("de", None) == "fr"
    assert logic.money("1410", "EUR", "fr").replace("\u202f", " ").replace("\xa0", " ") == "1 410,00 €"
    assert logic.money("1410", "EUR", "en") == "€1,410.00"
    assert logic.day("2031-12-31", "fr") == "31 décembre 2031"
    assert logic.day("2031-12-31", "en") == "31 December 2031"
    # the first of a month, as French writes it (paraph_platform.dates)
    assert logic.day("2031-12-01", "fr") == "1er décembre 2031"
    # a time as the page writes its days, without seconds (the page's script writes it in the reader's zone)
    assert logic.moment("2031-12-01T09:30:17.123456Z", "fr") == "1er décembre 2031 à 09:30 UTC"
    assert logic.moment("2031-12-01T10:30:00+01:00", "en") == "1 December 2031 at 09:30 UTC"
    assert logic.day("2031-12-01", "en") == "1 December 2031"
    assert logic.number("2.000", "fr") == "2"


def test_quote_context_splits_lines_and_formats_totals():
    detail = {"number": "Q-1", "title": "T", "status": "sent", "currency": "EUR", "customer_name": "ACME",
              "lines": [{"description": "A", "quantity": "2", "unit_price": "10", "discount_pct": "0",
                         "tax_rate": "20", "amount": "20.00"},
                        {"description": "Opt", "quantity": "1", "unit_price": "5", "discount_pct": "10",
                         "tax_rate": "20", "amount": "4.50", "optional": True, "selected": True}],
              "taxes": [{"rate": "20.00", "base": "24.50", "tax": "4.90"}], "subtotal": "24.50",
              "tax_total": "4.90", "total": "29.40", "optional_total": "0.00", "valid_until": "2000-01-01"}
    ctx = logic.quote_context(detail, "en", None)
    assert [x["description"] for x in ctx["lines"]] == ["A"]
    assert ctx["optional_lines"][0]["discount"] == "10%" and ctx["optional_lines"][0]["selected"] is True
    assert ctx["lines"][0]["discount"] == "" and ctx["lines"][0]["tax_rate"] == "20%"  # as the PDF writes them
    assert ctx["total"] == "€29.40" and ctx["optional_total"] == "" and ctx["validity_expired"] is True
    assert ctx["status_label"] == "Awaiting your answer" and ctx["vat_lines"] == [
        {"rate": "20%", "base": "", "tax": "€4.90"}]


def test_the_totals_show_one_vat_line_for_one_rate_and_break_several_down():
    """As the staff quote page and the PDF (paraph_platform.totals): "TVA 20 %" once, not a per-rate line and a
    total VAT line of the same amount; with two rates, each with its base, then the total VAT."""
    def shown(ctx):
        return [{k: v.replace("\u202f", " ").replace("\xa0", " ") for k, v in line.items()}
                for line in ctx["vat_lines"]]
    detail = {"currency": "EUR", "lines": [], "subtotal": "930.00", "tax_total": "181.65", "total": "1111.65",
              "taxes": [{"rate": "5.50", "base": "30.00", "tax": "1.65"},
                        {"rate": "20.00", "base": "900.00", "tax": "180.00"}]}
    assert shown(logic.quote_context(detail, "fr", None)) == [
        {"rate": "5,5 %", "base": "30,00 €", "tax": "1,65 €"}, {"rate": "20 %", "base": "900,00 €", "tax": "180,00 €"},
        {"rate": "", "base": "", "tax": "181,65 €"}]
    one = {**detail, "taxes": detail["taxes"][1:], "tax_total": "180.00"}
    assert shown(logic.quote_context(one, "fr", None)) == [{"rate": "20 %", "base": "", "tax": "180,00 €"}]
    assert logic.quote_context({**detail, "taxes": []}, "fr", None)["vat_lines"] == []


def test_statuses_are_in_the_clients_words_in_both_languages():
    """A client reads what a status means for them, not the staff's word ("Brouillon", "Envoyé"); every
    document kind's statuses have a label, the same keys in both languages."""
    fr, en = logic.LABELS["fr"]["statuses"], logic.LABELS["en"]["statuses"]
    assert set(fr) == set(en) == {"draft", "sent", "accepted", "signed", "validated", "refused", "abandoned",
                                  "confirmed", "delivered", "issued", "paid", "cancelled",
                                  "signing"}  # not a status: how "sent" reads while others sign (reader_status)
    assert (fr["sent"], en["sent"]) == ("En attente de votre réponse", "Awaiting your answer")
    assert (fr["draft"], en["draft"]) == ("En préparation", "Being prepared")
    assert (fr["signed"], fr["accepted"], fr["refused"]) == ("Signé", "Accepté", "Refusé")
    assert not {"Brouillon", "Envoyé", "Abandonné"} & set(fr.values())


@pytest.mark.parametrize("method, agent, expected", [
    ("GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36", False),
    ("GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", False),
    ("get", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Version/17.5 Safari/605.1.15", False),
    (None, "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", False),  # older gateways
    ("HEAD", "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", True),
    ("head", "Mozilla/5.0", True),
    ("GET", "", True),
    ("GET", "   ", True),
    ("GET", None, True),
    ("GET", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", True),
    ("GET", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", True),
    ("GET", "Twitterbot/1.0", True),
    ("GET", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", True),
    ("GET", "Mozilla/4.0 (compatible; ms-office; MSOffice 16)", True),
    ("GET", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17726; Pro)", True),
    ("GET", "Mozilla/5.0 AppleWebKit/537.36 Safari/537.36 SkypeUriPreview Preview/0.5", True),  # Teams
    ("GET", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
    ("GET", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", True),
    ("GET", "python-requests/2.32.3", True),
    ("GET", "curl/8.5.0", True),
    ("GET", "Barracuda Sentinel (EE)", True),
    ("GET", "Proofpoint URL Defense", True),
])
def test_link_scanners_and_previews_are_prefetches(method, agent, expected):
    assert logic.prefetch(method, agent) is expected
