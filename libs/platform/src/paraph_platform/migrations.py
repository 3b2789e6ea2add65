"""Alembic glue shared by every service (each keeps its own migrations/ folder)."""
from __future__ import annotations

import importlib
import logging
import time
from pathlib import Path

from .config import database_url

log = logging.getLogger(__name__)


def service_dir(service: str) -> Path:
    """services/<service>/ for a package <service>_service installed from source."""
    module = importlib.import_module(f"{service}_service")
    return Path(module.__file__).resolve().parents[2]


def has_migrations(service: str) -> bool:
    """Whether the service keeps an Alembic history (every service of Paraph does; a test's stand-in service
    whose tables the test creates has none)."""
    return (service_dir(service) / "migrations").is_dir()


def alembic_config(service: str, url: str | None = None):
    from alembic.config import Config
    root = service_dir(service)
    cfg = Config(str(root / "alembic.ini"))
    cfg.set_main_option("script_location", str(root / "migrations"))
    cfg.set_main_option("sqlalchemy.url", (url or database_url(service)).replace("%", "%%"))
    cfg.attributes["service"] = service
    return cfg


# Replicas of a service start at the same time (Kubernetes initContainers, `--migrate` in compose): two
# creating one database, or two Alembic runs creating ``alembic_version`` / the same tables at once, make
# the loser fail with a unique violation on PostgreSQL's catalogs. Both steps are serialised by PostgreSQL
# advisory locks (released at transaction end, or when the session closes if the process dies); the
# replica that waited then finds the database created and the schema at head, and does nothing.
CREATE_DATABASE_LOCK = "paraph:create-database:{}"
MIGRATE_LOCK = "paraph:migrate:{}"


# Refusals a server gives while starting, or while full, which pass: a replica waits for them (up to
# CONNECT_PATIENCE seconds) rather than failing the rollout; any other error (password, unknown host) is raised
# at once.
TRANSIENT_CONNECT_ERRORS = ("too many clients", "remaining connection slots are reserved",
                            "the database system is starting up", "the database system is in recovery mode",
                            "Connection refused", "timeout expired")
CONNECT_PATIENCE = 60.0


def _connect_patiently(engine):
    from sqlalchemy.exc import OperationalError
    deadline, delay = time.monotonic() + CONNECT_PATIENCE, 0.5
    while True:
        try:
            return engine.connect()
        except OperationalError as exc:
            reason = str(exc.orig).strip()
            if not any(t in reason for t in TRANSIENT_CONNECT_ERRORS) or time.monotonic() + delay > deadline:
                raise
            log.warning("PostgreSQL refused a connection (%s); retrying in %.1fs", reason.splitlines()[-1], delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def is_transient(exc) -> bool:
    """Whether a connection error is one a server gives while starting, restarting or full (it passes)."""
    reason = str(getattr(exc, "orig", None) or exc)
    return any(t in reason for t in TRANSIENT_CONNECT_ERRORS)


def script_revisions(service: str, url: str | None = None) -> tuple[set[str], set[str]]:
    """(the heads, every revision) of this version of ``service``'s migrations."""
    from alembic.script import ScriptDirectory
    script = ScriptDirectory.from_config(alembic_config(service, url))
    return set(script.get_heads()), {rev.revision for rev in script.walk_revisions()}


def current_revision(connection) -> str | None:
    """The revision the database is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext
    return MigrationContext.configure(connection).get_current_revision()


def schema_state(service: str, url: str | None = None) -> tuple[str | None, set[str], set[str]]:
    """(the database's revision, this version's heads, every revision this version knows), read with one
    short connection (no waiting: a server that is down raises at once)."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool
    from .db import normalize_url
    url = url or database_url(service)
    args = {"connect_timeout": 5} if url.startswith("postgres") else {}
    engine = create_engine(normalize_url(url), poolclass=NullPool, connect_args=args)
    try:
        with engine.connect() as connection:
            current = current_revision(connection)
    finally:
        engine.dispose()
    return (current, *script_revisions(service, url))


def _advisory_lock(conn, key: str, *, transaction: bool):
    from sqlalchemy import text
    fn = "pg_advisory_xact_lock" if transaction else "pg_advisory_lock"
    conn.execute(text(f"select {fn}(hashtext(:key))"), {"key": key})


def upgrade(service: str, url: str | None = None, revision: str = "head"):
    """``alembic upgrade`` to ``revision``, one process at a time per database (see the locks above).
    False when the database is at a revision this version does not know (a newer one migrated it: left as
    it is), True otherwise."""
    from alembic import command
    from .db import make_engine
    url = url or database_url(service)
    engine = make_engine(url, shared=False)
    cfg = alembic_config(service, url)
    try:
        with _connect_patiently(engine) as connection:
            if connection.dialect.name == "sqlite":
                # batch migrations copy a table, drop it and rename the copy: with foreign keys on, dropping
                # it would delete (ON DELETE CASCADE) every row that refers to it. The pragma only takes
                # effect outside a transaction, hence before begin().
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    # held until this transaction commits, i.e. until the migrations it runs are committed
                    _advisory_lock(connection, MIGRATE_LOCK.format(service), transaction=True)
                current = current_revision(connection)
                _, known = script_revisions(service, url)
                if current is not None and current not in known:
                    # migrated by a newer version (a rollback, or this version's pod restarted during a rolling
                    # update): migrations stay backward compatible with the previous version, which runs on it
                    log.warning("%s: the database is at revision %s, which this version does not know (a newer "
                                "version migrated it): left as it is", service, current)
                    return False
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, revision)
                if connection.dialect.name == "sqlite":
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migrations left rows referring to nothing: {broken[:5]}")
    finally:
        engine.dispose()
    return True


def ensure_database(url: str):
    """Create the PostgreSQL database named in ``url`` if it does not exist (no-op for SQLite).

    Safe when several processes do it at once: they take turns under an advisory lock on the maintenance
    database, and a database created meanwhile by anything else (an operator, an init script) is fine too.
    """
    if not url.startswith("postgres"):
        return
    from sqlalchemy import create_engine, exc, text
    from sqlalchemy.engine import make_url
    from .db import normalize_url
    target = make_url(normalize_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with _connect_patiently(admin) as conn:
            # a session lock (CREATE DATABASE cannot run in a transaction): the connection goes back to the
            # pool on leaving this block, so the lock is released by admin.dispose() (which closes it) below
            _advisory_lock(conn, CREATE_DATABASE_LOCK.format(target.database), transaction=False)
            exists = conn.execute(text("select 1 from pg_database where datname = :n"),
                                  {"n": target.database}).first()
            if not exists:
                try:
                    conn.execute(text(f'create database "{target.database}"'))
                except (exc.ProgrammingError, exc.IntegrityError) as error:
                    # created concurrently by something that does not take our lock
                    if getattr(error.orig, "pgcode", None) not in ("42P04", "23505"):  # duplicate db, unique
                        raise
    finally:
        admin.dispose()


def run_env(metadata):
    """Body of a service's migrations/env.py."""
    from alembic import context
    from sqlalchemy import create_engine

    config = context.config
    connection = config.attributes.get("connection")
    render_batch = lambda url: str(url).startswith("sqlite")  # noqa: E731
    if context.is_offline_mode():
        url = config.get_main_option("sqlalchemy.url")
        context.configure(url=url, target_metadata=metadata, literal_binds=True,
                          render_as_batch=render_batch(url))
        with context.begin_transaction():
            context.run_migrations()
        return
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        context.run_migrations()
        return
    from .db import normalize_url
    url = config.get_main_option("sqlalchemy.url")
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=render_batch(url))
        context.run_migrations()
    engine.dispose()
