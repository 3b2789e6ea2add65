"""Every service answers ``ping`` (paraph_platform.readiness.PlatformService), and the container health
command's ping check (paraph_platform.health) passes only when the service consumes over a live broker."""
from __future__ import annotations

import pytest

from paraph_platform import health
from paraph_platform.readiness import PlatformService

pytestmark = pytest.mark.integration


class ReadinessProbeService(PlatformService):
    name = "readiness_probe"


def test_ping_is_answered_by_a_running_service_and_fails_fast_otherwise(container_factory, rabbit_config, monkeypatch):
    uri = rabbit_config["AMQP_URI"]
    monkeypatch.setenv("AMQP_URI", uri)
    ok, lines = health.run_checks("readiness_probe", ["ping"], timeout=2)
    assert not ok and "FAIL ping: TimeoutError" in lines[0], lines  # nobody consumes yet
    container_factory(ReadinessProbeService, {"AMQP_URI": uri, "serializer": "json"}).start()
    assert health.ping(uri, "readiness_probe", 5) == {"service": "readiness_probe", "status": "ok"}
    ok, lines = health.run_checks("readiness_probe", ["broker", "ping"], timeout=5)
    assert ok and "readiness_probe answered ping" in lines[1], lines


def test_ping_fails_when_the_broker_is_unreachable(monkeypatch):
    monkeypatch.setenv("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:1//")
    ok, lines = health.run_checks("identity", ["broker", "ping"], timeout=1)
    assert not ok and lines[0].startswith("FAIL broker") and lines[1].startswith("FAIL ping"), lines


def test_services_check_ping_by_default():
    assert "ping" in health.SERVICE_CHECKS and "ping" in health.DEFAULT_CHECKS["perimeter"]


def test_every_url_of_a_cluster_is_tried_when_the_first_node_is_down(container_factory, rabbit_config, monkeypatch):
    """``AMQP_URI`` with several ``;``-separated nodes, the first one down: the start check (run.py,
    ``./paraph up``) and the broker and ping checks use the next one."""
    uri = rabbit_config["AMQP_URI"]
    cluster_uri = f"pyamqp://guest:secret@127.0.0.1:1//;{uri}"
    ok, message = health.broker_reachable(cluster_uri, timeout=2)
    assert ok, message
    ok, message = health.broker_reachable("pyamqp://guest:secret@127.0.0.1:1//;pyamqp://guest:secret@127.0.0.1:2//", 1)
    assert not ok and "127.0.0.1:1" in message and "127.0.0.1:2" in message and "secret" not in message
    container_factory(ReadinessProbeService, {"AMQP_URI": cluster_uri, "serializer": "json"}).start()
    monkeypatch.setenv("AMQP_URI", cluster_uri)
    ok, lines = health.run_checks("readiness_probe", ["broker", "ping"], timeout=5)
    assert ok, lines
