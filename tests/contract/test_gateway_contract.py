"""Contract tests between the gateway's public API (gateway/src/paraph_gateway/api/*.py) and the service
RPC methods its routes call.

The gateway validates and documents its bodies, queries and answers with the services' own schemas
(``service_params`` / ``service_result``: JSON Schema exported from their contract.py, kept in step with the
code by tests/contract/test_contracts.py), so the schemas cannot drift; what is left to check is the views,
run with the RPC pool replaced by a recorder (tests/contract/gateway_map.py; ``.venv/bin/python -m
tests.contract.gateway_map`` prints the route -> RPC table):

* a body or query ``service_params(service, method)`` is passed on, every field of it, as the payload of that
  very RPC, or of a service method declared (gateway_map.HOPS) and seen in its source to pass it on;
* a route documented with ``service_result(service, method)`` answers the result of that very RPC;
* a client sending a field the route declares ``not_from_client`` gets 422, and no service is called;
* the gateway-own query schemas left are named: notify's LocaleQuery, which offers the locales notify has, a
  download's inline or download (HTTP only) and the contract types' archived (an argument of the RPC);
* the payload schema a service's contract.py declares is the one its method loads (tests/contract/service_source.py).
"""
from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest
from flask import Blueprint

from paraph_gateway.routing import call, route
from paraph_gateway.service_results import ServiceParams, ServiceResult, service_params, service_result
from tests.contract import export
from tests.contract import gateway_map as gm
from tests.contract import service_source


@pytest.fixture(scope="module")
def app():
    return gm.make_app()


@pytest.fixture(scope="module")
def by_id(app):
    return {r.id: r for r in gm.routes(app)}


def _cases(kind, parts):
    try:
        found = gm.routes(gm.make_app())
    except Exception as exc:  # noqa: BLE001 - reported by the test
        return [pytest.param(None, None, exc, id="gateway-load-error")]
    return [pytest.param(r.id, part, None, id=f"{r.id} [{part}]")
            for r in found for part in parts if isinstance(getattr(r, part), kind)]


def _fail_message(report) -> str:
    return f"{report.route.id} ({report.part}) -> {report.target}:\n  " + "\n  ".join(report.problems)


@pytest.mark.parametrize("route_id, part, error", _cases(ServiceParams, ("body", "query")))
def test_the_view_passes_the_payload_on_to_the_rpc_it_names(app, by_id, route_id, part, error):
    if error is not None:
        raise error
    report = gm.check_params(app, by_id[route_id], part)
    if report.problems:
        pytest.fail(_fail_message(report), pytrace=False)


@pytest.mark.parametrize("route_id, part, error", _cases(ServiceResult, ("response",)))
def test_the_view_answers_the_result_it_documents(app, by_id, route_id, part, error):
    if error is not None:
        raise error
    report = gm.check_response(app, by_id[route_id])
    if report.problems:
        pytest.fail(_fail_message(report), pytrace=False)
    if report.skipped:
        pytest.skip(report.skipped)


def test_fields_not_from_the_client_are_refused(app, by_id):
    """``service_params(..., not_from_client=...)``: the view sets those fields; a client sending one gets 422."""
    checked, problems = 0, []
    for r in by_id.values():
        for part in ("body", "query"):
            params = getattr(r, part)
            if not isinstance(params, ServiceParams) or not params.left_out:
                continue
            whole = dataclasses.replace(params, left_out=()).json_schema()["properties"]
            for name in params.left_out:
                sent = {**gm.sample_part(r, part, minimal=True), name: gm.sample_value(whole[name], name, False)}
                other = "query" if part == "body" else "body"
                answered = gm.invoke(app, r, **{part: sent, other: gm.sample_part(r, other, minimal=True)})
                checked += 1
                if answered.status != 422 or answered.calls:
                    problems.append(f"{r.id} [{part}] {name}: status {answered.status}, calls "
                                    f"{[c.name for c in answered.calls]}")
    assert not problems, "\n".join(problems)
    assert checked >= 5, checked


def test_every_route_schema_is_the_services_own(by_id):
    """What makes the checks above enough: no gateway-own schema to compare with a service's, but queries no
    service payload holds: the template routes' locale and the contract types' archived, positional arguments
    of their RPCs (the locale checked below), and whether a file is shown or downloaded (HTTP only)."""
    from paraph_gateway.api.contracts.contract_types import ArchivedQuery
    from paraph_gateway.api.notify import LocaleQuery
    from paraph_gateway.downloads import DownloadQuery, InlineQuery
    gateway_queries = (LocaleQuery, ArchivedQuery, InlineQuery, DownloadQuery)
    own = [f"{r.id} [{part}]" for r in by_id.values()
           for part, kind in (("body", ServiceParams), ("query", ServiceParams), ("response", ServiceResult))
           if getattr(r, part) is not None and not isinstance(getattr(r, part), kind)
           and not (part == "query" and getattr(r, part) in gateway_queries)]
    assert not own, f"declare these with service_params() / service_result(): {own}"


