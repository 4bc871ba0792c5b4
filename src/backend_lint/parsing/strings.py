"""String literals, their implicit concatenation, f-strings (PEP 701 included) and t-strings.

As CPython 3.12+ builds them: a run of adjacent literal pieces is one `ast.Constant` placed
from the first piece to the last (a plain string's piece includes its quotes, an f-string's
text does not), empty pieces are dropped, `{x=}` adds its source text `x=` as a constant
before the `FormattedValue` and defaults the conversion to `!r` when there is no format spec.
A format spec is an `ast.JoinedStr` from its `:` to its last piece. T-strings (PEP 750) are
`TemplateStr` of `Constant` and `Interpolation` (see `nodes`), never `JoinedStr`; they may only
be concatenated with t-strings.

(Python 3.11 and older place the pieces of an f-string at the whole string instead; the
converter always gives the real positions, as every newer CPython does.)
"""

from __future__ import annotations

import ast
import re
import sys
from typing import Any, Iterator

import libcst

from .common import Unsupported
from .literals import decode, literal_value
from .nodes import Interpolation, TemplateStr

_FORMATTED = (libcst.FormattedString, libcst.TemplatedString)
_LINE_END = re.compile(r"\r\n?")


class StringMixin:
    """Builders of `ast.Constant`, `ast.JoinedStr` and `TemplateStr` from string literals."""

    def expr_SimpleString(self, node: libcst.SimpleString) -> ast.expr:
        kind = "u" if node.value.startswith("u") else None  # as CPython: a lower-case u only
        return ast.Constant(value=literal_value(node.value), kind=kind)

    def expr_FormattedString(self, node: libcst.CSTNode) -> ast.expr:
        return self.strings([node])

    expr_TemplatedString = expr_FormattedString

    def expr_ConcatenatedString(self, node: libcst.ConcatenatedString) -> ast.expr:
        parts = []
        while isinstance(node, libcst.ConcatenatedString):
            parts.append(node.left)
            node = node.right
        return self.strings([*parts, node])

    def strings(self, parts: list[Any]) -> ast.expr:
        """The node of adjacent string literals (placed by the caller, at all of them)."""
        templates = sum(isinstance(part, libcst.TemplatedString) for part in parts)
        if templates and templates != len(parts):
            raise Unsupported("cannot mix t-string literals with string or bytes literals")
        plain = [self.expr(part) for part in parts if not isinstance(part, _FORMATTED)]
        if any(isinstance(item.value, bytes) for item in plain) and len(plain) != len(parts) or _mixed(plain):
            raise Unsupported("cannot mix bytes and nonbytes literals")
        if len(plain) == len(parts):
            joined = plain[0].value[:0].join(item.value for item in plain)
            return ast.Constant(value=joined, kind=plain[0].kind)
        plain.reverse()
        pieces: list[ast.expr] = []
        for part in parts:
            if isinstance(part, _FORMATTED):
                pieces.extend(self.formatted_pieces(part))
            else:
                pieces.append(plain.pop())
        return (TemplateStr if templates else ast.JoinedStr)(values=fold(pieces))

    def formatted_pieces(self, node: Any) -> list[ast.expr]:
        """The constants and replacement fields of one f-string or t-string, in order."""
        raw = "r" in node.prefix.lower()
        template = isinstance(node, libcst.TemplatedString)
        if template:
            self.note((3, 14))
        elif not self.fstring_depth and sys.version_info < (3, 12) and not self.host_accepts(node):
            self.note((3, 12))  # PEP 701: what the host's f-string parser rejects on its own
        pieces: list[ast.expr] = []
        self.fstring_depth += 1
        for part in node.parts:
            if isinstance(part, (libcst.FormattedStringText, libcst.TemplatedStringText)):
                value = decode(part.value.replace("{{", "{").replace("}}", "}"), raw=raw)
                if value:
                    pieces.append(self.locate(ast.Constant(value=value, kind=None), *self.span(part)))
            else:
                pieces.extend(self.replacement_field(part, raw, template))
        self.fstring_depth -= 1
        return pieces

    def host_accepts(self, node: libcst.CSTNode) -> bool:
        first, last = self.span(node)
        source = self.text[self.tokens.offsets[first][0] : self.tokens.offsets[last][1]]
        try:
            ast.parse(f"(\n{source}\n)", mode="eval")
        except SyntaxError:
            return False
        return True

    def replacement_field(self, node: Any, raw: bool, template: bool) -> Iterator[ast.expr]:
        """`{expression=!r:spec}`: the debug text if `=` is there, then the field itself."""
        opening = self.first(node)
        delimiter = self.last(node.equal if node.equal is not None else node.expression) + 1
        text = _LINE_END.sub("\n", self.source(opening, delimiter))
        if node.conversion is not None:
            conversion = ord(node.conversion)
        else:
            conversion = ord("r") if node.equal is not None and node.format_spec is None else -1
        spec = self.format_spec(node, delimiter + 2 * (node.conversion is not None), raw)
        value = self.expr(node.expression)
        if template:
            field = Interpolation(value=value, str=_expression_text(text), conversion=conversion, format_spec=spec)
        else:
            field = ast.FormattedValue(value=value, conversion=conversion, format_spec=spec)
        if node.equal is not None:
            debug = ast.Constant(value=decode(text, raw=raw or "\\" not in text), kind=None)
            debug.lineno, debug.col_offset = self.tokens.ends[opening]
            debug.end_lineno, debug.end_col_offset = self.tokens.starts[delimiter]
            yield debug
        yield self.locate(field, *self.span(node))

    def format_spec(self, node: Any, colon: int, raw: bool) -> ast.expr | None:
        """The `ast.JoinedStr` of what follows the `:` of a replacement field, or None."""
        if node.format_spec is None:
            return None
        pieces: list[ast.expr] = []
        for part in node.format_spec:
            if isinstance(part, (libcst.FormattedStringText, libcst.TemplatedStringText)):
                value = decode(part.value, raw=raw)
                if value:
                    pieces.append(self.locate(ast.Constant(value=value, kind=None), *self.span(part)))
            else:
                pieces.extend(self.replacement_field(part, raw, template=False))
        if len(pieces) > 1 or (pieces and not isinstance(pieces[0], ast.Constant)):
            pieces = fold(pieces)
        last = self.last(node.format_spec[-1]) if node.format_spec else colon
        return self.locate(ast.JoinedStr(values=pieces), colon, last)


