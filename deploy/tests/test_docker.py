"""Static checks of the Dockerfiles and services/<name>/config.yaml (no Docker engine needed).

Two Dockerfiles make every image (deploy/docker): service.Dockerfile the six services (build argument
SERVICE; target ``pdf`` for those rendering PDFs, ``service`` for the others) and http.Dockerfile the gateway
and web (build argument APP). Each image's instructions are worked out as ``docker build`` would (the
stages leading to its target, build arguments and ENV substituted, see :func:`image_instructions`) and
checked: python:3.11-slim base, a non-root USER, the CMD that runs this very service, a HEALTHCHECK with the
health command, COPY sources that exist in the build context (the repository root) and are not excluded by
.dockerignore, and the weasyprint system libraries where PDFs are rendered. config.yaml must parse with
nameko's ``${VAR:default}`` loader and list every variable the service's code (and the platform) reads.
"""
from __future__ import annotations

import fnmatch
import json
import re
import shlex
import sys
import types
from pathlib import Path

import pytest
import yaml

from deploy.tests import envscan

ROOT = envscan.ROOT
SERVICES = envscan.SERVICES
WEASYPRINT_APT = {"libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core",
                  "fonts-droid-fallback"}
HTTP_APPS = {"gateway": "8000", "web": "8080"}  # gunicorn apps (not nameko services), with their port
PDF_SERVICES = ("contracts", "signing")  # render PDFs with weasyprint: built with the `pdf` target
SERVICE_DOCKERFILE = "deploy/docker/service.Dockerfile"
HTTP_DOCKERFILE = "deploy/docker/http.Dockerfile"
IMAGES = [*SERVICES, *HTTP_APPS]
# Docker substitutes variables in these instructions itself; RUN's shell substitutes them at build time
# (build arguments are in its environment), and the shell form of CMD and HEALTHCHECK's at run time (ENV only)
EXPANDED = {"ADD", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "USER", "VOLUME", "WORKDIR", "RUN"}
VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


def image_build(name: str) -> dict:
    """How docker-compose.yml (and a person) builds the image of ``name``: Dockerfile, build arguments, target."""
    if name in HTTP_APPS:
        return {"dockerfile": HTTP_DOCKERFILE, "args": {"APP": name}}
    return {"dockerfile": SERVICE_DOCKERFILE, "args": {"SERVICE": name},
            "target": "pdf" if name in PDF_SERVICES else "service"}


def parse_dockerfile(text: str) -> list[tuple[str, str]]:
    """[(INSTRUCTION, arguments)] with line continuations joined and comments dropped."""
    instructions, buf = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and line.startswith("#"):
            continue  # comment inside a continuation
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            instr, _, args = buf.strip().partition(" ")
            instructions.append((instr.upper(), args.strip()))
        buf = ""
    assert not buf, "dangling line continuation at end of file"
    return instructions


def _substitute(text: str, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: values.get(m.group(1) or m.group(2), m.group(0)), text)


def _assignments(args: str) -> dict[str, str]:
    """ARG/ENV ``NAME=value`` pairs (a bare ARG ``NAME`` maps to None)."""
    return {k: (v if sep else None) for k, sep, v in (part.partition("=") for part in shlex.split(args))}


