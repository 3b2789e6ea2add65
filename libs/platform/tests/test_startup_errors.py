"""What an operator reads when a process cannot start as configured: one ``error:`` line naming what to fix
(exit status 2), never a traceback; and a service never starts on a database its migrations have not
reached (it would answer its first requests with errors on missing tables)."""
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from paraph_platform import run
from paraph_platform.config import ConfigError, database_url
from paraph_platform.health import broker_reachable, first_line, one_line, run_checks
from paraph_platform.migrations import alembic_config, schema_state, upgrade

ROOT = Path(__file__).resolve().parents[3]
PG = os.environ.get("PARAPH_TEST_PG", "postgresql://postgres@127.0.0.1:5432").rstrip("/")


def started(*args, **env):
    """``python -m paraph_platform.run <args>`` with ``env`` on top of this environment: (status, stderr)."""
    environ = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    r = subprocess.run([sys.executable, "-m", "paraph_platform.run", *args],
                       env={**environ, "PYTHONWARNINGS": "ignore", **env}, capture_output=True, text=True, timeout=90)
    return r.returncode, r.stderr


def assert_one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    return errors[0]


def test_a_refused_database_password_is_one_line_without_the_password():
    server = PG.split("://", 1)[1].rsplit("@", 1)[-1]
    status, stderr = started("identity", "--migrate-only",
                             IDENTITY_DATABASE_URL=f"postgresql://no_such_role:s3cret@{server}/paraph_nothing")
    assert status == 2
    line = assert_one_error_line(stderr)
    assert "identity's database postgresql://no_such_role:***@" in line and "no_such_role" in line
    assert "s3cret" not in stderr


@pytest.mark.parametrize("url, said", [
    ("mysql://paraph@db/paraph", "got mysql://..."),
    ("db.example.com:5432/paraph", "got a value that is not a URL"),
])
def test_a_database_url_paraph_cannot_use_is_one_line(url, said):
    status, stderr = started("contracts", "--migrate-only", CONTRACTS_DATABASE_URL=url)
    assert status == 2
    line = assert_one_error_line(stderr)
    assert line.startswith("error: CONTRACTS_DATABASE_URL must be a PostgreSQL URL") and line.endswith(said)


def test_a_url_that_is_not_amqp_is_one_sentence():
    ok, message = broker_reachable("http://guest:guest@127.0.0.1:15672/")
    assert not ok and message.startswith("AMQP_URI is not an amqp:// URL (got http://...)")
    assert not broker_reachable("rabbitmq")[0]


@pytest.mark.parametrize("url, said", [
    ("http://guest:s3cret@127.0.0.1:15672/", "got http://..."),  # kombu: KeyError 'No such transport: http'
    ("redis://:s3cret@127.0.0.1:6379/0", "got redis://..."),  # kombu: AttributeError on the missing redis module
    ("rabbitmq", "got a value that is not a URL"),  # kombu: a host named "rabbitmq", unknown
    ("amqp://guest:guest@127.0.0.1:5672/;http://127.0.0.1/", "got http://..."),  # one of a cluster's URLs
])
def test_the_health_command_says_an_amqp_uri_is_not_an_amqp_url(monkeypatch, url, said):
    monkeypatch.setenv("AMQP_URI", url)
    ok, lines = run_checks("identity", ["broker", "ping"], timeout=1.0)
    assert not ok and len(lines) == 2
    for check, line in zip(("broker", "ping"), lines):
        assert line.startswith(f"FAIL {check}: AMQP_URI is not an amqp:// URL ({said}): it must be amqp://"), line
        assert "s3cret" not in line and "Error" not in line


