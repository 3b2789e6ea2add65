"""Which service RPC method each gateway route calls, and how the two sides' schemas compare.

Used by tests/contract/test_gateway_contract.py; ``.venv/bin/python -m tests.contract.gateway_map`` prints
the route -> RPC table and every mismatch found.

Nothing is declared by hand except what cannot be seen from the code (``RAW_JSON_BODIES``,
``UNSCHEMED_PAYLOADS``):

* routes are the gateway app's rules whose view carries ``_paraph_doc`` (``routing.route()``);
* the RPC a route calls is observed: the view runs in a Flask test client with the RPC pool replaced by a
  recorder, once with a *maximal* body (every field the gateway accepts, valid for the gateway) and once
  with a *minimal* one (required fields only). The call whose payload carries the body's fields is the
  target; the call whose result the view sends back is the response's source;
* the schema a service validates a payload with is the one declared in its ``contract.py`` (``Rpc.params``)
  or, for methods the contract does not list, the ``<Schema>().load(payload)`` found in the method's source
  (following ``self._helper(payload)`` calls and ``self.<rpc dependency>.<method>(payload)`` forwards).

Checks (each finding names the route and the field path):

* a body declared with ``service_params(service, method)`` (the service's own exported payload schema: nothing
  to compare, it cannot drift) must be passed on, every field of it, as the payload of that very RPC;
* forwarded: every field the gateway accepts reaches the service (in the payload, or as a positional
  argument), and every payload key is a field of the service's schema (else the service answers 422, or
  drops it silently when its schema excludes unknown fields);
* required: every field the service requires is in the payload built from a minimal body (required at the
  gateway, defaulted by it, or added by the view), and nested required fields are required or defaulted;
* not looser: OneOf choices, Length min/max, Range min/max (and an excluded min), Regexp patterns, null,
  and the value's type (string/email/ip/date/number/...) are at least as strict at the gateway as at the service;
* on the wire: the payloads, after a JSON round trip like the real RPC, load in the service's schema
  (schema-level cross-field rules aside: ``@validates_schema`` is not mirrored by the gateway);
* responses: a route documented with ``service_result(service, method)`` (the service's own exported result
  schema) names the RPC whose result the view answers; a route still documented with a gateway marshmallow
  schema lists no field the service's declared result schema lacks.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from unittest import mock

from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields, missing, validate

from paraph_platform.testing import TEST_TOKEN_KEY
from tests.contract import export

OPERATOR_TOKEN = "gateway-contract-operator-token"
MARK = "__gateway_contract_call__"
PAYLOAD_NAMES = ("payload", "params", "query")


def _gateway_api():
    from paraph_gateway.api import contracts, signing
    return contracts, signing


def raw_json_bodies() -> dict:
    """``raw_body=True`` routes that also accept a JSON body, loaded by the view itself: endpoint -> schema."""
    contracts, signing = _gateway_api()
    return {"contracts.add_attachment": contracts.AttachmentIn, "contracts.upload_asset": contracts.AssetIn,
            "contracts.set_company_logo": contracts.AssetIn,
            "signing.verify": signing.VerifyIn, "signing.link_upload_attachment": signing.AttachmentUploadIn}


# service methods that take a payload but validate it by hand (no marshmallow schema to compare with)
UNSCHEMED_PAYLOADS: dict = {}


# -- marshmallow introspection --------------------------------------------------------------------

def instance(schema) -> Schema:
    return schema() if isinstance(schema, type) else schema


def schema_name(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__


def load_fields(schema) -> dict:
    """{key on the wire: field} of what a schema loads."""
    return {f.data_key or name: f for name, f in instance(schema).load_fields.items()}


def dump_fields(schema) -> dict:
    return {f.data_key or name: f for name, f in instance(schema).dump_fields.items()}


def _flat(vs):
    for v in vs:
        if isinstance(v, validate.And):
            yield from _flat(v.validators)
        else:
            yield v


def validators(f, cls):
    return [v for v in _flat(getattr(f, "validators", None) or []) if isinstance(v, cls)]


def one_of(f):
    sets = [set(v.choices) for v in validators(f, validate.OneOf)]
    return set.intersection(*sets) if sets else None


def length(f):
    """(min, max) enforced on the length, None when not limited."""
    lo = hi = None
    for v in validators(f, validate.Length):
        vmin, vmax = (v.equal, v.equal) if v.equal is not None else (v.min, v.max)
        if vmin is not None:
            lo = vmin if lo is None else max(lo, vmin)
        if vmax is not None:
            hi = vmax if hi is None else min(hi, vmax)
    return lo, hi


def value_range(f):
    lo = hi = None
    for v in validators(f, validate.Range):
        if v.min is not None:
            lo = v.min if lo is None else max(lo, v.min)
        if v.max is not None:
            hi = v.max if hi is None else min(hi, v.max)
    return lo, hi


def min_excluded(f) -> bool:
    """Whether the lowest value allowed (value_range's lo) is itself refused (Range(min_inclusive=False))."""
    lo = value_range(f)[0]
    return lo is not None and any(v.min == lo and not v.min_inclusive for v in validators(f, validate.Range))


def patterns(f) -> set:
    return {v.regex.pattern for v in validators(f, validate.Regexp)}


def kind(f) -> str:
    """The JSON shape of a field's values, with the string formats a schema checks."""
    for cls, name in ((fields.Nested, "object"), (fields.Pluck, "any"), (fields.List, "array"),
                      (fields.Tuple, "array"), (fields.Mapping, "object"), (fields.Boolean, "boolean"),
                      (fields.Integer, "integer"), (fields.Number, "number"), (fields.AwareDateTime, "datetime"),
                      (fields.NaiveDateTime, "datetime"), (fields.Date, "date"), (fields.Time, "time"),
                      (fields.DateTime, "datetime"), (fields.TimeDelta, "number"), (fields.Email, "email"),
                      (fields.Url, "url"), (fields.UUID, "uuid"), (fields.IP, "ip"), (fields.IPInterface, "ip"),
                      (fields.String, "string")):
        if isinstance(f, cls):
            return name
    return "any"


# what a service field of kind K accepts from a gateway field of kind G (the view sends dates, IPs and
# decimals as strings; the RPC's JSON carries datetimes)
ACCEPTS = {
    "any": None,  # anything
    "string": {"string", "email", "url", "uuid", "ip", "date", "datetime", "time"},
    "number": {"number", "integer"},
    "integer": {"integer"},
    "object": {"object"},
    "array": {"array"},
}

IMPLIED_MIN_LENGTH = {"email": 3, "ip": 2, "uuid": 32, "date": 8, "datetime": 8}


# -- sample values ----------------------------------------------------------------------------------

PATTERN_CANDIDATES = ["EUR", "sample_key", "#12ab34", "0" * 64, "+33 1 23 45 67 89", "sample", "a", "A", "1",
                      "https://app.example.com"]


class SampleError(Exception):
    pass


def _string(f, name: str) -> str:
    choices = one_of(f)
    if choices:
        return sorted(choices)[0]
    lo, hi = length(f)
    lo = lo or 0
    pats = validators(f, validate.Regexp)
    if pats:
        for c in PATTERN_CANDIDATES:
            if all(p.regex.match(c) for p in pats) and lo <= len(c) <= (hi or len(c)):
                return c
        raise SampleError(f"no sample value matches the pattern(s) {[p.regex.pattern for p in pats]} of "
                          f"{name!r}: add one to gateway_map.PATTERN_CANDIDATES")
    value = f"s-{name}"
    if len(value) < lo:
        value += "0" * (lo - len(value))
    if hi is not None and len(value) > hi:
        value = value[:hi]
    return value


def sample_value(f, name: str, minimal: bool):
    k = kind(f)
    if isinstance(f, fields.Nested):
        obj = sample_object(f.schema, minimal, prefix=f"{name}.")
        return [obj] if f.many else obj
    if isinstance(f, fields.List):
        lo, hi = length(f)
        n = max(1, lo or 0)
        if hi is not None:
            n = min(n, hi)
        return [sample_value(f.inner, name, minimal) for _ in range(n)]
    if isinstance(f, fields.Mapping):
        key = _string(f.key_field, f"{name}.<key>") if f.key_field is not None else "sample"
        value = sample_value(f.value_field, f"{name}.{key}", minimal) if f.value_field is not None else "value"
        return {key: value}
    if k == "boolean":
        return True
    if k in ("integer", "number"):
        lo, hi = value_range(f)
        v = lo if lo is not None else (1 if hi is None or hi >= 1 else hi)
        if lo is not None and min_excluded(f):
            v = lo + 1 if hi is None or lo + 1 <= hi else (lo + hi) / 2
        v = int(v) if k == "integer" else v
        return str(v) if isinstance(f, fields.Decimal) and f.as_string else v
    if k == "datetime":
        return "2031-02-03T04:05:06+00:00" if not isinstance(f, fields.NaiveDateTime) else "2031-02-03T04:05:06"
    if k == "date":
        return "2031-02-03"
    if k == "time":
        return "04:05:06"
    if k == "email":
        return "sample.person@example.com"
    if k == "url":
        return "https://hooks.example.com/paraph"
    if k == "uuid":
        return "6f1c2b1e-6a4e-4c1e-9d7b-2f0f6b1f2c3d"
    if k == "ip":
        return "192.0.2.10"
    if k == "string":
        return _string(f, name)
    return {"sample": "value"}


def sample_object(schema, minimal: bool, prefix: str = "") -> dict:
    out = {}
    for key, f in load_fields(schema).items():
        if minimal and not f.required:
            continue
        out[key] = sample_value(f, f"{prefix}{key}", minimal)
    return out


def query_string(sample: dict) -> dict:
    out = {}
    for k, v in sample.items():
        if isinstance(v, (list, dict)):
            continue
        out[k] = ("true" if v else "false") if isinstance(v, bool) else str(v)
    return out


# -- the gateway side ----------------------------------------------------------------------------------

@dataclass
class Route:
    rule: str
    method: str
    endpoint: str
    doc: dict
    url_args: dict

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule}"

    @property
    def body(self):
        if self.doc.get("body") is not None:
            return self.doc["body"]
        if self.doc.get("raw_body"):
            return raw_json_bodies().get(self.endpoint)
        return None

    @property
    def body_schema(self):
        """The marshmallow schema of the body: the gateway's, or the service's for ``service_params``."""
        from paraph_gateway.service_results import ServiceParams
        body = self.body
        return rpc_spec(body.service, body.method).params if isinstance(body, ServiceParams) else body

    @property
    def query(self):
        return self.doc.get("query")

    @property
    def response(self):
        return self.doc.get("response")


