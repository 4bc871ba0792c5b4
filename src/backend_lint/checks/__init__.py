"""Native rules, one module per category. Registration is putting the class in a module here.

`discover()` imports every module of this package and returns each concrete `Rule` subclass it
defines, sorted by code. A module that fails to import, or two rules sharing a code or a name,
raise: a rule never silently goes missing.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from ..rule import Rule


class DiscoveryError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def discover() -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = {}
    names: dict[str, str] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for obj in vars(module).values():
            if not (isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == module.__name__):
                continue
            if "code" not in vars(obj):
                continue  # an abstract helper base class
            if obj.code in found:
                raise DiscoveryError(f"rule code {obj.code} defined twice: {found[obj.code]} and {obj}")
            if obj.name in names:
                raise DiscoveryError(f"rule name {obj.name} used by {names[obj.name]} and {obj.code}")
            found[obj.code] = obj
            names[obj.name] = obj.code
    return tuple(found[code] for code in sorted(found))
