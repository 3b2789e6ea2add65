"""The check the root conftest runs at the end of every test run, on every event the outbox relays
published: checked here on envelopes that break the AsyncAPI document in each way it must notice."""
import json

from tests.contract.published_events import violations

CREATED = {"specversion": "1.0", "id": "e1", "source": "contracts", "type": "contract.created.v1",
           "time": "2026-12-02T10:00:00Z", "subject": "c1", "license_id": "l1", "datacontenttype": "application/json",
           "data": {"contract_id": "c1", "kind": "quote", "number": "D-1", "title": "T", "customer_id": "k1",
                    "contract_type_id": None, "owner_id": "u1", "status": "draft"}}


def lines(*envelopes):
    return [json.dumps(e) + "\n" for e in envelopes]


def test_a_published_event_matching_the_asyncapi_document_passes():
    assert violations(lines(CREATED)) == {}


def test_a_missing_field_a_wrong_enum_or_a_wrong_envelope_is_reported():
    missing = {**CREATED, "data": {k: v for k, v in CREATED["data"].items() if k != "number"}}
    wrong_kind = {**CREATED, "data": {**CREATED["data"], "kind": "lease"}}
    no_license = {k: v for k, v in CREATED.items() if k != "license_id"}
    for envelope, words in ((missing, "'number' is a required property"), (wrong_kind, "'lease' is not one of"),
                            (no_license, "'license_id' is a required property")):
        found = violations(lines(envelope))
        assert words in " ".join(found["contracts contract.created.v1"]), found


def test_internal_events_are_checked_against_their_contract_and_unknown_events_are_reported():
    internal = {**CREATED, "source": "identity", "type": "notification.requested.v1", "data": {"channel": 3}}
    unknown = {**CREATED, "type": "contract.teleported.v1"}
    found = violations(lines(internal, unknown))
    assert "identity notification.requested.v1" in found
    assert found["contracts contract.teleported.v1"] == [
        "neither the AsyncAPI document nor the internal contract lists this event"]
