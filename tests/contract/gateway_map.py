"""Which service RPC each gateway route calls: the route -> RPC table the contract tests check.

A route's body and query are a service's own payload schema (``service_params(service, method)``) and its
documented answer a service's own result schema (``service_result``): JSON Schema exported from the services'
contract.py, kept in step with the code by ``tests.contract.export --check``. The schemas cannot drift; the
views can: they may call another RPC, drop a field of the body, or answer another RPC's result. So each view
runs in a Flask test client with the RPC pool replaced by a recorder, with a sample body and query built from
those JSON Schemas, and the calls it makes are checked (tests/contract/test_gateway_contract.py):

* a body or query ``service_params(service, method)`` is passed on, every field of it, as the payload of that
  very RPC, or of a service method declared in ``HOPS`` to pass its payload on to it;
* a route documented with ``service_result(service, method)`` answers the result of that very RPC.

Declared by hand (not visible from the routes): ``HOPS``.
``.venv/bin/python -m tests.contract.gateway_map`` prints the route -> RPC table.
"""
from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field
from unittest import mock

from paraph_platform.testing import TEST_TOKEN_KEY
from tests.contract.service_source import payload_index

OPERATOR_TOKEN = "gateway-contract-operator-token"
MARK = "__gateway_contract_call__"

# service methods that load a payload and pass it on to another service's method, whose payload schema
# the gateway then documents: (service, method) -> (service, method) it passes its payload on to
HOPS = {("portal", "client_update_contact"): ("contracts", "apply_client_contact_update"),
        ("portal", "client_update_company"): ("contracts", "apply_client_company_update"),
        ("portal", "act"): ("signing", "act")}


# -- sample bodies and queries, from the JSON Schema of a service's payload -----------------------------

FORMAT_SAMPLES = {"date": "2031-02-03", "date-time": "2031-02-03T04:05:06+00:00", "email": "sample.person@example.com",
                  "ip": "192.0.2.10", "url": "https://hooks.example.com/paraph"}
PATTERN_SAMPLES = ["EUR", "sample_key", "#12ab34", "0" * 64, "+33 1 23 45 67 89"]


def _string(schema: dict, name: str) -> str:
    if schema.get("format") in FORMAT_SAMPLES:
        return FORMAT_SAMPLES[schema["format"]]
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if "pattern" in schema:
        for candidate in PATTERN_SAMPLES:
            if re.search(schema["pattern"], candidate) and low <= len(candidate) <= (high or len(candidate)):
                return candidate
        raise ValueError(f"no sample value matches the pattern {schema['pattern']!r} of {name!r}: add one to "
                         f"gateway_map.PATTERN_SAMPLES")
    return f"s-{name}".ljust(low, "0")[:high]


def sample_value(schema: dict, name: str, minimal: bool):
    """A value valid for the JSON Schema ``schema`` (of the field ``name``, named in messages)."""
    if "enum" in schema:
        return next(choice for choice in schema["enum"] if choice is not None)
    types = schema.get("type", [])
    kind = next((t for t in ([types] if isinstance(types, str) else types) if t != "null"), None)
    if kind == "object":
        if schema.get("properties"):
            return sample_object(schema, minimal, prefix=f"{name}.")
        values = schema.get("additionalProperties")
        return {"sample": sample_value(values, f"{name}.sample", minimal) if isinstance(values, dict) else "value"}
    if kind == "array":
        return [sample_value(schema.get("items", {}), name, minimal)] * max(1, schema.get("minItems", 0))
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        high = schema.get("maximum")
        return schema.get("minimum", 1 if high is None or high >= 1 else high)
    if kind == "string":
        return _string(schema, name)
    return "value"  # any JSON value


def sample_object(schema: dict, minimal: bool, prefix: str = "") -> dict:
    """Every property of an object schema, or only its required ones (``minimal``)."""
    required = set(schema.get("required", ()))
    return {key: sample_value(prop, f"{prefix}{key}", minimal)
            for key, prop in schema.get("properties", {}).items() if not minimal or key in required}


