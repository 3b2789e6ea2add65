"""Real RPC results are checked against the result schema their service declares (PARAPH_CHECK_RESULTS)."""
from paraph_platform.contract import open_objects, result_violations

CUSTOMER = {"id": "c1", "kind": "company", "code": "C1", "name": "ACME", "email": None, "phone": None,
            "address": {}, "vat_number": None, "registration_number": None, "locale": None, "currency": None,
            "notes": "", "perimeter_ids": [],
            "created_by": "u1", "created_at": "2026-12-01T00:00:00Z", "updated_at": "2026-12-01T00:00:00Z"}


def test_a_conforming_result_is_clean_and_an_undeclared_field_is_reported():
    assert result_violations("contracts_service.service", "get_customer", CUSTOMER) == []
    assert result_violations("contracts_service.service", "get_customer", {**CUSTOMER, "secret_note": "x"}) == [
        "secret_note: not declared in the result schema"]


def test_a_missing_required_field_or_a_wrong_type_is_reported():
    missing = {k: v for k, v in CUSTOMER.items() if k != "name"}
    assert any("'name' is a required property" in p
               for p in result_violations("contracts_service.service", "get_customer", missing))
    assert result_violations("contracts_service.service", "get_customer", {**CUSTOMER, "perimeter_ids": "p1"})


def test_lists_nullables_and_undeclared_methods():
    assert result_violations("signing_service.service", "tasks_for", []) == []
    assert result_violations("signing_service.service", "tasks_for", {})  # a list is declared
    assert result_violations("signing_service.service", "request_for_contract", None) == []
    assert result_violations("contracts_service.service", "no_such_method", object()) == []


def test_open_objects_opens_nested_objects():
    schema = {"type": "object", "additionalProperties": False,
              "properties": {"a": {"type": "object", "additionalProperties": False}}}
    assert open_objects(schema) == {"type": "object", "properties": {"a": {"type": "object"}}}
