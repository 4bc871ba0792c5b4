"""The commands that describe the standard: `rules`, `explain CODE` and `checklist [PATH]`."""

from __future__ import annotations

import json
import os
import sys

from ..catalog import RuleInfo, load_catalog
from .options import EXIT_CLEAN, EXIT_FINDINGS, Parser, UsageError, add_run_options, cache_dir, run_config


def _find_rule(query: str, rules: dict[str, RuleInfo]) -> RuleInfo:
    info = rules.get(query.upper()) or next((r for r in rules.values() if r.name == query), None)
    if info is None:
        raise UsageError(f"unknown rule {query!r}; 'backend-lint rules' lists them")
    return info

def cmd_rules(argv: list[str]) -> int:
    from .. import run

    parser = Parser(prog="backend-lint rules", description="List every rule of every engine.")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--no-color", action="store_true", help="no colours or styles (also: NO_COLOR=1)")
    args = parser.parse_args(argv)
    rules = run.rule_catalog()
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

def cmd_explain(argv: list[str]) -> int:
    from .. import run

    parser = Parser(prog="backend-lint explain", description="Document one rule.")
    parser.add_argument("rule", help="a rule code (BL101) or name (hardcoded-secret)")
    args = parser.parse_args(argv)
    info = _find_rule(args.rule, run.rule_catalog())
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


def cmd_checklist(argv: list[str]) -> int:
    from .. import run
    from ..checklist import FAIL, item_statuses, render
    from ..run import decide

    parser = Parser(
        prog="backend-lint checklist",
        description="The persona's Security and API Design checklists with each item's status for PATH: "
        "pass (checked, no finding), N findings, or not checked yet (no selected rule checks it).",
    )
    add_run_options(parser)
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    args = parser.parse_args(argv)
    paths, config = run_config(args)
    report = run.run(paths, config, run.RunOptions(jobs=args.jobs, cache_dir=cache_dir(args, config)))
    report = decide.shown(report, config.min_severity, None)
    rules = run.rule_catalog()
    statuses = item_statuses(load_catalog(), rules, set(report.rules), report.findings)
    sys.stdout.write(render(statuses, args.format))
    if report.errors:
        print(f"backend-lint: {len(report.errors)} file(s) could not be analysed; "
              "run 'backend-lint check' to see them", file=sys.stderr)  # fmt: skip
    return EXIT_FINDINGS if any(s.state == FAIL for s in statuses) or report.errors else EXIT_CLEAN
