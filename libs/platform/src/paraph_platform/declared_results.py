"""An RPC result cut to its declared schema: what a method answers is exactly what its contract documents.

A service's views are hand-built dicts, already JSON-ready; a field a view adds without declaring it in the
method's result schema (``contract.RPC[method].result``) would reach the API undocumented. ``@endpoint``
(:mod:`.service`) passes every declared result through :func:`result_shaper`, which keeps the declared
fields of each object, recursively, and nothing else::

    shape = result_shaper("contracts_service.service", "get_customer")   # built once, then cached
    shape({"id": "c1", "name": "ACME", "notes": "…"})                    # {"id": "c1", "name": "ACME"}

Values are kept as they are (no marshmallow ``dump``: no type conversion, a missing field stays missing,
validation is the test-time check's job, :func:`.contract.result_violations`). A field's ``data_key`` is its
name on the wire. Objects are followed through ``Nested`` (``many`` too), ``List(Nested)``,
``Dict(values=Nested)`` and ``ListOf`` / ``MapOf`` results; any other field (``Dict``, ``Raw``,
``List(String)``…) is kept whole. A value of the wrong kind (a ``None``, a string where an object is
declared) is left alone. The same plan lists what a result carries undeclared (:func:`undeclared_fields`),
which the test suites report as contract violations.
"""
from __future__ import annotations

from marshmallow import Schema, fields

from .contract import ListOf, MapOf, declared_rpc

ANY = "*"  # a path step for every item of a list or every value of a map


class _Object:
    """The declared fields of an object (by wire name) and the plans of the ones holding objects."""

    def __init__(self, schema: Schema):
        self.declared = frozenset(f.data_key or name for name, f in schema.dump_fields.items())
        self.nested = tuple((f.data_key or name, plan) for name, f in schema.dump_fields.items()
                            if (plan := _field_plan(f)) is not None)

    def shape(self, value):
        if not isinstance(value, dict):
            return value
        out = {k: v for k, v in value.items() if k in self.declared}
        for key, plan in self.nested:
            if key in out:
                out[key] = plan.shape(out[key])
        return out

    def undeclared(self, value, path: str, found: list) -> None:
        if not isinstance(value, dict):
            return
        found.extend(f"{path}{k}" for k in value if k not in self.declared)
        for key, plan in self.nested:
            if key in value:
                plan.undeclared(value[key], f"{path}{key}/", found)


class _Items:
    """A list whose items follow ``item``."""

    def __init__(self, item):
        self.item = item

    def shape(self, value):
        return [self.item.shape(v) for v in value] if isinstance(value, list) else value

    def undeclared(self, value, path: str, found: list) -> None:
        if isinstance(value, list):
            for v in value:
                self.item.undeclared(v, f"{path}{ANY}/", found)


class _Values(_Items):
    """A map whose values follow ``item`` (its keys are data: ids, names)."""

    def shape(self, value):
        return {k: self.item.shape(v) for k, v in value.items()} if isinstance(value, dict) else value

    def undeclared(self, value, path: str, found: list) -> None:
        if isinstance(value, dict):
            for v in value.values():
                self.item.undeclared(v, f"{path}{ANY}/", found)


def _field_plan(field: fields.Field):
    """The plan of a field holding objects, None for a field kept whole."""
    if isinstance(field, fields.Nested):
        plan = _Object(field.schema)
        return _Items(plan) if field.many else plan
    if isinstance(field, fields.List):
        item = _field_plan(field.inner)
        return _Items(item) if item is not None else None
    if isinstance(field, fields.Dict) and field.value_field is not None:
        item = _field_plan(field.value_field)
        return _Values(item) if item is not None else None
    return None


def plan_of(result):
    """The plan of a declared result: a Schema (class or instance), ``ListOf`` or ``MapOf``."""
    if isinstance(result, ListOf):
        return _Items(plan_of(result.schema))
    if isinstance(result, MapOf):
        return _Values(plan_of(result.schema))
    return _Object(result() if isinstance(result, type) else result)


_plans: dict = {}


def _declared_plan(service_module: str, method: str):
    """The plan of ``method``'s declared result (None: nothing declared), built once per (service, method)."""
    key = (service_module, method)
    if key not in _plans:
        spec = declared_rpc(service_module, method)
        _plans[key] = plan_of(spec.result) if spec is not None and spec.result is not None else None
    return _plans[key]


def result_shaper(service_module: str, method: str):
    """``result -> the result with its declared fields only`` for ``method`` of the service defined in
    ``service_module``; None when the method declares no result (its answers are left untouched)."""
    plan = _declared_plan(service_module, method)
    return plan.shape if plan is not None else None


def undeclared_fields(service_module: str, method: str, result) -> list[str]:
    """The fields ``result`` carries that its declared schema does not, as paths (``items/*/notes``: ``*``
    for every item of a list or value of a map), without repeats. Empty when nothing is declared."""
    plan = _declared_plan(service_module, method)
    if plan is None:
        return []
    found: list = []
    plan.undeclared(result, "", found)
    return list(dict.fromkeys(found))