def test_the_health_command_line_of_a_bad_amqp_uri(monkeypatch, capsys):
    from paraph_platform import health
    monkeypatch.setenv("AMQP_URI", "http://x")
    assert health.main(["identity", "--check", "broker"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "identity: UNHEALTHY",
        "  FAIL broker: AMQP_URI is not an amqp:// URL (got http://...): it must be "
        "amqp://user:password@host:5672/vhost (amqps:// for TLS; several separated by ';').",
    ]


def test_the_health_command_says_a_database_error_on_one_line(monkeypatch):
    monkeypatch.setenv("IDENTITY_DATABASE_URL", f"{PG}/paraph_no_such_database_h")
    ok, lines = run_checks("identity", ["db"])
    assert not ok and len(lines) == 1 and "\n" not in lines[0]
    assert lines[0].startswith("FAIL db: OperationalError:") and "paraph_no_such_database_h" in lines[0]
    assert "Background on this error" not in lines[0]


def test_one_line_folds_a_driver_message_and_masks_urls():
    exc = OperationalError("select 1", {}, Exception("FATAL:  no\n\tIs the server at postgresql://u:pw@h/d running?\n"))
    assert one_line(exc) == "FATAL:  no Is the server at postgresql://u:***@h/d running?"


def test_first_line_is_the_class_and_the_first_line_of_the_driver_message():
    """What a warning repeated while the database is down says: psycopg2's hint and SQLAlchemy's link are
    further lines, left out."""
    from sqlalchemy import create_engine
    engine = create_engine("postgresql+psycopg2://u:pw@127.0.0.1:1/paraph_x")
    with pytest.raises(OperationalError) as caught:
        engine.connect()
    assert len(str(caught.value).splitlines()) >= 3  # what the relay used to log
    said = first_line(caught.value)  # "Connection refused" alone when psycogreen connects (tests, services)
    assert said.startswith("OperationalError: ") and said.endswith("Connection refused") and "\n" not in said
    exc = OperationalError("select 1", {}, Exception("no\n\tat postgresql://u:pw@h/d\n"))
    assert first_line(exc) == "OperationalError: no"
    assert first_line(ConnectionRefusedError(111, "Connection refused")) == \
        "ConnectionRefusedError: [Errno 111] Connection refused"
    assert first_line(RuntimeError("see amqp://u:pw@h/v\nand more")) == "RuntimeError: see amqp://u:***@h/v"
    assert first_line(RuntimeError()) == "RuntimeError"


def previous_revision(service: str) -> str:
    from alembic.script import ScriptDirectory
    script = ScriptDirectory.from_config(alembic_config(service))
    return script.get_revision(script.get_current_head()).down_revision


def test_a_service_is_not_started_on_a_database_behind_its_migrations(make_db):
    url = make_db("identity", migrate=False)
    status, stderr = started("identity", IDENTITY_DATABASE_URL=url)  # never migrated
    assert status == 2
    assert "has no schema (never migrated): run `python -m paraph_platform.run identity --migrate-only`" in \
        assert_one_error_line(stderr)

    older = previous_revision("identity")
    upgrade("identity", url, older)
    status, stderr = started("identity", IDENTITY_DATABASE_URL=url)
    assert status == 2
    assert f"is at revision {older}, this version needs" in assert_one_error_line(stderr)

    status, stderr = started("identity", "--migrate-only", IDENTITY_DATABASE_URL=url)  # what the message says
    assert status == 0, stderr
    current, heads, _known = schema_state("identity", url)
    assert current in heads
    run.check_schema("identity", url)  # now starts


def test_a_database_a_newer_version_migrated_is_left_as_it_is(make_db, caplog):
    """A rollback (or a pod of the previous version restarting during a rolling update): migrations stay
    backward compatible with the previous version, which runs on the newer schema."""
    url = make_db("identity")
    from sqlalchemy import create_engine, text
    from paraph_platform.health import normalize_url
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = 'f00dfacade01'"))
    engine.dispose()
    with caplog.at_level(logging.WARNING):
        assert upgrade("identity", url) is False
        run.check_schema("identity", url)
    said = [r.getMessage() for r in caplog.records]
    assert any("at revision f00dfacade01, which this version does not know" in m for m in said), said


def test_a_database_restarting_does_not_stop_a_service_from_starting(caplog):
    """Only a database refusing for good is an error at start: one down for now is reported by the health
    command until it answers, as when it goes away later."""
    with caplog.at_level(logging.WARNING):
        run.check_schema("identity", "postgresql://postgres@127.0.0.1:1/paraph_identity")
    assert any("not reachable now" in r.getMessage() for r in caplog.records)


def test_a_shared_url_is_checked_like_a_service_url(monkeypatch):
    monkeypatch.delenv("IDENTITY_DATABASE_URL", raising=False)
    monkeypatch.setenv("IDENTITY_DATABASE_URL", "oracle://db/x")
    with pytest.raises(ConfigError, match="IDENTITY_DATABASE_URL must be a PostgreSQL URL"):
        database_url("identity")


@pytest.mark.parametrize("app, env, said", [
    ("web", {"WEB_SESSION_KEY": ""}, "error: web: WEB_SESSION_KEY is not set"),
    ("gateway", {"RPC_POOL_SIZE": "lots"}, "error: gateway: environment variable RPC_POOL_SIZE must be an integer"),
])
def test_an_http_app_that_cannot_work_is_one_line_from_gunicorns_master(app, env, said):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    environ = {**os.environ, "PYTHONWARNINGS": "ignore", f"{app.upper()}_BIND": "127.0.0.1:0", **env}
    r = subprocess.run([str(gunicorn), "-c", str(ROOT / app / "gunicorn.conf.py")], env=environ, cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1].startswith(said), r.stderr
    assert "Traceback" not in r.stderr and "Booting worker" not in r.stderr


def test_a_jwt_private_key_that_gives_no_ed25519_key_is_one_line(tmp_path):
    """Checked before nameko sets identity up (its setup's traceback came from a green thread)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    (tmp_path / "rsa.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    for value, said in ((str(tmp_path / "missing.pem"), "cannot read"), (str(tmp_path / "rsa.pem"), "not a RSA")):
        status, stderr = started("identity", JWT_PRIVATE_KEY=value, IDENTITY_DATABASE_URL=f"{PG}/paraph_unused")
        assert status == 2, stderr
        line = assert_one_error_line(stderr)
        assert line.startswith("error: JWT_PRIVATE_KEY must be an Ed25519 private key") and said in line


@pytest.fixture(scope="module")
def sealing_p12(tmp_path_factory):
    """A PKCS#12 file with a sealing key and its certificate, under the password "right-s3cret"."""
    from signing_service import crypto
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    creds = crypto.generate_dev_credentials()
    key = serialization.load_pem_private_key(creds["signer.key.pem"], None)
    path = tmp_path_factory.mktemp("seal") / "seal.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"seal", key, x509.load_pem_x509_certificate(creds["signer.pem"]), None,
        serialization.BestAvailableEncryption(b"right-s3cret")))
    (path.parent / "seal.pem").write_bytes(creds["signer.pem"])
    return path


