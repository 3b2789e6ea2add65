"""What a service method's source does with its payload: the schema it loads it with, the RPC it passes it on
to (tests/contract/test_gateway_contract.py), and each method's AST (gateway/tests/test_openapi_gone.py)."""
from __future__ import annotations

import ast
import importlib
import inspect
import sys
from dataclasses import dataclass, field
from functools import lru_cache

from marshmallow import Schema

from tests.contract import export

PAYLOAD_NAMES = ("payload", "params", "query")  # what service methods call their payload argument


@lru_cache(maxsize=None)
def service_module(service: str, module: str = "service"):
    """``<service>_service.<module>``, from the service's source tree when it is not pip-installed."""
    try:
        return importlib.import_module(f"{service}_service.{module}")
    except ModuleNotFoundError as exc:
        if exc.name not in (f"{service}_service", f"{service}_service.{module}"):
            raise
        sys.path.insert(0, str(export.ROOT / "services" / service / "src"))
        return importlib.import_module(f"{service}_service.{module}")


def service_class(service: str):
    return service_module(service).SERVICE


@lru_cache(maxsize=None)
def class_functions(service: str) -> dict:
    """name -> (function's AST, the module it is written in), over the service class and the mixins it is
    built from (one module per aggregate), the first in the MRO winning as Python's lookup does."""
    package = f"{service}_service"
    functions: dict = {}
    for klass in service_class(service).__mro__:
        if not klass.__module__.startswith(package):
            continue
        module = sys.modules[klass.__module__]
        for node in ast.parse(inspect.getsource(module)).body:
            if isinstance(node, ast.ClassDef) and node.name == klass.__name__:
                for f in node.body:
                    if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        functions.setdefault(f.name, (f, module))
    return functions


def _payload_name(service: str, method: str) -> str | None:
    fn = class_functions(service).get(method)
    names = [a.arg for a in fn[0].args.args] if fn else []
    return next((name for name in PAYLOAD_NAMES if name in names), None)


def payload_index(service: str, method: str) -> int | None:
    """The position of a service method's payload among the arguments an RPC call passes (``self`` aside)."""
    name = _payload_name(service, method)
    return [a.arg for a in class_functions(service)[method][0].args.args].index(name) - 1 if name else None


def _refers(node, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _dotted(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _resolve(dotted: str, module):
    obj = module
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
    return obj


@dataclass
class Loader:
    """What a service method's source does with its ``payload``."""
    schemas: list = field(default_factory=list)     # the schema classes it loads it with
    forwards: list = field(default_factory=list)    # (service, method) of the RPCs it passes it on to


def discover_loader(service: str, method: str) -> Loader:
    """Found in the method's source, following the ``self._helper(payload)`` calls: ``<Schema>().load(payload)``
    and ``self.<rpc dependency>.<method>(..., payload)``."""
    cls, funcs, out, seen = service_class(service), class_functions(service), Loader(), set()

    def scan(fn_name: str, name: str, depth: int):
        if (fn_name, name) in seen or depth > 4 or fn_name not in funcs:
            return
        seen.add((fn_name, name))
        fn, module = funcs[fn_name]
        for node in ast.walk(fn):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            f = node.func
            passes = [i for i, a in enumerate(node.args) if _refers(a, name)]
            keywords = [k.arg for k in node.keywords if k.arg and _refers(k.value, name)]
            if f.attr == "load" and isinstance(f.value, ast.Call) and passes == [0]:
                schema = _resolve(_dotted(f.value.func) or "", module)
                if isinstance(schema, type) and issubclass(schema, Schema) and schema not in out.schemas:
                    out.schemas.append(schema)
            elif _dotted(f.value) == "self" and f.attr in funcs and (passes or keywords):
                helper = funcs[f.attr][0]
                params = [a.arg for a in helper.args.args]
                params = params if any(_dotted(d) == "staticmethod" for d in helper.decorator_list) else params[1:]
                for parameter in [params[i] for i in passes if i < len(params)] + keywords:
                    scan(f.attr, parameter, depth + 1)
            elif isinstance(f.value, ast.Attribute) and _dotted(f.value.value) == "self" and passes:
                target = getattr(getattr(cls, f.value.attr, None), "target_service", None)
                if isinstance(target, str) and (target, f.attr) not in out.forwards:
                    out.forwards.append((target, f.attr))

    name = _payload_name(service, method)
    if name:
        scan(method, name, 0)
    return out