def image_instructions(name: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The instructions that make the image of ``name``, as ``docker build`` runs them: the stages from the
    base image to the target (the last stage without one), variables substituted where Docker or the shell
    would; and the image's ENV."""
    build = image_build(name)
    instructions = parse_dockerfile((ROOT / build["dockerfile"]).read_text())
    first_from = next(n for n, (i, _) in enumerate(instructions) if i == "FROM")
    global_args = {k: build["args"].get(k, v) for i, a in instructions[:first_from] for k, v in _assignments(a).items()}
    stages: dict[str, list[tuple[str, str]]] = {}
    order = []
    for instr, args in instructions[first_from:]:
        if instr == "FROM":
            base, _, alias = _substitute(args, global_args).partition(" AS ")
            order.append(alias.strip() or str(len(order)))
            stages[order[-1]] = [(instr, base.strip())]
        else:
            stages[order[-1]].append((instr, args))
    chain = [build.get("target") or order[-1]]
    assert chain[0] in stages, f"{build['dockerfile']} has no stage {chain[0]}"
    while stages[chain[0]][0][1] in stages:
        chain.insert(0, stages[chain[0]][0][1])
    args_in_scope: dict[str, str] = {}
    env: dict[str, str] = {}
    out = []
    for stage in chain:
        args_in_scope = {}  # a stage sees only the build arguments it declares
        for instr, args in stages[stage]:
            if instr == "FROM" and out:
                continue  # a stage of this file: its instructions are already in
            if instr == "ARG":
                for k, default in _assignments(args).items():
                    args_in_scope[k] = build["args"].get(k, global_args.get(k) if default is None else default)
                continue
            if instr in EXPANDED:
                args = _substitute(args, {**{k: v for k, v in args_in_scope.items() if v is not None}, **env})
            elif not args.startswith("["):  # shell form, expanded when the container runs
                args = _substitute(args, env)
            if instr == "ENV":
                env.update(_assignments(args))
            out.append((instr, args))
    return out, env


def command(args: str) -> list[str]:
    """The argv of a CMD or HEALTHCHECK command: the exec (JSON) form as written; the shell form, whose
    variables :func:`image_instructions` substituted, split as the shell would (after a leading ``exec``)."""
    if args.startswith("["):
        value = json.loads(args)
        assert isinstance(value, list) and all(isinstance(v, str) for v in value)
        return value
    words = shlex.split(args)
    assert not any("$" in w for w in words), f"{args}: a variable the image does not set"
    return words[1:] if words[0] == "exec" else words


def dockerignore_patterns() -> list[str]:
    path = ROOT / ".dockerignore"
    if not path.exists():
        return []
    return [l.strip() for l in path.read_text().splitlines() if l.strip() and not l.startswith("#")]


def ignored(rel: str, patterns: list[str]) -> bool:
    for pat in patterns:
        neg = pat.startswith("!")
        p = pat[1:] if neg else pat
        if fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p.replace("**/", "")) and "/" not in rel:
            return not neg
        if rel == p or rel.startswith(p.rstrip("/") + "/"):
            return not neg
    return False


def test_two_dockerfiles_make_every_image():
    for dockerfile in (SERVICE_DOCKERFILE, HTTP_DOCKERFILE):
        assert (ROOT / dockerfile).exists(), f"{dockerfile} is missing"
    stray = [p for p in (*(f"services/{s}/Dockerfile" for s in SERVICES), "gateway/Dockerfile", "web/Dockerfile")
             if (ROOT / p).exists()]
    assert not stray, f"{stray}: build from {SERVICE_DOCKERFILE} or {HTTP_DOCKERFILE} instead"


@pytest.mark.parametrize("name", IMAGES)
def test_dockerfile(name):
    ins, env = image_instructions(name)
    kinds = [i for i, _ in ins]
    # base image
    assert kinds[0] == "FROM" and ins[0][1] == "python:3.11-slim", ins[0]
    assert kinds.count("FROM") == 1
    # non-root user, set after the last RUN (so the process never runs as root)
    users = [(n, a) for n, (i, a) in enumerate(ins) if i == "USER"]
    assert users, "no USER instruction: the container would run as root"
    last_user_at, user = users[-1]
    uid = user.split(":")[0]
    assert uid not in ("root", "0"), f"USER {user} is root"
    assert uid.isdigit(), "use a numeric USER so that Kubernetes runAsNonRoot can verify it"
    last_run = max(n for n, (i, _) in enumerate(ins) if i == "RUN")
    assert last_user_at > last_run, "USER must come after the last RUN"
    # the user exists: created by a RUN (useradd --uid <uid>)
    assert any(i == "RUN" and re.search(rf"useradd\b.*--uid {uid}\b", a) for i, a in ins), \
        f"uid {uid} is not created by useradd"
    # CMD runs this service, as PID 1 (a shell form must exec it, or docker stop's SIGTERM stops at the shell)
    cmds = [a for i, a in ins if i == "CMD"]
    assert len(cmds) == 1
    assert cmds[0].startswith(("[", "exec ")), f"CMD {cmds[0]}: the shell would be PID 1"
    if name in HTTP_APPS:
        assert command(cmds[0]) == ["gunicorn", "-c", f"{name}/gunicorn.conf.py"]
        assert (ROOT / name / "gunicorn.conf.py").exists()
        assert any(i == "EXPOSE" and HTTP_APPS[name] in a.split() for i, a in ins)
    else:
        assert command(cmds[0]) == ["python", "-m", "paraph_platform.run", name, "--migrate"]
    assert (ROOT / "libs/platform/src/paraph_platform/run.py").exists()
    assert env.get("PARAPH_DATA_DIR") == "/var/lib/paraph"
    assert any(i == "RUN" and re.search(r"chown paraph:paraph /var/lib/paraph\b", a) for i, a in ins)
    # HEALTHCHECK with the health command of this service
    checks = [a for i, a in ins if i == "HEALTHCHECK"]
    assert len(checks) == 1
    options, _, cmd = checks[0].partition("CMD ")
    assert re.search(r"--interval=\d+s", options) and re.search(r"--timeout=\d+s", options)
    hc = command(cmd.strip())
    assert hc[:4] == ["python", "-m", "paraph_platform.health", name], hc
    if name in HTTP_APPS:
        assert hc[4:] == ["--url", f"http://127.0.0.1:{HTTP_APPS[name]}/healthz"], hc
    assert (ROOT / "libs/platform/src/paraph_platform/health.py").exists()
    # COPY sources exist in the context and are not excluded by .dockerignore
    patterns = dockerignore_patterns()
    workdir = next(a for i, a in ins if i == "WORKDIR")
    destinations = []
    for i, a in ins:
        if i in ("COPY", "ADD"):
            assert i == "COPY", "use COPY, not ADD"
            parts = [p for p in shlex.split(a) if not p.startswith("--")]
            *sources, dest = parts
            for src in sources:
                assert ".." not in Path(src).parts, f"COPY {src} leaves the build context"
                assert (ROOT / src).exists(), f"COPY source {src} does not exist (context = repository root)"
                assert not ignored(src, patterns), f"COPY source {src} is excluded by .dockerignore"
            destinations.append(dest if dest.startswith("/") else f"{workdir}/{dest}")
    installed = re.findall(r"-e\s+(\S+)", " ".join(a for i, a in ins if i == "RUN" and "pip install" in a))
    package_dir = f"services/{name}" if name not in HTTP_APPS else name
    assert f"/app/libs/platform" in installed and f"/app/{package_dir}" in installed, installed
    for target in installed:
        assert target in destinations, f"pip installs {target}, which no COPY provides"
    # system libraries of weasyprint where PDFs are rendered, and only there
    apt = set(" ".join(a for i, a in ins if i == "RUN" and "apt-get install" in a).split())
    if name in PDF_SERVICES:
        assert WEASYPRINT_APT <= apt, f"missing apt packages: {WEASYPRINT_APT - apt}"
        assert "rm -rf /var/lib/apt/lists/*" in " ".join(a for i, a in ins if i == "RUN")
    else:
        assert not WEASYPRINT_APT & apt, f"{name} renders no PDF: build it with the `service` target"


