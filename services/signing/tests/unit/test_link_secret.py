"""The secret of the signing links and one-time codes belongs to signing alone: configured with
SIGNING_LINK_SECRET (given to signing only), or generated once and kept in the signing database, never
derived from a secret another process holds."""
from paraph_platform.db import Db, make_engine
from paraph_platform.migrations import upgrade
from signing_service.dependencies import Keys, LinkKeys


def signing_db(path) -> Db:
    url = f"sqlite:///{path}"
    upgrade("signing", url)
    return Db(make_engine(url, shared=False))


def test_generated_once_kept_in_the_signing_database_and_never_derived_from_another_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("SIGNING_LINK_SECRET", raising=False)
    monkeypatch.setenv("JWT_SECRET", "a-secret-every-process-used-to-hold-" + "x" * 16)
    db = signing_db(tmp_path / "signing.db")
    first = Keys({}).link_keys(db)
    assert Keys({}).link_keys(db) == first  # a restart or another replica: the same links keep working
    assert first.link != first.otp  # one key per purpose
    assert first != LinkKeys.from_secret("links:a-secret-every-process-used-to-hold-" + "x" * 16)
    assert Keys({}).link_keys(signing_db(tmp_path / "other.db")) != first  # random, not a constant


def test_a_configured_secret_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNING_LINK_SECRET", "configured-link-secret")
    db = signing_db(tmp_path / "signing.db")
    assert Keys({}).link_keys(db) == LinkKeys.from_secret("configured-link-secret")
    assert Keys({"SIGNING_LINK_SECRET": "from-config"}).link_keys(db) == LinkKeys.from_secret("from-config")
