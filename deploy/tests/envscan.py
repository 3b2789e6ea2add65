"""What the code reads from the environment, found statically (AST), for the deployment tests.

A read is a call ``env("X")`` / ``env_int`` / ``env_float`` / ``env_flag`` (paraph_platform.config and
friends), ``os.environ.get("X")``, ``os.getenv("X")`` or ``os.environ["X"]`` with a literal name.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "perimeter", "contracts", "signing", "portal", "notify")
ENV_FUNCS = {"env", "env_int", "env_float", "env_flag", "env_bool", "getenv"}
# developer tooling and client command-line tools (run on an operator's machine, not in the service)
DEV_ONLY_FILES = {"devtool.py", "testing.py", "cli.py", "api_client.py"}  # api_client: the CLIs' HTTP client
# the development mail and SMS sink (paraph_platform/mailsink/), the tests' pytest support (paraph_platform/testing/)
DEV_ONLY_PACKAGES = {"mailsink", "testing"}


def dev_only(f: Path) -> bool:
    return f.name in DEV_ONLY_FILES or bool(DEV_ONLY_PACKAGES & set(f.parts))
# switches of the test suites only, never set in a deployment
TEST_ONLY_VARS = {"PARAPH_CHECK_RESULTS", "PARAPH_CHECK_EVENTS"}


def _literal(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


CONFIG_PY = ROOT / "libs" / "platform" / "src" / "paraph_platform" / "config.py"


def _func_name(func):
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def config_helpers() -> dict[str, set[str]]:
    """paraph_platform.config's helpers (``public_url()``, ``database_url()``...) -> the variables they read."""
    tree = ast.parse(CONFIG_PY.read_text())
    direct: dict[str, set[str]] = {}
    calls: dict[str, set[str]] = {}
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef) and fn.name not in ENV_FUNCS:
            direct[fn.name] = _reads(fn, helpers={})
            calls[fn.name] = {_func_name(n.func) for n in ast.walk(fn) if isinstance(n, ast.Call)}
            if fn.name == "database_url":
                direct[fn.name] |= {"DATABASE_URL"}

    def closure(name, seen=()):
        out = set(direct.get(name, set()))
        for c in calls.get(name, ()):
            if c in direct and c not in seen:
                out |= closure(c, (*seen, name))
        return out

    return {name: closure(name) for name in direct}


def env_reads(path: Path, helpers: dict | None = None) -> set[str]:
    try:
        tree = ast.parse(path.read_text(), filename=str(path))
    except SyntaxError:
        return set()
    if helpers is None:
        helpers = {} if path == CONFIG_PY else config_helpers()
    return _reads(tree, helpers)


def _reads(tree, helpers) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and not node.args and _func_name(node.func) in helpers:
            names |= helpers[_func_name(node.func)]
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            fname = _func_name(func)
            if fname in helpers and fname not in ENV_FUNCS:
                names |= helpers[fname]
            is_environ_get = (isinstance(func, ast.Attribute) and func.attr == "get"
                              and isinstance(func.value, ast.Attribute) and func.value.attr == "environ")
            if fname in ENV_FUNCS or is_environ_get:
                name = _literal(node.args[0])
                if name and name.isupper():
                    names.add(name)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "environ":
            name = _literal(node.slice)
            if name and name.isupper():
                names.add(name)
    return names


def scan(*dirs: Path) -> dict[str, set[str]]:
    """{variable: {relative file paths}} for every .py file under ``dirs`` (tests excluded)."""
    found: dict[str, set[str]] = {}
    for d in dirs:
        files = [d] if d.is_file() else sorted(d.rglob("*.py"))
        for f in files:
            if dev_only(f) or "tests" in f.relative_to(ROOT).parts:
                continue
            for name in env_reads(f) - TEST_ONLY_VARS:
                found.setdefault(name, set()).add(str(f.relative_to(ROOT)))
    return found


def platform_reads() -> dict[str, set[str]]:
    return scan(ROOT / "libs" / "platform" / "src")


def service_platform_reads() -> set[str]:
    """What every service reads through the platform: nameko_config() and the platform modules a
    service container uses (outbox, events, db...), not the helpers only some services call."""
    helpers = config_helpers()
    found = set(helpers["nameko_config"])
    for f in sorted((ROOT / "libs" / "platform" / "src").rglob("*.py")):
        if dev_only(f) or f.name in {"config.py", "health.py", "run.py"}:
            continue
        found |= env_reads(f, helpers) - TEST_ONLY_VARS
    return found


def service_reads(service: str) -> dict[str, set[str]]:
    src = ROOT / "services" / service / "src"
    return scan(src) if src.exists() else {}


def gateway_reads() -> dict[str, set[str]]:
    return scan(ROOT / "gateway" / "src", ROOT / "gateway" / "gunicorn.conf.py")


def web_reads() -> dict[str, set[str]]:
    return scan(ROOT / "web" / "src", ROOT / "web" / "gunicorn.conf.py")


def all_reads() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for part in [platform_reads(), gateway_reads(), web_reads(), *(service_reads(s) for s in SERVICES)]:
        for k, v in part.items():
            out.setdefault(k, set()).update(v)
    return out


# -- each secret only where it is used ---------------------------------------------------------------
# Variables that grant something (sign tokens, call the operator API, forge signing links, send mail or SMS,
# reach a database): each may only be given to a process whose own code reads it. A database URL is
# the service's own (<SERVICE>_DATABASE_URL); the shared server URL DATABASE_URL opens every database.
SECRET_VARS = {
    "JWT_SECRET", "JWT_PRIVATE_KEY", "OPERATOR_TOKEN", "OPA_TOKEN", "SIGNING_LINK_SECRET",
    "SIGNING_P12_PATH", "SIGNING_P12_PASSWORD", "SIGNING_KEY_PEM", "SIGNING_KEY_PASSWORD",
    "SMTP_URL", "SMS_API_KEY", "RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "DATABASE_URL", "WEB_SESSION_KEY",
    "RABBITMQ_ERLANG_COOKIE",  # the RabbitMQ nodes' shared secret: whoever holds it controls the cluster
}
APPS = (*SERVICES, "gateway", "web")


def is_secret(name: str) -> bool:
    return name in SECRET_VARS or name.endswith("_DATABASE_URL")


def app_reads(app: str) -> set[str]:
    """What the process of ``app`` (a service or the gateway) reads from its environment."""
    if app == "gateway":
        return set(gateway_reads())
    if app == "web":
        return set(web_reads())
    return service_platform_reads() | set(service_reads(app)) | {f"{app.upper()}_DATABASE_URL"}


def misplaced_secrets(app: str, names) -> list[str]:
    """The secret variables among ``names`` that ``app`` must not be given: not read by its code, or the
    shared DATABASE_URL (the platform reads it, but it would open the other services' databases)."""
    reads = app_reads(app) - {"DATABASE_URL"}
    return sorted(n for n in names if is_secret(n) and n not in reads)
