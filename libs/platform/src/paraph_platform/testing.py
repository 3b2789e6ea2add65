"""pytest plugin: real PostgreSQL databases and real RabbitMQ vhosts for integration tests.

Fixtures:

* ``make_db(service)`` — a fresh PostgreSQL database migrated to head, dropped afterwards.
* ``start_service(service, db_url=None, **config)`` — a running nameko container of the
  service on the test's own RabbitMQ vhost (nameko's ``rabbit_config``).
* ``system(*services, gateway=True)`` — several services plus a Flask test client of the
  gateway wired to them.
* ``module_system(*services, ...)`` — the same, started once for a whole test module (module-scoped:
  call it from a module-scoped fixture); each test makes its own license on it, and
  ``System.for_license`` gives it a view whose outbox helpers read that license's rows only.
* ``mail_sink`` — an in-process SMTP sink with its HTTP JSON API (:mod:`.mailsink`): pass
  ``mail_sink.smtp_url`` as ``SMTP_URL`` (and ``mail_sink.sms_url`` as ``SMS_API_URL`` with
  ``SMS_PROVIDER=sink``) to the notify service, then read ``mail_sink.messages(to=...)``.

PostgreSQL comes from ``PARAPH_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432``).
"""
from __future__ import annotations

import http.server
import importlib
import json
import os
import threading
import time
import uuid

import pytest

from .config import nameko_config

# every call's deadline in the test systems: a PDF rendered (or sealed) on a busy 2-core runner takes
# seconds; a call that hangs still fails the test within this
TEST_RPC_TIMEOUT = 10.0
PG = os.environ.get("PARAPH_TEST_PG", "postgresql://postgres@127.0.0.1:5432").rstrip("/")

class TestTokenKey:
    """An Ed25519 key pair for tests (and benchmarks) that mint access tokens themselves: give the gateway
    ``create_app({"TOKEN_JWKS": key.jwks, ...})`` and sign with ``key.token(claims)``."""

    __test__ = False  # not a pytest test class

    def __init__(self, kid: str = "test-key"):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        self.kid = kid
        self.private_key = Ed25519PrivateKey.generate()

    @property
    def jwks(self) -> dict:
        from jwt.algorithms import OKPAlgorithm
        jwk = OKPAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "EdDSA", "use": "sig"}]}

    def token(self, claims: dict, ttl: int = 3600) -> str:
        """An access token like identity's (``typ``, ``exp``, ``ver`` defaulted)."""
        import jwt
        claims = {"typ": "access", "ver": 1, "exp": int(time.time()) + ttl, **claims}
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid})


TEST_TOKEN_KEY = TestTokenKey()
TEST_OPERATOR_TOKEN = "operator-test-token"


def _admin_engine():
    from sqlalchemy import create_engine
    from .db import normalize_url
    return create_engine(normalize_url(f"{PG}/postgres"), isolation_level="AUTOCOMMIT")


def _migrations_fingerprint(service: str) -> str:
    """A digest of the service's migration scripts: a template made by other migrations is never used."""
    import hashlib
    from .migrations import service_dir
    digest = hashlib.sha256()
    for path in sorted((service_dir(service) / "migrations").rglob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


_templates: dict[str, str] = {}


def _migrated_template(service: str) -> str:
    """A database of ``service`` migrated to head once, which each test's database is then copied from
    (``CREATE DATABASE ... TEMPLATE``, a file copy): running every migration for each of the six services
    of each test system cost seconds per test. Built under an advisory lock (test runs in parallel share
    it) and renamed into place once complete, so a template that exists is whole."""
    from sqlalchemy import text
    if service in _templates:
        return _templates[service]
    name = f"t_tmpl_{service}_{_migrations_fingerprint(service)}"
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text("select pg_advisory_lock(hashtext(:key))"), {"key": f"paraph-test-template-{service}"})
            try:
                exists = conn.execute(text("select 1 from pg_database where datname = :n"), {"n": name}).first()
                if not exists:
                    building = f"{name}_building"
                    conn.execute(text(f'drop database if exists "{building}" with (force)'))
                    conn.execute(text(f'create database "{building}"'))
                    from .migrations import upgrade
                    upgrade(service, f"{PG}/{building}")  # its engine is disposed: nobody stays connected
                    conn.execute(text(f'alter database "{building}" rename to "{name}"'))
                    # templates of earlier migrations of this service are of no more use
                    for (old,) in conn.execute(text("select datname from pg_database where datname like :p "
                                                    "and datname <> :n"), {"p": f"t_tmpl_{service}_%", "n": name}):
                        conn.execute(text(f'drop database if exists "{old}" with (force)'))
            finally:
                conn.execute(text("select pg_advisory_unlock(hashtext(:key))"),
                             {"key": f"paraph-test-template-{service}"})
    finally:
        engine.dispose()
    _templates[service] = name
    return name


