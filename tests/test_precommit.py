"""The pre-commit hooks, run by the real pre-commit: `pre-commit try-repo <this repo> backend-lint
--all-files` fails on a silent `except Exception: pass` and passes once it is fixed.

Slow (pre-commit builds backend-lint into its own virtualenv from git, fetching build and runtime
dependencies from PyPI); the one integration test of this module."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SILENT, run_cli

BAD = SILENT
FIXED = '''\
import logging

logger = logging.getLogger(__name__)


def load(cache, key):
    try:
        return cache[key]
    except KeyError:
        logger.info("cache miss for %s", key)
        return None
'''
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0",
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
}  # fmt: skip


def git(cwd: Path, *args: str, env: dict) -> None:
    subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_hooks_file_declares_both_hooks_for_python_files():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"backend-lint", "backend-lint-full"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types"] == ["python"]
        assert hook.get("pass_filenames", True) is True and hook["entry"].startswith("backend-lint")
    assert "--engines native,ruff" in hooks["backend-lint"]["entry"]
    assert "semgrep" in hooks["backend-lint-full"]["entry"] and "semgrep" in hooks["backend-lint-full"][
        "additional_dependencies"
    ]


def hook_repo(tmp_path: Path, env: dict) -> Path:
    """This repository; or, while the CLI has no --engines yet, a copy of its working tree whose hook
    entries leave that flag out (the engines flag is added by another change)."""
    if "--engines" in run_cli("--help").stdout:
        return REPO
    copy = tmp_path / "hook-repo"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            env=env, capture_output=True, check=True, text=True).stdout  # fmt: skip
    for rel in filter(None, listed.split("\0")):
        if (REPO / rel).is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, copy / rel)
    hooks = copy / ".pre-commit-hooks.yaml"
    hooks.write_text(re.sub(r" --engines \S+", "", hooks.read_text(encoding="utf-8")), encoding="utf-8")
    git(copy, "init", "-q", env=env)
    git(copy, "add", "-A", env=env)
    git(copy, "commit", "-qm", "hook repo", env=env)
    return copy


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_hook_fails_on_a_silent_exception_and_passes_once_fixed(tmp_path):
    pytest.importorskip("pre_commit")
    if not (REPO / ".git").exists():
        pytest.skip("pre-commit installs hooks from git; this checkout is not a git repository")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    env.pop("PRE_COMMIT", None)
    repo = hook_repo(tmp_path, env)
    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    git(project, "init", "-q", env=env)
    (project / "app" / "cache.py").write_text(BAD, encoding="utf-8")
    git(project, "add", "-A", env=env)

    def try_repo() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(repo), "backend-lint", "--all-files", "--color=never"],
            cwd=project, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip

    failed = try_repo()
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert re.search(r"backend-lint\.+Failed", output), output
    assert "BL201" in output and "app/cache.py" in output

    (project / "app" / "cache.py").write_text(FIXED, encoding="utf-8")
    git(project, "add", "-A", env=env)
    passed = try_repo()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"backend-lint\.+Passed", passed.stdout), passed.stdout