def fold(pieces: list[ast.expr]) -> list[ast.expr]:
    """Adjacent constants merged into one placed over all of them; empty ones dropped."""
    values: list[ast.expr] = []
    start = 0
    while start < len(pieces):
        piece = pieces[start]
        end = start + 1
        if isinstance(piece, ast.Constant):
            while end < len(pieces) and isinstance(pieces[end], ast.Constant):
                end += 1
            if end - start > 1:
                merged = ast.Constant(value="".join(item.value for item in pieces[start:end]), kind=piece.kind)
                merged.lineno, merged.col_offset = piece.lineno, piece.col_offset
                merged.end_lineno, merged.end_col_offset = pieces[end - 1].end_lineno, pieces[end - 1].end_col_offset
                piece = merged
            if piece.value == "":
                start = end
                continue
        values.append(piece)
        start = end
    return values


def _mixed(plain: list[ast.Constant]) -> bool:
    return len({type(item.value) for item in plain}) > 1


def _expression_text(text: str) -> str:
    """`Interpolation.str`: the field's source without the trailing blanks and `=` of a debug
    field (CPython 3.14 also drops trailing blanks of other fields; leading ones stay)."""
    end = len(text)
    while end and (text[end - 1].isspace() or text[end - 1] == "="):
        end -= 1
    return text[:end]
