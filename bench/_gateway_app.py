"""gunicorn app factory for benchmarks only (never deployed): the production gateway app built with the
overrides in ``BENCH_GATEWAY_CONFIG`` (JSON), plus ``GET /api/v1/bench/whoami``, an authenticated route
that makes no RPC, so that its latency is the gateway's own (HTTP, token verification, rights check), and
``GET /api/v1/bench/echo``, the same plus one no-op RPC (the perimeter service's platform ``ping``: no SQL)
through the worker's RPC pool, so that a read's cost splits into gateway, RPC round trip and the service's own
work."""
import json
import os

from flask import Blueprint

from paraph_gateway.app import create_app
from paraph_gateway.routing import call, route

bench = Blueprint("bench", __name__)


@route(bench, "/bench/whoami", ["GET"])
def whoami(actor):
    return {"user_id": actor["user_id"], "role": actor["role"]}


@route(bench, "/bench/echo", ["GET"])
def echo(actor):
    return call("perimeter", "ping")


def app():
    gateway = create_app(json.loads(os.environ.get("BENCH_GATEWAY_CONFIG") or "{}"))
    gateway.register_blueprint(bench, url_prefix="/api/v1")
    return gateway
