"""The staff web app in a real headless Chromium, for every page's browser tests.

Fixtures (reuse them for new pages):

* ``web_system`` — identity, perimeter, contracts and notify (mail and SMS to a mail sink; a module adds services
  with ``EXTRA_SERVICES = ("portal",)``), the gateway served on a
  loopback port, and the web app in front of it (a real HTTP server in a thread): ``web_system.url``,
  ``web_system.s`` (the ``System``: API helpers), ``web_system.mail`` (the sink), ``web_system.link(emailed)``
  (an emailed link on the test's server), ``web_system.wait(predicate)`` (a page being replaced while the
  predicate reads it means "not yet"), ``web_system.password``.
* ``public_system`` — the same with signing and portal too, the web app forwarding the gateway's public
  pages (``/q/``, ``/sign/``, ``/portal``) as the one public address; ``signing_in(public_system)`` signs in.
* ``staff`` — a license ("ACME Paris") with its admin and a salesperson, both with passwords:
  ``staff.admin`` / ``staff.sales`` are API sessions (``access_token``), ``staff.email[role]`` their emails.
* ``sign_in(browser, email)`` — signs the browser in through the sign-in page.
* ``screenshot(browser, name)`` — saves ``<name>-desktop.png`` (1280 px) and ``<name>-phone.png`` (375 px)
  of the current page under ``test-output/screenshots/`` (gitignored; see web/README.md).
"""
from __future__ import annotations

import contextlib
import threading
from types import SimpleNamespace

import pytest

from tests.e2e.web import browsing

SCREENSHOTS = browsing.SCREENSHOTS  # where test_sign_page_fields.py saves a sealed page's image too

PASSWORD = "a long enough password"
WEB_SESSION_KEY = "test-web-session-key"


def serve(app) -> tuple[str, object]:
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


@pytest.fixture
def web_system(system, mail_sink, request):
    # a test module needing more services names them: EXTRA_SERVICES = ("portal",)
    extra = getattr(request.module, "EXTRA_SERVICES", ())
    s = system("identity", "perimeter", "contracts", "notify", *extra, service_config={"notify": {
        "SMTP_URL": mail_sink.smtp_url, "MAIL_FROM": "Paraph <no-reply@paraph.test>",
        "SMS_PROVIDER": "sink", "SMS_API_URL": mail_sink.sms_url,  # as under ./paraph up: mail_sink.sms(to=...)
        "WEBHOOK_ALLOW_PRIVATE": "1"}})  # webhook tests post to a receiver on 127.0.0.1
    with web_app_on(s, mail_sink, wait_timeout=20.0, API_TIMEOUT=15.0) as web:
        yield web


SLOW_DEADLINE = 20.0  # seconds: RPC deadlines of the systems a browser shares the machine with


@pytest.fixture
def signing_services(system):
    """identity, perimeter, contracts and signing (no web app: for the public signing pages the gateway serves),
    with 20 s deadlines: a browser shares the machine's cores, and a document is rendered, then its fields
    placed, within a request's creation."""
    slow = {"RPC_TIMEOUT": SLOW_DEADLINE}
    services = ("identity", "perimeter", "contracts", "signing")
    return system(*services, gateway_config=slow, service_config={name: slow for name in services})


@pytest.fixture
def seller(signing_services):
    """On ``signing_services``: the license Vendeur SA (``admin``: its admin's token) and its customer Client SARL,
    whose contact Jeanne Dupont (jeanne@client.test: ``contact``) is the one who signs."""
    s = signing_services
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")["access_token"]
    r = s.post("/api/v1/customers", token=admin, json={"name": "Client SARL", "contacts": [
        {"first_name": "Jeanne", "last_name": "Dupont", "email": "jeanne@client.test"}]})
    assert r.status_code == 201, r.get_json()
    return SimpleNamespace(s=s, admin=admin, contact=r.get_json()["contacts"][0])


