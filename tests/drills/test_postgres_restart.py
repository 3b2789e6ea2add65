"""Drill: the PostgreSQL primary restarts while clients write (issue 17).

The services' databases live on a private PostgreSQL server (tests/drills/harness.PrivatePostgres: initdb
on a free port; the shared server on :5432 is never touched). Writers create customers through the
gateway at a steady rate, each with its own ``Idempotency-Key`` (contracts writes the customer, perimeter
its subject), retrying a failed call with the same key, while the server is restarted twice:
``pg_ctl restart -m fast`` (sessions ended cleanly), then ``-m immediate`` (a crash, recovered from the
WAL). Every pooled connection of the services is dead after each restart.

The invariants, as the cluster-failover drill's: 0 acknowledged-but-missing (every 2xx id is in the
database), 0 duplicates (one customer per key, one perimeter subject per customer), a failed call is a 503
(never a 500), and a call retried with its key returns the id it stored. Printed: the calls that failed,
and how long after each restart the writes went through again.

Identity, perimeter and contracts run as ``python -m paraph_platform.run <name>`` subprocesses on this
test's RabbitMQ vhost; the gateway is in-process.
"""
from __future__ import annotations

import time
from collections import Counter
from types import SimpleNamespace

import eventlet
from eventlet import tpool
import pytest

from tests.drills.harness import count, wait_for
from tests.drills.test_kill_during_writes import _consumers, _ids

pytestmark = [pytest.mark.drill, pytest.mark.integration, pytest.mark.timeout(300)]

SERVICES = ("identity", "perimeter", "contracts")
WRITERS = 3
RATE = 4.0                       # creations per second and writer: 12/s in all
PHASE_SECONDS = 12.0             # of writes before the first restart, between the two, and after the last
SETUP_DEADLINE = 30.0            # the gateway's RPC_TIMEOUT while the license is set up (argon2 is slow)
WRITE_DEADLINE = 10.0
GIVE_UP_AFTER = 60.0             # seconds a writer keeps retrying one customer before the drill fails


@pytest.fixture
def real_services(postgres, real_services_on):
    urls = {name: postgres.create_database(name) for name in SERVICES}
    return SimpleNamespace(urls=urls, processes=real_services_on(urls))


