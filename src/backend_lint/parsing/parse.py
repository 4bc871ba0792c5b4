"""`parse_python`: the `ast.Module` of any file that a Python from 3.8 to 3.14 accepts.

The host's `ast.parse` is tried first and is all that runs for almost every file. Only when it
raises SyntaxError is the file parsed again with libcst (imported then, not before), whose
grammar covers every version, and converted into the `ast.Module` CPython would have built.
The converted tree is used only if it holds syntax newer than the host (see `newer_syntax`):
libcst also accepts some genuine errors, and then CPython's own message is reported.

Failures are `ParseFailure`, with a message for the user that never asks them to change
interpreter: CPython's syntax error and its place, "nested too deeply for Python's parser" for
the parser's limits (and recursion or memory exhaustion, also in the converter), and
"cannot parse" for text CPython refuses outright (null bytes).
"""

from __future__ import annotations

import ast

# CPython's messages for its nesting limits: the file is too deep, not newer.
_PARSER_LIMITS = frozenset({"too many nested parentheses", "too many levels of indentation", "too many nested f-strings"})


class ParseFailure(Exception):
    """A file that cannot be parsed: `message` is one line for the user, `line` where (or None)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        # an Error kind: "limit" for source nested beyond the parser's limits, else "syntax"
        self.kind = "limit" if message.startswith("nested too deeply") else "syntax"


def parse_python(text: str, filename: str) -> ast.Module:
    """The `ast.Module` of `text`, whichever Python from 3.8 to 3.14 it is written for."""
    try:
        return ast.parse(text, filename=filename)
    except SyntaxError as error:
        return _parse_newer(text, error)
    except (RecursionError, MemoryError) as error:
        raise _too_deep(error) from None
    except ValueError as error:  # null bytes, before 3.12
        raise ParseFailure(f"cannot parse: {error}") from None


def from_cst(text: str, filename: str) -> ast.Module:
    """The `ast.Module` of `text` as converted from libcst's tree, whatever the host accepts
    (the path `parse_python` takes for newer syntax; exposed to test it on any file)."""
    from .convert import convert_source

    try:
        return convert_source(text)[0]
    except (RecursionError, MemoryError) as error:
        raise _too_deep(error) from None
    except Exception as error:  # noqa: BLE001 - libcst's or the converter's refusal
        raise ParseFailure(f"cannot parse {filename} with libcst: {type(error).__name__}: {error}") from None


def _parse_newer(text: str, error: SyntaxError) -> ast.Module:
    if error.msg in _PARSER_LIMITS:
        raise ParseFailure(f"nested too deeply for Python's parser ({error.msg}, line {error.lineno})", error.lineno)
    if "null bytes" in str(error.msg):  # a SyntaxError from 3.12 on
        raise ParseFailure(f"cannot parse: {error.msg}") from None
    from .depth import too_deep

    reason = too_deep(text)
    if reason is not None:
        raise ParseFailure(f"nested too deeply for Python's parser ({reason})")
    try:
        tree = newer_syntax(text, error)
    except (RecursionError, MemoryError) as exc:
        raise _too_deep(exc) from None
    if tree is None:
        raise _syntax_error(error)
    return tree


def newer_syntax(text: str, error: SyntaxError) -> ast.Module | None:
    """The converted tree of `text` if it is valid newer syntax, None if it is just broken.

    It is newer syntax when libcst parses it, the converter finds nothing CPython would reject,
    and some statement at or before the line of the host's error uses a construct the host's
    grammar lacks: `except*` and PEP 646 stars (3.11), PEP 695 type parameters and aliases and
    PEP 701 f-strings (3.12; an f-string counts when the host's parser rejects it on its own),
    PEP 696 type parameter defaults (3.13), PEP 758 unparenthesised `except A, B:` and PEP 750
    t-strings (3.14). An error before every such statement is a genuine one.
    """
    import libcst

    from .common import Unsupported
    from .convert import convert_source

    try:
        tree, features = convert_source(text)
    except (libcst.ParserSyntaxError, Unsupported):
        return None
    line = error.lineno or 0
    return tree if any(first_line <= line for _, first_line in features) else None


def _syntax_error(error: SyntaxError) -> ParseFailure:
    where = f"line {error.lineno}" + (f", column {error.offset}" if error.offset else "")
    return ParseFailure(f"syntax error at {where}: {error.msg}", error.lineno)


def _too_deep(error: BaseException) -> ParseFailure:
    reason = "recursion limit" if isinstance(error, RecursionError) else "out of memory"
    return ParseFailure(f"nested too deeply for Python's parser ({reason})")
