"""Contract tests between the gateway's public API (gateway/src/paraph_gateway/api/*.py) and the service
RPC methods its routes call.

For every route declared with ``routing.route()``, the RPC it calls is observed (the view runs with the RPC
pool replaced by a recorder) and the gateway's schemas are compared with the service's:

* body declared with ``service_params`` (the service's own payload schema): the view passes it on, every field
  of it, as the payload of that very RPC;
* other body / query: every field the gateway accepts reaches the service and is a field of the schema the
  service loads it with (no silent drop, no 422 from the service); what the service requires is required,
  defaulted or added by the gateway; OneOf choices, lengths, ranges, patterns, null and value types are
  not looser at the gateway; the payloads load in the service's schema after a JSON round trip;
* response: a route documented with the service's own result schema (``service_result``) names the RPC whose
  result the view answers; a gateway response schema documents no field the service's result schema lacks.

How it works and what is declared by hand: tests/contract/gateway_map.py (``.venv/bin/python -m
tests.contract.gateway_map`` prints the whole route -> RPC table with every finding).
"""
from __future__ import annotations

import pytest
from marshmallow import Schema, fields, validate

from tests.contract import export
from tests.contract import gateway_map as gm


@pytest.fixture(scope="module")
def app():
    return gm.make_app()


@pytest.fixture(scope="module")
def by_id(app):
    return {r.id: r for r in gm.routes(app)}


def _cases(parts):
    try:
        found = gm.routes(gm.make_app())
    except Exception as exc:  # noqa: BLE001 - reported by the test
        return [pytest.param(None, None, exc, id="gateway-load-error")]
    return [pytest.param(r.id, part, None, id=f"{r.id} [{part}]")
            for r in found for part in parts if getattr(r, part) is not None]


def _fail_message(report) -> str:
    return (f"{report.route.id} ({report.part}) -> {report.target or '?'}: the gateway and the service disagree\n  "
            + "\n  ".join(report.problems))


@pytest.mark.parametrize("route_id, part, error", _cases(("body", "query")))
def test_gateway_input_is_accepted_by_the_service(app, by_id, route_id, part, error):
    if error is not None:
        raise error
    report = gm.check_input(app, by_id[route_id], part)
    if report.problems:
        pytest.fail(_fail_message(report), pytrace=False)
    if report.skipped:
        pytest.skip(report.skipped)


@pytest.mark.parametrize("route_id, part, error", _cases(("response",)))
def test_gateway_response_documents_only_what_the_service_returns(app, by_id, route_id, part, error):
    if error is not None:
        raise error
    report = gm.check_response(app, by_id[route_id])
    if report.problems:
        pytest.fail(_fail_message(report), pytrace=False)
    if report.skipped:
        pytest.skip(report.skipped)


# -- the mapping itself ------------------------------------------------------------------------------

def test_routes_are_discovered(by_id):
    with_body = [r for r in by_id.values() if r.body is not None]
    assert len(with_body) >= 40, f"only {len(with_body)} gateway routes with a JSON body were found"
    assert "POST /api/v1/contacts/<contact_id>/portal-access" in by_id


def test_raw_body_routes_declare_their_json_schema(by_id):
    """A ``raw_body=True`` route loads JSON itself: gateway_map.raw_json_bodies() must name its schema."""
    raw = {r.endpoint for r in by_id.values() if r.doc.get("raw_body")}
    known = set(gm.raw_json_bodies())
    assert raw == known, (f"raw_body routes without a JSON schema in gateway_map.raw_json_bodies(): "
                          f"{sorted(raw - known)}; listed but no longer raw_body routes: {sorted(known - raw)}")


@pytest.mark.parametrize("route_id, part, target", [
    ("POST /api/v1/contacts/<contact_id>/portal-access", "body", "portal.grant_access"),
    ("PUT /api/v1/users/<user_id>/perimeters", "body", "perimeter.set_assignments"),  # after identity.get_user
    ("POST /api/v1/quotes", "body", "contracts.create_contract"),
    ("POST /api/v1/contracts/<contract_id>/attachments", "body", "contracts.add_attachment"),  # raw JSON body
    ("POST /api/v1/auth/refresh", "body", "identity.refresh"),  # body spread over positional arguments
    ("GET /api/v1/contracts", "query", "contracts.list_contracts"),
])
def test_routes_are_mapped_to_the_rpc_they_call(app, by_id, route_id, part, target):
    assert gm.check_input(app, by_id[route_id], part).target == target


