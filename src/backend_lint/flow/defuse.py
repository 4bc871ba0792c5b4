"""The def-use table of one scope (a function, a lambda, a class body or a module), built in one walk.

`DefUse(scope)` walks the scope's nodes once, breadth first (the order of `ast.walk`), and keeps:

- `nodes`: the scope and every node under it but operators and expression contexts, in that order;
- `parents`: `id(node)` -> parent node, for each of them (`parent(node)` asks it);
- `bindings`: for each name bound in the scope itself, its `Binding`s in source order: parameters,
  `x = …`, `x: T = …`, `x += …`, `(x := …)`, `for x in …`, `with … as x`, `except … as x`,
  imports, nested `def` / `class`, `case` captures. Nested functions, lambdas and class bodies bind
  their own names (their decorators, defaults and bases are evaluated here, so they count here);
- `uses`: for each name, its loads (`ast.Name` in `Load` context), breadth first, in the scope and
  in the scopes nested in it (a closure reads its enclosing function's locals). The scope's own
  decorators, defaults and annotations are evaluated outside it: they are in `nodes`, not in `uses`.
  `x += v` is a binding (AUGMENTED) that also reads the old `x`; it is not listed among the uses.

Comprehension variables are not told apart from locals of the same name, and `global` / `nonlocal`
declarations are not followed: a name is local where it is bound. The table knows nothing of
qualified names or values; the semantic model and the rules interpret it.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

ASSIGN, ANNOTATED, AUGMENTED, WALRUS = "assign", "annotated", "augmented", "walrus"
FOR, WITH, EXCEPT, MATCH = "for", "with", "except", "match"
PARAMETER, IMPORT, DEF, CLASS = "parameter", "import", "def", "class"
# bindings that give the name the value of an expression written in the source (`Binding.value`)
ASSIGNING = frozenset({ASSIGN, ANNOTATED, AUGMENTED, WALRUS})

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_OUTSIDE, _OWN, _NESTED = 0, 1, 2  # where a node is evaluated, seen from the table's scope


class Binding(NamedTuple):
    """One binding of `name`: its `kind` (ASSIGN, FOR, PARAMETER, …), the `node` that binds it (the
    statement, `ast.NamedExpr`, `ast.arg`, `ast.ExceptHandler` or `case` pattern) and, when the name
    is the whole target of an assignment (an ASSIGNING kind), the `value` expression it gets (for
    `x += v`: `v`), else None."""

    name: str
    kind: str
    node: ast.AST
    value: ast.expr | None


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """The children of `node` in `ast.iter_child_nodes` order, except operators and expression
    contexts (`Add`, `Eq`, `Load`: childless leaves nobody looks for). A list built without
    generators: walks of whole function bodies spend most of their time here."""
    children: list[ast.AST] = []
    for name in child_fields(node.__class__):
        value = getattr(node, name, None)
        if value.__class__ is list:
            for item in value:
                if isinstance(item, ast.AST):
                    children.append(item)
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


@lru_cache(maxsize=None)  # one entry per node class
def child_fields(cls: type) -> tuple[str, ...]:
    return tuple(name for name in cls._fields if name not in ("ctx", "op", "ops"))


class DefUse:
    def __init__(self, scope: ast.AST) -> None:
        self.scope = scope
        self.nodes: list[ast.AST] = [scope]
        self.parents: dict[int, ast.AST] = {}
        self.bindings: dict[str, list[Binding]] = {}
        self.uses: dict[str, list[ast.Name]] = {}
        self._walk()

    # -- questions -----------------------------------------------------------------------------
    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def bindings_of(self, name: str) -> list[Binding]:
        return self.bindings.get(name, [])

    def uses_of(self, name: str) -> list[ast.Name]:
        return self.uses.get(name, [])

    def assignments(self, name: str) -> list[ast.AST]:
        """The statements (and `NamedExpr`s) giving `name` the value of an expression, in source
        order: `x = …`, `x: T = …`, `x += …`, `(x := …)`; not unpacking (`x, y = …`)."""
        return [b.node for b in self.bindings.get(name, ()) if b.value is not None]

    def values(self, name: str) -> list[ast.expr]:
        """The expressions of `assignments(name)` (for `x += v`: `v`)."""
        return [b.value for b in self.bindings.get(name, ()) if b.value is not None]

    def scope_of(self, node: ast.AST) -> ast.AST:
        """The innermost scope `node` is evaluated in: this table's scope or one nested in it."""
        child, parent = node, self.parents.get(id(node))
        while parent is not None and parent is not self.scope:
            if isinstance(parent, _SCOPES) and (child is parent.body or child in _as_list(parent.body)):
                return parent
            child, parent = parent, self.parents.get(id(parent))
        return self.scope

    # -- building ------------------------------------------------------------------------------
    def _walk(self) -> None:
        scope, nodes, parents, uses = self.scope, self.nodes, self.parents, self.uses
        found: list[Binding] = []
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            _parameters(scope.args, found)
        where = [_OUTSIDE]
        for field in child_fields(scope.__class__):  # the scope's body is its own, the rest is outside
            state = _OWN if field == "body" or scope.__class__ is ast.Module else _OUTSIDE
            for child in _as_list(getattr(scope, field, None)):
                if isinstance(child, ast.AST):
                    parents[id(child)] = scope
                    nodes.append(child)
                    where.append(state)
        Name, Load, AST, binders = ast.Name, ast.Load, ast.AST, _BINDERS
        index = 1
        for node in islice(nodes, 1, None):  # the list grows while it is read: breadth first
            state = where[index]
            index += 1
            cls = node.__class__
            if cls is Name:
                if state and node.ctx.__class__ is Load:
                    named = uses.get(node.id)
                    if named is None:
                        uses[node.id] = [node]
                    else:
                        named.append(node)
                continue
            if state == _OWN:
                binder = binders.get(cls)
                if binder is not None:
                    binder(node, found)
            nested = state == _OWN and cls in _SCOPE_CLASSES
            for field in child_fields(cls):
                value = getattr(node, field, None)
                child_state = _NESTED if nested and field == "body" else state
                if value.__class__ is list:
                    for item in value:
                        if isinstance(item, AST):
                            parents[id(item)] = node
                            nodes.append(item)
                            where.append(child_state)
                elif isinstance(value, AST):
                    parents[id(value)] = node
                    nodes.append(value)
                    where.append(child_state)
        self._group(found)

    def _group(self, found: list[Binding]) -> None:
        bindings = self.bindings
        for binding in found:
            named = bindings.get(binding.name)
            if named is None:
                bindings[binding.name] = [binding]
            else:
                named.append(binding)
        for named in bindings.values():
            if len(named) > 1:
                named.sort(key=_position)


