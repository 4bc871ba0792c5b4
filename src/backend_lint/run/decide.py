"""The decisions made after detection, in one stage, for the findings of every engine alike:
merge what several engines found, keep the selected rules, apply per-file ignores and suppression
comments, report unused suppressions; then, on the report, the legacy-code modes (baseline,
changed lines) and the severity floor.

Nothing here reads a file or runs a tool: the CLI loads the baseline and the diff, this module
decides.
"""

from __future__ import annotations

import dataclasses
import os

from ..baseline import Baseline, apply_baseline
from ..diff import restrict
from ..files import SourceFile
from ..model import Error, FileResult, Finding, Report, assign_fingerprints, severity_rank
from ..suppress import apply_suppressions, load_equivalents, unused_directives
from .merge import deduplicate
from .selection import UNUSED_SUPPRESSION, Selection


def decide(
    results: list[FileResult], files: list[SourceFile], selection: Selection, report_unused: bool = False,
    errors: tuple[Error, ...] = (), foreign_suppressions: bool = True,
) -> Report:
    """The report of a run from every file's results (in `files` order) and the engine-wide
    `errors`. `selection.codes` are the rules that ran: findings of other rules are dropped, and only
    these rules can tell whether a suppression comment is still needed. With `foreign_suppressions`,
    other tools' comments (`# nosec`, `# noqa: S608`, `# nosemgrep`) silence their equivalents."""
    codes, known, deferring = selection.codes, selection.known, selection.deferring
    by_path = {f.display: f for f in files}
    findings: list[Finding] = []
    suppressed: list[Finding] = []
    file_errors: list[Error] = []
    code: dict[str, dict[int, str]] = {}
    unused = report_unused and UNUSED_SUPPRESSION in codes
    for result in results:
        file_errors += _errors(result)
        kept = [f for f in result.findings if f.rule in codes]
        if len({f.engine for f in kept}) > 1:
            kept = [f for f in deduplicate(kept) if f.rule not in deferring]
        elif deferring:
            kept = [f for f in kept if f.rule not in deferring]
        source = by_path.get(result.path)
        skip = set().union(*(c for m, c in selection.ignores if m.matches(source.path))) if source and selection.ignores else set()
        kept = [f for f in kept if f.rule not in skip]
        foreign = load_equivalents() if foreign_suppressions else None
        kept, silenced, used = apply_suppressions(kept, result.directives, result.spans, known, foreign)
        if unused and UNUSED_SUPPRESSION not in skip:
            kept += _unused_findings(result, used, known, codes, selection)
        findings += kept
        suppressed += silenced
        if kept:
            code[result.path] = result.code
    return Report(
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        errors=tuple(sorted((*file_errors, *errors), key=Error.sort_key)),
        files=len(files),
        suppressed=tuple(sorted(suppressed, key=Finding.sort_key)),
        rules=tuple(sorted(codes)),
        code=code,
    )


def _errors(result: FileResult) -> list[Error]:
    """A file's errors. When it could not be read, decoded or parsed (an error of the source unit,
    of no engine), that error and internal ones only: the external engines' complaints about the
    same file would say it again."""
    if any(e.engine is None for e in result.errors):
        return [e for e in result.errors if e.engine is None or e.kind == "internal"]
    return list(result.errors)


def _unused_findings(result: FileResult, used: set, known: dict[str, str], codes, selection: Selection) -> list[Finding]:
    info = selection.infos[UNUSED_SUPPRESSION]
    out = []
    for directive, message in unused_directives(result.directives, used, known, codes):
        out.append(
            Finding(
                rule=info.code, name=info.name, category=info.category, severity=info.severity,
                confidence=info.confidence, message=message, path=result.path, line=directive.line,
                column=1, end_line=directive.line, end_column=1, agent=selection.agents.get(info.code, info.agent),
                checklist=info.checklist, cwe=info.cwe, engine="native",
            )
        )  # fmt: skip
    return assign_fingerprints(out, [])


# -- on the report ----------------------------------------------------------------------------
def without_baselined(
    report: Report, baseline: Baseline, paths: list[str]
) -> tuple[Report, list]:
    """The report without the findings `baseline` knows (counted as suppressed), and the baseline's
    stale entries: those of rules that ran, under the linted paths, that no longer match."""
    codes = set(report.rules)
    roots = [os.path.realpath(p) for p in paths]

    def covers(entry) -> bool:
        where = os.path.realpath(entry.path)
        return entry.rule in codes and any(where == r or where.startswith(r.rstrip(os.sep) + os.sep) for r in roots)

    return apply_baseline(report, baseline, covers)


def on_changed_lines(report: Report, changed: dict[str, set[int]]) -> tuple[Report, int]:
    """Only the findings on changed lines, and how many were dropped."""
    return restrict(report, changed)


def shown(report: Report, min_severity: str, fail_on: str | None) -> Report:
    """The findings at or above `min_severity`; a notice when hidden ones still fail the run."""
    floor = severity_rank(min_severity)
    kept = tuple(f for f in report.findings if severity_rank(f.severity) >= floor)
    notices = report.notices
    hidden = len(report.findings) - len(kept)
    if hidden and fail_on and severity_rank(fail_on) < floor:
        gating = sum(1 for f in report.findings if floor > severity_rank(f.severity) >= severity_rank(fail_on))
        if gating:
            notices += (f"{gating} finding(s) below --min-severity {min_severity} are not shown "
                        f"but fail the run (--fail-on {fail_on})",)  # fmt: skip
    return dataclasses.replace(report, findings=kept, notices=notices)


def collapsed(report: Report, limit: int | None) -> Report:
    """At most `limit` findings per file: the most severe ones (then in line order), and in place of
    the rest the most severe of them, its message saying how many more there are and of which rules
    (generated code). Presentation only: the exit code, `--fail-on` and baselines see every finding."""
    if not limit:
        return report
    by_path: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_path.setdefault(finding.path, []).append(finding)
    kept: list[Finding] = []
    for path, found in by_path.items():
        if len(found) <= limit + 1:  # a summary of one finding would be that finding
            kept += found
            continue
        order = sorted(found, key=lambda f: (-severity_rank(f.severity), f.sort_key()))
        rest = order[limit:]
        counts: dict[str, int] = {}
        for finding in rest[1:]:
            counts[finding.rule] = counts.get(finding.rule, 0) + 1
        rules = ", ".join(f"{rule} x{count:,}" for rule, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        summary = dataclasses.replace(
            rest[0], message=f"{rest[0].message} (and {len(rest) - 1:,} more finding(s) in this file not shown, "
            f"--max-findings-per-file {limit}: {rules})",
        )  # fmt: skip
        kept += [*order[:limit], summary]
    return dataclasses.replace(report, findings=tuple(sorted(kept, key=Finding.sort_key)))


def failing(report: Report, fail_on: str | None) -> bool:
    """Whether the run fails (exit 1): a finding at or above `fail_on` (any finding when unset), or
    a file or engine that could not be analysed."""
    floor = severity_rank(fail_on) if fail_on else -1
    return bool(report.errors) or any(severity_rank(f.severity) >= floor for f in report.findings)

