"""Queues declared through paraph_platform.queues: work queues of AMQP_QUEUE_TYPE, reply queues non-durable,
and the migration of existing classic queues (paraph_platform.queue_migration), on the real broker."""
from __future__ import annotations

import json
import time
import uuid

import pytest
from kombu import Connection, Exchange, Producer
from nameko.rpc import rpc

from paraph_platform import queue_migration
from paraph_platform.config import ConfigError
from paraph_platform.events import subscribe
from paraph_platform.queues import queue_type, work_queue_arguments

pytestmark = pytest.mark.integration


def _service_class(name: str):
    class QueueTypeService:
        @rpc
        def echo(self, value):
            return value

        @subscribe("queuetypesrc", "thing.happened.v1", max_attempts=3)
        def on_thing(self, event):
            pass
    QueueTypeService.name = name
    return QueueTypeService


def _queues(rabbit_manager, vhost: str) -> dict:
    return {q["name"]: q for q in rabbit_manager.get_queues(vhost)}


def test_the_queue_type_setting(monkeypatch):
    monkeypatch.delenv("AMQP_QUEUE_TYPE", raising=False)
    assert queue_type() == "classic" and work_queue_arguments({"a": 1}) == {"a": 1}
    monkeypatch.setenv("AMQP_QUEUE_TYPE", "Quorum")
    assert work_queue_arguments() == {"x-queue-type": "quorum"}
    monkeypatch.setenv("AMQP_QUEUE_TYPE", "mirrored")
    with pytest.raises(ConfigError, match="classic, quorum"):
        queue_type()


@pytest.mark.parametrize("kind", ["classic", "quorum"])
def test_work_queues_take_the_configured_type_and_reply_queues_are_not_durable(
        kind, monkeypatch, container_factory, rabbit_config, rabbit_manager):
    monkeypatch.setenv("AMQP_QUEUE_TYPE", kind)
    name = f"qtype_{kind}_{uuid.uuid4().hex[:6]}"
    service = _service_class(name)
    container = container_factory(service, {"AMQP_URI": rabbit_config["AMQP_URI"], "serializer": "json"})
    container.start()
    from nameko.standalone.rpc import ClusterRpcProxy
    with ClusterRpcProxy({"AMQP_URI": rabbit_config["AMQP_URI"], "serializer": "json"}, timeout=10) as proxy:
        assert getattr(proxy, name).echo(7) == 7
    queues = _queues(rabbit_manager, rabbit_config["vhost"])
    evt = f"evt-queuetypesrc-thing.happened.v1--{name}.on_thing"
    work = [f"rpc-{name}", evt, f"{evt}.retry.1", f"{evt}.retry.2", f"{evt}.dlq"]
    assert {q: queues[q]["type"] for q in work} == {q: kind for q in work}
    assert all(queues[q]["durable"] for q in work)
    replies = [q for q in queues.values() if q["name"].startswith("rpc.reply-standalone_rpc_proxy-")]
    assert replies and all(not q["durable"] and q["type"] == "classic" for q in replies), replies


def test_migration_moves_classic_queues_to_quorum_keeping_messages_and_bindings(
        monkeypatch, rabbit_config, rabbit_manager):
    uri, vhost = rabbit_config["AMQP_URI"], rabbit_config["vhost"]
    name = f"qmig_{uuid.uuid4().hex[:6]}"
    service = _service_class(name)
    # the system as it ran before: classic queues holding messages
    monkeypatch.setenv("AMQP_QUEUE_TYPE", "classic")
    queues = queue_migration.service_queues(name, service)
    rpc_queue, evt_queue = queues[0], queues[2]
    assert rpc_queue.name == f"rpc-{name}" and evt_queue.name.startswith("evt-queuetypesrc-")
    with Connection(uri) as conn:
        for q in queues:
            queue_migration._declare(conn, q.declaration())
            queue_migration._bind(conn, q)
        producer = Producer(conn.channel())
        for i in range(3):
            producer.publish(json.dumps({"n": i}), exchange="queuetypesrc.events", routing_key="thing.happened.v1",
                             content_type="application/json", headers={"x-n": i})
        producer.publish(json.dumps({"args": [], "kwargs": {}}), exchange="nameko-rpc", routing_key=f"{name}.echo",
                         content_type="application/json", reply_to="nobody", correlation_id="c1")

    monkeypatch.setenv("AMQP_QUEUE_TYPE", "quorum")
    said: list[str] = []
    dry = queue_migration.migrate(name, apply=False, uri=uri, service_cls=service, say=said.append)
    assert dry[rpc_queue.name] == dry[evt_queue.name] == "to migrate", said
    assert _queues(rabbit_manager, vhost)[evt_queue.name]["type"] == "classic"  # a dry run changes nothing

    done = queue_migration.migrate(name, apply=True, uri=uri, service_cls=service, say=said.append)
    assert done[rpc_queue.name] == done[evt_queue.name] == "migrated", said
    after = _queues(rabbit_manager, vhost)
    assert {q.name: after[q.name]["type"] for q in queues} == {q.name: "quorum" for q in queues}
    assert not [n for n in after if n.endswith(queue_migration.HOLDING_SUFFIX)]
    with Connection(uri) as conn:
        channel = conn.channel()
        got = [channel.basic_get(evt_queue.name, no_ack=True) for _ in range(3)]
        assert [json.loads(m.body)["n"] for m in got] == [0, 1, 2]  # order and bodies kept
        assert [m.properties["application_headers"]["x-n"] for m in got] == [0, 1, 2]
        request = channel.basic_get(rpc_queue.name, no_ack=True)
        assert request.properties["correlation_id"] == "c1" and request.properties["reply_to"] == "nobody"
        # bindings were declared again: an event published now reaches the queue
        Producer(channel).publish("{}", exchange=Exchange("queuetypesrc.events", type="topic"),
                                  routing_key="thing.happened.v1", content_type="application/json")
        arrived = None
        for _ in range(50):  # a quorum queue enqueues once its replicas agree: not at once
            arrived = channel.basic_get(evt_queue.name, no_ack=True)
            if arrived:
                break
            time.sleep(0.1)
        assert arrived is not None
    # a second run finds nothing to do
    again = queue_migration.migrate(name, apply=True, uri=uri, service_cls=service, say=said.append)
    assert set(again.values()) <= {"ok", "absent"}, again


