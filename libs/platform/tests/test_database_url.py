"""Which database each service uses: its own URL, else one database per service on the shared
DATABASE_URL's server, else embedded SQLite; a shared URL that would put every service in one database is
refused with what to set instead (the second service to migrate used to fail with "Can't locate revision")."""
import os
import subprocess
import sys

import pytest

from paraph_platform.config import ConfigError, database_url


@pytest.fixture
def environ(monkeypatch, tmp_path):
    for key in [k for k in os.environ if k.endswith("DATABASE_URL")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PARAPH_DATA_DIR", str(tmp_path))
    return monkeypatch


@pytest.mark.parametrize("shared, identity", [
    ("postgresql://paraph:pw@db:5432", "postgresql://paraph:pw@db:5432/paraph_identity"),
    ("postgresql://paraph:pw@db:5432/", "postgresql://paraph:pw@db:5432/paraph_identity"),
    ("postgres://db?sslmode=require", "postgres://db/paraph_identity?sslmode=require"),
])
def test_a_server_url_gives_each_service_its_own_database(environ, shared, identity):
    environ.setenv("DATABASE_URL", shared)
    assert database_url("identity") == identity
    assert database_url("notify") == identity.replace("paraph_identity", "paraph_notify")


def test_a_service_url_wins_over_the_shared_one(environ):
    environ.setenv("DATABASE_URL", "postgresql://db/one_database")  # not even read
    environ.setenv("IDENTITY_DATABASE_URL", "postgresql://db/accounts")
    assert database_url("identity") == "postgresql://db/accounts"


def test_no_url_is_embedded_sqlite(environ, tmp_path):
    assert database_url("portal") == f"sqlite:///{tmp_path / 'portal.db'}"


@pytest.mark.parametrize("shared, why", [
    ("postgresql://paraph:secret@db:5432/paraph", "DATABASE_URL names a database (paraph)"),
    ("sqlite:////var/lib/paraph/all.db", "DATABASE_URL is not a PostgreSQL server URL (sqlite:...)"),
])
def test_a_shared_url_naming_one_database_is_refused(environ, shared, why):
    environ.setenv("DATABASE_URL", shared)
    with pytest.raises(ConfigError) as refused:
        database_url("contracts")
    message = str(refused.value)
    assert message.startswith(why)
    assert "postgresql://user:password@host:5432" in message and "CONTRACTS_DATABASE_URL" in message
    assert "secret" not in message  # the password is never echoed


def test_a_service_started_with_such_a_url_says_so_and_exits_2(environ):
    env = {**os.environ, "DATABASE_URL": "postgresql://127.0.0.1:5432/paraph", "PYTHONWARNINGS": "ignore"}
    r = subprocess.run([sys.executable, "-m", "paraph_platform.run", "identity", "--migrate-only"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1].startswith("error: DATABASE_URL names a database (paraph)")