@pytest.fixture
def public_system(system, mail_sink):
    """Every service a customer's email involves (signing and portal too), and the web app as the ONE public
    address: it forwards the gateway's own paths (``/q/``, ``/sign/``, ``/portal``: the proxy on), as under
    ``./paraph up`` and compose, so emailed links and the staff pages share the test's server. Same
    attributes as ``web_system`` (no ``staff`` fixture on it: make the license in the test)."""
    # six services, a browser and the web app share the test machine's cores: 20 s deadlines instead of the
    # tests' usual ones (a quote's PDF is rendered for its signature request within the send), so that only a
    # real fault fails these tests (the cheap password hash is the root conftest's)
    slow = {"RPC_TIMEOUT": SLOW_DEADLINE}
    s = system("identity", "perimeter", "contracts", "signing", "portal", "notify",
               gateway_config={"TRUSTED_PROXY_HOPS": 1, **slow},
               service_config={"notify": {"SMTP_URL": mail_sink.smtp_url, "MAIL_FROM": "Paraph <no-reply@paraph.test>",
                                          **slow},
                               "signing": {"SIGNATURE_REMINDER_MIN_INTERVAL": "0", **slow},
                               "portal": slow, "contracts": slow, "identity": slow, "perimeter": slow})
    with web_app_on(s, mail_sink, wait_timeout=30.0, API_TIMEOUT=30.0, PROXY_GATEWAY=True) as web:
        yield web


def while_pages_load(predicate):
    """``predicate``, with an element whose page was replaced while it read it (a click's answer arriving)
    taken as "not yet" rather than failing the test: what a browser test polls for is on the next page."""
    from selenium.common.exceptions import WebDriverException

    from tests.e2e.web.browsing import gone

    def polled():
        try:
            return predicate()
        except WebDriverException as error:
            if gone(error):
                return None
            raise
    return polled


@contextlib.contextmanager
def web_app_on(s, mail_sink, wait_timeout: float, **config):
    """The web app served on a local port in front of the system ``s``'s gateway, and what tests use of it."""
    from paraph_web import create_app
    app = create_app({"GATEWAY_URL": s.serve(), "WEB_SESSION_KEY": WEB_SESSION_KEY,
                      "PUBLIC_URL": "http://paraph.test", **config})
    url, server = serve(app)
    try:
        yield SimpleNamespace(url=url, s=s, mail=mail_sink, app=app, password=PASSWORD,
                              wait=lambda predicate, **options: s.wait_for(
                                  while_pages_load(predicate), **{"timeout": wait_timeout, "interval": 0.1,
                                                                  **options}),
                              link=lambda emailed: local(url, emailed))
    finally:
        server.shutdown()


def local(base: str, emailed: str) -> str:
    """An emailed link (http://paraph.test/...) on the test's web server."""
    return base + "/" + emailed.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def staff(web_system):
    s = web_system.s
    admin = s.new_license("ACME Paris", "boss@acme.test")
    sales = s.add_user(admin, "paul@acme.test", name="Paul Martin")
    return SimpleNamespace(admin=admin, sales=sales, email={"admin": "boss@acme.test", "sales": "paul@acme.test"})


def signing_in(system):
    """``sign_in`` on any of the two systems above."""
    from selenium.webdriver.common.by import By
    wait = system.wait

    def do(browser, email, password=PASSWORD, next_path="/"):
        browser.get(system.url + "/sign-in?next=" + next_path)
        browser.find_element(By.ID, "field-email").send_keys(email)
        browser.find_element(By.ID, "field-password").send_keys(password)
        browser.find_element(By.ID, "sign-in-submit").click()
        wait(lambda: browser.find_elements(By.ID, "user-menu"), message=f"{email} signed in")
    return do


@pytest.fixture
def sign_in(web_system):
    return signing_in(web_system)


@pytest.fixture
def screenshot():
    return browsing.screenshots  # also for the browser tests outside tests/e2e/web
