"""notification.requested.v1 -> rendered email/SMS through real RabbitMQ, PostgreSQL and the mail sink."""
import pytest

pytestmark = pytest.mark.integration


def request(to="marie@example.test", template="invitation", dedupe_key="invitation:1", channel="email", **vars_):
    return {"channel": channel, "to": to, "locale": "fr", "template": template, "user_id": "u1",
            "dedupe_key": dedupe_key,
            "vars": {"name": "Marie", "license_name": "ACME", "link": "http://paraph.test/set-password?token=T1",
                     "expires_at": "2030-01-01T00:00:00Z", **vars_}}


def test_a_requested_email_is_rendered_sent_logged_and_deduplicated(start_service, mail_sink, notify_settings, publish,
                                                                    db_reader):
    svc = start_service("notify", **notify_settings())
    db = db_reader(svc.db_url)
    event = publish("identity", "notification.requested.v1", request(), license_id="lic-1")
    [m] = mail_sink.wait_for_messages(to="marie@example.test")
    assert m["subject"] == "Invitation à rejoindre ACME sur Paraph"
    assert "http://paraph.test/set-password?token=T1" in m["links"]
    row = db.wait("select * from notifications", lambda rows: rows and rows[0]["status"] == "sent")[0]
    assert row["message_id"] == m["message_id"] and row["event_id"] == event["id"] and row["attempts"] == 1
    assert row["vars"] is None  # the single-use link is not kept once sent
    # the same event again, and another event with the same dedupe key: nothing more is sent
    publish("identity", "notification.requested.v1", request(), license_id="lic-1", id=event["id"])
    publish("contracts", "notification.requested.v1", request(), license_id="lic-1")
    db.wait("select * from inbox where consumer = 'notify.notification_requested'", lambda rows: len(rows) == 2)
    assert len(db.all("select * from notifications")) == 1 and len(mail_sink.messages()) == 1
    assert mail_sink.stats()["accepted"] == 1 and mail_sink.stats()["duplicates"] == 0


