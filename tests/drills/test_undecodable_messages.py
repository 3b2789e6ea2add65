"""Drill (d): messages nobody can read, sent to the real notify service (``python -m paraph_platform.run
notify``, as in production) on its event queues and on its RPC queue.

Malformed JSON sent as application/json, text/plain, pickle, an unknown content type, no content type at
all, and an RPC request with nobody to answer (no ``reply_to``): kombu's default would ack and drop the
first four, nameko would crash the container on the fifth and sixth. Each one must be parked in
``<queue>.dlq`` with its original body bytes and content type and a header saying why
(:mod:`paraph_platform.poison`), and the service must keep serving events and RPC calls.
"""
from __future__ import annotations

import pickle
import time
import uuid

import amqp
import pytest
from kombu import Connection, Exchange, Producer

from tests.drills.harness import ServiceProcess, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.integration, pytest.mark.timeout(150)]

EVENT_QUEUE = "evt-identity-notification.requested.v1--notify.on_identity_notification"
WEBHOOK_FANOUT_QUEUE = "evt-identity-#--notify.on_identity_event"  # every identity event, for webhooks
RPC_QUEUE = "rpc-notify"

# (kind, body bytes, content type, what the parking reason must say)
POISON = [
    ("malformed-json", b'{"id": "broken", "data": {oops', "application/json", "DecodeError"),
    ("text-plain", "bonjour, ceci n'est pas un événement".encode(), "text/plain", "ContentDisallowed"),
    ("pickle", pickle.dumps({"args": [], "kwargs": {}, "note": "never unpickled"}), "application/x-python-serialize",
     "ContentDisallowed"),
    ("unknown-type", b"\x00\x01\x02 opaque \xff", "application/x-paraph-unknown", "ContentDisallowed"),
    ("no-content-type", b"raw text, no content type", None, "content type '(none)' is not accepted"),
]


def publish_raw(conn, exchange, routing_key, body, content_type, **properties):
    """A message exactly as a foreign or buggy producer would send it (no kombu serialization)."""
    if content_type is None:  # kombu always sets one: go down to the AMQP client for a message without
        headers = properties.pop("headers", {})
        conn.default_channel.basic_publish(amqp.Message(body, application_headers=headers, **properties),
                                           exchange=exchange.name, routing_key=routing_key)
        return
    Producer(conn.default_channel).publish(body, exchange=exchange, routing_key=routing_key,
                                           content_type=content_type, content_encoding="binary", **properties)


def queue_state(conn, name):
    ok = conn.default_channel.queue_declare(name, passive=True)
    return ok.message_count, ok.consumer_count


def drain(conn, name):
    messages = []
    while (msg := conn.default_channel.basic_get(name, no_ack=True)) is not None:
        messages.append(msg)
    return messages


def request(to):
    return {"channel": "email", "to": to, "locale": "fr", "template": "invitation", "dedupe_key": f"drill:{to}",
            "vars": {"name": "Marie", "license_name": "ACME", "link": "http://paraph.test/set-password?token=T",
                     "expires_at": "2030-01-01T00:00:00Z"}}


