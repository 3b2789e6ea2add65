"""`./paraph up` gives each secret only to the process that reads it: a compromised service (or one that
leaks its environment in a crash report) cannot mint tokens, call the operator API, forge signing links,
send mail as the platform or open another service's database. The gateway listens on loopback unless
told otherwise, behind a random operator token generated per data dir (no well-known default).

What each process reads is found by scanning its code (deploy/tests/envscan.py), as for the compose file
and the Kubernetes manifests (deploy/tests/test_compose.py, test_k8s.py)."""
import os

import pytest

from deploy.tests import envscan
from paraph_platform import devtool


@pytest.fixture
def hostile_environment(tmp_path, monkeypatch):
    """The developer's shell holds every secret there is, and each service's database URL."""
    for name in envscan.SECRET_VARS:
        monkeypatch.setenv(name, f"secret-{name.lower()}")
    for service in envscan.SERVICES:
        monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", f"sqlite:///{tmp_path / service}-own.db")
    monkeypatch.delenv("GATEWAY_BIND", raising=False)
    monkeypatch.delenv("GATEWAY_PORT", raising=False)
    monkeypatch.setenv("PARAPH_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PARAPH_ROOT", str(envscan.ROOT))
    return tmp_path


def environments(*argv) -> dict[str, dict[str, str]]:
    return devtool.process_environments(devtool.build_parser().parse_args(["up", *argv]))


def test_each_process_gets_only_the_secrets_its_code_reads(hostile_environment):
    envs = environments()
    assert set(envs) == {*envscan.APPS, "mailsink"}
    assert not [name for name in envs["mailsink"] if envscan.is_secret(name)]
    for app in envscan.APPS:
        misplaced = envscan.misplaced_secrets(app, envs[app])
        assert not misplaced, f"./paraph up gives {app} secrets its code does not read: {misplaced}"
    for service in envscan.SERVICES:  # its own database, and no other
        own = f"{service.upper()}_DATABASE_URL"
        assert envs[service][own] == os.environ[own]
        assert [name for name in envs[service] if name.endswith("DATABASE_URL")] == [own]


def test_each_secret_reaches_the_process_that_reads_it(hostile_environment):
    envs = environments()
    never_given = devtool.WITHHELD - {name for names in devtool.SECRETS_OF.values() for name in names}
    for app in envscan.APPS:
        for name in (envscan.app_reads(app) & envscan.SECRET_VARS) - never_given:
            assert envs[app].get(name) == os.environ[name], f"{app} reads {name} but ./paraph up does not give it"


def test_the_operator_token_is_random_per_data_dir_and_private(hostile_environment, monkeypatch):
    monkeypatch.delenv("OPERATOR_TOKEN")
    token = environments()["gateway"]["OPERATOR_TOKEN"]
    assert len(token) >= 32 and token != "dev-operator-token"
    stored = hostile_environment / "var" / "operator_token"
    assert stored.read_text().strip() == token and stored.stat().st_mode & 0o777 == 0o600
    assert environments()["gateway"]["OPERATOR_TOKEN"] == token  # stable across restarts
    monkeypatch.setenv("PARAPH_DATA_DIR", str(hostile_environment / "other"))
    assert environments()["gateway"]["OPERATOR_TOKEN"] != token
    monkeypatch.setenv("OPERATOR_TOKEN", "chosen-by-the-developer")  # the environment wins
    assert environments()["gateway"]["OPERATOR_TOKEN"] == "chosen-by-the-developer"


def test_the_gateway_listens_on_loopback_unless_told_otherwise(hostile_environment, monkeypatch):
    """The public address is the web app's (it forwards the API to the gateway, which stays on loopback)."""
    assert environments("--port", "8123")["web"]["WEB_BIND"] == "127.0.0.1:8123"
    assert environments("--host", "0.0.0.0")["web"]["WEB_BIND"] == "0.0.0.0:8000"
    assert environments("--host", "0.0.0.0")["gateway"]["GATEWAY_BIND"].startswith("127.0.0.1:")
    monkeypatch.setenv("GATEWAY_BIND", "192.0.2.10:9000")
    assert environments()["web"]["WEB_BIND"] == "192.0.2.10:9000"