def test_a_customers_email_comes_from_the_company_and_writes_times_in_its_time_zone(
        start_service, mail_sink, notify_settings, publish, db_reader):
    """A customer of ACME Paris does not know Paraph: the From of their emails names the company (the address is
    the platform's, a reply reaches the salesperson); staff emails come from Paraph. Times are the license's."""
    svc = start_service("notify", **notify_settings())
    db = db_reader(svc.db_url)

    def license_updated(version, **settings):
        event = publish("identity", "license.updated.v1", {"license_id": "lic-tz", "name": "ACME Paris",
                                                           "settings": settings, "version": version},
                        license_id="lic-tz")
        db.wait("select 1 from inbox where event_id = :e", e=event["id"])

    license_updated(2, default_locale="fr", time_zone="America/Montreal")
    license_updated(1, default_locale="fr", time_zone="Asia/Tokyo")  # late: an older version changes nothing
    assert db.all("select time_zone, version from license_time_zones") == [
        {"time_zone": "America/Montreal", "version": 2}]
    # a company of the United States (the settings' country, replicated with its zone) reads English dates month
    # first, as its staff pages write them
    event = publish("identity", "license.updated.v1", {"license_id": "lic-us", "name": "Hudson Tools", "settings": {
        "default_locale": "en", "time_zone": "America/New_York", "country": "US"}, "version": 1}, license_id="lic-us")
    db.wait("select 1 from inbox where event_id = :e", e=event["id"])
    assert db.all("select country from license_time_zones where license_id = 'lic-us'") == [{"country": "US"}]
    publish("contracts", "notification.requested.v1", {**request(
        to="amy@buyer.test", template="quote_reminder", dedupe_key="quote_reminder:us", license_name="Hudson Tools",
        number="Q-9", link="http://paraph.test/q/us", sent_at="2030-01-15T23:30:00Z"), "locale": "en"},
        license_id="lic-us")
    [american] = mail_sink.wait_for_messages(to="amy@buyer.test")
    assert "January 15, 2030" in american["text"]  # 6:30 PM in New York
    publish("signing", "notification.requested.v1", {
        **request(to="jeanne@client.test", template="signature_request", dedupe_key="signature_request:p1",
                  sender_name="Paul Martin", license_name="ACME Paris", number="Q-7", link="http://paraph.test/sign/x",
                  expires_at="2030-07-15T06:40:00Z"), "reply_to": "paul@acme.test"}, license_id="lic-tz")
    [m] = mail_sink.wait_for_messages(to="jeanne@client.test")
    assert m["from"] == "ACME Paris <no-reply@paraph.test>" and m["mail_from"] == "no-reply@paraph.test"
    assert ["Reply-To", "paul@acme.test"] in m["headers"]
    assert "expire le 15 juillet 2030 à 02:40 (heure de Montréal)." in m["text"]
    # the staff's invitation, of the same license: from Paraph
    publish("identity", "notification.requested.v1", request(to="colleague@acme.test"), license_id="lic-tz")
    [staff] = mail_sink.wait_for_messages(to="colleague@acme.test")
    assert staff["from"] == "Paraph <no-reply@paraph.test>"
    # a client's password reset (identity asks for her company's portal's): from the company, as her invitation;
    # a Paraph account's, from Paraph
    link = "http://paraph.test/reset-password?token=R1"
    publish("identity", "notification.requested.v1", request(
        to="alice@client.test", template="client_password_reset", dedupe_key="reset:a", license_name="ACME Paris",
        link=link, expires_at="2030-07-15T07:40:00Z"), license_id="lic-tz")
    publish("identity", "notification.requested.v1", request(
        to="boss@acme.test", template="password_reset", dedupe_key="reset:b", license_name="", link=link))
    [client_reset] = mail_sink.wait_for_messages(to="alice@client.test")
    assert client_reset["from"] == "ACME Paris <no-reply@paraph.test>" and link in client_reset["links"]
    assert "portail client d'ACME Paris" in client_reset["subject"]
    assert "expire le 15 juillet 2030 à 03:40 (heure de Montréal)." in client_reset["text"]
    [staff_reset] = mail_sink.wait_for_messages(to="boss@acme.test")
    assert staff_reset["from"] == "Paraph <no-reply@paraph.test>" and "Paraph" in staff_reset["subject"]
    # a license notify has not heard of yet: Paris time
    publish("portal", "notification.requested.v1", request(
        to="marc@client.test", template="quote_reminder", dedupe_key="quote_reminder:s1", license_name="Immo & Fils",
        number="D-1", link="http://paraph.test/q/x", sent_at="2030-01-15T23:30:00Z"), license_id="lic-unknown")
    [reminder] = mail_sink.wait_for_messages(to="marc@client.test")
    assert reminder["from"] == "Immo & Fils <no-reply@paraph.test>"
    assert "envoyé le 16 janvier 2030." in reminder["text"]  # 00:30 in Paris: the day the customer got it
    assert "_from_name" not in reminder["text"]


def test_sms_bad_addresses_and_smtp_retries(start_service, mail_sink, notify_settings, publish, db_reader):
    svc = start_service("notify", **notify_settings())
    db = db_reader(svc.db_url)
    publish("signing", "notification.requested.v1",
            {"channel": "sms", "to": "+33 6 12 34 56 78", "locale": "en", "template": "signature_otp",
             "dedupe_key": "otp:1", "vars": {"code": "482913", "minutes": 5, "name": "Jo"}}, license_id="lic-1")
    [sms] = mail_sink.wait_for_sms(to="+33612345678")
    assert "482913" in sms["text"] and "5 min" in sms["text"]
    publish("identity", "notification.requested.v1", request(to="not-an-email", dedupe_key="k2"), license_id="lic-1")
    publish("identity", "notification.requested.v1", {"channel": "email", "to": "x@example.test",
                                                      "template": "no_such_template", "dedupe_key": "k3"})
    # a temporary SMTP refusal is retried on the published schedule, with the same Message-ID
    mail_sink.faults.add("data_end", reply="451 4.3.0 try again later", times=2)
    publish("identity", "notification.requested.v1", request(to="retry@example.test", dedupe_key="k4"),
            license_id="lic-1")
    [m] = mail_sink.wait_for_messages(to="retry@example.test")
    rows = {r["dedupe_key"]: r for r in db.wait(
        "select * from notifications", lambda rows: len(rows) == 4 and all(r["status"] in ("sent", "failed") for r in rows))}
    assert rows["otp:1"]["status"] == "sent" and rows["otp:1"]["provider_id"] == sms["id"]
    assert rows["k2"]["status"] == "failed" and "not a valid email" in rows["k2"]["error"]
    assert rows["k3"]["status"] == "failed" and "invalid request" in rows["k3"]["error"]
    assert rows["k4"]["status"] == "sent" and rows["k4"]["attempts"] == 3 and rows["k4"]["message_id"] == m["message_id"]