@dataclass
class Call:
    index: int
    service: str
    method: str
    args: tuple
    kwargs: dict

    @property
    def name(self) -> str:
        return f"{self.service}.{self.method}"


class Recorder:
    """Stands in for the gateway's RPC pool: records each call and answers a marked dict."""

    def __init__(self):
        self.calls: list[Call] = []

    def call(self, service, method, *args, context=None, timeout=None, **kwargs):
        c = Call(len(self.calls), service, method, args, kwargs)
        self.calls.append(c)
        return {MARK: c.index}


def make_app():
    from paraph_gateway import create_app
    # the RPC pool is a recorder here: tokens carry the rights (no access-state lookup)
    return create_app({"AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1//", "TOKEN_JWKS": TEST_TOKEN_KEY.jwks,
                       "ACCESS_STATE_CHECK": False,
                       "OPERATOR_TOKEN": OPERATOR_TOKEN, "RPC_TIMEOUT": 2, "TESTING": True})


ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def routes(app) -> list[Route]:
    out = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        doc = getattr(view, "_paraph_doc", None)
        if doc is None:
            continue
        args = {name: f"p-{name}" for name in ARG.findall(rule.rule)}
        for m in doc["methods"]:
            out.append(Route(rule.rule, m, rule.endpoint, doc, args))
    return sorted(out, key=lambda r: (r.rule, r.method))


