"""The web app's defences and plumbing against a fake gateway (no services): CSRF, cookie flags, security
headers, the encrypted session, transparent token refresh, error pages, the proxy, and the catalogs."""
from __future__ import annotations

import contextlib
import pathlib
import re
import threading
from html import unescape
from pathlib import Path

import pytest
from flask import Flask, jsonify, request

from paraph_web import create_app
from paraph_web.session import COOKIE_NAME

WEB = Path(__file__).resolve().parents[1]
PACKAGE = WEB / "src" / "paraph_web"


def session_answer(access="access-1", refresh="refresh-1"):
    return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "license_id": "l1",
            "role": "user", "user": {"user_id": "u1", "email": "ann@acme.test", "name": "Ann Lee"},
            "licenses": [{"license_id": "l1", "name": "ACME Paris", "role": "user"}]}


@contextlib.contextmanager
def web_in_front_of(fake: Flask, locale=lambda: "en", role="user"):
    """The web app in front of ``fake``, a Flask app playing the gateway for one page's tests (served on a
    loopback port), which also answers the sign-in and ``/me`` as Ann Lee, a plain user whose language is
    ``locale()`` (with another ``role``, such as ``license_admin``, she is that)."""
    from werkzeug.serving import make_server

    @fake.post("/api/v1/auth/login")
    def login():
        return jsonify({**session_answer(), "role": role,
                        "licenses": [{"license_id": "l1", "name": "ACME Paris", "role": role}]})

    @fake.get("/api/v1/me")
    def me():
        return jsonify({"email": "ann@acme.test", "name": "Ann Lee", "locale": locale(), "role": role,
                        "preferences": {}, "licenses": []})

    server = make_server("127.0.0.1", 0, fake, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield create_app({"GATEWAY_URL": f"http://127.0.0.1:{server.server_port}", "WEB_SESSION_KEY": "unit-test-key",
                          "TESTING": True, "PUBLIC_URL": "http://paraph.test"})
    finally:
        server.shutdown()


NO_ITEMS = {"items": [], "next_cursor": None}  # a list's one page, empty


def answer_gets(fake: Flask, answers: dict):
    """The fake gateway ``fake`` answers a GET of each path of ``answers`` (below /api/v1, with Flask's <variables>
    if need be, whatever their values and the query) with its JSON body."""
    for path, body in answers.items():
        fake.add_url_rule(f"/api/v1{path}", f"answer {path}", lambda body=body, **_variables: jsonify(body))


def answer_lists(fake: Flask, paths: str, answer) -> list:
    """The fake gateway ``fake`` answers the lists ``paths`` (such as "quotes, contracts"), each page
    ``answer(path, filters)``: its items and its next cursor. Returns the (path, filters) of each list asked, in
    the order asked."""
    asked = []

    @fake.get(f"/api/v1/<any({paths}):path>")
    def listing(path):
        filters = request.args.to_dict()
        asked.append((path, filters))
        items, next_cursor = answer(path, filters)
        return jsonify({"items": items, "next_cursor": next_cursor})

    return asked


def answer_a_contract_pages_lookups(fake: Flask):
    """What a contract page reads besides the contract (its summary card's pickers: colleagues, the customer's
    deals, the license's columns and flags), answered empty by the fake gateway ``fake``."""
    answer_gets(fake, {"/colleagues": {"items": []}, "/deals": {"items": []}, "/settings/columns": [],
                       "/settings/flags": []})


def answer_a_contract_pages_history(fake: Flask, converted=lambda contract_id: False):
    """A contract page's history, answered by the fake gateway ``fake``: that an order was made from the document
    when ``converted(contract_id)``, else nothing; and a quote's customer activity: none."""
    @fake.get("/api/v1/contracts/<contract_id>/history")
    def history(contract_id):
        return jsonify([{"at": "2026-12-04T10:00:00Z", "actor_id": "u1", "actor_name": "Ann Lee", "action": "converted",
                         "details": {"target_kind": "order", "target": "O-1"}}] * converted(contract_id))

    answer_gets(fake, {"/quotes/<contract_id>/activity": {"sends": [], "events": []}})


@pytest.fixture
def gateway():
    """A fake gateway on a loopback port: one valid access token at a time, refresh tokens single use."""
    from werkzeug.serving import make_server
    fake = Flask("fake_gateway")
    state = {"access": "access-1", "refresh": {"refresh-1"}, "calls": [], "seen": []}

    def authorized():
        return request.headers.get("Authorization") == f"Bearer {state['access']}"

    @fake.post("/api/v1/auth/login")
    def login():
        body = request.get_json()
        if body["password"] != "right password":
            return jsonify({"status": 401, "title": "Unauthorized", "detail": "Wrong email or password."}), 401
        return jsonify({**session_answer(state["access"]), "role": state.get("role", "user")})

    @fake.post("/api/v1/auth/logout")
    def logout():
        state["refresh"].discard(request.get_json()["refresh_token"])
        return jsonify({"logged_out": True})

    @fake.post("/api/v1/auth/refresh")
    def refresh():
        token = request.get_json()["refresh_token"]
        if token not in state["refresh"]:
            return jsonify({"status": 401, "detail": "This session has ended; sign in again."}), 401
        state["refresh"].discard(token)
        state["access"] = "access-2"
        state["refresh"].add("refresh-2")
        return jsonify(session_answer("access-2", "refresh-2"))

    @fake.get("/api/v1/me")
    def me():
        if not authorized():
            return jsonify({"status": 401}), 401
        return jsonify({"email": "ann@acme.test", "name": "Ann Lee", "locale": "en", "role": "user",
                        "preferences": {}, "licenses": []})

    @fake.get("/api/v1/<kind>")
    def listing(kind):
        state["seen"].append({"xff": request.headers.get("X-Forwarded-For"),
                              "lang": request.headers.get("Accept-Language")})
        if not authorized():
            return jsonify({"status": 401}), 401
        return jsonify({"items": []})

    @fake.get("/api/v1/contracts/<contract_id>")
    def contract(contract_id):  # "c1" was signed electronically (request "req-1"), others were not
        return jsonify({"id": contract_id, "signature_request_id": "req-1" if contract_id == "c1" else None})

    @fake.get("/api/v1/signature-requests/<request_id>/<document>.pdf")
    def signature_document(request_id, document):
        return (f"%PDF {document} of {request_id}".encode(), 200,
                {"Content-Type": "application/pdf", "Content-Disposition": f'attachment; filename="{document}.pdf"'})

    @fake.get("/q/<token>")
    def quote_page(token):
        return f"quote page {token} from {request.headers.get('X-Forwarded-For')}"

    server = make_server("127.0.0.1", 0, fake, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{server.server_port}"
    yield state
    server.shutdown()


@pytest.fixture
def web(gateway):
    return create_app({"GATEWAY_URL": gateway["url"], "WEB_SESSION_KEY": "unit-test-key", "TESTING": True,
                       "PUBLIC_URL": "http://paraph.test"})


def csrf(client, path="/sign-in") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def choose_password(client, page: str, language: str | None = None):
    """Post a good password on the page of an invitation's or a reset's link (``page``, with its token), as a
    browser in ``language`` does."""
    return client.post(page, data={"password": "a good long password", "password_confirm": "a good long password",
                                   "csrf_token": csrf(client, page)},
                       headers={"Accept-Language": language} if language else {})


def sign_in(client, password="right password"):
    return client.post("/sign-in", data={"email": "ann@acme.test", "password": password, "csrf_token": csrf(client)},
                       headers={"Accept-Language": "en"})


def test_a_post_without_the_session_csrf_token_is_refused(web):
    client = web.test_client()
    assert client.post("/sign-in", data={"email": "a@b.test", "password": "x"}).status_code == 400
    token = csrf(client)
    assert client.post("/sign-in", data={"email": "a", "password": "x", "csrf_token": token + "x"}).status_code == 400
    # another browser's token is not this session's
    other = csrf(web.test_client())
    assert client.post("/sign-in", data={"email": "a", "password": "x", "csrf_token": other}).status_code == 400
    # htmx sends it as a header
    r = client.post("/sign-in", data={"email": "a@b.test", "password": "wrong"}, headers={"X-CSRF-Token": token})
    # (no Accept-Language: the page is French, the API's refusal said in French too)
    assert r.status_code == 401 and "Adresse email ou mot de passe incorrect." in r.get_data(as_text=True)


def test_session_cookie_is_encrypted_httponly_and_samesite_lax(web):
    client = web.test_client()
    r = sign_in(client)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith(COOKIE_NAME + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    assert "access-1" not in value and "refresh-1" not in value and "ann@acme.test" not in value
    # over HTTPS (or an https PUBLIC_URL) the cookie is Secure
    https = create_app({"GATEWAY_URL": "http://127.0.0.1:1", "WEB_SESSION_KEY": "k", "PUBLIC_URL": "https://p.test"})
    r = https.test_client().get("/sign-in")
    assert "Secure" in r.headers["Set-Cookie"]
    # a cookie from another key (or tampered with) is no session
    other = create_app({"GATEWAY_URL": "http://127.0.0.1:1", "WEB_SESSION_KEY": "another key"}).test_client()
    other.set_cookie(COOKIE_NAME, value)
    assert other.get("/").status_code == 302


def test_a_customers_contact_is_sent_to_the_customer_portal(web, gateway):
    """She signs in again on the portal's form (its session is its own), told why, in this page's language."""
    gateway["role"] = "client"
    client = web.test_client()
    r = sign_in(client)
    assert r.status_code == 302 and r.headers["Location"] == "/portal?portal_account=1&lang=en"
    assert "refresh-1" not in gateway["refresh"]  # the session it opened was ended at once
    assert client.get("/").status_code == 302  # no staff session


def test_security_headers_on_every_page(web):
    r = web.test_client().get("/sign-in")
    csp = r.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert f'nonce="{nonce}"' in r.get_data(as_text=True)
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Cache-Control"] == "no-store"
    assert nonce not in web.test_client().get("/sign-in").headers["Content-Security-Policy"]  # one per response


def test_expired_access_token_is_refreshed_transparently_and_ended_sessions_sign_out(web, gateway):
    client = web.test_client()
    sign_in(client)
    gateway["access"] = "access-rotated"  # the access token the session holds has expired
    gateway["refresh"] = {"refresh-1"}
    r = client.get("/", headers={"Accept-Language": "en"})
    assert r.status_code == 200 and "Quotes awaiting the customer's answer" in unescape(r.get_data(as_text=True))
    assert gateway["access"] == "access-2"  # refreshed once, then the page loaded
    assert gateway["seen"][-1] == {"xff": "127.0.0.1", "lang": "en"}
    # the session ended elsewhere (deactivated, password changed): back to sign-in, tokens forgotten
    gateway["access"], gateway["refresh"] = "access-3", set()
    r = client.get("/account")
    assert r.status_code == 302 and r.headers["Location"] == "/sign-in?next=%2Faccount"
    assert client.get("/").status_code == 302


def test_next_after_sign_in_stays_on_this_site(web):
    for target, expected in (("/contracts/c1", "/contracts/c1"), ("//evil.test/x", "/"),
                             ("https://evil.test", "/"), ("/\\evil.test", "/")):
        client = web.test_client()
        r = client.post("/sign-in", data={"email": "a@b.test", "password": "right password",
                                          "csrf_token": csrf(client), "next": target})
        assert r.headers["Location"] == expected, target


def test_pages_speak_the_users_language_else_the_browsers(web):
    client = web.test_client()
    assert "Se connecter" in client.get("/sign-in", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert "Sign in" in client.get("/sign-in", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert "Se connecter" in client.get("/sign-in", headers={"Accept-Language": "de"}).get_data(as_text=True)
    sign_in(client)  # Ann's setting is English (her /me locale): it wins over a French browser
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_the_admin_area_is_closed_to_plain_users(web):
    """Users and seats are for license admins and front user managers, perimeters for admins: a plain
    user's request is refused before any API call (the gateway refuses it too)."""
    client = web.test_client()
    sign_in(client)  # the fake gateway's user has the role "user"
    for path in ("/settings/users", "/settings/users/invite", "/settings/users/u2", "/settings/perimeters",
                 "/settings/perimeters/new", "/settings/portal"):
        assert client.get(path).status_code == 403, path
    token = {"csrf_token": csrf(client, "/account")}
    for path in ("/settings/users/u2/deactivate", "/settings/portal/c1/company", "/settings/portal/c1/deactivate"):
        assert client.post(path, data=token).status_code == 403, path


def test_error_pages_are_pages(web, gateway):
    client = web.test_client()
    r = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert r.status_code == 404 and "does not exist" in r.get_data(as_text=True)
    down = create_app({"GATEWAY_URL": "http://127.0.0.1:1", "WEB_SESSION_KEY": "k"}).test_client()
    r = down.post("/sign-in", data={"email": "a@b.test", "password": "x", "csrf_token": csrf(down)},
                  headers={"Accept-Language": "en"})
    assert r.status_code == 503 and "temporarily unavailable" in r.get_data(as_text=True)


def test_proxy_forwards_the_gateway_paths_with_the_client_address(gateway):
    app = create_app({"GATEWAY_URL": gateway["url"], "WEB_SESSION_KEY": "k", "PROXY_GATEWAY": True})
    client = app.test_client()
    r = client.get("/q/abc", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    # the forged entry stays first; the gateway (one trusted hop) takes the last: the real address
    assert r.get_data(as_text=True) == "quote page abc from 203.0.113.9, 198.51.100.7"
    assert client.get("/sign-in").status_code == 200  # pages are the web app's


def extracted_messages(package):
    """Every translatable string of the web app's code and templates, as babel's ``extract_from_dir`` yields them
    (filename, line, message, comments, context): the keywords of web/README.md's extract command."""
    from babel.messages.extract import extract_from_dir
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "ngettext": (1, 2), "lazy_gettext": None, "_verbatim": None,
                "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
    return extract_from_dir(str(package), method_map, keywords=keywords)


def test_catalogs_are_complete_and_compiled():
    """Every string of the code and templates is in the French catalog, translated, and the committed .mo
    matches the .po (run the commands of web/README.md "Translations" when this fails)."""
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po
    # (context, message): a word said two ways ("Annulée" of a request, "Annulé" of a person) has a context
    found = {(msg[4], msg[2] if isinstance(msg[2], str) else msg[2][0]) for msg in extracted_messages(PACKAGE)}
    directory = PACKAGE / "translations" / "fr" / "LC_MESSAGES"
    with open(directory / "messages.po", "rb") as f:
        po = read_po(f)
    with open(directory / "messages.mo", "rb") as f:
        mo = read_mo(f)
    translated = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m.string for m in po if m.id and not m.fuzzy}
    assert not found - set(translated), f"not in messages.po: {sorted(found - set(translated))}"
    assert not [k for k in found if not translated[k] or translated[k] == ("",) * len(translated[k])]
    def entries(catalog):
        return {m.id if isinstance(m.id, str) else tuple(m.id): tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string
                for m in catalog if m.id and not m.fuzzy}
    assert entries(mo) == entries(po)


def test_a_thing_the_api_no_longer_finds_is_said_in_the_page_language():
    """A delete or an action on something a colleague (another tab) removed, or out of the reader's perimeters: the
    API's "Contract not found." reached French pages in English (a front user manager's walkthrough)."""
    from paraph_web.api_messages import translate
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        for detail in ("Contract not found.", "Task not found.", "Signature request not found.", "API key not found."):
            assert translate(detail) == "Cet élément n'existe plus, ou ne vous est plus visible."
        assert translate("User not found in this license.") != "Cet élément n'existe plus, ou ne vous est plus visible."
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert translate("Contract not found.") == "This item no longer exists, or is no longer visible to you."


def test_api_field_errors_are_shown_in_the_page_language():
    """marshmallow's and Paraph's English messages come translated, their numbers kept; unknown ones as they are."""
    from paraph_web.api import ApiError
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    exc = ApiError(422, {"status": 422, "detail": "Invalid input", "errors": {
        "name": ["Length must be between 1 and 100."], "email": ["Not a valid email address."],
        "title": ["Missing data for required field."], "lines": {"0": {"quantity": ["Must be greater than or equal to 0."]}},
        "role": ["Must be one of: user, license_admin."], "note": ["Something only Paraph says."]}})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert exc.field_errors == {"name": "Obligatoire, 100 caractères au plus.", "email": "Adresse email non valide.",
                                    "title": "Obligatoire.", "lines.0.quantity": "Au moins 0.",
                                    "role": "Choisissez parmi\u00a0: user, license_admin.",
                                    "note": "Something only Paraph says."}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert exc.field_errors["name"] == "Required, at most 100 characters."
    # a number of the message written as the page's language writes it; an amount's bound no one types is not said
    amount = ApiError(422, {"status": 422, "errors": {
        "quantity": ["Must be greater than or equal to 1 and less than 1000000."],
        "amount": ["Must be greater than or equal to 0 and less than 1000000000000."],
        "email": ["already invited in this license"]}})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert amount.field_errors == {"quantity": "Au moins 1 et moins de 1\u202f000\u202f000.",
                                       "amount": "Un nombre positif ou nul.", "email": "Déjà invité dans cette licence."}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert amount.field_errors["quantity"] == "At least 1 and less than 1,000,000."
        assert amount.field_errors["amount"] == "A positive number or zero."
    # a phone number's refusal, said shortly with examples: test_screenshot_review_second_pass.py


def test_the_settings_refusals_are_said_in_the_page_language():
    """An email template's (notify's words), a custom column's or flag's (contracts'): a French license admin read
    "unknown variables: lien (available: ...)" and "A column 'region' already exists." in English."""
    from paraph_web.api import ApiError
    from paraph_web.api_messages import translate
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    template = ApiError(422, {"status": 422, "errors": {
        "text": ["unknown variables: lien (available: link, name)"],
        "html": ["syntax error line 12: expected token 'end of statement block', got 'pouvez'"],
        "sms": ["must contain {{ link }}"], "subject": ["at most 300 characters"]}})
    column = ApiError(422, {"status": 422, "errors": {"key": ["lowercase letters, digits, _"],
                                                      "choices": ["a choice column needs choices"]}})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert template.field_errors == {
            "text": "Variables inconnues\u00a0: lien. Disponibles\u00a0: link, name.",
            "html": "Erreur de syntaxe à la ligne 12\u00a0: expected token 'end of statement block', got 'pouvez'",
            "sms": "Doit contenir {{ link }}.", "subject": "Au plus 300 caractères."}
        assert column.field_errors == {
            "key": "Uniquement des lettres minuscules, des chiffres et _, par exemple prix_net.",
            "choices": "Indiquez les choix, séparés par des virgules."}
        assert translate("A flag 'urgent' already exists.") == "Une autre étiquette a déjà la clé urgent."
        # a contract type's template that does not compile (contracts' describe_template_error)
        assert translate("line 67: unexpected '}', expected ')'") == "ligne 67\u00a0: unexpected '}', expected ')'"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert template.field_errors["text"] == "Unknown variables: lien. Available: link, name."
        assert translate("A column 'region' already exists.") == "Another column already has the key region."


def test_a_length_refusal_says_required_of_an_empty_text_and_at_most_of_a_too_long_one():
    """marshmallow says "Length must be between 1 and N." of an empty text as of a too long one: the page knows
    what it sent (the call's body, walked as the errors' keys), so it says which ("Obligatoire, 300 caractères
    au plus." only when it does not know the value)."""
    from flask import session

    from paraph_web import api
    from paraph_web.api import ApiError
    fake = Flask("fake_gateway")
    length = ["Length must be between 1 and 300."]

    @fake.post("/api/v1/deals")
    def refuse():
        return jsonify({"status": 422, "errors": {"title": length, "notes": length, "stage": length,
                                                  "lines": {"0": {"description": length}, "1": {"description": length}},
                                                  "tags": {"0": length}}}), 422

    body = {"title": "", "notes": "x" * 301, "stage": "won", "lines": [{"description": "  "}, {"description": "ok"}],
            "tags": [None]}
    with web_in_front_of(fake) as app:
        for language, said in (("fr", ("Obligatoire.", "Au plus 300 caractères.",
                                       "Obligatoire, 300 caractères au plus.")),
                               ("en", ("Required.", "At most 300 characters.", "Required, at most 300 characters."))):
            required, at_most, either = said
            with app.test_request_context(headers={"Accept-Language": language}):
                session["access_token"] = "access-1"
                with pytest.raises(ApiError) as refused:
                    api.post("/deals", body)
                # the last three: a length the value sent does not explain
                assert refused.value.field_errors == {
                    "title": required, "notes": at_most, "lines.0.description": required,
                    "stage": either, "lines.1.description": either, "tags.0": either}
    # without the body (an error made by a page, a file sent): both are named, as before
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert ApiError(422, {"errors": {"title": length}}).field_errors == {
            "title": "Required, at most 300 characters."}


def test_every_event_type_a_webhook_may_take_is_described_in_the_page_language():
    """The API describes the event types in English (for integrators); the webhook form says what each one
    means in the page's language: a type notify adds must be described here too."""
    logic = pytest.importorskip("notify_service.logic")
    from paraph_web.api_messages import translate
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    descriptions = [description for _source, description in logic.PUBLIC_EVENT_TYPES.values()]
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert [d for d in descriptions if translate(d) == d] == []
        assert translate("A signer signed.") == "Un signataire a signé."


def test_the_signed_pdf_and_the_proof_are_streamed_from_the_contracts_signature_request(web):
    client = web.test_client()
    sign_in(client)
    r = client.get("/contracts/c1/signed.pdf")
    assert r.status_code == 200 and r.data == b"%PDF signed of req-1" and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"] == 'attachment; filename="signed.pdf"'
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]  # only the inline preview is framable
    assert client.get("/contracts/c1/proof.pdf").data == b"%PDF proof of req-1"
    assert client.get("/contracts/c2/signed.pdf").status_code == 404  # signed outside Paraph: no such file
    assert client.get("/contracts/c1/other.pdf").status_code == 404


def test_an_action_the_api_refuses_goes_back_with_the_reason_said():
    """A second click on "Stop sharing" or "Deactivate" (the API answers 404/409) is not an error page."""
    from flask import Flask, get_flashed_messages, redirect

    from paraph_web.api import ApiError
    from paraph_web.pages.forms import refusal_said

    def act(status):
        @refusal_said(back=lambda contract_id: redirect(f"/contracts/{contract_id}"))
        def action(contract_id):
            raise ApiError(status, {"detail": "Already stopped."})
        return action

    app = Flask("t")
    app.secret_key = "k"
    for status in (403, 404, 409, 422):
        with app.test_request_context("/"):
            answer = act(status)(contract_id="c1")
            assert answer.status_code == 302 and answer.headers["Location"] == "/contracts/c1"
            assert get_flashed_messages(with_categories=True) == [("err", "Already stopped.")]
    with app.test_request_context("/"), pytest.raises(ApiError):  # a fault stays a fault (the 503 page)
        act(503)(contract_id="c1")


def test_every_delete_says_a_refusal_on_the_page():
    """Deleting (revoking, deactivating, cancelling) what a colleague or another tab already removed goes back to the
    page with the API's reason, never to the "not found" error page: each such POST view is wrapped in
    refusal_said, or says the refusal itself (the deal page, the columns and flags page)."""
    import ast
    pages = pathlib.Path(__file__).parent.parent / "src" / "paraph_web" / "pages"
    says_it_itself = {("deals.py", "delete"), ("settings_license.py", "delete_column"),
                      ("settings_license.py", "delete_flag")}
    silent = []
    for module in sorted(pages.glob("*.py")):
        for view in ast.walk(ast.parse(module.read_text())):
            if not isinstance(view, ast.FunctionDef):
                continue
            decorators = [ast.unparse(d) for d in view.decorator_list]
            removes = any(".post(" in d and any(word in d for word in ("delete", "revoke", "deactivate", "cancel"))
                          for d in decorators)
            if removes and not any("refusal_said" in d for d in decorators) \
                    and (module.name, view.name) not in says_it_itself:
                silent.append(f"{module.name}:{view.name}")
    assert silent == []


def test_a_refused_status_move_is_said_in_the_page_language():
    """The contract page's status buttons: a move the API refuses (the status changed meanwhile, a manager's
    move) comes back to the page with the reason in the reader's language."""
    from flask import get_flashed_messages, redirect

    from paraph_web.api import ApiError
    from paraph_web.pages.forms import refusal_said

    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    for status, detail, said in (
            (409, "A quote cannot go from draft to refused.",
             "Ce changement de statut n'est plus possible\u00a0: le statut a changé entre-temps."),
            (403, "this action needs one of the roles: license_admin, front_user_manager",
             "Votre rôle ne permet pas cette action.")):
        @refusal_said(back=lambda contract_id: redirect(f"/contracts/{contract_id}"))
        def move(contract_id):
            raise ApiError(status, {"detail": detail})

        with app.test_request_context("/", headers={"Accept-Language": "fr"}):
            assert move(contract_id="c1").headers["Location"] == "/contracts/c1"
            assert get_flashed_messages(with_categories=True) == [("err", said)]


def test_a_fields_extra_attributes_reach_the_browser_as_attributes(web):
    """``attrs`` of the field macro (min, step, inputmode: what a phone keyboard follows) are markup, not text."""
    with web.test_request_context("/"):
        macros = web.jinja_env.get_template("macros.html").module
        html = str(macros.field("quantity", "Quantity", type="number", attrs='min="0" inputmode="decimal"'))
    assert 'min="0" inputmode="decimal"' in html, html


def test_times_in_lists_read_like_the_other_dates_of_the_pages():
    """A list's date and time drops the seconds, not the month's name ("04/12/2026 23:50" read unlike the rest)."""
    from paraph_web.i18n import moment
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert moment("2026-12-04T23:50:12Z", "short") == "4 déc. 2026, 23:50 UTC"
        assert moment("2026-12-04T23:50:12Z") == "4 déc. 2026, 23:50:12 UTC"


def test_the_first_of_a_month_is_an_ordinal_in_french():
    """French writes "1er mars 2027" (Babel's patterns give "1 mars 2027"); not "11 mars", not in English."""
    from paraph_web.i18n import day, moment
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert (day("2027-03-01"), day("2027-03-11"), day("2027-03-21")) == ("1er mars 2027", "11 mars 2027",
                                                                              "21 mars 2027")
        assert moment("2027-03-01T09:30:00Z", "short") == "1er mars 2027, 09:30 UTC"
        assert moment("2027-03-01T09:30:00Z") == "1er mars 2027, 09:30:00 UTC"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert day("2027-03-01") == "1 Mar 2027"


def test_a_page_title_never_breaks_a_document_number_across_lines():
    """Browsers break lines after a hyphen: a phone showed "Devis Q-2026-" over "00001"."""
    from markupsafe import Markup
    from paraph_web.i18n import codes_whole
    assert codes_whole("Devis Q-2026-00001") == 'Devis <span class="nowrap">Q-2026-00001</span>'
    assert codes_whole(Markup("Approbation &amp; signature — FAC-12")) == (
        'Approbation &amp; signature — <span class="nowrap">FAC-12</span>')
    assert codes_whole("Jean-Pierre <b>") == "Jean-Pierre &lt;b&gt;"  # words are not codes; text stays escaped


def test_times_are_shown_in_the_browsers_time_zone_with_their_offset():
    """app.js keeps the browser's time zone in the ``tz`` cookie: a signature at 23:52 UTC is read at 00:52
    the next day in Paris, as the sealed PDF says it; no cookie, or a name that is no zone: UTC. A calendar
    day stays that day wherever the reader is."""
    from paraph_web.i18n import day, moment
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    signed = "2026-12-04T23:52:55Z"
    cases = {"Europe/Paris": ("5 déc. 2026, 00:52:55 UTC+1", "5 déc. 2026, 00:52 UTC+1"),
             "Asia/Kolkata": ("5 déc. 2026, 05:22:55 UTC+5:30", "5 déc. 2026, 05:22 UTC+5:30"),
             "America/Montreal": ("4 déc. 2026, 18:52:55 UTC-5", "4 déc. 2026, 18:52 UTC-5"),
             "": ("4 déc. 2026, 23:52:55 UTC", "4 déc. 2026, 23:52 UTC"),
             "../../etc/passwd": ("4 déc. 2026, 23:52:55 UTC", "4 déc. 2026, 23:52 UTC")}
    for zone, expected in cases.items():
        with app.test_request_context(headers={"Accept-Language": "fr", "Cookie": f"tz={zone}"}):
            assert (moment(signed), moment(signed, "short")) == expected, zone
            assert day("2027-01-15") == "15 janv. 2027"


def test_every_variable_of_the_email_templates_is_described_in_the_page_language():
    """notify documents each template's variables in English; the template editor shows them translated."""
    catalog = pytest.importorskip("notify_service.template_catalog")
    from paraph_web.api_messages import translate
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    descriptions = {d for variables in catalog.VARIABLES.values() for d, _sample in variables.values()}
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert [d for d in sorted(descriptions) if translate(d) == d] == []
        assert translate("recipient's name") == "nom du destinataire"
    # a date's description says how |date or |datetime writes it, as notify does, rather than "ISO 8601"
    templates = pytest.importorskip("notify_service.templates")
    dates = {d: sample for variables in catalog.VARIABLES.values() for d, sample in variables.values()
             if "ISO 8601" in d}
    for locale in ("fr", "en"):
        with app.test_request_context(headers={"Accept-Language": locale}):
            for description, sample in dates.items():
                shown = translate(description)
                written = (templates.format_datetime if "|datetime" in shown else templates.format_date)(sample, locale)
                assert "ISO" not in shown and written in shown, description


def test_every_email_template_has_a_name_in_the_page_language():
    """The email templates page names each of notify's templates, never by its identifier alone."""
    catalog = pytest.importorskip("notify_service.template_catalog")
    from paraph_web.pages.settings_templates import PURPOSES
    assert set(PURPOSES) == set(catalog.TEMPLATE_NAMES)
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    names = {}
    for locale in ("en", "fr"):
        with app.test_request_context(headers={"Accept-Language": locale}):
            names[locale] = {name: str(purpose) for name, purpose in PURPOSES.items()}
    assert [name for name in PURPOSES if names["fr"][name] == names["en"][name]] == []
    assert names["fr"]["customer_self_updated"] == "Coordonnées mises à jour par un client (au commercial)"
    # "document signed" has two templates, the signers' copy (from the company) and the salesperson's
    assert names["fr"]["signature_completed"] == "Document signé (aux signataires)"
    assert names["fr"]["signature_completed_owner"] == "Document signé (au commercial)"


def test_a_client_who_chose_her_password_is_told_so_on_the_portals_sign_in():
    """The portal keeps its own session: a client who chose her password there lands on its sign-in form, in the
    page's language, told her password is saved (one who joined with the password she had is only sent there)."""
    fake = Flask("fake_gateway")
    ended = []

    @fake.post("/api/v1/auth/link-info")
    def link_info():
        return jsonify({"purpose": "invitation", "email": "bob@client.test", "name": "Bob", "company": "Immo Conseil",
                        "role": "client", "has_password": request.get_json()["token"] == "joining-token-1",
                        "expires_at": "2031-01-01T00:00:00Z"})

    @fake.post("/api/v1/auth/accept-invitation")
    def accept():
        return jsonify({**session_answer(refresh="client-refresh"), "role": "client"})

    @fake.post("/api/v1/auth/logout")
    def logout():
        ended.append(request.get_json()["refresh_token"])
        return jsonify({"logged_out": True})

    with web_in_front_of(fake) as web:
        # her sign-in form filled with her email (portal.js reads the fragment)
        for token, language, landing in (("client-token-1", "fr", "/portal?password_set=1&lang=fr#email=bob%40client.test"),
                                         ("client-token-2", "en", "/portal?password_set=1&lang=en#email=bob%40client.test"),
                                         ("joining-token-1", "fr", "/portal#email=bob%40client.test")):
            client = web.test_client()
            page = f"/set-password?token={token}"
            r = choose_password(client, page, language)
            assert r.status_code == 302 and r.headers["Location"] == landing, (token, r.headers.get("Location"))
            assert client.get("/").status_code == 302  # no staff session: the one opened was ended at once
    assert ended == ["client-refresh"] * 3


def test_a_client_who_reset_her_password_is_told_so_on_the_portals_sign_in():
    """A reset link for a company's portal (link_info: role client, identity's client_password_reset) ends on the
    portal's sign-in, told the password is saved, as her invitation does; a Paraph account's, on the staff's."""
    fake = Flask("fake_gateway")
    roles = {"client-reset-1": ("client", "Immo Conseil"), "staff-reset-1": (None, None)}
    reset = []

    @fake.post("/api/v1/auth/link-info")
    def link_info():
        role, company = roles[request.get_json()["token"]]
        return jsonify({"purpose": "reset", "email": "bob@client.test", "name": "Bob", "company": company,
                        "role": role, "has_password": True, "expires_at": "2031-01-01T00:00:00Z"})

    @fake.post("/api/v1/auth/reset-password")
    def reset_password():
        reset.append(request.get_json()["token"])
        return jsonify({"reset": True})

    with web_in_front_of(fake) as web:
        for token, language, landing in (("client-reset-1", "fr", "/portal?password_set=1&lang=fr#email=bob%40client.test"),
                                         ("client-reset-1", "en", "/portal?password_set=1&lang=en#email=bob%40client.test"),
                                         ("staff-reset-1", "fr", "/sign-in?password_reset=1")):
            client = web.test_client()
            page = f"/reset-password?token={token}"
            shown = unescape(client.get(page, headers={"Accept-Language": language}).get_data(as_text=True))
            assert ("Immo Conseil" in shown) == (token == "client-reset-1")  # her company's portal, named
            r = choose_password(client, page, language)
            assert r.status_code == 302 and r.headers["Location"] == landing, (token, r.headers.get("Location"))
    assert reset == ["client-reset-1", "client-reset-1", "staff-reset-1"]


def test_every_page_the_services_email_to_staff_is_a_page_of_this_app():
    from urllib.parse import urlsplit

    from paraph_platform import staff_pages
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:1", "WEB_SESSION_KEY": "k"})
    routes = app.url_map.bind("paraph.test")
    base = "https://paraph.test/"  # with a trailing slash, as PUBLIC_URL may be written
    for link in (staff_pages.contract_page(base, "c-1"), staff_pages.signature_request_page(base, "r-1"),
                 staff_pages.customer_history_page(base, "cu-1"), staff_pages.document_page(base, "c-1", "r-1"),
                 staff_pages.document_page(base, None, "r-1"), staff_pages.document_page(base, None)):
        path = urlsplit(link).path
        assert "//" not in path, link
        endpoint, _ = routes.match(path, method="GET")  # raises NotFound for a path no page answers
        assert endpoint != "static", link
    assert staff_pages.document_page(base, None, "r-1").endswith("/signatures/documents/r-1")
    assert staff_pages.document_page(base, None) == "https://paraph.test/"


def test_rates_are_written_as_each_language_writes_a_percentage():
    """As the PDF and the client's quote page write them (paraph_platform.totals.rate_text): the API's "20.00"
    is "20 %", not "20,00 %"."""
    from flask_babel import force_locale

    from paraph_web.i18n import percent
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:1", "WEB_SESSION_KEY": "k"})
    with app.test_request_context():
        with force_locale("fr"):
            assert [percent(v) for v in ("20", "5.5", "0", "20.00", "5.50")] == [
                "20\u00a0%", "5,5\u00a0%", "0\u00a0%", "20\u00a0%", "5,5\u00a0%"]
        with force_locale("en"):
            assert [percent(v) for v in ("20", "5.5", "12.345")] == ["20%", "5.5%", "12.345%"]
            assert percent("not a rate") == ""


def test_counts_are_grouped_as_the_page_language_writes_numbers():
    """A list's count said "1234 devis": Babel's ngettext puts the raw number in, in pages and templates."""
    from flask import render_template_string
    from flask_babel import force_locale

    from paraph_web.i18n import ngettext
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:1", "WEB_SESSION_KEY": "k"})
    with app.test_request_context():
        with force_locale("fr"):
            assert ngettext("%(num)s customer", "%(num)s customers", 1234) == "1\u202f234 clients"
            assert render_template_string('{{ ngettext("%(num)s customer", "%(num)s customers", 1234) }}') == (
                "1\u202f234 clients")
            assert ngettext("%(num)s customer", "%(num)s customers", 1) == "1 client"
        with force_locale("en"):
            assert render_template_string('{{ ngettext("%(num)s customer", "%(num)s customers", 1234) }}') == (
                "1,234 customers")


def test_a_saved_number_is_shown_in_its_input_as_the_user_would_type_it():
    from flask_babel import force_locale

    from paraph_web.pages.forms import as_typed
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:1", "WEB_SESSION_KEY": "k"})
    with app.test_request_context():
        with force_locale("fr"):
            assert [as_typed(v) for v in ("1.000", "5.50", "9000.00", None)] == ["1", "5,5", "9000", ""]
            assert [as_typed(v, money=True) for v in ("12000.00", "11500.50", "0.125")] == [
                "12000", "11500,50", "0,125"]  # cents kept; a price finer than a cent as it is
        with force_locale("en"):
            assert as_typed("11500.50", money=True) == "11500.50"


def test_the_favicon_is_paraphs_icon_not_a_404(web):
    """Every page names the icon; /favicon.ico, which browsers ask for anyway, is the same icon."""
    client = web.test_client()
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in client.get("/sign-in").get_data(as_text=True)
    for path in ("/favicon.svg", "/favicon.ico"):
        r = client.get(path)
        assert r.status_code == 200 and r.mimetype == "image/svg+xml" and b"<svg" in r.data, path


def test_too_many_requests_is_said_in_the_pages_language_with_the_wait():
    """The gateway's 429 says "More than 600 requests in 60 seconds; retry in 12 seconds." in English: a French
    page says the wait in French, from the problem's retry_after."""
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/customers")
    def customers():
        return jsonify({"status": 429, "code": "rate_limited", "retry_after": 12,
                        "detail": "More than 600 requests in 60 seconds; retry in 12 seconds."}), 429

    with web_in_front_of(fake, locale=lambda: "fr") as web:
        client = web.test_client()
        sign_in(client)
        page = client.get("/customers")
        text = page.get_data(as_text=True)
        assert page.status_code == 429
        assert "Trop de requêtes en peu de temps\u00a0: réessayez dans 12 secondes." in text, text[:3000]
        assert "More than 600" not in text


def test_an_unexpected_error_and_a_refused_request_are_said_in_the_pages_language(gateway):
    """A page that fails showed Flask's English "Internal Server Error"; a request the app cannot take (a URL too
    long, a field tampered with) its English name. Both are said in the page's language, without the details."""
    app = create_app({"GATEWAY_URL": gateway["url"], "WEB_SESSION_KEY": "unit-test-key",
                      "PUBLIC_URL": "http://paraph.test"})
    from werkzeug.exceptions import RequestURITooLarge

    def too_long():
        raise RequestURITooLarge()
    app.add_url_rule("/boom", "boom", lambda: 1 / 0)
    app.add_url_rule("/too-long", "too_long", too_long)
    client = app.test_client()
    page = client.get("/boom", headers={"Accept-Language": "fr"})
    text = page.get_data(as_text=True)
    assert page.status_code == 500 and "Un problème est survenu" in text
    assert "Internal Server Error" not in text and "ZeroDivisionError" not in text
    page = client.get("/too-long", headers={"Accept-Language": "fr"})
    text = page.get_data(as_text=True)
    assert page.status_code == 414 and "Cette demande ne peut pas être traitée" in text and "URI" not in text


def test_a_clients_set_password_page_speaks_to_a_client_and_elides_de():
    """A customer's contact invited to the client portal is no colleague of the staff: the page says what the
    password is for, and whom the name is shown to ("l'équipe d'Immo Conseil", not "de Immo Conseil")."""
    fake = Flask("fake_gateway")
    roles = {"client-token-1": "client", "staff-token-1": "user"}

    @fake.post("/api/v1/auth/link-info")
    def link_info():
        token = request.get_json()["token"]
        return jsonify({"purpose": "invitation", "email": "bob@client.test", "name": "Bob Durand",
                        "company": "Immo Conseil", "role": roles[token], "has_password": False,
                        "expires_at": "2031-01-01T00:00:00Z"})

    with web_in_front_of(fake) as web:
        client = web.test_client()

        def text(token, language):
            return unescape(client.get(f"/set-password?token={token}",
                                            headers={"Accept-Language": language}).get_data(as_text=True))
        page = text("client-token-1", "fr")
        assert "Tel que l'équipe d'Immo Conseil le lira" in page and "collègues" not in page
        assert "pour consulter les documents partagés avec vous" in page
        staff = text("staff-token-1", "fr")
        assert "Tel que vos collègues et vos clients le liront" in staff and "partagés avec vous" not in staff
        assert "As the team of Immo Conseil will read it" in text("client-token-1", "en")
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    from flask import render_template_string
    title = '{{ _("Portal access of %(de_name)s", de_name=name|de) }}'
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert render_template_string(title, name="Anna") == "Accès portail d&#39;Anna"
        assert render_template_string(title, name="Paul") == "Accès portail de Paul"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string(title, name="Anna") == "Portal access of Anna"


def test_a_clients_emailed_link_speaks_the_language_of_its_email_not_her_browsers():
    """A French contact's invitation is French: its page, and the portal it leads to, are French in an English
    browser too (link_info's locale), and so is the page of her link once used; a member of staff's too (their
    profile's language: their invitation's, and their pages' once signed in)."""
    fake = Flask("fake_gateway")
    holders = {"client-token-1": ("client", "Immo Conseil"), "staff-token-1": ("user", "ACME Paris")}

    @fake.post("/api/v1/auth/link-info")
    def link_info():
        token = request.get_json()["token"]
        if token == "used-client-token":
            return jsonify({"type": "about:blank", "title": "Gone", "status": 410, "detail": "This link was already used.",
                            "company": "Immo Conseil", "role": "client", "locale": "fr"}), 410
        role, company = holders[token]
        return jsonify({"purpose": "invitation", "email": "bob@client.test", "name": "Bob Durand", "company": company,
                        "role": role, "locale": "fr", "has_password": False, "expires_at": "2031-01-01T00:00:00Z"})

    @fake.post("/api/v1/auth/accept-invitation")
    def accept():
        return jsonify({**session_answer(refresh="client-refresh"), "role": "client"})

    @fake.post("/api/v1/auth/logout")
    def logout():
        return jsonify({"logged_out": True})

    english = {"Accept-Language": "en"}
    with web_in_front_of(fake) as web:
        client = web.test_client()
        page = unescape(client.get("/set-password?token=client-token-1", headers=english).get_data(as_text=True))
        assert '<html lang="fr">' in page and "Tel que l'équipe d'Immo Conseil le lira" in page
        r = choose_password(client, "/set-password?token=client-token-1", "en")
        assert r.status_code == 302 and r.headers["Location"] == "/portal?password_set=1&lang=fr#email=bob%40client.test"
        used = client.get("/set-password?token=used-client-token", headers=english)
        text = unescape(used.get_data(as_text=True))
        assert used.status_code == 410 and "demandez à votre interlocuteur chez Immo Conseil" in text
        staff = unescape(client.get("/set-password?token=staff-token-1", headers=english).get_data(as_text=True))
        assert '<html lang="fr">' in staff and "Tel que vos collègues et vos clients le liront" in staff
