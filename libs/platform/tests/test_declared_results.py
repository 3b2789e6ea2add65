"""An RPC result is cut to its declared schema (paraph_platform.declared_results)."""
from marshmallow import Schema, fields

from paraph_platform.contract import ListOf, MapOf
from paraph_platform.declared_results import plan_of, result_shaper, undeclared_fields
from paraph_platform.pagination import PageResult


class Line(Schema):
    sku = fields.String(required=True)
    amount = fields.Decimal(required=True, as_string=True)


class Owner(Schema):
    id = fields.String(required=True)


class Order(Schema):
    id = fields.String(required=True)
    from_ = fields.String(data_key="from", allow_none=True)
    placed_on = fields.Date(required=True)
    owner = fields.Nested(Owner, allow_none=True)
    lines = fields.List(fields.Nested(Line), required=True)
    history = fields.Nested(Owner, many=True)
    by_site = fields.Dict(keys=fields.String(), values=fields.Nested(Line))
    custom = fields.Dict()
    raw = fields.Raw(allow_none=True)
    tags = fields.List(fields.String())


class OrderPage(PageResult):
    items = fields.List(fields.Nested(Order), required=True)


ORDER = {"id": "o1", "from": "shop", "placed_on": "2026-12-01",
         "owner": {"id": "u1", "email": "u1@example.com"},
         "lines": [{"sku": "A", "amount": "1.50", "cost": "0.70"}],
         "history": [{"id": "u0", "name": "Old"}],
         "by_site": {"paris": {"sku": "B", "amount": "2", "stock": 3}},
         "custom": {"anything": {"goes": 1}}, "raw": {"kept": ["whole"]}, "tags": ["x"],
         "notes": "internal", "from_": "python name"}
SHAPED = {"id": "o1", "from": "shop", "placed_on": "2026-12-01", "owner": {"id": "u1"},
          "lines": [{"sku": "A", "amount": "1.50"}], "history": [{"id": "u0"}],
          "by_site": {"paris": {"sku": "B", "amount": "2"}},
          "custom": {"anything": {"goes": 1}}, "raw": {"kept": ["whole"]}, "tags": ["x"]}


def test_only_declared_fields_are_kept_recursively_with_values_untouched():
    shaped = plan_of(Order).shape(ORDER)
    assert shaped == SHAPED
    assert shaped["placed_on"] == "2026-12-01" and shaped["lines"][0]["amount"] == "1.50"  # no conversion
    assert shaped["custom"] is ORDER["custom"] and shaped["raw"] is ORDER["raw"]  # kept whole
    assert "notes" in ORDER  # the view's own dict is not changed


def test_missing_fields_stay_missing_and_values_of_another_kind_are_left_alone():
    assert plan_of(Order).shape({"id": "o2", "owner": None, "lines": "oops"}) == {
        "id": "o2", "owner": None, "lines": "oops"}


def test_pages_lists_and_maps_of_objects():
    page = {"items": [ORDER, ORDER], "limit": 50, "offset": 0, "next_cursor": None, "extra": 1}
    assert plan_of(OrderPage).shape(page) == {"items": [SHAPED, SHAPED], "limit": 50, "offset": 0,
                                              "next_cursor": None}
    assert plan_of(ListOf(Order)).shape([ORDER]) == [SHAPED]
    assert plan_of(MapOf(Order)).shape({"o1": ORDER}) == {"o1": SHAPED}


def test_undeclared_fields_are_named_by_path_once():
    out: list = []
    plan_of(OrderPage).undeclared({"items": [ORDER, ORDER], "extra": 1}, "", out)
    assert sorted(set(out)) == ["extra", "items/*/by_site/*/stock", "items/*/from_", "items/*/history/*/name",
                                "items/*/lines/*/cost", "items/*/notes", "items/*/owner/email"]


def test_a_services_declared_result_and_an_undeclared_method():
    shape = result_shaper("contracts_service.service", "get_customer")
    assert shape({"id": "c1", "name": "ACME", "secret_note": "x"}) == {"id": "c1", "name": "ACME"}
    assert result_shaper("contracts_service.service", "no_such_method") is None
    assert undeclared_fields("contracts_service.service", "get_customer", {"id": "c1", "secret_note": "x",
                                                                           "contacts": [{"any": 1}]}) == ["secret_note"]
    assert undeclared_fields("contracts_service.service", "no_such_method", {"x": 1}) == []


def test_an_endpoint_answers_its_declared_fields_only(monkeypatch):
    from paraph_platform import service

    monkeypatch.setattr(service, "_CHECK_RESULTS", "")  # the test-time check would report the field on purpose

    class Contracts:  # stands for contracts' service class: its contract.py declares get_customer's result
        __module__ = "contracts_service.service"

        @service.endpoint
        def get_customer(self, actor, customer_id):
            return {"id": customer_id, "name": "ACME", "secret_note": "x"}

        @service.endpoint
        def no_such_method(self):
            return {"anything": 1}

    assert Contracts().get_customer({}, "c1") == {"id": "c1", "name": "ACME"}
    assert Contracts().no_such_method() == {"anything": 1}
