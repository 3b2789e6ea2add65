"""Every event published on the broker during a test run checked against what integrators are told.

The outbox relays append each envelope they publish to ``PARAPH_CHECK_EVENTS`` (set by the root conftest);
at the end of the run a public event must validate against its message in the served AsyncAPI document
(``gateway/src/paraph_gateway/static/asyncapi.json``), an internal one (never webhooked) against its committed
contract schema and the envelope's. An event type neither lists is a violation too. Only Paraph's services
are checked: the test-only publishers of the platform's own tests (``drillpub``, ``tester``) have no contract.
"""
from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI = ROOT / "gateway" / "src" / "paraph_gateway" / "static" / "asyncapi.json"
SCHEMAS = ROOT / "tests" / "contract" / "schemas"
PARAPH_SERVICES = frozenset(p.name for p in SCHEMAS.iterdir() if p.is_dir())


def _resource(document: dict) -> Resource:
    return Resource.from_contents(document, default_specification=DRAFT202012)


class EventChecker:
    def __init__(self):
        self.registry = Registry().with_resources([
            ("urn:paraph:asyncapi", _resource(json.loads(ASYNCAPI.read_text()))),
            ("urn:paraph:envelope", _resource(json.loads((SCHEMAS / "envelope.json").read_text()))),
        ])
        self.public = set(json.loads(ASYNCAPI.read_text())["components"]["messages"])
        self._validators: dict[str, Draft202012Validator | None] = {}

    def _validator(self, source: str, type_: str) -> Draft202012Validator | None:
        key = f"{source}.{type_}"
        if key not in self._validators:
            committed = SCHEMAS / source / "events" / f"{type_}.json"
            if key in self.public:
                schema = {"$ref": f"urn:paraph:asyncapi#/components/messages/{key}/payload"}
            elif committed.exists() and json.loads(committed.read_text()).get("x-paraph-internal"):
                schema = {"allOf": [{"$ref": "urn:paraph:envelope"},
                                    {"properties": {"data": json.loads(committed.read_text())}}]}
            else:
                schema = None
            self._validators[key] = schema and Draft202012Validator(schema, registry=self.registry)
        return self._validators[key]

    def problems(self, envelope: dict) -> list[str]:
        validator = self._validator(envelope.get("source", "?"), envelope.get("type", "?"))
        if validator is None:
            return ["neither the AsyncAPI document nor the internal contract lists this event"]
        return [f"{'/'.join(map(str, e.absolute_path)) or '(envelope)'}: {e.message}"
                for e in validator.iter_errors(envelope)]


def violations(lines) -> dict[str, list[str]]:
    """'source type' -> the first problems found, over the published envelopes (JSON lines)."""
    checker, found = EventChecker(), {}
    for line in lines:
        envelope = json.loads(line)
        if envelope.get("source") not in PARAPH_SERVICES:
            continue
        problems = checker.problems(envelope)
        if problems:
            found.setdefault(f"{envelope.get('source')} {envelope.get('type')}", problems[:3])
    return found
