"""The command line: `backend-lint [check] PATH...`, `backend-lint rules`, `backend-lint explain CODE`,
`backend-lint checklist [PATH...]`.

Only this module writes to stdout/stderr and chooses the exit code:
0 no finding at or above the gate, 1 findings (or files that could not be analysed),
2 usage, configuration or internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import __version__
from .baseline import BaselineError
from .catalog import RuleInfo, load_catalog
from .config import ConfigError, load_config
from .diff import DiffError
from .model import ENGINES, SEVERITIES, Report, severity_rank
from .report import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
COMMANDS = ("check", "rules", "explain", "checklist")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2), not the whole usage text."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError("must be 0 (one per CPU) or more")
    return jobs


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="backend-lint",
        description="Lint Python backends against a senior backend reviewer's standard.",
        epilog="Other commands: 'backend-lint rules' lists every rule, 'backend-lint explain CODE' documents one, "
        "'backend-lint checklist [PATH]' shows the persona's checklists with each item's status. "
        "Exit codes: 0 clean, 1 findings, 2 usage/config/internal error.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--format", choices=tuple(FORMATS), default="text", help="output format")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--select", type=_csv, action="extend", metavar="RULES", help="codes, names or categories to run")
    parser.add_argument("--ignore", type=_csv, action="extend", metavar="RULES", help="codes, names or categories to skip")
    parser.add_argument("--min-severity", choices=SEVERITIES, help="lowest severity shown")
    parser.add_argument("--config", metavar="FILE", help="pyproject.toml to read [tool.backend-lint] from")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--quiet", "-q", action="store_true", help="print findings and errors only")
    parser.add_argument("--no-color", action="store_true", help="no colours (also: NO_COLOR=1)")
    parser.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N", help="worker processes (default: CPUs)")
    parser.add_argument("--show-suppressed", action="store_true", help="list findings silenced by comments")
    parser.add_argument(
        "--report-unused-suppressions", action="store_true", help="report suppression comments that silence nothing"
    )
    parser.add_argument("--fail-on", choices=SEVERITIES, help="lowest severity that fails the run (exit 1), shown or not")
    parser.add_argument("--baseline", metavar="FILE", help="hide the known findings recorded in FILE")
    parser.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE and exit 0")
    parser.add_argument("--prune-baseline", action="store_true", help="rewrite --baseline FILE without stale entries")
    parser.add_argument("--diff", metavar="REF", help="only findings on lines changed since git REF (e.g. origin/main)")
    parser.add_argument(
        "--engines", type=_csv, metavar="ENGINES",
        help="engines to run, comma separated: native, semgrep, ruff (default: every installed one)",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"backend-lint {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "rules":
            return _cmd_rules(argv[1:])
        if argv and argv[0] == "explain":
            return _cmd_explain(argv[1:])
        if argv and argv[0] == "checklist":
            return _cmd_checklist(argv[1:])
        if argv and argv[0] == "check":
            argv = argv[1:]
        return _cmd_check(argv)
    except (ConfigError, UsageError, BaselineError, DiffError) as exc:
        print(f"backend-lint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("backend-lint: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - last resort: one line, never a traceback
        if os.environ.get("BACKEND_LINT_DEBUG"):
            raise
        print(f"backend-lint: internal error: {type(exc).__name__}: {exc} (set BACKEND_LINT_DEBUG=1 for details)",
              file=sys.stderr)  # fmt: skip
        return EXIT_ERROR


def _cmd_check(argv: list[str]) -> int:
    from . import engine
    from .report import RenderOptions, render

    args = build_parser().parse_args(argv)
    paths = args.paths or ["."]
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"path not found: {path}")
    config = load_config(paths, args.config)
    for flag, selectors in (("--select", args.select), ("--ignore", args.ignore)):
        engine.resolve_selectors(selectors or (), engine.rule_catalog(), flag)
    overrides = {}
    if args.select:
        overrides["select"] = tuple(args.select)
    if args.ignore:
        overrides["ignore"] = (*config.ignore, *args.ignore)
    if args.min_severity:
        overrides["min_severity"] = args.min_severity
    if args.report_unused_suppressions:
        overrides["report_unused_suppressions"] = True
    if args.fail_on:
        overrides["fail_on"] = args.fail_on
    if args.engines is not None:
        unknown = [e for e in args.engines if e not in ENGINES]
        if unknown or not args.engines:
            raise UsageError(f"--engines: expected some of {', '.join(ENGINES)}, got {','.join(args.engines)!r}")
        overrides["engines"] = tuple(args.engines)
    config = config.replace(**overrides)
    if args.prune_baseline and not args.baseline:
        raise UsageError("--prune-baseline needs --baseline FILE")
    interactive = sys.stderr.isatty() and not args.quiet
    everything = config.replace(min_severity="info")  # --fail-on may count what --min-severity hides
    with _progress(interactive) as progress:
        report = engine.run(paths, everything, engine.RunOptions(jobs=args.jobs, progress=progress))
    if args.write_baseline:
        return _write_baseline(report, args.write_baseline)
    report = _adopt(report, args, config, paths)
    gated = report
    report = _shown(report, config.min_severity, config.fail_on)
    to_terminal = args.output is None and sys.stdout.isatty()
    color = to_terminal and not args.no_color and not os.environ.get("NO_COLOR")
    options = RenderOptions(
        version=__version__, color=color, show_suppressed=args.show_suppressed,
        root=os.getcwd(), quiet=args.quiet,
    )  # fmt: skip
    text = render(args.format, report, engine.rule_catalog(), load_catalog(), options)
    _write(text, args.output)
    if args.format == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        _step_summary(report, engine.rule_catalog(), options, os.environ["GITHUB_STEP_SUMMARY"])
    return _exit_code(gated if config.fail_on else report, config.fail_on, args.exit_zero)


def _exit_code(report: Report, fail_on: str | None, exit_zero: bool) -> int:
    """1 for a finding at or above `fail_on` (any finding when unset) or an unreadable file."""
    if any(e.engine == "internal" for e in report.errors):
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    floor = severity_rank(fail_on) if fail_on else -1
    if any(severity_rank(f.severity) >= floor for f in report.findings) or report.errors:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _shown(report: Report, min_severity: str, fail_on: str | None) -> Report:
    """The findings at or above --min-severity; a note when hidden ones still fail the run."""
    import dataclasses

    floor = severity_rank(min_severity)
    shown = tuple(f for f in report.findings if severity_rank(f.severity) >= floor)
    notices = report.notices
    hidden = len(report.findings) - len(shown)
    if hidden and fail_on and severity_rank(fail_on) < floor:
        gating = sum(1 for f in report.findings if floor > severity_rank(f.severity) >= severity_rank(fail_on))
        if gating:
            notices += (f"{gating} finding(s) below --min-severity {min_severity} are not shown "
                        f"but fail the run (--fail-on {fail_on})",)  # fmt: skip
    return dataclasses.replace(report, findings=shown, notices=notices)


def _write_baseline(report: Report, path: str) -> int:
    from .baseline import from_findings, write_baseline

    baseline = from_findings(report.findings)
    write_baseline(path, baseline)
    print(f"backend-lint: wrote {len(baseline.entries)} finding(s) to baseline {path}", file=sys.stderr)
    if report.errors:
        print(f"backend-lint: warning: {len(report.errors)} file(s) could not be analysed; their findings "
              "are not in the baseline", file=sys.stderr)  # fmt: skip
    return EXIT_CLEAN


def _adopt(report: Report, args: argparse.Namespace, config, paths: list[str]) -> Report:
    """Legacy-code modes, applied after detection: hide baseline findings, keep changed lines only."""
    import dataclasses

    from . import engine
    from .baseline import apply_baseline, load_baseline, write_baseline

    notices = list(report.notices)
    if args.baseline:
        baseline = load_baseline(args.baseline)
        codes = engine.selected_codes(config, engine.rule_catalog())
        roots = [os.path.realpath(p) for p in paths]

        def covers(entry) -> bool:
            where = os.path.realpath(entry.path)
            return entry.rule in codes and any(where == r or where.startswith(r.rstrip(os.sep) + os.sep) for r in roots)

        report, stale = apply_baseline(report, baseline, covers)
        if stale and args.prune_baseline:
            write_baseline(args.baseline, baseline.without(stale))
            notices.append(f"baseline {args.baseline}: pruned {len(stale)} stale entr{'y' if len(stale) == 1 else 'ies'}")
        elif stale:
            listed = ", ".join(f"{e.rule} {e.path}:{e.line}" for e in stale[:5]) + (" …" if len(stale) > 5 else "")
            notices.append(f"baseline {args.baseline}: {len(stale)} stale entr{'y' if len(stale) == 1 else 'ies'} "
                           f"(fixed or moved: {listed}); --prune-baseline removes them")  # fmt: skip
    if args.diff:
        from .diff import changed_lines, restrict

        report, dropped = restrict(report, changed_lines(args.diff, paths[0]))
        if dropped:
            notices.append(f"--diff {args.diff}: {dropped} finding(s) on unchanged lines not shown")
    return dataclasses.replace(report, notices=tuple(notices))


def _step_summary(report: Report, rules: dict[str, RuleInfo], options, path: str) -> None:
    from .report import markdown

    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(markdown.render(report, rules, load_catalog(), options, limit=10) + "\n")
    except OSError as exc:
        print(f"backend-lint: warning: cannot append to GITHUB_STEP_SUMMARY {path}: {exc.strerror}", file=sys.stderr)


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"--output: cannot write {output}: {exc.strerror}") from None


class _progress:
    """A rich progress bar on stderr for long runs in a terminal; a no-op otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            return None
        return self.update

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < 50:
                return
            from rich.progress import Progress

            self.bar = Progress(transient=True, console=None)
            self.bar.start()
            self.task = self.bar.add_task("linting", total=total)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def _find_rule(query: str, rules: dict[str, RuleInfo]) -> RuleInfo:
    info = rules.get(query.upper()) or next((r for r in rules.values() if r.name == query), None)
    if info is None:
        raise UsageError(f"unknown rule {query!r}; 'backend-lint rules' lists them")
    return info


