"""The services' own result schemas, documenting the gateway's answers (one source per fact).

A route whose view answers a service's RPC result as is documents it with that result's schema instead of
a copy of its own::

    @route(bp, "/webhooks/<webhook_id>", ["GET"], response=service_result("notify", "get_webhook"))

The schemas are the JSON Schema (2020-12) documents tests/contract/export.py generates from each service's
contract.py into ``service_results/<service>.json`` (package data: the gateway imports no service package;
``export --check`` fails when they are stale). In the OpenAPI document each one is the component
``<service>.<method>``. A view that adds HTTP-only fields (links, URLs) to the result declares them with a
small marshmallow schema, ``extra=``: the answer is then documented as both (allOf).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from marshmallow import Schema

# keywords of a standalone document that have no place in a component of the OpenAPI document ($id would
# change the base URI its references resolve against)
_DOCUMENT_KEYWORDS = ("$schema", "$id", "title")


@lru_cache(maxsize=None)
def _service_results(service: str) -> dict:
    path = resources.files(__package__) / "service_results" / f"{service}.json"
    if not path.is_file():
        raise LookupError(f"no result schemas for the service {service!r} (service_results/{service}.json): "
                          f"run `.venv/bin/python -m tests.contract.export`")
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class ServiceResult:
    """The documented answer of a route: the result of ``service.method``, plus the view's ``extra`` fields."""
    service: str
    method: str
    extra: type[Schema] | None = None

    @property
    def component(self) -> str:
        return f"{self.service}.{self.method}"

    def json_schema(self) -> dict:
        document = _service_results(self.service)[self.method]
        return {key: value for key, value in document.items() if key not in _DOCUMENT_KEYWORDS}


def service_result(service: str, method: str, *, extra: type[Schema] | None = None) -> ServiceResult:
    """The result schema ``service`` declares for ``method`` in its contract.py (checked when the route is
    declared: a method without a declared result is an error at import, not a hole in the document)."""
    if method not in _service_results(service):
        raise LookupError(f"{service}.{method} declares no result schema in its contract.py "
                          f"(Rpc(result=...)); then run `.venv/bin/python -m tests.contract.export`")
    return ServiceResult(service, method, extra)
