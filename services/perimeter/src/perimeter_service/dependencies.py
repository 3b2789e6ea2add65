"""The policy engine behind the perimeter service.

* :class:`LocalOpa` — the real OPA engine in-process (opa-golib-python-bindings), the default.
* :class:`RemoteOpa` — an OPA server (``OPA_URL``) through opa-python-client; SQL filters
  come from its Compile API (``POST /v1/compile/<rule>`` with a SQL ``Accept`` type).

Both answer ``decide(rule, input)`` and ``compile(rule, input, dialect)``; ``compile``
returns the WHERE clause over the ``scope`` table alias without its ``WHERE`` keyword,
``""`` when every row passes, or ``None`` when none can.
"""
from __future__ import annotations

import functools
import json
import logging
from importlib import resources
from urllib.parse import urlparse

from nameko.extensions import DependencyProvider

from paraph_platform.config import env, env_float
from paraph_platform.errors import Unavailable

log = logging.getLogger(__name__)

PACKAGE = "paraph.perimeter"
POLICY_PATH = "paraph/perimeter"
UNKNOWNS = ["input.scope"]
DIALECTS = ("postgresql", "sqlite", "mysql", "sqlserver")
COMPILED_FILTERS_KEPT = 4096  # distinct (rule, input, dialect) whose SQL LocalOpa remembers
DECISIONS_KEPT = 4096  # distinct (rule, input) whose decision LocalOpa remembers


def policy_source() -> str:
    return resources.files("perimeter_service").joinpath("policy/perimeter.rego").read_text()


def _strip_where(query):
    if query is None:
        return None
    query = query.strip()
    if query.upper().startswith("WHERE "):
        query = query[6:].strip()
    return query


def _input_key(input: dict) -> str:
    """An input as the key of a remembered answer: equal inputs (keys in any order) give equal keys."""
    return json.dumps(input, sort_keys=True, separators=(",", ":"))


class LocalOpa:
    def __init__(self, source: str | None = None):
        from opa_bindings import OpaEngine
        self.engine = OpaEngine()
        self.engine.add_policy("perimeter.rego", source or policy_source())
        # partial evaluation was ~40% of the service's CPU on a perimeter read (bench/profile): its SQL depends
        # only on the policy, loaded once per process, and on the input (the actor's role and current
        # perimeters, read for each request), so the same input always gives the same SQL and no change can
        # make a remembered answer stale. A changed policy means a new process. The same holds for decisions:
        # evaluating may_manage was ~6% of the service's CPU on a perimeter write (the rules answer booleans:
        # a remembered answer shared by callers cannot be changed by one of them).
        self._compiled = functools.lru_cache(maxsize=COMPILED_FILTERS_KEPT)(self._compile)
        self._decided = functools.lru_cache(maxsize=DECISIONS_KEPT)(self._decide)

    def decide(self, rule: str, input: dict):
        return self._decided(rule, _input_key(input))

    def _decide(self, rule: str, input_json: str):
        from opa_bindings import OpaUndefinedError
        try:
            return self.engine.eval_document(f"{PACKAGE}.{rule}", json.loads(input_json))
        except OpaUndefinedError:
            return None

    def compile(self, rule: str, input: dict, dialect: str):
        return self._compiled(rule, _input_key(input), dialect)

    def _compile(self, rule: str, input_json: str, dialect: str):
        result = self.engine.compile_filters(f"data.{PACKAGE}.{rule} == true", json.loads(input_json),
                                             unknowns=UNKNOWNS, target="sql", dialect=dialect)
        return _strip_where(result.get("query"))


class RemoteOpa:
    """An OPA server; the policy is pushed at startup unless OPA_MANAGED_POLICY=1 (k8s bundle)."""

    def __init__(self, url: str, timeout: float = 2.0, push_policy: bool = True):
        from opa_client.opa import OpaClient
        parsed = urlparse(url)
        self.client = OpaClient(host=parsed.hostname, port=parsed.port or 8181, ssl=parsed.scheme == "https",
                                timeout=timeout, token=env("OPA_TOKEN"))
        self.base = f"{parsed.scheme}://{parsed.hostname}:{parsed.port or 8181}/v1"
        self.timeout = timeout
        if push_policy:
            self.client.update_policy_from_string(policy_source(), "paraph-perimeter")

    def decide(self, rule: str, input: dict):
        try:
            answer = self.client.query_rule(input, PACKAGE, rule)
        except Exception as exc:  # noqa: BLE001 - any transport error means no decision
            raise Unavailable(f"policy engine unreachable: {exc}") from exc
        return answer.get("result")

    def compile(self, rule: str, input: dict, dialect: str):
        try:
            resp = self.client._session.post(
                f"{self.base}/compile/{POLICY_PATH}/{rule}",
                json={"input": input, "unknowns": UNKNOWNS},
                headers={"Accept": f"application/vnd.opa.sql.{dialect}+json", "Content-Type": "application/json"},
                timeout=self.timeout)
            resp.raise_for_status()
        except Exception as exc:  # noqa: BLE001
            raise Unavailable(f"policy engine unreachable: {exc}") from exc
        result = resp.json().get("result") or {}
        if "query" not in result:
            return None
        return _strip_where(result["query"])


def make_engine():
    url = env("OPA_URL")
    if url:
        log.info("perimeter policy evaluated by the OPA server at %s", url)
        return RemoteOpa(url, timeout=env_float("OPA_TIMEOUT", 2.0),
                         push_policy=env("OPA_MANAGED_POLICY", "0") != "1")
    return LocalOpa()


class Policy(DependencyProvider):
    def __init__(self, engine=None):
        self.engine = engine

    def setup(self):
        if self.engine is None:
            self.engine = make_engine()

    def get_dependency(self, worker_ctx):
        return self.engine
