"""Every operation able to answer 410 Gone (a used or expired link, a signing link handed to someone else, an
ended embedded session...) documents it in the OpenAPI document, so generated clients know it by its status.

Which operations can: the service methods a view calls (``call("service", "method", ...)`` in its source) that
raise ``Gone``, directly or through the ``self._helpers`` they call, outside a ``try`` that catches it (a
refresh token that was used is a 401, not a 410)."""
from __future__ import annotations

import ast
import inspect
import textwrap
from functools import lru_cache

from paraph_gateway.openapi import build_spec
from tests.contract import gateway_map, service_source

GONE = "Gone"


def _catches_gone(handler: ast.ExceptHandler) -> bool:
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(name, ast.Name) and name.id == GONE for name in caught)


def _escaping_nodes(node):
    """The nodes of a function whose exceptions can leave it: a ``try`` body whose handlers catch Gone is
    left out (its handlers' bodies, else and finally are kept)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Try) and any(_catches_gone(h) for h in child.handlers):
            for part in (*(line for h in child.handlers for line in h.body), *child.orelse, *child.finalbody):
                yield part
                yield from _escaping_nodes(part)
            continue
        yield child
        yield from _escaping_nodes(child)


@lru_cache(maxsize=None)
def gone_methods(service: str) -> set[str]:
    """The methods of a service (its class and mixins) that can raise Gone to their caller."""
    functions = service_source.class_functions(service)
    names_gone, calls = {}, {}
    for name, (fn, _module) in functions.items():
        nodes = list(_escaping_nodes(fn))
        names_gone[name] = any(isinstance(n, ast.Name) and n.id == GONE for n in nodes)
        calls[name] = {n.func.attr for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                       and isinstance(n.func.value, ast.Name) and n.func.value.id == "self"} & set(functions)
    found = {name for name, raises in names_gone.items() if raises}
    while True:
        more = {name for name, called in calls.items() if called & found} - found
        if not more:
            return found
        found |= more


def called_rpcs(view) -> set[tuple[str, str]]:
    """(service, method) of each ``call("service", "method", ...)`` written in the view, or the one RPC an
    operation declared with ``routing.forward()`` forwards to."""
    if hasattr(view, "forwards_to"):
        return {view.forwards_to}
    tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(view))))
    return {(n.args[0].value, n.args[1].value) for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "call" and len(n.args) >= 2
            and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in n.args[:2])}


def test_every_operation_that_can_answer_410_documents_it():
    app = gateway_map.make_app()
    spec = build_spec(app)
    can_answer_gone, undocumented = [], []
    for route in gateway_map.routes(app):
        rpcs = called_rpcs(app.view_functions[route.endpoint])
        if not any(method in gone_methods(service) for service, method in rpcs):
            continue
        operation = spec["paths"][gateway_map.ARG.sub(r"{\1}", route.rule)][route.method.lower()]
        can_answer_gone.append(route.id)
        answer = operation["responses"].get("410")
        if not answer or answer["content"] != {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}:
            undocumented.append(route.id)
    assert not undocumented, f"document 410 with route(..., responses={{410: ...}}): {undocumented}"
    # the analysis finds them (the signing links, the one-time links of identity)
    assert len(can_answer_gone) >= 10, can_answer_gone
