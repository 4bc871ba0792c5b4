"""What every part of the converter shares: the error for rejected syntax, expression contexts,
and node construction that fills the fields a host's `ast` has but the source cannot set."""

from __future__ import annotations

import ast
import unicodedata
from typing import Any


class Unsupported(Exception):
    """libcst accepted something that no CPython from 3.8 to 3.14 accepts. `line` is where
    (the converter fills in the line of the statement when the raiser does not know better),
    `features` the newer syntax converted before it (see `convert.convert_source`)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.features: list[tuple[tuple[int, int], int]] = []


LOAD = ast.Load()
STORE = ast.Store()
DEL = ast.Del()


def make(cls: type, **fields: Any) -> Any:
    """An instance of `cls` with `fields`; `type_comment` (never set without the type_comments
    flag) and `type_params` (a host of 3.12 or newer) get their empty values."""
    node = cls(**fields)
    for name in cls._fields:
        if name not in fields:
            if name == "type_comment":
                node.type_comment = None
            elif name == "type_params":
                node.type_params = []
    return node


def identifier(node: Any) -> str:
    """The name of a libcst `Name` as CPython keeps it: NFKC-normalised (PEP 3131), so `ﬁle`
    and `file` are one name."""
    value = node.value
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


def store(node: Any, ctx: ast.expr_context) -> Any:
    """`node` as an assignment (`ast.Store`) or deletion (`ast.Del`) target, as CPython marks it:
    names, attributes and subscripts themselves, tuples, lists and starred items recursively."""
    if isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            store(element, ctx)
    elif isinstance(node, ast.Starred):
        store(node.value, ctx)
    elif not isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
        raise Unsupported(f"cannot assign to {type(node).__name__}")
    node.ctx = ctx
    return node
