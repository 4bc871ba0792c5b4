"""The converter's core: dispatch from libcst node types to `ast` builders, and positions.

`Converter` is assembled from one mixin per family of syntax (statements, compound statements,
expressions, arguments, patterns, strings), each in its own module; a mixin names its builders
`stmt_<libcst class>` or `expr_<libcst class>` and uses the helpers defined here. Positions are
always token ranges (see `tokens`): `locate(node, first, last)` gives `node` the start of token
`first` and the end of token `last`.

A construct CPython's parser would reject, or one newer than Python 3.14, raises `Unsupported`;
`parse_python` then reports the host parser's own syntax error. So do the checks libcst makes
while it builds its tree (`CSTValidationError`, e.g. for `b"a" "b"`).

libcst (1.9 and before) cannot build the tree of a t-string concatenated after another string
(`t"a" t"b"`): its `ConcatenatedString` check knows no `TemplatedString` on the right and
raises `CSTLogicError`. `convert_source` first gives that check the missing case (the same
parenthesis rule; what may be concatenated with a t-string is the converter's to say).
"""

from __future__ import annotations

import ast
import sys
import threading
from typing import Any, Callable

import libcst

from .arguments import ArgumentMixin
from .compound import CompoundMixin
from .expressions import ExpressionMixin
from .patterns import PatternMixin
from .statements import StatementMixin
from .strings import StringMixin
from .common import Unsupported
from .tokens import TokenMap, record_tokens


class Converter(StatementMixin, CompoundMixin, ExpressionMixin, ArgumentMixin, PatternMixin, StringMixin):
    """Builds the `ast.Module` CPython would build for the source of a libcst module."""

    def __init__(self, text: str, tokens: TokenMap) -> None:
        self.text = text
        self.tokens = tokens
        self._handlers: dict[str, Callable[[Any], Any]] = {}
        self.features: list[tuple[tuple[int, int], int]] = []  # (Python version, line) of newer syntax
        self._lines: list[int] = [1]  # first line of each statement being converted
        self.fstring_depth = 0

    def note(self, version: tuple[int, int]) -> None:
        """Record that the statement being converted uses syntax of Python `version`, if the
        host is older."""
        if version > sys.version_info[:2]:
            self.features.append((version, self._lines[-1]))

    # -- positions -------------------------------------------------------------------------

    def locate(self, node: ast.AST, first: int, last: int) -> Any:
        """`node`, placed from the start of token `first` to the end of token `last`."""
        node.lineno, node.col_offset = self.tokens.starts[first]
        node.end_lineno, node.end_col_offset = self.tokens.ends[last]
        return node

    def span(self, node: libcst.CSTNode) -> tuple[int, int]:
        return self.tokens.spans[node]

    def first(self, node: libcst.CSTNode) -> int:
        return self.tokens.spans[node][0]

    def last(self, node: libcst.CSTNode) -> int:
        return self.tokens.spans[node][1]

    def inner(self, node: libcst.CSTNode) -> tuple[int, int]:
        """The tokens of an expression without its own parentheses."""
        first, last = self.tokens.spans[node]
        depth = len(getattr(node, "lpar", ()))
        return first + depth, last - depth

    def without_comma(self, node: libcst.CSTNode) -> tuple[int, int]:
        """The tokens of an element, a parameter or an argument, without its trailing comma."""
        first, last = self.tokens.spans[node]
        return first, last - isinstance(getattr(node, "comma", None), libcst.Comma)

    def source(self, first: int, last: int) -> str:
        """The source text from the end of token `first` to the start of token `last`."""
        return self.text[self.tokens.offsets[first][1] : self.tokens.offsets[last][0]]

    # -- dispatch --------------------------------------------------------------------------

    def _handler(self, prefix: str, node: libcst.CSTNode) -> Callable[[Any], Any]:
        name = prefix + type(node).__name__
        handler = self._handlers.get(name)
        if handler is None:
            handler = getattr(self, name, None)
            if handler is None:
                raise Unsupported(type(node).__name__)
            self._handlers[name] = handler
        return handler

    def expr(self, node: libcst.CSTNode) -> Any:
        """The `ast.expr` of a libcst expression, placed without its own parentheses."""
        result = self._handler("expr_", node)(node)
        if "lineno" not in result.__dict__:
            self.locate(result, *self.inner(node))
        return result

    def optional(self, node: libcst.CSTNode | None) -> Any:
        return None if node is None else self.expr(node)

    def stmts(self, suite: libcst.CSTNode) -> list[ast.stmt]:
        """The statements of an indented block or of a suite on the header's line."""
        if isinstance(suite, libcst.SimpleStatementSuite):
            return [self.small(small) for small in suite.body]
        result: list[ast.stmt] = []
        for statement in suite.body:
            if isinstance(statement, libcst.SimpleStatementLine):
                result.extend(self.small(small) for small in statement.body)
                continue
            self._lines.append(self.tokens.starts[self.first(statement)][0])
            result.append(self._handler("stmt_", statement)(statement))
            self._lines.pop()
        return result

    def small(self, node: libcst.CSTNode) -> ast.stmt:
        """A simple statement, placed without its trailing semicolon."""
        first, last = self.span(node)
        self._lines.append(self.tokens.starts[first][0])
        result = self._handler("stmt_", node)(node)
        self._lines.pop()
        return self.locate(result, first, last - isinstance(node.semicolon, libcst.Semicolon))


