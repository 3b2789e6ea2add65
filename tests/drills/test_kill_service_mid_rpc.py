"""Drill (a): a service is SIGKILLed while it executes a slow RPC.

The gateway must answer within the request's deadline with a problem+json 503/504, and when the
service comes back the requests whose deadline passed must not run late: the request message
carries a TTL equal to the deadline (RabbitMQ drops it once expired, a requeued message keeping
its original expiry) and ``@endpoint`` refuses work whose deadline has passed
(paraph_platform.service / paraph_platform.rpc.check_deadline).
"""
from __future__ import annotations

import time
import uuid

import eventlet
import pytest
from flask import Blueprint

from tests.drills.harness import ServiceProcess, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.integration, pytest.mark.timeout(180)]

DEADLINE = 3.0


def make_gateway(amqp_uri: str):
    from paraph_gateway import create_app
    from paraph_gateway.routing import call, route

    app = create_app({"AMQP_URI": amqp_uri, "RPC_TIMEOUT": DEADLINE, "TESTING": True})
    bp = Blueprint("drill", __name__)

    @route(bp, "/drill/slow/<token>", ["POST"], public=True)
    def slow(token):
        from flask import request
        return call("drill", "slow", token, float(request.args.get("seconds", "10")))

    @route(bp, "/drill/ping", ["GET"], public=True)
    def ping():
        return {"answer": call("drill", "ping")}

    app.register_blueprint(bp, url_prefix="/api/v1")
    return app


def lines(path):
    return [l.split()[1:] for l in path.read_text().splitlines()] if path.exists() else []


def test_killed_mid_rpc_answers_within_the_deadline_and_never_runs_late(rabbit_config, tmp_path):
    from paraph_gateway.rpc import close_pools
    log = tmp_path / "executions.log"
    env = {"AMQP_URI": rabbit_config["AMQP_URI"], "DRILL_LOG": str(log), "PARAPH_DATA_DIR": str(tmp_path),
           "RPC_TIMEOUT": str(DEADLINE), "LOG_LEVEL": "INFO"}
    service = ServiceProcess("drill", env, tmp_path).start()
    app = make_gateway(rabbit_config["AMQP_URI"])
    client = app.test_client()
    try:
        wait_for(lambda: client.get("/api/v1/drill/ping").status_code == 200, 60, 0.5, "drill service to answer")

        # 1. a slow call is running when the service is killed
        running, queued = f"running-{uuid.uuid4().hex[:6]}", f"queued-{uuid.uuid4().hex[:6]}"
        started = time.monotonic()

        def timed_call():
            t0 = time.monotonic()
            r = client.post(f"/api/v1/drill/slow/{running}?seconds=8")
            return r, time.monotonic() - t0

        pending = eventlet.spawn(timed_call)
        wait_for(lambda: ["start", running] in lines(log), 5, 0.05, "the slow call to start")
        service.kill()
        killed_at = time.monotonic() - started

        # 2. a call made while the service is down waits in its queue with a TTL
        t = time.monotonic()
        down = client.post(f"/api/v1/drill/slow/{queued}?seconds=0")
        down_elapsed = time.monotonic() - t
        resp, elapsed = pending.wait()  # measured by the call itself, as the gateway's deadline is

        for r, spent in ((resp, elapsed), (down, down_elapsed)):
            assert r.status_code in (503, 504), r.get_data(as_text=True)
            assert r.mimetype == "application/problem+json"
            assert r.json["status"] == r.status_code and r.json["code"] in ("deadline_exceeded", "unavailable")
            assert spent <= DEADLINE + 1.5, f"answered after {spent:.2f}s, deadline {DEADLINE}s"

        # 3. the service restarts after both deadlines passed: neither request may run now
        time.sleep(0.5)
        service.start()
        wait_for(lambda: client.get("/api/v1/drill/ping").status_code == 200, 60, 0.5, "the restarted service")
        time.sleep(2.0)  # room for a late redelivery to show up
        executions = lines(log)
        assert executions.count(["start", running]) == 1, executions   # only the run that was killed
        assert ["done", running] not in executions, executions
        assert ["start", queued] not in executions, executions
        refused_after_restart = service.output().count("DeadlineExceeded")
        # 4. and the restarted service serves new calls normally
        fresh = f"fresh-{uuid.uuid4().hex[:6]}"
        ok = client.post(f"/api/v1/drill/slow/{fresh}?seconds=0")
        assert ok.status_code == 200 and ok.json == {"token": fresh}
        # 5. second line of defence: a message the broker did deliver (no TTL set by this caller) but
        #    whose deadline is past is refused by @endpoint before any work
        from nameko.standalone.rpc import ClusterRpcProxy
        from paraph_platform.errors import DeadlineExceeded
        stale = f"stale-{uuid.uuid4().hex[:6]}"
        with ClusterRpcProxy({"AMQP_URI": rabbit_config["AMQP_URI"], "serializer": "json"}, timeout=10,
                             context_data={"deadline": time.time() - 1}) as bare:
            with pytest.raises(DeadlineExceeded):
                bare.drill.slow(stale, 0)
        assert ["start", stale] not in lines(log)
        print(f"\n[drill a] killed {killed_at:.2f}s into the call; gateway answered {resp.status_code} "
              f"after {elapsed:.2f}s (deadline {DEADLINE}s); call while down: {down.status_code} after "
              f"{down_elapsed:.2f}s; after restart: 0 late executions; "
              f"of the expired requests, {refused_after_restart} reached the service and were refused by the "
              f"deadline check, the others expired in the broker (message TTL)")
    finally:
        service.stop()
        close_pools()
