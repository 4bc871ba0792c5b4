"""The semgrep rule pack (rules/) and the semgrep engine."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from backend_lint import checks, cli, run as runner
from backend_lint.engines import external, ruff, semgrep
from backend_lint.catalog import load_catalog, validate_rule
from conftest import REPO, lint_tree, write

PACK = REPO / "rules"
FIXTURES = REPO / "tests" / "fixtures" / "semgrep"
RULE_FILES = sorted(PACK.rglob("*.yaml"))
CODE_RANGES = {"transport": (600, 649), "cryptography": (650, 699), "injection": (700, 749),
               "configuration": (750, 799), "performance": (800, 849)}  # fmt: skip
SEMGREP = semgrep.find_semgrep()
needs_semgrep = pytest.mark.skipif(SEMGREP is None, reason="semgrep is not installed")
SEMGREP_ENV = {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0"}


def test_pack_has_at_least_20_rules_in_the_five_categories():
    infos = semgrep.load_rule_infos(PACK)
    assert len(infos) >= 20
    assert {i.category for i in infos.values()} == set(CODE_RANGES)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_file_is_one_rule_with_positive_and_negative_cases(path):
    rules = yaml.safe_load(path.read_text("utf-8"))["rules"]
    assert len(rules) == 1
    rule = rules[0]
    assert rule["id"] == path.stem == rule["metadata"]["name"] and "." not in rule["id"]
    assert path.parent.name == rule["metadata"]["category"]
    cases = path.with_suffix(".py").read_text("utf-8")
    assert f"# ruleid: {rule['id']}" in cases and f"# ok: {rule['id']}" in cases


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_metadata_resolves_into_the_catalog(path):
    rule = yaml.safe_load(path.read_text("utf-8"))["rules"][0]
    info = semgrep.rule_info(rule, path)
    assert validate_rule(info, load_catalog()) == []
    low, high = CODE_RANGES[info.category]
    assert re.fullmatch(r"BL\d{3}", info.code) and low <= int(info.code[2:]) <= high
    assert info.cwe and info.references and info.summary
    assert rule["severity"] == semgrep.SEVERITY_TO_SEMGREP[info.severity]


def test_codes_and_names_are_unique_across_all_engines():
    native = [(cls.code, cls.name) for cls in checks.discover()]
    pack = [(r["metadata"]["code"], r["metadata"]["name"]) for p in RULE_FILES
            for r in yaml.safe_load(p.read_text("utf-8"))["rules"]]  # fmt: skip
    ruffs = [(code, row["name"]) for code, row in ruff.load_ruff_map().items()]
    from backend_lint.taint.rules import RULES

    taint = [(rule.code, rule.name) for rule in RULES]
    everything = native + pack + ruffs + taint
    codes = [c for c, _ in everything]
    names = [n for _, n in everything]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))
    assert set(codes) == set(runner.rule_catalog())


def test_parse_output_maps_recorded_results_by_metadata_code():
    data = json.loads((FIXTURES / "output.json").read_text("utf-8"))
    out = semgrep.parse_output(data, semgrep.load_rule_infos(PACK), {"sample_views.py": "app/views.py"})
    assert out.errors == ()
    found = sorted((f.rule, f.line) for f in out.findings["app/views.py"])
    assert found == [("BL601", 15), ("BL602", 15), ("BL701", 20), ("BL703", 37), ("BL801", 31)]
    tls = next(f for f in out.findings["app/views.py"] if f.rule == "BL601")
    assert (tls.engine, tls.agent, tls.cwe, tls.path) == ("semgrep", "auth-security/vulnerabilities", (295,), "app/views.py")
    assert (tls.column, tls.end_line) == (9, 15) and tls.end_column > tls.column


def test_parse_output_turns_semgrep_errors_into_file_errors():
    data = json.loads((FIXTURES / "output_missing_file.json").read_text("utf-8"))
    out = semgrep.parse_output(data, semgrep.load_rule_infos(PACK), {})
    assert out.findings == {}
    assert len(out.errors) == 1 and out.errors[0].engine == "semgrep"
    assert "Invalid scanning root" in out.errors[0].message


def test_batches_keep_every_file_and_respect_the_limit():
    paths = [f"/p/{i:04d}.py" for i in range(1000)]
    parts = external.batches(paths, limit=500)
    assert [p for part in parts for p in part] == paths
    assert len(parts) > 1 and all(sum(len(p) + 1 for p in part) <= 500 for part in parts)


def _fake_executable(directory: Path, body: str) -> Path:
    path = directory / "semgrep"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def _hide_semgrep(monkeypatch, tmp_path: Path) -> None:
    """No semgrep on PATH, none beside the interpreter."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(sys, "executable", str(empty / "python"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "no-prefix"))


@pytest.mark.skipif(os.name == "nt", reason="POSIX shell scripts")
def test_semgrep_is_found_beside_the_interpreter_when_not_on_path(tmp_path, monkeypatch):
    _hide_semgrep(monkeypatch, tmp_path)
    assert semgrep.find_semgrep() is None
    bindir = tmp_path / "venv" / "bin"
    bindir.mkdir(parents=True)
    fake = _fake_executable(bindir, "exit 0")
    monkeypatch.setattr(sys, "executable", str(bindir / "python"))
    assert semgrep.find_semgrep() == str(fake)


def test_missing_semgrep_is_one_notice_and_the_rest_still_runs(tmp_path, monkeypatch):
    write(tmp_path, "app/views.py", "def f():\n    try:\n        g()\n    except Exception:\n        pass\n")
    _hide_semgrep(monkeypatch, tmp_path)
    report = lint_tree(tmp_path, engines=None)  # the default: every installed engine
    assert [n for n in report.notices if "semgrep" in n] == [
        "semgrep is not installed, so its rules were skipped; install it with: pip install 'backend-lint[semgrep]'"
    ]
    assert [f.rule for f in report.findings] == ["BL201"]


