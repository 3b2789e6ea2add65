"""contract.py declares the schema of each RPC's payload (what tests/contract exports and the gateway checks
bodies against); the endpoints load their payload with ``self._caller_and_payload(actor, schemas.X, payload)``,
which tests/contract's scan of the methods' source does not follow (it sees ``X().load(payload)`` only).
Here: X is the schema contract.py declares for the method."""
import ast
import inspect

from contracts_service import contract
from contracts_service.service import SERVICE


def loaded_schemas() -> dict[str, list[str]]:
    """{method: [the schemas it passes to _caller_and_payload]} over the service's aggregate mixins."""
    found: dict[str, list[str]] = {}
    for klass in SERVICE.__mro__:
        if not klass.__module__.startswith("contracts_service"):
            continue
        for node in ast.parse(inspect.getsource(klass)).body[0].body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                        and call.func.attr == "_caller_and_payload":
                    found.setdefault(node.name, []).append(ast.unparse(call.args[1]))
    return found


def test_endpoints_load_the_payload_schema_their_contract_declares():
    loaded = loaded_schemas()
    assert len(loaded) > 20, "the scan found too few endpoints: has _caller_and_payload been renamed?"
    problems = []
    for method, names in sorted(loaded.items()):
        spec = contract.RPC.get(method)
        if spec is None or spec.params is None:
            continue  # a helper (_set_perimeters: its endpoints declare PerimetersSchema) or an undeclared method
        declared = spec.params if isinstance(spec.params, type) else type(spec.params)
        if names != [f"schemas.{declared.__name__}"]:
            problems.append(f"{method}: contract.py declares {declared.__name__}, the method loads {names}")
    assert not problems, "\n".join(problems)


def test_helpers_loading_a_payload_serve_endpoints_that_declare_it():
    """_set_perimeters loads PerimetersSchema for set_customer_perimeters and set_contract_type_perimeters."""
    assert loaded_schemas()["_set_perimeters"] == ["schemas.PerimetersSchema"]
    for method in ("set_customer_perimeters", "set_contract_type_perimeters"):
        assert contract.RPC[method].params.__name__ == "PerimetersSchema"
