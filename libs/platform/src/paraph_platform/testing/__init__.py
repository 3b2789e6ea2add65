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
* ``mail_sink`` — an in-process SMTP sink with its HTTP JSON API (:mod:`paraph_platform.mailsink`): pass
  ``mail_sink.smtp_url`` as ``SMTP_URL`` (and ``mail_sink.sms_url`` as ``SMS_API_URL`` with
  ``SMS_PROVIDER=sink``) to the notify service, then read ``mail_sink.messages(to=...)``.

PostgreSQL comes from ``PARAPH_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432``).

The root conftest.py loads this package as a plugin (``pytest_plugins``), and tests, drills and benchmarks
import from it: pytest finds only the fixtures that are attributes of this module, so it imports every fixture
and public helper of its submodules:

* :mod:`.databases` — ``PG``, ``create_database`` (from migrated template databases), ``drop_database``,
  ``drop_later``, the ``make_db`` fixture; it owns the template cache and the drops still running.
* :mod:`.services` — ``TEST_RPC_TIMEOUT``, ``service_class``, ``test_config``, ``kill_containers``, the
  ``start_service`` fixture.
* :mod:`.systems` — ``System``, ``emailed_links``, the ``system`` and ``module_system`` fixtures.
* :mod:`.receivers` — the ``mail_sink`` (``module_mail_sink``), ``http_trap`` and ``webhook_receiver`` fixtures,
  ``WebhookReceiver``.
* :mod:`.chromium` — the ``browser`` fixture (headless Chromium), ``CHROMIUM``, ``CHROMEDRIVER``.
* :mod:`.tokens` — ``TestTokenKey``, ``TEST_TOKEN_KEY``, ``TEST_OPERATOR_TOKEN``.
* :mod:`.waiting` — ``wait_for``.
"""
from __future__ import annotations

from .chromium import CHROMEDRIVER, CHROMIUM, browser
from .databases import PG, _admin_engine, _databases_dropped, create_database, drop_database, drop_later, make_db
from .receivers import WebhookReceiver, http_trap, mail_sink, module_mail_sink, webhook_receiver
from .services import TEST_RPC_TIMEOUT, kill_containers, service_class, start_service, test_config
from .systems import System, emailed_links, module_system, system
from .tokens import TEST_OPERATOR_TOKEN, TEST_TOKEN_KEY, TestTokenKey
from .waiting import wait_for

__all__ = [
    # fixtures (pytest registers them from this module's attributes)
    "_databases_dropped", "browser", "http_trap", "mail_sink", "make_db", "module_mail_sink", "module_system",
    "start_service", "system", "webhook_receiver",
    # helpers
    "CHROMEDRIVER", "CHROMIUM", "PG", "TEST_OPERATOR_TOKEN", "TEST_RPC_TIMEOUT", "TEST_TOKEN_KEY", "System",
    "TestTokenKey", "WebhookReceiver", "_admin_engine", "create_database", "drop_database", "drop_later",
    "emailed_links", "kill_containers", "service_class", "test_config", "wait_for",
]