def test_payload_forwarded_by_a_service_is_checked_against_the_next_schema():
    loader = gm.payload_loader("portal", "act")
    assert ("signing", "act") in loader.forwards


def test_unschemed_payloads_still_exist():
    for (service, method), why in gm.UNSCHEMED_PAYLOADS.items():
        assert gm.rpc_arg_names(service, method) is not None, f"{service}.{method} is gone: drop it ({why})"
        assert not gm.payload_loader(service, method).schemas, \
            f"{service}.{method} now loads a schema: remove it from gateway_map.UNSCHEMED_PAYLOADS"


def test_declared_payload_schemas_are_the_ones_the_services_load():
    """contract.py's Rpc(params=X) is what tests/contract exports: X must be what the method loads."""
    problems = []
    for c in export.load_all():
        if not (export.ROOT / "services" / c.name / "src" / f"{c.name}_service" / "service.py").exists():
            continue
        for method, spec in sorted(c.rpc.items()):
            if spec.params is None or gm.rpc_arg_names(c.name, method) is None:
                continue
            declared = spec.params if isinstance(spec.params, type) else type(spec.params)
            loaded = gm.discover_loader(c.name, method).schemas
            if loaded and declared not in loaded:
                problems.append(f"{c.name}.{method}: contract.py declares {declared.__name__}, the method loads "
                                f"{', '.join(s.__name__ for s in loaded)}")
    assert not problems, "\n".join(problems)


# -- the comparison, on made-up schemas -----------------------------------------------------------------

class _SvcAddress(Schema):
    class Meta:
        unknown = "raise"

    city = fields.String(required=True, validate=validate.Length(max=50))


class _Svc(Schema):
    class Meta:
        unknown = "raise"

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    locale = fields.String(load_default="fr", validate=validate.OneOf(["fr", "en"]))
    code = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    count = fields.Integer(validate=validate.Range(min=1, max=10))
    email = fields.Email()
    address = fields.Nested(_SvcAddress)
    tags = fields.List(fields.String(validate=validate.Length(max=10)), validate=validate.Length(max=5))


class _GwAddress(Schema):
    city = fields.String(required=True, validate=validate.Length(max=50))


