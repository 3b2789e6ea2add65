"""Export every producer's contract to committed JSON Schema, plus the AsyncAPI document of the events.

    .venv/bin/python -m tests.contract.export          # rewrite the files (then review and commit them)
    .venv/bin/python -m tests.contract.export --check  # exit 1 if the committed files are stale

Services are discovered: every ``services/<name>/src/<name>_service/contract.py`` (see
:mod:`paraph_platform.contract`) is imported and exported to::

    tests/contract/schemas/envelope.json                       the CloudEvents-style envelope
    tests/contract/schemas/<service>/events/<type>.json        JSON Schema of the event's ``data``
    tests/contract/schemas/<service>/rpc/<method>.params.json  positional args + payload schema
    tests/contract/schemas/<service>/rpc/<method>.result.json  result schema (when declared)
    tests/contract/schemas/<service>/consumes.json             what the service relies on from others
    gateway/src/paraph_gateway/static/asyncapi.json            AsyncAPI 3.0 of every public event
    gateway/src/paraph_gateway/service_results/<service>.json  {method: result schema}: the gateway's copy
                                                               (package data), documenting its answers
    gateway/src/paraph_gateway/service_params/<service>.json   {method: payload schema} (methods taking a
                                                               payload), documenting its request bodies

The gateway ships the services' payload and result schemas (it imports no service package) and its routes
name them (``route(..., body=service_params("notify", "update_webhook"),
response=service_result("notify", "update_webhook"))``, paraph_gateway.service_results).

tests/contract/test_contracts.py regenerates all of it in memory and fails on any difference.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "contract" / "schemas"
ASYNCAPI = ROOT / "gateway" / "src" / "paraph_gateway" / "static" / "asyncapi.json"
GATEWAY_RESULTS = ROOT / "gateway" / "src" / "paraph_gateway" / "service_results"
GATEWAY_PARAMS = ROOT / "gateway" / "src" / "paraph_gateway" / "service_params"
JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://paraph.dev/schemas"


@dataclass
class ServiceContract:
    name: str
    events: dict
    internal: set
    rpc: dict
    consumes_events: dict
    consumes_rpc: dict
    consumes_all_events_of: tuple = ()


def discover() -> list[str]:
    """Services that declare a contract, by directory name (= nameko name)."""
    return sorted(p.name for p in (ROOT / "services").iterdir()
                  if (p / "src" / f"{p.name}_service" / "contract.py").exists())


def load(service: str) -> ServiceContract:
    from paraph_platform.readiness import PLATFORM_RPC
    src = ROOT / "services" / service / "src"
    try:
        module = importlib.import_module(f"{service}_service.contract")
    except ModuleNotFoundError as exc:
        if exc.name not in (f"{service}_service", f"{service}_service.contract"):
            raise
        sys.path.insert(0, str(src))  # a service not pip-installed yet
        module = importlib.import_module(f"{service}_service.contract")
    return ServiceContract(
        name=service,
        events=dict(getattr(module, "EVENTS", {}) or {}),
        internal=set(getattr(module, "INTERNAL_EVENTS", set()) or set()),
        # every service also answers the platform's RPCs (ping), declared once in paraph_platform.readiness
        rpc={**PLATFORM_RPC, **dict(getattr(module, "RPC", {}) or {})},
        consumes_events=dict(getattr(module, "CONSUMES_EVENTS", {}) or {}),
        consumes_rpc=dict(getattr(module, "CONSUMES_RPC", {}) or {}),
        consumes_all_events_of=tuple(getattr(module, "CONSUMES_ALL_EVENTS_OF", ()) or ()),
    )


def load_all() -> list[ServiceContract]:
    return [load(s) for s in discover()]


def _doc(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return " ".join((cls.__doc__ or "").split())


def json_schema(schema, *, open_object: bool = False) -> dict:
    from paraph_platform.contract import to_json_schema
    out = to_json_schema(schema)
    if open_object:
        # within a major version a producer may add fields: consumers must ignore unknown ones
        target = out.get("items") if out.get("type") == "array" else out
        if isinstance(target.get("additionalProperties"), dict):  # a MapOf: open its values
            target = target["additionalProperties"]
        if target.get("additionalProperties") is False:
            target.pop("additionalProperties")
    return out


def envelope_schema() -> dict:
    from paraph_platform.envelope import EnvelopeSchema
    body = json_schema(EnvelopeSchema, open_object=True)
    body["properties"]["data"] = {"type": "object", "description": "the event's own schema (events/<type>.json)"}
    return {"$schema": JSON_SCHEMA, "$id": f"{ID_BASE}/envelope.json", "title": "Paraph event envelope",
            "description": "CloudEvents-style envelope of every event; `id` is stable: deduplicate on it.",
            **body}


def event_document(c: ServiceContract, type_: str) -> dict:
    schema = c.events[type_]
    doc = {"$schema": JSON_SCHEMA, "$id": f"{ID_BASE}/{c.name}/events/{type_}.json", "title": type_}
    if _doc(schema):
        doc["description"] = _doc(schema)
    doc.update({"x-paraph-source": c.name, "x-paraph-exchange": f"{c.name}.events",
                "x-paraph-routing-key": type_, "x-paraph-internal": type_ in c.internal})
    doc.update(json_schema(schema, open_object=True))
    return doc


def rpc_documents(c: ServiceContract, method: str) -> dict[str, dict]:
    spec = c.rpc[method]
    base = f"{ID_BASE}/{c.name}/rpc/{method}"
    params = {"$schema": JSON_SCHEMA, "$id": f"{base}.params.json", "title": f"{c.name}.{method} payload"}
    if spec.description:
        params["description"] = spec.description
    params["x-paraph-args"] = list(spec.args) + (["payload"] if spec.params is not None else [])
    if spec.params is not None:
        params.update(json_schema(spec.params))
    else:
        params["x-paraph-payload"] = False
    out = {f"rpc/{method}.params.json": params}
    if spec.result is not None:
        result = {"$schema": JSON_SCHEMA, "$id": f"{base}.result.json", "title": f"{c.name}.{method} result"}
        from paraph_platform.contract import open_objects
        result.update(open_objects(json_schema(spec.result)))
        if spec.nullable:
            result["type"] = [result.get("type", "object"), "null"]
        out[f"rpc/{method}.result.json"] = result
    return out


def consumes_document(c: ServiceContract) -> dict:
    return {
        "consumer": c.name,
        "all_events_of": sorted(c.consumes_all_events_of),
        "events": [{"source": s, "type": t, "fields": list(f)} for (s, t), f in sorted(c.consumes_events.items())],
        "rpc": [{"service": s, "method": m, "fields": list(f)} for (s, m), f in sorted(c.consumes_rpc.items())],
    }


def asyncapi_document(contracts: list[ServiceContract]) -> dict:
    env = envelope_schema()
    envelope = {k: v for k, v in env.items() if not k.startswith("$")}
    channels, operations, messages, schemas = {}, {}, {}, {"Envelope": envelope}
    for c in contracts:
        for type_ in sorted(c.events):
            if type_ in c.internal:
                continue
            key = f"{c.name}.{type_}"
            data = json_schema(c.events[type_], open_object=True)
            if _doc(c.events[type_]):
                data["description"] = _doc(c.events[type_])
            schemas[key] = data
            messages[key] = {
                "name": type_,
                "title": f"{type_} (from {c.name})",
                "contentType": "application/json",
                "headers": {"type": "object", "properties": {
                    "paraph-event-id": {"type": "string", "description": "same as the envelope id"}}},
                "payload": {"allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {"type": "object", "properties": {
                        "source": {"const": c.name}, "type": {"const": type_},
                        "data": {"$ref": f"#/components/schemas/{key}"}}}]},
                "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": "0.3.0"}},
            }
            channels[key] = {
                "address": type_,
                "title": f"{c.name}.events / {type_}",
                "description": f"Topic exchange `{c.name}.events`, routing key `{type_}`.",
                "messages": {type_: {"$ref": f"#/components/messages/{key}"}},
                "bindings": {"amqp": {"is": "routingKey", "bindingVersion": "0.3.0", "exchange": {
                    "name": f"{c.name}.events", "type": "topic", "durable": True, "autoDelete": False,
                    "vhost": "/"}}},
            }
            operations[key] = {
                "action": "send",
                "title": f"{c.name} publishes {type_}",
                "channel": {"$ref": f"#/channels/{key}"},
                "messages": [{"$ref": f"#/channels/{key}/messages/{type_}"}],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Paraph events",
            "version": "1.0.0",
            "description": ("Public events of the Paraph services. Every message is a CloudEvents-style "
                            "envelope (`Envelope`) whose `data` follows the event's schema. Delivery is at "
                            "least once: deduplicate on `id`. Within a major version (`.v1`) fields may be "
                            "added, never removed or changed. Generated by tests/contract/export.py."),
        },
        "defaultContentType": "application/json",
        "servers": {"rabbitmq": {"host": "rabbitmq:5672", "protocol": "amqp", "protocolVersion": "0.9.1",
                                 "description": "The platform's broker (AMQP_URI)."}},
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def gateway_documents(c: ServiceContract, suffix: str) -> dict:
    """{method: document} of a service, the same documents as its rpc/<method><suffix> (".result.json", or
    ".params.json" for the methods that take a payload)."""
    return {method: doc for method in sorted(c.rpc)
            for rel, doc in rpc_documents(c, method).items()
            if rel.endswith(suffix) and doc.get("x-paraph-payload", True)}


def render(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def build(contracts: list[ServiceContract] | None = None) -> dict[Path, str]:
    """Every generated file: {absolute path: content}."""
    contracts = load_all() if contracts is None else contracts
    files = {SCHEMAS / "envelope.json": render(envelope_schema())}
    for c in contracts:
        base = SCHEMAS / c.name
        for type_ in sorted(c.events):
            files[base / "events" / f"{type_}.json"] = render(event_document(c, type_))
        for method in sorted(c.rpc):
            for rel, doc in rpc_documents(c, method).items():
                files[base / rel] = render(doc)
        files[base / "consumes.json"] = render(consumes_document(c))
        files[GATEWAY_RESULTS / f"{c.name}.json"] = render(gateway_documents(c, ".result.json"))
        files[GATEWAY_PARAMS / f"{c.name}.json"] = render(gateway_documents(c, ".params.json"))
    files[ASYNCAPI] = render(asyncapi_document(contracts))
    return files


def existing() -> dict[Path, str]:
    found = {p: p.read_text() for p in SCHEMAS.rglob("*.json")} if SCHEMAS.exists() else {}
    for gateway_copy in (GATEWAY_RESULTS, GATEWAY_PARAMS):
        found.update({p: p.read_text() for p in gateway_copy.glob("*.json")})
    if ASYNCAPI.exists():
        found[ASYNCAPI] = ASYNCAPI.read_text()
    return found


def diff(generated: dict[Path, str], committed: dict[Path, str]) -> list[str]:
    problems = []
    for path in sorted(set(generated) | set(committed)):
        rel = path.relative_to(ROOT)
        if path not in committed:
            problems.append(f"missing: {rel}")
        elif path not in generated:
            problems.append(f"stale (no longer generated): {rel}")
        elif generated[path] != committed[path]:
            problems.append(f"differs: {rel}")
    return problems


def write(generated: dict[Path, str]) -> list[str]:
    changes = diff(generated, existing())
    for path, text in generated.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    for path in existing():
        if path not in generated:
            path.unlink()
    for d in sorted(SCHEMAS.rglob("*"), reverse=True):
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()
    return changes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.contract.export", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report differences (exit 1 if any)")
    args = parser.parse_args(argv)
    generated = build()
    if args.check:
        problems = diff(generated, existing())
        for p in problems:
            print(p)
        return 1 if problems else 0
    changes = write(generated)
    print(f"services: {', '.join(discover())}; {len(generated)} files; "
          f"{len(changes)} changed" + ("".join(f"\n  {c}" for c in changes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