@pytest.mark.parametrize("name", SERVICES)
def test_service_package_is_installable(name):
    """The Dockerfile installs services/<name> with pip: it needs its pyproject.toml (written by the
    service's own engineer; skipped while the service does not exist yet)."""
    if not (ROOT / "services" / name / "pyproject.toml").exists():
        pytest.skip(f"services/{name} has no pyproject.toml yet (service being written)")
    text = (ROOT / "services" / name / "pyproject.toml").read_text()
    assert f'name = "paraph-{name}"' in text


def _nameko_yaml_loader():
    """nameko's own ``${VAR:default}`` YAML constructor (nameko.cli.main needs pkg_resources, absent
    from recent setuptools: a stub is enough for the parser)."""
    if "pkg_resources" not in sys.modules:
        try:
            import pkg_resources  # noqa: F401
        except ImportError:
            stub = types.ModuleType("pkg_resources")
            stub.get_distribution = lambda name: types.SimpleNamespace(version="0")
            sys.modules["pkg_resources"] = stub
    from nameko.cli.main import setup_yaml_parser
    setup_yaml_parser()
    return yaml.safe_load


def required_service_vars(service: str) -> set[str]:
    return envscan.service_platform_reads() | set(envscan.service_reads(service))


@pytest.mark.parametrize("name", SERVICES)
def test_config_yaml_documents_every_variable(name, monkeypatch):
    path = ROOT / "services" / name / "config.yaml"
    assert path.exists(), f"services/{name}/config.yaml is missing"
    text = path.read_text()
    for var in list(__import__("os").environ):
        if re.match(r"^[A-Z_]+$", var) and f"${{{var}" in text:
            monkeypatch.delenv(var)
    config = _nameko_yaml_loader()(text)
    assert config["AMQP_URI"].startswith(("amqp://", "pyamqp://"))
    assert config["DATABASE_URL"].endswith(f"/{name}.db")
    assert config["serializer"] == "json"
    documented = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    documented |= {v[len(name) + 1:] for v in documented if v.startswith(name.upper() + "_")}
    missing = sorted(required_service_vars(name) - documented)
    assert not missing, (f"services/{name}/config.yaml does not document {missing} "
                         f"(read by the code; add `NAME: ${{NAME:default}}` lines, and to .env.example)")
    # the substitution really is nameko's: an environment value wins over the default
    monkeypatch.setenv("AMQP_URI", "amqp://u:p@broker:5672/")
    assert _nameko_yaml_loader()(text)["AMQP_URI"] == "amqp://u:p@broker:5672/"


def test_dockerignore_keeps_local_state_out():
    patterns = dockerignore_patterns()
    for entry in (".venv", ".git", "var", ".env"):
        assert entry in patterns, f".dockerignore should exclude {entry}"