def test_a_service_stuck_redeclaring_its_queue_is_not_ready(monkeypatch, container_factory, rabbit_config):
    """Its connection is open (the broker check passes) but the broker refuses its queue (here: left classic
    by an earlier run, the service now in quorum mode): ping, which goes through that same consumer, fails."""
    import eventlet

    from paraph_platform import health
    from paraph_platform.readiness import PlatformService

    uri = rabbit_config["AMQP_URI"]
    name = f"stuck_{uuid.uuid4().hex[:6]}"
    monkeypatch.setenv("AMQP_QUEUE_TYPE", "classic")
    with Connection(uri) as conn:
        rpc_queue = queue_migration.WorkQueue(f"rpc-{name}")
        queue_migration._declare(conn, rpc_queue.declaration())
    monkeypatch.setenv("AMQP_QUEUE_TYPE", "quorum")
    monkeypatch.setenv("AMQP_URI", uri)
    service = type("StuckService", (PlatformService,), {"name": name})
    container = container_factory(service, {"AMQP_URI": uri, "serializer": "json"})
    starting = eventlet.spawn(container.start)  # never ready: it would wait for its consumer for ever
    try:
        eventlet.sleep(2)
        ok, lines = health.run_checks(name, ["broker", "ping"], timeout=2)
        assert not ok and lines[0].startswith("ok   broker") and lines[1].startswith("FAIL ping"), lines
    finally:
        starting.kill()


def test_a_subscribe_to_line_is_an_entrypoint_named_and_queued_after_its_attribute():
    """``on_x = subscribe_to("_handle", ...)`` is what a ``def on_x`` decorated with ``@subscribe`` would be: its
    queue carries the attribute's name (queue names must not change when a subscription is rewritten so)
    and the event reaches the named handler."""
    from paraph_platform.events import subscribe_to

    class Relayed:
        name = f"relayed_{uuid.uuid4().hex[:6]}"
        on_created = subscribe_to("_handle", "relaysrc", "thing.created.v1")
        on_deleted = subscribe_to("_handle", "relaysrc", "thing.deleted.v1", "gone", max_attempts=2)

        def __init__(self):
            self.handled = []

        def _handle(self, event, *how):
            self.handled.append((event["type"], *how))

    names = [q.name for q in queue_migration.service_queues(Relayed.name, Relayed)]
    for method, event_type in (("on_created", "thing.created.v1"), ("on_deleted", "thing.deleted.v1")):
        assert f"evt-relaysrc-{event_type}--{Relayed.name}.{method}" in names, names
    assert f"evt-relaysrc-thing.deleted.v1--{Relayed.name}.on_deleted.retry.1" in names
    assert f"evt-relaysrc-thing.deleted.v1--{Relayed.name}.on_deleted.retry.2" not in names  # its own attempts
    service = Relayed()
    service.on_created({"type": "thing.created.v1"})
    service.on_deleted({"type": "thing.deleted.v1"})
    assert service.handled == [("thing.created.v1",), ("thing.deleted.v1", "gone")]  # with its handler's args