def _cmd_rules(argv: list[str]) -> int:
    from . import engine

    parser = _Parser(prog="backend-lint rules", description="List every rule of every engine.")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--no-color", action="store_true", help="no colours or styles (also: NO_COLOR=1)")
    args = parser.parse_args(argv)
    rules = engine.rule_catalog()
    if args.format == "json":
        data = [
            {"code": r.code, "name": r.name, "category": r.category, "severity": r.severity, "engine": r.engine,
             "agent": r.agent, "checklist": list(r.checklist), "cwe": list(r.cwe), "summary": r.summary}
            for r in rules.values()
        ]  # fmt: skip
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return EXIT_CLEAN
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False)
    for column in ("code", "name", "category", "severity", "engine", "agent", "checklist", "CWE"):
        # a narrow terminal wraps values, never truncates them; codes and names stay whole
        table.add_column(column, overflow="fold", no_wrap=column in ("code", "name", "severity"))
    for r in rules.values():
        table.add_row(r.code, r.name, r.category, r.severity, r.engine, r.agent, ", ".join(r.checklist),
                      ", ".join(f"CWE-{c}" for c in r.cwe))  # fmt: skip
    plain = args.no_color or bool(os.environ.get("NO_COLOR"))
    console = Console(color_system=None if plain else "auto", width=200 if not sys.stdout.isatty() else None)
    console.print(table)
    return EXIT_CLEAN


