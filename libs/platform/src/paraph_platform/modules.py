"""Finding what the modules of a package export, so that a new module is picked up by merely being there."""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType


def exported_by_modules(package: ModuleType, name: str, kind: type) -> Iterator[tuple[ModuleType, object]]:
    """(module, value) for each module directly in ``package`` whose attribute ``name`` is a ``kind``: how the
    gateway's API areas and the web app's pages have their Flask blueprint (``bp``) registered."""
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        value = getattr(module, name, None)
        if isinstance(value, kind):
            yield module, value
