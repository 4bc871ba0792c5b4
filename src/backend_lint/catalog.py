"""The persona's standard as data: agents, checklist items, categories, escalation, and rule metadata.

`load_catalog()` reads `data/catalog.toml` (each fact stored once); `RuleInfo` is the engine-neutral
description of one rule, whichever engine implements it, so reporters never import rules.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import lru_cache

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from .model import CONFIDENCES, SEVERITIES


@dataclass(frozen=True)
class Agent:
    id: str
    domain: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    list: str
    title: str
    original: str = ""


@dataclass(frozen=True)
class Escalation:
    situation: str
    original: str
    to: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    agents: dict[str, Agent]
    checklist: dict[str, ChecklistItem]
    categories: dict[str, str]
    escalation: tuple[Escalation, ...]

    def checklist_title(self, item_id: str) -> str:
        item = self.checklist.get(item_id)
        return item.title if item else item_id


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    # a plain file read: importlib.resources costs ~20 ms of start-up (tempfile, shutil, zipfile...)
    with open(os.path.join(os.path.dirname(__file__), "data", "catalog.toml"), "rb") as fh:
        raw = tomllib.load(fh)
    agents = {k: Agent(k, v["domain"], tuple(v["keywords"])) for k, v in raw["agents"].items()}
    checklist = {
        k: ChecklistItem(k, v["list"], v["title"], v.get("original", "")) for k, v in raw["checklist"].items()
    }
    escalation = tuple(Escalation(e["situation"], e["original"], tuple(e["to"])) for e in raw["escalation"])
    return Catalog(agents, checklist, dict(raw["categories"]), escalation)


@dataclass(frozen=True)
class RuleInfo:
    """Everything a reporter, `rules` or `explain` needs to know about a rule of any engine."""

    code: str
    name: str
    category: str
    severity: str
    agent: str
    checklist: tuple[str, ...]
    cwe: tuple[int, ...]
    engine: str
    summary: str
    confidence: str = "high"
    doc: str = ""  # Markdown with the sections What it does / Why is this bad?
    example: str = ""  # first INVALID example, rendered by `explain`
    use_instead: str = ""  # first VALID example
    references: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def validate_rule(info: RuleInfo, catalog: Catalog) -> list[str]:
    """Problems with one rule's references into the catalog (empty when it is sound)."""
    problems = []
    where = f"{info.engine} rule {info.code} ({info.name})"
    if info.agent not in catalog.agents:
        problems.append(f"{where}: unknown agent {info.agent!r}")
    if not info.checklist:
        problems.append(f"{where}: names no checklist item")
    for item in info.checklist:
        if item not in catalog.checklist:
            problems.append(f"{where}: unknown checklist item {item!r}")
    if info.category not in catalog.categories:
        problems.append(f"{where}: unknown category {info.category!r}")
    if info.severity not in SEVERITIES:
        problems.append(f"{where}: unknown severity {info.severity!r}")
    if info.confidence not in CONFIDENCES:
        problems.append(f"{where}: unknown confidence {info.confidence!r}")
    return problems
