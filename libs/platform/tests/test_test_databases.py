"""The test databases' templates (paraph_platform.testing.databases): two checkouts testing on one PostgreSQL
server with different migrations must not break each other's runs. The templates here are named by made-up
migrations fingerprints, so that the test's own drops never touch the templates other tests are copying."""
import uuid

import pytest
from sqlalchemy import text

from paraph_platform.testing import databases


@pytest.fixture
def admin():
    engine = databases._admin_engine()
    yield engine
    engine.dispose()


@pytest.fixture
def fingerprints(monkeypatch, admin):
    """Makes this test's run of the perimeter migrations look like another checkout's, one at a time."""
    made = []

    def as_checkout():
        made.append(f"test{uuid.uuid4().hex[:8]}")
        monkeypatch.setattr(databases, "_migrations_fingerprint", lambda service: made[-1])
        monkeypatch.setitem(databases._templates, "perimeter", None)
        databases._templates.pop("perimeter")
        return f"t_tmpl_perimeter_{made[-1]}"

    yield as_checkout
    with admin.connect() as conn:
        for fingerprint in made:
            conn.execute(text(f'drop database if exists "t_tmpl_perimeter_{fingerprint}" with (force)'))


def _exists(admin, name: str) -> bool:
    with admin.connect() as conn:
        return conn.execute(text("select 1 from pg_database where datname = :n"), {"n": name}).first() is not None


def test_a_template_dropped_by_another_run_is_made_again(admin, fingerprints):
    template = fingerprints()
    assert databases._migrated_template("perimeter") == template
    with admin.connect() as conn:  # what another checkout's run did when its migrations differed
        conn.execute(text(f'drop database "{template}" with (force)'))
    url = databases.create_database("perimeter")
    databases.drop_database(url)
    assert _exists(admin, template)


def test_another_checkouts_template_is_kept(admin, fingerprints):
    theirs = fingerprints()
    databases._migrated_template("perimeter")
    ours = fingerprints()
    databases._migrated_template("perimeter")  # made once ours differ: it tidies the older ones, but the newest
    assert _exists(admin, ours) and _exists(admin, theirs)
