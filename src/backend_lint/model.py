"""The records every engine produces and every reporter reads: plain frozen dataclasses.

No libcst node, ast node or semgrep dict ever lives in here, so a finding looks the same
whichever engine found it, pickles cheaply between worker processes and caches as JSON.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import tokenize
from dataclasses import dataclass, field

SEVERITIES = ("critical", "high", "medium", "low", "info")
CONFIDENCES = ("high", "medium", "low")
# Why something could not be analysed (Error.kind): a file that cannot be read or decoded, is not
# Python, or is beyond an engine's limits (size, nesting); an engine that failed; a bug of
# backend-lint ("internal": exit 2).
ERROR_KINDS = ("unreadable", "syntax", "limit", "engine", "internal")


def severity_rank(severity: str) -> int:
    """Higher is more severe: critical=4 … info=0."""
    return len(SEVERITIES) - 1 - SEVERITIES.index(severity)


@dataclass(frozen=True)
class Suppression:
    """Why a finding is not shown: the comment that silenced it."""

    line: int
    reason: str = ""
    kind: str = "comment"  # "comment" (backend-lint: ignore / noqa) or "baseline"


@dataclass(frozen=True)
class TraceStep:
    """One step of a dataflow finding's path: the file and line, and what happens there."""

    path: str
    line: int
    text: str


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    category: str
    severity: str
    confidence: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    agent: str
    checklist: tuple[str, ...]
    cwe: tuple[int, ...]
    engine: str = "native"
    fingerprint: str = ""
    also_reported_by: tuple[str, ...] = ()
    suppression: Suppression | None = None
    trace: tuple[TraceStep, ...] = ()  # a dataflow finding's path: source, steps, calls, sink

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.message)

    def to_dict(self) -> dict:
        data = {
            "rule": self.rule,
            "name": self.name,
            "category": self.category,
            "severity": self.severity,
            "confidence": self.confidence,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "agent": self.agent,
            "checklist": list(self.checklist),
            "cwe": list(self.cwe),
            "engine": self.engine,
            "fingerprint": self.fingerprint,
        }
        if self.also_reported_by:
            data["also_reported_by"] = list(self.also_reported_by)
        if self.suppression is not None:
            data["suppression"] = dataclasses.asdict(self.suppression)
        if self.trace:
            data["trace"] = [dataclasses.asdict(step) for step in self.trace]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        data = dict(data)
        data["checklist"] = tuple(data["checklist"])
        data["cwe"] = tuple(data["cwe"])
        data["also_reported_by"] = tuple(data.get("also_reported_by", ()))
        sup = data.get("suppression")
        data["suppression"] = Suppression(**sup) if sup else None
        data["trace"] = tuple(TraceStep(**step) for step in data.get("trace", ()))
        return cls(**data)


@dataclass(frozen=True)
class Error:
    """Something that could not be analysed: one file (`path`), or a whole engine run (`path` None).
    Never a finding. `kind` is one of ERROR_KINDS; `engine` names the engine that failed (None for
    what no engine could read: a missing or undecodable file)."""

    kind: str
    message: str
    path: str | None = None
    engine: str | None = None

    def to_dict(self) -> dict:
        return {"path": self.path, "message": self.message, "kind": self.kind, "engine": self.engine}

    @classmethod
    def from_dict(cls, data: dict) -> Error:
        return cls(data["kind"], data["message"], data.get("path"), data.get("engine"))

    def sort_key(self) -> tuple:
        return (self.path is not None, self.path or "", self.engine or "", self.message)

    def where(self) -> str:
        """How a report names what failed: the file, or the engine that failed as a whole."""
        if self.path is not None:
            return self.path
        return f"the {self.engine} engine" if self.engine else "backend-lint"


def split_errors(errors) -> tuple[list[Error], list[Error]]:
    """(errors of one file, errors of a whole engine run)."""
    return [e for e in errors if e.path is not None], [e for e in errors if e.path is None]


@dataclass(frozen=True)
class Directive:
    """A suppression comment: `# backend-lint: ignore[...]` or `# noqa: ...` on `line`, or another
    tool's (`tool`: "nosec" for bandit, "nosemgrep"), which silences the equivalent rules."""

    line: int
    codes: frozenset[str] | None  # None: every rule
    reason: str = ""
    noqa: bool = False
    tool: str = ""  # "" for backend-lint's own and `noqa`; "nosec" or "nosemgrep"


