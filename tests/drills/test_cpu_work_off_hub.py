"""Drill: CPU work off the hub under load, on the real services at LOG_LEVEL=DEBUG.

Ten concurrent PDF renders (contracts, weasyprint) and ten concurrent seals (signing, weasyprint proof +
pyHanko PAdES) while a plain read is sampled. weasyprint, fontTools and pyHanko log at DEBUG from the
OS threads that run them; before ``paraph_platform.offhub`` those records took the handlers' green locks
from OS threads (``greenlet.error: Cannot switch to a different thread``) and the service froze. The
invariant: every render and every seal answers, the services log no greenlet error, and the read's p95
during the load stays within 3x of its p95 measured just before, or of the p95 of a control read sampled in
the same moments from a service that does no CPU work (identity's license): a frozen or GIL-starved hub
slows the first read only, while a machine slowed by something else (another job on the two cores) slows
both, and must not fail the drill.

Identity, perimeter, contracts and signing run as ``python -m paraph_platform.run <name>`` subprocesses,
each with its own scratch database, on this test's RabbitMQ vhost; the gateway is in-process.
"""
from __future__ import annotations

import re
import statistics
import time
from types import SimpleNamespace

import eventlet
import pytest

from tests.drills.harness import ServiceProcess, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.integration, pytest.mark.timeout(420)]

SERVICES = ("identity", "perimeter", "contracts", "signing")
CONCURRENT = 10
DEADLINE = 60.0          # the gateway's RPC deadline: a frozen service answers 504 after it
SAMPLES_BEFORE = 40
READ_P95_FACTOR = 3.0
# a record logged by the rendering / sealing libraries (they run in the OS threads)
OFF_HUB_RECORD = re.compile(r"^\S+ \S+ (?:DEBUG|INFO) (?:weasyprint|fontTools|pyhanko|PIL|asyncio)\S*: ", re.M)


