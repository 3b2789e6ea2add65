"""Helpers for notify's tests: publish events on the test vhost and read the notify database (the loopback
webhook receiver, ``webhook_receiver``, is paraph_platform.testing's)."""
import time

import pytest
from sqlalchemy import create_engine, text

from paraph_platform.db import normalize_url
from paraph_platform.envelope import make_event


@pytest.fixture
def publish(rabbit_config):
    """``publish(source, type, data, license_id=..., id=...)`` -> the envelope, sent like an outbox relay would."""
    from nameko.standalone.events import event_dispatcher
    dispatch = event_dispatcher({"AMQP_URI": rabbit_config["AMQP_URI"], "serializer": "json"})

    def pub(source, type, data, *, license_id=None, subject=None, id=None):
        envelope = make_event(source, type, data, license_id=license_id, subject=subject, id=id)
        dispatch(source, type, envelope)
        return envelope

    return pub


class DbReader:
    def __init__(self, url):
        self.engine = create_engine(normalize_url(url))

    def all(self, sql, **params):
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql), params)]

    def one(self, sql, **params):
        rows = self.all(sql, **params)
        assert len(rows) == 1, rows
        return rows[0]

    def wait(self, sql, predicate=lambda rows: rows, timeout=15.0, **params):
        deadline = time.time() + timeout
        while True:
            rows = self.all(sql, **params)
            if predicate(rows):
                return rows
            if time.time() > deadline:
                raise AssertionError(f"timed out waiting on {sql}: {rows}")
            time.sleep(0.1)


@pytest.fixture
def db_reader():
    readers = []

    def make(url):
        r = DbReader(url)
        readers.append(r)
        return r

    yield make
    for r in readers:
        r.engine.dispose()


# -- whole-system helpers (identity + notify + gateway, mail sink) ------------------------------------

def notify_config(sink, **extra):
    """notify's settings for a test: the in-process sink for mail and SMS, a short retry schedule."""
    return {"SMTP_URL": sink.smtp_url, "MAIL_FROM": "Paraph <no-reply@paraph.test>", "SMS_PROVIDER": "sink",
            "SMS_API_URL": sink.sms_url, "NOTIFY_RETRY_SCHEDULE": "0.2,0.2,0.2,0.2", **extra}


@pytest.fixture
def notify_settings(mail_sink):
    """``notify_settings(**extra)`` -> config for ``start_service("notify", **config)``."""
    return lambda **extra: notify_config(mail_sink, **extra)


class Paraph:
    """A running system plus helpers that go through the gateway and read emails from the sink."""

    def __init__(self, system, sink):
        self.s = system
        self.sink = sink

    def __getattr__(self, name):
        return getattr(self.s, name)

    def link_for(self, email, count=1):
        messages = self.sink.wait_for_messages(count=count, to=email)
        links = [l for l in messages[count - 1]["links"] if "token=" in l]
        assert links, messages[count - 1]
        return links[0]

    @staticmethod
    def token_of(link):
        return link.split("token=", 1)[1]

    def activate(self, company, admin_email, password="correct horse battery"):
        from datetime import datetime, timedelta, timezone
        from paraph_platform.testing import TEST_OPERATOR_TOKEN
        r = self.s.post("/api/v1/operator/seat-pools", json={
            "name": company, "seats": 20, "expires_at": (datetime.now(timezone.utc) + timedelta(days=365)).isoformat()},
            headers={"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"})
        assert r.status_code == 201, r.json
        r = self.s.post("/api/v1/licenses/activate", json={"activation_code": r.json["activation_code"],
                                                           "company_name": company, "admin_email": admin_email,
                                                           "admin_name": "Admin"})
        assert r.status_code == 201, r.json
        r = self.s.post("/api/v1/auth/accept-invitation",
                        json={"token": self.token_of(self.link_for(admin_email)), "password": password})
        assert r.status_code == 200, r.json
        return r.json

    def join(self, admin, email, role="user", password="another good password", **extra):
        r = self.s.post("/api/v1/users", json={"email": email, "role": role, **extra}, token=admin["access_token"])
        assert r.status_code == 201, r.json
        r = self.s.post("/api/v1/auth/accept-invitation",
                        json={"token": self.token_of(self.link_for(email)), "password": password})
        assert r.status_code == 200, r.json
        return r.json


@pytest.fixture
def paraph(system, mail_sink):
    def build(**notify_extra):
        # perimeter: the delivery log a front user manager reads is filtered by the customers' perimeters
        s = system("identity", "perimeter", "notify",
                   service_config={"notify": notify_config(mail_sink, **notify_extra)})
        return Paraph(s, mail_sink)
    return build