P12_EXPECTED = "the path of a PKCS#12 file (.p12, .pfx) holding the sealing key and its certificate"


@pytest.mark.parametrize("p12, password, said", [
    ("missing.p12", "right-s3cret",
     f"error: SIGNING_P12_PATH must be {P12_EXPECTED}: cannot read '{{dir}}/missing.p12' (No such file or directory)"),
    ("seal.p12", "wrong-s3cret",
     "error: SIGNING_P12_PASSWORD does not open the PKCS#12 file '{dir}/seal.p12' (SIGNING_P12_PATH): wrong password"),
    ("seal.pem", "right-s3cret",
     f"error: SIGNING_P12_PATH must be {P12_EXPECTED}: '{{dir}}/seal.pem' is not a PKCS#12 file"),
])
def test_a_sealing_key_that_cannot_be_loaded_stops_signing_at_start(sealing_p12, p12, password, said):
    """Checked by signing's preflight, before nameko runs: not found at the first seal, when a customer signs."""
    folder = sealing_p12.parent
    status, stderr = started("signing", SIGNING_P12_PATH=str(folder / p12), SIGNING_P12_PASSWORD=password,
                             SIGNING_DATABASE_URL=f"{PG}/paraph_unused")
    assert status == 2, stderr
    assert assert_one_error_line(stderr) == said.format(dir=folder)
    assert "s3cret" not in stderr


def test_a_sealing_key_that_loads_passes_signings_preflight(sealing_p12, monkeypatch):
    from signing_service import preflight
    monkeypatch.setenv("SIGNING_P12_PATH", str(sealing_p12))
    monkeypatch.setenv("SIGNING_P12_PASSWORD", "right-s3cret")
    preflight.check()
    monkeypatch.setenv("SIGNING_P12_PASSWORD", "wrong-s3cret")
    with pytest.raises(ConfigError, match="SIGNING_P12_PASSWORD does not open"):
        run.preflight("signing")