def _wait(predicate, timeout=15.0, message="condition"):
    import time
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(0.05)


def test_a_sender_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(
        start_service, make_db, mail_sink, notify_settings, publish, db_reader):
    """Kill the notify container while messages are in flight at both sides of the point of no
    return, start a new one on the same database and vhost: every notification arrives exactly once.

    * ``fast-*``   sent before the crash: never sent again.
    * ``before-*`` stuck waiting for the RCPT reply (before the end of DATA): the SMTP transaction
                   dies with the sender, the new container sends them once.
    * ``doubt-*``  the sink stored them then held its 250 reply (the in-doubt window): the new
                   container sends them again with the same Message-ID, which the sink recognises.
    * ``late-*``   published while no notify container runs: kept by RabbitMQ, sent once.
    """
    url = make_db("notify")
    db = db_reader(url)
    timing = {"SMTP_TIMEOUT": 4, "NOTIFY_ATTEMPT_TIMEOUT": 4.5, "NOTIFY_SEND_LEASE": 5}
    mail_sink.faults.add("rcpt", delay=8, rcpt="before-", times=2)
    mail_sink.faults.add("data_end", delay=8, rcpt="doubt-", times=2)
    first = start_service("notify", db_url=url, **notify_settings(**timing))
    events = {}
    for kind in ("fast", "before", "doubt"):
        for i in range(2):
            to = f"{kind}-{i}@example.test"
            events[to] = publish("identity", "notification.requested.v1", request(to=to, dedupe_key=f"kill:{to}"),
                                 license_id="lic-1")

    def in_flight():
        rows = {r["recipient"]: r for r in db.all("select recipient, status, phase from notifications")}
        stored = {m["rcpt_to"][0] for m in mail_sink.messages()}
        held_at_rcpt = [r for r in mail_sink.faults.rules() if r["stage"] == "rcpt"][0]["hits"]
        return (len(rows) == 6 and held_at_rcpt == 2
                and all(rows[f"fast-{i}@example.test"]["status"] == "sent" for i in range(2))
                and all(rows[f"doubt-{i}@example.test"]["phase"] == "committing" for i in range(2))
                and {"doubt-0@example.test", "doubt-1@example.test"} <= stored)
    _wait(in_flight, message="messages in flight on both sides of the point of no return")
    first.kill()  # a crash: no cleanup, rows stay 'sending'

    for i in range(2):
        to = f"late-{i}@example.test"
        events[to] = publish("identity", "notification.requested.v1", request(to=to, dedupe_key=f"kill:{to}"),
                             license_id="lic-1")
    start_service("notify", db_url=url, **notify_settings(**timing))

    rows = db.wait("select * from notifications",
                   lambda rows: len(rows) == 8 and all(r["status"] == "sent" for r in rows), timeout=30)
    by_to = {r["recipient"]: r for r in rows}
    assert {r["event_id"] for r in rows} == {e["id"] for e in events.values()}
    for to in events:
        copies = mail_sink.messages(to=to)
        assert len(copies) == 1, (to, copies)                       # exactly once in the mailbox
        assert copies[0]["message_id"] == by_to[to]["message_id"]   # one stable Message-ID per event
    dupes = {m["rcpt_to"][0]: m["duplicates"] for m in mail_sink.messages()}
    for i in range(2):
        fast, before, doubt, late = (by_to[f"{k}-{i}@example.test"] for k in ("fast", "before", "doubt", "late"))
        assert (fast["attempts"], dupes[f"fast-{i}@example.test"]) == (1, 0)      # not sent again
        assert (before["attempts"], before["in_doubt_resends"]) == (2, 0)          # resumed, no copy
        assert dupes[f"before-{i}@example.test"] == 0
        assert (doubt["attempts"], doubt["in_doubt_resends"]) == (2, 1)            # resent, same Message-ID
        assert dupes[f"doubt-{i}@example.test"] == 1
        assert (late["attempts"], dupes[f"late-{i}@example.test"]) == (1, 0)
    # the SMTP transactions cut before the end of DATA were never delivered
    _wait(lambda: mail_sink.stats()["aborted"] >= 2, timeout=12, message="aborted transactions")
    assert mail_sink.stats()["accepted"] == 8


