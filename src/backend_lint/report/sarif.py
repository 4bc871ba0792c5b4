"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run per invocation.

Every rule of the catalog the reporter receives is described in `tool.driver.rules` (its tags
carry the category, `CWE-<id>`, the agent and the checklist items); results point at files
relative to `%SRCROOT%` (the working directory, given in `originalUriBaseIds`), carry the finding's
fingerprint as a partial fingerprint, and suppressed findings (comments or baseline) are listed with
`suppressions`, as SARIF asks, so viewers can show them as dismissed. Written by
`escape.json_text` (valid UTF-8 JSON whatever the code under review holds); file names become
percent-encoded URIs, the bytes of a name that is not UTF-8 included.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import quote

from ..catalog import Catalog, RuleInfo
from ..model import Error, Finding, Report
from . import RenderOptions
from .escape import json_text

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "backendLint/v1"

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning ranks security alerts by this CVSS-like score (> 9 critical, 7-8.9 high, 4-6.9 medium).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
# Categories whose rules are security rules (the others are code quality): they get the `security`
# tag and a `security-severity`, which is what puts an alert under GitHub's security view.
SECURITY_CATEGORIES = frozenset(
    {"secrets", "input-validation", "sql-injection", "cryptography", "injection", "transport", "configuration"}
)
PRECISION = {"high": "high", "medium": "medium", "low": "low"}


def render(report: Report, rules: dict[str, RuleInfo], catalog: Catalog, options: RenderOptions) -> str:
    codes = sorted(set(rules) | {f.rule for f in (*report.findings, *report.suppressed)})
    index = {code: i for i, code in enumerate(codes)}
    driver = {
        "name": "backend-lint",
        "version": options.version,
        "semanticVersion": options.version,
        "rules": [_rule(rules[c], catalog) if c in rules else {"id": c} for c in codes],
    }
    results = [_result(f, index) for f in (*report.findings, *report.suppressed)]
    results.sort(key=lambda r: (_sort_key(r), r["ruleId"]))
    run = {
        "tool": {"driver": driver},
        "invocations": [_invocation(report)],
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(options.root)}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    data = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json_text(data) + "\n"


def is_security(info: RuleInfo) -> bool:
    return info.category in SECURITY_CATEGORIES


def _rule(info: RuleInfo, catalog: Catalog) -> dict:
    tags = [info.category, *(f"CWE-{c}" for c in info.cwe), info.agent, *info.checklist]
    properties: dict = {"precision": PRECISION.get(info.confidence, "medium")}
    if is_security(info):
        tags.insert(0, "security")
        properties["security-severity"] = SECURITY_SEVERITY[info.severity]
    properties["tags"] = tags
    properties.update(severity=info.severity, agent=info.agent, checklist=list(info.checklist), engine=info.engine)
    rule = {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary or info.name},
        "fullDescription": {"text": _first_paragraph(info.doc) or info.summary or info.name},
        "help": {"text": _help_text(info, catalog), "markdown": _help_markdown(info, catalog)},
        "defaultConfiguration": {"level": LEVELS[info.severity]},
        "properties": properties,
    }
    if info.references:
        rule["helpUri"] = info.references[0]
    return rule


def _first_paragraph(doc: str) -> str:
    """The prose under `## What it does`, or the first paragraph of the doc."""
    body = doc.split("## What it does", 1)[-1]
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip() and not p.strip().startswith("#")]
    return " ".join(paragraphs[0].split()) if paragraphs else ""


def _checklist_lines(info: RuleInfo, catalog: Catalog) -> list[str]:
    return [f"- {item}: {catalog.checklist_title(item)}" for item in info.checklist]


def _help_text(info: RuleInfo, catalog: Catalog) -> str:
    parts = [f"{info.code} {info.name}: {info.summary}", f"Responsible agent: {info.agent}"]
    parts.append("Checklist items:\n" + "\n".join(_checklist_lines(info, catalog)))
    return "\n\n".join(parts)


def _help_markdown(info: RuleInfo, catalog: Catalog) -> str:
    parts = [f"**{info.code} {info.name}**: {info.summary}"]
    if info.doc:
        parts.append(info.doc)
    if info.example:
        parts.append(f"## Example\n\n```python\n{info.example}\n```")
    if info.use_instead:
        parts.append(f"## Use instead\n\n```python\n{info.use_instead}\n```")
    checklist = "\n".join(_checklist_lines(info, catalog))
    parts.append(f"Responsible agent: `{info.agent}`\n\nChecklist items:\n{checklist}")
    if info.references:
        parts.append("## References\n\n" + "\n".join(f"- {r}" for r in info.references))
    return "\n\n".join(parts)


def _location(path: str) -> dict:
    posix = PurePosixPath(path.replace("\\", "/"))
    if posix.is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(str(posix), errors="surrogateescape"), "uriBaseId": SRCROOT}


def _result(f: Finding, index: dict[str, int]) -> dict:
    region = {"startLine": f.line, "startColumn": max(f.column, 1)}
    if f.end_line >= f.line:
        region["endLine"] = f.end_line
        if f.end_column >= 1 and (f.end_line > f.line or f.end_column >= region["startColumn"]):
            region["endColumn"] = f.end_column
    result = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": _location(f.path), "region": region}}],
        "properties": {
            "severity": f.severity, "confidence": f.confidence, "agent": f.agent,
            "checklist": list(f.checklist), "engine": f.engine,
        },
    }  # fmt: skip
    if f.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    if f.also_reported_by:
        result["properties"]["alsoReportedBy"] = list(f.also_reported_by)
    if f.trace:
        result["codeFlows"] = [_code_flow(f)]
    if f.suppression is not None:
        in_source = f.suppression.kind != "baseline"
        suppression: dict = {"kind": "inSource" if in_source else "external", "state": "accepted"}
        if f.suppression.reason:
            suppression["justification"] = f.suppression.reason
        if in_source and f.suppression.line >= 1:  # where the suppression comment is
            physical = {"artifactLocation": _location(f.path), "region": {"startLine": f.suppression.line}}
            suppression["location"] = {"physicalLocation": physical}
        result["suppressions"] = [suppression]
    return result


def _code_flow(f: Finding) -> dict:
    """A dataflow finding's path as one thread flow: source, steps, calls, sink."""
    locations = []
    for step in f.trace:
        physical = {"artifactLocation": _location(step.path), "region": {"startLine": max(step.line, 1)}}
        locations.append({"location": {"physicalLocation": physical, "message": {"text": step.text}}})
    return {"threadFlows": [{"locations": locations}]}


def _sort_key(result: dict) -> tuple:
    loc = result["locations"][0]["physicalLocation"]
    return (loc["artifactLocation"]["uri"], loc["region"]["startLine"], loc["region"]["startColumn"])


def _invocation(report: Report) -> dict:
    internal = any(e.kind == "internal" for e in report.errors)
    invocation: dict = {"executionSuccessful": not internal}
    if report.errors:
        invocation["toolExecutionNotifications"] = [_notification(e) for e in report.errors]
    return invocation


def _notification(error: Error) -> dict:
    """A file that could not be analysed, with its location; or an engine that failed, without one."""
    if error.path is not None:
        text = f"could not analyse {error.path}: {error.message}"
    else:
        text = f"{error.where()} failed: {error.message}"
    note: dict = {"level": "error", "message": {"text": text}, "properties": {"kind": error.kind}}
    if error.engine:
        note["properties"]["engine"] = error.engine
    if error.path is not None:
        note["locations"] = [{"physicalLocation": {"artifactLocation": _location(error.path)}}]
    return note


def _root_uri(root: str) -> str:
    uri = Path(root or ".").resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"
