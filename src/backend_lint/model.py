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
ENGINES = ("native", "semgrep", "ruff")


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
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        data = dict(data)
        data["checklist"] = tuple(data["checklist"])
        data["cwe"] = tuple(data["cwe"])
        data["also_reported_by"] = tuple(data.get("also_reported_by", ()))
        sup = data.get("suppression")
        data["suppression"] = Suppression(**sup) if sup else None
        return cls(**data)


@dataclass(frozen=True)
class FileError:
    """A file (or an engine) that could not be analysed. Never a finding."""

    path: str
    message: str
    engine: str = "native"

    def to_dict(self) -> dict:
        return {"path": self.path, "message": self.message}


@dataclass(frozen=True)
class Report:
    """What one run produced, before formatting."""

    findings: tuple[Finding, ...]
    errors: tuple[FileError, ...]
    files: int
    suppressed: tuple[Finding, ...] = ()
    notices: tuple[str, ...] = field(default=())
    rules: tuple[str, ...] = ()  # codes of the rules that ran (selected, and their engine ran)


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
