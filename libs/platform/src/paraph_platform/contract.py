"""Declaring a service's public contract (``<name>_service/contract.py``).

A producer lists the events it publishes and its RPC methods with marshmallow
schemas; a consumer lists the event fields and RPC result fields it relies on.
tests/contract exports producers to committed JSON Schema and checks every
consumer against them, so schema drift fails CI::

    EVENTS = {"user.invited.v1": UserInvitedV1}            # event type -> schema of `data`
    RPC = {"login": Rpc(params=LoginSchema, result=SessionSchema)}
    CONSUMES_EVENTS = {("identity", "user.invited.v1"): ["user_id", "email"]}
    CONSUMES_RPC = {("perimeter", "compile_filter"): ["where"]}
    INTERNAL_EVENTS = {"notification.requested.v1"}       # never delivered to integrators
    CONSUMES_ALL_EVENTS_OF = ("identity", "contracts")    # wildcard subscribers (envelope only)

A result that is a list or a map of objects is declared with ``ListOf(Schema)`` / ``MapOf(Schema)``
(``Rpc(result=MapOf(UserView, key="user_id"))``); a consumer's field names then refer to the fields
of the items.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import Schema


@dataclass(frozen=True)
class ListOf:
    """An RPC result that is a JSON array of ``schema`` objects."""
    schema: type[Schema]


@dataclass(frozen=True)
class MapOf:
    """An RPC result that is a JSON object mapping ``key`` values to ``schema`` objects."""
    schema: type[Schema]
    key: str = "id"


@dataclass(frozen=True)
class Rpc:
    params: type[Schema] | None = None
    result: type[Schema] | None = None
    description: str = ""
    args: tuple = field(default_factory=tuple)  # positional argument names before the payload
    nullable: bool = False  # the result may be null (e.g. "the latest request, if any")


def map_schema_nodes(schema, fn):
    """A copy of a JSON Schema in which every object (dict), innermost first, is replaced by ``fn(node)``:
    ``fn`` gets a fresh dict whose values are already mapped, and returns what takes its place."""
    if isinstance(schema, list):
        return [map_schema_nodes(value, fn) for value in schema]
    if not isinstance(schema, dict):
        return schema
    return fn({key: map_schema_nodes(value, fn) for key, value in schema.items()})


def declares_type(node: dict, json_type: str) -> bool:
    """Whether a JSON Schema node's ``type`` (one name or a list of them) includes ``json_type``."""
    types = node.get("type")
    return json_type in (types if isinstance(types, list) else [types])


def open_objects(schema):
    """A JSON Schema with every object open to unknown properties, nested ones included: within a major
    version a producer may add fields to a result, and consumers must ignore the ones they do not know."""
    return map_schema_nodes(schema, lambda node: {
        key: value for key, value in node.items() if not (key == "additionalProperties" and value is False)})


def to_json_schema(schema) -> dict:
    """marshmallow schema (or ListOf / MapOf of one) -> JSON Schema (via apispec's converter), self-contained."""
    if isinstance(schema, ListOf):
        return {"type": "array", "items": to_json_schema(schema.schema)}
    if isinstance(schema, MapOf):
        return {"type": "object", "description": f"keyed by {schema.key}",
                "additionalProperties": to_json_schema(schema.schema)}
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    spec = APISpec(title="contract", version="1", openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin(schema_name_resolver=lambda s: None)])
    plugin = spec.plugins[0]
    instance = schema() if isinstance(schema, type) else schema
    out = _object_lengths_as_properties(_decimal_bounds_as_numbers(plugin.converter.schema2jsonschema(instance)))
    out.setdefault("type", "object")
    return out


_NUMBER_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "default")


def _decimal_bounds_as_numbers(schema):
    """apispec writes a Decimal field's bounds and default as marshmallow gives them, strings ("0.00"), which
    JSON Schema (and OpenAPI) require to be numbers."""
    def as_numbers(node: dict) -> dict:
        if declares_type(node, "number"):
            for key in _NUMBER_KEYWORDS:
                if isinstance(node.get(key), str):
                    node[key] = float(node[key])
        return node
    return map_schema_nodes(schema, as_numbers)


def _object_lengths_as_properties(schema):
    """apispec writes a Dict field's Length validator as minLength / maxLength, which JSON Schema applies to
    strings only (an object of any size would pass): for an object, marshmallow's Length counts its keys,
    minProperties / maxProperties."""
    def as_properties(node: dict) -> dict:
        if declares_type(node, "object"):
            for length, properties in (("minLength", "minProperties"), ("maxLength", "maxProperties")):
                if length in node:
                    node[properties] = node.pop(length)
        return node
    return map_schema_nodes(schema, as_properties)


def declared_rpc(service_module: str, method: str) -> Rpc | None:
    """The ``Rpc`` declared for ``method`` in ``<package>.contract.RPC`` of the service whose module is
    ``service_module`` (``type(service).__module__``); None when it declares none."""
    import importlib

    package = service_module.split(".", 1)[0]
    try:
        return getattr(importlib.import_module(f"{package}.contract"), "RPC", {}).get(method)
    except ImportError:
        return None


_result_validators: dict = {}


def result_violations(service_module: str, method: str, result) -> list[str]:
    """What in an RPC method's actual result breaks the result schema its service declares in
    ``<package>.contract.RPC`` (JSON round trip first, as on the wire), and every field it carries that the
    schema does not declare (the answer is cut to the declared fields: an undeclared one is a field its
    view builds for nothing, or one a consumer would miss). Empty when nothing is declared.
    Used by the test suites (``PARAPH_CHECK_RESULTS``) so that the committed schemas stay true."""
    import json

    import jsonschema

    from .declared_results import undeclared_fields

    key = (service_module, method)
    if key not in _result_validators:
        spec = declared_rpc(service_module, method)
        _result_validators[key] = (
            (jsonschema.Draft202012Validator(open_objects(to_json_schema(spec.result))), spec.nullable)
            if spec is not None and spec.result is not None else (None, False))
    validator, nullable = _result_validators[key]
    if validator is None or (result is None and nullable):
        return []
    wire = json.loads(json.dumps(result, default=str))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(wire)] + [
        f"{path}: not declared in the result schema" for path in undeclared_fields(service_module, method, wire)]
