"""data/equivalents.toml: every rule of every engine is in the table, and the codes it names exist."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from backend_lint import checks
from backend_lint.engines import semgrep
from backend_lint.suppress import load_equivalents
from backend_lint.taint.rules import RULES as TAINT_RULES
from conftest import REPO

TABLE = load_equivalents()
NATIVE = {cls.code for cls in checks.discover()}
PACK = set(semgrep.load_rule_infos(REPO / "rules"))
TAINT = {rule.code for rule in TAINT_RULES}
FORMATS = {"bandit": r"B\d{3}", "ruff": r"[A-Z]+\d{2,4}", "semgrep": r"[a-z0-9_.-]+"}


def _raw():
    import tomllib

    return tomllib.loads((REPO / "src" / "backend_lint" / "data" / "equivalents.toml").read_text("utf-8"))


def test_every_rule_of_the_native_and_taint_engines_and_the_semgrep_pack_has_an_entry():
    raw = _raw()
    missing = sorted((NATIVE | PACK | TAINT) - set(raw))
    assert not missing, f"rules without a line in equivalents.toml: {missing}"
    stale = sorted(set(raw) - NATIVE - PACK - TAINT)
    assert not stale, f"equivalents.toml names rules that do not exist: {stale}"


def test_every_entry_lists_equivalents_or_says_why_there_are_none():
    for rule, entry in _raw().items():
        tools = {k for k in entry if k != "none"}
        assert tools <= set(FORMATS), (rule, tools)
        assert bool(tools) != ("none" in entry), f"{rule}: either equivalents or a `none` reason, not both"
        for tool in tools:
            assert entry[tool], (rule, tool)
            for code in entry[tool]:
                assert re.fullmatch(FORMATS[tool], code), (rule, tool, code)


@pytest.mark.skipif(shutil.which("ruff", path=str(REPO / ".venv" / "bin")) is None and shutil.which("ruff") is None,
                    reason="ruff is not installed")
def test_every_ruff_code_is_a_real_ruff_rule():
    ruff = shutil.which("ruff", path=str(REPO / ".venv" / "bin")) or shutil.which("ruff")
    known = {r["code"] for r in json.loads(subprocess.run([ruff, "rule", "--all", "--output-format", "json"],
                                                           capture_output=True, text=True, check=True).stdout)}
    named = {code for entry in _raw().values() for code in entry.get("ruff", ())}
    assert named - known == set()


def test_a_code_stands_for_the_rules_that_list_it():
    assert TABLE.rules_for("ruff", "S308") == {"BL707", "BL415"}  # marked-safe markup, and request data reaching it
    assert TABLE.rules_for("bandit", "B608") == {"BL501", "BL410"}
    assert TABLE.rules_for("semgrep", "AVOID-MARK-SAFE") == {"BL707"}
    assert "BL103" not in TABLE.rules["bandit"] and "BL103" in TABLE.reasons
