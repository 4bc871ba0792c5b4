"""Compound statements: if, for, while, try, with, def and class.

A compound statement runs from its first keyword (`async` included, decorators not) to the last
token of its last block, a trailing `;` included. On a host without `ast.TryStar` (3.10),
`try/except*` becomes `ast.Try` with ordinary handlers. PEP 758's `except A, B:` has an
`ast.Tuple` as its type, placed from `A` to `B` as CPython 3.14 places it; with `as`, that
form is still a syntax error.
"""

from __future__ import annotations

import ast
from typing import Any

import libcst

from .common import STORE, Unsupported, identifier, make, store


class CompoundMixin:
    """Builders of compound statements; each places its node itself."""

    def stmt_If(self, node: libcst.If) -> ast.stmt:
        result = ast.If(test=self.expr(node.test), body=self.stmts(node.body), orelse=self.orelse(node.orelse))
        return self.locate(result, *self.span(node))

    def orelse(self, node: libcst.CSTNode | None) -> list[ast.stmt]:
        if node is None:
            return []
        if isinstance(node, libcst.If):  # elif
            return [self.stmt_If(node)]
        return self.stmts(node.body)

    def stmt_While(self, node: libcst.While) -> ast.stmt:
        result = ast.While(test=self.expr(node.test), body=self.stmts(node.body), orelse=self.orelse(node.orelse))
        return self.locate(result, *self.span(node))

    def stmt_For(self, node: libcst.For) -> ast.stmt:
        kind = ast.AsyncFor if node.asynchronous is not None else ast.For
        target = store(self.expr(node.target), STORE)
        fields = {"target": target, "iter": self.expr(node.iter), "body": self.stmts(node.body)}
        result = make(kind, **fields, orelse=self.orelse(node.orelse))
        return self.locate(result, *self.span(node))

    def stmt_With(self, node: libcst.With) -> ast.stmt:
        kind = ast.AsyncWith if node.asynchronous is not None else ast.With
        items = [self.with_item(item) for item in node.items]
        return self.locate(make(kind, items=items, body=self.stmts(node.body)), *self.span(node))

    def with_item(self, node: libcst.WithItem) -> ast.withitem:
        names = store(self.expr(node.asname.name), STORE) if node.asname is not None else None
        return ast.withitem(context_expr=self.expr(node.item), optional_vars=names)

    # -- try -------------------------------------------------------------------------------

    def stmt_Try(self, node: Any) -> ast.stmt:
        star = isinstance(node, libcst.TryStar)
        if star:
            self.note((3, 11))
        kind = ast.TryStar if star and hasattr(ast, "TryStar") else ast.Try
        result = kind(
            body=self.stmts(node.body),
            handlers=[self.handler(handler) for handler in node.handlers],
            orelse=self.orelse(node.orelse),
            finalbody=self.stmts(node.finalbody.body) if node.finalbody is not None else [],
        )
        return self.locate(result, *self.span(node))

    stmt_TryStar = stmt_Try

    def handler(self, node: Any) -> ast.excepthandler:
        kind = node.type
        if isinstance(kind, libcst.Tuple) and not kind.lpar:  # PEP 758
            if node.name is not None:
                line = self.tokens.starts[self.first(node)][0]
                raise Unsupported("multiple exception types must be parenthesized when using 'as'", line)
            self.note((3, 14))
        name = node.name.name if node.name is not None else None
        if name is not None and not isinstance(name, libcst.Name):
            raise Unsupported("cannot use except statement with this target")
        result = ast.ExceptHandler(type=self.optional(kind), name=name and identifier(name), body=self.stmts(node.body))
        return self.locate(result, *self.span(node))

    # -- definitions -----------------------------------------------------------------------

    def definition_start(self, node: Any) -> int:
        """The first token of a def or class after its decorators."""
        return self.last(node.decorators[-1]) + 1 if node.decorators else self.first(node)

    def decorators(self, node: Any) -> list[ast.expr]:
        return [self.expr(decorator.decorator) for decorator in node.decorators]

    def stmt_FunctionDef(self, node: libcst.FunctionDef) -> ast.stmt:
        kind = ast.AsyncFunctionDef if node.asynchronous is not None else ast.FunctionDef
        fields = {
            "name": identifier(node.name),
            "args": self.arguments(node.params),
            "body": self.stmts(node.body),
            "decorator_list": self.decorators(node),
            "returns": self.optional(node.returns and node.returns.annotation),
        }
        type_params = self.type_params(node.type_parameters)
        if "type_params" in kind._fields:
            fields["type_params"] = type_params
        return self.locate(make(kind, **fields), self.definition_start(node), self.last(node))

    def stmt_ClassDef(self, node: libcst.ClassDef) -> ast.stmt:
        bases, keywords = self.call_arguments([*node.bases, *node.keywords])
        fields = {
            "name": identifier(node.name),
            "bases": bases,
            "keywords": keywords,
            "body": self.stmts(node.body),
            "decorator_list": self.decorators(node),
        }
        type_params = self.type_params(node.type_parameters)
        if "type_params" in ast.ClassDef._fields:
            fields["type_params"] = type_params
        return self.locate(make(ast.ClassDef, **fields), self.definition_start(node), self.last(node))