def query_string(sample: dict) -> dict:
    """What a query string can carry of a sample: its scalars, as strings."""
    return {key: ("true" if value else "false") if isinstance(value, bool) else str(value)
            for key, value in sample.items() if not isinstance(value, (list, dict))}


# -- the gateway's routes, run with a recorder for the RPC pool ---------------------------------------------

@dataclass
class Route:
    rule: str
    method: str
    endpoint: str
    doc: dict

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule}"

    @property
    def body(self):
        if self.doc.get("body") is not None:
            return self.doc["body"]
        return (self.doc.get("raw_body") or {}).get("application/json")  # an upload's JSON body (routing.upload_body)

    @property
    def query(self):
        return self.doc.get("query")

    @property
    def response(self):
        return self.doc.get("response")


def sample_part(route: Route, part: str, minimal: bool) -> dict | None:
    """A sample body or query (``part``) of a route, None if it takes none. A gateway-own query schema (notify's
    LocaleQuery, a download's InlineQuery) gets an empty one: its defaults apply."""
    from paraph_gateway.service_results import ServiceParams
    declared = getattr(route, part)
    if declared is None:
        return None
    return sample_object(declared.json_schema(), minimal) if isinstance(declared, ServiceParams) else {}


@dataclass
class Call:
    index: int
    service: str
    method: str
    args: tuple

    @property
    def name(self) -> str:
        return f"{self.service}.{self.method}"


class Recorder:
    """Stands in for the gateway's RPC pool: records each call and answers a marked dict."""

    def __init__(self):
        self.calls: list[Call] = []

    def call(self, service, method, *args, context=None, timeout=None, **kwargs):
        self.calls.append(Call(len(self.calls), service, method, args))
        return {MARK: len(self.calls) - 1}


def make_app():
    from paraph_gateway import create_app
    # the RPC pool is a recorder here: tokens carry the rights (no access-state lookup)
    return create_app({"AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1//", "TOKEN_JWKS": TEST_TOKEN_KEY.jwks,
                       "ACCESS_STATE_CHECK": False,
                       "OPERATOR_TOKEN": OPERATOR_TOKEN, "RPC_TIMEOUT": 2, "TESTING": True})


ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def routes(app) -> list[Route]:
    """The app's operations declared with ``routing.route()`` (their views carry ``_paraph_doc``)."""
    out = []
    for rule in app.url_map.iter_rules():
        doc = getattr(app.view_functions.get(rule.endpoint), "_paraph_doc", None)
        if doc is not None:
            out.extend(Route(rule.rule, method, rule.endpoint, doc) for method in doc["methods"])
    return sorted(out, key=lambda r: (r.rule, r.method))


def _token(role: str) -> str:
    claims = {"sub": "u-contract", "lic": "l-contract", "role": role, "email": "staff@example.com",
              "name": "Contract Test", "exp": int(time.time()) + 3600, "typ": "access"}
    if role == "client":
        claims.update({"cid": "c-contact", "cust": "c-customer", "co": "ACME", "br": None})
    return TEST_TOKEN_KEY.token(claims)


@dataclass
class Invocation:
    calls: list
    status: int
    response: object

    def answered(self) -> Call | None:
        """The call whose result the view answered with, as is."""
        marked = self.response.get(MARK) if isinstance(self.response, dict) else None
        return self.calls[marked] if isinstance(marked, int) and marked < len(self.calls) else None