def test_engines_semgrep_when_missing_is_a_usage_error(tmp_path, monkeypatch, capsys):
    write(tmp_path, "app.py", "x = 1\n")
    _hide_semgrep(monkeypatch, tmp_path)
    assert cli.main(["--engines", "semgrep", str(tmp_path)]) == 2
    assert "backend-lint[semgrep]" in capsys.readouterr().err


@pytest.mark.skipif(os.name == "nt", reason="POSIX shell scripts")
def test_semgrep_crash_and_timeout_become_errors(tmp_path):
    crash = _fake_executable(tmp_path, "echo 'boom: rule pack unreadable' >&2; exit 7")
    app = str(write(tmp_path, "app.py", "x = 1\n"))  # a file that is gone is not given to semgrep
    out = semgrep.run_semgrep([app], {app: "app.py"}, str(crash), pack=PACK)
    assert [(e.engine, "exit 7" in e.message and "boom" in e.message) for e in out.errors] == [("semgrep", True)]
    slow_dir = tmp_path / "slow"
    slow_dir.mkdir()
    slow = _fake_executable(slow_dir, "sleep 5")
    out = semgrep.run_semgrep([app], {}, str(slow), timeout=0.2, pack=PACK)
    assert len(out.errors) == 1 and "timed out" in out.errors[0].message


@needs_semgrep
def test_semgrep_test_passes_for_every_rule_of_the_pack():
    proc = subprocess.run(
        [SEMGREP, "--test", "--metrics=off", "--disable-version-check", str(PACK)],
        capture_output=True, text=True, env=SEMGREP_ENV, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"{len(RULE_FILES)}/{len(RULE_FILES)}: ✓ All tests passed" in proc.stdout + proc.stderr


@needs_semgrep
def test_pack_alone_and_through_backend_lint_find_the_same(tmp_path):
    source = (FIXTURES / "sample_views.py.txt").read_text("utf-8")
    target = write(tmp_path, "app/views.py", source)
    proc = subprocess.run(
        [SEMGREP, "scan", "--json", "--metrics=off", "--disable-version-check", "--config", str(PACK), str(target)],
        capture_output=True, text=True, env=SEMGREP_ENV, timeout=600,
    )  # fmt: skip
    alone = {(r["extra"]["metadata"]["code"], r["start"]["line"]) for r in json.loads(proc.stdout)["results"]}
    report = lint_tree(tmp_path, engines=("semgrep",))
    ours = {(f.rule, f.line) for f in (*report.findings, *report.suppressed) if f.engine == "semgrep"}
    assert alone == ours and len(ours) >= 5
    assert report.errors == ()


def test_explain_shows_each_semgrep_rule_with_its_tested_example_and_alternative():
    from backend_lint.cli import explain_text

    for info in semgrep.load_rule_infos().values():
        assert info.example and info.use_instead, f"{info.code}: no `# ruleid:` or `# ok:` line in its test file"
        text = explain_text(info)
        assert f"## Example\n\n```python\n{info.example}\n```" in text
        assert f"## Use instead\n\n```python\n{info.use_instead}\n```" in text


@needs_semgrep
def test_the_pack_reports_one_finding_per_flagged_line_of_its_test_files(tmp_path):
    """Two patterns of one rule matching the same code (both sides of a comparison, a return and
    the call in it) must not make two findings: a reviewer reads one problem."""
    for case in PACK.rglob("*.py"):
        write(tmp_path, case.relative_to(PACK).as_posix(), case.read_text("utf-8"))
    report = lint_tree(tmp_path, engines=("semgrep",))
    seen: dict[tuple, int] = {}
    for f in report.findings:
        seen[(f.path, f.line, f.rule)] = seen.get((f.path, f.line, f.rule), 0) + 1
    assert {key: n for key, n in seen.items() if n > 1} == {}


@needs_semgrep
def test_a_line_reviewed_for_ruff_s308_is_not_reported_again_as_unsafe_markup(tmp_path):
    """Issue 12: wagtail marks reviewed mark_safe calls `# noqa: S308 - reason`."""
    write(tmp_path, "app/embeds.py", (
        "from django.utils.safestring import mark_safe\n\n"
        "def embed_html(embed):\n"
        "    return mark_safe(embed.html)  # noqa: S308 - the provider's HTML is what we render\n\n"
        "def other(embed):\n"
        "    return mark_safe(embed.html)\n"
    ))  # fmt: skip
    report = lint_tree(tmp_path, engines=("semgrep",), select=("BL707",))
    assert [(f.rule, f.line) for f in report.findings] == [("BL707", 7)]
    assert [(f.line, f.suppression.reason) for f in report.suppressed] == [(4, "the provider's HTML is what we render")]
    audit = lint_tree(tmp_path, engines=("semgrep",), select=("BL707",), ignore_foreign_suppressions=True)
    assert [f.line for f in audit.findings] == [4, 7]


def test_semgrep_runs_from_the_root_that_holds_the_files_or_from_the_files_folder(tmp_path):
    from backend_lint.engines.semgrep import working_directory

    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    (project / "lib").mkdir()
    files = [str(project / "app" / "a.py"), str(project / "lib" / "b.py")]
    for f in files:
        Path(f).write_text("x = 1\n")
    assert working_directory(files, project) == project
    elsewhere = tmp_path / "elsewhere"  # no config found: the root is the current directory
    assert working_directory(files, elsewhere) == project
    assert working_directory(files[:1], elsewhere) == project / "app"
    assert working_directory([], elsewhere) == elsewhere
