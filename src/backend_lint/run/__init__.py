"""One run of the linter: the selection, the worker pool, the result cache, the decisions stage."""

from __future__ import annotations

from .runner import DIRECTORY_NAME, RunOptions, RunStats, run, run_counted
from .pool import Progress
from .selection import Selection, resolve, resolve_selectors, rule_catalog

__all__ = [
    "DIRECTORY_NAME", "Progress", "RunOptions", "RunStats", "Selection", "resolve", "resolve_selectors",
    "rule_catalog", "run", "run_counted",
]  # fmt: skip