def test_undecodable_messages_are_parked_on_event_and_rpc_queues_of_a_real_service(rabbit_config, make_db, mail_sink,
                                                                                  tmp_path):
    from nameko.standalone.events import event_dispatcher
    from nameko.standalone.rpc import ClusterRpcProxy
    from paraph_platform.actor import system_actor
    from paraph_platform.envelope import make_event
    from paraph_platform.poison import ATTEMPTS_HEADER, ERROR_HEADER, QUEUE_HEADER, dlq_name

    amqp = rabbit_config["AMQP_URI"]
    env = {"AMQP_URI": amqp, "NOTIFY_DATABASE_URL": make_db("notify"), "SMTP_URL": mail_sink.smtp_url,
           "MAIL_FROM": "Paraph <no-reply@paraph.test>", "PARAPH_DATA_DIR": str(tmp_path), "LOG_LEVEL": "INFO"}
    notify = ServiceProcess("notify", env, tmp_path).start()
    try:
        with Connection(amqp) as conn:
            wait_for(lambda: all(queue_state(conn, q)[1] >= 1 for q in (EVENT_QUEUE, WEBHOOK_FANOUT_QUEUE, RPC_QUEUE)),
                     60, 0.2, "notify to consume its event and RPC queues")
            started = time.monotonic()
            sent = {}
            for kind, body, content_type, _ in POISON:
                publish_raw(conn, Exchange("identity.events", type="topic"), "notification.requested.v1", body,
                            content_type, headers={"x-drill-kind": kind})
                publish_raw(conn, Exchange("nameko-rpc", type="topic"), "notify.list_templates", body, content_type,
                            headers={"x-drill-kind": kind}, reply_to=f"drill-replies-{uuid.uuid4().hex[:6]}",
                            correlation_id=kind)
                sent[kind] = (body, content_type)
            # well-formed JSON, but no reply_to: nameko would run it and then die failing to answer
            publish_raw(conn, Exchange("nameko-rpc", type="topic"), "notify.list_templates",
                        b'{"args": [{"user_id": "u", "license_id": "l", "role": "system"}], "kwargs": {}}',
                        "application/json", headers={"x-drill-kind": "no-reply-to"})

            expected = {EVENT_QUEUE: len(POISON), WEBHOOK_FANOUT_QUEUE: len(POISON), RPC_QUEUE: len(POISON) + 1}
            wait_for(lambda: all(queue_state(conn, dlq_name(q))[0] == n for q, n in expected.items()), 30, 0.1,
                     "every poison message in its queue's DLQ")
            parked_after = time.monotonic() - started
            for queue in expected:
                assert queue_state(conn, queue)[0] == 0, f"{queue} still holds messages"
                parked = {m.headers["x-drill-kind"]: m for m in drain(conn, dlq_name(queue))}
                assert set(parked) == set(sent) | ({"no-reply-to"} if queue == RPC_QUEUE else set())
                for kind, body, content_type, reason in POISON:
                    msg = parked[kind]
                    assert msg.body == body, kind                               # original bytes, intact
                    assert msg.content_type == (content_type or "application/data"), kind
                    assert reason in msg.headers[ERROR_HEADER], (kind, msg.headers[ERROR_HEADER])
                    assert msg.headers[QUEUE_HEADER] == queue and msg.headers[ATTEMPTS_HEADER] == 1
                    if queue == RPC_QUEUE:  # the caller's ids are kept for whoever inspects the DLQ
                        assert msg.properties["correlation_id"] == kind
                        assert msg.properties["reply_to"].startswith("drill-replies-")
            no_reply = parked["no-reply-to"]
            assert "without reply_to" in no_reply.headers[ERROR_HEADER]
            assert no_reply.body.startswith(b'{"args"')

        # the service is alive and still serves its RPC queue and its event queue
        assert notify.alive(), notify.output()[-3000:]
        with ClusterRpcProxy({"AMQP_URI": amqp, "serializer": "json"}, timeout=10) as rpc:
            assert len(rpc.notify.list_templates(system_actor("lic-drill"))) > 0
        dispatch = event_dispatcher({"AMQP_URI": amqp, "serializer": "json"})
        dispatch("identity", "notification.requested.v1",
                 make_event("identity", "notification.requested.v1", request("after-poison@example.test"),
                            license_id="lic-drill"))
        mail_sink.wait_for_messages(to="after-poison@example.test", timeout=15)
        assert notify.starts == 1 and notify.alive()
        assert notify.output().count("parked in") >= 3 * len(POISON) + 1
        print(f"\n[drill d] {3 * len(POISON) + 1} unreadable deliveries ({', '.join(sent)}, and an RPC request "
              f"without reply_to) parked with their original bytes in the DLQs of {EVENT_QUEUE}, "
              f"{WEBHOOK_FANOUT_QUEUE} and {RPC_QUEUE} within {parked_after:.2f}s; notify kept serving events and RPC")
    finally:
        notify.stop()
