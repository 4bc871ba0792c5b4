"""The native engine: the rules of `checks/` on the source unit's `ast` tree, with the file's
semantic model built once, every node dispatched to the rules that asked for its type in a single
iterative walk.

A rule that raises is an internal error reported for its file (with the rule and the line), never
a traceback, and never the loss of the other files' findings.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from typing import ClassVar

from .. import checks
from ..catalog import RuleInfo
from ..model import Error, Finding
from ..rule import FileContext, Rule
from ..semantic import model_of
from ..source import SourceUnit
from . import Engine, UnitOutput


class RuleCrash(Exception):
    """A rule raised: an internal error of backend-lint, reported per file, never a traceback."""

    def __init__(self, code: str, node: ast.AST, exc: Exception) -> None:
        line = getattr(node, "lineno", "?")
        super().__init__(f"internal error in rule {code} at line {line}: {type(exc).__name__}: {exc}")


class NativeEngine(Engine):
    name: ClassVar[str] = "native"
    rank: ClassVar[int] = 0
    in_process: ClassVar[bool] = True

    def rules(self) -> dict[str, RuleInfo]:
        return {cls.code: cls.info() for cls in checks.discover()}

    def analyser(self, codes: tuple[str, ...], options: dict, agents: dict, root: str = ".") -> NativeAnalyser:
        by_code = {cls.code: cls for cls in checks.discover()}
        return NativeAnalyser([by_code[c](options.get(c)) for c in codes if c in by_code], agents)


class NativeAnalyser:
    """The selected rules, built once per worker process."""

    def __init__(self, rules: list[Rule], agents: dict[str, str]) -> None:
        self.rules = rules
        self.dispatch = build_dispatch(rules)
        self.agents = agents

    def analyse(self, unit: SourceUnit) -> UnitOutput:
        if unit.tree is None or not self.rules:
            return UnitOutput([], [])
        return UnitOutput(*analyse_tree(unit, self.rules, self.dispatch, self.agents))


def build_dispatch(rules: list[Rule]) -> dict[type, list[Rule]]:
    table: dict[type, list[Rule]] = {}
    for rule in rules:
        for node_type in rule.NODES:
            table.setdefault(node_type, []).append(rule)
    return table


# Operators and expression contexts (`Load`, `Add`, `Eq`...) are a third of all nodes; they have no
# children and no position, so the walk only visits them when a rule asked for one of their types.
_LEAF_BASES = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
_LEAF_FIELDS = frozenset({"ctx", "op", "ops"})
# Nodes without child nodes: when no rule wants their type they are not even put on the stack
# (`Name` and `Constant` alone are 40% of the rest).
_CHILDLESS = frozenset({ast.Name, ast.Constant, ast.alias, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal})


class ChildFields(dict):
    """Node type -> the names of its fields that hold child nodes (reversed), filled in lazily.

    Shared between the files of a run; leaf fields are left out unless a rule asked for leaves.
    """

    def __init__(self, skip_leaves: bool) -> None:
        super().__init__()
        self.skip_leaves = skip_leaves

    @staticmethod
    @lru_cache(maxsize=2)
    def shared(skip_leaves: bool) -> ChildFields:
        return ChildFields(skip_leaves)

    @staticmethod
    def for_dispatch(dispatch: dict[type, list[Rule]]) -> ChildFields:
        return ChildFields.shared(not any(issubclass(t, _LEAF_BASES) for t in dispatch))

    def __missing__(self, cls: type) -> tuple[str, ...]:
        names = tuple(f for f in reversed(cls._fields) if not (self.skip_leaves and f in _LEAF_FIELDS))
        self[cls] = names
        return names


def walk(ctx: FileContext, dispatch: dict[type, list[Rule]], fields: ChildFields | None = None) -> None:
    """Depth-first, pre-order, iterative (no recursion limit), keeping `ctx.ancestors` current.

    Every node a rule may want is seen once; operators, contexts and childless nodes only when a
    rule asked for their type.
    """
    fields = ChildFields.for_dispatch(dispatch) if fields is None else fields
    # with operators and contexts wanted, a Name has a child: its `ctx`
    childless = _CHILDLESS if fields.skip_leaves else _CHILDLESS - {ast.Name}
    unwanted = childless.difference(dispatch)
    ancestors = ctx.ancestors
    rules_for = dispatch.get
    AST = ast.AST
    stack: list[tuple[ast.AST, int]] = [(ctx.tree, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if len(ancestors) > depth:
            del ancestors[depth:]
        cls = node.__class__
        rules = rules_for(cls)
        if rules:
            for rule in rules:
                try:
                    rule.visit(node, ctx)
                except RecursionError:
                    raise
                except Exception as exc:  # noqa: BLE001 - a rule bug must not stop the run; it is reported
                    raise RuleCrash(rule.code, node, exc) from exc
            if cls in childless:
                continue
        ancestors.append(node)
        depth += 1
        for name in fields[cls]:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for child in reversed(value):
                    if child.__class__ not in unwanted and isinstance(child, AST):
                        push((child, depth))
            elif value.__class__ not in unwanted and isinstance(value, AST):
                push((value, depth))
    del ancestors[:]


def analyse_tree(
    unit: SourceUnit, rules: list[Rule], dispatch: dict[type, list[Rule]], agents: dict[str, str] | None = None
) -> tuple[list[Finding], list[Error]]:
    """Every finding of `rules` in one parsed unit, or the internal error that stopped them."""
    try:
        ctx = FileContext(unit.display, unit.text or "", unit.lines, unit.tree, model_of(unit), unit.is_test)
        ctx.agent_overrides = agents or {}
        for rule in rules:
            rule.begin(ctx)
        walk(ctx, dispatch)
        for rule in rules:
            rule.end(ctx)
        return ctx.findings, []
    except RecursionError:
        return [], [Error("limit", "too deeply nested to analyse", unit.display, "native")]
    except RuleCrash as exc:
        return [], [Error("internal", str(exc), unit.display, "native")]
    except Exception as exc:  # noqa: BLE001 - begin/end of a rule, or the model: reported, never a traceback
        return [], [Error("internal", f"internal error: {type(exc).__name__}: {exc}", unit.display, "native")]
