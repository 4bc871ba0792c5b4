from __future__ import annotations

import re

from backend_lint import checks, run as runner
from backend_lint.catalog import load_catalog, validate_rule

CORE_CATEGORIES = {"secrets", "error-handling", "logging", "input-validation", "sql-injection"}


def test_catalog_holds_all_38_agents_of_the_routing_table():
    catalog = load_catalog()
    assert len(catalog.agents) == 38
    domains = {a.domain for a in catalog.agents.values()}
    assert domains == {"API", "Database", "Auth & Security", "Architecture", "Performance", "Testing", "DevOps"}
    assert "auth-security/cryptography" in catalog.agents and "database/queries" in catalog.agents


def test_agents_match_the_persona_routing_table(persona_dir=None):
    """Every agent id quoted in 001_* is in the catalog, and nothing else is."""
    from pathlib import Path

    persona = Path(__file__).resolve().parents[2] / "shared" / "persona"
    routing = next(persona.glob("001_*.txt"), None) if persona.is_dir() else None
    if routing is None:
        import pytest

        pytest.skip("../shared/persona is not beside this checkout")
    quoted = set(re.findall(r"\| `([a-z-]+/[a-z-]+)` \|", routing.read_text(encoding="utf-8")))
    assert quoted == set(load_catalog().agents)


def test_checklists_hold_both_persona_checklists():
    catalog = load_catalog()
    lists = {}
    for item in catalog.checklist.values():
        lists.setdefault(item.list, []).append(item)
    assert len(lists["Security Checklist"]) == 8
    assert len(lists["API Design Checklist"]) == 9
    assert all(item.title for item in catalog.checklist.values())


def test_core_categories_are_spelled_exactly():
    assert CORE_CATEGORIES <= set(load_catalog().categories)


def test_every_rule_of_every_engine_resolves_into_the_catalog():
    catalog = load_catalog()
    problems = [p for info in runner.rule_catalog().values() for p in validate_rule(info, catalog)]
    assert problems == []


def test_codes_are_unique_and_well_formed():
    codes = [cls.code for cls in checks.discover()]
    assert len(codes) == len(set(codes))
    for info in runner.rule_catalog().values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", info.name), info.name
    native = [c for c, i in runner.rule_catalog().items() if i.engine == "native"]
    assert all(re.fullmatch(r"BL\d{3}", c) for c in native)


def test_every_rule_has_documentation_sections():
    for info in runner.rule_catalog().values():
        if info.engine != "native":
            continue
        assert info.summary, info.code
        assert "## What it does" in info.doc and "## Why is this bad?" in info.doc, info.code