def _cmd_explain(argv: list[str]) -> int:
    from . import engine

    parser = _Parser(prog="backend-lint explain", description="Document one rule.")
    parser.add_argument("rule", help="a rule code (BL101) or name (hardcoded-secret)")
    args = parser.parse_args(argv)
    info = _find_rule(args.rule, engine.rule_catalog())
    sys.stdout.write(explain_text(info))
    return EXIT_CLEAN


def explain_text(info: RuleInfo) -> str:
    catalog = load_catalog()
    items = "\n".join(f"  - {i}: {catalog.checklist_title(i)}" for i in info.checklist)
    parts = [
        f"{info.code} {info.name} ({info.engine} rule)\n",
        f"{info.summary}\n",
        f"Category: {info.category}    Severity: {info.severity}    Confidence: {info.confidence}",
        f"Responsible agent: {info.agent}",
        f"CWE: {', '.join(f'CWE-{c}' for c in info.cwe) or '-'}",
        f"Checklist items:\n{items}\n",
    ]
    if info.doc:
        parts.append(info.doc + "\n")
    if info.example:
        parts.append(f"## Example\n\n```python\n{info.example}\n```\n")
    if info.use_instead:
        parts.append(f"## Use instead\n\n```python\n{info.use_instead}\n```\n")
    if info.references:
        parts.append("## References\n\n" + "\n".join(f"- {r}" for r in info.references) + "\n")
    return "\n".join(parts)


def _cmd_checklist(argv: list[str]) -> int:
    from . import engine
    from .checklist import FAIL, item_statuses, render

    parser = argparse.ArgumentParser(
        prog="backend-lint checklist",
        description="The persona's Security and API Design checklists with each item's status for PATH: "
        "pass (checked, no finding), N findings, or not checked yet (no selected rule checks it).",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    parser.add_argument("--config", metavar="FILE", help="pyproject.toml to read [tool.backend-lint] from")
    parser.add_argument("--select", type=_csv, action="extend", metavar="RULES", help="codes, names or categories to run")
    parser.add_argument("--ignore", type=_csv, action="extend", metavar="RULES", help="codes, names or categories to skip")
    parser.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N", help="worker processes (default: CPUs)")
    args = parser.parse_args(argv)
    paths = args.paths or ["."]
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"path not found: {path}")
    config = load_config(paths, args.config)
    if args.select:
        config = config.replace(select=tuple(args.select))
    if args.ignore:
        config = config.replace(ignore=(*config.ignore, *args.ignore))
    report = engine.run(paths, config, engine.RunOptions(jobs=args.jobs))
    rules = engine.rule_catalog()
    statuses = item_statuses(load_catalog(), rules, engine.selected_codes(config, rules), report.findings)
    sys.stdout.write(render(statuses, args.format))
    if report.errors:
        print(f"backend-lint: {len(report.errors)} file(s) could not be analysed; "
              "run 'backend-lint check' to see them", file=sys.stderr)  # fmt: skip
    return EXIT_FINDINGS if any(s.state == FAIL for s in statuses) or report.errors else EXIT_CLEAN
