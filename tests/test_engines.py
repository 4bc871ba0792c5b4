"""Engines as peers: one registry, one interface; a file one engine cannot analyse keeps the other
engines' findings; an engine failure is a typed error without a path, in every output format."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from backend_lint import run as runner
from backend_lint.catalog import load_catalog
from backend_lint.config import Config, ConfigError
from backend_lint.engines import EngineOutput, engine_names, registry, semgrep
from backend_lint.model import Error
from backend_lint.report import FORMATS, RenderOptions, render
from conftest import PRINT_THEN_SILENT, lint_tree, run_cli, write

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
REQUESTS = "import requests\n\n\ndef fetch(url):\n    print(url)\n    return requests.get(url)\n"


def test_the_registry_names_every_engine_once_in_rank_order():
    engines = registry()
    assert list(engines) == ["native", "taint", "semgrep", "ruff"]
    assert [e.rank for e in engines.values()] == sorted(e.rank for e in engines.values())
    assert [name for name, e in engines.items() if e.in_process] == ["native", "taint"]
    assert [name for name, e in engines.items() if not e.default] == []  # every engine runs unless the config says
    for name, engine in engines.items():
        assert engine.name == name
        assert {info.engine for info in engine.rules().values()} == {name}
    assert {info.engine for info in runner.rule_catalog().values()} == set(engine_names())


def test_engine_names_in_config_and_cli_come_from_the_registry(tmp_path):
    with pytest.raises(ConfigError, match="unknown engine 'pylint' \\(expected native, taint, semgrep, ruff\\)"):
        runner.run(["."], Config(root=tmp_path, engines=("pylint",)))
    result = run_cli("--engines", "native,pylint", ".", cwd=tmp_path)
    assert result.returncode == 2 and "expected some of native, taint, semgrep, ruff" in result.stderr


def test_a_file_the_native_engine_cannot_analyse_keeps_ruffs_findings(tmp_path, monkeypatch):
    """A rule crash stops the native rules for that file only; ruff's findings in it are reported
    beside the internal error (they used to hang on the native result and be dropped with it)."""
    from backend_lint.checks.logging import PrintUsedForLogging

    def explode(self, node, ctx):
        raise ValueError("boom")

    monkeypatch.setattr(PrintUsedForLogging, "visit", explode)
    write(tmp_path, "app/client.py", REQUESTS)
    report = lint_tree(tmp_path, engines=("native", "ruff"))
    assert [(f.path, f.rule, f.engine) for f in report.findings] == [("app/client.py", "S113", "ruff")]
    assert [(e.path, e.kind, e.engine) for e in report.errors] == [("app/client.py", "internal", "native")]


def test_a_file_that_does_not_parse_still_gets_suppression_and_fingerprints_for_other_engines(tmp_path, monkeypatch):
    """The source unit of a file without a tree still has its text, lines and comments."""
    from backend_lint.engines import ruff
    from backend_lint.model import Finding

    write(tmp_path, "app/x.py", "import requests\nrequests.get(u)  # noqa: S113\nrequests.get(v)\ndef broken(:\n")
    info = runner.rule_catalog()["S113"]

    def fake_ruff(paths, display, *args, **kwargs):
        shown = display[paths[0]]
        found = [Finding(rule="S113", name=info.name, category=info.category, severity=info.severity,
                         confidence=info.confidence, message="no timeout", path=shown, line=line, column=1,
                         end_line=line, end_column=16, agent=info.agent, checklist=info.checklist, cwe=info.cwe,
                         engine="ruff") for line in (2, 3)]  # fmt: skip
        return EngineOutput({shown: found})

    monkeypatch.setattr(ruff, "run_ruff", fake_ruff)
    report = lint_tree(tmp_path, engines=("native", "ruff"))
    assert [(f.line, f.rule) for f in report.findings] == [(3, "S113")]
    assert [f.line for f in report.suppressed] == [2]
    assert report.findings[0].fingerprint and report.code["app/x.py"][3] == "requests.get(v)"
    assert [(e.kind, e.engine) for e in report.errors] == [("syntax", None)]


@pytest.fixture
def failed_semgrep_report(tmp_path, monkeypatch):
    """A run whose semgrep failed as a whole (it timed out), beside a native finding."""
    failure = EngineOutput(errors=(Error("engine", "semgrep timed out after 600s on 1 file(s)", None, "semgrep"),))
    monkeypatch.setattr(semgrep, "run_semgrep", lambda *args, **kwargs: failure)
    monkeypatch.setattr(semgrep, "find_semgrep", lambda: "/bin/true")
    write(tmp_path, "app/handlers.py", PRINT_THEN_SILENT)
    report = lint_tree(tmp_path, engines=("native", "semgrep"))
    assert [(e.path, e.kind, e.engine) for e in report.errors] == [(None, "engine", "semgrep")]
    return report, tmp_path


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_engine_failure_has_no_made_up_path_in_any_format(failed_semgrep_report, fmt):
    report, root = failed_semgrep_report
    text = render(fmt, report, runner.rule_catalog(), load_catalog(), RenderOptions(version="0", root=str(root)))
    assert "<semgrep>" not in text and "%3Csemgrep%3E" not in text
    assert "semgrep timed out after 600s" in text
    if fmt == "json":
        assert json.loads(text)["errors"] == [
            {"path": None, "message": "semgrep timed out after 600s on 1 file(s)", "kind": "engine", "engine": "semgrep"}
        ]
    elif fmt == "sarif":
        log = json.loads(text)
        jsonschema.Draft7Validator(SCHEMA).validate(log)
        (note,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        assert "locations" not in note and note["properties"] == {"kind": "engine", "engine": "semgrep"}
        assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True  # an engine failed, not backend-lint
    elif fmt == "github":
        (line,) = [line for line in text.splitlines() if "semgrep timed out" in line]
        assert line.startswith("::error title=backend-lint semgrep engine error::") and "file=" not in line
    elif fmt in ("text", "markdown"):
        assert "engine error" in text and "Could not analyse" not in text


def test_a_rule_crash_keeps_its_file_location_in_sarif_and_github(tmp_path, monkeypatch):
    from backend_lint.checks.logging import PrintUsedForLogging

    monkeypatch.setattr(PrintUsedForLogging, "visit", lambda self, node, ctx: 1 / 0)
    write(tmp_path, "app/handlers.py", PRINT_THEN_SILENT)
    report = lint_tree(tmp_path)
    options = RenderOptions(version="0", root=str(tmp_path))
    sarif = json.loads(render("sarif", report, runner.rule_catalog(), load_catalog(), options))
    (note,) = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/handlers.py"
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False
    github = render("github", report, runner.rule_catalog(), load_catalog(), options)
    assert "::error file=app/handlers.py,title=backend-lint could not analyse::internal error in rule BL301" in github
