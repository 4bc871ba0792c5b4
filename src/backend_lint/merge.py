"""De-duplication across engines: one problem, one finding, the others named in `also_reported_by`.

Two findings of one file describe the same problem when they come from different engines, their
line ranges overlap, and they share a CWE (or, when either has no CWE, the same category). Sharing a
category alone is not enough: `requests.get(url, verify=False)` without a timeout is two problems
on one line, both in `transport`, with different CWEs.

Of a group, the kept finding is the native one if there is one, else the most confident, else the
semgrep one (our own rule, message and metadata), else the narrowest. When a finding could join
several kept ones, it joins the closest: same category first, then the same line range. So ruff's
ASYNC210 (a blocking call in `async def`, performance) backs semgrep's blocking-call finding, not the
missing-timeout finding (transport) on the same `requests.get` line, although all three share CWE-400.
"""

from __future__ import annotations

import dataclasses

from .model import CONFIDENCES, ENGINES, Finding


def same_problem(a: Finding, b: Finding) -> bool:
    if a.engine == b.engine:
        return False
    if a.line > b.end_line or b.line > a.end_line:
        return False
    if a.cwe and b.cwe:
        return bool(set(a.cwe) & set(b.cwe))
    return a.category == b.category


def preference(f: Finding) -> tuple:
    """Smaller sorts first: native, then confidence, then engine order, then the narrowest range."""
    return (f.engine != "native", CONFIDENCES.index(f.confidence), ENGINES.index(f.engine), f.end_line - f.line, f.rule)


def closeness(a: Finding, b: Finding) -> tuple:
    """Larger is closer: the same category, then the same lines."""
    return (a.category == b.category, (a.line, a.end_line) == (b.line, b.end_line))


def deduplicate(findings: list[Finding]) -> list[Finding]:
    """One file's findings of every engine, each problem kept once (input order otherwise kept)."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=preference):
        matches = [i for i, other in enumerate(kept) if same_problem(finding, other)]
        if not matches:
            kept.append(finding)
            continue
        i = max(matches, key=lambda j: closeness(finding, kept[j]))  # the first of equals wins
        other = kept[i]
        if finding.rule not in other.also_reported_by:
            kept[i] = dataclasses.replace(other, also_reported_by=(*other.also_reported_by, finding.rule))
    return sorted(kept, key=Finding.sort_key)