def test_attachments_are_fetched_from_the_producer_with_retries(
        start_service, container_factory, rabbit_config, mail_sink, notify_settings, publish, db_reader):
    import base64

    from nameko.rpc import rpc

    from paraph_platform.errors import EXPECTED, NotFound

    pdf = b"%PDF-1.4\n% a contract\n%%EOF\n"
    calls = []

    class FakeContracts:
        name = "contracts"

        @rpc(expected_exceptions=EXPECTED)
        def get_pdf(self, license_id, contract_id):
            calls.append((license_id, contract_id))
            if len(calls) == 1:
                raise NotFound("The PDF is not generated yet.")
            return {"content_b64": base64.b64encode(pdf).decode(), "content_type": "application/pdf"}

    container_factory(FakeContracts, {"AMQP_URI": rabbit_config["AMQP_URI"], "serializer": "json"}).start()
    svc = start_service("notify", **notify_settings(NOTIFY_ATTACHMENT_ATTEMPTS=3))
    db = db_reader(svc.db_url)
    data = request(to="client@example.test", template="quote_send", dedupe_key="quote_send:c1",
                   number="D-42", link="http://paraph.test/portal/q/c1")
    data["attachments"] = [{"kind": "contract_pdf", "id": "c1", "filename": "Devis D-42.pdf"},
                           {"kind": "signed_pdf", "id": "r1"}]  # no signing service is running
    publish("contracts", "notification.requested.v1", data, license_id="lic-9")
    [m] = mail_sink.wait_for_messages(to="client@example.test")
    assert "Consulter le devis" in m["text"] and "http://paraph.test/portal/q/c1" in m["links"]
    [att] = m["attachments"]
    assert att["filename"] == "Devis D-42.pdf" and base64.b64decode(att["content_b64"]) == pdf
    # The row says "sent" just after the SMTP server has the message: wait for it rather than read it at once.
    [row] = db.wait("select * from notifications", lambda rows: rows and rows[0]["status"] == "sent")
    assert row["attempts"] == 3 and calls[0] == ("lic-9", "c1")
    assert row["warnings"] and "signed_pdf r1" in row["warnings"][0] and "signing" in row["warnings"][0]


def test_embedded_sqlite_mode_delivers_too(start_service, mail_sink, notify_settings, publish, db_reader, tmp_path):
    """`./paraph up` without DATABASE_URL keeps notify's data in SQLite: same behaviour."""
    from paraph_platform.migrations import upgrade
    url = f"sqlite:///{tmp_path / 'notify.db'}"
    upgrade("notify", url)
    svc = start_service("notify", db_url=url, **notify_settings())
    db = db_reader(url)
    event = publish("identity", "notification.requested.v1", request(to="lite@example.test", dedupe_key="lite"),
                    license_id="lic-1")
    publish("identity", "notification.requested.v1", request(to="lite@example.test", dedupe_key="lite"),
            license_id="lic-1")  # another event, same key
    [m] = mail_sink.wait_for_messages(to="lite@example.test")
    rows = db.wait("select * from notifications", lambda rows: rows and rows[0]["status"] == "sent")
    assert len(rows) == 1 and rows[0]["event_id"] == event["id"] and m["message_id"] == rows[0]["message_id"]
    db.wait("select * from inbox", lambda rows: len(rows) == 2)
    assert svc.db_url == url and len(mail_sink.messages()) == 1
