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
import re
import sys
import warnings

# CPython's messages for its nesting limits: the file is too deep, not newer.
_PARSER_LIMITS = frozenset({"too many nested parentheses", "too many levels of indentation", "too many nested f-strings"})


# CPython 3.10's parser has no guard against deep recursion: a chain of 150,000 operators
# (`1+1+...`, `a.b.b...`) crashes the process. A file long enough to hold one is scanned first.
_HOST_CRASHES_ON_CHAINS = sys.version_info < (3, 11)
_HOST_MAX_CHAIN = 150_000  # tokens: 75,000 operators, where 3.10 still parses 100,000


class ParseFailure(Exception):
    """A file that cannot be parsed: `message` is one line for the user, `line` where (or None),
    `kind` an Error kind: "limit" for source nested beyond the parsers' limits, else "syntax"."""

    def __init__(self, message: str, line: int | None = None, kind: str = "syntax") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.kind = kind


def parse_python(text: str, filename: str) -> ast.Module:
    """The `ast.Module` of `text`, whichever Python from 3.8 to 3.14 it is written for."""
    if _HOST_CRASHES_ON_CHAINS and len(text) > _HOST_MAX_CHAIN:
        from .depth import too_deep

        reason = too_deep(text, max_chain=_HOST_MAX_CHAIN)
        if reason is not None:
            raise ParseFailure(f"nested too deeply for Python's parser ({reason})", kind="limit")
    try:
        with warnings.catch_warnings():  # `"\d"` and the like: the linted file's business, not the user's terminal
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
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
        raise ParseFailure(f"nested too deeply for Python's parser ({error.msg}, line {error.lineno})", error.lineno, "limit")
    if "null bytes" in str(error.msg):  # a SyntaxError from 3.12 on
        raise ParseFailure(f"cannot parse: {error.msg}") from None
    from .depth import too_deep

    reason = too_deep(text)
    if reason is not None:
        raise ParseFailure(f"nested too deeply for Python's parser ({reason})", kind="limit")
    try:
        return newer_syntax(text, error)
    except (RecursionError, MemoryError) as exc:
        raise _too_deep(exc) from None


def newer_syntax(text: str, error: SyntaxError) -> ast.Module:
    """The converted tree of `text` if it is valid newer syntax, else the `ParseFailure` of
    its first genuine error.

    It is newer syntax when libcst parses it, the converter finds nothing CPython would reject,
    and some statement at or before the line of the host's error uses a construct the host's
    grammar lacks: `except*` and PEP 646 stars (3.11), PEP 695 type parameters and aliases and
    PEP 701 f-strings (3.12; an f-string counts when the host's parser rejects it on its own),
    PEP 696 type parameter defaults (3.13), PEP 758 unparenthesised `except A, B:` and PEP 750
    t-strings (3.14). An error before every such statement is a genuine one: the host's.

    When libcst or the converter refuses the file after the line of the host's error, that
    refusal is the first genuine error (the host stopped at newer syntax), reported at its own
    line with libcst's or the converter's message.
    """
    import libcst

    from .common import Unsupported
    from .convert import convert_source

    line = error.lineno or 0
    try:
        tree, features = convert_source(text)
    except libcst.ParserSyntaxError as refusal:
        raise _later_error(error, refusal_line(text, refusal), "invalid syntax") from None
    except Unsupported as refusal:
        if any(first_line <= line for _, first_line in refusal.features):
            raise _later_error(error, refusal.line, str(refusal)) from None
        raise _syntax_error(error) from None
    if any(first_line <= line for _, first_line in features):
        return tree
    raise _syntax_error(error)


_LIBCST_AT = re.compile(r"error at (\d+):(\d+)")
_LINES = re.compile(r"\r\n|\r|\n")


def refusal_line(text: str, refusal: Exception) -> int | None:
    """The line of libcst's syntax error. libcst names the token after the one it could not
    take (`pass` on the next line for `def f(:`), so the error is on the last line with code
    before that token."""
    found = _LIBCST_AT.search(getattr(refusal, "message", ""))
    if found is None:
        return getattr(refusal, "raw_line", None)
    line, column = int(found[1]), int(found[2])
    lines = _LINES.split(text)
    if line <= len(lines) and lines[line - 1][:column].strip():
        return line
    for number in range(min(line, len(lines) + 1) - 1, 0, -1):
        code = lines[number - 1].strip()
        if code and not code.startswith("#"):
            return number
    return line


def _later_error(error: SyntaxError, line: int | None, message: str) -> ParseFailure:
    """The error at `line` if it comes after the host's, else the host's own."""
    if line is None or line <= (error.lineno or 0):
        return _syntax_error(error)
    return ParseFailure(f"syntax error at line {line}: {message}", line)


def _syntax_error(error: SyntaxError) -> ParseFailure:
    where = f"line {error.lineno}" + (f", column {error.offset}" if error.offset else "")
    return ParseFailure(f"syntax error at {where}: {error.msg}", error.lineno)


def _too_deep(error: BaseException) -> ParseFailure:
    reason = "recursion limit" if isinstance(error, RecursionError) else "out of memory"
    return ParseFailure(f"nested too deeply for Python's parser ({reason})", kind="limit")