def convert_source(text: str) -> tuple[ast.Module, list[tuple[tuple[int, int], int]]]:
    """The `ast.Module` of `text` parsed by libcst, and the newer-than-host syntax it uses as
    (Python version, line of its statement). Raises `Unsupported` for what CPython rejects,
    libcst's `ParserSyntaxError` for what libcst rejects, RecursionError when too deep.

    libcst's code generation (see `tokens`) and the converter recurse once per level of
    nesting, a chain `a + b + ...` or `"a" "b" ...` included, a few frames each: with the
    host's stack and recursion limit they would stop near 300 levels, where CPython goes on
    past 1,000 (`depth.too_deep` stops what is deeper than libcst's parser takes in seconds).
    So the work runs in a thread of its own with a large stack and a higher recursion limit,
    restored afterwards."""
    return _deep(_convert, text)


def _convert(text: str) -> tuple[ast.Module, list[tuple[tuple[int, int], int]]]:
    _accept_template_concatenation()
    try:
        module = libcst.parse_module(text)
    except (libcst.CSTValidationError, libcst.CSTLogicError) as error:
        raise Unsupported(str(error)) from None
    converter = Converter(text, record_tokens(module))
    try:
        tree = ast.Module(body=converter.stmts(module), type_ignores=[])
    except Unsupported as error:
        if error.line is None:
            error.line = converter._lines[-1]
        error.features = converter.features
        raise
    return tree, converter.features


_STACK_BYTES = 512 * 1024 * 1024  # address space, used only as deep as the recursion goes
_RECURSION_LIMIT = 40_000


def _deep(function: Callable[[str], Any], text: str) -> Any:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = function(text)
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = error

    limit = sys.getrecursionlimit()
    stack = threading.stack_size(_STACK_BYTES)
    sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
    try:
        worker = threading.Thread(target=run, name="backend-lint-libcst")
        worker.start()
        worker.join()
    finally:
        sys.setrecursionlimit(limit)
        threading.stack_size(stack)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _accept_template_concatenation() -> None:
    """Teach libcst's `ConcatenatedString` check the case of a t-string on the right."""
    check = libcst.ConcatenatedString._validate
    if getattr(check, "accepts_templates", False):
        return

    def validate(node: libcst.ConcatenatedString) -> None:
        if not isinstance(node.right, libcst.TemplatedString):
            check(node)
        elif node.left.lpar or node.left.rpar or node.right.lpar or node.right.rpar:
            raise libcst.CSTValidationError("Cannot concatenate parenthesized strings.")

    validate.accepts_templates = True  # type: ignore[attr-defined]
    libcst.ConcatenatedString._validate = validate  # type: ignore[method-assign]
