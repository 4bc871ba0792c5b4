"""Human output with rich: findings grouped by file with their code line, then who owns what.

Everything that comes from the code under review (paths, messages, code lines, reasons, notices)
goes through `escape`: rich markup escaped, no control or bidi character reaches the terminal, and
a code line or message is clipped (CODE_LIMIT, MESSAGE_LIMIT) so one long line flagged many times
cannot make a huge report.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape as markup
from rich.table import Table

from ..catalog import Catalog, RuleInfo
from ..model import Finding, Report, split_errors
from . import RenderOptions
from .escape import CODE_LIMIT, MESSAGE_LIMIT, line_start, log_safe
from .summary import summarise

STYLES = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}


def render(report: Report, rules: dict[str, RuleInfo], catalog: Catalog, options: RenderOptions) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        width=options.width or 120,
        soft_wrap=True,
        highlight=False,
        emoji=False,
    )
    _findings(console, report.findings, report.code)
    if options.show_suppressed and report.suppressed:
        console.print(f"[bold]Suppressed ({len(report.suppressed)})[/]")
        for f in report.suppressed:
            reason = f" -- {f.suppression.reason}" if f.suppression and f.suppression.reason else ""
            where = f"{shown(f.path, start=True)}:{f.line}:{f.column}"
            console.print(f"  {where} {f.rule} {f.name}{shown(reason, MESSAGE_LIMIT)}", style="dim")
        console.print()
    files, engines = split_errors(report.errors)
    if files:
        console.print(f"[bold red]Could not analyse {len(files)} file(s)[/]")
        for e in files:
            by = f" [{e.engine}]" if e.engine and e.engine != "native" else ""
            console.print(f"  {shown(e.path or '', start=True)}: {shown(e.message, MESSAGE_LIMIT)}{markup(by)}")
        console.print()
    if engines:
        console.print(f"[bold red]{len(engines)} engine error(s)[/]")
        for e in engines:
            console.print(f"  {markup(e.engine or 'backend-lint')}: {shown(e.message, MESSAGE_LIMIT)}")
        console.print()
    for notice in report.notices:
        console.print(f"[yellow]note:[/] {shown(notice)}")
    if options.quiet:
        return buffer.getvalue()
    if report.findings:
        _summary_tables(console, report, catalog)
    console.print(_footer(report))
    return buffer.getvalue()


def _findings(console: Console, findings: tuple[Finding, ...], code: dict[str, dict[int, str]]) -> None:
    current = None
    for f in findings:
        if f.path != current:
            if current is not None:
                console.print()
            current = f.path
            console.print(f"[bold underline]{shown(f.path, start=True)}[/]")
        sev = STYLES.get(f.severity, "")
        also = f"  [dim](also: {shown(', '.join(f.also_reported_by))})[/]" if f.also_reported_by else ""
        console.print(
            f"  {f.line}:{f.column}  [{sev}]{f.severity:<8}[/] [bold]{f.rule}[/] {f.name}  "
            f"{shown(f.message, MESSAGE_LIMIT)}  [dim]→ {shown(f.agent)}[/]{also}"
        )
        line = code_line(f, code.get(f.path, {}).get(f.line, ""))
        if line:
            console.print(f"      [dim]│[/] {shown(line, CODE_LIMIT)}")
        if f.trace:
            console.print(f"      [dim]path:[/] {shown(trace_line(f), MESSAGE_LIMIT)}")
    if findings:
        console.print()


def trace_line(f: Finding) -> str:
    """A dataflow finding's path, compactly: `request.args["next"] views.py:55 → next → safe(next) →
    redirect() views.py:58`; a step shows its file and line where the path starts, enters another
    file, or ends."""
    parts, previous = [], None
    for i, step in enumerate(f.trace):
        place = i in (0, len(f.trace) - 1) or step.path != previous
        parts.append(f"{step.text} {step.path.rsplit('/', 1)[-1]}:{step.line}" if place else step.text)
        previous = step.path
    return " → ".join(parts)


def shown(text: str, limit: int | None = None, start: bool = False) -> str:
    """Untrusted text as rich markup: inert (see `escape`), clipped to `limit` characters."""
    return markup(line_start(text) if start else log_safe(text, limit))


def code_line(f: Finding, code: str) -> str:
    """The flagged line (`code`, as the run read it) for context; for a secret, the flagged value
    itself is masked so the report does not copy the secret into CI logs."""
    if f.category == "secrets" and code:
        start = f.column - 1
        end = f.end_column - 1 if f.end_line == f.line else len(code)
        if 0 <= start < end <= len(code):
            code = code[:start] + _mask(code[start:end]) + code[end:]
    return code.strip()


def _mask(text: str) -> str:
    quote = text[-1] if text[-1:] in ("'", '"') else ""
    keep = min(len(text) // 4, 9)
    return f"{text[:keep]}…{quote}"


def _summary_tables(console: Console, report: Report, catalog: Catalog) -> None:
    summary = summarise(report)
    agents = Table(title="Findings by responsible agent", title_justify="left", show_edge=False)
    agents.add_column("agent")
    agents.add_column("findings", justify="right")
    for agent, count in summary["by_agent"].items():
        agents.add_row(shown(agent), str(count))
    console.print(agents)
    console.print()
    items = Table(title="Findings by checklist item", title_justify="left", show_edge=False)
    items.add_column("item")
    items.add_column("checklist")
    items.add_column("findings", justify="right")
    for item, count in summary["by_checklist"].items():
        entry = catalog.checklist.get(item)
        items.add_row(shown(entry.title if entry else item), entry.list if entry else "", str(count))
    console.print(items)
    console.print()


def _footer(report: Report) -> str:
    if not report.findings:
        text = f"[green]No findings[/] in {report.files} file(s)."
    else:
        counts = summarise(report)["by_severity"]
        detail = ", ".join(f"{n} {s}" for s, n in counts.items())
        text = f"[bold]{len(report.findings)} finding(s)[/] ({detail}) in {report.files} file(s)."
    baselined = summarise(report)["baselined"]
    if len(report.suppressed) > baselined:
        text += f" {len(report.suppressed) - baselined} suppressed."
    if baselined:
        text += f" {baselined} known from the baseline."
    files, engines = split_errors(report.errors)
    if files:
        text += f" [red]{len({e.path for e in files})} file(s) could not be analysed.[/]"
    if engines:
        text += f" [red]{len(engines)} engine error(s).[/]"
    return text
