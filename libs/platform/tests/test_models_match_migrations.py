"""Each service's tables are declared twice, in models.py (what the code reads and writes) and in its
Alembic migrations (what a database is): after upgrading a fresh PostgreSQL database to head, Alembic's
own comparison must find nothing between the two, or a deployment would run with another schema than the
tests' models assume."""
from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from paraph_platform.db import normalize_url
from paraph_platform.testing import create_database, drop_database

SERVICES = ("identity", "perimeter", "contracts", "signing", "portal", "notify")

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service", SERVICES)
def test_models_match_migrations(service):
    metadata = importlib.import_module(f"{service}_service.models").Base.metadata
    url = create_database(service, migrate=True)
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    finally:
        engine.dispose()
        drop_database(url)
    assert differences == [], f"{service}: models.py and its migrations disagree: {differences}"


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_go_down_to_an_empty_database_and_up_again(service):
    """Every revision's downgrade runs (a release rolled back runs them), leaving no table behind."""
    from alembic import command
    from sqlalchemy import inspect

    from paraph_platform.migrations import alembic_config, upgrade

    url = create_database(service, migrate=True)
    engine = create_engine(normalize_url(url))
    try:
        with engine.begin() as conn:
            cfg = alembic_config(service, url)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(service, url)
        assert "outbox" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
        drop_database(url)
