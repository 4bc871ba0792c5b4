"""Baselines for adopting backend-lint on legacy code.

`--write-baseline FILE` records the current findings by fingerprint; `--baseline FILE` moves the
findings it knows into `Report.suppressed` (as `Suppression(kind="baseline")`), so only new ones are
shown and gate the build. Fingerprints are built from the rule, the path and the flagged code, not
the line number, so a baseline survives line moves and unrelated edits (see `model.assign_fingerprints`).
The rule, path, line and message of each entry are there for humans reading the file in review.

An entry no current finding matches, for a file and rule the run covered, is *stale*: the problem
was fixed (or the code moved to another file). `--prune-baseline` rewrites the file without them.
Paths in fingerprints are relative to the working directory, so run from the same directory
(the repository root) when writing and when using a baseline.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .model import Finding, Report, Suppression
from .storage import write_atomic

VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or written; the message is one line for the user."""


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule: str
    name: str
    path: str
    line: int
    message: str

    @classmethod
    def of(cls, f: Finding) -> Entry:
        return cls(f.fingerprint, f.rule, f.name, f.path, f.line, f.message)


@dataclass(frozen=True)
class Baseline:
    entries: tuple[Entry, ...]

    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)

    def without(self, stale: Iterable[Entry]) -> Baseline:
        gone = {e.fingerprint for e in stale}
        return Baseline(tuple(e for e in self.entries if e.fingerprint not in gone))


def from_findings(findings: Iterable[Finding]) -> Baseline:
    entries = {f.fingerprint: Entry.of(f) for f in findings if f.fingerprint}
    return Baseline(tuple(sorted(entries.values(), key=lambda e: (e.path, e.line, e.rule, e.fingerprint))))


def load_baseline(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise BaselineError(f"--baseline: cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"--baseline: {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"--baseline: {path} is not a backend-lint baseline (version {VERSION})")
    try:
        entries = tuple(Entry(**item) for item in data["findings"])
    except TypeError as exc:
        raise BaselineError(f"--baseline: {path}: malformed entry ({exc})") from None
    return Baseline(entries)


def dump_baseline(baseline: Baseline) -> str:
    data = {
        "version": VERSION,
        "tool": "backend-lint",
        "comment": "Known findings hidden by `backend-lint --baseline FILE`; rewrite with --write-baseline FILE.",
        "findings": [dataclasses.asdict(e) for e in baseline.entries],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_baseline(path: str, baseline: Baseline) -> None:
    """Write (or rewrite, for --prune-baseline) atomically: a failed write keeps the old file."""
    try:
        write_atomic(path, dump_baseline(baseline), durable=True)
    except OSError as exc:
        raise BaselineError(f"cannot write baseline {path}: {exc.strerror or exc}") from None


def apply_baseline(
    report: Report, baseline: Baseline, covers: Callable[[Entry], bool]
) -> tuple[Report, tuple[Entry, ...]]:
    """Hide the findings the baseline knows; return the new report and the stale entries.

    `covers(entry)` says whether this run looked at the entry's file with the entry's rule, so a
    partial run (fewer paths, fewer rules) never calls entries stale that it did not check.
    """
    known = baseline.fingerprints()
    shown, hidden = [], []
    for f in report.findings:
        (hidden if f.fingerprint in known else shown).append(f)
    hidden = [
        dataclasses.replace(f, suppression=Suppression(line=f.line, reason="in the baseline", kind="baseline"))
        for f in hidden
    ]
    seen = {f.fingerprint for f in (*report.findings, *report.suppressed)}
    stale = tuple(e for e in baseline.entries if e.fingerprint not in seen and covers(e))
    suppressed = tuple(sorted((*report.suppressed, *hidden), key=Finding.sort_key))
    return dataclasses.replace(report, findings=tuple(shown), suppressed=suppressed), stale
