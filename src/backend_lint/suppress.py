"""Suppression comments, applied once after detection for every engine alike.

`# backend-lint: ignore[BL101]` (codes or names, comma separated; bare `ignore` means every rule)
or `# noqa: BL101` on any line of the flagged statement silences that rule there. A reason after
` -- ` is kept in the report. Only codes backend-lint knows count in a `noqa`, so a `# noqa: E501`
meant for another tool neither silences nor is reported unused.

Other tools' comments count for their equivalent rules (data/equivalents.toml): `# nosec` and
`# nosec B608` (bandit), `# noqa: S608` (ruff, flake8-bandit) and `# nosemgrep` / `# nosemgrep: <id>`
silence the backend-lint rules that check the same thing, unless the run ignores foreign
suppressions (`--ignore-foreign-suppressions`). They are never reported unused: they are for the
other tool too.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .model import Directive, Finding, Suppression

_OURS = re.compile(r"backend-lint:\s*ignore(?:\[(?P<codes>[^\]]*)\])?(?:\s*--\s*(?P<reason>.*))?", re.I)
_MARKER = re.compile(r"backend-lint:|noqa|nosec|nosemgrep", re.I)  # what a comment must hold to be a directive
# the reason after ` -- ` (ours) or ` - ` (as ruff users write it: `# noqa: S308 - escaped above`)
_NOQA = re.compile(r"noqa:\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)(?:\s+--?\s+(?P<reason>.*))?", re.I)
# bandit: `# nosec`, `# nosec B608`, `# nosec: B608, B101`; words that are no test id make it bare
_NOSEC = re.compile(r"\bnosec\b:?(?P<codes>(?:[\s,]*B[0-9]{3}\b)*)(?:.*?--\s*(?P<reason>.*))?", re.I)
_NOSEMGREP = re.compile(r"\bnosemgrep\b(?::\s*(?P<codes>[\w.-]+(?:\s*,\s*[\w.-]+)*))?(?:.*?--\s*(?P<reason>.*))?", re.I)
_FOREIGN = (("nosec", _NOSEC), ("nosemgrep", _NOSEMGREP))


def parse_directives(source: str) -> tuple[Directive, ...]:
    """Suppression comments of a file, read from real comment tokens (not from strings). One
    comment may hold several (`# noqa: S308  # nosec`)."""
    if _MARKER.search(source) is None:
        return ()
    out = []
    for line, comment in _comments(source):
        text = comment.lstrip("#").strip()
        match = _OURS.search(text)
        noqa = False
        if match is None:
            match = _NOQA.search(text)
            noqa = True
        if match is not None:
            out.append(Directive(line, _codes(match.group("codes")), (match.group("reason") or "").strip(), noqa))
        for tool, pattern in _FOREIGN:
            found = pattern.search(text)
            if found is not None:
                codes = _codes(found.group("codes") or None)
                out.append(Directive(line, codes, (found.group("reason") or "").strip(), tool=tool))
    return tuple(out)


def _codes(raw: str | None) -> frozenset[str] | None:
    if raw is None:
        return None
    codes = frozenset(c.strip().upper() for c in re.split(r"[\s,]+", raw) if c.strip())
    return codes or None


@dataclass(frozen=True)
class Equivalents:
    """Per foreign tool ("bandit", "ruff", "semgrep"), which backend-lint rules each of its codes
    stands for; and which rules have an equivalent in that tool at all (what a bare comment silences)."""

    by_code: dict[str, dict[str, frozenset[str]]]
    rules: dict[str, frozenset[str]]
    reasons: dict[str, str]  # rule -> why no other tool has an equivalent

    def rules_for(self, tool: str, code: str) -> frozenset[str]:
        table = self.by_code.get(tool, {})
        if tool == "semgrep":  # a registry id, or its last part
            return table.get(code, frozenset()) | table.get(code.rsplit(".", 1)[-1], frozenset())
        return table.get(code, frozenset())


_TOOL_OF = {"nosec": "bandit", "nosemgrep": "semgrep", "noqa": "ruff"}


@lru_cache(maxsize=1)
def load_equivalents() -> Equivalents:
    """data/equivalents.toml, read once."""
    with open(os.path.join(os.path.dirname(__file__), "data", "equivalents.toml"), "rb") as fh:
        data = tomllib.load(fh)
    by_code: dict[str, dict[str, set[str]]] = {"bandit": {}, "ruff": {}, "semgrep": {}}
    rules: dict[str, set[str]] = {"bandit": set(), "ruff": set(), "semgrep": set()}
    reasons = {}
    for rule, entry in data.items():
        if "none" in entry:
            reasons[rule] = entry["none"]
        for tool, table in by_code.items():
            for code in entry.get(tool, ()):
                keys = (code.upper(), code.rsplit(".", 1)[-1].upper()) if tool == "semgrep" else (code.upper(),)
                for key in keys:
                    table.setdefault(key, set()).add(rule)
                rules[tool].add(rule)
    return Equivalents(
        {tool: {c: frozenset(r) for c, r in table.items()} for tool, table in by_code.items()},
        {tool: frozenset(r) for tool, r in rules.items()},
        reasons,
    )


# A comment, or a whole string literal (skipped, so that a `#` inside a string is no comment).
# One regex scan finds the same comments as `tokenize` in any file `ast` parses (checked against
# tokenize on the benchmark corpus) and is ~50x faster on Python < 3.12, where tokenize is pure Python.
_SCAN = re.compile(
    r"#[^\r\n]*"
    r"|'''(?:\\.|[^\\])*?'''"
    r'|"""(?:\\.|[^\\])*?"""'
    r"|'(?:\\.|[^'\\\r\n])*'"
    r'|"(?:\\.|[^"\\\r\n])*"',
    re.DOTALL,
)


def _comments(source: str):
    """(line, text) of every comment that mentions a suppression marker."""
    line, counted = 1, 0
    for match in _SCAN.finditer(source):
        text = match.group()
        if text[0] == "#" and _MARKER.search(text):
            start = match.start()
            line += source.count("\n", counted, start)
            counted = start
            yield line, text


def statement_spans(tree: ast.Module) -> tuple[tuple[int, int], ...]:
    """(first, last) lines of every statement spanning several lines; compound ones by their header."""
    spans = []
    stack = list(tree.body)
    while stack:
        stmt = stack.pop()
        body = getattr(stmt, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            start = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
            end = max(body[0].lineno - 1, stmt.lineno)
            for field_name in ("body", "orelse", "finalbody"):
                stack.extend(getattr(stmt, field_name, []) or [])
            for handler in getattr(stmt, "handlers", []) or []:
                stack.extend(handler.body)
                if handler.body[0].lineno - 1 > handler.lineno:
                    spans.append((handler.lineno, handler.body[0].lineno - 1))
            for case in getattr(stmt, "cases", []) or []:
                stack.extend(case.body)
        else:
            start, end = stmt.lineno, stmt.end_lineno or stmt.lineno
        if end > start:
            spans.append((start, end))
    return tuple(spans)


def _innermost(spans: tuple[tuple[int, int], ...]) -> dict[int, tuple[int, int]]:
    """Line -> the narrowest multi-line statement span holding it (spans of compound statements
    cover their header only, so they hardly nest and this is about as large as the file)."""
    best: dict[int, tuple[int, int]] = {}
    for start, end in sorted(spans, key=lambda span: span[0] - span[1]):  # widest first, narrower overwrite
        for line in range(start, end + 1):
            best[line] = (start, end)
    return best


def apply_suppressions(
    findings: list[Finding],
    directives: tuple[Directive, ...],
    spans: tuple[tuple[int, int], ...],
    known: dict[str, str],
    foreign: Equivalents | None = None,
) -> tuple[list[Finding], list[Finding], set[Directive]]:
    """Split one file's findings into (kept, suppressed) and say which directives were used.

    `known` maps every rule name and code (upper-cased) to its code; `foreign`, when given, makes
    other tools' comments silence their equivalent rules.
    """
    if not directives:
        return findings, [], set()
    by_line: dict[int, list[Directive]] = {}
    for d in directives:
        by_line.setdefault(d.line, []).append(d)
    kept, suppressed, used = [], [], set()
    innermost = _innermost(spans)
    for finding in findings:
        hit = None
        start, end = innermost.get(finding.line, (finding.line, finding.line))
        for line in range(start, end + 1):
            for d in by_line.get(line, ()):
                if _silences(d, finding, known, foreign):
                    hit = d
                    break
            if hit:
                break
        if hit is None:
            kept.append(finding)
        else:
            used.add(hit)
            foreign_noqa = hit.noqa and not any(known.get(c) in (finding.rule, *finding.also_reported_by)
                                                for c in hit.codes or ())  # fmt: skip
            tool = hit.tool or ("noqa" if foreign_noqa else "")
            reason = hit.reason or (f"# {tool}" + (f": {', '.join(sorted(hit.codes))}" if hit.codes else "")
                                    if tool else "")  # fmt: skip
            suppressed.append(dataclasses.replace(finding, suppression=Suppression(hit.line, reason)))
    return kept, suppressed, used


def _silences(d: Directive, finding: Finding, known: dict[str, str], foreign: Equivalents | None) -> bool:
    rules = (finding.rule, *finding.also_reported_by)
    if d.tool:
        if foreign is None:
            return False
        tool = _TOOL_OF[d.tool]
        if d.codes is None:
            return any(r in foreign.rules[tool] for r in rules)
        return any(r in foreign.rules_for(tool, c) for c in d.codes for r in rules)
    if d.codes is None:
        return not d.noqa
    if any(known.get(c) in rules for c in d.codes):
        return True
    return d.noqa and foreign is not None and any(r in foreign.rules_for("ruff", c) for c in d.codes for r in rules)


def unused_directives(
    directives: tuple[Directive, ...], used: set[Directive], known: dict[str, str], active: set[str]
) -> list[tuple[Directive, str]]:
    """Directives that silenced nothing, with a description.

    Only rules that ran (`active` codes) can be judged unused; foreign `noqa` codes do not count.
    """
    out = []
    for d in directives:
        if d in used or d.tool:
            continue
        if d.codes is None:
            out.append((d, "`backend-lint: ignore` silences nothing here"))
            continue
        ours = sorted(c for c in d.codes if known.get(c) in active)
        unknown = sorted(c for c in d.codes if c not in known)
        if ours:
            out.append((d, f"suppression of {', '.join(ours)} silences nothing here"))
        elif unknown and not ours and not d.noqa and not any(c in known for c in d.codes):
            out.append((d, f"suppression names unknown rule {', '.join(unknown)}"))
    return out
