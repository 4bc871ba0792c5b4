"""Output formats. A reporter receives the Report, the rule catalog and the persona catalog and
returns text; it imports no rule, engine or config. Formats are looked up in `FORMATS` and imported
only when used, so a JSON run never pays for rich.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..catalog import Catalog, RuleInfo
from ..model import Report

FORMATS = {
    "text": "backend_lint.report.text",
    "json": "backend_lint.report.json",
    "sarif": "backend_lint.report.sarif",
    "github": "backend_lint.report.github",
    "markdown": "backend_lint.report.markdown",
}


@dataclass(frozen=True)
class RenderOptions:
    version: str
    color: bool = False
    show_suppressed: bool = False
    width: int | None = None
    root: str = ""  # absolute path the report's relative paths start from
    quiet: bool = False


def render(fmt: str, report: Report, rules: dict[str, RuleInfo], catalog: Catalog, options: RenderOptions) -> str:
    module = importlib.import_module(FORMATS[fmt])
    return module.render(report, rules, catalog, options)
