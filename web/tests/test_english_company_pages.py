"""What an English-speaking company read or typed wrong on the staff pages (an outside-in walk in en-GB): the
activation made a French company; "1,250.00" typed as a price was refused and "10,000" read as 10; the send
screen's preview signed the email "ACME Paris"; dates were American for a reader in the UK; a phone number's
error gave French numbers as examples. French pages keep their own ways."""
from __future__ import annotations

from datetime import datetime, timezone
from html import unescape

from flask import Flask, jsonify, request

from web.tests.test_web import csrf, web_in_front_of

NNBSP = "\u202f"


def app():
    from web.src.paraph_web.app import create_app
    return create_app({"WEB_SESSION_KEY": "k", "TESTING": True})


def test_an_english_page_reads_thousands_commas_a_french_one_decimal_commas():
    from web.src.paraph_web.pages.forms import typed_number
    with app().test_request_context(headers={"Accept-Language": "en-GB,en;q=0.9"}):
        assert [typed_number(x) for x in ("1,250.00", "1,250", "10,000", "-1,000", "1 250.5")] == [
            "1250.00", "1250", "10000", "-1000", "1250.5"]
        # a comma that cannot be a thousands one stays a decimal comma (a European's "2,5" on an English page)
        assert [typed_number(x) for x in ("2,5", "0,125", "1,2345", "12,50")] == ["2.5", "0.125", "1.2345", "12.50"]
    with app().test_request_context(headers={"Accept-Language": "fr"}):
        assert [typed_number(x) for x in ("1,250", f"10{NNBSP}000,50", "2,5")] == ["1.250", "10000.50", "2.5"]


def test_an_english_page_writes_dates_as_its_company_does_whatever_the_browsers_region():
    """The order of a page's dates follows its language and the company's country
    (paraph_platform.dates.formats_locale), not the browser's region: a French or British company's English page
    read in an American browser wrote "Dec 7, 2026, 1:18:05 PM", the other way round from its quotes and emails. A
    company of the United States reads the month first; signed out, as a company that has not said its country.
    French pages keep France's formats."""
    from flask import session
    from flask_babel import format_datetime, get_locale

    from web.src.paraph_web import i18n
    moment = datetime(2026, 12, 7, 13, 18, 5, tzinfo=timezone.utc)
    day_first, month_first = "7 Dec 2026, 13:18:05", f"Dec 7, 2026, 1:18:05{NNBSP}PM"
    for country, accepted, shown in (
            ("GB", "en-US,en", day_first), ("FR", "en-US,en", day_first), ("FR", "en", day_first),
            (None, "en-US,en", day_first), ("DE", "en-XX,en", day_first), ("GB", "en-GB,en;q=0.9", day_first),
            ("US", "en-GB,en;q=0.9", month_first), ("US", "en-US,en", month_first), ("PR", "en", month_first),
            ("FR", "fr-CH,fr", "7 déc. 2026, 13:18:05"), ("US", "fr", "7 déc. 2026, 13:18:05")):
        with app().test_request_context(headers={"Accept-Language": accepted}):
            session[i18n.COMPANY_COUNTRY] = country
            assert format_datetime(moment) == shown, (country, accepted)
            assert i18n.page_language() == accepted[:2]  # the words: the language's, whatever its region
            assert get_locale().language == accepted[:2]


def _gateway_of_a_company_in(country: str) -> Flask:
    """A fake gateway whose company is established in ``country``, its sessions refreshed once."""
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/license")  # any signed-in user reads the settings
    def license_settings():
        return jsonify({"id": "l1", "name": "ACME", "settings": {"country": country, "default_locale": "en"}})

    @fake.post("/api/v1/auth/refresh")
    def refresh():
        from web.tests.test_web import session_answer
        return jsonify(session_answer("access-2", "refresh-2"))

    return fake


