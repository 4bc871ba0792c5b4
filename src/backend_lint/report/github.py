"""GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` annotation per finding.

`::error file=app.py,line=3,col=5,endLine=3,endColumn=9,title=BL201 silent-exception::message`.
Values are escaped as the runner expects (the rules of @actions/core): in the message `%`, CR and
LF become `%25`, `%0D`, `%0A`; in properties `:` and `,` also become `%3A` and `%2C`. So a newline
in a file name or message cannot end the command and start another; before that, every other
control, bidi or invisible character is made visible and `##[` (a legacy runner command, found
anywhere in a line) is broken (`escape.log_safe`), and messages are clipped to MESSAGE_LIMIT.
CR and LF stay lossless in the `file` property, which the runner decodes. The step summary
(Markdown) is rendered by `report.markdown`; the CLI appends it to `$GITHUB_STEP_SUMMARY`.
"""

from __future__ import annotations

from ..catalog import Catalog, RuleInfo
from ..model import Finding, Report
from . import RenderOptions
from .escape import MESSAGE_LIMIT, clip, log_safe
from .summary import summarise

COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _inert(value: str) -> str:
    """`log_safe`, but CR and LF kept for the %-escapes, which the runner decodes back."""
    lines = value.split("\n")
    return "\n".join("\r".join(log_safe(part) for part in line.split("\r")) for line in lines)


def command(name: str, properties: dict[str, object], message: str) -> str:
    """One workflow command; property values and the message may hold anything."""
    props = ",".join(f"{k}={escape_property(_inert(str(v)))}" for k, v in properties.items() if v is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(_inert(message))}"


def annotation(f: Finding) -> str:
    props: dict[str, object] = {"file": f.path, "line": f.line, "col": f.column}
    if f.end_line >= f.line:
        props["endLine"] = f.end_line
        if f.end_line > f.line or f.end_column > f.column:
            props["endColumn"] = f.end_column
    props["title"] = f"{f.rule} {f.name}"
    items = ", ".join(f.checklist)
    message = f"{clip(f.message, MESSAGE_LIMIT)} [{f.severity}; agent: {f.agent}; checklist: {items}]"
    return command(COMMANDS[f.severity], props, message)


def render(report: Report, rules: dict[str, RuleInfo], catalog: Catalog, options: RenderOptions) -> str:
    lines = [annotation(f) for f in report.findings]
    for e in report.errors:
        if e.path is not None:
            props = {"file": e.path, "title": "backend-lint could not analyse"}
        else:
            props = {"title": f"backend-lint {e.engine or 'internal'} engine error"}
        lines.append(command("error", props, clip(e.message, MESSAGE_LIMIT)))
    for notice in report.notices:
        lines.append(command("notice", {"title": "backend-lint"}, notice))
    summary = summarise(report)
    tail = f"backend-lint: {summary['findings']} finding(s) in {summary['files']} file(s)"
    if report.suppressed:
        tail += f", {summary['suppressed']} suppressed"
    lines.append(tail + ".")
    return "\n".join(lines) + "\n"
