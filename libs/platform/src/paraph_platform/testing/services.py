"""Nameko services under test: ``service_class``, ``test_config`` (a service's config on a test's broker vhost
and database), the ``start_service`` fixture, and ``kill_containers`` (all at once)."""
from __future__ import annotations

import importlib

import pytest

from ..config import nameko_config

# every call's deadline in the test systems: a PDF rendered (or sealed) on a busy 2-core runner takes
# seconds; a call that hangs still fails the test within this
TEST_RPC_TIMEOUT = 10.0


def service_class(service: str):
    return importlib.import_module(f"{service}_service.service").SERVICE


def test_config(rabbit_config, service: str, db_url: str | None, **extra) -> dict:
    config = nameko_config(service)
    config.update({
        "AMQP_URI": rabbit_config["AMQP_URI"],
        "DATABASE_URL": db_url or config["DATABASE_URL"],
        "RPC_TIMEOUT": TEST_RPC_TIMEOUT,
        "PUBLIC_URL": "http://paraph.test",
    })
    config.pop("LOGGING", None)
    config.update(extra)
    return config


@pytest.fixture
def start_service(container_factory, rabbit_config, make_db):
    started = []

    def start(service: str, db_url: str | None = None, **extra):
        url = db_url or make_db(service)
        container = container_factory(service_class(service), test_config(rabbit_config, service, url, **extra))
        container.start()
        container.db_url = url
        started.append(container)
        return container

    yield start
    # stop the services before their databases are dropped (make_db's teardown runs after this one)
    kill_containers(started)


def _kill_quietly(container):
    try:
        container.kill()
    except Exception:  # noqa: BLE001 - already stopped
        pass


def kill_containers(containers):
    """Kill the containers all at once: each kill waits for its consumers to leave the broker (up to a
    second), and one after the other that was most of a test system's teardown."""
    import eventlet
    pool = eventlet.GreenPool()
    for container in containers:
        pool.spawn(_kill_quietly, container)
    pool.waitall()
