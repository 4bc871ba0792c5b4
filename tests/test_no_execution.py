"""Linting never executes the code under review, nor the programs its repository configures.

- `python -m backend_lint` run from a repository's root imports none of that repository's
  modules, though `-m` puts the working directory first on `sys.path`.
- `--diff` runs git with the repository's fsmonitor, hooks, filter drivers, textconv and
  external diff turned off, so a hostile `.git/config` runs nothing.
- semgrep runs our pack on the files we name: a project's `.semgrep.yml`, `.semgrep/` and
  `.semgrepignore` are not honoured (ruff already runs `--isolated`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backend_lint.engines import semgrep
from conftest import SILENT_AND_PRINT, run_cli, write
from test_diff import git

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell scripts as git drivers")


def bait(marker: Path, name: str) -> str:
    """A module that leaves a marker if it is ever imported."""
    return f"import pathlib\npathlib.Path({str(marker)!r}).write_text({name!r})\nraise ImportError({name!r})\n"


def test_python_m_from_a_repository_root_imports_none_of_its_modules(tmp_path):
    marker = tmp_path.parent / f"{tmp_path.name}-imported"
    for module in ("yaml.py", "rich.py", "libcst/__init__.py", "tomllib.py"):
        write(tmp_path, module, bait(marker, module))
    write(tmp_path, "app.py", SILENT_AND_PRINT)
    write(tmp_path, "newer.py", "type Alias = list[int]\n")  # a grammar the host may lack: the libcst path
    # the bait works: a plain interpreter in this directory imports it
    subprocess.run([sys.executable, "-c", "import yaml"], cwd=tmp_path, capture_output=True)
    assert marker.exists()
    marker.unlink()
    done = run_cli(".", cwd=tmp_path)  # `python -m backend_lint .`, the text report (rich)
    assert done.returncode == 1 and "BL201" in done.stdout, done.stderr
    assert run_cli("rules", cwd=tmp_path).returncode == 0  # reads the semgrep pack (yaml)
    assert not marker.exists(), marker.read_text()


SCRIPT = """#!/bin/sh
echo "$0 $*" >> {marker}
cat
"""


@pytest.fixture
def hostile_repo(tmp_path):
    """A repository whose .git/config runs a script from every hook git offers on `git diff`."""
    repo = tmp_path / "repo"
    write(repo, "app.py", SILENT_AND_PRINT)
    write(repo, ".gitattributes", "*.py filter=Evil.Name diff=evil\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "legacy")
    marker = tmp_path / "ran"
    script = tmp_path / "driver.sh"
    script.write_text(SCRIPT.format(marker=marker))
    script.chmod(0o755)
    for key, value in {
        "core.fsmonitor": f"{script} fsmonitor",
        "filter.Evil.Name.clean": f"{script} clean",
        "filter.Evil.Name.smudge": f"{script} smudge",
        "filter.Evil.Name.process": f"{script} process",
        "filter.Evil.Name.required": "true",
        "diff.evil.textconv": f"{script} textconv",
        "diff.evil.command": f"{script} diff-command",
        "diff.external": f"{script} external",
        "core.pager": f"{script} pager",
    }.items():
        git(repo, "config", key, value)
    hooks = repo / ".git" / "hooks"
    for hook in ("post-index-change", "post-checkout", "reference-transaction"):
        (hooks / hook).write_text(SCRIPT.format(marker=marker))
        (hooks / hook).chmod(0o755)
    with (repo / "app.py").open("a") as fh:
        fh.write("\n\ndef refund(order):\n    try:\n        order.refund()\n    except Exception:\n        pass\n")
    return repo, marker


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_runs_nothing_the_repository_configures(hostile_repo):
    repo, marker = hostile_repo
    done = run_cli("--diff", "HEAD", "--format", "json", ".", cwd=repo)
    assert done.returncode == 1, done.stderr
    assert not marker.exists(), marker.read_text()
    import json

    lines = [(f["rule"], f["line"]) for f in json.loads(done.stdout)["findings"]]
    assert lines == [("BL201", 14)]  # the changed lines are still found: only the new function
    # the same repository does run them for a plain `git diff` (the fixture is live)
    subprocess.run(["git", "diff", "HEAD"], cwd=repo, capture_output=True, env={**os.environ, "GIT_PAGER": ""})
    assert marker.exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_filter_driver_that_cannot_be_turned_off_is_refused(hostile_repo):
    repo, marker = hostile_repo
    git(repo, "config", "filter.a=b.clean", f"sh -c 'touch {marker}'")
    done = run_cli("--diff", "HEAD", ".", cwd=repo)
    assert done.returncode == 2 and "filter driver named 'a=b'" in done.stderr
    assert not marker.exists()


@pytest.mark.skipif(semgrep.find_semgrep() is None, reason="semgrep is not installed")
def test_semgrep_ignores_the_projects_own_semgrep_settings(tmp_path):
    write(tmp_path, "app/client.py", "import requests\n\ndef get(url):\n    return requests.get(url, verify=False, timeout=5)\n")
    rule = ("rules:\n  - id: project-rule\n    pattern: requests.get(...)\n    message: from the project\n"
            "    languages: [python]\n    severity: ERROR\n")  # fmt: skip
    write(tmp_path, ".semgrep.yml", rule)
    write(tmp_path, ".semgrep/extra.yml", rule)
    write(tmp_path, ".semgrepignore", "app/\n*.py\n")
    done = run_cli("--format", "json", "--no-cache", ".", cwd=tmp_path, engines="semgrep", timeout=300)
    import json

    report = json.loads(done.stdout)
    assert report["errors"] == []  # a project rule would be an error: a check id with no backend-lint code
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [("BL601", "app/client.py")]
