"""The JSON report: a public contract (version 1), documented in docs/json-report.md.

Written by `escape.json_text`: valid UTF-8 JSON whatever the paths and messages hold.
"""

from __future__ import annotations

from ..catalog import Catalog, RuleInfo
from ..model import Report
from . import RenderOptions
from .escape import json_text
from .summary import summarise


def render(report: Report, rules: dict[str, RuleInfo], catalog: Catalog, options: RenderOptions) -> str:
    data = {
        "version": 1,
        "tool": {"name": "backend-lint", "version": options.version},
        "findings": [f.to_dict() for f in report.findings],
        "errors": [e.to_dict() for e in report.errors],
        "summary": summarise(report),
    }
    if options.show_suppressed:
        data["suppressed"] = [f.to_dict() for f in report.suppressed]
    if report.notices:
        data["notices"] = list(report.notices)
    return json_text(data) + "\n"