def invoke(app, route: Route, *, body=None, query=None) -> Invocation:
    url = ARG.sub(lambda m: f"p-{m.group(1)}", route.rule)
    # public routes: the operator's token for the operator endpoints, ignored by the others
    auth = OPERATOR_TOKEN if route.doc.get("public") else _token((route.doc.get("roles") or ("license_admin",))[0])
    recorder = Recorder()
    kwargs = {"headers": {"Authorization": f"Bearer {auth}", "User-Agent": "contract-test"}}
    if body is not None:
        kwargs["json"] = body
    if query:
        kwargs["query_string"] = query_string(query)
    with mock.patch("paraph_gateway.routing.pool", lambda: recorder):
        try:
            resp = app.test_client().open(url, method=route.method, **kwargs)
        except Exception:  # noqa: BLE001 - a view post-processing the fake result (PDFs) fails after its calls
            if recorder.calls:
                return Invocation(recorder.calls, 0, None)
            raise
    return Invocation(recorder.calls, resp.status_code, resp.get_json(silent=True))


# -- the checks --------------------------------------------------------------------------------------------

@dataclass
class Report:
    route: Route
    part: str                           # "body" | "query" | "response"
    target: str = ""                    # service.method (with the hop: "portal.act -> signing.act")
    problems: list = field(default_factory=list)
    skipped: str = ""


def check_params(app, route: Route, part: str) -> Report:
    """A body or query (``part``) declared as the payload of ``service.method``: the view sends it on to that
    RPC (or to a declared hop to it), every field of it, as the call's payload argument."""
    params = getattr(route, part)
    report = Report(route, part, target=f"{params.service}.{params.method}")
    other = "query" if part == "body" else "body"
    sent = {part: sample_part(route, part, minimal=False), other: sample_part(route, other, minimal=True)}
    inv = invoke(app, route, **sent)
    calls = [c for c in inv.calls if c.name == report.target]
    if not calls:
        calls = [c for c in inv.calls if HOPS.get((c.service, c.method)) == (params.service, params.method)]
        if calls:
            report.target = f"{calls[0].name} -> {report.target}"
    if not calls:
        report.problems.append(f"the {part} is documented as the payload of {report.target}, but the view calls "
                               f"{', '.join(c.name for c in inv.calls) or 'no service'} (status {inv.status}), "
                               f"and none of them passes its payload on to it")
        return report
    # a query string carries no list or object; the view may add a field (POST /quotes: kind), never drop one
    fields_sent = set(query_string(sent[part]) if part == "query" else sent[part])
    payloads = [c.args[index] for c in calls
                if (index := payload_index(c.service, c.method)) is not None and index < len(c.args)]
    if not any(isinstance(payload, dict) and fields_sent <= set(payload) for payload in payloads):
        report.problems.append(f"the view does not pass the {part} on as the payload of {report.target}")
    return report


def check_response(app, route: Route) -> Report:
    """A route documented with ``service_result(service, method)`` answers the result of that very RPC."""
    report = Report(route, "response", target=route.response.component)
    inv = invoke(app, route, body=sample_part(route, "body", minimal=True),
                 query=sample_part(route, "query", minimal=True))
    call = inv.answered()
    if call is None:
        report.skipped = (f"the view does not answer an RPC result as is (status {inv.status}; calls: "
                          f"{', '.join(c.name for c in inv.calls) or 'none'})")
    elif call.name != route.response.component:
        report.problems.append(f"documented as the result of {route.response.component}, but the view answers "
                               f"the result of {call.name}")
    return report


def check_all(app=None) -> list[Report]:
    from paraph_gateway.service_results import ServiceParams
    app = app or make_app()
    out = []
    for r in routes(app):
        out.extend(check_params(app, r, part) for part in ("body", "query")
                   if isinstance(getattr(r, part), ServiceParams))
        if r.response is not None:
            out.append(check_response(app, r))
    return out


def main() -> int:
    reports = check_all()
    for rep in reports:
        status = "FAIL" if rep.problems else ("skip" if rep.skipped else "ok")
        print(f"{status:4} {rep.route.id} [{rep.part}] -> {rep.target}" +
              (f"  ({rep.skipped})" if rep.skipped and not rep.problems else ""))
        for p in rep.problems:
            print(f"       - {p}")
    bad = sum(bool(rep.problems) for rep in reports)
    print(f"{len(reports)} checks, {bad} with mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
