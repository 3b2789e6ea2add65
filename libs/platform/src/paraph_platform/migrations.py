"""Alembic glue shared by every service (each keeps its own migrations/ folder)."""
from __future__ import annotations

import importlib
import logging
from pathlib import Path

from .config import database_url

log = logging.getLogger(__name__)


def service_dir(service: str) -> Path:
    """services/<service>/ for a package <service>_service installed from source."""
    module = importlib.import_module(f"{service}_service")
    return Path(module.__file__).resolve().parents[2]


def alembic_config(service: str, url: str | None = None):
    from alembic.config import Config
    root = service_dir(service)
    cfg = Config(str(root / "alembic.ini"))
    cfg.set_main_option("script_location", str(root / "migrations"))
    cfg.set_main_option("sqlalchemy.url", (url or database_url(service)).replace("%", "%%"))
    cfg.attributes["service"] = service
    return cfg


def upgrade(service: str, url: str | None = None, revision: str = "head"):
    from alembic import command
    from .db import make_engine
    url = url or database_url(service)
    engine = make_engine(url, shared=False)
    cfg = alembic_config(service, url)
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def ensure_database(url: str):
    """Create the PostgreSQL database named in ``url`` if it does not exist (no-op for SQLite)."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    target = make_url(url)
    from .db import normalize_url
    target = make_url(normalize_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("select 1 from pg_database where datname = :n"),
                                  {"n": target.database}).first()
            if not exists:
                conn.execute(text(f'create database "{target.database}"'))
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
