"""The Rego policy itself, evaluated by the real OPA engine in-process."""
import pytest

from perimeter_service.dependencies import LocalOpa


@pytest.fixture(scope="module")
def opa():
    return LocalOpa()


def actor(role="user", perimeters=()):
    return {"role": role, "perimeters": list(perimeters)}


@pytest.mark.parametrize("user, resource, expected", [
    (("A", "B"), ["B"], True),
    (("A", "B"), ["C"], False),
    (("A", "C"), ["B", "C"], True),
    ((), ["C"], False),
    ((), [], True),          # no perimeter = visible to all
    (("A",), [], True),
])
def test_visible(opa, user, resource, expected):
    assert opa.decide("visible", {"actor": actor("user", user), "resource": {"perimeters": resource}}) is expected


def test_admin_and_system_bypass_clients_never(opa):
    assert opa.decide("visible", {"actor": actor("license_admin"), "resource": {"perimeters": ["Z"]}}) is True
    assert opa.decide("visible", {"actor": actor("client"), "resource": {"perimeters": []}}) is False


def test_filter_compiles_to_sql(opa):
    sql = opa.compile("filter", {"actor": actor("user", ["a", "b"])}, "postgresql")
    assert sql.startswith("(") and "scope.perimeter_id IN (E'a', E'b')" in sql and "scope.perimeter_id = E''" in sql
    assert opa.compile("filter", {"actor": actor("license_admin")}, "postgresql") == ""
    assert opa.compile("filter", {"actor": actor("client")}, "sqlite") is None
    # quotes in values cannot break out of the literal
    sql = opa.compile("filter", {"actor": actor("user", ["x' OR 1=1 --"])}, "sqlite")
    assert "'x'' OR 1=1 --'" in sql


def test_assignment_rights(opa):
    assert opa.decide("may_assign", {"actor": actor("front_user_manager"), "subject_type": "customer"})
    assert not opa.decide("may_assign", {"actor": actor("front_user_manager"), "subject_type": "user"})
    assert not opa.decide("may_assign", {"actor": actor("user"), "subject_type": "customer"})
    assert opa.decide("may_manage", {"actor": actor("license_admin")})
    assert not opa.decide("may_manage", {"actor": actor("front_user_manager")})


def test_a_filter_is_compiled_once_per_input(monkeypatch):
    opa = LocalOpa()
    compiled = []
    real = opa.engine.compile_filters
    monkeypatch.setattr(opa.engine, "compile_filters", lambda *a, **k: compiled.append(a[1]) or real(*a, **k))
    first = opa.compile("filter", {"actor": actor("user", ["a", "b"])}, "postgresql")
    # the same input (keys in any order) is answered from memory, with the same SQL
    assert opa.compile("filter", {"actor": {"perimeters": ["a", "b"], "role": "user"}}, "postgresql") == first
    assert len(compiled) == 1
    # another input or dialect is compiled: new perimeters give the new filter at once
    assert "E'c'" in opa.compile("filter", {"actor": actor("user", ["a", "b", "c"])}, "postgresql")
    assert opa.compile("filter", {"actor": actor("user", ["a", "b"])}, "sqlite") != first
    assert len(compiled) == 3


def test_a_decision_is_evaluated_once_per_input(monkeypatch):
    opa = LocalOpa()
    evaluated = []
    real = opa.engine.eval_document
    monkeypatch.setattr(opa.engine, "eval_document", lambda *a, **k: evaluated.append(a[1]) or real(*a, **k))
    assert opa.decide("may_manage", {"actor": actor("license_admin")}) is True
    assert opa.decide("may_manage", {"actor": {"perimeters": [], "role": "license_admin"}}) is True
    assert len(evaluated) == 1
    # another input or rule is evaluated, an undefined answer included
    assert not opa.decide("may_manage", {"actor": actor("user")})
    assert opa.decide("visible", {"actor": actor("license_admin"), "resource": {"perimeters": []}}) is True
    assert len(evaluated) == 3
