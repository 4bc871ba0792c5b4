"""What one module contributes to the project index, computed in the workers from its source unit:
its name, its imports (relative ones made absolute), its functions and methods (parameters,
decorators, the calls they make) and its classes (bases). Plain data: it is cached with the file's
results and linked in the main process (`project.index`).

Call targets are recorded as *references* resolved as far as one file allows: an absolute dotted
name (`shop.helpers.safe_target` for `helpers.safe_target()` after `from . import helpers`), or a
method of a known class (`shop.views.OrderView.check` for `self.check()` inside `OrderView`, or for
`view.check()` after `view = OrderView()` in the same function). Re-exports and inherited methods
are followed when the project is linked.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..flow.defuse import child_fields
from ..semantic import SemanticModel
from .fields import harmless_fields
from .modules import resolve_relative

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class FunctionFacts:
    qualname: str  # module.func or module.Class.method
    line: int
    params: tuple[str, ...]  # positional parameters in order (with self/cls), then keyword-only ones
    kind: str  # "function", "method", "staticmethod" or "classmethod"
    decorators: tuple[str, ...]  # qualified names where known, else the source text
    calls: tuple[tuple[str, int], ...]  # (reference, line) of every call it makes

    def to_record(self) -> list:
        return [self.qualname, self.line, list(self.params), self.kind, list(self.decorators), [list(c) for c in self.calls]]

    @classmethod
    def from_record(cls, data: list) -> FunctionFacts:
        name, line, params, kind, decorators, calls = data
        return cls(name, line, tuple(params), kind, tuple(decorators), tuple((ref, at) for ref, at in calls))


@dataclass(frozen=True)
class ModuleFacts:
    path: str  # as shown in reports
    module: str
    is_package: bool
    imports: dict[str, str]  # local name -> absolute qualified name
    functions: dict[str, FunctionFacts]
    classes: dict[str, tuple[str, ...]]  # qualname -> qualified names of its bases
    fields: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # class -> its harmless fields

    def to_record(self) -> dict:
        return {
            "path": self.path, "module": self.module, "package": self.is_package, "imports": self.imports,
            "functions": [f.to_record() for f in self.functions.values()],
            "classes": {name: list(bases) for name, bases in self.classes.items()}, "fields": _fields_record(self.fields),
        }  # fmt: skip

    @classmethod
    def from_record(cls, data: dict) -> ModuleFacts:
        functions = [FunctionFacts.from_record(f) for f in data["functions"]]
        return cls(
            data["path"], data["module"], data["package"], dict(data["imports"]),
            {f.qualname: f for f in functions}, {name: tuple(bases) for name, bases in data["classes"].items()},
            _fields_of(data["fields"]),
        )  # fmt: skip


@dataclass(frozen=True)
class ModuleHead:
    """What the project index needs of a module to resolve names: `ModuleFacts` without the
    functions' details (their parameters and calls), small enough to hold for every file of a
    large project in each run (the calls are asked for where the call graph is needed)."""

    path: str
    module: str
    is_package: bool
    imports: dict[str, str]
    functions: tuple[str, ...]  # qualnames
    classes: dict[str, tuple[str, ...]]
    fields: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, facts: ModuleFacts) -> ModuleHead:
        return cls(facts.path, facts.module, facts.is_package, facts.imports, tuple(facts.functions), facts.classes,
                   facts.fields)  # fmt: skip

    def to_record(self) -> dict:
        return {"path": self.path, "module": self.module, "package": self.is_package, "imports": self.imports,
                "functions": list(self.functions), "classes": {n: list(b) for n, b in self.classes.items()},
                "fields": _fields_record(self.fields)}  # fmt: skip

    @classmethod
    def from_record(cls, data: dict) -> ModuleHead:
        return cls(data["path"], data["module"], data["package"], data["imports"], tuple(data["functions"]),
                   {name: tuple(bases) for name, bases in data["classes"].items()}, _fields_of(data["fields"]))  # fmt: skip


def _fields_record(fields: dict[str, tuple[tuple[str, str], ...]]) -> dict:
    return {cls: [list(f) for f in found] for cls, found in fields.items()}


def _fields_of(data: dict) -> dict[str, tuple[tuple[str, str], ...]]:
    return {cls: tuple((name, how) for name, how in found) for cls, found in data.items()}


def module_facts(tree: ast.Module, path: str, module: str, is_package: bool, model: SemanticModel | None = None,
                 calls: bool = True) -> ModuleFacts:  # fmt: skip
    """`calls`: also record each function's calls (the call graph; the taint engine has its own
    call sites and does without)."""
    model = model or SemanticModel(tree, path)
    namer = _Namer(model, module, is_package)
    imports = {local: namer.absolute(target) for local, target in model.imports.items()}
    functions: dict[str, FunctionFacts] = {}
    classes: dict[str, tuple[str, ...]] = {}
    fields: dict[str, tuple[tuple[str, str], ...]] = {}
    stack: list[tuple[list[ast.stmt], str, bool]] = [(tree.body, module, False)]
    while stack:
        body, prefix, in_class = stack.pop()
        for stmt in _statements(body):
            if isinstance(stmt, ast.ClassDef):
                qualname = f"{prefix}.{stmt.name}"
                classes[qualname] = tuple(namer.name(b) or ast.unparse(b) for b in stmt.bases)
                if stmt.bases:
                    harmless = harmless_fields(stmt, namer.name)
                    if harmless:
                        fields[qualname] = harmless
                stack.append((stmt.body, qualname, True))
            elif isinstance(stmt, _FUNCTIONS):
                qualname = f"{prefix}.{stmt.name}"
                functions[qualname] = _function(stmt, qualname, prefix if in_class else None, namer, calls)
    return ModuleFacts(path, module, is_package, imports, functions, classes, fields)


def _statements(body: list[ast.stmt]):
    """A block's statements, looking into if/try/with blocks (definitions made conditionally)."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, (ast.If, ast.With, ast.AsyncWith, ast.Try)):
            nested = [*stmt.body, *getattr(stmt, "orelse", [])]
            if isinstance(stmt, ast.Try):
                nested += [s for h in stmt.handlers for s in h.body] + stmt.finalbody
            stack.extend(reversed(nested))
        else:
            yield stmt


