"""Contract tests: producers' committed schemas are current, consumers only rely on what producers
guarantee, event names follow the convention, and the AsyncAPI document is current and served.

Services are discovered (every services/<name>/src/<name>_service/contract.py); after changing a
contract run ``.venv/bin/python -m tests.contract.export`` and commit the regenerated files.
"""
from __future__ import annotations

import json
import re

import pytest

from tests.contract import export

EXPORT_CMD = ".venv/bin/python -m tests.contract.export"
# irregular past participles seen in event names (regular ones end in -ed)
IRREGULAR = {"sent", "paid", "done", "made", "built", "sold", "set", "read", "won", "lost", "held", "begun",
             "run", "shown", "given", "taken", "seen", "withdrawn", "written", "kept", "left", "put", "cut",
             "shut", "bound", "found", "drawn", "spent", "undone", "reset", "split", "upheld", "overridden"}


@pytest.fixture(scope="module")
def contracts():
    return export.load_all()


def _committed(path):
    return json.loads(path.read_text()) if path.exists() else None


def test_committed_schemas_match_the_code(contracts):
    problems = export.diff(export.build(contracts), export.existing())
    assert not problems, ("the committed contract files are out of date; run `" + EXPORT_CMD +
                          "` and commit the result:\n  " + "\n  ".join(problems))


def test_every_service_with_a_contract_is_discovered(contracts):
    names = {c.name for c in contracts}
    assert {"identity", "perimeter"} <= names
    for c in contracts:
        assert c.events or c.rpc, f"{c.name}'s contract declares nothing"


def _past_participle(word: str) -> bool:
    last = word.split("_")[-1]
    return last.endswith("ed") or last in IRREGULAR


def test_event_types_are_aggregate_past_participle_major(contracts):
    for c in contracts:
        for type_ in c.events:
            m = re.fullmatch(r"([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\.v([1-9][0-9]*)", type_)
            assert m, f"{c.name}: {type_!r} is not <aggregate>.<past_participle>.v<major>"
            assert _past_participle(m.group(2)), \
                f"{c.name}: {type_!r}: {m.group(2)!r} is not a past participle (events are facts)"
        assert c.internal <= set(c.events), f"{c.name}: INTERNAL_EVENTS lists undeclared events"


def _items(node: dict) -> dict:
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        return node["items"]
    if not node.get("properties") and isinstance(node.get("additionalProperties"), dict):
        return node["additionalProperties"]
    return node


def _field(schema: dict, path: str):
    """The sub-schema at ``a.b`` / ``a[].b`` and whether every step is required; None if absent.
    A list or map result (``ListOf`` / ``MapOf``) is looked into: the names are its items' fields."""
    node, required = _items(schema), True
    for part in path.split("."):
        many = part.endswith("[]")
        name = part[:-2] if many else part
        props = node.get("properties") or {}
        if name not in props:
            return None, False
        required = required and name in (node.get("required") or [])
        node = props[name]
        if many:
            node = node.get("items") or {}
    return node, required


def _consumer_cases():
    try:
        contracts = export.load_all()
    except Exception as exc:  # noqa: BLE001 - reported by the test below
        return [pytest.param(None, None, None, None, exc, id="contracts-load-error")]
    cases = []
    for c in contracts:
        for (source, type_), fields in sorted(c.consumes_events.items()):
            cases.append(pytest.param(c.name, "event", (source, type_), list(fields), None,
                                      id=f"{c.name}<-{source}:{type_}"))
        for (service, method), fields in sorted(c.consumes_rpc.items()):
            cases.append(pytest.param(c.name, "rpc", (service, method), list(fields), None,
                                      id=f"{c.name}->{service}.{method}"))
    return cases


@pytest.mark.parametrize("consumer, kind, ref, fields, error", _consumer_cases())
def test_consumer_expectations_hold_in_the_producer_schema(consumer, kind, ref, fields, error):
    if error is not None:
        raise error
    producer, name = ref
    if not (export.ROOT / "services" / producer / "src" / f"{producer}_service" / "contract.py").exists():
        pytest.skip(f"{consumer} relies on {producer}, whose contract is not written yet")
    if kind == "event":
        path = export.SCHEMAS / producer / "events" / f"{name}.json"
        what = f"event {name} of {producer}"
    else:
        path = export.SCHEMAS / producer / "rpc" / f"{name}.result.json"
        what = f"result of {producer}.{name}"
    schema = _committed(path)
    assert schema is not None, (f"{consumer} relies on the {what}, but {path.relative_to(export.ROOT)} does not "
                                f"exist: the producer must declare it in its contract.py (then `{EXPORT_CMD}`)")
    missing = [f for f in fields if _field(schema, f)[0] is None]
    optional = [f for f in fields if f not in missing and not _field(schema, f)[1]]
    assert not missing, f"{consumer} relies on {missing} of the {what}, which the producer does not declare"
    assert not optional, (f"{consumer} relies on {optional} of the {what}, which the producer does not "
                          f"guarantee: mark them required=True in {producer}'s contract.py")
    if kind == "event":
        assert not schema.get("x-paraph-internal") or consumer == "notify" or name != "notification.requested.v1", \
            "internal events are for the platform only"


def _service_subscriptions(service: str):
    import importlib
    from paraph_platform.events import ReliableEventHandler
    cls = importlib.import_module(f"{service}_service.service").SERVICE
    subs = set()
    for attr in dir(cls):
        for ep in getattr(getattr(cls, attr, None), "nameko_entrypoints", ()) or ():
            if isinstance(ep, ReliableEventHandler):
                subs.add((ep.source_service, ep.event_type))
    return subs


