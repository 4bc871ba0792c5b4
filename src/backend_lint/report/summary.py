"""Counts every format shows: findings per agent, per checklist item and per severity."""

from __future__ import annotations

from collections import Counter

from ..model import SEVERITIES, Report


def summarise(report: Report) -> dict:
    by_agent = Counter(f.agent for f in report.findings)
    by_checklist = Counter(item for f in report.findings for item in f.checklist)
    by_severity = Counter(f.severity for f in report.findings)
    return {
        "files": report.files,
        "findings": len(report.findings),
        "suppressed": len(report.suppressed),
        "baselined": sum(1 for f in report.suppressed if f.suppression and f.suppression.kind == "baseline"),
        "errors": len(report.errors),
        "by_agent": dict(sorted(by_agent.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_checklist": dict(sorted(by_checklist.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_severity": {s: by_severity[s] for s in SEVERITIES if by_severity[s]},
    }
