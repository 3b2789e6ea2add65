"""Signatures, retry schedules, URL checks, SMTP settings, senders, time zones, preferences."""
import base64
import hashlib
import hmac
import time

import pytest

from notify_service import logic, time_zones
from notify_service.exceptions import InvalidInput


# -- signatures ---------------------------------------------------------------------------------

def test_signature_is_standard_webhooks_hmac_over_id_timestamp_body():
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    body = b'{"id":"evt_1","type":"user.invited.v1"}'
    expected = base64.b64encode(hmac.new(b"k" * 32, b"evt_1.1700000000." + body, hashlib.sha256).digest()).decode()
    assert logic.sign(secret, "evt_1", 1700000000, body) == "v1," + expected


def test_receivers_verify_signature_and_timestamp():
    secret = logic.new_webhook_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    envelope = {"id": "evt_2", "type": "quote.viewed.v1", "data": {"x": "é"}}
    body = logic.webhook_body(envelope)
    now = int(time.time())
    headers = logic.webhook_headers(envelope, body, [secret], now)
    assert headers["Webhook-Id"] == "evt_2" and headers["Paraph-Event-Type"] == "quote.viewed.v1"
    assert logic.verify(secret, headers, body)
    assert not logic.verify(secret, headers, body + b" ")
    assert not logic.verify(logic.new_webhook_secret(), headers, body)
    assert not logic.verify(secret, headers, body, now=now + 301)  # replayed too late


def test_rotation_signs_with_both_secrets():
    old, new = logic.new_webhook_secret(), logic.new_webhook_secret()
    body = b"{}"
    header = logic.signature_header([new, old], "evt_3", 1, body)
    assert len(header.split(" ")) == 2
    headers = {"webhook-id": "evt_3", "webhook-timestamp": "1", "webhook-signature": header}
    assert logic.verify(old, headers, body, now=1) and logic.verify(new, headers, body, now=1)


# -- retry schedules ----------------------------------------------------------------------------

def test_published_default_schedules():
    assert logic.DEFAULT_WEBHOOK_SCHEDULE == (5, 30, 120, 600, 1800, 3600, 10800, 21600, 43200, 86400)
    assert logic.max_attempts(logic.DEFAULT_WEBHOOK_SCHEDULE) == 11
    assert sum(logic.DEFAULT_WEBHOOK_SCHEDULE) / 3600 > 40  # the whole schedule spans about two days


def test_full_jitter_backoff_stays_within_the_schedule():
    schedule = (5, 30, 120)
    assert logic.retry_delay(schedule, 1, rand=lambda: 1.0) == 5
    assert logic.retry_delay(schedule, 3, rand=lambda: 0.5) == 60
    assert logic.retry_delay(schedule, 2, rand=lambda: 0.0) == 0
    assert logic.retry_delay(schedule, 4) is None and logic.retry_delay(schedule, 0) is None
    draws = [logic.retry_delay(schedule, 2) for _ in range(200)]
    assert all(0 <= d <= 30 for d in draws) and len(set(draws)) > 100


def test_schedules_parse_from_env():
    assert logic.parse_schedule("5, 30s, 2m,1h,1d", ()) == (5, 30, 120, 3600, 86400)
    assert logic.parse_schedule(None, (1, 2)) == (1.0, 2.0)
    for bad in ("x", "-1", ","):
        with pytest.raises(ValueError):
            logic.parse_schedule(bad, ())


# -- webhook URLs -------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "example.com",
                                 "http://", "https://user:pw@example.com/h", "http://exa mple.com", "",
                                 "https://example.com:0/x", "http://[::1/", "https://.com/h", "https://xn--/h",
                                 "https://-bad.example.com/h", "https://a..example.com/h",
                                 "https://" + "a" * 64 + ".example.com/h"])
def test_bad_webhook_urls_are_refused(url):
    with pytest.raises(InvalidInput) as err:
        logic.validate_webhook_url(url)
    assert "url" in err.value.details["fields"]


