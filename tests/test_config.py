"""`[tool.backend-lint]`: found from the linted path upwards, every key, strict errors, CLI overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend_lint.catalog import RuleInfo
from backend_lint.config import DEFAULT_EXCLUDE, Config, ConfigError, check_rule_options, load_config
from conftest import PRINT_THEN_SILENT, run_cli, write

APP = PRINT_THEN_SILENT  # BL301 (low) at 2:5, BL201 (medium) at 5:5


def pyproject(root: Path, body: str, rel: str = "pyproject.toml") -> None:
    write(root, rel, "[project]\nname = 'x'\n\n[tool.backend-lint]\n" + body + "\n")


def findings(proc) -> list[tuple[str, str]]:
    assert proc.returncode in (0, 1), proc.stderr
    return [(f["path"], f["rule"]) for f in json.loads(proc.stdout)["findings"]]


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    write(root, "pkg/sub/app.py", APP)
    write(root, "tests/test_app.py", APP)
    return root


# -- where the config comes from ---------------------------------------------------------------------


def test_found_from_the_linted_path_upwards_not_from_cwd(project, tmp_path):
    pyproject(project, 'select = ["BL201"]')
    write(tmp_path, "elsewhere/pyproject.toml", '[tool.backend-lint]\nselect = ["BL301"]\n')
    proc = run_cli(str(project / "pkg" / "sub"), "--format", "json", cwd=tmp_path / "elsewhere")
    assert [rule for _, rule in findings(proc)] == ["BL201"]


def test_nearest_pyproject_with_a_table_wins(project):
    pyproject(project, 'select = ["BL201"]')
    write(project, "pkg/pyproject.toml", "[project]\nname = 'inner'\n")  # no [tool.backend-lint]: skipped
    assert [r for _, r in findings(run_cli("pkg/sub", "--format", "json", cwd=project))] == ["BL201"]
    pyproject(project, 'select = ["BL301"]', "pkg/pyproject.toml")
    assert [r for _, r in findings(run_cli("pkg/sub", "--format", "json", cwd=project))] == ["BL301"]


def test_explicit_config_file(project, tmp_path):
    pyproject(project, 'select = ["BL201"]')
    write(tmp_path, "other.toml", '[tool.backend-lint]\nselect = ["BL301"]\n')
    proc = run_cli("pkg", "--config", str(tmp_path / "other.toml"), "--format", "json", cwd=project)
    assert [r for _, r in findings(proc)] == ["BL301"]


def test_no_config_means_defaults(tmp_path):
    config = load_config([str(tmp_path)])
    assert config.source is None and config.select == ("ALL",) and config.exclude == DEFAULT_EXCLUDE


# -- each key -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, expected",
    [
        ('select = ["error-handling"]', [("pkg/sub/app.py", "BL201"), ("tests/test_app.py", "BL201")]),
        ('ignore = ["print-used-for-logging"]', [("pkg/sub/app.py", "BL201"), ("tests/test_app.py", "BL201")]),
        ('select = ["BL"]\nignore = ["BL2"]', [("pkg/sub/app.py", "BL301")]),
        ('exclude = ["pkg/"]', [("tests/test_app.py", "BL201")]),
        ('extend-exclude = ["tests/"]', [("pkg/sub/app.py", "BL301"), ("pkg/sub/app.py", "BL201")]),
        ('per-file-ignores = { "pkg/**/*.py" = ["BL301"] }',
         [("pkg/sub/app.py", "BL201"), ("tests/test_app.py", "BL201")]),
        ('min-severity = "medium"', [("pkg/sub/app.py", "BL201"), ("tests/test_app.py", "BL201")]),
        # test-paths: print() in tests is allowed; with test-paths changed, tests/ is application code
        ('test-paths = ["nothing/"]', [("pkg/sub/app.py", "BL301"), ("pkg/sub/app.py", "BL201"),
                                       ("tests/test_app.py", "BL301"), ("tests/test_app.py", "BL201")]),
        ('engines = ["native"]', [("pkg/sub/app.py", "BL301"), ("pkg/sub/app.py", "BL201"),
                                  ("tests/test_app.py", "BL201")]),
    ],
)  # fmt: skip
def test_each_key(project, body, expected):
    pyproject(project, body)
    assert findings(run_cli("--format", "json", cwd=project)) == expected


def test_patterns_are_relative_to_the_config_directory(project, tmp_path):
    pyproject(project, 'per-file-ignores = { "pkg/**/*.py" = ["BL301"] }\nextend-exclude = ["tests/"]')
    proc = run_cli(str(project), "--format", "json", cwd=tmp_path)
    assert [f["rule"] for f in json.loads(proc.stdout)["findings"]] == ["BL201"]


def test_fail_on_sets_the_exit_gate(project):
    pyproject(project, 'fail-on = "high"')
    proc = run_cli("pkg", cwd=project)
    assert proc.returncode == 0 and "BL201" in proc.stdout  # shown, but below the gate
    pyproject(project, 'fail-on = "medium"')
    assert run_cli("pkg", cwd=project).returncode == 1


def test_agent_override_changes_the_findings_agent(project):
    pyproject(project, 'agents = { silent-exception = "devops/monitoring", BL301 = "testing/unit" }')
    proc = run_cli("pkg", "--format", "json", cwd=project)
    report = json.loads(proc.stdout)
    assert {f["rule"]: f["agent"] for f in report["findings"]} == {
        "BL201": "devops/monitoring", "BL301": "testing/unit",
    }  # fmt: skip
    assert report["summary"]["by_agent"] == {"devops/monitoring": 1, "testing/unit": 1}


def test_agent_override_applies_with_several_processes(tmp_path):
    for i in range(20):
        write(tmp_path, f"m{i}.py", APP)
    pyproject(tmp_path, 'agents = { BL201 = "devops/monitoring" }')
    report = json.loads(run_cli("--format", "json", "--jobs", "2", cwd=tmp_path).stdout)
    assert {f["agent"] for f in report["findings"] if f["rule"] == "BL201"} == {"devops/monitoring"}


def test_agent_override_applies_to_ruff_findings_too(tmp_path):
    write(tmp_path, "client.py", "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n")
    pyproject(tmp_path, 'agents = { S113 = "architecture/ddd" }')
    for attempt in ("cold", "from the cache"):
        proc = run_cli("--format", "json", "--engines", "native,ruff", ".", cwd=tmp_path)
        assert [(f["rule"], f["agent"]) for f in json.loads(proc.stdout)["findings"]] == [("S113", "architecture/ddd")], attempt


def test_report_unused_suppressions_key(project):
    write(project, "pkg/stale.py", "x = 1  # backend-lint: ignore[BL201]\n")
    pyproject(project, "report-unused-suppressions = true")
    assert ("pkg/stale.py", "BL901") in findings(run_cli("pkg", "--format", "json", cwd=project))
    pyproject(project, "report-unused-suppressions = false")
    assert ("pkg/stale.py", "BL901") not in findings(run_cli("pkg", "--format", "json", cwd=project))


# -- CLI flags override the config ---------------------------------------------------------------------


def test_cli_flags_override_config(project):
    pyproject(project, 'select = ["BL201"]\nmin-severity = "high"')
    assert findings(run_cli("pkg", "--format", "json", cwd=project)) == []
    proc = run_cli("pkg", "--format", "json", "--select", "BL301", "--min-severity", "low", cwd=project)
    assert findings(proc) == [("pkg/sub/app.py", "BL301")]


def test_cli_ignore_adds_to_config_ignore(project):
    pyproject(project, 'ignore = ["BL201"]')
    assert findings(run_cli("pkg", "--format", "json", "--ignore", "BL301", cwd=project)) == []


# -- strict errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, message",
    [
        ("colour = true", "tool.backend-lint: unknown key 'colour'"),
        ('select = "BL201"', "tool.backend-lint.select: expected a list of strings"),
        ('select = ["BL999"]', "tool.backend-lint.select: unknown rule, code prefix or category 'BL999'"),
        ('ignore = ["no-such-rule"]', "tool.backend-lint.ignore: unknown rule"),
        ("exclude = [1]", "tool.backend-lint.exclude: expected a list of strings"),
        ('extend-exclude = "x"', "tool.backend-lint.extend-exclude: expected a list of strings"),
        ('per-file-ignores = { "x.py" = ["BL999"] }', 'tool.backend-lint.per-file-ignores."x.py": unknown rule'),
        ('per-file-ignores = { "x.py" = "BL201" }', 'tool.backend-lint.per-file-ignores.x.py: expected a list'),
        ('min-severity = "huge"', "tool.backend-lint.min-severity: expected one of critical"),
        ("min-severity = 3", "tool.backend-lint.min-severity: expected one of"),
        ('fail-on = "never"', "tool.backend-lint.fail-on: expected one of"),
        ("test-paths = [true]", "tool.backend-lint.test-paths: expected a list of strings"),
        ("rule-options = { BL999 = {} }", "tool.backend-lint.rule-options: unknown rule"),
        ("rule-options = { BL201 = 1 }", "tool.backend-lint.rule-options.BL201: expected a table"),
        ("rule-options = { silent-exception = { depth = 1 } }",
         "tool.backend-lint.rule-options.silent-exception.depth: unknown option of BL201"),
        ('rule-options = { error-handling = {} }', "tool.backend-lint.rule-options: 'error-handling' must name one rule"),
        ('agents = { BL999 = "devops/monitoring" }', "tool.backend-lint.agents: unknown rule"),
        ('agents = { BL201 = "nobody/special" }', "tool.backend-lint.agents.BL201: unknown agent 'nobody/special'"),
        ("agents = { BL201 = 1 }", "tool.backend-lint.agents.BL201: expected a string"),
        ('agents = { logging = "devops/monitoring" }', "tool.backend-lint.agents: 'logging' must name one rule"),
        ('engines = ["pylint"]', "tool.backend-lint.engines: unknown engine 'pylint'"),
        ('report-unused-suppressions = "yes"', "tool.backend-lint.report-unused-suppressions: expected true or false"),
        ("select = [", "invalid TOML"),
    ],
)  # fmt: skip
def test_config_errors_are_one_line_naming_the_key(project, body, message):
    pyproject(project, body)
    proc = run_cli("pkg", cwd=project)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("backend-lint: error: ") and message in lines[0]


def test_backend_lint_must_be_a_table(project):
    write(project, "pyproject.toml", '[tool]\nbackend-lint = "strict"\n')
    proc = run_cli("pkg", cwd=project)
    assert proc.returncode == 2 and "tool.backend-lint must be a table" in proc.stderr


def test_explicit_config_without_table(project, tmp_path):
    write(tmp_path, "empty.toml", "[project]\nname = 'x'\n")
    proc = run_cli("pkg", "--config", str(tmp_path / "empty.toml"), cwd=project)
    assert proc.returncode == 2 and "has no [tool.backend-lint] table" in proc.stderr


# -- per-rule options against the rule's OPTIONS ----------------------------------------------------------


def _info(options: dict) -> RuleInfo:
    return RuleInfo(
        code="BL999", name="demo-rule", category="secrets", severity="low", confidence="high",
        agent="devops/monitoring", checklist=("standard.structured-logs",), cwe=(), engine="native",
        summary="", extra={"options": options},
    )  # fmt: skip


OPTIONS = {"min-length": 8, "ratio": 0.5, "strict": False, "name": "x", "allowed": ("a",), "extra": {}}


@pytest.mark.parametrize(
    "given, expected",
    [
        ({"min-length": 12}, {"min-length": 12}),
        ({"ratio": 1}, {"ratio": 1}),
        ({"strict": True, "name": "y"}, {"strict": True, "name": "y"}),
        ({"allowed": ["b", "c"]}, {"allowed": ("b", "c")}),  # typed like the default
        ({"extra": {"k": 1}}, {"extra": {"k": 1}}),
    ],
)
def test_rule_options_accepted(given, expected):
    assert check_rule_options("rule-options.demo-rule", given, _info(OPTIONS)) == expected


@pytest.mark.parametrize(
    "given, message",
    [
        ({"min_length": 3}, "rule-options.demo-rule.min_length: unknown option of BL999 demo-rule (its options: min-length"),
        ({"min-length": "8"}, "rule-options.demo-rule.min-length: expected a int, got '8'"),
        ({"min-length": True}, "rule-options.demo-rule.min-length: expected a int"),
        ({"min-length": 1.5}, "rule-options.demo-rule.min-length: expected a int"),
        ({"ratio": "high"}, "rule-options.demo-rule.ratio: expected a float"),
        ({"strict": 1}, "rule-options.demo-rule.strict: expected true or false"),
        ({"name": 3}, "rule-options.demo-rule.name: expected a string"),
        ({"allowed": "a"}, "rule-options.demo-rule.allowed: expected a list of str"),
        ({"allowed": [1]}, "rule-options.demo-rule.allowed: expected a list of str"),
        ({"extra": [1]}, "rule-options.demo-rule.extra: expected a table"),
    ],
)  # fmt: skip
def test_rule_options_rejected(given, message):
    with pytest.raises(ConfigError) as caught:
        check_rule_options("rule-options.demo-rule", given, _info(OPTIONS))
    assert str(caught.value).startswith(message)


def test_config_is_frozen():
    config = Config(root=Path("."))
    with pytest.raises(AttributeError):
        config.select = ("BL201",)  # type: ignore[misc]
    assert config.replace(select=("BL201",)).select == ("BL201",) and config.select == ("ALL",)