def test_writes_survive_restarts_of_the_postgresql_primary(postgres, real_services, rabbit_config):
    from paraph_gateway import create_app
    from paraph_gateway.rpc import close_pools
    from paraph_gateway.tokens import close_verifiers
    from paraph_platform.testing import TEST_OPERATOR_TOKEN, System

    app = create_app({"AMQP_URI": rabbit_config["AMQP_URI"], "RPC_TIMEOUT": SETUP_DEADLINE,
                      "OPERATOR_TOKEN": TEST_OPERATOR_TOKEN, "PUBLIC_URL": "http://paraph.test", "TESTING": True})
    s = System({name: SimpleNamespace(db_url=url) for name, url in real_services.urls.items()},
               app.test_client(), app)
    amqp_uri = rabbit_config["AMQP_URI"]
    failures: Counter = Counter()          # status of every failed call
    failed_keys: set[str] = set()
    acknowledged: dict[str, str] = {}      # key -> the id its 2xx answered
    names: dict[str, str] = {}             # key -> the name it creates (a retry sends the same body)
    answers: list[tuple[float, int]] = []  # (time, status) of every call
    try:
        wait_for(lambda: all(_consumers(amqp_uri, name) for name in SERVICES), 90, 0.5, "the services to start")
        token = s.new_license("Redémarrage SA", "admin@redemarrage.test")["access_token"]
        assert s.get("/api/v1/customers", token=token).status_code == 200  # token keys fetched once
        app.config["RPC_TIMEOUT"] = WRITE_DEADLINE

        def create(key: str, name: str) -> str:
            started = time.monotonic()
            while True:
                r = s.post("/api/v1/customers", token=token, json={"name": name}, headers={"Idempotency-Key": key})
                answers.append((time.monotonic(), r.status_code))
                if r.status_code < 300:
                    body = r.get_json()
                    assert body["name"] == name, body
                    return body["id"]
                failures[r.status_code] += 1
                failed_keys.add(key)
                assert r.status_code >= 500, (key, r.status_code, r.get_json())
                assert time.monotonic() - started < GIVE_UP_AFTER, (key, r.status_code, r.get_json())
                eventlet.sleep(0.2)

        def writer(n: int, stop):
            i = 0
            next_at = time.monotonic()
            while not stop.ready():
                key = f"pg-drill-{n}-{i}"
                names[key] = f"Client {n}-{i}"
                acknowledged[key] = create(key, names[key])
                i += 1
                next_at += 1.0 / RATE
                eventlet.sleep(max(0.0, next_at - time.monotonic()))

        stop = eventlet.event.Event()
        writers = [eventlet.spawn(writer, n, stop) for n in range(WRITERS)]
        restarts: list[tuple[str, float, float]] = []  # (mode, when, seconds the restart took)
        started = time.monotonic()
        try:
            for mode in ("fast", "immediate"):
                eventlet.sleep(PHASE_SECONDS)
                at = time.monotonic()
                # pg_ctl blocks: in a real thread, so that the writers go on meanwhile
                tpool.execute(postgres.restart, mode)
                restarts.append((mode, at, time.monotonic() - at))
            eventlet.sleep(PHASE_SECONDS)
        finally:
            stop.send(True)
            for w in writers:
                w.wait()
        elapsed = time.monotonic() - started

        # 0 acknowledged-but-missing, 0 duplicates
        contracts_db, perimeter_db = real_services.urls["contracts"], real_services.urls["perimeter"]
        ids = list(acknowledged.values())
        in_db = _ids(contracts_db, "select id from customers")
        missing = set(ids) - set(in_db)
        assert not missing, f"{len(missing)} acknowledged customers are missing after the restarts"
        assert len(in_db) == len(set(in_db)) == len(set(ids)) == len(acknowledged), (
            f"duplicates: {len(in_db)} customers in the database for {len(acknowledged)} keys")
        subjects = _ids(perimeter_db, "select subject_id from subjects where subject_type = 'customer'")
        assert sorted(subjects) == sorted(ids), "perimeter's subjects differ from the customers"
        for url in (contracts_db, perimeter_db):
            assert count(url, "select count(*) from idempotency_keys where result is null") == 0
        # each key whose call failed, sent again, answers the id it stored
        for key in sorted(failed_keys):
            r = s.post("/api/v1/customers", token=token, json={"name": names[key]}, headers={"Idempotency-Key": key})
            assert r.status_code < 300 and r.get_json()["id"] == acknowledged[key], (key, r.status_code)
        # how long the writes failed around each restart: from the restart to the last failed call it caused
        outages = []
        for mode, at, took in restarts:
            later = [t for t, status in answers if at <= t < at + took + 30 and status >= 500]
            outages.append(f"-m {mode}: pg_ctl took {took:.1f}s, last failed call {max(later) - at:.1f}s after it began"
                           if later else f"-m {mode}: pg_ctl took {took:.1f}s, no failed call")
        print(f"\n[drill postgres restart] {len(acknowledged)} customers by {WRITERS} writers at {RATE:g}/s each in "
              f"{elapsed:.0f}s; {sum(failures.values())} failed calls of {len(answers)} ({dict(failures)}), "
              f"{len(failed_keys)} keys retried, each answered its stored id; {'; '.join(outages)}; "
              f"0 acknowledged-but-missing, 0 duplicates")
        # a failed call is a 503 (the client retries later), never a 500
        assert set(failures) <= {503}, f"failed calls answered {dict(failures)} (a failure must be a 503)"
    finally:
        close_verifiers()
        close_pools()
