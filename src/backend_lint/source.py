"""The source unit: one file read, decoded and parsed once, for every engine and every later stage.

`load_unit` never raises for a bad file: what cannot be read or decoded, or does not parse, is the
unit's `error` (an `Error` record), and the rest of the unit is still filled in as far as it goes
(a file that does not parse still has its text, lines and suppression comments, so the findings of
engines that read it anyway, ruff and semgrep, are fingerprinted and suppressed like any others).
The unit is built in the worker processes; only plain records leave them.
"""

from __future__ import annotations

import ast
import hashlib
import io
import itertools
import os
import re
import stat
import tokenize
from dataclasses import dataclass, field

from .model import Directive, Error
from .parsing import ParseFailure, parse_python
from .suppress import parse_directives, statement_spans

MAX_BYTES = 20 * 1024 * 1024
# The in-process engines hold a file's whole syntax tree (about 600 bytes per node on CPython 3.11,
# with the semantic model and dataflow tables built from it): a file of more tokens than this is
# not parsed, so one worker stays near 500 MiB whatever the file (the external engines still
# check it). A file of at most this many bytes cannot have more tokens, and is never counted.
MAX_TOKENS = 500_000
# Roughly one token per syntax node: a string or comment is one token (few nodes), an f-string is
# counted piece by piece (its expressions are nodes), and counting stops at the limit.
_TOKEN = re.compile(
    r"""(?<!\w)[rRbBuU]{0,2}(?: '{3}[\s\S]*?'{3} | "{3}[\s\S]*?"{3} | '(?:[^'\\\n]|\\.)*' | "(?:[^"\\\n]|\\.)*" )
    | \#[^\n]* | \w+ | [^\w\s]""",
    re.VERBOSE,
)
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")  # PEP 263
_NOT_UTF8 = "not valid UTF-8 (line {line}) and no coding declaration; binary file or wrong encoding?"
_NEWLINE = re.compile(r"\r\n|\r|\n")
# What `str.splitlines` also splits at, besides \n, \r\n and \r.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