class _Namer:
    """Absolute qualified names of expressions in one module."""

    def __init__(self, model: SemanticModel, module: str, is_package: bool) -> None:
        self.model, self.module, self.is_package = model, module, is_package

    def absolute(self, dotted: str) -> str:
        if not dotted.startswith("."):
            return dotted
        level = len(dotted) - len(dotted.lstrip("."))
        rest = dotted[level:]
        return resolve_relative(self.module, self.is_package, level, rest or None) or dotted

    def name(self, node: ast.AST) -> str | None:
        qualname = self.model.qualname(node)
        if qualname is not None:
            return self.absolute(qualname)
        if isinstance(node, ast.Name) and node.id in self.model.module_defs:
            return f"{self.module}.{node.id}"  # defined in this module
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in self.model.module_defs:
            return f"{self.module}.{node.value.id}.{node.attr}"  # a class of this module, a method of it
        return None


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, owner: str | None, namer: _Namer,
              calls: bool = True) -> FunctionFacts:  # fmt: skip
    args = node.args
    params = tuple(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
    decorators = tuple(namer.name(d.func if isinstance(d, ast.Call) else d) or ast.unparse(d) for d in node.decorator_list)
    kind = "function"
    if owner is not None:
        kind = "staticmethod" if "staticmethod" in decorators else "classmethod" if "classmethod" in decorators else "method"
    receiver = params[0] if owner is not None and kind != "staticmethod" and params else None
    found = _calls(node, owner, receiver, namer) if calls else ()
    return FunctionFacts(qualname, node.lineno, params, kind, decorators, found)


def _calls(function: ast.AST, owner: str | None, receiver: str | None, namer: _Namer) -> tuple[tuple[str, int], ...]:
    """References of the calls made in a function's body (nested functions and lambdas included:
    they run on its behalf), in source order."""
    instances: dict[str, str] = {}  # local name -> class it was made from (`view = OrderView()`)
    calls: list[tuple[str, int]] = []
    stack = list(reversed(getattr(function, "body", [])))
    pop, push, AST, skip, fields = stack.pop, stack.append, ast.AST, _NO_CALLS, child_fields
    while stack:  # the taint engine's second walk of every function: kept lean
        node = pop()
        cls = node.__class__
        if cls is ast.Call:
            ref = _reference(node.func, owner, receiver, instances, namer)  # type: ignore[attr-defined]
            if ref:
                calls.append((ref, node.lineno))  # type: ignore[attr-defined]
        elif cls is ast.Assign and len(node.targets) == 1 and node.targets[0].__class__ is ast.Name:  # type: ignore[attr-defined]
            if node.value.__class__ is ast.Call:  # type: ignore[attr-defined]
                made = namer.name(node.value.func)  # type: ignore[attr-defined]
                if made:
                    instances[node.targets[0].id] = made  # type: ignore[attr-defined]
        for name in fields(cls):
            value = getattr(node, name, None)
            if value.__class__ is list:
                for child in reversed(value):
                    if child.__class__ not in skip and isinstance(child, AST):
                        push(child)
            elif value.__class__ not in skip and isinstance(value, AST):
                push(value)
    return tuple(calls)


# nodes with no call below them: not visited
_NO_CALLS = frozenset({ast.Name, ast.Constant, ast.alias, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal,
                       ast.Import, ast.ImportFrom})  # fmt: skip


def _reference(func: ast.expr, owner: str | None, receiver: str | None, instances: dict[str, str], namer: _Namer) -> str | None:
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        base = func.value.id
        if owner is not None and base == receiver:
            return f"{owner}.{func.attr}"
        if base in instances:
            return f"{instances[base]}.{func.attr}"
    return namer.name(func)