@pytest.mark.parametrize("url", ["https://localhost:8080/h", "https://127.0.0.1/h", "https://10.1.2.3/h",
                                 "https://192.168.1.1/h", "https://169.254.169.254/latest", "https://[::1]:9000/",
                                 "https://[::ffff:127.0.0.1]/", "https://0.0.0.0/", "https://api.localhost/"])
def test_private_addresses_are_refused_unless_allowed(url):
    with pytest.raises(InvalidInput) as err:
        logic.validate_webhook_url(url)
    assert "addresses are not accepted" in err.value.details["fields"]["url"][0]
    assert logic.validate_webhook_url(url, allow_private=True) == url


@pytest.mark.parametrize("url", ["http://hooks.example.com/paraph", "HTTP://8.8.8.8/x", "http://127.0.0.1:9/h"])
def test_plain_http_is_refused_unless_the_operator_allows_local_receivers(url):
    """Events go out over HTTPS only (what the web page says); WEBHOOK_ALLOW_PRIVATE, the operator's setting for
    local receivers (``./paraph up``, the tests: a receiver on 127.0.0.1 has no certificate), accepts plain http."""
    with pytest.raises(InvalidInput) as err:
        logic.validate_webhook_url(url)
    assert err.value.details["fields"] == {"url": ["Only https:// URLs are accepted."]}
    assert logic.validate_webhook_url(url, allow_private=True) == url
    with pytest.raises(InvalidInput) as err:
        logic.validate_webhook_url("ftp://127.0.0.1/h", allow_private=True)
    assert err.value.details["fields"] == {"url": ["Only http:// and https:// URLs are accepted."]}


def test_public_urls_pass_and_resolution_is_checked_again():
    assert logic.validate_webhook_url(" https://hooks.example.com/paraph?x=1 ") == "https://hooks.example.com/paraph?x=1"
    assert logic.validate_webhook_url("https://8.8.8.8/x") == "https://8.8.8.8/x"
    assert logic.validate_webhook_url("https://crm.exämple.fr/h") == "https://crm.exämple.fr/h"  # by its IDNA form
    assert logic.check_resolved(["93.184.216.34"], False) is None
    assert "non-public" in logic.check_resolved(["93.184.216.34", "10.0.0.5"], False)
    assert logic.check_resolved(["127.0.0.1"], True) is None
    assert logic.check_resolved([], True) == "the host name does not resolve"


# -- event types --------------------------------------------------------------------------------

def test_event_types_for_subscriptions():
    assert logic.validate_event_types(["quote.viewed.v1", "user.invited.v1", "quote.viewed.v1"]) == \
        ["quote.viewed.v1", "user.invited.v1"]
    assert logic.validate_event_types(["user.invited.v1", "*"]) == ["*"]
    for bad in (["notification.requested.v1"], ["nope.v1"], []):
        with pytest.raises(InvalidInput):
            logic.validate_event_types(bad)
    assert logic.subscription_matches(["*"], "contract.created.v1")
    assert not logic.subscription_matches(["*"], "notification.requested.v1")
    assert not logic.subscription_matches(["user.invited.v1"], "user.activated.v1")


# -- SMTP, ids, preferences ---------------------------------------------------------------------

def test_smtp_urls():
    t = logic.parse_smtp_url("smtp://127.0.0.1:1025")
    assert (t.host, t.port, t.ssl, t.starttls, t.username) == ("127.0.0.1", 1025, False, False, None)
    t = logic.parse_smtp_url("smtp://me%40x.test:p%3Ass@mail.x.test:587")
    assert (t.username, t.password, t.starttls) == ("me@x.test", "p:ss", True)
    assert logic.parse_smtp_url("smtp://h:587?starttls=0").starttls is False
    assert logic.parse_smtp_url("smtp+starttls://h").port == 587
    t = logic.parse_smtp_url("smtps://h?verify=0")
    assert (t.port, t.ssl, t.starttls, t.verify) == (465, True, False, False)
    for bad in ("http://h", "smtp://", "smtp://h:notaport"):
        with pytest.raises(ValueError):
            logic.parse_smtp_url(bad)