@pytest.fixture
def real_services(rabbit_config, tmp_path):
    from paraph_platform.testing import create_database, drop_database
    urls = {name: create_database(name) for name in SERVICES}
    env = {"AMQP_URI": rabbit_config["AMQP_URI"], "LOG_LEVEL": "DEBUG", "PARAPH_DATA_DIR": str(tmp_path),
           "PUBLIC_URL": "http://paraph.test", "RPC_TIMEOUT": "30",
           # a render or a seal holds its nameko worker slot while it waits for an off-hub worker: with
           # no more slots than concurrent renders, the reads would queue behind them whatever runs them
           "MAX_WORKERS": str(3 * CONCURRENT),
           **{f"{name.upper()}_DATABASE_URL": url for name, url in urls.items()}}
    processes = [ServiceProcess(name, env, tmp_path).start() for name in SERVICES]
    try:
        yield SimpleNamespace(urls=urls, processes={p.name: p for p in processes})
    finally:
        for p in processes:
            p.stop()
        for url in urls.values():
            drop_database(url)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def test_ten_renders_and_ten_seals_at_debug_answer_while_reads_keep_answering(real_services, rabbit_config,
                                                                              rabbit_manager):
    from paraph_gateway import create_app
    from paraph_gateway.rpc import close_pools
    from paraph_gateway.tokens import close_verifiers
    from paraph_platform.testing import TEST_OPERATOR_TOKEN, System
    from signing_service import testing as esign

    app = create_app({"AMQP_URI": rabbit_config["AMQP_URI"], "RPC_TIMEOUT": DEADLINE,
                      "OPERATOR_TOKEN": TEST_OPERATOR_TOKEN, "PUBLIC_URL": "http://paraph.test", "TESTING": True,
                      # the sampled reads are one user's, hundreds a minute: the drill measures the hub, not quotas
                      "RATE_LIMIT_USER_PER_WINDOW": 10 ** 9})
    s = System({name: SimpleNamespace(db_url=url) for name, url in real_services.urls.items()},
               app.test_client(), app)
    try:
        wait_for(lambda: _consuming(rabbit_manager, rabbit_config["vhost"]), 90, 0.5, "the services to start")
        admin = s.new_license("Charge SA", "admin@charge.test")
        token = admin["access_token"]
        r = s.post("/api/v1/customers", token=token, json={"name": "Client SARL", "contacts": [
            {"first_name": f"Signer{i}", "last_name": "Dupont", "email": f"signer{i}@client.test"}
            for i in range(CONCURRENT)]})
        assert r.status_code == 201, r.get_json()
        customer = r.get_json()

        def new_quote(title):
            r = s.post("/api/v1/quotes", token=token, json={
                "title": title, "customer_id": customer["id"],
                "lines": [{"description": f"{title} ligne {i} " + "texte " * 20, "quantity": "1",
                           "unit_price": "10", "tax_rate": "20"} for i in range(60)]})
            assert r.status_code == 201, r.get_json()
            return r.get_json()

        to_render = [new_quote(f"Rendu {i}") for i in range(CONCURRENT)]
        to_seal = []
        for i, contact in enumerate(sorted(customer["contacts"], key=lambda c: c["email"])):
            r = s.post(f"/api/v1/contracts/{new_quote(f'Scellé {i}')['id']}/signature-requests", token=token,
                       json={"signers": [{"contact_id": contact["id"]}]})
            assert r.status_code == 201, r.get_json()
            request = r.get_json()
            tok = esign.token(s, contact["email"])
            info = s.get(f"/api/v1/sign/{tok}").get_json()
            assert s.post(f"/api/v1/sign/{tok}/otp", json={}).status_code == 200
            to_seal.append((request["id"], tok, {
                "otp": esign.otp(s, contact["email"]), "consent": True, "consent_sha256": info["consent_sha256"],
                "typed_name": info["participant"]["name"], "signature_image": esign.signature_png()}))

        def timed_get(path):
            t = time.monotonic()
            r = s.get(path, token=token)
            assert r.status_code == 200, r.get_json()
            return time.monotonic() - t

        def read():  # served by contracts, which renders
            return timed_get(f"/api/v1/customers/{customer['id']}")

        def control_read():  # served by identity, which does no CPU work off the hub
            return timed_get("/api/v1/license")

        for _ in range(5):
            read(), control_read()  # warm connections and caches
        before = [read() for _ in range(SAMPLES_BEFORE)]

        # the load: ten renders and ten signatures (each completes its request: a seal) at once
        started = time.monotonic()
        pool = eventlet.GreenPool(2 * CONCURRENT + 1)
        renders = [pool.spawn(s.get, f"/api/v1/contracts/{q['id']}/pdf", token=token) for q in to_render]
        signs = [pool.spawn(s.post, f"/api/v1/sign/{tok}/sign", json=body) for _, tok, body in to_seal]
        during, control_during = [], []

        def sealed():
            return all(_status(s, token, request_id) == "completed" for request_id, _, _ in to_seal)

        load_done = False
        while not load_done and time.monotonic() - started < 2 * DEADLINE:
            during.append(read())
            control_during.append(control_read())
            eventlet.sleep(0.02)
            load_done = all(g.dead for g in renders + signs) and sealed()
        elapsed = time.monotonic() - started

        render_answers = [g.wait() for g in renders]
        sign_answers = [g.wait() for g in signs]
        assert [r.status_code for r in render_answers] == [200] * CONCURRENT, \
            [(r.status_code, r.get_data(as_text=True)[:200]) for r in render_answers if r.status_code != 200]
        assert all(r.data.startswith(b"%PDF") for r in render_answers)
        assert [r.status_code for r in sign_answers] == [200] * CONCURRENT, \
            [(r.status_code, r.get_json()) for r in sign_answers if r.status_code != 200]
        assert load_done, f"not every request was sealed after {elapsed:.0f}s: " + ", ".join(
            _status(s, token, request_id) for request_id, _, _ in to_seal)
        for p in real_services.processes.values():
            log = p.output()
            assert p.alive() and "greenlet.error" not in log and "Cannot switch to a different thread" not in log, \
                f"{p.name}: {log[-3000:]}"
        # the records the libraries logged from their OS threads reached the real handler
        library_lines = {name: len(OFF_HUB_RECORD.findall(real_services.processes[name].output()))
                         for name in ("contracts", "signing")}
        assert min(library_lines.values()) >= CONCURRENT, library_lines

        assert len(during) >= 5, f"only {len(during)} reads during {elapsed:.1f}s of load"
        before_p95, during_p95, control_p95 = p95(before), p95(during), p95(control_during)
        after = [read() for _ in range(SAMPLES_BEFORE)]  # the machine's own drift, for the report
        print(f"\n[drill cpu off hub] {CONCURRENT} PDF renders + {CONCURRENT} seals at LOG_LEVEL=DEBUG answered "
              f"in {elapsed:.1f}s; plain read GET /customers/<id>: p95 {before_p95 * 1000:.0f} ms before "
              f"({len(before)} samples), {during_p95 * 1000:.0f} ms during the load ({len(during)} samples), "
              f"{p95(after) * 1000:.0f} ms after, p50 {statistics.median(before) * 1000:.0f}/"
              f"{statistics.median(during) * 1000:.0f}/{statistics.median(after) * 1000:.0f} ms; "
              f"ratio {during_p95 / before_p95:.2f}; control read GET /license during the load: p95 "
              f"{control_p95 * 1000:.0f} ms, ratio {during_p95 / control_p95:.2f} (limit {READ_P95_FACTOR} "
              f"of the larger p95); library log lines: {library_lines}")
        assert during_p95 <= READ_P95_FACTOR * max(before_p95, control_p95)
    finally:
        close_verifiers()
        close_pools()


def _consuming(rabbit_manager, vhost: str) -> bool:
    """Every service consumes its RPC queue (nameko declares ``rpc-<service>`` once it is running)."""
    consumers = {q["name"]: q.get("consumers") or 0 for q in rabbit_manager.get_queues(vhost)}
    return all(consumers.get(f"rpc-{name}") for name in SERVICES)


def _status(s, token, request_id) -> str:
    return s.get(f"/api/v1/signature-requests/{request_id}", token=token).get_json()["status"]