def _token(role: str) -> str:
    claims = {"sub": "u-contract", "lic": "l-contract", "role": role, "email": "staff@example.com",
              "name": "Contract Test", "exp": int(time.time()) + 3600, "typ": "access"}
    if role == "client":
        claims.update({"cid": "c-contact", "cust": "c-customer", "co": "ACME", "br": None})
    return TEST_TOKEN_KEY.token(claims)


@dataclass
class Invocation:
    body: dict | None
    query: dict | None
    calls: list
    status: int
    response: object
    error: str | None = None

    def echoed(self) -> Call | None:
        """The call whose result the view answered with."""
        r = self.response
        if isinstance(r, dict) and MARK in r and isinstance(r[MARK], int) and r[MARK] < len(self.calls):
            return self.calls[r[MARK]]
        return None


def invoke(app, route: Route, *, body=None, query=None) -> Invocation:
    url = ARG.sub(lambda m: f"p-{m.group(1)}", route.rule)
    if route.doc.get("public"):
        auth = OPERATOR_TOKEN  # operator endpoints; ignored by the other public ones
    else:
        roles = route.doc.get("roles") or ("license_admin",)
        auth = _token(roles[0])
    recorder = Recorder()
    kwargs = {"headers": {"Authorization": f"Bearer {auth}", "User-Agent": "contract-test"}}
    if body is not None:
        kwargs["json"] = body
    if query:
        kwargs["query_string"] = query_string(query)
    client = app.test_client()
    with mock.patch("paraph_gateway.routing.pool", lambda: recorder):
        try:
            resp = client.open(url, method=route.method, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a view post-processing the fake result (PDFs) may fail
            if recorder.calls:
                return Invocation(body, query, recorder.calls, 0, None, repr(exc))
            raise
    payload = resp.get_json(silent=True)
    return Invocation(body, query, recorder.calls, resp.status_code, payload)


# -- the service side -------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def contracts_by_name() -> dict:
    return {c.name: c for c in export.load_all()}


@lru_cache(maxsize=None)
def service_module(service: str):
    try:
        return importlib.import_module(f"{service}_service.service")
    except ModuleNotFoundError as exc:
        if exc.name not in (f"{service}_service", f"{service}_service.service"):
            raise
        sys.path.insert(0, str(export.ROOT / "services" / service / "src"))
        return importlib.import_module(f"{service}_service.service")


def service_class(service: str):
    return service_module(service).SERVICE


def rpc_spec(service: str, method: str):
    c = contracts_by_name().get(service)
    return c.rpc.get(method) if c else None


def rpc_arg_names(service: str, method: str) -> list[str] | None:
    fn = getattr(service_class(service), method, None)
    if fn is None:
        return None
    return [p for p in inspect.signature(fn).parameters if p != "self"]


def payload_index(service: str, method: str) -> int | None:
    names = rpc_arg_names(service, method)
    if names is None:
        return None
    for n in PAYLOAD_NAMES:
        if n in names:
            return names.index(n)
    return None


@dataclass
class Loader:
    """How a service method validates its payload."""
    schemas: list = field(default_factory=list)            # schema classes, in the order they load it
    forwards: list = field(default_factory=list)           # (service, method) the payload is passed on to
    source: str = ""                                       # contract / source


def _refers(node, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _resolve(dotted: str, module):
    obj = module
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _dotted(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _params(fn: ast.FunctionDef) -> list[str]:
    names = [a.arg for a in fn.args.args]
    static = any(_dotted(d) == "staticmethod" for d in fn.decorator_list)
    return names if static else names[1:]


@lru_cache(maxsize=None)
def _class_functions(service: str) -> dict:
    """name -> (function's AST, the module it is written in), over the service class and the mixins it is
    built from (one module per aggregate), the first in the MRO winning as Python's lookup does."""
    package = f"{service}_service"
    functions: dict = {}
    for klass in service_class(service).__mro__:
        if not klass.__module__.startswith(package):
            continue
        module = sys.modules[klass.__module__]
        tree = ast.parse(inspect.getsource(module))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == klass.__name__:
                for f in node.body:
                    if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        functions.setdefault(f.name, (f, module))
    return functions


def discover_loader(service: str, method: str) -> Loader:
    """The schema(s) the method's source loads its payload with (following helpers and RPC forwards)."""
    cls = service_class(service)
    funcs = _class_functions(service)
    out = Loader(source="source")
    seen = set()

    def scan(fn_name: str, pname: str, depth: int):
        if (fn_name, pname) in seen or depth > 4 or fn_name not in funcs:
            return
        seen.add((fn_name, pname))
        fn, module = funcs[fn_name]
        for node in ast.walk(fn):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            passes = [i for i, a in enumerate(node.args) if _refers(a, pname)]
            kw = [k.arg for k in node.keywords if k.arg and _refers(k.value, pname)]
            if isinstance(f, ast.Attribute) and f.attr == "load" and isinstance(f.value, ast.Call) and passes == [0]:
                name = _dotted(f.value.func)
                schema = _resolve(name, module) if name else None
                if isinstance(schema, type) and issubclass(schema, Schema) and schema not in out.schemas:
                    out.schemas.append(schema)
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self" \
                    and f.attr in funcs and (passes or kw):
                names = _params(funcs[f.attr][0])
                for i in passes:
                    if i < len(names):
                        scan(f.attr, names[i], depth + 1)
                for k in kw:
                    scan(f.attr, k, depth + 1)
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Attribute) \
                    and isinstance(f.value.value, ast.Name) and f.value.value.id == "self" and passes:
                target = getattr(getattr(cls, f.value.attr, None), "target_service", None)
                if isinstance(target, str) and (target, f.attr) not in out.forwards:
                    out.forwards.append((target, f.attr))

    names = rpc_arg_names(service, method) or []
    pname = next((n for n in PAYLOAD_NAMES if n in names), None)
    if pname:
        scan(method, pname, 0)
    return out


def payload_loader(service: str, method: str) -> Loader:
    """The contract's declared payload schema (checked against the source), else the source's."""
    found = discover_loader(service, method)
    spec = rpc_spec(service, method)
    if spec is not None and spec.params is not None:
        declared = spec.params if isinstance(spec.params, type) else type(spec.params)
        schemas = [declared] + [s for s in found.schemas if s is not declared]
        return Loader(schemas, found.forwards, "contract")
    return found


# -- comparison ----------------------------------------------------------------------------------------

def _unknown_effect(schema) -> str:
    mode = instance(schema).unknown
    if mode == EXCLUDE:
        return "silently drops it (unknown fields are excluded)"
    if mode == INCLUDE:
        return "does not declare it (passed through unvalidated)"
    return "rejects it with 422 (unknown field)"


def compare_field(g, s, path: str, problems: list, svc_label: str, target: str | None = None):
    """``svc_label`` names the service schema in messages; ``target`` (service.method) labels nested ones."""
    target = target or svc_label
    gk, sk = kind(g), kind(s)
    accepted = ACCEPTS.get(sk, {sk})
    if accepted is not None and gk not in accepted:
        problems.append(f"{path}: the gateway accepts {gk} values, {svc_label} expects {sk}")
        return
    if g.allow_none and not s.allow_none:
        problems.append(f"{path}: the gateway accepts null, {svc_label} rejects it")
    s_choices, g_choices = one_of(s), one_of(g)
    if s_choices is not None:
        if g_choices is None:
            problems.append(f"{path}: the gateway accepts any value, {svc_label} only {sorted(s_choices)}")
        elif g_choices - s_choices:
            problems.append(f"{path}: the gateway accepts {sorted(g_choices - s_choices)}, which {svc_label} "
                            f"rejects (it allows {sorted(s_choices)})")
    if gk in ("string", "email", "url", "uuid", "ip", "array", "date", "datetime"):
        (s_lo, s_hi), (g_lo, g_hi) = length(s), length(g)
        if g_lo is None and gk in IMPLIED_MIN_LENGTH:
            g_lo = IMPLIED_MIN_LENGTH[gk]
        what = "items" if gk == "array" else "characters"
        if s_hi is not None and (g_hi is None or g_hi > s_hi):
            problems.append(f"{path}: the gateway accepts {'any number of' if g_hi is None else f'up to {g_hi}'} "
                            f"{what}, {svc_label} at most {s_hi}")
        if s_lo and (g_lo or 0) < s_lo:
            problems.append(f"{path}: the gateway accepts {g_lo or 0} {what}, {svc_label} at least {s_lo}")
    if gk in ("integer", "number"):
        (s_lo, s_hi), (g_lo, g_hi) = value_range(s), value_range(g)
        if s_hi is not None and (g_hi is None or g_hi > s_hi):
            problems.append(f"{path}: the gateway accepts values up to {g_hi if g_hi is not None else 'any'}, "
                            f"{svc_label} at most {s_hi}")
        if s_lo is not None and (g_lo is None or g_lo < s_lo):
            problems.append(f"{path}: the gateway accepts values from {g_lo if g_lo is not None else 'any'}, "
                            f"{svc_label} at least {s_lo}")
        elif s_lo is not None and g_lo == s_lo and min_excluded(s) and not min_excluded(g):
            problems.append(f"{path}: the gateway accepts {g_lo}, {svc_label} only values above it")
    for pattern in sorted(patterns(s)):
        if pattern in patterns(g):
            continue
        if g_choices and all(re.match(pattern, c) for c in g_choices):
            continue
        problems.append(f"{path}: {svc_label} requires the pattern {pattern!r}, the gateway does not check it")
    if isinstance(s, fields.List) and isinstance(g, fields.List):
        compare_field(g.inner, s.inner, f"{path}[]", problems, svc_label, target)
    elif isinstance(s, fields.Nested) and isinstance(g, fields.Nested):
        compare_schemas(g.schema, s.schema, path + ("[]" if s.many else ""), problems, target)
    elif isinstance(s, fields.Nested):
        problems.append(f"{path}: the gateway accepts any object, {svc_label} validates it with "
                        f"{schema_name(s.schema)}")
    elif isinstance(s, fields.Mapping) and isinstance(g, fields.Mapping):
        if s.key_field is not None and (kind(s.key_field) != "string" or s.key_field.validators):
            # (JSON keys are strings: a bare String key field restricts nothing)
            if g.key_field is None:
                problems.append(f"{path}: the gateway accepts any key, {svc_label} validates the keys")
            else:
                compare_field(g.key_field, s.key_field, f"{path}.<key>", problems, svc_label, target)
        if s.value_field is not None:
            if g.value_field is None:
                problems.append(f"{path}: the gateway accepts any value, {svc_label} validates the values")
            else:
                compare_field(g.value_field, s.value_field, f"{path}.<value>", problems, svc_label, target)


def compare_schemas(gw, svc, path: str, problems: list, svc_label: str, *, keys=None, provided=None):
    """Gateway input schema ``gw`` against service input schema ``svc``.

    ``keys``: the gateway keys that reach the service (default all); ``provided``: keys the payload built
    from a minimal body carries (top level only; default: those required or defaulted at the gateway)."""
    prefix = f"{path}." if path else ""
    g_fields, s_fields = load_fields(gw), load_fields(svc)
    label = f"{svc_label} ({schema_name(svc)})"
    for key, g in g_fields.items():
        if keys is not None and key not in keys:
            continue
        s = s_fields.get(key)
        if s is None:
            problems.append(f"{prefix}{key}: accepted by the gateway, but {label} {_unknown_effect(svc)}")
            continue
        compare_field(g, s, f"{prefix}{key}", problems, label, svc_label)
    for key, s in s_fields.items():
        if not s.required:
            continue
        if provided is not None:
            if key not in provided:
                problems.append(f"{prefix}{key}: required by {label}, but a request without it passes the "
                                f"gateway (not required there, not defaulted, not added by the view)")
            continue
        g = g_fields.get(key)
        if g is None:
            problems.append(f"{prefix}{key}: required by {label}, the gateway does not accept it")
        elif not g.required and g.load_default is missing:
            problems.append(f"{prefix}{key}: required by {label}, optional at the gateway with no default")


def compare_response(gw, result, path: str, problems: list, label: str):
    """Every field of the gateway's response schema ``gw`` exists in the service's ``result`` schema."""
    from paraph_platform.contract import ListOf, MapOf
    if isinstance(result, (ListOf, MapOf)):
        result = result.schema
    prefix = f"{path}." if path else ""
    g_fields, s_fields = dump_fields(gw), dump_fields(result)
    for key, g in g_fields.items():
        s = s_fields.get(key)
        if s is None:
            problems.append(f"{prefix}{key}: documented in the gateway's response schema {schema_name(gw)}, but "
                            f"the result schema of {label} ({schema_name(result)}) does not declare it (declare it "
                            f"in the service's contract.py if it is returned, else drop it from the gateway's "
                            f"schema)")
            continue
        gi = g.inner if isinstance(g, fields.List) else g
        si = s.inner if isinstance(s, fields.List) else s
        if isinstance(gi, fields.Nested) and isinstance(si, fields.Nested):
            compare_response(gi.schema, si.schema, f"{prefix}{key}" + ("[]" if g is not gi else ""), problems,
                             label)


# -- the payload on the wire -------------------------------------------------------------------------------

def on_the_wire(value):
    """What the service receives: the gateway's RPC serializer is kombu's JSON."""
    from kombu.utils import json as kjson
    return kjson.loads(kjson.dumps(value))


def _flatten(messages, prefix=""):
    if isinstance(messages, dict):
        for k, v in messages.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        yield prefix or "_schema", "; ".join(messages)
    elif isinstance(messages, list):
        for m in messages:
            yield from _flatten(m, prefix)
    else:
        yield prefix or "_schema", str(messages)


def load_errors(schema, payload) -> list[tuple[str, str]]:
    """Field-level errors of loading ``payload`` with ``schema`` (schema-level validators skipped)."""
    with mock.patch.object(Schema, "_invoke_schema_validators", lambda *a, **k: None):
        try:
            instance(schema).load(payload)
        except ValidationError as exc:
            return list(_flatten(exc.messages))
    return []


# -- one route --------------------------------------------------------------------------------------------

def _scalars(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _scalars(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _scalars(v)
    else:
        yield value


def _forwarded_positionally(value, args) -> bool:
    """Whether a body value is passed as (part of) a positional argument rather than in a payload dict."""
    wanted = [v for v in _scalars(value) if not isinstance(v, bool)]
    have = set()
    for v in _scalars(list(args)):
        have.add(v if not hasattr(v, "isoformat") else v.isoformat())
    return bool(wanted) and all(w in have for w in wanted)


@dataclass
class Target:
    call: Call
    index: int | None          # index of the payload argument, None when the body is spread over arguments

    @property
    def payload(self):
        if self.index is None or self.index >= len(self.call.args):
            return None
        return self.call.args[self.index]


def find_target(calls: list, sample: dict) -> Target | None:
    best, best_score = None, 0
    for c in calls:
        idx = payload_index(c.service, c.method)
        payload = c.args[idx] if idx is not None and idx < len(c.args) else None
        candidates = [(sum(1 for v in sample.values() if _forwarded_positionally(v, c.args)), Target(c, None))]
        if isinstance(payload, dict):
            candidates.append((len(set(payload) & set(sample)) * 2 + (1 if not sample else 0), Target(c, idx)))
        score, target = max(candidates, key=lambda x: x[0])
        if score > best_score:
            best, best_score = target, score
    return best


@dataclass
class Report:
    route: Route
    part: str                           # "body" | "query" | "response"
    target: str = ""                    # service.method
    problems: list = field(default_factory=list)
    skipped: str = ""


def check_service_params(app, route: Route) -> Report:
    """A body declared as the payload of ``service.method``: the view sends it on to that RPC."""
    params = route.body
    report = Report(route, "body", target=f"{params.service}.{params.method}")
    try:
        body = sample_object(route.body_schema, minimal=False)
        query = sample_object(route.query, minimal=True) if route.query else None
    except SampleError as exc:
        report.problems.append(str(exc))
        return report
    inv = invoke(app, route, body=body, query=query)
    calls = [c for c in inv.calls if c.name == report.target]
    if not calls:
        report.problems.append(f"the body is documented as the payload of {report.target}, but the view calls "
                               f"{', '.join(c.name for c in inv.calls) or 'no service'} (status {inv.status})")
        return report
    index = payload_index(params.service, params.method)
    payloads = [c.args[index] for c in calls if index is not None and index < len(c.args)]
    # the view may set a field itself (POST /quotes: kind), never drop one
    if not any(isinstance(p, dict) and set(body) <= set(p) for p in payloads):
        report.problems.append(f"the view does not pass the body on as the payload of {report.target}")
    return report


def check_input(app, route: Route, part: str) -> Report:
    from paraph_gateway.service_results import ServiceParams
    if part == "body" and isinstance(route.body, ServiceParams):
        return check_service_params(app, route)
    schema = route.body if part == "body" else route.query
    report = Report(route, part)
    try:
        big = sample_object(schema, minimal=False)
        small = sample_object(schema, minimal=True)
        other = sample_object(route.query, minimal=True) if part == "body" and route.query else None
    except SampleError as exc:
        report.problems.append(str(exc))
        return report
    if part == "query" and route.body is not None:
        try:
            other = sample_object(route.body_schema, minimal=True)
        except SampleError as exc:
            report.problems.append(str(exc))
            return report
    kw = (lambda s: {"body": s, "query": other}) if part == "body" else (lambda s: {"query": s, "body": other})
    inv_big, inv_small = invoke(app, route, **kw(big)), invoke(app, route, **kw(small))
    for inv, what in ((inv_big, "every field"), (inv_small, "only its required fields")):
        if not inv.calls:
            report.problems.append(f"the gateway answered {inv.status} to a {part} with {what} and called no "
                                   f"service: {inv.response}")
    if report.problems:
        return report
    target = find_target(inv_big.calls, big)
    if target is None:
        report.problems.append(f"none of the RPC calls ({', '.join(c.name for c in inv_big.calls)}) receives the "
                               f"{part}'s fields")
        return report
    call = target.call
    report.target = call.name
    label = call.name
    payload = target.payload
    # 1. every field the gateway accepts reaches the service
    forwarded = set()
    for key, value in big.items():
        if isinstance(payload, dict) and key in payload:
            forwarded.add(key)
        elif not _forwarded_positionally(value, call.args):
            report.problems.append(f"{key}: accepted by the gateway, never sent to {label} (dropped by the view)")
    if target.index is None:
        report.skipped = f"{label} takes the {part}'s values as positional arguments (no payload schema)"
        return report
    if not isinstance(payload, dict):
        report.problems.append(f"{label} is called without its payload argument")
        return report
    # 2. the service's schema(s)
    loader = payload_loader(call.service, call.method)
    targets = [(label, s) for s in loader.schemas]
    for svc, method in loader.forwards:
        for s in payload_loader(svc, method).schemas:
            targets.append((f"{call.name} -> {svc}.{method}", s))
    if not targets:
        reason = UNSCHEMED_PAYLOADS.get((call.service, call.method))
        if reason:
            report.skipped = f"{label}: {reason}"
        else:
            report.problems.append(f"cannot find the schema {label} loads its payload with: declare it in "
                                   f"services/{call.service}/.../contract.py (Rpc(params=...)) or list it in "
                                   f"gateway_map.UNSCHEMED_PAYLOADS")
        return report
    small_target = find_target(inv_small.calls, small) if small else None
    small_payload = (small_target.payload if small_target and small_target.call.name == call.name
                     else next((c.args[target.index] for c in inv_small.calls
                                if c.name == call.name and len(c.args) > target.index), None))
    provided = set(small_payload) if isinstance(small_payload, dict) else set()
    for svc_label, svc_schema in targets:
        found = []
        compare_schemas(schema, svc_schema, "", found, svc_label, keys=forwarded, provided=provided)
        if instance(svc_schema).unknown == INCLUDE and loader.forwards:
            # the service passes the payload on: the schema it is forwarded to judges unknown fields
            found = [p for p in found if "passed through unvalidated" not in p]
        extra = [k for k in payload if k not in load_fields(schema)]
        s_fields = load_fields(svc_schema)
        for k in extra:
            if instance(svc_schema).unknown == INCLUDE and loader.forwards:
                continue
            if k not in s_fields:
                found.append(f"{k}: added by the gateway view, but {svc_label} ({schema_name(svc_schema)}) "
                             f"{_unknown_effect(svc_schema)}")
        # 3. the payloads as the service receives them
        explained = {p.split(":")[0].split(".")[0].split("[")[0] for p in found}
        for what, p in (("every field", payload), ("only its required fields", small_payload)):
            if not isinstance(p, dict):
                continue
            try:
                wire = on_the_wire(p)
            except Exception as exc:  # noqa: BLE001
                found.append(f"the payload does not serialise to JSON: {exc!r}")
                continue
            for path, message in load_errors(svc_schema, wire):
                if path.split(".")[0] not in explained:
                    found.append(f"{path}: {svc_label} ({schema_name(svc_schema)}) rejects the payload the "
                                 f"gateway sends for a {part} with {what}: {message}")
                    explained.add(path.split(".")[0])
        report.problems.extend(dict.fromkeys(found))
    return report


def check_response(app, route: Route) -> Report:
    report = Report(route, "response")
    try:
        body = sample_object(route.body_schema, minimal=True) if route.body is not None else None
        query = sample_object(route.query, minimal=True) if route.query is not None else None
    except SampleError as exc:
        report.problems.append(str(exc))
        return report
    inv = invoke(app, route, body=body, query=query)
    call = inv.echoed()
    if call is None:
        report.skipped = (f"the view does not answer with an RPC result as is (status {inv.status}; "
                          f"calls: {', '.join(c.name for c in inv.calls) or 'none'})")
        return report
    report.target = call.name
    from paraph_gateway.service_results import ServiceResult
    if isinstance(route.response, ServiceResult):
        # documented with the service's own result schema (nothing to compare, the committed export is the
        # copy): it must be the schema of the RPC whose result the view answers
        if route.response.component != call.name:
            report.problems.append(f"documented as the result of {route.response.component}, but the view answers "
                                   f"the result of {call.name}")
        return report
    spec = rpc_spec(call.service, call.method)
    if spec is None or spec.result is None:
        report.skipped = f"{call.name} declares no result schema in its contract.py"
        return report
    compare_response(instance(route.response), spec.result, "", report.problems, call.name)
    return report


def check_all(app=None) -> list[Report]:
    app = app or make_app()
    out = []
    for r in routes(app):
        if r.body is not None:
            out.append(check_input(app, r, "body"))
        if r.query is not None:
            out.append(check_input(app, r, "query"))
        if r.response is not None:
            out.append(check_response(app, r))
    return out


def main() -> int:
    reports = check_all()
    bad = 0
    for rep in reports:
        status = "FAIL" if rep.problems else ("skip" if rep.skipped else "ok")
        bad += bool(rep.problems)
        print(f"{status:4} {rep.route.id} [{rep.part}] -> {rep.target or '?'}" +
              (f"  ({rep.skipped})" if rep.skipped and not rep.problems else ""))
        for p in rep.problems:
            print(f"       - {p}")
    print(f"{len(reports)} checks, {bad} with mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
