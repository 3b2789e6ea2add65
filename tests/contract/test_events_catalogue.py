"""docs/EVENTS.md, the integrators' map of the events, says what the producers' contracts declare.

Every public event has a row naming each field of its ``data`` (a row "same as <type> ..." names that row's
fields too), a field the row names outside brackets is one the event carries, and every internal event is in
the "Internal events" paragraph. The contracts are the authority (the AsyncAPI document is generated from them);
this page is what an integrator reads first.
"""
from __future__ import annotations

import re

import pytest

from tests.contract import export

EVENTS_MD = export.ROOT / "docs" / "EVENTS.md"
ROW = re.compile(r"^\| *(?P<source>[a-z_]+) *\| *(?P<types>[a-z_.0-9 /()]+?) *\| *(?P<data>.*?) *\| *(?P<by>[^|]*)\|$")
EVENT_TYPE = re.compile(r"[a-z_]+\.[a-z_]+\.v[0-9]+")
SAME_AS = re.compile(r"same as (" + EVENT_TYPE.pattern + ")")


@pytest.fixture(scope="module")
def contracts():
    return export.load_all()


def catalogue() -> dict[str, str]:
    """event type -> the data column of its row ("perimeter.created.v1 / updated.v1" is two types)."""
    rows = {}
    for line in EVENTS_MD.read_text().splitlines():
        m = ROW.match(line)
        if not m or not EVENT_TYPE.match(m["types"]):
            continue
        first, *others = [t.strip() for t in m["types"].replace("(internal)", "").split("/")]
        aggregate = first.split(".", 1)[0]
        for type_ in [first] + [f"{aggregate}.{t}" for t in others]:
            rows[type_] = m["data"]
    return rows


def described(rows: dict[str, str], type_: str) -> str:
    """A row's text with the text of the row it says it is the same as."""
    text = rows[type_]
    same = SAME_AS.search(text)
    return text + " " + described(rows, same.group(1)) if same and same.group(1) in rows else text


def outside_brackets(text: str) -> str:
    """The fields part of a row (before its " — " explanation) without what is in brackets or code marks:
    there a row names values (``(user/customer/contract_type)``) and the fields of other things."""
    text = text.split(" — ")[0]
    text = re.sub(r"`[^`]*`", " ", text)
    previous = None
    while previous != text:
        previous, text = text, re.sub(r"\([^()]*\)|\{[^{}]*\}|\[[^\[\]]*\]", " ", text)
    return text


def data_fields(schema) -> set[str]:
    doc = export.json_schema(schema, open_object=True)
    return set(doc.get("properties", {}))


def test_every_public_event_has_a_row_naming_each_field_of_its_data(contracts):
    rows = catalogue()
    problems = []
    for c in contracts:
        for type_, schema in sorted(c.events.items()):
            if type_ in c.internal:
                continue
            if type_ not in rows:
                problems.append(f"{type_} ({c.name}): no row")
                continue
            named = set(re.findall(r"[a-z][a-z0-9_]*", described(rows, type_)))
            missing = sorted(data_fields(schema) - named)
            if missing:
                problems.append(f"{type_}: the row does not name {missing}")
    assert not problems, "docs/EVENTS.md is behind the contracts:\n  " + "\n  ".join(problems)


def test_a_field_a_row_names_is_one_the_event_carries(contracts):
    rows = catalogue()
    problems = []
    for c in contracts:
        for type_, schema in sorted(c.events.items()):
            if type_ not in rows or type_ in c.internal:
                continue
            text = outside_brackets(described(rows, type_))
            # field names have an underscore; single words are the prose's as much as the fields'
            named = {w for w in re.findall(r"\b[a-z][a-z0-9]*_[a-z0-9_]*\b", text) if not EVENT_TYPE.fullmatch(w)}
            unknown = sorted(named - data_fields(schema) - {"same_as"})
            if unknown:
                problems.append(f"{type_}: the row names {unknown}, which its data does not carry")
    assert not problems, "docs/EVENTS.md names fields the events do not have:\n  " + "\n  ".join(problems)


def test_internal_events_are_listed_as_internal(contracts):
    paragraph = next(p for p in EVENTS_MD.read_text().split("\n\n") if p.startswith("Internal events"))
    listed = set(EVENT_TYPE.findall(paragraph))
    internal = {t for c in contracts for t in c.internal}
    assert internal <= listed, f"docs/EVENTS.md's internal events paragraph misses {sorted(internal - listed)}"


def test_the_test_delivery_is_described():
    """POST /webhooks/<id>/test delivers an event no producer publishes: integrators meet it all the same."""
    from notify_service.logic import TEST_EVENT_TYPE
    rows = catalogue()
    assert TEST_EVENT_TYPE in rows, f"docs/EVENTS.md has no row for {TEST_EVENT_TYPE}"
    assert {"webhook_id", "test"} <= set(re.findall(r"[a-z_]+", rows[TEST_EVENT_TYPE]))


def test_webhooks_offer_every_row_but_the_internal_events_and_the_test_delivery():
    """README, "Webhooks": an endpoint subscribes to every event of this page except the internal ones and
    webhook.tested.v1 (subscribing to one of those by name is a 422)."""
    from notify_service.logic import INTERNAL_EVENT_TYPES, PUBLIC_EVENT_TYPES, TEST_EVENT_TYPE
    rows = set(catalogue())
    assert rows - INTERNAL_EVENT_TYPES - {TEST_EVENT_TYPE} == set(PUBLIC_EVENT_TYPES)
