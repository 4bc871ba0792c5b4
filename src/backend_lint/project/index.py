"""The project index: every module's facts linked in the main process.

Answers which function a reference names (following re-exports through package `__init__`
modules and imports of imports, and inherited methods through the project's own classes), the
call graph between the project's functions, and the import graph between its modules (who depends
on whom, so that a changed file re-links only what depends on it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..flow import models
from .facts import ModuleFacts, ModuleHead

_MAX_HOPS = 8  # re-exports followed before giving up (cycles, absurd chains)


class ProjectIndex:
    def __init__(self, modules: Iterable[ModuleFacts | ModuleHead],
                 calls: Callable[[str], Iterable[tuple[str, int]]] | None = None) -> None:  # fmt: skip
        """`modules`: every module's facts, or only their heads; `calls(qualname)`: the calls a
        function makes (default: those of its `FunctionFacts`, which heads do not have)."""
        self.modules: dict[str, ModuleFacts | ModuleHead] = {}
        for facts in sorted(modules, key=lambda m: m.path):
            self.modules.setdefault(facts.module, facts)  # the first of two files claiming one name
        self.functions: set[str] = set()
        self.classes: dict[str, tuple[str, ...]] = {}
        self.owner: dict[str, str] = {}  # function or class qualname -> its module
        self.fields: dict[str, dict[str, str]] = {}  # class -> its declared fields -> how (`project.fields`)
        for name, facts in self.modules.items():
            for qualname in facts.functions:
                self.functions.add(qualname)
                self.owner[qualname] = name
            for qualname, bases in facts.classes.items():
                self.classes[qualname] = bases
                self.owner[qualname] = name
            for qualname, found in facts.fields.items():
                self.fields[qualname] = dict(found)
        self._calls = calls or self._own_calls
        self._resolved: dict[str, str | None] = {}  # the index does not change once built

    def _own_calls(self, function: str) -> Iterable[tuple[str, int]]:
        facts = self.modules[self.owner[function]]
        return facts.functions[function].calls if isinstance(facts, ModuleFacts) else ()

    # -- names ---------------------------------------------------------------------------------
    def resolve(self, reference: str) -> str | None:
        """The qualified name of the project's function or class that `reference` names, or None
        (a library, a builtin, or something dynamic)."""
        if reference in self._resolved:
            return self._resolved[reference]
        found = self._resolved[reference] = self._resolve(reference)
        return found

    def _resolve(self, reference: str) -> str | None:
        seen: set[str] = set()
        for _ in range(_MAX_HOPS):
            if reference in self.functions or reference in self.classes:
                return reference
            if reference in seen:
                return None
            seen.add(reference)
            moved = self._through_import(reference) or self._inherited(reference)
            if moved is None:
                return None
            reference = moved
        return None

    def _through_import(self, reference: str) -> str | None:
        """`pkg.safe_target` where `pkg/__init__.py` does `from .helpers import safe_target`:
        `pkg.helpers.safe_target`."""
        parts = reference.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self.modules.get(".".join(parts[:cut]))
            if module is None:
                continue
            target = module.imports.get(parts[cut])
            if target is None:
                return None
            return ".".join([target, *parts[cut + 1 :]])
        return None

    def _inherited(self, reference: str) -> str | None:
        """`app.views.Detail.check` where `Detail` inherits `check` from a project class."""
        owner, _, method = reference.rpartition(".")
        if owner not in self.classes:
            return None
        for base in self.mro(owner)[1:]:
            if f"{base}.{method}" in self.functions:
                return f"{base}.{method}"
        return None

    def mro(self, cls: str) -> list[str]:
        """`cls` and the project classes it inherits from, depth first (enough for linting: the
        project's own hierarchies are shallow and rarely diamond-shaped)."""
        order: list[str] = []
        stack = [cls]
        while stack and len(order) < 64:
            current = stack.pop()
            if current in order:
                continue
            order.append(current)
            for base in reversed(self.classes.get(current, ())):
                resolved = self.resolve(base) if base not in self.classes else base
                if resolved in self.classes:
                    stack.append(resolved)
        return order

    def harmless_field(self, cls: str, attribute: str) -> bool:
        """Whether the validated value of `cls`'s field `attribute` holds no client text (see
        `project.fields`): declared so in the class or a project class it inherits from; by its
        annotation only in a class whose project ancestry reaches a typed schema (pydantic)."""
        resolved = self.resolve(cls)
        if resolved is None or resolved not in self.classes:
            return False
        order = self.mro(resolved)
        for ancestor in order:
            how = self.fields.get(ancestor, {}).get(attribute)
            if how in ("field", "text"):  # the nearest declaration decides
                return how == "field"
            if how == "annotation":
                typed = _typed_schemas()
                return any(base in typed for c in order for base in self.classes.get(c, ()))
        return False

    # -- graphs --------------------------------------------------------------------------------
    def callees(self, function: str) -> list[tuple[str, int]]:
        """(project function called, line) for each call of `function` that resolves to one."""
        if function not in self.functions:
            return []
        out = []
        for reference, line in self._calls(function):
            target = self.resolve(reference)
            if target in self.classes:  # instantiating a project class runs its __init__
                target = self.resolve(f"{target}.__init__")
            if target in self.functions:
                out.append((target, line))
        return out

    def call_graph(self) -> dict[str, list[str]]:
        return {name: sorted({t for t, _ in self.callees(name)}) for name in self.functions}

    def imports_of(self, module: str) -> set[str]:
        """The project's modules that `module` imports from."""
        facts = self.modules.get(module)
        if facts is None:
            return set()
        out = set()
        for target in facts.imports.values():
            parts = target.split(".")
            for cut in range(len(parts), 0, -1):
                name = ".".join(parts[:cut])
                if name in self.modules and name != module:
                    out.add(name)
                    break
        return out

    def import_graph(self) -> dict[str, list[str]]:
        """Module -> the project's modules it imports from (sorted)."""
        return {module: sorted(self.imports_of(module)) for module in self.modules}

    def dependents(self, changed: Iterable[str]) -> set[str]:
        """Every module that imports one of `changed`, directly or not (`changed` included)."""
        return dependents(self.import_graph(), changed)


def dependents(graph: dict[str, list[str]], changed: Iterable[str]) -> set[str]:
    """In an import graph (module -> modules it imports), `changed` and every module that imports
    one of them, directly or not."""
    reverse: dict[str, set[str]] = {}
    for module, targets in graph.items():
        for target in targets:
            reverse.setdefault(target, set()).add(module)
    out, stack = set(), list(changed)
    while stack:
        module = stack.pop()
        if module in out:
            continue
        out.add(module)
        stack.extend(reverse.get(module, ()))
    return out


def _typed_schemas() -> frozenset[str]:
    return models.qualified("typed-schema")
