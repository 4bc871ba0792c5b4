"""Markdown for pull-request comments and the GitHub step summary.

A headline with the counts, the findings (most severe first, at most `limit` of them), then the
findings per responsible agent and per checklist item, and the files that could not be analysed.
Paths, messages, notices and reasons come from the code under review: they go through
`escape.md_code` / `escape.md_text`, so a hostile file name or message can neither break a table
row nor inject HTML, a link, an image or a mention into the comment; messages are clipped to
MESSAGE_LIMIT characters.
"""

from __future__ import annotations

from ..catalog import Catalog, RuleInfo
from ..model import Finding, Report, severity_rank, split_errors
from . import RenderOptions
from .escape import MESSAGE_LIMIT, md_code, md_text
from .summary import summarise

LIMIT = 50
ICONS = {"critical": "🔴", "high": "🔴", "medium": "🟠", "low": "🟡", "info": "⚪"}


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no pipe, no newline, no HTML or link."""
    return md_text(str(text))


def render(
    report: Report, rules: dict[str, RuleInfo], catalog: Catalog, options: RenderOptions, limit: int = LIMIT
) -> str:
    summary = summarise(report)
    lines = [f"## backend-lint: {_headline(summary)}", ""]
    extra = []
    if summary["suppressed"] - summary.get("baselined", 0):
        extra.append(f"{summary['suppressed'] - summary.get('baselined', 0)} suppressed by comments")
    if summary.get("baselined"):
        extra.append(f"{summary['baselined']} known from the baseline")
    if extra:
        lines += [f"_Not shown: {', '.join(extra)}._", ""]
    if report.findings:
        lines += _findings(report.findings, limit)
        lines += _by_agent(summary)
        lines += _by_checklist(summary, catalog)
    files, engines = split_errors(report.errors)
    if files:
        lines += [f"### Could not analyse {len(files)} file(s)", ""]
        lines += [f"- {md_code(e.path or '', table=False)}: {md_text(e.message, MESSAGE_LIMIT, table=False)}" for e in files]
        lines.append("")
    if engines:
        lines += [f"### {len(engines)} engine error(s)", ""]
        lines += [f"- {md_text(e.engine or 'backend-lint', table=False)}: {md_text(e.message, MESSAGE_LIMIT, table=False)}"
                  for e in engines]  # fmt: skip
        lines.append("")
    for notice in report.notices:
        lines += [f"> **Note:** {md_text(notice, table=False)}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _headline(summary: dict) -> str:
    if not summary["findings"]:
        return f"no findings in {summary['files']} file(s) ✅"
    detail = ", ".join(f"{n} {s}" for s, n in summary["by_severity"].items())
    return f"{summary['findings']} finding(s) ({detail}) in {summary['files']} file(s)"


def _findings(findings: tuple[Finding, ...], limit: int) -> list[str]:
    ordered = sorted(findings, key=lambda f: (-severity_rank(f.severity), f.sort_key()))
    title = "Findings" if len(ordered) <= limit else f"Top {limit} of {len(ordered)} findings"
    lines = [f"### {title}", "", "| severity | rule | location | message | agent |", "|---|---|---|---|---|"]
    for f in ordered[:limit]:
        lines.append(
            f"| {ICONS[f.severity]} {f.severity} | {md_code(f.rule)} {cell(f.name)} | {md_code(f'{f.path}:{f.line}')} "
            f"| {md_text(f.message, MESSAGE_LIMIT)} | {md_code(f.agent)} |"
        )
    if len(ordered) > limit:
        lines.append(f"\n…and {len(ordered) - limit} more (see the full report).")
    return [*lines, ""]


def _by_agent(summary: dict) -> list[str]:
    lines = ["### Findings by responsible agent", "", "| agent | findings |", "|---|---:|"]
    lines += [f"| {md_code(agent)} | {n} |" for agent, n in summary["by_agent"].items()]
    return [*lines, ""]


def _by_checklist(summary: dict, catalog: Catalog) -> list[str]:
    lines = ["### Findings by checklist item", "", "| item | checklist | findings |", "|---|---|---:|"]
    for item, n in summary["by_checklist"].items():
        entry = catalog.checklist.get(item)
        title, listed = (entry.title, entry.list) if entry else (item, "")
        lines.append(f"| {cell(title)} | {cell(listed)} | {n} |")
    return [*lines, ""]
