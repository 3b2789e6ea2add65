"""The migration keying subjects and assignments by license keeps existing rows, on PostgreSQL and SQLite."""
import pytest
from sqlalchemy import create_engine, inspect, text

from paraph_platform.db import normalize_url
from paraph_platform.migrations import upgrade

pytestmark = pytest.mark.integration

BEFORE = "49496cb0d0d2"  # the last revision keyed by (subject_type, subject_id)


@pytest.fixture(params=["postgresql", "sqlite"])
def old_database(request, make_db, tmp_path):
    url = make_db("perimeter", migrate=False) if request.param == "postgresql" else f"sqlite:///{tmp_path}/p.db"
    upgrade("perimeter", url, BEFORE)
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(text("insert into perimeters (id, license_id, name, description, created_at, updated_at) "
                          "values ('p1', 'L1', 'North', '', '2026-01-01', '2026-01-01')"))
        conn.execute(text("insert into subjects (subject_type, subject_id, license_id, version, updated_at) "
                          "values ('user', 'u1', 'L1', 2, '2026-01-01')"))
        conn.execute(text("insert into assignments (subject_type, subject_id, perimeter_id, license_id) "
                          "values ('user', 'u1', 'p1', 'L1')"))
    yield url, engine
    engine.dispose()


def test_subjects_keep_their_license_and_a_person_can_join_another(old_database):
    url, engine = old_database
    upgrade("perimeter", url)
    keys = inspect(engine)
    assert keys.get_pk_constraint("subjects")["constrained_columns"] == ["license_id", "subject_type", "subject_id"]
    assert keys.get_pk_constraint("assignments")["constrained_columns"] == [
        "license_id", "subject_type", "subject_id", "perimeter_id"]
    assert [fk["referred_table"] for fk in keys.get_foreign_keys("assignments")] == ["perimeters"]
    with engine.begin() as conn:
        assert conn.execute(text("select license_id, version from subjects")).all() == [("L1", 2)]
        assert conn.execute(text("select license_id, perimeter_id from assignments")).all() == [("L1", "p1")]
        # the same person in a second license is a second subject
        conn.execute(text("insert into subjects (license_id, subject_type, subject_id, version, updated_at) "
                          "values ('L2', 'user', 'u1', 0, '2026-01-02')"))
