"""What an `except` handler does, shared by the error-handling rules (no rule lives here).

Answers: does a handler catch broadly, does its body do anything explicit (log at warning or
above, raise, return a value, call something), and which expressions in it carry exception details.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..flow import models
from ..flow.defuse import child_nodes
from ..semantic import SemanticModel

BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
WARNING = 30


def caught_types(handler: ast.ExceptHandler) -> list[ast.expr]:
    if handler.type is None:
        return []
    return list(handler.type.elts) if isinstance(handler.type, ast.Tuple) else [handler.type]


def is_broad(handler: ast.ExceptHandler, model: SemanticModel) -> bool:
    return handler.type is None or any((model.qualname(t) or "") in BROAD for t in caught_types(handler))


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def own_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a block in source order (but operators and expression contexts), not descending
    into nested functions, classes or lambdas."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPES):
            stack.extend(reversed(child_nodes(node)))


def raises(body: list[ast.stmt], bare_only: bool = False) -> bool:
    """A `raise` in the block (only a bare one with `bare_only`), or `with safe_reraise():`."""
    for node in own_nodes(body):
        if isinstance(node, ast.Raise) and (node.exc is None or not bare_only):
            return True
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                call = item.context_expr
                func = call.func if isinstance(call, ast.Call) else call
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if "reraise" in name.lower():
                    return True
    return False


def quiet_statement(stmt: ast.stmt, model: SemanticModel, caught: str | None = None) -> bool:
    """A statement that leaves no trace of the error: pass, `...`, continue, break, `return [None]`,
    an assignment that neither calls anything nor keeps the exception (`value = None`, `x = DEFAULT`;
    not `response = handle_exception(e)`, `self.error = e`), or a log call below WARNING (invisible in
    production)."""
    if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return True
    if isinstance(stmt, ast.Return):
        return stmt.value is None or (isinstance(stmt.value, ast.Constant) and stmt.value.value is None)
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        value = stmt.value
        return value is None or not any(
            isinstance(n, ast.Call) or (isinstance(n, ast.Name) and n.id == caught) for n in ast.walk(value)
        )
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        level = model.logging_call(stmt.value)
        return level is not None and level < WARNING
    return False


def detail_expressions(node: ast.AST, name: str | None, model: SemanticModel) -> Iterator[ast.expr]:
    """Sub-expressions of `node` that put the caught exception's text or a traceback in a value:
    `str(e)`, `repr(e)`, `f"{e}"`, `"%s" % e`, `"{}".format(e)`, `e.args`, `{"error": e}`,
    `traceback.format_exc()` (the flow models' `error-text` and `error-attribute`). `type(e).__name__`
    and attributes such as `e.status_code` are not."""
    error_text, error_attributes = models.qualified("error-text"), models.names("error-attribute")
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            qn = model.qualname(sub.func) or ""
            if qn in error_text or name and qn in ("str", "repr", "format") and sub.args and _is_name(sub.args[0], name) or name and isinstance(sub.func, ast.Attribute) and sub.func.attr == "format" and (
                any(_is_name(a, name) for a in sub.args) or any(_is_name(k.value, name) for k in sub.keywords)
            ):
                yield sub
        elif not name:
            continue
        elif isinstance(sub, ast.FormattedValue) and _is_name(sub.value, name):
            yield sub.value
        elif isinstance(sub, ast.BinOp) and isinstance(sub.op, (ast.Mod, ast.Add)):
            right = sub.right.elts if isinstance(sub.right, ast.Tuple) else [sub.right]
            if any(_is_name(r, name) for r in right):
                yield sub
        elif isinstance(sub, ast.Attribute) and sub.attr in error_attributes and _is_name(sub.value, name):
            yield sub
        elif isinstance(sub, (ast.Dict, ast.List, ast.Tuple)):
            values = sub.values if isinstance(sub, ast.Dict) else sub.elts
            yield from (v for v in values if _is_name(v, name))


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