class _GwGood(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    locale = fields.String(validate=validate.OneOf(["fr"]))
    code = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    count = fields.Integer(validate=validate.Range(min=2, max=10))
    email = fields.Email()
    address = fields.Nested(_GwAddress)
    tags = fields.List(fields.String(validate=validate.Length(max=10)), validate=validate.Length(max=5))


class _GwLoose(Schema):
    name = fields.String(allow_none=True, validate=validate.Length(max=200))
    locale = fields.String(validate=validate.OneOf(["fr", "de"]))
    code = fields.String()
    count = fields.Integer()
    email = fields.String()
    address = fields.Dict()
    tags = fields.List(fields.String())
    nickname = fields.String()


class _GwLooseNested(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    address = fields.Nested(Schema.from_dict({"city": fields.String(validate=validate.Length(max=60)),
                                              "zip": fields.String()}))


def _compare(gw, svc=_Svc, **kw):
    problems = []
    gm.compare_schemas(gw, svc, "", problems, "svc.method", **kw)
    return problems


def test_a_matching_schema_has_no_problem():
    assert _compare(_GwGood) == []


def test_looser_gateway_schemas_are_reported_by_field():
    problems = "\n".join(_compare(_GwLoose))
    for expected in ("nickname: accepted by the gateway, but svc.method (_Svc) rejects it with 422",
                     "name: the gateway accepts null",
                     "name: the gateway accepts up to 200 characters, svc.method (_Svc) at most 100",
                     "name: the gateway accepts 0 characters, svc.method (_Svc) at least 1",
                     "name: required by svc.method (_Svc), optional at the gateway with no default",
                     "locale: the gateway accepts ['de']",
                     "code: svc.method (_Svc) requires the pattern",
                     "count: the gateway accepts values up to any",
                     "count: the gateway accepts values from any",
                     "email: the gateway accepts string values, svc.method (_Svc) expects email",
                     "address: the gateway accepts any object, svc.method (_Svc) validates it with _SvcAddress",
                     "tags: the gateway accepts any number of items",
                     "tags[]: the gateway accepts any number of characters"):
        assert expected in problems, f"{expected!r} not in:\n{problems}"


def test_nested_fields_are_compared():
    problems = "\n".join(_compare(_GwLooseNested))
    assert "address.city: the gateway accepts up to 60 characters" in problems
    assert "address.zip: accepted by the gateway, but svc.method (_SvcAddress) rejects it with 422" in problems
    assert "address.city: required by svc.method (_SvcAddress), optional at the gateway" in problems


def test_required_fields_count_what_the_view_adds():
    assert not [p for p in _compare(_GwLoose, provided={"name"}) if "required" in p]
    assert [p for p in _compare(_GwGood, provided=set()) if p.startswith("name: required")]


def test_dropped_or_excluded_fields_are_named():
    class Lenient(_Svc):
        class Meta:
            unknown = "exclude"

    problems = "\n".join(_compare(_GwLoose, Lenient))
    assert "nickname: accepted by the gateway, but svc.method (Lenient) silently drops it" in problems


def test_a_route_documented_with_another_rpcs_result_is_reported():
    from flask import Blueprint

    from paraph_gateway.routing import call, route
    from paraph_gateway.service_results import service_result

    bp = Blueprint("mislabelled", __name__)

    @route(bp, "/mislabelled", ["GET"], response=service_result("notify", "get_webhook"), roles=("license_admin",))
    def mislabelled(actor):
        return call("notify", "list_webhooks", actor)

    app = gm.make_app()
    app.register_blueprint(bp, url_prefix="/api/v1")
    report = gm.check_response(app, next(r for r in gm.routes(app) if r.endpoint == "mislabelled.mislabelled"))
    assert report.problems == ["documented as the result of notify.get_webhook, but the view answers the result of "
                               "notify.list_webhooks"]


def test_a_body_documented_as_another_rpcs_payload_is_reported():
    from flask import Blueprint

    from paraph_gateway.routing import call, route
    from paraph_gateway.service_results import service_params

    bp = Blueprint("misrouted", __name__)

    @route(bp, "/misrouted/<webhook_id>", ["POST"], body=service_params("notify", "rotate_webhook_secret"),
           roles=("license_admin",))
    def misrouted(actor, webhook_id, body):
        return call("notify", "update_webhook", actor, webhook_id, body)

    @route(bp, "/dropped/<webhook_id>", ["POST"], body=service_params("notify", "rotate_webhook_secret"),
           roles=("license_admin",))
    def dropped(actor, webhook_id, body):
        return call("notify", "rotate_webhook_secret", actor, webhook_id, {})

    app = gm.make_app()
    app.register_blueprint(bp, url_prefix="/api/v1")
    by_endpoint = {r.endpoint: r for r in gm.routes(app)}
    misrouted_report = gm.check_input(app, by_endpoint["misrouted.misrouted"], "body")
    assert misrouted_report.problems == ["the body is documented as the payload of notify.rotate_webhook_secret, but "
                                         "the view calls notify.update_webhook (status 200)"]
    dropped_report = gm.check_input(app, by_endpoint["misrouted.dropped"], "body")
    assert dropped_report.problems == ["the view does not pass the body on as the payload of "
                                       "notify.rotate_webhook_secret"]


def test_response_fields_missing_from_the_result_are_reported():
    from paraph_platform.contract import ListOf

    class Result(Schema):
        id = fields.String()
        items = fields.List(fields.Nested(Schema.from_dict({"a": fields.String()})))

    class Out(Schema):
        id = fields.String()
        secret = fields.String()
        items = fields.List(fields.Nested(Schema.from_dict({"a": fields.String(), "b": fields.String()})))

    for result in (Result, ListOf(Result)):
        problems = []
        gm.compare_response(Out(many=True), result, "", problems, "svc.method")
        assert [p.split(":")[0] for p in problems] == ["secret", "items[].b"], problems


def test_payloads_are_loaded_as_the_service_receives_them():
    from marshmallow import validates_schema, ValidationError

    class Svc(_Svc):
        @validates_schema
        def _cross(self, data, **_):
            raise ValidationError("cross-field rules are the service's own")

    wire = gm.on_the_wire({"name": "x", "count": 20, "extra": 1})
    errors = dict(gm.load_errors(Svc, wire))
    assert set(errors) == {"count", "extra"}, errors


def test_validators_wrapped_in_and_are_seen():
    f = fields.Decimal(validate=validate.And(validate.Range(min=0, max=100)), as_string=True)
    assert gm.value_range(f) == (0, 100)


def test_samples_are_valid_for_the_schema_they_come_from():
    for schema in (_GwGood, _GwLoose, _Svc):
        for minimal in (False, True):
            schema().load(gm.sample_object(schema, minimal))