def test_subscriptions_are_declared_and_exist(contracts):
    """Every @subscribe of a service is listed in its CONSUMES_EVENTS and published by the producer."""
    by_name = {c.name: c for c in contracts}
    for c in contracts:
        if not (export.ROOT / "services" / c.name / "src" / f"{c.name}_service" / "service.py").exists():
            continue
        for source, type_ in sorted(_service_subscriptions(c.name)):
            if "#" in type_ or "*" in type_:  # a generic forwarder (webhooks) reads only the envelope
                assert source in c.consumes_all_events_of, \
                    f"{c.name} subscribes to {source}:{type_} without listing {source} in CONSUMES_ALL_EVENTS_OF"
                assert (export.ROOT / "services" / source).is_dir(), f"{c.name} subscribes to unknown {source}"
                continue
            assert (source, type_) in c.consumes_events, \
                f"{c.name} subscribes to {source}:{type_} without declaring it in CONSUMES_EVENTS"
            if source in by_name:
                assert type_ in by_name[source].events, f"{c.name} subscribes to {type_}, which {source} never publishes"


def _resolve(doc: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_asyncapi_document_describes_every_public_event(contracts):
    doc = json.loads(export.ASYNCAPI.read_text())
    assert doc["asyncapi"] == "3.0.0"
    for ref in _refs(doc):
        _resolve(doc, ref)  # raises if dangling
    public = {f"{c.name}.{t}" for c in contracts for t in c.events if t not in c.internal}
    assert set(doc["channels"]) == public == set(doc["operations"]) == set(doc["components"]["messages"])
    for key, channel in doc["channels"].items():
        source = key.split(".", 1)[0]
        assert channel["bindings"]["amqp"]["exchange"]["name"] == f"{source}.events"
        assert re.fullmatch(r"[A-Za-z0-9._-]+", key)
    internal = {f"{c.name}.{t}" for c in contracts for t in c.internal}
    assert not internal & set(doc["channels"]), "internal events must not be published to integrators"


def test_the_asyncapi_document_is_packaged_with_the_gateway():
    import tomllib
    pyproject = tomllib.loads((export.ROOT / "gateway" / "pyproject.toml").read_text())
    data = pyproject["tool"]["setuptools"]["package-data"]["paraph_gateway"]
    assert any(p in ("static/*", "static/*.json", "static/asyncapi.json") for p in data), data


def test_gateway_serves_the_asyncapi_document():
    from paraph_gateway import create_app
    app = create_app({"TESTING": True})
    resp = app.test_client().get("/api/v1/asyncapi.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.get_json() == json.loads(export.ASYNCAPI.read_text())
    assert resp.headers.get("Cache-Control")


def test_list_and_map_results_are_looked_into():
    from marshmallow import Schema, fields
    from paraph_platform.contract import ListOf, MapOf

    class Item(Schema):
        email = fields.String(required=True)
        name = fields.String()

    for wrapper in (ListOf(Item), MapOf(Item, key="user_id")):
        doc = export.json_schema(wrapper, open_object=True)
        assert _field(doc, "email")[1] is True
        assert _field(doc, "name")[0] is not None and _field(doc, "name")[1] is False
        assert _field(doc, "phone")[0] is None


def test_past_participle_rule():
    assert _past_participle("assignments_changed") and _past_participle("feedback_sent")
    assert not _past_participle("create") and not _past_participle("sending")


def test_webhooks_offer_exactly_the_public_events(contracts):
    """Integrators can subscribe by name to every public event, and to nothing internal or unknown."""
    from notify_service.logic import INTERNAL_EVENT_TYPES, PUBLIC_EVENT_TYPES, WEBHOOK_SOURCES
    public = {t: c.name for c in contracts for t in c.events if t not in c.internal}
    internal = {t for c in contracts for t in c.internal}
    assert set(PUBLIC_EVENT_TYPES) == set(public), (
        "notify_service.logic.PUBLIC_EVENT_TYPES must list every public event: missing "
        f"{sorted(set(public) - set(PUBLIC_EVENT_TYPES))}, unknown {sorted(set(PUBLIC_EVENT_TYPES) - set(public))}")
    assert {t: src for t, (src, _) in PUBLIC_EVENT_TYPES.items()} == public
    assert internal <= set(INTERNAL_EVENT_TYPES)
    assert set(public.values()) <= set(WEBHOOK_SOURCES)


def test_license_updated_documents_every_setting_it_carries_the_operators_rate_limits_included():
    """license.updated.v1 reaches the license's webhooks with its settings as GET /license returns them, the rate
    limits the operator gave the license included: no secret from the license (each answer's RateLimit-Limit says
    them), so documented rather than dropped (contracts and notify read other keys; the gateway asks identity for
    the limits). The AsyncAPI document and docs/EVENTS.md name every key the settings may hold."""
    from identity_service.schemas import LicenseSettingsSchema, RateLimitsSchema
    keys = (set(LicenseSettingsSchema().fields) - {"name"}) | set(RateLimitsSchema().fields)
    doc = json.loads(export.ASYNCAPI.read_text())
    described = doc["components"]["schemas"]["identity.license.updated.v1"]["properties"]["settings"]["description"]
    row = next(line for line in (export.ROOT / "docs" / "EVENTS.md").read_text().splitlines()
               if "| license.updated.v1 |" in line)
    for where, text in (("the AsyncAPI document", described), ("docs/EVENTS.md", row)):
        missing = keys - set(re.findall(r"[a-z_]+", text))
        assert not missing, f"{where} does not name the license settings {sorted(missing)}"