def test_message_ids_are_stable_per_dedupe_key():
    a = logic.message_id("invitation:abc", "paraph.test")
    assert a == logic.message_id("invitation:abc", "paraph.test") and a.startswith("<") and a.endswith("@paraph.test>")
    assert a != logic.message_id("invitation:abd", "paraph.test")
    assert logic.delivery_key("email", "k") != logic.delivery_key("sms", "k")
    assert logic.mail_domain("Paraph <no-reply@Mail.Example.com>") == "mail.example.com"


def test_a_customers_email_comes_from_the_company_at_the_platforms_address():
    assert logic.sender_named("Paraph <no-reply@paraph.test>", "ACME Paris") == "ACME Paris <no-reply@paraph.test>"
    assert logic.sender_named("no-reply@paraph.test", "Dupont, Fils & Cie") == \
        '"Dupont, Fils & Cie" <no-reply@paraph.test>'  # quoted: a comma would split the address list
    assert logic.sender_named("Paraph <no-reply@paraph.test>", "ACME\r\nBcc: x@evil.test") == \
        '"ACME Bcc: x@evil.test" <no-reply@paraph.test>'  # one line, quoted: no header injection
    for nobody in (None, "", "  "):  # the staff's emails, or a company without a name: the platform's sender
        assert logic.sender_named("Paraph <no-reply@paraph.test>", nobody) == "Paraph <no-reply@paraph.test>"


def test_a_license_time_zone_is_its_setting_else_paris_for_french_documents():
    assert time_zones.of_settings({"time_zone": "America/Montreal", "default_locale": "fr"}) == "America/Montreal"
    assert time_zones.of_settings({"default_locale": "fr"}) == "Europe/Paris"
    assert time_zones.of_settings({}) == "Europe/Paris"  # a license's documents are French unless set otherwise
    assert time_zones.of_settings({"default_locale": "en"}) == "UTC"
    assert time_zones.of_settings({"time_zone": "Mars/Olympus", "default_locale": "en"}) == "UTC"


def test_owner_preferences_default_to_email_only():
    assert logic.owner_channels("quote_viewed", {}) == ["email"]
    assert logic.owner_channels("signed", None) == ["email"]
    assert logic.owner_channels("quote_viewed", {"quote_viewed": {"email": False, "sms": True}}) == ["sms"]
    assert logic.owner_channels("quote_downloaded", {"quote_downloaded": {"sms": True}}) == ["email", "sms"]
    assert logic.owner_channels("contract_shared", {"contract_shared": {"email": False}}) == []
    assert logic.owner_channels(None, {"quote_viewed": {"email": False}}) == ["email"]  # feedback: always


def test_phone_numbers():
    """What the SMS provider is handed: E.164 (signing writes its recipients so); a number without its country code,
    stored before, read in France; one read nowhere is not sent, and the log says why."""
    assert logic.sms_recipient("+33 6 12 34 56 78") == ("+33612345678", None)
    assert logic.sms_recipient("0033 6.12.34.56.78") == ("+33612345678", None)
    assert logic.sms_recipient("+447700900456") == ("+447700900456", None)
    assert logic.sms_recipient("06 12 34 56 78") == ("+33612345678", None)
    assert logic.sms_recipient(None) == (None, "no phone number")
    for unreadable in ("call me", "07700 900456"):  # a UK national number stored before the rule: not French
        written, why = logic.sms_recipient(unreadable)
        assert written is None and why.startswith(f"not a phone number an SMS can be sent to: {unreadable!r}"), why


def test_a_users_sms_goes_to_the_number_identity_read_in_their_companys_country():
    """identity writes a user's number in E.164 (``sms_phone``), read in the country it was checked in: a British
    company's "07700 900456" is +44, not a French number; an older identity's answer is read in France."""
    british = {"phone": "07700 900456", "sms_phone": "+447700900456"}
    assert logic.owner_sms_recipient(british) == ("+447700900456", None)
    unreadable = {"phone": "call me", "sms_phone": None}
    assert logic.owner_sms_recipient(unreadable)[0] == "call me"
    assert logic.owner_sms_recipient(unreadable)[1].startswith("not a phone number an SMS can be sent to: 'call me'")
    assert logic.owner_sms_recipient({"phone": "06 12 34 56 78"}) == ("+33612345678", None)  # no sms_phone: France
    assert logic.owner_sms_recipient({"phone": "07700 900456"})[1].startswith("not a phone number")
    assert logic.owner_sms_recipient({"phone": None, "sms_phone": None}) == ("", "the user has no phone number")


