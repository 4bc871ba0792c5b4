"""The ruff engine and its code-by-code mapping table."""

from __future__ import annotations

import json
import subprocess

import pytest

from backend_lint.engines import ruff
from backend_lint.catalog import load_catalog, validate_rule
from conftest import REPO, lint_tree, write

FIXTURE = REPO / "tests" / "fixtures" / "ruff" / "output.json"


@pytest.fixture(scope="module")
def ruff_rules() -> dict[str, dict]:
    executable = ruff.find_ruff()
    assert executable, "ruff is a runtime dependency"
    out = subprocess.run([executable, "rule", "--all", "--output-format", "json"], capture_output=True, text=True)
    return {r["code"]: r for r in json.loads(out.stdout)}


def test_every_mapped_code_is_a_stable_ruff_rule_with_its_own_name(ruff_rules):
    for code, row in ruff.load_ruff_map().items():
        assert code in ruff_rules, code
        assert ruff_rules[code]["name"] == row["name"], code
        assert not ruff_rules[code]["preview"], f"{code} is a preview rule"


def test_the_table_is_complete_and_resolves_into_the_catalog():
    infos = ruff.load_rule_infos()
    catalog = load_catalog()
    assert set(infos) == set(ruff.load_ruff_map())
    for info in infos.values():
        assert validate_rule(info, catalog) == [] and info.cwe and info.engine == "ruff"
    chosen = set(infos)
    assert {"BLE001", "T201", "S113", "S501", "S506"} <= chosen
    assert not chosen & {"S105", "S106", "S107", "S608", "S110", "S311", "S104"}  # see ruff_map.toml


def test_defer_to_names_a_native_rule():
    from backend_lint.engines import registry

    native = registry()["native"].rules()
    for code, info in ruff.load_rule_infos().items():
        if info.extra["defer_to"]:
            assert info.extra["defer_to"] in native, code


def test_parse_output_maps_recorded_diagnostics():
    data = json.loads(FIXTURE.read_text("utf-8"))
    out = ruff.parse_output(data, ruff.load_rule_infos(), {"sample_views.py": "app/views.py"})
    assert out.errors == ()
    found = sorted((f.rule, f.line) for f in out.findings["app/views.py"])
    assert found == [("ASYNC221", 32), ("ASYNC251", 31), ("BLE001", 26), ("S113", 15), ("S501", 15),
                     ("S506", 20), ("T201", 33)]  # fmt: skip
    blind = next(f for f in out.findings["app/views.py"] if f.rule == "BLE001")
    assert (blind.engine, blind.category, blind.agent) == ("ruff", "error-handling", "architecture/patterns")


def test_parse_output_skips_syntax_errors_and_reports_unmapped_codes():
    item = {"code": None, "filename": "a.py", "message": "x", "location": {"row": 1, "column": 1},
            "end_location": {"row": 1, "column": 2}}  # fmt: skip
    assert ruff.parse_output([item], ruff.load_rule_infos(), {}).findings == {}
    out = ruff.parse_output([{**item, "code": "E501"}], ruff.load_rule_infos(), {})
    assert out.findings == {} and [e.engine for e in out.errors] == ["ruff"] and "E501" in out.errors[0].message


def test_the_users_ruff_config_does_not_change_our_findings(tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.ruff.lint]\nignore = ["S", "BLE"]\nexclude = ["app"]\n')
    write(tmp_path, "app/client.py", "import requests\n\ndef f(u):\n    return requests.get(u)\n")
    report = lint_tree(tmp_path, engines=("native", "ruff"))
    assert [(f.rule, f.line) for f in report.findings] == [("S113", 4)]


def test_print_is_judged_by_native_when_it_runs_and_by_ruff_otherwise(tmp_path):
    write(tmp_path, "app/jobs.py", "def run():\n    print('done')\n")
    write(tmp_path, "app/__main__.py", "print('usage: python -m app')\n")
    both = lint_tree(tmp_path, engines=("native", "ruff"))
    assert [(f.rule, f.path, f.also_reported_by) for f in both.findings] == [("BL301", "app/jobs.py", ("T201",))]
    alone = lint_tree(tmp_path, engines=("ruff",))
    assert sorted((f.rule, f.path) for f in alone.findings) == [("T201", "app/__main__.py"), ("T201", "app/jobs.py")]


def test_with_a_result_cache_ruff_keeps_its_own_cache_inside_it(tmp_path):
    from backend_lint import run as runner
    from backend_lint.config import Config

    write(tmp_path, "app/http.py", "import requests\ndef f(url):\n    return requests.get(url)\n")
    cache = tmp_path / "cache"
    config = Config(root=tmp_path, engines=("ruff",))

    def ruff_findings():
        report = runner.run([str(tmp_path / "app")], config, runner.RunOptions(jobs=1, cache_dir=str(cache)))
        return [(f.rule, f.line) for f in report.findings]

    assert ruff_findings() == [("S113", 3)]
    assert (cache / "ruff").is_dir()  # ruff's cache lives in ours: deleting ours clears both
    assert ruff_findings() == [("S113", 3)]  # warm: same findings
    write(tmp_path, "app/http.py", "import requests\ndef f(url):\n    return requests.get(url, timeout=5)\n")
    assert ruff_findings() == []  # a changed file is checked again


def test_without_a_cache_ruff_runs_with_none():
    assert "--no-cache" in ruff.build_command("ruff", ["S113"], ["a.py"])
    assert "--cache-dir" in ruff.build_command("ruff", ["S113"], ["a.py"], cache_dir="/tmp/c")


def test_ruff_is_not_started_when_none_of_its_rules_is_selected(tmp_path, monkeypatch):
    write(tmp_path, "app/jobs.py", "def run():\n    print('done')\n")
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, *a, **k: calls.append(cmd) or pytest.fail(f"started {cmd}"))
    report = lint_tree(tmp_path, engines=("native", "ruff"), select=("BL3",))
    assert [f.rule for f in report.findings] == ["BL301"]
    assert calls == []
    monkeypatch.undo()
    with_ruff = lint_tree(tmp_path, engines=("native", "ruff"), select=("BL3", "T201"))
    assert [(f.rule, f.also_reported_by) for f in with_ruff.findings] == [("BL301", ("T201",))]


def test_try400_no_longer_fires_when_the_exception_is_passed_as_exc_info(tmp_path):
    """Issue 12: ruff's TRY400 accepts only `exc_info=True`; BL303 judges it and TRY400 corroborates."""
    write(tmp_path, "app/sync.py", (
        "import logging\nlogger = logging.getLogger(__name__)\n\n"
        "def sync(order):\n    try:\n        order.push()\n    except Exception as exc:\n"
        "        logger.error('push failed', exc_info=exc)\n"
        "        logger.error('push failed: %s', exc)\n"
    ))  # fmt: skip
    both = lint_tree(tmp_path, engines=("native", "ruff"), select=("BL303", "TRY400"))
    assert [(f.rule, f.line, f.also_reported_by) for f in both.findings] == [("BL303", 9, ("TRY400",))]
    alone = lint_tree(tmp_path, engines=("ruff",), select=("TRY400",))
    assert [(f.rule, f.line) for f in alone.findings] == [("TRY400", 8), ("TRY400", 9)]  # what ruff says alone