@dataclass(frozen=True)
class FileResult:
    """What every engine found in one file, before selection and suppression: the findings
    (fingerprinted), the errors of the engines that could not analyse it, and what suppression needs
    (directives, the line spans of multi-line statements). `code` holds the source line of every
    line a finding starts on (reporters show it, so they need not read the file)."""

    path: str
    findings: tuple[Finding, ...] = ()
    errors: tuple[Error, ...] = ()
    directives: tuple[Directive, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    lines: int = 0
    code: dict[int, str] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)  # linking engine -> what it needs of this file

    def to_record(self) -> dict:
        """As JSON-able data (the result cache, and what worker processes send)."""
        return {
            "path": self.path,
            "findings": [f.to_dict() for f in self.findings],
            "errors": [e.to_dict() for e in self.errors],
            "directives": [
                [d.line, None if d.codes is None else sorted(d.codes), d.reason, d.noqa, d.tool] for d in self.directives
            ],
            "spans": [list(span) for span in self.spans],
            "lines": self.lines,
            "code": {str(line): text for line, text in self.code.items()},
            "facts": self.facts,
        }

    @classmethod
    def from_record(cls, record: dict) -> FileResult:
        return cls(
            path=record["path"],
            findings=tuple(Finding.from_dict(f) for f in record["findings"]),
            errors=tuple(Error.from_dict(e) for e in record["errors"]),
            directives=tuple(
                Directive(line, None if codes is None else frozenset(codes), reason, noqa, *tool)
                for line, codes, reason, noqa, *tool in record["directives"]
            ),
            spans=tuple((start, end) for start, end in record["spans"]),
            lines=record["lines"],
            code={int(line): text for line, text in record["code"].items()},
            facts=dict(record.get("facts") or {}),
        )


@dataclass(frozen=True)
class Report:
    """What one run produced, before formatting."""

    findings: tuple[Finding, ...]
    errors: tuple[Error, ...]
    files: int
    suppressed: tuple[Finding, ...] = ()
    notices: tuple[str, ...] = field(default=())
    rules: tuple[str, ...] = ()  # codes of the rules that ran (selected, and their engine ran)
    code: dict[str, dict[int, str]] = field(default_factory=dict)  # path -> line -> source, where findings start


_SPACE = re.compile(r"\s+")


def code_snippet(lines: list[str], line: int, column: int, end_line: int, end_column: int) -> str:
    """The flagged source, whitespace-normalised (1-based, end column exclusive)."""
    if not lines or line < 1 or line > len(lines):
        return ""
    end_line = max(line, min(end_line, len(lines)))
    chunk = lines[line - 1 : end_line]
    if len(chunk) == 1:
        chunk = [chunk[0][column - 1 : max(end_column - 1, column)]]
    else:
        chunk[0] = chunk[0][column - 1 :]
        chunk[-1] = chunk[-1][: max(end_column - 1, 0)]
    return _normalise("\n".join(chunk))


_LAYOUT = frozenset({tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT,
                     tokenize.ENDMARKER})  # fmt: skip


def _normalise(code: str) -> str:
    """The code's tokens without layout, comments or trailing commas, so reformatting (a call split
    over lines, a magic trailing comma, a new comment) keeps the fingerprint. Falls back to
    collapsing whitespace when the snippet does not tokenize on its own."""
    try:
        tokens = [t.string for t in tokenize.generate_tokens(io.StringIO(code.strip()).readline)
                  if t.type not in _LAYOUT]  # fmt: skip
    except (tokenize.TokenError, SyntaxError):
        return _SPACE.sub(" ", code).strip()
    kept = [t for i, t in enumerate(tokens) if not (t == "," and tokens[i + 1 : i + 2] in ([")"], ["]"], ["}"]))]
    return " ".join(kept)


def assign_fingerprints(findings: list[Finding], lines: list[str]) -> list[Finding]:
    """Give each finding of one file a fingerprint that survives line moves.

    Built from the rule, the path and the normalised flagged code, plus an occurrence counter
    that tells identical code apart in the same file (counted in line order).
    """
    seen: dict[tuple[str, str], int] = {}
    out = []
    for f in sorted(findings, key=Finding.sort_key):
        snippet = code_snippet(lines, f.line, f.column, f.end_line, f.end_column)
        key = (f.rule, snippet)
        seen[key] = seen.get(key, 0) + 1
        raw = f"{f.rule}\0{f.path}\0{snippet}\0{seen[key]}".encode()
        out.append(dataclasses.replace(f, fingerprint=hashlib.sha256(raw).hexdigest()[:20]))
    return out
