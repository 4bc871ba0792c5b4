"""`backend-lint [check] PATH...`: lint, then the legacy-code modes (baseline, --diff), the severity
gate and the output format.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from .. import __version__
from ..catalog import RuleInfo, load_catalog
from ..model import SEVERITIES, Report
from ..report import FORMATS
from .options import (
    EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, Parser, UsageError, add_run_options, cache_dir, positive, run_config,
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="backend-lint",
        description="Lint Python backends against a senior backend reviewer's standard.",
        epilog="Other commands: 'backend-lint rules' lists every rule, 'backend-lint explain CODE' documents one, "
        "'backend-lint checklist [PATH]' shows the persona's checklists with each item's status. "
        "Exit codes: 0 clean, 1 findings, 2 usage/config/internal error.",
    )
    add_run_options(parser)
    parser.add_argument("--format", choices=tuple(FORMATS), default="text", help="output format")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--min-severity", choices=SEVERITIES, help="lowest severity shown")
    parser.add_argument("--fail-on", choices=SEVERITIES, help="lowest severity that fails the run (exit 1), shown or not")
    parser.add_argument(
        "--max-findings-per-file", type=positive, metavar="N",
        help="show at most N findings per file, the rest as one summary finding (generated code)",
    )  # fmt: skip
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--quiet", "-q", action="store_true", help="print findings and errors only")
    parser.add_argument("--no-color", action="store_true", help="no colours (also: NO_COLOR=1)")
    parser.add_argument("--show-suppressed", action="store_true", help="list findings silenced by comments")
    parser.add_argument(
        "--report-unused-suppressions", action="store_true", help="report suppression comments that silence nothing"
    )
    parser.add_argument(
        "--ignore-foreign-suppressions", action="store_true",
        help="let # nosec, # noqa: S608 and # nosemgrep no longer silence the equivalent rules (to audit them)",
    )  # fmt: skip
    parser.add_argument("--baseline", metavar="FILE", help="hide the known findings recorded in FILE")
    parser.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE and exit 0")
    parser.add_argument("--prune-baseline", action="store_true", help="rewrite --baseline FILE without stale entries")
    parser.add_argument("--diff", metavar="REF", help="only findings on lines changed since git REF (e.g. origin/main)")
    parser.add_argument("--version", action="version", version=f"backend-lint {__version__}")
    return parser


def cmd_check(argv: list[str]) -> int:
    from .. import run
    from ..report import RenderOptions, render
    from ..run import decide

    args = build_parser().parse_args(argv)
    paths, config = run_config(args)
    if args.prune_baseline and not args.baseline:
        raise UsageError("--prune-baseline needs --baseline FILE")
    interactive = sys.stderr.isatty() and not args.quiet
    with _progress(interactive) as progress:
        run_options = run.RunOptions(jobs=args.jobs, progress=progress, cache_dir=cache_dir(args, config))
        report = run.run(paths, config, run_options)  # every severity: --fail-on may count what --min-severity hides
    if args.write_baseline:
        return _write_baseline(report, args.write_baseline)
    report = _adopt(report, args, paths)
    gated = report
    report = decide.shown(report, config.min_severity, config.fail_on)
    report = decide.collapsed(report, config.max_findings_per_file)
    to_terminal = args.output is None and sys.stdout.isatty()
    color = to_terminal and not args.no_color and not os.environ.get("NO_COLOR")
    options = RenderOptions(
        version=__version__, color=color, show_suppressed=args.show_suppressed,
        root=os.getcwd(), quiet=args.quiet,
    )  # fmt: skip
    text = render(args.format, report, run.rule_catalog(), load_catalog(), options)
    _write(text, args.output)
    if args.format == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        _step_summary(report, run.rule_catalog(), options, os.environ["GITHUB_STEP_SUMMARY"])
    return exit_code(gated if config.fail_on else report, config.fail_on, args.exit_zero)


def exit_code(report: Report, fail_on: str | None, exit_zero: bool) -> int:
    """2 for an internal error; else 1 for a finding at or above `fail_on` (any finding when unset)
    or something that could not be analysed, unless `exit_zero`."""
    from ..run.decide import failing

    if any(e.kind == "internal" for e in report.errors):
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if failing(report, fail_on) else EXIT_CLEAN


def _write_baseline(report: Report, path: str) -> int:
    from ..baseline import from_findings, write_baseline

    baseline = from_findings(report.findings)
    write_baseline(path, baseline)
    print(f"backend-lint: wrote {len(baseline.entries)} finding(s) to baseline {path}", file=sys.stderr)
    if report.errors:
        print(f"backend-lint: warning: {len(report.errors)} file(s) could not be analysed; their findings "
              "are not in the baseline", file=sys.stderr)  # fmt: skip
    return EXIT_CLEAN


def _adopt(report: Report, args: argparse.Namespace, paths: list[str]) -> Report:
    """Legacy-code modes, applied after detection: hide baseline findings, keep changed lines only
    (loading the baseline and the diff here; the decisions are `run.decide`'s)."""
    from ..baseline import load_baseline, write_baseline
    from ..run import decide

    notices = list(report.notices)
    if args.baseline:
        baseline = load_baseline(args.baseline)
        report, stale = decide.without_baselined(report, baseline, paths)
        if stale and args.prune_baseline:
            write_baseline(args.baseline, baseline.without(stale))
            notices.append(f"baseline {args.baseline}: pruned {len(stale)} stale entr{'y' if len(stale) == 1 else 'ies'}")
        elif stale:
            listed = ", ".join(f"{e.rule} {e.path}:{e.line}" for e in stale[:5]) + (" …" if len(stale) > 5 else "")
            notices.append(f"baseline {args.baseline}: {len(stale)} stale entr{'y' if len(stale) == 1 else 'ies'} "
                           f"(fixed or moved: {listed}); --prune-baseline removes them")  # fmt: skip
    if args.diff:
        from ..diff import changed_lines

        report, dropped = decide.on_changed_lines(report, changed_lines(args.diff, paths[0]))
        if dropped:
            notices.append(f"--diff {args.diff}: {dropped} finding(s) on unchanged lines not shown")
    return dataclasses.replace(report, notices=tuple(notices))


def _step_summary(report: Report, rules: dict[str, RuleInfo], options, path: str) -> None:
    from ..report import markdown

    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(markdown.render(report, rules, load_catalog(), options, limit=10) + "\n")
    except OSError as exc:
        print(f"backend-lint: warning: cannot append to GITHUB_STEP_SUMMARY {path}: {exc.strerror}", file=sys.stderr)


def _write(text: str, output: str | None) -> None:
    """The report to stdout, or to `output` atomically: a failed write keeps the old file."""
    from ..storage import write_atomic

    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_atomic(output, text, durable=True)
    except OSError as exc:
        raise UsageError(f"--output: cannot write {output}: {exc.strerror or exc}") from None


class _progress:
    """A rich progress bar on stderr for long runs in a terminal; a no-op otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            return None
        return self.update

    def update(self, done: int, total: int, phase: str = "linting") -> None:
        """`phase`: what the run is doing; after the files, what it still waits for (semgrep,
        the project-wide link), so the bar does not sit at 100 % for the rest of the run."""
        if self.bar is None:
            if total < 50:
                return
            from rich.progress import Progress

            self.bar = Progress(transient=True, console=None)
            self.bar.start()
            self.task = self.bar.add_task(phase, total=total)
        self.bar.update(self.task, completed=done, description=phase)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


