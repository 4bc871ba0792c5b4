"""De-duplication across engines: one problem, one finding, the others named in `also_reported_by`.

Two findings of one file describe the same problem when they come from different engines, their
line ranges overlap, and they share a CWE (or, when either has no CWE, the same category). Sharing a
category alone is not enough: `requests.get(url, verify=False)` without a timeout is two problems
on one line, both in `transport`, with different CWEs.

Of a group, the kept finding is one of our in-process engines' (native, taint) if there is one,
else the most confident, else the one of the engine ranked first (semgrep: our own rule, message
and metadata), else the narrowest.
When a finding could join several kept ones, it joins the closest: same category first, then the
same line range. So ruff's ASYNC210 (a blocking call in `async def`, performance) backs semgrep's
blocking-call finding, not the missing-timeout finding (transport) on the same `requests.get` line,
although all three share CWE-400.

Near-linear: kept findings are indexed by the lines they cover (a finding wider than `WIDE` lines
is kept in a short list scanned for every candidate instead), so a generated file with tens of
thousands of findings merges in well under a second.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..engines import in_process, rank_of
from ..model import CONFIDENCES, Finding

WIDE = 64  # lines: a kept finding spanning more is not indexed line by line


def same_problem(a: Finding, b: Finding) -> bool:
    if a.engine == b.engine:
        return False
    if a.line > b.end_line or b.line > a.end_line:
        return False
    if a.cwe and b.cwe:
        return bool(set(a.cwe) & set(b.cwe))
    return a.category == b.category


def preference(rank: Callable[[str], int]) -> Callable[[Finding], tuple]:
    """Smaller sorts first: our in-process engines, then confidence, then engine rank, then the
    narrowest range."""

    def key(f: Finding) -> tuple:
        return (not in_process(f.engine), CONFIDENCES.index(f.confidence), rank(f.engine), f.end_line - f.line, f.rule)

    return key


def closeness(a: Finding, b: Finding) -> tuple:
    """Larger is closer: the same category, then the same lines."""
    return (a.category == b.category, (a.line, a.end_line) == (b.line, b.end_line))


def deduplicate(findings: list[Finding], rank: Callable[[str], int] = rank_of) -> list[Finding]:
    """One file's findings of every engine, each problem kept once, sorted."""
    kept: list[Finding] = []
    by_line: dict[int, list[int]] = {}  # line -> indices in `kept` of findings covering it
    wide: list[int] = []
    for finding in sorted(findings, key=preference(rank)):
        if finding.end_line - finding.line <= WIDE:
            near = {i for line in range(finding.line, finding.end_line + 1) for i in by_line.get(line, ())}
        else:  # a wide candidate: any kept finding starting inside it, or covering its first line
            near = {i for i, other in enumerate(kept) if finding.line <= other.line <= finding.end_line}
            near.update(by_line.get(finding.line, ()))
        near.update(wide)
        matches = sorted(i for i in near if same_problem(finding, kept[i]))
        if not matches:
            index = len(kept)
            kept.append(finding)
            if finding.end_line - finding.line > WIDE:
                wide.append(index)
            else:
                for line in range(finding.line, finding.end_line + 1):
                    by_line.setdefault(line, []).append(index)
            continue
        i = max(matches, key=lambda j: closeness(finding, kept[j]))  # the first of equals wins
        other = kept[i]
        if finding.rule not in other.also_reported_by:
            kept[i] = dataclasses.replace(other, also_reported_by=(*other.also_reported_by, finding.rule))
    return sorted(kept, key=Finding.sort_key)
