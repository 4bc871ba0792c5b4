"""Baselines: record today's findings, then see only new ones; entries survive line moves and
unrelated edits; stale entries are reported and can be pruned."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli

NEW_SILENT = '''

def refund(order):
    try:
        order.refund()
    except Exception:
        pass
'''


@pytest.fixture
def shop(tmp_path):
    """A copy of the example shop (BL301 at app.py:20, BL201 at app.py:31)."""
    shutil.copytree(REPO / "tests" / "fixtures" / "legacy_shop" / "shop", tmp_path / "shop")
    return tmp_path


def report_json(root: Path, *args: str) -> tuple[int, dict]:
    done = run_cli("--format", "json", *args, "shop", cwd=root)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_write_baseline_records_fingerprints_for_humans_too(shop):
    done = run_cli("--write-baseline", "baseline.json", "shop", cwd=shop)
    assert done.returncode == 0, done.stderr
    assert "wrote 2 finding(s) to baseline baseline.json" in done.stderr
    data = json.loads((shop / "baseline.json").read_text(encoding="utf-8"))
    assert data["version"] == 1
    entries = {(e["rule"], e["path"], e["line"]) for e in data["findings"]}
    assert entries == {("BL301", "shop/app.py", 20), ("BL201", "shop/app.py", 31)}
    _, report = report_json(shop)
    assert {e["fingerprint"] for e in data["findings"]} == {f["fingerprint"] for f in report["findings"]}
    assert all(e["message"] and e["name"] for e in data["findings"])


def test_baseline_hides_known_findings_and_counts_them(shop):
    run_cli("--write-baseline", "baseline.json", "shop", cwd=shop)
    code, report = report_json(shop, "--baseline", "baseline.json")
    assert code == 0
    assert report["findings"] == []
    assert report["summary"]["baselined"] == 2 and report["summary"]["suppressed"] == 2
    text = run_cli("--baseline", "baseline.json", "shop", cwd=shop).stdout
    assert "No findings in 2 file(s). 2 known from the baseline." in text


def test_baseline_survives_line_moves_and_unrelated_edits_and_shows_new_findings(shop):
    run_cli("--write-baseline", "baseline.json", "shop", cwd=shop)
    app = shop / "shop" / "app.py"
    edit(app, "import sqlite3\n", "import sqlite3\nimport json\n\n# Ten lines of unrelated churn.\n" + "X = 1\n" * 10)
    edit(app, "    return sqlite3.connect(\"shop.db\")", "    return sqlite3.connect(\"shop.db\", timeout=5)")
    app.write_text(app.read_text(encoding="utf-8") + NEW_SILENT, encoding="utf-8")
    code, report = report_json(shop, "--baseline", "baseline.json")
    assert code == 1
    assert [(f["rule"], f["line"]) for f in report["findings"]] == [("BL201", 52)]  # the new one only
    assert report["summary"]["baselined"] == 2
    assert {f["line"] for f in report.get("suppressed", [])} == set()  # not listed without --show-suppressed
    _, shown = report_json(shop, "--baseline", "baseline.json", "--show-suppressed")
    assert sorted(f["line"] for f in shown["suppressed"]) == [33, 44]  # both moved 13 lines down
    assert all(f["suppression"]["kind"] == "baseline" for f in shown["suppressed"])


def test_stale_entries_are_reported_and_pruned(shop):
    run_cli("--write-baseline", "baseline.json", "shop", cwd=shop)
    edit(shop / "shop" / "app.py", '    print("listed products", len(rows))\n', "")
    code, report = report_json(shop, "--baseline", "baseline.json")
    assert code == 0
    (notice,) = report["notices"]
    assert "1 stale entry" in notice and "BL301 shop/app.py:20" in notice and "--prune-baseline" in notice
    assert len(json.loads((shop / "baseline.json").read_text())["findings"]) == 2  # reporting changes nothing

    code, report = report_json(shop, "--baseline", "baseline.json", "--prune-baseline")
    assert code == 0 and "pruned 1 stale entry" in report["notices"][0]
    kept = json.loads((shop / "baseline.json").read_text())["findings"]
    assert [e["rule"] for e in kept] == ["BL201"]
    _, report = report_json(shop, "--baseline", "baseline.json")
    assert "notices" not in report and report["summary"]["baselined"] == 1


def test_a_partial_run_does_not_call_unchecked_entries_stale(shop):
    run_cli("--write-baseline", "baseline.json", "shop", cwd=shop)
    _, report = report_json(shop, "--baseline", "baseline.json", "--select", "BL201")
    assert "notices" not in report
    done = run_cli("--format", "json", "--baseline", "baseline.json", "shop/settings.py", cwd=shop)
    assert "notices" not in json.loads(done.stdout)


def test_baseline_errors_are_one_line_usage_errors(shop):
    (shop / "bad.json").write_text("{not json", encoding="utf-8")
    (shop / "other.json").write_text('{"findings": 3}', encoding="utf-8")
    for args, message in (
        (["--baseline", "missing.json"], "cannot read missing.json"),
        (["--baseline", "bad.json"], "bad.json is not valid JSON"),
        (["--baseline", "other.json"], "other.json is not a backend-lint baseline"),
        (["--prune-baseline"], "--prune-baseline needs --baseline FILE"),
    ):
        done = run_cli(*args, "shop", cwd=shop)
        assert done.returncode == 2, args
        assert message in done.stderr and "Traceback" not in done.stderr


def test_writing_a_baseline_warns_about_files_it_could_not_analyse(shop):
    (shop / "shop" / "broken.py").write_text("def broken(:\n", encoding="utf-8")
    done = run_cli("--write-baseline", "baseline.json", "shop", cwd=shop)
    assert done.returncode == 0
    assert "1 file(s) could not be analysed; their findings are not in the baseline" in done.stderr
