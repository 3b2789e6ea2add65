"""Drill: contracts is SIGKILLed at random points while clients create customers and quotes (issue 12).

Four clients create 25 customers each, and a quote for each customer (200 creations), through the
gateway, sending an ``Idempotency-Key`` per object and retrying any 5xx with the same key, while
contracts is killed with SIGKILL at random moments (5 times) and restarted each time. A killed
call comes back two ways: the broker redelivers the unacknowledged request to the restarted service
(the quote's 20 s deadline outlives a restart), and the client retries after its 503/504 (customers
use a 3 s deadline, shorter than a restart), sometimes while the redelivered request runs too.

Before the fix, a customer creation killed after ``perimeter.inherit`` answered 409 for ever: the
redelivery drew a new customer id and sent it under the same (inherited) key, and a call killed
between its commit and the storing of its result answered "already processed; its result is not
available". The invariants: every client gets its 2xx with the object's id, no 409 (no 4xx at all)
is ever answered, every acknowledged object exists exactly once (no duplicate from a retry), perimeter
holds no subject for a customer that does not exist, and no stored key lacks its result.

Identity, perimeter and contracts run as ``python -m paraph_platform.run <name>`` subprocesses with
scratch PostgreSQL databases, on this test's RabbitMQ vhost; the gateway is in-process.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from types import SimpleNamespace

import eventlet
import pytest

from tests.drills.harness import count, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.integration, pytest.mark.timeout(300)]

SERVICES = ("identity", "perimeter", "contracts")
CLIENTS = 4
PER_CLIENT = 25                  # 100 customers and 100 quotes: 200 creations
KILLS = 5                        # a restart of contracts takes 2-20 s, depending on the machine's load
SETUP_DEADLINE = 30.0            # the gateway's RPC_TIMEOUT while the license is set up (argon2 is slow)
CUSTOMER_DEADLINE = 3.0          # then: shorter than a restart of contracts, so clients retry
DOWN_FOR = (0.5, 4.0)            # seconds before the restart, at random (the first time: the longest)
GIVE_UP_AFTER = 150.0            # seconds a client keeps retrying one object before the drill fails


@pytest.fixture
def real_services(real_services_on):
    from paraph_platform.testing import create_database, drop_database
    urls = {name: create_database(name) for name in SERVICES}
    try:
        yield SimpleNamespace(urls=urls, processes=real_services_on(urls))
    finally:
        for url in urls.values():
            drop_database(url)


def test_writes_retried_with_their_key_survive_kills_of_contracts(real_services, rabbit_config):
    from paraph_gateway import create_app
    from paraph_gateway.rpc import close_pools
    from paraph_gateway.tokens import close_verifiers
    from paraph_platform.testing import TEST_OPERATOR_TOKEN, System

    app = create_app({"AMQP_URI": rabbit_config["AMQP_URI"], "RPC_TIMEOUT": SETUP_DEADLINE,
                      "OPERATOR_TOKEN": TEST_OPERATOR_TOKEN, "PUBLIC_URL": "http://paraph.test", "TESTING": True})
    s = System({name: SimpleNamespace(db_url=url) for name, url in real_services.urls.items()},
               app.test_client(), app)
    contracts = real_services.processes["contracts"]
    amqp_uri = rabbit_config["AMQP_URI"]
    statuses: Counter = Counter()      # every answer the clients got
    retried: Counter = Counter()       # objects that needed more than one request
    restarts: list[float] = []
    try:
        wait_for(lambda: all(_consumers(amqp_uri, name) for name in SERVICES), 90, 0.5, "the services to start")
        admin = s.new_license("Coupure SA", "admin@coupure.test")
        token = admin["access_token"]  # the databases are this drill's own: one license
        # the gateway fetches identity's token keys once, before the clients start (not under test here)
        assert s.get("/api/v1/customers", token=token).status_code == 200
        app.config["RPC_TIMEOUT"] = CUSTOMER_DEADLINE  # read per request

        def create(path, body, key):
            """POST until a 2xx, with the same Idempotency-Key; any 4xx fails the drill at once."""
            started, attempts = time.monotonic(), 0
            while True:
                attempts += 1
                r = s.post(path, token=token, json=body, headers={"Idempotency-Key": key})
                statuses[r.status_code] += 1
                if r.status_code < 300:
                    if attempts > 1:
                        retried[path] += 1
                    return r.get_json()
                assert r.status_code >= 500, (path, key, attempts, r.status_code, r.get_json())
                assert time.monotonic() - started < GIVE_UP_AFTER, (path, key, attempts, r.get_json())
                eventlet.sleep(0.1)

        def client(n):
            made = []
            for i in range(PER_CLIENT):
                name = f"Client {n}-{i}"
                customer = create("/api/v1/customers", {"name": name}, f"drill-customer-{n}-{i}")
                quote = create("/api/v1/quotes", {"title": f"Devis {n}-{i}", "customer_id": customer["id"], "lines": [
                    {"description": "Abonnement", "quantity": "1", "unit_price": "100", "tax_rate": "20"}]},
                    f"drill-quote-{n}-{i}")
                assert customer["name"] == name and quote["customer_id"] == customer["id"], (customer, quote)
                made.append((customer["id"], quote["id"]))
            return made

        def killer(stop):
            """Kills at random points of the run, whatever the machine's speed: when the clients have
            received a random number of answers (KILLS distinct thresholds out of the 200)."""
            rng = random.Random()
            for threshold in sorted(rng.sample(range(5, 2 * CLIENTS * PER_CLIENT - 5), KILLS)):
                while statuses[201] < threshold and not stop.ready():
                    eventlet.sleep(0.02)
                if stop.ready():
                    return
                contracts.kill()
                t = time.monotonic()
                # down longer than the customers' deadline at least once, so that clients retry too
                eventlet.sleep(DOWN_FOR[1] if not restarts else rng.uniform(*DOWN_FOR))
                contracts.start()
                wait_for(lambda: _consumers(amqp_uri, "contracts"), 90, 0.2, "contracts to restart")
                restarts.append(time.monotonic() - t)

        started = time.monotonic()
        stop = eventlet.event.Event()
        kills = eventlet.spawn(killer, stop)
        clients = [eventlet.spawn(client, n) for n in range(CLIENTS)]
        try:
            made = [pair for c in clients for pair in c.wait()]
        finally:
            stop.send(True)
            kills.wait()
        elapsed = time.monotonic() - started

        # every client got its 2xx, never a 409 (nor any 4xx)
        customer_ids, quote_ids = [c for c, _ in made], [q for _, q in made]
        assert len(made) == CLIENTS * PER_CLIENT
        assert not [code for code in statuses if 400 <= code < 500], statuses
        assert len(restarts) == KILLS, f"only {len(restarts)} kills in {elapsed:.0f}s"
        # every acknowledged object exists exactly once, and nothing else was created
        contracts_db, perimeter_db = real_services.urls["contracts"], real_services.urls["perimeter"]
        in_db = _ids(contracts_db, "select id from customers")
        assert sorted(in_db) == sorted(customer_ids) and len(set(customer_ids)) == len(customer_ids)
        quotes_in_db = _ids(contracts_db, "select id from contracts")
        assert sorted(quotes_in_db) == sorted(quote_ids) and len(set(quote_ids)) == len(quote_ids)
        assert count(contracts_db, "select count(*) from lines") == len(quote_ids)
        # perimeter holds no subject for a customer that does not exist (the orphan of issue 12)
        subjects = _ids(perimeter_db, "select subject_id from subjects where subject_type = 'customer'")
        assert set(subjects) == set(customer_ids), set(subjects) ^ set(customer_ids)
        # no key is stuck without its result
        for url in (contracts_db, perimeter_db):
            assert count(url, "select count(*) from idempotency_keys where result is null") == 0
        print(f"\n[drill kill during writes] {CLIENTS} clients x {PER_CLIENT} customers + quotes in {elapsed:.0f}s "
              f"with {len(restarts)} SIGKILLs of contracts (back after {min(restarts):.1f}-{max(restarts):.1f}s); "
              f"answers {dict(sorted(statuses.items()))}; objects that needed a retry: {dict(retried)}; "
              f"every object exists once, no 409")
    finally:
        close_verifiers()
        close_pools()


def _ids(url: str, sql: str) -> list[str]:
    from sqlalchemy import text
    from paraph_platform.db import make_engine
    with make_engine(url).connect() as conn:
        return [row[0] for row in conn.execute(text(sql))]


def _consumers(amqp_uri: str, service: str) -> int:
    """How many processes consume ``service``'s RPC queue, asked to the broker now (the management API's
    figures lag by seconds: a killed service would still look alive)."""
    from kombu import Connection
    with Connection(amqp_uri.replace("pyamqp://", "amqp://"), connect_timeout=5) as conn:
        try:
            return conn.default_channel.queue_declare(queue=f"rpc-{service}", passive=True).consumer_count
        except Exception:  # noqa: BLE001 - not declared yet: the service has not started
            return 0
