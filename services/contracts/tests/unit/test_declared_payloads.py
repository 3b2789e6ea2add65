"""contract.py declares the schema of each RPC's payload (what tests/contract exports and the gateway checks
bodies against); the endpoints load their payload with ``self._caller_and_payload(actor, X, payload)`` (X
imported from the aggregate's schemas module, or ``schemas.X``), which tests/contract's scan of the methods'
source does not follow (it sees ``X().load(payload)`` only). Here: X is the schema contract.py declares for the
method."""
import ast
import inspect
import sys

from contracts_service import contract
from contracts_service.schemas import PerimetersSchema
from contracts_service.service import SERVICE


def named(node, namespace: dict):
    """What a name (``X``) or a dotted name (``schemas.X``) of a module's source stands for in that module."""
    if isinstance(node, ast.Attribute):
        return getattr(named(node.value, namespace), node.attr)
    return namespace[node.id]


def loaded_schemas() -> dict[str, list[type]]:
    """{method: [the schemas it passes to _caller_and_payload]} over the service's aggregate mixins."""
    found: dict[str, list[type]] = {}
    for klass in SERVICE.__mro__:
        if not klass.__module__.startswith("contracts_service"):
            continue
        namespace = vars(sys.modules[klass.__module__])
        for node in ast.parse(inspect.getsource(klass)).body[0].body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                        and call.func.attr == "_caller_and_payload":
                    found.setdefault(node.name, []).append(named(call.args[1], namespace))
    return found


def test_endpoints_load_the_payload_schema_their_contract_declares():
    loaded = loaded_schemas()
    assert len(loaded) > 20, "the scan found too few endpoints: has _caller_and_payload been renamed?"
    problems = []
    for method, schemas in sorted(loaded.items()):
        spec = contract.RPC.get(method)
        if spec is None or spec.params is None:
            continue  # a helper (_set_perimeters: its endpoints declare PerimetersSchema) or an undeclared method
        declared = spec.params if isinstance(spec.params, type) else type(spec.params)
        if schemas != [declared]:
            problems.append(f"{method}: contract.py declares {declared.__name__}, "
                            f"the method loads {[schema.__name__ for schema in schemas]}")
    assert not problems, "\n".join(problems)


def test_helpers_loading_a_payload_serve_endpoints_that_declare_it():
    """_set_perimeters loads PerimetersSchema for set_customer_perimeters and set_contract_type_perimeters."""
    assert loaded_schemas()["_set_perimeters"] == [PerimetersSchema]
    for method in ("set_customer_perimeters", "set_contract_type_perimeters"):
        assert contract.RPC[method].params.__name__ == "PerimetersSchema"
