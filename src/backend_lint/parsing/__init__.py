"""Parsing Python source into an `ast` tree (placeholder: the host grammar only, until the libcst
path lands)."""

from __future__ import annotations

import ast


class ParseFailure(Exception):
    """Source that no supported grammar accepts; `message` is one line for the user."""

    def __init__(self, message: str, line: int | None = None, kind: str = "syntax") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.kind = kind  # "syntax", or "limit" for source nested beyond the parser's limits


_PARSER_LIMITS = frozenset({"too many nested parentheses", "too many levels of indentation"})


def parse_python(text: str, filename: str) -> ast.Module:
    try:
        return ast.parse(text, filename=filename)
    except SyntaxError as exc:
        if exc.msg in _PARSER_LIMITS:
            raise ParseFailure(f"nested too deeply for Python's parser ({exc.msg}, line {exc.lineno})", exc.lineno, "limit") from None
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        raise ParseFailure(f"syntax error at {where}: {exc.msg}", exc.lineno) from None
    except (RecursionError, MemoryError):
        raise ParseFailure("nested too deeply for Python's parser", None, "limit") from None
    except ValueError as exc:
        raise ParseFailure(f"cannot parse: {exc}") from None