def test_the_locale_query_offers_the_locales_notify_has():
    from paraph_gateway.api.notify import LOCALES, LocaleQuery
    catalog = service_source.service_module("notify", "template_catalog")
    assert LOCALES == catalog.LOCALES
    assert LocaleQuery().load({}) == {"locale": catalog.DEFAULT_LOCALE}


# -- the mapping itself ------------------------------------------------------------------------------

def test_routes_are_discovered(by_id):
    with_body = [r for r in by_id.values() if r.body is not None]
    assert len(with_body) >= 40, f"only {len(with_body)} gateway routes with a JSON body were found"
    assert "POST /api/v1/contacts/<contact_id>/portal-access" in by_id


def test_raw_body_routes_declare_their_json_schema(by_id):
    """A route reading its body itself (an upload) declares what it takes by media type, its JSON body as the
    service's params: the document and this suite's samples read them there."""
    raw = [r for r in by_id.values() if r.doc.get("raw_body")]
    assert len(raw) >= 5
    for r in raw:
        assert isinstance(r.body, ServiceParams), r.id


@pytest.mark.parametrize("route_id, part, target", [
    ("POST /api/v1/contacts/<contact_id>/portal-access", "body", "portal.grant_access"),
    ("PUT /api/v1/users/<user_id>/perimeters", "body", "perimeter.set_assignments"),  # after identity.get_user
    ("POST /api/v1/quotes", "body", "contracts.create_contract"),
    ("POST /api/v1/contracts/<contract_id>/attachments", "body", "contracts.add_attachment"),  # raw JSON body
    ("POST /api/v1/auth/refresh", "body", "identity.refresh"),  # the body and the caller's address
    # the body is contracts' or signing's payload, which portal passes on (gateway_map.HOPS)
    ("PATCH /api/v1/portal/me/contact", "body",
     "portal.client_update_contact -> contracts.apply_client_contact_update"),
    ("POST /api/v1/portal/tasks/<participant_id>/act", "body", "portal.act -> signing.act"),
    ("GET /api/v1/contracts", "query", "contracts.list_contracts"),
])
def test_routes_are_mapped_to_the_rpc_they_call(app, by_id, route_id, part, target):
    assert gm.check_params(app, by_id[route_id], part).target == target


def test_declared_hops_pass_their_payload_on():
    """gateway_map.HOPS: the service method passes its payload on to the one whose schema the route names."""
    for (service, method), target in gm.HOPS.items():
        assert target in service_source.discover_loader(service, method).forwards, f"{service}.{method} no longer calls {target}"


def test_declared_payload_schemas_are_the_ones_the_services_load():
    """contract.py's Rpc(params=X) is what the gateway validates and documents: X must be what the method loads."""
    problems = []
    for c in export.load_all():
        if not (export.ROOT / "services" / c.name / "src" / f"{c.name}_service" / "service.py").exists():
            continue
        for method, spec in sorted(c.rpc.items()):
            if spec.params is None or method not in service_source.class_functions(c.name):
                continue
            declared = spec.params if isinstance(spec.params, type) else type(spec.params)
            loaded = service_source.discover_loader(c.name, method).schemas
            if loaded and declared not in loaded:
                problems.append(f"{c.name}.{method}: contract.py declares {declared.__name__}, the method loads "
                                f"{', '.join(s.__name__ for s in loaded)}")
    assert not problems, "\n".join(problems)


def test_samples_are_valid_for_the_schema_they_come_from():
    """The views run with samples of the payloads the services accept (formats aside: not checked)."""
    for path in sorted(export.GATEWAY_PARAMS.glob("*.json")):
        for method in json.loads(path.read_text(encoding="utf-8")):
            schema = service_params(path.stem, method).json_schema()
            for minimal in (False, True):
                jsonschema.validate(gm.sample_object(schema, minimal), schema)


# -- the checks, on made-up routes ------------------------------------------------------------------------

def test_a_route_documented_with_another_rpcs_result_is_reported():
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
    misrouted_report = gm.check_params(app, by_endpoint["misrouted.misrouted"], "body")
    assert misrouted_report.problems == ["the body is documented as the payload of notify.rotate_webhook_secret, but "
                                         "the view calls notify.update_webhook (status 200), and none of them "
                                         "passes its payload on to it"]
    dropped_report = gm.check_params(app, by_endpoint["misrouted.dropped"], "body")
    assert dropped_report.problems == ["the view does not pass the body on as the payload of "
                                       "notify.rotate_webhook_secret"]
