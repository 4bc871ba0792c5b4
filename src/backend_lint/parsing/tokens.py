"""Where every significant token of a libcst tree lies, in CPython's terms.

libcst trees are lossless: generating their code reproduces the source exactly. `record_tokens`
runs that code generation once with a state that, instead of collecting text, numbers the
*significant* tokens (everything but whitespace, comments, newlines and indentation) and notes
for each node the first and last of its tokens. A position of `ast` is then always "the start
of token i to the end of token j": CPython's parser sets every node's range from the first and
last token its grammar rule matched, and the converter only has to say which tokens those are
(for instance, an expression's own parentheses are not part of it, its children's are).

Columns are UTF-8 byte offsets from the start of the line, as in CPython; lines are numbered
from 1 and end at \\n, \\r\\n or \\r. Each token also keeps its character offsets into the
source, for the few nodes whose *value* is source text (f-string debug text, t-string
expressions).

This uses libcst's code generation protocol (`CSTNode._codegen` and `CodegenState`), the same
one its own PositionProvider is built on. `CSTNode._codegen` passes `**kwargs` on to each
node's `_codegen_impl`; before Python 3.13 such a call goes through C, so a chain of a few
hundred `+` or adjacent strings met CPython 3.12's fixed C recursion limit. `record_tokens`
first makes `_codegen` call `_codegen_impl` directly when there are no keyword arguments
(the same calls, made the same way as every other call there).
"""

from __future__ import annotations

import re

import libcst
from libcst._nodes.internal import CodegenState

_NEWLINE = re.compile(r"\r\n?|\n")
# Exact classes, not an isinstance() tuple: libcst's node classes are ABCs, slow to test.
_WHITESPACE_NODES = frozenset(
    {
        libcst.SimpleWhitespace,
        libcst.ParenthesizedWhitespace,
        libcst.TrailingWhitespace,
        libcst.EmptyLine,
        libcst.Newline,
        libcst.Comment,
    }
)


class TokenMap:
    """The significant tokens of a module and, per node, the index of its first and last."""

    __slots__ = ("starts", "ends", "offsets", "spans")

    def __init__(self) -> None:
        self.starts: list[tuple[int, int]] = []  # (line, byte column) where token i starts
        self.ends: list[tuple[int, int]] = []  # (line, byte column) where it ends
        self.offsets: list[tuple[int, int]] = []  # its (start, end) character offsets
        self.spans: dict[libcst.CSTNode, tuple[int, int]] = {}

    def span(self, node: libcst.CSTNode) -> tuple[int, int]:
        """Index of the first and last significant token of `node`."""
        return self.spans[node]


class _Recorder(CodegenState):
    """A code generation state that records token positions instead of text."""

    def __init__(self, module: libcst.Module, tokens: TokenMap) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.map = tokens
        self.line = 1
        self.column = 0  # in bytes
        self.offset = 0  # in characters
        self.quiet = 0  # > 0 inside a whitespace node
        self.stack: list[int] = []
        # `Module` adds a newline when no token was collected; tokens are counted, not kept.
        self.tokens = [""]

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self._advance(token)

    def add_token(self, value: str) -> None:
        if self.quiet or not value:  # libcst emits some empty tokens, e.g. a parameter's star
            self._advance(value)
            return
        tokens = self.map
        tokens.starts.append((self.line, self.column))
        start = self.offset
        self._advance(value)
        tokens.ends.append((self.line, self.column))
        tokens.offsets.append((start, self.offset))

    def _advance(self, value: str) -> None:
        self.offset += len(value)
        if "\n" not in value and "\r" not in value:
            self.column += len(value) if value.isascii() else len(value.encode("utf-8"))
            return
        pieces = _NEWLINE.split(value)
        self.line += len(pieces) - 1
        last = pieces[-1]
        self.column = len(last) if last.isascii() else len(last.encode("utf-8"))

    def before_codegen(self, node: libcst.CSTNode) -> None:
        if type(node) in _WHITESPACE_NODES:
            self.quiet += 1
        self.stack.append(len(self.map.starts))

    def after_codegen(self, node: libcst.CSTNode) -> None:
        first = self.stack.pop()
        if type(node) in _WHITESPACE_NODES:
            self.quiet -= 1
            return
        last = len(self.map.starts) - 1
        if last >= first:
            self.map.spans[node] = (first, last)


def record_tokens(module: libcst.Module) -> TokenMap:
    """The significant tokens of `module`, generated from its tree."""
    _direct_codegen()
    tokens = TokenMap()
    module._codegen(_Recorder(module, tokens))
    return tokens


def _direct_codegen() -> None:
    node_class = libcst.CSTNode
    if getattr(node_class._codegen, "direct", False):
        return

    def _codegen(self: libcst.CSTNode, state: CodegenState, **kwargs: object) -> None:
        state.before_codegen(self)
        if kwargs:
            self._codegen_impl(state, **kwargs)
        else:
            self._codegen_impl(state)
        state.after_codegen(self)

    _codegen.direct = True  # type: ignore[attr-defined]
    node_class._codegen = _codegen  # type: ignore[method-assign]
