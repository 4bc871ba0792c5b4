"""`backend-lint checklist`: the Security and API Design checklists with each item's status."""

from __future__ import annotations

import json

from backend_lint.catalog import RuleInfo, load_catalog
from backend_lint.checklist import FAIL, PASS, UNCHECKED, item_statuses
from conftest import SILENT, run_cli, write



def status_of(stdout: str) -> dict[str, dict]:
    return {item["id"]: item for item in json.loads(stdout)}


def test_items_checked_by_a_rule_that_fires_show_the_number_of_findings(tmp_path):
    write(tmp_path, "a.py", SILENT)
    write(tmp_path, "b.py", SILENT)
    done = run_cli("checklist", "--format", "json", ".", cwd=tmp_path)
    assert done.returncode == 1
    items = status_of(done.stdout)
    assert len(items) == 17  # 8 Security Checklist items + 9 API Design Checklist items
    assert {i["list"] for i in items.values()} == {"Security Checklist", "API Design Checklist"}
    assert items["api.error-handling"] == {**items["api.error-handling"], "status": FAIL, "findings": 2}
    assert "BL201" in items["api.error-handling"]["rules"]
    assert items["security.rate-limiting"]["status"] == UNCHECKED and items["security.rate-limiting"]["rules"] == []


def test_clean_project_passes_the_items_rules_check(tmp_path):
    write(tmp_path, "ok.py", "def f():\n    return 1\n")
    done = run_cli("checklist", "--format", "json", ".", cwd=tmp_path)
    assert done.returncode == 0
    assert status_of(done.stdout)["api.error-handling"]["status"] == PASS


def test_an_item_no_selected_rule_checks_is_not_checked_yet(tmp_path):
    write(tmp_path, "a.py", SILENT)
    done = run_cli("checklist", "--format", "json", "--select", "BL301", ".", cwd=tmp_path)
    assert done.returncode == 0
    assert status_of(done.stdout)["api.error-handling"]["status"] == UNCHECKED


def test_suppressed_findings_do_not_count(tmp_path):
    write(tmp_path, "a.py", SILENT.replace("except Exception:", "except Exception:  # backend-lint: ignore[BL201]"))
    done = run_cli("checklist", "--format", "json", ".", cwd=tmp_path)
    assert status_of(done.stdout)["api.error-handling"]["status"] == PASS


def test_text_and_markdown_views(tmp_path):
    write(tmp_path, "a.py", SILENT)
    text = run_cli("checklist", "--select", "BL201", ".", cwd=tmp_path).stdout
    assert text.startswith("Security Checklist\n")
    line = next(line for line in text.splitlines() if "Error handling" in line)
    assert line.split() == ["✗", "Error", "handling", "1", "finding", "(BL201)"]
    assert "1 item(s) with findings, 0 passing, 16 not checked yet." in text
    md = run_cli("checklist", "--format", "markdown", "--select", "BL201", ".", cwd=tmp_path).stdout
    assert "### API Design Checklist" in md and "| ❌ | Error handling | 1 finding | `BL201` |" in md
    assert "| ⚪ | Rate limiting configured | not checked yet | — |" in md


def test_missing_path_is_a_usage_error(tmp_path):
    done = run_cli("checklist", "nowhere", cwd=tmp_path)
    assert done.returncode == 2 and "path not found: nowhere" in done.stderr


def test_statuses_follow_catalog_order_and_ignore_unselected_rules():
    catalog = load_catalog()
    rules = {
        "BL900": RuleInfo(code="BL900", name="x", category="logging", severity="low", agent="devops/monitoring",
                          checklist=("security.https",), cwe=(), engine="native", summary="x"),
    }  # fmt: skip
    statuses = item_statuses(catalog, rules, selected=set(), findings=())
    assert [s.item.id for s in statuses][:2] == ["security.input-validation", "security.authn-authz"]
    assert next(s for s in statuses if s.item.id == "security.https").state == UNCHECKED
    statuses = item_statuses(catalog, rules, selected={"BL900"}, findings=())
    assert next(s for s in statuses if s.item.id == "security.https").state == PASS
