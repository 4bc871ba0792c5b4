"""The native rule API: a rule is one small class with its metadata, its examples and a `visit`
method; it sees the file through a `FileContext`, and `Example`s are its tests and its docs.

A rule declares the ast node types it wants in `NODES`; the engine walks each file once and hands
every node of those types to `visit(node, ctx)`, where the rule calls `ctx.report(...)`. Its
docstring is its documentation page (first line: summary; then `## What it does`, `## Why is this
bad?`); its `INVALID` and `VALID` examples are run as tests and rendered by `backend-lint explain`.
In an INVALID example, the line that must fire ends with `# expect: <CODE>`.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from dataclasses import dataclass, field
from typing import ClassVar

from .catalog import RuleInfo
from .model import Finding
from .semantic import NO_ROLE, FunctionRole, SemanticModel

EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)")


@dataclass(frozen=True)
class Example:
    """A code example; `path` places it in a particular file (a test, a manage.py), `select` names
    other rules that must run beside the one it documents."""

    code: str
    path: str = "app/example.py"
    select: tuple[str, ...] = ()


def as_example(item: str | Example) -> Example:
    return item if isinstance(item, Example) else Example(item)


def example_source(code: str) -> str:
    """An example's code as a file: dedented, without the blank lines around it."""
    return textwrap.dedent(code).strip("\n") + "\n"


def strip_markers(code: str) -> str:
    """The example as a user should read it: `# expect:` markers removed."""
    return "\n".join(EXPECT.sub("", line).rstrip() for line in example_source(code).splitlines())


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[str]
    severity: ClassVar[str]
    confidence: ClassVar[str] = "high"
    agent: ClassVar[str]
    checklist: ClassVar[tuple[str, ...]]
    cwe: ClassVar[tuple[int, ...]] = ()
    references: ClassVar[tuple[str, ...]] = ()
    NODES: ClassVar[tuple[type[ast.AST], ...]] = ()
    OPTIONS: ClassVar[dict[str, object]] = {}
    VALID: ClassVar[tuple[str | Example, ...]] = ()
    INVALID: ClassVar[tuple[str | Example, ...]] = ()

    def __init__(self, options: dict[str, object] | None = None) -> None:
        self.options = {**self.OPTIONS, **(options or {})}

    def begin(self, ctx: FileContext) -> None:
        """Called once per file before the walk."""

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        """Called for every node whose type is in NODES."""

    def end(self, ctx: FileContext) -> None:
        """Called once per file after the walk."""

    @classmethod
    def info(cls) -> RuleInfo:
        doc = inspect.cleandoc(cls.__doc__ or "")
        summary, _, body = doc.partition("\n")
        invalid = [as_example(e) for e in cls.INVALID]
        valid = [as_example(e) for e in cls.VALID]
        return RuleInfo(
            code=cls.code,
            name=cls.name,
            category=cls.category,
            severity=cls.severity,
            confidence=cls.confidence,
            agent=cls.agent,
            checklist=tuple(cls.checklist),
            cwe=tuple(cls.cwe),
            engine="native",
            summary=summary.strip(),
            doc=body.strip(),
            example=strip_markers(invalid[0].code) if invalid else "",
            use_instead=strip_markers(valid[0].code) if valid else "",
            references=tuple(cls.references),
            extra={"options": dict(cls.OPTIONS)},
        )


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
