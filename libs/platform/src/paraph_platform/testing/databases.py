"""Real PostgreSQL databases for tests: ``create_database`` (copied from a template migrated to head once per
service and migrations), ``drop_database``, ``drop_later`` (drops in psql processes while the next tests run),
and the ``make_db`` fixture. The server comes from ``PARAPH_TEST_PG`` (``PG``).

This module owns the state of the test process's databases: the template cache (``_templates``) and the psql
processes still dropping (``_dropping``, awaited by the session fixture ``_databases_dropped``)."""
from __future__ import annotations

import os
import time
import uuid

import pytest

PG = os.environ.get("PARAPH_TEST_PG", "postgresql://postgres@127.0.0.1:5432").rstrip("/")


def _admin_engine():
    from sqlalchemy import create_engine
    from ..db import normalize_url
    return create_engine(normalize_url(f"{PG}/postgres"), isolation_level="AUTOCOMMIT")


def _migrations_fingerprint(service: str) -> str:
    """A digest of the service's migration scripts: a template made by other migrations is never used."""
    import hashlib
    from ..migrations import service_dir
    digest = hashlib.sha256()
    for path in sorted((service_dir(service) / "migrations").rglob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


_templates: dict[str, str] = {}
# the templates kept per service (this run's and the newest others): enough for a few checkouts testing at once
TEMPLATES_KEPT = 4


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
                    from ..migrations import upgrade
                    upgrade(service, f"{PG}/{building}")  # its engine is disposed: nobody stays connected
                    conn.execute(text(f'alter database "{building}" rename to "{name}"'))
                    # templates of earlier migrations of this service are of no more use, except the newest
                    # few: another checkout's test run on this server (another branch) may be copying one
                    stale = conn.execute(text("select datname from pg_database where datname like :p "
                                              "and datname <> :n order by oid desc offset :keep"),
                                         {"p": f"t_tmpl_{service}_%", "n": name, "keep": TEMPLATES_KEPT - 1})
                    for (old,) in stale.all():
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
            except exc.ProgrammingError as error:
                # the template was dropped under us (a run of many other migrations on this server): made again
                if "does not exist" not in str(error) or attempt == 19 or template is None:
                    raise
                _templates.pop(service, None)
                template = _migrated_template(service)
    finally:
        engine.dispose()
    return f"{PG}/{name}"


def _forget_engine(url: str):
    """Close this process's pooled connections to a database about to be dropped."""
    from .. import db as dbmod
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
