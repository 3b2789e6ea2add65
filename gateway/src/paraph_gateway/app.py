"""Flask application factory for the gateway."""
from __future__ import annotations

import functools
import logging
from importlib import resources

from flask import Blueprint, Flask, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

from paraph_platform.config import amqp_uri, env, env_int, public_url, rpc_timeout
from paraph_platform.modules import exported_by_modules

from . import errors, readiness, routing
from .openapi import build_spec

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


def load_config(overrides: dict | None = None) -> dict:
    config = {
        "AMQP_URI": amqp_uri(),
        # access tokens are verified with identity's public keys (no token key here); every request is
        # checked against the caller's current rights (False only in gateway unit tests without services)
        "ACCESS_STATE_CHECK": True,
        "RPC_TIMEOUT": rpc_timeout("gateway"),
        "RPC_POOL_SIZE": env_int("RPC_POOL_SIZE", 16),
        "TRUSTED_PROXY_HOPS": env_int("TRUSTED_PROXY_HOPS", 0),
        "MAX_CONTENT_LENGTH": env_int("MAX_UPLOAD_BYTES", 26 * 1024 * 1024),
        "PUBLIC_URL": public_url(),
        "OPERATOR_TOKEN": env("OPERATOR_TOKEN"),
        "JSON_SORT_KEYS": False,
    }
    config.update(overrides or {})
    return config


@functools.cache
def asyncapi_document() -> str | None:
    """static/asyncapi.json, read once from the installed package."""
    try:
        return resources.files("paraph_gateway").joinpath("static/asyncapi.json").read_text()
    except FileNotFoundError:
        return None


def _blueprints():
    """(module, bp) of each API area (a module of paraph_gateway.api exporting ``bp``)."""
    from . import api
    return exported_by_modules(api, "bp", Blueprint)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(load_config(config))
    app.json.sort_keys = False
    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops > 0:
        # only the last `hops` X-Forwarded-For entries were written by our proxies; earlier ones are
        # whatever the client sent and are ignored
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
    errors.register(app)
    app.before_request(routing.before_request)
    app.after_request(routing.after_request)

    for module, bp in _blueprints():
        prefix = getattr(module, "URL_PREFIX", API_PREFIX)
        app.register_blueprint(bp, url_prefix=prefix)

    @app.get(f"{API_PREFIX}/openapi.json")
    def openapi():
        """The OpenAPI 3.1 document of this API."""
        return jsonify(build_spec(app))

    @app.get(f"{API_PREFIX}/asyncapi.json")
    def asyncapi():
        """The AsyncAPI 3.0 document of the public events (webhook payloads), generated from the
        services' contracts by tests/contract/export.py and packaged with the gateway."""
        text = asyncapi_document()
        if text is None:
            return errors.problem(404, "Not found", "The events document is not packaged.", "not_found")
        resp = app.response_class(text, mimetype="application/json")
        resp.headers["Cache-Control"] = "public, max-age=300"
        return resp

    @app.get("/healthz")
    def healthz():
        """Liveness only: the process serves HTTP (nothing downstream is checked)."""
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    def readyz():
        return jsonify(readiness.readyz())

    return app
