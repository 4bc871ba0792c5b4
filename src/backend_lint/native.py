"""The native engine: read a file safely, parse it once with `ast`, build its semantic model once,
and dispatch every node to the rules that asked for its type, in a single iterative walk.

`analyse_file` never raises for a bad file: whatever cannot be read or parsed becomes the
`error` of its `FileResult`. It also returns what suppression needs later (directives and
statement spans), so findings of every engine are silenced the same way.
"""

from __future__ import annotations

import ast
import io
import os
import re
import stat
import sys
import tokenize
from dataclasses import dataclass, field
from functools import lru_cache

from .model import Finding, FileError, assign_fingerprints
from .rule import Rule
from .semantic import NO_ROLE, FunctionRole, SemanticModel
from .suppress import Directive, parse_directives, statement_spans

MAX_BYTES = 20 * 1024 * 1024
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")  # PEP 263
_NOT_UTF8 = "not valid UTF-8 (line {line}) and no coding declaration; binary file or wrong encoding?"


_NEWLINE = re.compile(r"\r\n|\r|\n")
# What `str.splitlines` also splits at, besides \n, \r\n and \r.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


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


class SourceError(Exception):
    """A file that cannot be analysed; the message is for the user."""


class RuleCrash(Exception):
    """A rule raised: an internal error of backend-lint, reported per file, never a traceback."""

    def __init__(self, code: str, node: ast.AST, exc: Exception) -> None:
        line = getattr(node, "lineno", "?")
        super().__init__(f"internal error in rule {code} at line {line}: {type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class FileResult:
    path: str
    findings: tuple[Finding, ...] = ()
    error: FileError | None = None
    directives: tuple[Directive, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    lines: int = 0


def read_source(path: str) -> str:
    """The decoded text of a Python file, honouring its coding cookie, or SourceError."""
    return decode_source(read_bytes(path))


def read_bytes(path: str) -> bytes:
    """The raw content of a regular file of sane size, or SourceError."""
    return read_with_stat(path)[0]


def read_with_stat(path: str) -> tuple[bytes, os.stat_result]:
    """`read_bytes`, with the status of the opened file taken before reading it (what the cache
    records: a change after that moment must not be attributed to the content read)."""
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
        raise SourceError(f"file larger than {MAX_BYTES // (1024 * 1024)} MiB; skipped")
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


def parse_source(text: str, path: str) -> ast.Module:
    try:
        return ast.parse(text, filename=path)
    except SyntaxError as exc:
        if exc.msg in _PARSER_LIMITS:
            raise SourceError(f"nested too deeply for Python's parser ({exc.msg}, line {exc.lineno})") from None
        needed = _newer_python_needed(text, exc)
        if needed is not None:
            running = f"{sys.version_info.major}.{sys.version_info.minor}"
            raise SourceError(
                f"uses Python {needed} syntax, which Python {running} cannot parse; "
                f"run backend-lint under Python {needed} or newer"
            ) from None
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        raise SourceError(f"syntax error at {where}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise SourceError("nested too deeply for Python's parser") from None
    except ValueError as exc:
        raise SourceError(f"cannot parse: {exc}") from None


# SyntaxError messages of CPython's own nesting limits: not newer syntax, just too deep for `ast`.
_PARSER_LIMITS = frozenset({"too many nested parentheses", "too many levels of indentation"})
# libcst node types of syntax newer than some Python, with the first Python that parses it.
_NEWER_NODES = {"Match": (3, 10), "TryStar": (3, 11), "TypeAlias": (3, 12), "TypeParameters": (3, 12),
                "TemplatedString": (3, 14)}  # fmt: skip


def _newer_python_needed(text: str, exc: SyntaxError) -> str | None:
    """"3.12" when `text` is valid for a newer Python than the running one, else None (broken file).

    libcst accepts every grammar up to the newest Python; `ast` only the running one. libcst is
    also more lenient than CPython on some genuine errors, so a newer Python is named only when
    the tree holds a construct the running Python lacks.
    """
    try:
        import libcst  # imported lazily: only broken files pay for it
    except ImportError:  # pragma: no cover - libcst is a dependency
        return None
    try:
        module = libcst.parse_module(text)
    except Exception:  # noqa: BLE001 - any libcst failure means "genuinely broken"
        return None
    found: set[tuple[int, int]] = set()
    if str(exc.msg).startswith("f-string"):
        found.add((3, 12))  # PEP 701: quotes and backslashes inside f-string braces

    class Collect(libcst.CSTVisitor):
        def on_visit(self, node) -> bool:
            version = _NEWER_NODES.get(type(node).__name__)
            if version:
                found.add(version)
            return True

    try:
        module.visit(Collect())
    except RecursionError:
        pass
    newer = sorted(v for v in found if v > sys.version_info[:2])
    return f"{newer[-1][0]}.{newer[-1][1]}" if newer else None


@dataclass
class FileContext:
    """What a rule sees of the file being analysed. Rebuilt for every file."""

    path: str
    source: str
    lines: list[str]
    tree: ast.Module
    model: SemanticModel
    is_test: bool = False
    ancestors: list[ast.AST] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    agent_overrides: dict[str, str] = field(default_factory=dict)

    # -- where we are --------------------------------------------------------------------------
    def enclosing_function(self) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        for node in reversed(self.ancestors):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node
        return None

    def enclosing_class(self, function: ast.AST | None = None) -> ast.ClassDef | None:
        """The class a function is directly defined in (or the innermost class, with no function)."""
        seen_function = function is None
        for node in reversed(self.ancestors):
            if node is function:
                seen_function = True
            elif isinstance(node, ast.ClassDef) and seen_function:
                return node
            elif seen_function and function is not None and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return None
        return None

    def function_role(self) -> FunctionRole:
        """Role of the innermost *framework-relevant* enclosing function (a nested helper inherits it)."""
        for node in reversed(self.ancestors):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                role = self.model.role(node, self._class_of(node))
                if role.framework:
                    return role
        return NO_ROLE

    def _class_of(self, function: ast.AST) -> ast.ClassDef | None:
        idx = next(i for i, n in enumerate(self.ancestors) if n is function)
        parent = self.ancestors[idx - 1] if idx else None
        return parent if isinstance(parent, ast.ClassDef) else None

    def parent(self) -> ast.AST | None:
        return self.ancestors[-1] if self.ancestors else None

    def segment(self, node: ast.AST) -> str:
        """The source text of a node, like `ast.get_source_segment` but without re-splitting the
        whole file at every call (that showed up in the profile on large files)."""
        start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        if start is None or end is None or not 0 < start <= end <= len(self.lines):
            return ""
        col, end_col = node.col_offset, node.end_col_offset
        if start == end:
            return self.lines[start - 1].encode()[col:end_col].decode("utf-8", "replace")
        first = self.lines[start - 1].encode()[col:].decode("utf-8", "replace")
        last = self.lines[end - 1].encode()[:end_col].decode("utf-8", "replace")
        return "\n".join([first, *self.lines[start : end - 1], last])

    # -- reporting -----------------------------------------------------------------------------
    def report(self, rule: Rule, node: ast.AST, message: str, **overrides) -> None:
        """A finding of `rule` at `node`; `line`, `column`, `end_line`, `end_column` (1-based,
        characters) narrow it, e.g. to the line of a long string that holds the problem."""
        line = overrides.pop("line", None) or node.lineno
        end_line = overrides.pop("end_line", None) or getattr(node, "end_lineno", None) or line
        column = overrides.pop("column", None) or self._char_col(line, getattr(node, "col_offset", 0)) + 1
        end_column = overrides.pop("end_column", None)
        if end_column is None and end_line == getattr(node, "end_lineno", None):
            end_column = self._char_col(end_line, getattr(node, "end_col_offset", None) or 0) + 1
        elif end_column is None:  # the finding stops before the node does: up to the end of its last line
            end_column = len(self.lines[end_line - 1]) + 1 if 0 < end_line <= len(self.lines) else column
        if end_line == line and end_column < column:
            end_column = column
        self.findings.append(
            Finding(
                rule=rule.code,
                name=rule.name,
                category=overrides.pop("category", rule.category),
                severity=overrides.pop("severity", rule.severity),
                confidence=overrides.pop("confidence", rule.confidence),
                message=message,
                path=self.path,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                agent=self.agent_overrides.get(rule.code, overrides.pop("agent", rule.agent)),
                checklist=tuple(overrides.pop("checklist", rule.checklist)),
                cwe=tuple(overrides.pop("cwe", rule.cwe)),
                engine="native",
            )
        )

    def _char_col(self, line: int, byte_col: int) -> int:
        """ast columns count UTF-8 bytes; reports count characters."""
        if not byte_col or line < 1 or line > len(self.lines):
            return byte_col
        text = self.lines[line - 1]
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


def build_dispatch(rules: list[Rule]) -> dict[type, list[Rule]]:
    table: dict[type, list[Rule]] = {}
    for rule in rules:
        for node_type in rule.NODES:
            table.setdefault(node_type, []).append(rule)
    return table


# Operators and expression contexts (`Load`, `Add`, `Eq`...) are a third of all nodes; they have no
# children and no position, so the walk only visits them when a rule asked for one of their types.
_LEAF_BASES = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
_LEAF_FIELDS = frozenset({"ctx", "op", "ops"})
# Nodes without child nodes: when no rule wants their type they are not even put on the stack
# (`Name` and `Constant` alone are 40% of the rest).
_CHILDLESS = frozenset({ast.Name, ast.Constant, ast.alias, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal})


class ChildFields(dict):
    """Node type -> the names of its fields that hold child nodes (reversed), filled in lazily.

    Shared between the files of a run; leaf fields are left out unless a rule asked for leaves.
    """

    def __init__(self, skip_leaves: bool) -> None:
        super().__init__()
        self.skip_leaves = skip_leaves

    @staticmethod
    @lru_cache(maxsize=2)
    def shared(skip_leaves: bool) -> ChildFields:
        return ChildFields(skip_leaves)

    @staticmethod
    def for_dispatch(dispatch: dict[type, list[Rule]]) -> ChildFields:
        return ChildFields.shared(not any(issubclass(t, _LEAF_BASES) for t in dispatch))

    def __missing__(self, cls: type) -> tuple[str, ...]:
        names = tuple(f for f in reversed(cls._fields) if not (self.skip_leaves and f in _LEAF_FIELDS))
        self[cls] = names
        return names


def walk(ctx: FileContext, dispatch: dict[type, list[Rule]], fields: ChildFields | None = None) -> None:
    """Depth-first, pre-order, iterative (no recursion limit), keeping `ctx.ancestors` current.

    Every node a rule may want is seen once; operators, contexts and childless nodes only when a
    rule asked for their type.
    """
    fields = ChildFields.for_dispatch(dispatch) if fields is None else fields
    # with operators and contexts wanted, a Name has a child: its `ctx`
    childless = _CHILDLESS if fields.skip_leaves else _CHILDLESS - {ast.Name}
    unwanted = childless.difference(dispatch)
    ancestors = ctx.ancestors
    add_import = ctx.model.add_import
    rules_for = dispatch.get
    AST, Import, ImportFrom = ast.AST, ast.Import, ast.ImportFrom
    stack: list[tuple[ast.AST, int]] = [(ctx.tree, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if len(ancestors) > depth:
            del ancestors[depth:]
        cls = node.__class__
        if (cls is Import or cls is ImportFrom) and depth > 1:
            add_import(node)
        rules = rules_for(cls)
        if rules:
            for rule in rules:
                try:
                    rule.visit(node, ctx)
                except RecursionError:
                    raise
                except Exception as exc:  # noqa: BLE001 - a rule bug must not stop the run; it is reported
                    raise RuleCrash(rule.code, node, exc) from exc
            if cls in childless:
                continue
        ancestors.append(node)
        depth += 1
        for name in fields[cls]:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for child in reversed(value):
                    if child.__class__ not in unwanted and isinstance(child, AST):
                        push((child, depth))
            elif value.__class__ not in unwanted and isinstance(value, AST):
                push((value, depth))
    del ancestors[:]


def analyse_file(
    path: str,
    display: str,
    rules: list[Rule],
    dispatch: dict[type, list[Rule]],
    is_test: bool = False,
    agent_overrides: dict[str, str] | None = None,
    data: bytes | None = None,
) -> FileResult:
    """Everything the native engine finds in one file; `data` is its content if already read."""
    try:
        source = read_source(path) if data is None else decode_source(data)
        tree = parse_source(source, display)
    except SourceError as exc:
        return FileResult(display, error=FileError(display, str(exc)))
    lines = source_lines(source)
    try:
        ctx = FileContext(display, source, lines, tree, SemanticModel(tree, display), is_test)
        ctx.agent_overrides = agent_overrides or {}
        for rule in rules:
            rule.begin(ctx)
        walk(ctx, dispatch)
        for rule in rules:
            rule.end(ctx)
        findings = assign_fingerprints(ctx.findings, lines)
        directives = parse_directives(source)
        spans = statement_spans(tree) if directives else ()  # only suppression comments need them
        return FileResult(display, tuple(findings), None, directives, spans, len(lines))
    except RecursionError:
        return FileResult(display, error=FileError(display, "too deeply nested to analyse"))
    except RuleCrash as exc:
        return FileResult(display, error=FileError(display, str(exc), engine="internal"))
    except Exception as exc:  # noqa: BLE001 - begin/end of a rule, or the model: reported, never a traceback
        message = f"internal error: {type(exc).__name__}: {exc}"
        return FileResult(display, error=FileError(display, message, engine="internal"))