class SourceError(Exception):
    """A file that cannot be read or decoded; the message is for the user, `kind` an ERROR_KINDS."""

    def __init__(self, message: str, kind: str = "unreadable") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class SourceUnit:
    """One file as every engine sees it. `tree` is None when `error` says why (or when the unit was
    loaded without parsing); `text` is None when the file could not be read or decoded."""

    path: str  # as the OS finds it
    display: str  # as reports show it
    is_test: bool = False
    text: str | None = None
    lines: list[str] = field(default_factory=list)
    tree: ast.Module | None = None
    error: Error | None = None
    digest: str | None = None  # content hash of the bytes read
    stamp: list | None = None  # the file's status when it was opened (see `stamp_of`)
    directives: tuple[Directive, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    derived: dict = field(default_factory=dict, repr=False, compare=False)  # what engines build from it once and share



def load_unit(path: str, display: str, is_test: bool = False, read: tuple[bytes, list] | None = None) -> SourceUnit:
    """Read, decode and parse one file; `read` is its content and stamp if already read in this run
    (by the cache lookup, to hash it), so no file is read twice."""
    unit = SourceUnit(path, display, is_test)
    try:
        data, stamp = read if read is not None else read_stamped(path)
        unit.digest, unit.stamp = content_hash(data), stamp
        unit.text = decode_source(data)
    except SourceError as exc:
        unit.error = Error(exc.kind, str(exc), display)
        return unit
    unit.lines = source_lines(unit.text)
    unit.directives = parse_directives(unit.text)
    if len(unit.text) > MAX_TOKENS and count_tokens(unit.text, MAX_TOKENS) > MAX_TOKENS:
        size = len(data) / (1024 * 1024)
        message = (f"too large to analyse: more than {MAX_TOKENS:,} tokens ({size:.1f} MiB, {len(unit.lines):,} lines; "
                   f"the limit keeps memory bounded); checked by the external engines only")  # fmt: skip
        unit.error = Error("limit", message, display)
        return unit
    try:
        unit.tree = parse_python(unit.text, display)
    except ParseFailure as exc:
        unit.error = Error(exc.kind, exc.message, display)
        return unit
    if unit.directives:  # only suppression comments need the statements' spans
        try:
            unit.spans = statement_spans(unit.tree)
        except RecursionError:
            unit.spans = ()
    return unit


def count_tokens(text: str, limit: int) -> int:
    """The number of Python tokens of `text`, roughly, counting no further than `limit` + 1."""
    return sum(1 for _ in itertools.islice(_TOKEN.finditer(text), limit + 1))


# -- reading ------------------------------------------------------------------------------------
def read_stamped(path: str) -> tuple[bytes, list]:
    """The raw content of a file and its stamp when opened, or SourceError."""
    data, opened = read_with_stat(path)
    return data, stamp_of(opened)


def read_with_stat(path: str) -> tuple[bytes, os.stat_result]:
    """The raw content of a regular file of sane size, with the status of the opened file taken
    before reading it (what the cache records: a change after that moment must not be attributed to
    the content read); SourceError otherwise."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise SourceError("broken symbolic link") from None
        raise SourceError("file not found") from None
    except OSError as exc:
        if os.path.islink(path):
            raise SourceError(f"symbolic link cannot be resolved ({exc.strerror.lower()})") from None
        raise SourceError(f"cannot read file ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise SourceError("is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise SourceError("not a regular file (FIFO, socket or device); skipped")
    if st.st_size > MAX_BYTES:
        raise SourceError(f"file larger than {MAX_BYTES // (1024 * 1024)} MiB; skipped", "limit")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            opened = os.fstat(fd)
            data = fh.read()
    except OSError as exc:
        raise SourceError(f"cannot read file ({exc.strerror or exc})") from None
    return data, opened


def decode_source(data: bytes) -> str:
    """Text of a Python file's bytes, honouring its coding cookie, or SourceError."""
    if b"\0" in data:
        raise SourceError("file contains null bytes (binary file?); skipped")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(_encoding_problem(data, exc)) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if not _COOKIE.match(data.split(b"\n", 1)[0]) and not _COOKIE.match((data.split(b"\n", 2)[1:2] or [b""])[0]):
            raise SourceError(_NOT_UTF8.format(line=line)) from None
        raise SourceError(f"cannot decode line {line} as {encoding}; wrong coding declaration?") from None
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r} in coding declaration") from None
    return text[1:] if text.startswith("\ufeff") else text


def read_source(path: str) -> str:
    """The decoded text of a Python file, or SourceError."""
    return decode_source(read_with_stat(path)[0])


def _encoding_problem(data: bytes, exc: SyntaxError) -> str:
    """Why `tokenize.detect_encoding` refused the file, in the user's terms."""
    message = str(exc.msg if hasattr(exc, "msg") else exc)
    if message.startswith("invalid or missing encoding declaration"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = data.count(b"\n", 0, err.start) + 1
            return _NOT_UTF8.format(line=line)
    return f"bad coding declaration: {message}"


def source_lines(source: str) -> list[str]:
    """The lines as Python numbers them: only \\n, \\r\\n and \\r end a line. (`str.splitlines`
    also splits at form feeds and other separators, which would shift every later line; it is
    used, being twice as fast, only for text without them.)"""
    if _OTHER_BREAKS.search(source) is None:
        return source.splitlines()
    lines = _NEWLINE.split(source)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# -- identity -----------------------------------------------------------------------------------
def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def stamp_of(st: os.stat_result) -> list:
    """What identifies a file's state without reading it: size, mtime and ctime (a write, a
    chmod or a copy over it changes ctime), inode (another file moved in its place) and mode
    (permissions decide which engines may read it)."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode]


def file_stamp(path: str) -> list | None:
    try:
        return stamp_of(os.stat(path))
    except OSError:
        return None
