"""The services' own payload and result schemas, validating and documenting the gateway's operations (one
source per fact).

A route whose view answers a service's RPC result as is documents it with that result's schema instead of
a copy of its own; a route whose body is the payload of a service's RPC names that payload's schema::

    @route(bp, "/webhooks/<webhook_id>", ["PATCH"], body=service_params("notify", "update_webhook"),
           response=service_result("notify", "update_webhook"))

The schemas are the JSON Schema (2020-12) documents tests/contract/export.py generates from each service's
contract.py into ``service_results/<service>.json`` and ``service_params/<service>.json`` (package data: the
gateway imports no service package; ``export --check`` fails when they are stale). In the OpenAPI document
a result is the component ``<service>.<method>``, a payload ``<service>.<method>.params``.

A result: a view that adds HTTP-only fields (links, URLs) to it declares them with a small marshmallow
schema, ``extra=``: the answer is then documented as both (allOf). A field the view takes out of the result
(portal.share_contract's ``created``, answered as 201 or 200) is named in ``not_in_answer=``.

A payload is validated by the service, which loads it with that very schema (a 422 with the fields'
messages, the gateway's problem+json): the gateway passes the JSON object on as it came, after the checks
that are its own (valid JSON, an object, the nesting depth, values no database stores: routing.route). The
fields a client may not send (the view sets them) are named in ``not_from_client=``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from marshmallow import Schema

# keywords of a standalone document that have no place in a component of the OpenAPI document ($id would
# change the base URI its references resolve against; x-paraph-args names the RPC's positional arguments)
_DOCUMENT_KEYWORDS = ("$schema", "$id", "title", "x-paraph-args")


@lru_cache(maxsize=None)
def _exported(kind: str, service: str) -> dict:
    """{method: JSON Schema} of ``kind`` ("service_results" or "service_params") for one service."""
    path = resources.files(__package__) / kind / f"{service}.json"
    if not path.is_file():
        raise LookupError(f"no {kind.replace('_', ' ')} schemas for the service {service!r} ({kind}/{service}.json): "
                          f"run `.venv/bin/python -m tests.contract.export`")
    return json.loads(path.read_text(encoding="utf-8"))


def _require_exported(kind: str, service: str, method: str, declare: str) -> None:
    """Checked when the route is declared: a method without the schema is an error at import, not a hole
    in the document (``declare`` says how to declare it in the service's contract.py)."""
    if method not in _exported(kind, service):
        raise LookupError(f"{service}.{method} declares no {declare} in its contract.py; "
                          f"then run `.venv/bin/python -m tests.contract.export`")


@dataclass(frozen=True)
class ServiceSchema:
    """The exported JSON Schema of one RPC method of a service: its payload or its result (the subclasses),
    less the top-level fields the route's view handles itself (``left_out``), which its document omits."""
    service: str
    method: str
    left_out: tuple[str, ...] = ()
    kind = ""  # the package data folder it is read from
    suffix = ""  # of its component's name in the OpenAPI document

    @property
    def component(self) -> str:
        return f"{self.service}.{self.method}{self.suffix}"

    def json_schema(self) -> dict:
        document = {key: value for key, value in _exported(self.kind, self.service)[self.method].items()
                    if key not in _DOCUMENT_KEYWORDS}
        if not self.left_out:
            return document
        properties = {name: field for name, field in document.get("properties", {}).items()
                      if name not in self.left_out}
        required = [name for name in document.get("required", []) if name not in self.left_out]
        return {**document, "properties": properties, **({"required": required} if required else {})}


@dataclass(frozen=True)
class ServiceResult(ServiceSchema):
    """The documented answer of a route: the result of ``service.method``, plus the view's ``extra`` fields,
    less those the view takes out of it (``left_out``, e.g. a flag it answers as the status)."""
    extra: type[Schema] | None = None
    kind = "service_results"


@dataclass(frozen=True)
class ServiceParams(ServiceSchema):
    """The body (or query) of a route: the payload of ``service.method``, which the service validates, less
    the fields the client may not send (``left_out``: the view sets them, e.g. the caller's address, or the
    service's default applies): undocumented, and refused from the client (routing)."""
    kind = "service_params"
    suffix = ".params"


def _left_out(kind: str, service: str, method: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The fields a route's view handles itself, which must be the schema's (a typo would document them)."""
    undeclared = set(names) - set(_exported(kind, service)[method].get("properties", {}))
    if undeclared:
        what = "result" if kind == ServiceResult.kind else "payload"
        raise LookupError(f"{service}.{method}'s {what} has no field {', '.join(sorted(undeclared))}")
    return tuple(names)


def service_result(service: str, method: str, *, extra: type[Schema] | None = None,
                   not_in_answer: tuple[str, ...] = ()) -> ServiceResult:
    """The result schema ``service`` declares for ``method`` in its contract.py; ``not_in_answer`` names
    the fields of it that the route's view takes out of its answer."""
    _require_exported(ServiceResult.kind, service, method, "result schema (Rpc(result=...))")
    return ServiceResult(service, method, _left_out(ServiceResult.kind, service, method, not_in_answer), extra)


def service_params(service: str, method: str, *, not_from_client: tuple[str, ...] = ()) -> ServiceParams:
    """The payload schema ``service`` declares for ``method`` in its contract.py; ``not_from_client`` names
    the fields of it that the client may not send (the route's view fills them in, or the service's default
    applies)."""
    _require_exported(ServiceParams.kind, service, method, "payload schema (Rpc(params, ...))")
    return ServiceParams(service, method, _left_out(ServiceParams.kind, service, method, not_from_client))