def create_database(service: str, migrate: bool = True) -> str:
    """A new empty database for ``service``, or (``migrate``) one at its migrations' head."""
    from sqlalchemy import exc, text
    name = f"t_{service}_{uuid.uuid4().hex[:12]}"
    template = _migrated_template(service) if migrate else None
    engine = _admin_engine()
    try:
        for attempt in range(20):
            try:
                with engine.connect() as conn:
                    conn.execute(text(f'create database "{name}"' + (f' template "{template}"' if template else "")))
                break
            except exc.OperationalError as error:
                # another test process copying the same template at this instant: wait for our turn
                if "is being accessed by other users" not in str(error) or attempt == 19:
                    raise
                time.sleep(0.1 * (attempt + 1))
    finally:
        engine.dispose()
    return f"{PG}/{name}"


def _forget_engine(url: str):
    """Close this process's pooled connections to a database about to be dropped."""
    from . import db as dbmod
    with dbmod._engines_lock:
        engine = dbmod._engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def _drop_statement(url: str) -> str:
    return f'drop database if exists "{url.rsplit("/", 1)[-1]}" with (force)'


def drop_database(url: str):
    from sqlalchemy import text
    _forget_engine(url)
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(_drop_statement(url)))
    finally:
        admin.dispose()


_dropping: list = []  # the psql processes dropping the databases of finished tests


