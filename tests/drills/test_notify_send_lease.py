"""Drill (e): the real notify service (``python -m paraph_platform.run notify``) and its send lease.

1. SIGKILL mid-send. Two emails hang in the mail sink: one before the point of no return (the sink holds
   its RCPT reply: nothing can be delivered yet), one after (the sink stored it and holds its 250 reply:
   in doubt). notify is killed -9 and restarted at once, with the default lease: both emails arrive
   within 15 s of the restart, each exactly once in the mailbox (the in-doubt one is resent with the
   same Message-ID, which the mailbox recognises; see services/notify/src/notify_service/delivery.py).
2. A slow but alive send, far longer than the lease: the sender renews its lease while it waits
   (heartbeat), so no other sender takes the row over and the email is sent once, in one attempt.
"""
from __future__ import annotations

import time

import pytest
from kombu import Connection

from tests.drills.harness import ServiceProcess, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.integration, pytest.mark.timeout(150)]

EVENT_QUEUE = "evt-identity-notification.requested.v1--notify.on_identity_notification"
HOLD = 60  # seconds the sink holds its reply on a first attempt: "never answers" within the drill


def request(to):
    return {"channel": "email", "to": to, "locale": "fr", "template": "invitation", "dedupe_key": f"lease:{to}",
            "vars": {"name": "Marie", "license_name": "ACME", "link": "http://paraph.test/set-password?token=T",
                     "expires_at": "2030-01-01T00:00:00Z"}}


class Notify:
    """The notify process on the test's vhost and database, plus what the drill reads from them."""

    def __init__(self, amqp, db_url, sink, log_dir, **extra_env):
        self.amqp, self.db_url, self.sink = amqp, db_url, sink
        env = {"AMQP_URI": amqp, "NOTIFY_DATABASE_URL": db_url, "SMTP_URL": sink.smtp_url,
               "MAIL_FROM": "Paraph <no-reply@paraph.test>", "PARAPH_DATA_DIR": str(log_dir), "LOG_LEVEL": "INFO",
               **extra_env}
        self.process = ServiceProcess("notify", env, log_dir)

    def start(self) -> float:
        """Start the process and wait until it consumes; returns when it was started (monotonic)."""
        started = time.monotonic()
        self.process.start()
        with Connection(self.amqp) as conn:
            wait_for(lambda: conn.default_channel.queue_declare(EVENT_QUEUE, passive=True).consumer_count >= 1,
                     60, 0.1, "notify to consume notification requests")
        return started

    def request_email(self, to):
        from nameko.standalone.events import event_dispatcher
        from paraph_platform.envelope import make_event
        dispatch = event_dispatcher({"AMQP_URI": self.amqp, "serializer": "json"})
        dispatch("identity", "notification.requested.v1",
                 make_event("identity", "notification.requested.v1", request(to), license_id="lic-lease"))

    def rows(self) -> dict:
        from sqlalchemy import text
        from paraph_platform.db import make_engine
        with make_engine(self.db_url).connect() as conn:
            return {r.recipient: r for r in conn.execute(text(
                "select recipient, status, phase, attempts, in_doubt_resends, lease_until, message_id "
                "from notifications"))}

    def hits(self, stage) -> int:
        return sum(r["hits"] for r in self.sink.faults.rules() if r["stage"] == stage)


def test_a_notify_killed_mid_send_delivers_within_15s_of_its_restart_exactly_once(rabbit_config, make_db, mail_sink,
                                                                                  tmp_path):
    notify = Notify(rabbit_config["AMQP_URI"], make_db("notify"), mail_sink, tmp_path)  # default lease
    before, doubt = "before-commit@example.test", "in-doubt@example.test"
    mail_sink.faults.add("rcpt", delay=HOLD, rcpt="before-commit", times=1)
    mail_sink.faults.add("data_end", delay=HOLD, rcpt="in-doubt", times=1)
    try:
        notify.start()
        notify.request_email(before)
        notify.request_email(doubt)

        def mid_send():
            rows = notify.rows()
            return (notify.hits("rcpt") == 1 and notify.hits("data_end") == 1 and len(rows) == 2
                    and rows[before].phase == "claimed" and rows[doubt].phase == "committing")
        wait_for(mid_send, 20, 0.05, "both sends hanging, one on each side of the point of no return")
        assert mail_sink.messages(to=before) == [] and len(mail_sink.messages(to=doubt)) == 1
        time.sleep(1.0)  # well inside a lease: the rows are held by a live sender, not yet expired
        notify.process.kill()

        restarted = notify.start()
        delivered = {}

        def both_sent():
            rows = notify.rows()
            for to in (before, doubt):
                if to not in delivered and rows[to].status == "sent":
                    delivered[to] = time.monotonic() - restarted
            return len(delivered) == 2
        wait_for(both_sent, 30, 0.05, "both emails sent by the restarted notify")
        assert max(delivered.values()) <= 15, delivered

        rows = notify.rows()
        for to in (before, doubt):
            [copy] = mail_sink.messages(to=to)                       # exactly once in the mailbox
            assert copy["message_id"] == rows[to].message_id
            assert rows[to].attempts == 2
        assert rows[before].in_doubt_resends == 0 and mail_sink.messages(to=before)[0]["duplicates"] == 0
        assert rows[doubt].in_doubt_resends == 1 and mail_sink.messages(to=doubt)[0]["duplicates"] == 1
        assert mail_sink.stats()["accepted"] == 2
        print(f"\n[drill e] notify killed -9 mid-send, restarted at once (lease 10 s, renewed every 3.3 s): "
              f"email cut before the point of no return sent {delivered[before]:.1f}s after the restart (process "
              f"start), the "
              f"in-doubt one {delivered[doubt]:.1f}s after (same Message-ID, shown once)")
    finally:
        notify.process.stop()


def test_a_slow_live_send_keeps_its_lease_and_is_sent_once(rabbit_config, make_db, mail_sink, tmp_path):
    lease, hold = 2.0, 8.0  # the sink stores the email then holds its 250 reply for four leases
    notify = Notify(rabbit_config["AMQP_URI"], make_db("notify"), mail_sink, tmp_path, NOTIFY_SEND_LEASE=str(lease))
    slow = "slow-server@example.test"
    mail_sink.faults.add("data_end", delay=hold, rcpt="slow-server", times=1)
    try:
        notify.start()
        notify.request_email(slow)
        wait_for(lambda: notify.hits("data_end") == 1, 20, 0.05, "the send to hang after the point of no return")
        leases = []
        deadline = time.monotonic() + hold - 1
        while time.monotonic() < deadline:
            row = notify.rows()[slow]
            assert row.status == "sending" and row.attempts == 1, "another sender took the row over"
            leases.append(row.lease_until)
            time.sleep(0.5)
        wait_for(lambda: notify.rows()[slow].status == "sent", 10, 0.05, "the slow email to be sent")
        row = notify.rows()[slow]
        assert (row.attempts, row.in_doubt_resends) == (1, 0)
        [copy] = mail_sink.messages(to=slow)
        assert copy["duplicates"] == 0 and mail_sink.stats()["accepted"] == 1
        renewals = len(set(leases)) - 1
        assert renewals >= 3, leases                    # the heartbeat pushed the lease forward while it waited
        print(f"\n[drill e] a send held {hold:.0f}s by the SMTP server with a {lease:.0f}s lease: lease renewed "
              f"{renewals} times, sent once in one attempt")
    finally:
        notify.process.stop()
