"""docker-compose.yml checked without Docker: structure, health-gated start order, wiring, env, ports, volumes.

``docker compose config`` is used as well when the compose plugin is installed (it is not on the
development machines: the Python checks below are the ones that always run).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from deploy.tests import envscan

ROOT = envscan.ROOT
SERVICES = envscan.SERVICES
INFRA = ("rabbitmq", "postgres", "opa", "mailpit")
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_example() -> dict[str, str | None]:
    """Variables documented in .env.example: ``NAME=value`` (set) or ``# NAME=...`` (documented default)."""
    out: dict[str, str | None] = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        m = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
            continue
        for name in re.findall(r"#\s*([A-Z][A-Z0-9_]*)=", line):
            out.setdefault(name, None)
    return out


def environment(svc: dict) -> dict:
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def test_every_component_is_present(compose):
    names = set(compose["services"])
    missing = (set(SERVICES) | {"gateway"} | set(INFRA)) - names
    assert not missing, f"missing from docker-compose.yml: {missing}"
    assert compose["services"]["rabbitmq"]["image"].split(":")[1].endswith("management")
    assert compose["services"]["mailpit"]["image"].startswith(("axllent/mailpit", "mailhog/mailhog"))
    assert compose["services"]["opa"]["image"].startswith("openpolicyagent/opa:")


@pytest.mark.parametrize("name", [*SERVICES, "gateway", *INFRA])
def test_healthcheck(compose, name):
    svc = compose["services"][name]
    hc = svc.get("healthcheck")
    assert hc and hc.get("test"), f"{name} has no healthcheck"
    test = hc["test"]
    assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL")
    for key in ("interval", "timeout", "retries"):
        assert key in hc, f"{name} healthcheck lacks {key}"
    if name in SERVICES:
        assert test[1:] == ["python", "-m", "paraph_platform.health", name]
    if name == "gateway":
        assert test[1:4] == ["python", "-m", "paraph_platform.health"] and "gateway" in test


@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
def test_application_services(compose, name):
    svc = compose["services"][name]
    build = svc["build"]
    assert build["context"] == "."
    dockerfile = build["dockerfile"]
    assert dockerfile == (f"services/{name}/Dockerfile" if name != "gateway" else "gateway/Dockerfile")
    assert (ROOT / dockerfile).exists()
    assert svc["image"].startswith(f"paraph/{name}:")
    # started only when what it needs is healthy
    deps = svc.get("depends_on")
    assert isinstance(deps, dict), f"{name}: depends_on must use the long form with conditions"
    for dep, spec in deps.items():
        assert dep in compose["services"], f"{name} depends on unknown {dep}"
        assert spec.get("condition") == "service_healthy", f"{name} -> {dep} is not health-gated"
        assert "healthcheck" in compose["services"][dep]
    assert "rabbitmq" in deps
    env = environment(svc)
    assert env["AMQP_URI"].startswith("amqp://") and "@rabbitmq:5672/" in env["AMQP_URI"]
    if name != "gateway":
        assert "postgres" in deps
        # a server URL without database: config.database_url appends /paraph_<service>
        assert re.fullmatch(r"postgresql://[^/]+@postgres:5432", env["DATABASE_URL"])
    # env_file: .env.example, then an optional .env
    files = svc["env_file"]
    paths = [f["path"] if isinstance(f, dict) else f for f in files]
    assert paths[0] == ".env.example" and (ROOT / ".env.example").exists()
    for f in files:
        if isinstance(f, dict) and f.get("required") is False:
            continue
        assert (ROOT / (f["path"] if isinstance(f, dict) else f)).exists()


def test_gateway_depends_on_every_service(compose):
    deps = compose["services"]["gateway"]["depends_on"]
    assert set(SERVICES) <= set(deps)


def test_perimeter_uses_the_opa_server_with_the_mounted_policy(compose):
    perimeter = compose["services"]["perimeter"]
    env = environment(perimeter)
    assert env["OPA_URL"] == "http://opa:8181"
    assert str(env["OPA_MANAGED_POLICY"]) == "1"
    assert perimeter["depends_on"]["opa"]["condition"] == "service_healthy"
    opa = compose["services"]["opa"]
    cmd = opa["command"]
    assert cmd[:2] == ["run", "--server"] and "--addr=0.0.0.0:8181" in cmd
    mounts = {v.split(":")[1]: v.split(":")[0] for v in opa["volumes"]}
    policy_in_container = cmd[-1]
    assert mounts[policy_in_container] == "./services/perimeter/src/perimeter_service/policy/perimeter.rego"


def test_notify_sends_to_the_mail_sink(compose):
    notify = compose["services"]["notify"]
    assert environment(notify)["SMTP_URL"] == "smtp://mailpit:1025"
    assert notify["depends_on"]["mailpit"]["condition"] == "service_healthy"


def test_postgres_init_creates_one_database_per_service(compose):
    pg = compose["services"]["postgres"]
    init = [v for v in pg["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert init
    script = (ROOT / init[0].split(":")[0]).read_text()
    created = set(re.findall(r"CREATE DATABASE (\w+)", script, re.I))
    assert created == {f"paraph_{s}" for s in SERVICES}


def test_volume_paths_exist(compose):
    named = set(compose.get("volumes") or {})
    for name, svc in compose["services"].items():
        for volume in svc.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume["source"]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name}: bind mount source {source} does not exist"
                assert (ROOT / source).resolve().is_relative_to(ROOT), f"{name}: {source} leaves the repository"
            else:
                assert source in named, f"{name}: named volume {source} is not declared"


def test_published_ports_are_unique_and_the_api_is_on_8000(compose):
    seen = {}
    for name, svc in compose["services"].items():
        for port in svc.get("ports", []):
            resolved = INTERPOLATION.sub(lambda m: m.group(3) or "", str(port))
            parts = resolved.split(":")
            host = ":".join(parts[:-1])
            assert host, f"{name}: publish {port} with an explicit host port"
            assert host not in seen, f"{name} and {seen.get(host)} publish the same host port {host}"
            seen[host] = name
    gateway_ports = [INTERPOLATION.sub(lambda m: m.group(3) or "", p) for p in compose["services"]["gateway"]["ports"]]
    assert "8000:8000" in gateway_ports
    # infrastructure is only published on loopback
    for name in ("rabbitmq", "mailpit"):
        for port in compose["services"][name].get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_every_variable_the_code_reads_is_documented():
    documented = env_example()
    reads = envscan.all_reads()
    missing = {name: sorted(files) for name, files in reads.items() if name not in documented}
    assert not missing, f"document these variables in .env.example (read by the code): {missing}"
    for service in SERVICES:  # per-service database URLs
        assert f"{service.upper()}_DATABASE_URL" in (ROOT / ".env.example").read_text()


def test_every_interpolated_variable_is_documented(compose):
    documented = env_example()
    text = (ROOT / "docker-compose.yml").read_text()
    for name, op, default in INTERPOLATION.findall(text):
        assert name in documented, f"${{{name}}} in docker-compose.yml is not in .env.example"
    # healthcheck $$VAR escapes are container-side, not interpolation
    assert "$${POSTGRES_USER}" in text


def test_env_example_has_no_real_secrets():
    documented = env_example()
    for key in ("JWT_SECRET", "RABBITMQ_PASSWORD", "POSTGRES_PASSWORD"):
        value = documented.get(key) or ""
        assert "dev" in value, f"{key} in .env.example should be an obvious development value"


@pytest.mark.skipif(shutil.which("docker") is None, reason="docker CLI not installed")
def test_docker_compose_config_when_available():
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("the docker compose plugin is not installed here")
    result = subprocess.run(["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
