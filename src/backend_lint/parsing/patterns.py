"""The match statement (PEP 634) and its patterns.

Patterns are placed like expressions: without their own parentheses, except that a sequence
pattern written `(a, b)` or `[a, b]` includes its brackets. `match_case` has no position.
"""

from __future__ import annotations

import ast
from typing import Any

import libcst

from .common import Unsupported, identifier

_SINGLETONS = {"True": True, "False": False, "None": None}


class PatternMixin:
    """Builders of `ast.Match` and of `ast.pattern` nodes."""

    def stmt_Match(self, node: libcst.Match) -> ast.stmt:
        cases = [
            ast.match_case(pattern=self.pattern(case.pattern), guard=self.optional(case.guard), body=self.stmts(case.body))
            for case in node.cases
        ]
        return self.locate(ast.Match(subject=self.expr(node.subject), cases=cases), *self.span(node))

    def pattern(self, node: libcst.CSTNode) -> Any:
        result = self._handler("pat_", node)(node)
        if "lineno" not in result.__dict__:
            self.locate(result, *self.inner(node))
        return result

    def pat_MatchValue(self, node: libcst.MatchValue) -> ast.pattern:
        return ast.MatchValue(value=self.expr(node.value))

    def pat_MatchSingleton(self, node: libcst.MatchSingleton) -> ast.pattern:
        return ast.MatchSingleton(value=_SINGLETONS[node.value.value])

    def pat_MatchAs(self, node: libcst.MatchAs) -> ast.pattern:
        name = identifier(node.name) if node.name is not None else None
        if name == "_" and node.pattern is not None:
            raise Unsupported("cannot use '_' as a target")
        pattern = self.pattern(node.pattern) if node.pattern is not None else None
        return ast.MatchAs(pattern=pattern, name=None if name == "_" else name)

    def pat_MatchOr(self, node: libcst.MatchOr) -> ast.pattern:
        return ast.MatchOr(patterns=[self.pattern(element.pattern) for element in node.patterns])

    def sequence_items(self, node: Any) -> list[ast.pattern]:
        items = []
        for element in node.patterns:
            if isinstance(element, libcst.MatchStar):
                star = ast.MatchStar(name=identifier(element.name) if element.name is not None else None)
                if star.name == "_":
                    star.name = None
                items.append(self.locate(star, *self.without_comma(element)))
            else:
                items.append(self.pattern(element.value))
        return items

    def pat_MatchList(self, node: libcst.MatchList) -> ast.pattern:
        return ast.MatchSequence(patterns=self.sequence_items(node))

    def pat_MatchTuple(self, node: libcst.MatchTuple) -> ast.pattern:
        return self.locate(ast.MatchSequence(patterns=self.sequence_items(node)), *self.keep_one_paren(node))

    def pat_MatchMapping(self, node: libcst.MatchMapping) -> ast.pattern:
        keys = [self.expr(element.key) for element in node.elements]
        patterns = [self.pattern(element.pattern) for element in node.elements]
        rest = identifier(node.rest) if node.rest is not None else None
        return ast.MatchMapping(keys=keys, patterns=patterns, rest=rest)

    def pat_MatchClass(self, node: libcst.MatchClass) -> ast.pattern:
        return ast.MatchClass(
            cls=self.expr(node.cls),
            patterns=[self.pattern(element.value) for element in node.patterns],
            kwd_attrs=[identifier(element.key) for element in node.kwds],
            kwd_patterns=[self.pattern(element.pattern) for element in node.kwds],
        )
