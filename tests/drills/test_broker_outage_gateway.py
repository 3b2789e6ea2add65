"""Drill (e): RabbitMQ goes away for 30 s under the real six services and the gateway, during a write loop.

A private RabbitMQ node (tests/drills/harness.PrivateRabbit; the shared broker is never touched) serves
identity, perimeter, contracts, signing, portal and notify, each a real ``python -m paraph_platform.run``
process with its own scratch PostgreSQL database, and an in-process gateway. A license admin creates
customers in a loop while the node is stopped for 30 s and started again. Expected:

* ``/readyz`` is 503 before the services consume, 200 once they do, 503 during the outage, 200 after;
  a service's own health command (``python -m paraph_platform.health``) likewise;
* every failed call is a 503 problem+json with ``Retry-After``, answered within 5 s (never a 500); once the
  node is back, a call may also be a 504 (a service consuming again but too slow for what is left of the
  request's deadline), same bounds;
* nothing acknowledged is lost: every customer answered with a 2xx exists afterwards.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from types import SimpleNamespace

import eventlet
import pytest

from tests.drills.harness import ServiceProcess, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.integration, pytest.mark.timeout(300)]

SERVICES = ("identity", "perimeter", "contracts", "signing", "portal", "notify")
OUTAGE = 30.0
DEADLINE = 4.0  # the gateway's RPC deadline: even a call stuck on a dead socket answers within 5 s
ANSWER_WITHIN = 5.0


@pytest.fixture
def world(broker, tmp_path):
    """The six services as processes on the private node (scratch databases) and a gateway on it."""
    from paraph_gateway import create_app
    from paraph_gateway.rpc import close_pools
    from paraph_gateway.tokens import close_verifiers
    from paraph_platform.testing import TEST_OPERATOR_TOKEN, System, create_database, drop_database

    urls = {name: create_database(name) for name in SERVICES}
    env = {"AMQP_URI": broker.uri, "PARAPH_DATA_DIR": str(tmp_path), "RPC_TIMEOUT": str(DEADLINE),
           "AMQP_HEARTBEAT": "5", "OUTBOX_POLL_INTERVAL": "0.3", "LOG_LEVEL": "INFO",
           **{f"{name.upper()}_DATABASE_URL": url for name, url in urls.items()}}
    processes = [ServiceProcess(name, env, tmp_path) for name in SERVICES]
    app = create_app({"AMQP_URI": broker.uri, "RPC_TIMEOUT": DEADLINE, "OPERATOR_TOKEN": TEST_OPERATOR_TOKEN,
                      "PUBLIC_URL": "http://paraph.test", "TESTING": True})
    system = System({name: SimpleNamespace(db_url=url) for name, url in urls.items()}, app.test_client(), app)
    try:
        yield SimpleNamespace(system=system, processes=processes, env=env)
    finally:
        for process in processes:
            process.stop()
        close_verifiers()
        close_pools()
        for url in urls.values():
            drop_database(url)


def service_health(env: dict, service: str = "contracts") -> tuple[int, str]:
    """The container probe: ``python -m paraph_platform.health <service>`` (broker, database, ping)."""
    run = subprocess.run([sys.executable, "-m", "paraph_platform.health", service, "--timeout", "5"],
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    return run.returncode, run.stdout


def test_broker_outage_answers_503_fast_readiness_follows_and_nothing_acknowledged_is_lost(broker, world):
    s = world.system
    ready = lambda: s.get("/readyz").status_code  # noqa: E731

    # readiness before any service consumes: the broker is up, nobody answers ping
    r = s.get("/readyz")
    assert r.status_code == 503 and r.mimetype == "application/problem+json", r.get_data(as_text=True)
    assert r.headers.get("Retry-After") and r.json["checks"]["broker"] == "ok"
    assert all(r.json["checks"][name] != "ok" for name in SERVICES), r.json
    code, report = service_health(world.env)
    assert code == 1 and "ok   broker" in report and "FAIL ping" in report, report
    for process in world.processes:
        process.start()
    try:
        wait_for(lambda: ready() == 200, 90, 0.5, "the six services to answer ping")
    except AssertionError:
        print("\n".join(f"--- {p.name}\n{p.output()[-2000:]}" for p in world.processes))
        raise
    code, report = service_health(world.env)
    assert code == 0 and "ok   ping: contracts answered ping" in report, report
    admin = s.new_license("Outage SA", "admin@outage.test")
    token = admin["access_token"]

    acknowledged: list[str] = []
    failures: list[tuple] = []  # (status, seconds, retry-after, code)
    readiness_seen: list[tuple] = []  # (phase, status)
    phase = {"name": "before"}

    def create_one():
        t = time.monotonic()
        r = s.post("/api/v1/customers", json={"name": f"Customer {uuid.uuid4().hex[:8]}", "kind": "company"},
                   token=token, headers={"Idempotency-Key": str(uuid.uuid4())})
        spent = time.monotonic() - t
        if 200 <= r.status_code < 300:
            acknowledged.append(r.json["id"])
        else:
            failures.append((r.status_code, spent, r.headers.get("Retry-After"), r.mimetype,
                             (r.json or {}).get("code"), phase["name"]))
        return r.status_code

    def loop_for(seconds: float):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            create_one()
            readiness_seen.append((phase["name"], ready()))
            eventlet.sleep(0.05)

    loop_for(3.0)
    before = len(acknowledged)
    assert before > 0 and not failures, failures

    phase["name"] = "outage"
    stopping = eventlet.spawn(broker.stop)
    t_stop = time.monotonic()
    loop_for(OUTAGE)
    stopping.wait()
    code, report = service_health(world.env)
    assert code == 1 and "FAIL broker" in report and "FAIL ping" in report, report
    phase["name"] = "restart"
    starting = eventlet.spawn(broker.start)
    t_start = time.monotonic()
    while not starting.dead:
        loop_for(0.5)
    starting.wait()
    phase["name"] = "after"
    back = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = create_one()
        readiness = ready()
        readiness_seen.append(("after", readiness))
        if status == 201 and readiness == 200 and back is None:
            back = time.monotonic() - t_start
        if back is not None and len([1 for p, st in readiness_seen if p == "after" and st == 200]) >= 5:
            break
        eventlet.sleep(0.2)
    assert back is not None, f"no write succeeded within 60 s of the restart; last failures {failures[-5:]}"

    # every failed call: problem+json with Retry-After within 5 s; 503 while the broker is away. Once it is
    # back, a service that is consuming again but slow to answer (reconnecting, replaying its backlog) may
    # leave too little of the request's deadline for the next call: that is a 504 (an upstream too slow,
    # not gone), still within the deadline and with Retry-After
    wrong = [f for f in failures if f[0] not in (503, 504) or not f[2] or f[3] != "application/problem+json"]
    not_503 = [f for f in failures if f[5] == "outage" and f[0] != 503]
    slow = [f for f in failures if f[1] > ANSWER_WITHIN]
    assert not wrong, f"failures other than 503/504 problem+json with Retry-After: {wrong[:10]}"
    assert not not_503, f"failures other than 503 while the broker was down: {not_503[:10]}"
    assert not slow, f"failures answered after {ANSWER_WITHIN}s: {slow[:10]}"
    assert failures, "the outage was not noticed"
    # readiness follows the broker
    assert ("outage", 503) in readiness_seen and ("after", 200) in readiness_seen
    assert all(status == 200 for p, status in readiness_seen if p == "before")
    # nothing acknowledged is lost
    missing = [cid for cid in acknowledged if s.get(f"/api/v1/customers/{cid}", token=token).status_code != 200]
    assert not missing, f"{len(missing)} acknowledged customers are missing: {missing[:5]}"
    assert all(p.alive() for p in world.processes), "a service died during the outage"
    worst = max(f[1] for f in failures)
    print(f"\n[drill e] private node {broker.node}; broker down {t_start - t_stop:.1f}s; "
          f"{len(acknowledged)} customers acknowledged ({before} before the outage), all present afterwards; "
          f"{len(failures)} failed calls ({sum(f[0] == 504 for f in failures)} of them 504 after the restart), "
          f"all problem+json with Retry-After, slowest {worst:.2f}s; "
          f"first write + /readyz 200 {back:.1f}s after the node was started")
