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
from deploy.tests.test_docker import image_build

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


def env_files(svc: dict) -> list[str]:
    return [f["path"] if isinstance(f, dict) else f for f in svc.get("env_file") or []]


def with_defaults(value: str) -> str:
    """A compose value with its ${VAR:-default} interpolations replaced by their defaults."""
    return INTERPOLATION.sub(lambda m: m.group(3) or "", str(value))


def container_variables(svc: dict) -> set[str]:
    """Every variable a container gets: its environment and what its env files set."""
    names = set(environment(svc))
    for path in env_files(svc):
        for line in (ROOT / path).read_text().splitlines():
            m = re.match(r"^([A-Z][A-Z0-9_]*)=", line)
            if m:
                names.add(m.group(1))
    return names


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


@pytest.mark.parametrize("name", [*SERVICES, "gateway", "web"])
def test_images_are_built_as_test_docker_checks_them(compose, name):
    """The Dockerfile, build arguments and target of each image: those deploy/tests/test_docker.py checks."""
    build = compose["services"][name]["build"]
    assert build["context"] == "."
    assert {k: v for k, v in build.items() if k != "context"} == image_build(name)
    assert (ROOT / build["dockerfile"]).exists()


@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
def test_application_services(compose, name):
    svc = compose["services"][name]
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
        # its own database only (not the server URL, which would open every service's database)
        assert re.fullmatch(rf"postgresql://[^/]+@postgres:5432/paraph_{name}", env[f"{name.upper()}_DATABASE_URL"])
        assert "DATABASE_URL" not in env
    # env_file: .env.example only (non-secret defaults); .env is compose's interpolation file, never a container's
    assert env_files(svc) == [".env.example"]


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
    assert with_defaults(environment(notify)["SMTP_URL"]) == "smtp://mailpit:1025"
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
    # one public address: the web app, which forwards the API to the gateway (not published itself)
    web_ports = [INTERPOLATION.sub(lambda m: m.group(3) or "", p) for p in compose["services"]["web"]["ports"]]
    assert "8000:8080" in web_ports and not compose["services"]["gateway"].get("ports")
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


def test_env_example_sets_no_secret():
    """Every container reads .env.example: a secret set there would reach every service."""
    documented = env_example()
    set_secrets = sorted(name for name, value in documented.items() if value is not None and envscan.is_secret(name))
    assert not set_secrets, f".env.example sets secrets (comment them out: they go in .env): {set_secrets}"
    assert "JWT_SECRET" not in documented, "JWT_SECRET is gone: identity signs with JWT_PRIVATE_KEY"


@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
def test_each_secret_reaches_only_the_service_that_reads_it(compose, name):
    given = container_variables(compose["services"][name])
    assert not envscan.misplaced_secrets(name, given), (
        f"{name} is given secrets its code does not read: {envscan.misplaced_secrets(name, given)}")


def test_secrets_are_wired_to_their_service(compose):
    """The secrets a deployment sets reach the service that reads them (interpolated from .env)."""
    expected = {"identity": {"JWT_PRIVATE_KEY"}, "gateway": {"OPERATOR_TOKEN"}, "perimeter": {"OPA_TOKEN"},
                "notify": {"SMTP_URL", "SMS_API_KEY"}, "signing": {"SIGNING_LINK_SECRET", "SIGNING_KEY_PEM"}}
    for name, secrets in expected.items():
        assert secrets <= set(environment(compose["services"][name])), name


# -- the `cluster` profile: three clustered RabbitMQ nodes, every process given the three -------------------
RABBIT_NODES = ("rabbitmq", "rabbitmq-1", "rabbitmq-2")
AMQP_URL = re.compile(r"amqp://(?P<credentials>[^@/;]+)@(?P<host>[^:/;]+):5672/")


def test_cluster_profile_adds_two_nodes_to_the_always_running_one(compose):
    profiled = {name for name, svc in compose["services"].items() if svc.get("profiles")}
    assert profiled == {"rabbitmq-1", "rabbitmq-2"}
    assert all(compose["services"][n]["profiles"] == ["cluster"] for n in profiled)
    assert not compose["services"]["rabbitmq"].get("profiles"), "the first node runs without the profile too"
    for name in ("rabbitmq-1", "rabbitmq-2"):  # they join the first node: it must be up
        assert compose["services"][name]["depends_on"] == {"rabbitmq": {"condition": "service_healthy"}}


def test_cluster_nodes_share_image_cookie_credentials_and_peer_discovery(compose):
    nodes = [compose["services"][n] for n in RABBIT_NODES]
    assert len({n["image"] for n in nodes}) == 1
    for key in ("RABBITMQ_ERLANG_COOKIE", "RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS"):
        values = {environment(n).get(key) for n in nodes}
        assert len(values) == 1 and None not in values, f"{key} differs between the nodes: {values}"
    assert environment(nodes[0])["RABBITMQ_ERLANG_COOKIE"].startswith("${RABBITMQ_ERLANG_COOKIE"), (
        "the cookie is a secret: interpolated from .env, not written in the file")
    node_names = {f"rabbit@{n['hostname']}" for n in nodes}
    assert [n["hostname"] for n in nodes] == list(RABBIT_NODES)
    volumes = [{v.split(":")[1]: v.split(":")[0] for v in n["volumes"]} for n in nodes]
    assert len({v["/var/lib/rabbitmq"] for v in volumes}) == 3, "each node keeps its own data volume"
    (conf_path,) = {v["/etc/rabbitmq/conf.d/20-paraph-cluster.conf"] for v in volumes}
    conf = dict(line.split(" = ", 1) for line in (ROOT / conf_path).read_text().splitlines()
                if line and not line.startswith("#"))
    assert conf["cluster_formation.peer_discovery_backend"] == "classic_config"
    listed = {v for k, v in conf.items() if k.startswith("cluster_formation.classic_config.nodes.")}
    assert listed == node_names


@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
def test_every_process_is_given_the_three_nodes_and_quorum_queues(compose, name):
    env = environment(compose["services"][name])
    urls = env["AMQP_URI"].split(";")
    matches = [AMQP_URL.fullmatch(u) for u in urls]
    assert all(matches), f"{name}: AMQP_URI is not three ;-separated amqp:// URLs: {env['AMQP_URI']}"
    assert [m["host"] for m in matches] == list(RABBIT_NODES)
    assert len({m["credentials"] for m in matches}) == 1
    assert env["AMQP_QUEUE_TYPE"] == "quorum"


def test_no_application_is_given_the_erlang_cookie(compose):
    for name in (*SERVICES, "gateway", "web"):
        assert "RABBITMQ_ERLANG_COOKIE" not in container_variables(compose["services"][name]), name


@pytest.mark.skipif(shutil.which("docker") is None, reason="docker CLI not installed")
def test_docker_compose_config_when_available():
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("the docker compose plugin is not installed here")
    for profile in ([], ["--profile", "cluster"]):
        result = subprocess.run(["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), *profile, "config",
                                 "--quiet"], capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, result.stderr