def test_two_views_of_a_quote_at_once_share_one_owner_notice_key():
    def viewed(event_id, time, contact_id="ct-1"):
        return {"id": event_id, "type": "quote.viewed.v1", "time": time,
                "data": {"contract_id": "c-1", "contact_id": contact_id}}

    def key(event):
        return logic.owner_notice_key(event, logic.owner_notice_prefix(event), "quote_viewed", "email")

    # handled at the same moment, neither sees the other's notice: the shared key lets one through
    assert key(viewed("e1", "2030-01-15T09:30:00Z")) == key(viewed("e2", "2030-01-15T09:30:01Z"))
    assert key(viewed("e1", "2030-01-15T09:30:00Z")) != key(viewed("e3", "2030-01-15T10:30:00Z"))
    assert key(viewed("e1", "2030-01-15T09:30:00Z")) != key(viewed("e4", "2030-01-15T09:30:00Z", "ct-2"))
    # other notices, and a time that cannot be read, are keyed by their event
    shared = {"id": "e5", "type": "contract.shared.v1", "time": "2030-01-15T09:30:00Z", "data": {}}
    assert key(shared) == "e5:quote_viewed:email"
    assert key(viewed("e6", "yesterday")).endswith(":e6:quote_viewed:email")


def test_owner_feedback_requested_twice_shares_one_key():
    v = {"number": "Q-1", "at": "2030-01-01T00:00:00Z"}
    a = logic.effective_dedupe_key("quote_feedback", "quote_feedback:activity-1", "lic", "Owner@x.test", v)
    b = logic.effective_dedupe_key("quote_feedback", "evt-9:quote_feedback:email", "lic", "owner@x.test", v)
    assert a == b
    assert logic.effective_dedupe_key("quote_feedback", "k", "lic", "o@x.test", {"number": "Q-1"}) == "k"
    assert logic.effective_dedupe_key("quote_viewed", "k", "lic", "o@x.test", v) == "k"


def test_an_owners_link_opens_the_documents_page_in_the_staff_app():
    owner = {"name": "Paul", "email": "paul@acme.test"}

    def link(event_type, **data):
        return logic.owner_vars({"type": event_type, "data": data}, owner, "https://paraph.test")["link"]
    assert link("quote.viewed.v1", contract_id="c-1") == "https://paraph.test/contracts/c-1"
    assert link("signature.completed.v1", contract_id="c-1", request_id="r-1") == "https://paraph.test/contracts/c-1"
    # a document uploaded for signature has no contract: its own page (it was the home page)
    assert link("signature.completed.v1", contract_id=None, request_id="r-1") == \
        "https://paraph.test/signatures/documents/r-1"


@pytest.mark.parametrize("locale, before, after", [("fr", "Canada", "Allemagne"), ("en", "Canada", "Germany")])
def test_a_self_updated_country_is_named_in_the_owners_language(locale, before, after):
    """The client portal stores a country's ISO code (paraph_platform.countries): the owner's email names it; a
    name typed before the list is written as typed."""
    event = {"type": "customer.self_updated.v1", "data": {"customer_id": "cu-1", "target": "company", "changes": [
        {"field": "address.country", "from": "Canada", "to": "DE"}, {"field": "address.city", "from": "DE", "to": None}]}}
    values = logic.owner_vars(event, {"name": "Paul", "locale": locale}, "https://paraph.test")
    assert values["changes"] == [{"field": "address.country", "from": before, "to": after},
                                 {"field": "address.city", "from": "DE", "to": ""}]  # a city is no country
