"""The README's two commands stay true: the test command is the one .ci/run runs, word for word."""

from __future__ import annotations

import re

from conftest import REPO


def two_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.S)


def test_readme_gives_an_install_and_run_command_and_a_test_command():
    install, test = two_commands()
    assert "pip install" in install and "backend-lint examples/" in install
    assert "pip install" in test and "'.[dev]'" in test and "pytest" in test


def test_ci_runs_exactly_the_readme_test_command():
    _, test = two_commands()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()


def test_the_example_named_by_the_first_command_exists():
    assert any((REPO / "examples").rglob("*.py"))


def test_the_configuration_example_is_a_valid_config(tmp_path):
    from backend_lint import run as runner
    from backend_lint.config import load_config

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    [toml] = re.findall(r"```toml\n(.*?)\n```", section, re.S)
    (tmp_path / "pyproject.toml").write_text(toml + "\n", encoding="utf-8")
    (tmp_path / "app.py").write_text("PIN = '8613'\n", encoding="utf-8")
    config = load_config([str(tmp_path)])
    assert config.source == tmp_path / "pyproject.toml" and config.agents == {"BL201": "architecture/ddd"}
    report = runner.run([str(tmp_path)], config.replace(engines=("native",)))  # raises on a bad key or value
    assert report.errors == ()


def test_the_first_command_shows_real_findings_of_every_engine():
    import json

    from conftest import run_cli

    done = run_cli("examples/", "--format", "json", cwd=REPO, engines=None)  # the user's default: all engines
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["errors"] == []
    rules = {f["rule"] for f in report["findings"]}
    assert {"BL101", "BL201", "BL301", "BL401", "BL501", "BL602"} <= rules
    merged = {code for f in report["findings"] for code in f.get("also_reported_by", [])}
    assert {"S113", "BLE001"} <= merged  # ruff's findings, de-duplicated into ours