def drop_later(urls: list[str]):
    """Drop these databases (their services stopped) while the next tests run: a DROP DATABASE waits for a
    checkpoint, 0.1 s on an idle runner and 2 s when loaded, four to seven per test system. The drops run in
    psql processes, not in green threads of this process: a green thread's connection sharing the hub with
    the next test's connections once left a stale reader on a reused file descriptor ("Second simultaneous
    read on fileno"). Without psql they run here, one after the other; the session waits for the last ones."""
    import shutil
    import subprocess
    psql = shutil.which("psql")
    for url in urls:
        _forget_engine(url)
        if psql is None:
            drop_database(url)
            continue
        _dropping.append(subprocess.Popen([psql, "-q", f"{PG}/postgres", "-c", _drop_statement(url)],
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
    _dropping[:] = [process for process in _dropping if process.poll() is None]


@pytest.fixture(scope="session", autouse=True)
def _databases_dropped():
    yield
    for process in _dropping:
        process.wait()


@pytest.fixture
def make_db():
    created: list[str] = []

    def factory(service: str, migrate: bool = True) -> str:
        url = create_database(service, migrate)
        created.append(url)
        return url

    yield factory
    drop_later(created)


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


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05, message: str = "condition",
             retry_errors: bool = False):
    """``predicate()``'s first true value, asked every ``interval`` seconds; fails the test after ``timeout``
    with the last value it gave. With ``retry_errors``, an error the predicate raises means "not yet" (asking a
    process that may be down or restarting) and is reported as that last value; otherwise it fails the test."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except Exception as exc:
            if not retry_errors:
                raise
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message} (last: {last!r})")


def emailed_links(identity_db_url: str, email: str) -> list[str]:
    """The links (set-password, reset) identity asked to email to ``email``, oldest first, read from its
    outbox (tests and benchmarks: no mail server needed)."""
    import json
    from sqlalchemy import create_engine, text
    from .db import normalize_url
    engine = create_engine(normalize_url(identity_db_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("select payload from outbox where type = 'notification.requested.v1' "
                                     "order by seq")).all()
    finally:
        engine.dispose()
    payloads = [r[0] if isinstance(r[0], dict) else json.loads(r[0]) for r in rows]
    return [p["data"]["vars"]["link"] for p in payloads
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
        from .db import normalize_url
        engine = create_engine(normalize_url(self.db_url(service)))
        try:
            with Session(engine, expire_on_commit=False) as session:
                session.add_all(rows)
                session.commit()
        finally:
            engine.dispose()

    def relay(self, service: str):
        from .outbox import Outbox
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

    def new_license(self, company: str, admin_email: str, seats: int = 50, pool: dict | None = None) -> dict:
        """A subscription (unless ``pool`` is given) and an activated license; returns the admin session
        with ``pool`` added."""
        from datetime import datetime, timedelta, timezone
        op = {"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"}
        if pool is None:
            r = self.post("/api/v1/operator/seat-pools", headers=op, json={
                "name": f"{company} subscription", "seats": seats,
                "expires_at": (datetime.now(timezone.utc) + timedelta(days=365)).isoformat()})
            assert r.status_code == 201, r.get_json()
            pool = r.get_json()
        r = self.post("/api/v1/licenses/activate", json={"activation_code": pool["activation_code"],
                                                         "company_name": company, "admin_email": admin_email})
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


@pytest.fixture
def mail_sink():
    """A running :class:`paraph_platform.mailsink.RunningSink` on free ports, stopped afterwards."""
    from .mailsink import start_sink
    sink = start_sink(port=0, http_port=0)
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def http_trap():
    """A loopback HTTP server for SSRF tests: it records every request path (``http_trap.hits``) and answers
    302 to ``file:///etc/passwd``; the defended code must never contact it (``http_trap.url``)."""
    import http.server
    import threading
    from types import SimpleNamespace

    trap = SimpleNamespace(hits=[], url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            trap.hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    trap.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield trap
    finally:
        server.shutdown()
        server.server_close()


class WebhookReceiver:
    """An integrator's webhook endpoint on 127.0.0.1, real HTTP: records every POST (path, headers, raw body,
    the status it answered, when) and answers from a script of status codes (``statuses``, then ``default``)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []   # consumed first; then `default`
        self.default = 200
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else receiver.default
                    receiver.requests.append({"path": self.path, "headers": {k: v for k, v in self.headers.items()},
                                              "body": body, "status": status, "at": time.time()})
                payload = json.dumps({"ok": status < 300}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/paraph"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of_type(self, event_type):
        return [r for r in self.requests if r["headers"].get("Paraph-Event-Type") == event_type]

    def wait(self, predicate, timeout=20.0, message="webhook requests"):
        deadline = time.time() + timeout
        while True:
            with self.lock:
                snapshot = list(self.requests)
            if predicate(snapshot):
                return snapshot
            if time.time() > deadline:
                raise AssertionError(f"timed out waiting for {message}: {[(r['path'], r['status']) for r in snapshot]}")
            time.sleep(0.05)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver():
    """A running :class:`WebhookReceiver` (``.url``), stopped afterwards."""
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.fixture
def browser():
    """A real headless Chromium (selenium + chromedriver) with its own profile and download folder
    (``browser.downloads``); skipped where Chromium is not installed."""
    import shutil
    import tempfile
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("chromium and chromedriver are not installed")
    profile = tempfile.mkdtemp(prefix="paraph-chrome-")
    downloads = tempfile.mkdtemp(prefix="paraph-dl-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1280,1600"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False,
                                              "safebrowsing.enabled": False})
    # the console's errors (a Content-Security-Policy violation, a failed script) for browser.get_log("browser")
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)
