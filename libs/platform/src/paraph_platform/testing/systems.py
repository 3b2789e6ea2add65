"""Whole systems for end-to-end tests: ``System`` (running services plus a gateway test client, with HTTP,
identity and outbox helpers), the ``system`` and ``module_system`` fixtures that build them, and
``emailed_links`` (the links identity asked to email, read from its outbox)."""
from __future__ import annotations

import pytest

from .databases import create_database, drop_later
from .services import TEST_RPC_TIMEOUT, kill_containers, service_class, test_config
from .tokens import TEST_OPERATOR_TOKEN
from .waiting import wait_for


def outbox_payloads(db_url: str, event_type: str) -> list[dict]:
    """The envelopes of the ``event_type`` events a service's outbox holds (published or not), oldest first."""
    import json
    from sqlalchemy import create_engine, text
    from ..db import normalize_url
    engine = create_engine(normalize_url(db_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("select payload from outbox where type = :type order by seq"),
                                {"type": event_type}).all()
    finally:
        engine.dispose()
    return [r[0] if isinstance(r[0], dict) else json.loads(r[0]) for r in rows]


def emailed_links(identity_db_url: str, email: str) -> list[str]:
    """The links (set-password, reset) identity asked to email to ``email``, oldest first, read from its
    outbox (tests and benchmarks: no mail server needed)."""
    return [p["data"]["vars"]["link"] for p in outbox_payloads(identity_db_url, "notification.requested.v1")
            if p["data"]["to"] == email.lower() and "link" in p["data"]["vars"]]


class System:
    """Running services plus a gateway test client, for end-to-end tests."""

    # set on a test's view of a system its module shares (for_license): helpers that read outboxes
    # (signing_service.testing) keep that license's rows only
    license_id: str | None = None

    def __init__(self, containers: dict, client, app):
        self.containers = containers
        self.client = client
        self.app = app

    def for_license(self, license_id: str) -> "System":
        """This system as one test sees it on a shared ``module_system``: the same services and gateway,
        its outbox helpers limited to the test's own license."""
        import copy
        view = copy.copy(self)
        view.license_id = license_id
        return view

    def db_url(self, service: str) -> str:
        return self.containers[service].db_url

    def seed(self, service: str, rows: list):
        """Insert model instances (of ``service``'s models) straight into its database: the many rows a
        list test needs, faster than as many API calls. The instances stay readable afterwards (ids...)."""
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session
        from ..db import normalize_url
        engine = create_engine(normalize_url(self.db_url(service)))
        try:
            with Session(engine, expire_on_commit=False) as session:
                session.add_all(rows)
                session.commit()
        finally:
            engine.dispose()

    def outbox_payloads(self, service: str, event_type: str) -> list[dict]:
        return outbox_payloads(self.db_url(service), event_type)

    def relay(self, service: str):
        from ..outbox import Outbox
        for ext in self.containers[service].extensions:
            if isinstance(ext, Outbox):
                return ext.relay
        raise LookupError(f"{service} has no outbox")

    def wait_for(self, predicate, timeout: float = 10.0, interval: float = 0.05, message: str = "condition"):
        return wait_for(predicate, timeout, interval, message)

    # identity helpers (need the identity service) -----------------------------------------
    def invitation_links(self, email: str) -> list[str]:
        """Set-password links requested for ``email``, read from identity's outbox."""
        return emailed_links(self.db_url("identity"), email)

    def accept(self, email: str, password: str = "a long enough password", **extra) -> dict:
        token = self.invitation_links(email)[-1].split("token=", 1)[1]
        r = self.post("/api/v1/auth/accept-invitation", json={"token": token, "password": password, **extra})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def new_license(self, company: str, admin_email: str, seats: int = 50, pool: dict | None = None,
                    **activation) -> dict:
        """A subscription (unless ``pool`` is given) and an activated license (``activation``: what else the
        activation says, its ``country``, its ``locale``); returns the admin session with ``pool`` added."""
        from datetime import datetime, timedelta, timezone
        op = {"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"}
        if pool is None:
            r = self.post("/api/v1/operator/seat-pools", headers=op, json={
                "name": f"{company} subscription", "seats": seats,
                "expires_at": (datetime.now(timezone.utc) + timedelta(days=365)).isoformat()})
            assert r.status_code == 201, r.get_json()
            pool = r.get_json()
        r = self.post("/api/v1/licenses/activate", json={"activation_code": pool["activation_code"],
                                                         "company_name": company, "admin_email": admin_email,
                                                         **activation})
        assert r.status_code == 201, r.get_json()
        session = self.accept(admin_email)
        session["pool"] = pool
        return session

    def add_user(self, admin: dict, email: str, role: str = "user", name: str = "") -> dict:
        r = self.post("/api/v1/users", json={"email": email, "role": role, "name": name},
                      token=admin["access_token"])
        assert r.status_code == 201, r.get_json()
        return self.accept(email)

    def serve(self) -> str:
        """Serve the gateway on a loopback port (for HTTP clients and browsers); returns its base URL."""
        if getattr(self, "_server", None) is None:
            import threading
            from werkzeug.serving import make_server
            self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
            threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def close(self):
        server = getattr(self, "_server", None)
        if server is not None:
            server.shutdown()
            self._server = None

    # HTTP helpers -------------------------------------------------------------------------
    def _headers(self, token=None, headers=None):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        return h

    def get(self, path, token=None, **kw):
        return self.client.get(path, headers=self._headers(token, kw.pop("headers", None)), **kw)

    def post(self, path, json=None, token=None, **kw):
        return self.client.post(path, json=json, headers=self._headers(token, kw.pop("headers", None)), **kw)

    def patch(self, path, json=None, token=None, **kw):
        return self.client.patch(path, json=json, headers=self._headers(token, kw.pop("headers", None)), **kw)

    def put(self, path, json=None, token=None, **kw):
        return self.client.put(path, json=json, headers=self._headers(token, kw.pop("headers", None)), **kw)

    def delete(self, path, token=None, **kw):
        return self.client.delete(path, headers=self._headers(token, kw.pop("headers", None)), **kw)


def _gateway_system(amqp_uri: str, containers: dict, gateway_config: dict | None) -> System:
    """A ``System`` of running ``containers`` and a gateway (test client) on their broker vhost."""
    from paraph_gateway import create_app
    app = create_app({"AMQP_URI": amqp_uri,
                      "RPC_TIMEOUT": TEST_RPC_TIMEOUT, "OPERATOR_TOKEN": TEST_OPERATOR_TOKEN,
                      "PUBLIC_URL": "http://paraph.test", "TESTING": True, **(gateway_config or {})})
    return System(containers, app.test_client(), app)


def _close_gateway_clients():
    """The gateway's RPC pools, token verifiers and rate limiters (remade on the next request)."""
    from paraph_gateway.rate_limits import close_limiters
    from paraph_gateway.rpc import close_pools
    from paraph_gateway.tokens import close_verifiers
    close_verifiers()
    close_pools()
    close_limiters()


@pytest.fixture
def system(start_service, rabbit_config):
    created = []

    def build(*services: str, gateway_config: dict | None = None, service_config: dict | None = None) -> System:
        containers = {}
        for service in services:
            containers[service] = start_service(service, **((service_config or {}).get(service, {})))
        s = _gateway_system(rabbit_config["AMQP_URI"], containers, gateway_config)
        created.append(s)
        return s

    yield build
    for s in created:
        s.close()
    _close_gateway_clients()


@pytest.fixture(scope="module")
def module_system(request, vhost_pipeline):
    """``system`` for a whole test module: ``module_system(*services, gateway_config=, service_config=)``
    starts them once, on the module's own vhost and databases, and stops them after its last test.
    Building six services and a gateway took seconds per test: tests that only need their own data share
    one, each with its own license, users and customers, and assertions that filter what they read (mail,
    outbox, events) by their own ids and addresses. Tests that kill services, stop the broker or change a
    service's settings keep ``system``.

    Call it from a MODULE-scoped fixture (``signing_system`` in services/signing/tests/integration/conftest.py,
    ``esign_system`` in tests/e2e/conftest.py): pytest then builds it before any test's own fixtures, while
    nameko's autouse ``fast_teardown`` would stop at the end of the test the consumers of a system built
    during it."""
    from urllib.parse import urlparse
    from nameko.containers import get_container_cls
    uri = urlparse(request.config.getoption("RABBIT_AMQP_URI"))
    databases: list[str] = []
    containers: list = []
    systems: list[System] = []
    with vhost_pipeline.get() as vhost:
        amqp_uri = f"{uri.scheme}://{uri.netloc}/{vhost}"

        def start(service: str, extra: dict):
            url = create_database(service)
            databases.append(url)
            config = test_config({"AMQP_URI": amqp_uri}, service, url, **extra)
            container = get_container_cls(config)(service_class(service), config)
            containers.append(container)
            container.start()
            container.db_url = url
            return container

        def build(*services: str, gateway_config: dict | None = None, service_config: dict | None = None) -> System:
            started = {service: start(service, (service_config or {}).get(service, {})) for service in services}
            systems.append(_gateway_system(amqp_uri, started, gateway_config))
            return systems[-1]

        try:
            yield build
        finally:
            for s in systems:
                s.close()
            _close_gateway_clients()
            kill_containers(containers)
            drop_later(databases)
