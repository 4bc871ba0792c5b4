"""What a native rule is: one small class with its metadata, its examples and a `visit` method.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .catalog import RuleInfo

if TYPE_CHECKING:
    from .native import FileContext

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