def test_the_company_country_is_read_at_sign_in_and_kept_when_the_session_is_refreshed():
    """The sign-in reads the company's country; a refreshed session (every 15 minutes) keeps it, and keeps the
    profile's language: its answer carries neither, and an English-speaking salesperson of a French company with an
    American browser read English, day-first pages, then, once refreshed, American dates."""
    from flask import session

    from web.src.paraph_web import api
    from web.src.paraph_web.i18n import COMPANY_COUNTRY
    from web.tests.test_web import sign_in
    with web_in_front_of(_gateway_of_a_company_in("GB"), locale=lambda: "fr") as web:
        client = web.test_client()
        sign_in(client)
        with client.session_transaction() as signed_in:
            assert signed_in[COMPANY_COUNTRY] == "GB" and signed_in["user"]["locale"] == "fr"
            kept = dict(signed_in)
        with web.test_request_context(headers={"Accept-Language": "en-US,en"}):
            session.update(kept)
            assert api.refresh_session() and session["access_token"] == "access-2"
            assert session[COMPANY_COUNTRY] == "GB" and session["user"]["locale"] == "fr"
            assert session["user"]["email"] == "ann@acme.test"  # the rest is the new session's answer


def test_the_activation_page_makes_a_company_of_its_language():
    fake, sent = Flask("fake_gateway"), []

    @fake.post("/api/v1/licenses/activate")
    def activate():
        sent.append(request.get_json())
        return jsonify({"license": {"name": "Thames Tools Ltd"}, "admin": {"email": "emma@thamestools.test"}}), 201

    with web_in_front_of(fake, locale=lambda: "en") as web:
        for accepted in ("en-GB,en;q=0.9", "fr"):
            client = web.test_client()
            r = client.post("/activate", headers={"Accept-Language": accepted}, data={
                "activation_code": "70F2-AA83-4870-49C5", "company_name": "Thames Tools Ltd",
                "admin_email": "emma@thamestools.test", "admin_name": "Emma Clarke",
                "csrf_token": csrf(client, "/activate")})
            assert r.status_code == 200, r.status_code
    assert [body["locale"] for body in sent] == ["en", "fr"]


def test_a_refused_phone_number_gives_examples_of_the_country_it_was_read_in():
    """A UK customer's number is read in the United Kingdom (paraph_platform.phones): the refusal names the country in
    the page's language and gives its numbers as examples, whoever reads it."""
    from paraph_platform.phones import phone_error
    from web.src.paraph_web.api_messages import translate
    refusal = phone_error("GB")
    with app().test_request_context(headers={"Accept-Language": "en-GB"}):
        assert translate(refusal) == ("Not a valid phone number (United Kingdom): e.g. 07400\u00a0123456 or "
                                      "+44\u00a07400\u00a0123456.")
    with app().test_request_context(headers={"Accept-Language": "fr"}):
        assert translate(refusal) == ("Numéro invalide (Royaume-Uni)\u00a0: ex. 07400\u00a0123456 ou "
                                      "+44\u00a07400\u00a0123456.")


def test_the_send_screens_preview_is_signed_by_the_senders_company():
    """The preview's variables name the company (the session's license), not the templates' sample one."""
    fake, previews = Flask("fake_gateway"), []
    quote = {"id": "q-1", "kind": "quote", "number": "Q-2026-00001", "title": "Workshop fit-out", "status": "draft",
             "customer_id": "cu-1", "contact_id": "ct-1", "locale": "en", "valid_until": None}

    @fake.get("/api/v1/contracts/q-1")
    def contract():
        return jsonify(quote)

    @fake.get("/api/v1/customers/cu-1")
    def customer():
        return jsonify({"id": "cu-1", "name": "Brightwater Joinery Ltd", "contacts": [
            {"id": "ct-1", "name": "Sophie Turner", "email": "sophie@brightwater.test"}]})

    @fake.get("/api/v1/quotes/q-1/send")
    def send_info():
        return jsonify({"contract_id": "q-1", "sent": False, "sends": 0, "sent_to": {}, "template": "quote_send",
                        "templates": ["quote_send", "quote_reminder"], "default_contact_id": "ct-1",
                        "customer_id": "cu-1", "request_signature_default": True})

    @fake.post("/api/v1/notification-templates/quote_send/preview")
    def preview():
        previews.append(request.get_json()["vars"])
        return jsonify({"subject": "Quote Q-2026-00001", "text": "Hello", "html": "<p>Hello</p>"})

    from web.tests.test_web import sign_in
    with web_in_front_of(fake, locale=lambda: "en") as web:
        client = web.test_client()
        sign_in(client)
        r = client.get("/contracts/q-1/send", headers={"Accept-Language": "en-GB"})
    assert r.status_code == 200, unescape(r.get_data(as_text=True))[:2000]
    # the fake session's company (this fake's is called as the samples' one: notify filled in no name here)
    assert previews and all(v.get("license_name") == "ACME Paris" for v in previews), previews
