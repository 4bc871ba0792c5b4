"""Constant folding: the value of an expression every part of which is fixed in the source.

`fold(node, constants)` computes it (`"SELECT " + COLUMNS` with `COLUMNS` a module constant) or
answers NOT_CONSTANT; `is_constant(node, constants)` is wider: whether every value the expression can
take is fixed (`"DESC" if desc else "ASC"`), though only known at run time. `constants` maps names
to their folded values (the semantic model passes its module constants). Best effort and bounded:
no huge values are built, and expressions nested beyond the recursion limit are not constant.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

NOT_CONSTANT = object()
_MAX_FOLDED = 100_000  # longest string, bytes or tuple built by folding


def fold(node: ast.AST, constants: Mapping[str, object]) -> object:
    """The value of a constant expression, or NOT_CONSTANT."""
    try:
        return _fold(node, constants)
    except RecursionError:  # nested deeper than any real constant: not worth knowing
        return NOT_CONSTANT


def _fold(node: ast.AST, constants: Mapping[str, object]) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id, NOT_CONSTANT)
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.format_spec is not None or value.conversion != -1:
                    return NOT_CONSTANT
                value = value.value
            folded = _fold(value, constants)
            if folded is NOT_CONSTANT:
                return NOT_CONSTANT
            parts.append(str(folded))
        return "".join(parts)
    if isinstance(node, ast.BinOp):
        return _fold_chain(node, constants)
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_fold(e, constants) for e in node.elts]
        return NOT_CONSTANT if NOT_CONSTANT in items else tuple(items)
    return NOT_CONSTANT


def _fold_chain(node: ast.BinOp, constants: Mapping[str, object]) -> object:
    """`"a" + "b" + …` is a left-leaning chain of BinOps: folded in a loop, not by recursion."""
    chain: list[ast.BinOp] = []
    left: ast.AST = node
    while isinstance(left, ast.BinOp):
        if not isinstance(left.op, (ast.Add, ast.Mod, ast.Mult)):
            return NOT_CONSTANT
        chain.append(left)
        left = left.left
    value = _fold(left, constants)
    for link in reversed(chain):
        right = _fold(link.right, constants)
        if value is NOT_CONSTANT or right is NOT_CONSTANT:
            return NOT_CONSTANT
        value = _apply(link.op, value, right)
    return value


def is_constant(node: ast.AST, constants: Mapping[str, object]) -> bool:
    """Whether every value the expression can take is fixed in the source.

    Wider than `fold`: `"DESC" if desc else "ASC"` and `", ".join("?" for _ in ids)` are constant
    in what they can contain, although their value is only known at run time.
    """
    try:
        return _is_constant(node, constants)
    except RecursionError:
        return False


def _is_constant(node: ast.AST, constants: Mapping[str, object]) -> bool:
    if fold(node, constants) is not NOT_CONSTANT:
        return True
    if isinstance(node, ast.IfExp):
        return _is_constant(node.body, constants) and _is_constant(node.orelse, constants)
    if isinstance(node, ast.BoolOp):
        return all(_is_constant(v, constants) for v in node.values)
    if isinstance(node, ast.JoinedStr):
        return all(
            _is_constant(v.value if isinstance(v, ast.FormattedValue) else v, constants) for v in node.values
        )
    if isinstance(node, ast.BinOp):
        chain: list[ast.BinOp] = []
        left: ast.AST = node
        while isinstance(left, ast.BinOp):
            chain.append(left)
            left = left.left
        constant = _is_constant(left, constants)
        for link in reversed(chain):
            if isinstance(link.op, ast.Mult):  # "?" * n, ["?"] * len(ids)
                constant = constant or _is_constant(link.right, constants)
            else:
                constant = constant and _is_constant(link.right, constants)
        return constant
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_is_constant(e, constants) for e in node.elts)
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return _is_constant(node.elt, constants)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "join" and len(node.args) == 1 and _is_constant(node.func.value, constants):
            return _is_constant(node.args[0], constants)
        if node.func.attr == "format" and _is_constant(node.func.value, constants):
            return all(_is_constant(a, constants) for a in node.args) and all(
                _is_constant(k.value, constants) for k in node.keywords
            )
    return False


def const_value(node: ast.expr) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    return NOT_CONSTANT


def _apply(op: ast.operator, left: object, right: object) -> object:
    """`left op right` for +, % and *, or NOT_CONSTANT when it fails or would build a huge value."""
    try:
        if isinstance(op, ast.Add):
            return left + right
        if isinstance(op, ast.Mod):
            return left % right
        seq, times = (left, right) if isinstance(right, int) else (right, left)
        if isinstance(seq, (str, bytes, tuple)) and isinstance(times, int) and len(seq) * times > _MAX_FOLDED:
            return NOT_CONSTANT  # do not build huge values
        return left * right
    except Exception:  # noqa: BLE001 - folding is best effort: a failing operation is not constant
        return NOT_CONSTANT
