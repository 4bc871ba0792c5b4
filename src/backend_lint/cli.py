"""The command line: `backend-lint [check] PATH...`, `backend-lint rules`, `backend-lint explain CODE`.

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
from .catalog import RuleInfo, load_catalog
from .config import ConfigError, load_config
from .model import SEVERITIES, Report, severity_rank

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
COMMANDS = ("check", "rules", "explain")


class UsageError(Exception):
    pass


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
    parser = argparse.ArgumentParser(
        prog="backend-lint",
        description="Lint Python backends against a senior backend reviewer's standard.",
        epilog="Other commands: 'backend-lint rules' lists every rule, 'backend-lint explain CODE' documents one. "
        "Exit codes: 0 clean, 1 findings, 2 usage/config/internal error.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
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
    parser.add_argument(
        "--cache-dir", metavar="DIR", help="where to keep per-file results (default: .backend_lint_cache in the config root)"
    )
    parser.add_argument("--no-cache", action="store_true", help="analyse every file, read and write no cache")
    parser.add_argument("--version", action="version", version=f"backend-lint {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "rules":
            return _cmd_rules(argv[1:])
        if argv and argv[0] == "explain":
            return _cmd_explain(argv[1:])
        if argv and argv[0] == "check":
            argv = argv[1:]
        return _cmd_check(argv)
    except (ConfigError, UsageError) as exc:
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
    overrides = {}
    if args.select:
        overrides["select"] = tuple(args.select)
    if args.ignore:
        overrides["ignore"] = (*config.ignore, *args.ignore)
    if args.min_severity:
        overrides["min_severity"] = args.min_severity
    if args.report_unused_suppressions:
        overrides["report_unused_suppressions"] = True
    config = config.replace(**overrides)
    interactive = sys.stderr.isatty() and not args.quiet
    cache_dir = None if args.no_cache else args.cache_dir or str(config.root / engine.CACHE_DIRECTORY)
    with _progress(interactive) as progress:
        report = engine.run(paths, config, engine.RunOptions(jobs=args.jobs, progress=progress, cache_dir=cache_dir))
    to_terminal = args.output is None and sys.stdout.isatty()
    color = to_terminal and not args.no_color and not os.environ.get("NO_COLOR")
    options = RenderOptions(
        version=__version__, color=color, show_suppressed=args.show_suppressed,
        root=os.getcwd(), quiet=args.quiet,
    )  # fmt: skip
    text = render(args.format, report, engine.rule_catalog(), load_catalog(), options)
    _write(text, args.output)
    return _exit_code(report, config.fail_on, args.exit_zero)


def _exit_code(report: Report, fail_on: str | None, exit_zero: bool) -> int:
    if any(e.engine == "internal" for e in report.errors):
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    floor = severity_rank(fail_on) if fail_on else -1
    if any(severity_rank(f.severity) >= floor for f in report.findings) or report.errors:
        return EXIT_FINDINGS
    return EXIT_CLEAN


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

    parser = argparse.ArgumentParser(prog="backend-lint rules", description="List every rule of every engine.")
    parser.add_argument("--format", choices=("text", "json"), default="text")
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
        table.add_column(column)
    for r in rules.values():
        table.add_row(r.code, r.name, r.category, r.severity, r.engine, r.agent, ", ".join(r.checklist),
                      ", ".join(f"CWE-{c}" for c in r.cwe))  # fmt: skip
    Console(no_color=bool(os.environ.get("NO_COLOR")), width=200 if not sys.stdout.isatty() else None).print(table)
    return EXIT_CLEAN


def _cmd_explain(argv: list[str]) -> int:
    from . import engine

    parser = argparse.ArgumentParser(prog="backend-lint explain", description="Document one rule.")
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