_SCOPE_CLASSES = frozenset(_SCOPES)


def _position(binding: Binding) -> tuple[int, int]:
    node = binding.node
    return node.lineno, node.col_offset


def _as_list(value: object) -> list:
    return value if value.__class__ is list else [value] if value is not None else []


def _target_names(target: ast.AST) -> list[str]:
    """Names bound by an assignment target: `x`, `x, (y, *z)`; not `obj.attr` or `items[0]`."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def _parameters(args: ast.arguments, found: list[Binding]) -> None:
    every = [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg]
    found.extend(Binding(arg.arg, PARAMETER, arg, None) for arg in every if arg is not None)


def _assign(node: ast.Assign, found: list[Binding]) -> None:
    for target in node.targets:
        if isinstance(target, ast.Name):
            found.append(Binding(target.id, ASSIGN, node, node.value))
        else:
            found.extend(Binding(name, ASSIGN, node, None) for name in _target_names(target))


def _annotated(node: ast.AnnAssign, found: list[Binding]) -> None:
    if node.value is not None and isinstance(node.target, ast.Name):  # `x: int` alone binds nothing
        found.append(Binding(node.target.id, ANNOTATED, node, node.value))


def _augmented(node: ast.AugAssign, found: list[Binding]) -> None:
    if isinstance(node.target, ast.Name):
        found.append(Binding(node.target.id, AUGMENTED, node, node.value))


def _walrus(node: ast.NamedExpr, found: list[Binding]) -> None:
    if isinstance(node.target, ast.Name):
        found.append(Binding(node.target.id, WALRUS, node, node.value))


def _for(node: ast.For | ast.AsyncFor, found: list[Binding]) -> None:
    found.extend(Binding(name, FOR, node, None) for name in _target_names(node.target))


def _with(node: ast.With | ast.AsyncWith, found: list[Binding]) -> None:
    for item in node.items:
        if item.optional_vars is not None:
            found.extend(Binding(name, WITH, node, None) for name in _target_names(item.optional_vars))


def _except(node: ast.ExceptHandler, found: list[Binding]) -> None:
    if node.name:
        found.append(Binding(node.name, EXCEPT, node, None))


def _import(node: ast.Import | ast.ImportFrom, found: list[Binding]) -> None:
    for alias in node.names:
        if alias.name != "*":
            bound = alias.asname or (alias.name.split(".")[0] if isinstance(node, ast.Import) else alias.name)
            found.append(Binding(bound, IMPORT, node, None))


def _definition(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, found: list[Binding]) -> None:
    found.append(Binding(node.name, CLASS if isinstance(node, ast.ClassDef) else DEF, node, None))


def _capture(node: ast.AST, found: list[Binding]) -> None:
    name = node.rest if isinstance(node, ast.MatchMapping) else node.name
    if name:
        found.append(Binding(name, MATCH, node, None))


_BINDERS = {
    ast.Assign: _assign, ast.AnnAssign: _annotated, ast.AugAssign: _augmented, ast.NamedExpr: _walrus,
    ast.For: _for, ast.AsyncFor: _for, ast.With: _with, ast.AsyncWith: _with, ast.ExceptHandler: _except,
    ast.Import: _import, ast.ImportFrom: _import, ast.FunctionDef: _definition,
    ast.AsyncFunctionDef: _definition, ast.ClassDef: _definition,
    ast.MatchAs: _capture, ast.MatchStar: _capture, ast.MatchMapping: _capture,
}  # fmt: skip
