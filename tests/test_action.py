"""The composite GitHub action, as far as it can run here: action.yml parses, every input it uses
exists, and its run step, with `${{ ... }}` expressions substituted as the runner would, lints a
project with the same inputs. The README's workflow uses the action's real inputs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def steps() -> list[dict]:
    return ACTION["runs"]["steps"]


def run_step() -> dict:
    return next(s for s in steps() if s.get("name") == "Run backend-lint")


def test_action_is_a_composite_that_sets_up_python_and_installs_itself():
    assert ACTION["runs"]["using"] == "composite"
    assert any(s.get("uses", "").startswith("actions/setup-python@") for s in steps())
    install = next(s for s in steps() if s.get("name") == "Install backend-lint")
    assert '"${{ github.action_path }}"' in install["run"] and "pip install" in install["run"]
    assert all(s.get("shell") == "bash" for s in steps() if "run" in s)  # composite run steps need a shell
    for name in ("paths", "format", "min-severity", "fail-on", "baseline", "sarif-file"):
        assert name in ACTION["inputs"], name


def test_every_input_used_exists_and_every_input_is_used():
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    used = {m.group(1).removeprefix("inputs.") for m in EXPRESSION.finditer(text) if m.group(1).startswith("inputs.")}
    assert used == set(ACTION["inputs"])
    for value in run_step()["env"].values():  # inputs reach the script only through env
        assert EXPRESSION.fullmatch(value) and EXPRESSION.fullmatch(value).group(1).startswith("inputs.")
    script = (REPO / "action" / "run.sh").read_text(encoding="utf-8")
    assert set(re.findall(r"\bBL_[A-Z_]+", script)) == set(run_step()["env"])
    assert "${{" not in run_step()["run"].replace("${{ github.action_path }}", "")


def substitute(text: str, inputs: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        expr = match.group(1)
        if expr == "github.action_path":
            return str(REPO)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        raise AssertionError(f"unexpected expression {expr}")

    return EXPRESSION.sub(value, text)


def run_action(workspace: Path, **given: str) -> subprocess.CompletedProcess:
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs.update({k.replace("_", "-"): v for k, v in given.items()})
    step = run_step()
    env = {k: substitute(v, inputs) for k, v in step["env"].items()}
    bin_dir = str(Path(sys.executable).parent)  # where `pip install` put the backend-lint script
    env = {**os.environ, **env, "PATH": bin_dir + os.pathsep + os.environ["PATH"], "NO_COLOR": "1"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    env.update({k: v for k, v in given.items() if k.isupper()})
    return subprocess.run(["bash", "-c", substitute(step["run"], inputs)], cwd=workspace, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.fixture
def workspace(tmp_path):
    if shutil.which("backend-lint", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("backend-lint is not installed beside this Python (pip install -e .)")
    app = tmp_path / "src" / "shop" / "app.py"
    app.parent.mkdir(parents=True)
    app.write_text(SHOP_APP, encoding="utf-8")
    return tmp_path


# A project of its own, so that rules added later do not change what these tests expect:
# one medium finding (BL201, line 12) and one low finding (BL301, line 5).
SHOP_APP = """\
import json


def report(rows):
    print("exported", len(rows))


def load(path):
    try:
        with open(path) as fh:
            return json.load(fh)
    except Exception:
        pass
"""


def test_run_step_annotates_and_fails_on_findings(workspace):
    done = run_action(workspace, paths="src")
    assert done.returncode == 1, done.stderr
    assert "::warning file=src/shop/app.py,line=12," in done.stdout
    assert "::notice file=src/shop/app.py,line=5," in done.stdout


def test_run_step_writes_sarif_and_honours_the_gate(workspace):
    summary = workspace / "summary.md"
    done = run_action(workspace, paths="src", fail_on="high", min_severity="medium", sarif_file="out.sarif",
                      GITHUB_STEP_SUMMARY=str(summary))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BL201" in done.stdout and "BL301" not in done.stdout  # low is below min-severity
    doc = json.loads((workspace / "out.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(doc)
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["BL201"]
    assert "### Findings by responsible agent" in summary.read_text(encoding="utf-8")


def test_run_step_with_a_baseline_and_several_paths(workspace):
    subprocess.run([str(Path(sys.executable).parent / "backend-lint"), "--write-baseline", "bl.json", "src"],
                   cwd=workspace, capture_output=True, check=True)  # fmt: skip
    (workspace / "worker").mkdir()
    (workspace / "worker" / "jobs.py").write_text("def run(job):\n    job()\n    print('done', job)\n", encoding="utf-8")
    done = run_action(workspace, paths="src worker", baseline="bl.json")
    assert done.returncode == 1
    assert "file=worker/jobs.py" in done.stdout and "file=src/" not in done.stdout


def test_readme_workflow_uses_the_action_with_its_real_inputs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## CI (GitHub Actions)", 1)[1].split("\n## ", 1)[0]
    workflow = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))
    job_steps = next(iter(workflow["jobs"].values()))["steps"]
    ours = next(s for s in job_steps if s.get("uses", "").split("@")[0].endswith("/backend-lint"))
    assert set(ours["with"]) <= set(ACTION["inputs"])
    upload = next(s for s in job_steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == ours["with"]["sarif-file"]
    assert workflow["permissions"]["security-events"] == "write"
