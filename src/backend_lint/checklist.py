"""The persona's checklists with each item's status for a project (`backend-lint checklist`).

An item is *not checked yet* when no selected rule names it (backend-lint cannot vouch for it, e.g.
"Rate limiting configured"), *pass* when rules check it and found nothing, and otherwise carries its
number of findings. Status is computed from the rule catalog and a Report; this module detects
nothing and, like the reporters, imports no rule, engine or config. It renders its own small table
(text, Markdown, JSON) because the checklist is a view of its own, not a format of the findings report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from .catalog import Catalog, ChecklistItem, RuleInfo
from .model import Finding

LISTS = ("Security Checklist", "API Design Checklist")
PASS, FAIL, UNCHECKED = "pass", "findings", "not checked yet"


@dataclass(frozen=True)
class ItemStatus:
    item: ChecklistItem
    state: str  # PASS, FAIL or UNCHECKED
    findings: int
    rules: tuple[str, ...]  # codes of the selected rules that check this item

    @property
    def label(self) -> str:
        if self.state == FAIL:
            return f"{self.findings} finding{'s' if self.findings != 1 else ''}"
        return self.state


def item_statuses(
    catalog: Catalog,
    rules: dict[str, RuleInfo],
    selected: Iterable[str],
    findings: Iterable[Finding],
    lists: tuple[str, ...] = LISTS,
) -> list[ItemStatus]:
    """One status per item of `lists`, in catalog order, list by list."""
    selected = set(selected)
    counts: dict[str, int] = {}
    for f in findings:
        for item in f.checklist:
            counts[item] = counts.get(item, 0) + 1
    out = []
    for name in lists:
        for item in (i for i in catalog.checklist.values() if i.list == name):
            checking = tuple(sorted(c for c in selected if c in rules and item.id in rules[c].checklist))
            n = counts.get(item.id, 0)
            state = FAIL if n else (PASS if checking else UNCHECKED)
            out.append(ItemStatus(item, state, n, checking))
    return out


def render(statuses: list[ItemStatus], fmt: str) -> str:
    if fmt == "json":
        data = [
            {"id": s.item.id, "list": s.item.list, "title": s.item.title, "status": s.state,
             "findings": s.findings, "rules": list(s.rules)}
            for s in statuses
        ]  # fmt: skip
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(statuses)
    return _text(statuses)


def _by_list(statuses: list[ItemStatus]) -> dict[str, list[ItemStatus]]:
    groups: dict[str, list[ItemStatus]] = {}
    for s in statuses:
        groups.setdefault(s.item.list, []).append(s)
    return groups


_MARK = {PASS: "✓", FAIL: "✗", UNCHECKED: "·"}


def _text(statuses: list[ItemStatus]) -> str:
    lines = []
    for name, group in _by_list(statuses).items():
        lines.append(name)
        width = max(len(s.item.title) for s in group)
        for s in group:
            rules = f"  ({', '.join(s.rules)})" if s.rules else ""
            lines.append(f"  {_MARK[s.state]} {s.item.title:<{width}}  {s.label}{rules}")
        lines.append("")
    lines.append(_tally(statuses))
    return "\n".join(lines) + "\n"


def _markdown(statuses: list[ItemStatus]) -> str:
    lines = []
    for name, group in _by_list(statuses).items():
        lines += [f"### {name}", "", "| | item | status | checked by |", "|---|---|---|---|"]
        for s in group:
            rules = ", ".join(f"`{c}`" for c in s.rules) or "—"
            mark = {PASS: "✅", FAIL: "❌", UNCHECKED: "⚪"}[s.state]
            lines.append(f"| {mark} | {s.item.title.replace('|', '&#124;')} | {s.label} | {rules} |")
        lines.append("")
    lines.append(_tally(statuses))
    return "\n".join(lines) + "\n"


def _tally(statuses: list[ItemStatus]) -> str:
    n = {state: sum(s.state == state for s in statuses) for state in (PASS, FAIL, UNCHECKED)}
    return f"{n[FAIL]} item(s) with findings, {n[PASS]} passing, {n[UNCHECKED]} not checked yet."
