"""`--diff REF`: only findings on lines changed since REF, for pull requests on legacy code."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from backend_lint.diff import parse_unified_diff
from conftest import SILENT_AND_PRINT, run_cli, write

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0"}

LEGACY = SILENT_AND_PRINT
NEW_FUNCTION = '''

def refund(order):
    try:
        order.refund()
    except Exception:
        pass
'''


def git(root: Path, *args: str) -> str:
    import os

    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", *args],
        cwd=root, capture_output=True, text=True, env={**os.environ, **GIT_ENV},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def repo(tmp_path):
    """A legacy repository on `main` (BL201 at app.py:4, BL301 at app.py:9) and a feature branch."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    write(root, "app.py", LEGACY)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "legacy")
    git(root, "checkout", "-qb", "feature")
    return root


def lint(root: Path, *args: str, cwd: Path | None = None):
    done = run_cli("--format", "json", *args, cwd=cwd or root, env=GIT_ENV)
    return done


def shown(done) -> list[tuple[str, str, int]]:
    assert done.returncode in (0, 1), done.stderr
    return [(f["rule"], f["path"], f["line"]) for f in json.loads(done.stdout)["findings"]]


def test_only_findings_on_changed_lines_and_new_files_are_reported(repo):
    (repo / "app.py").write_text(LEGACY + NEW_FUNCTION, encoding="utf-8")  # unstaged edit
    write(repo, "jobs/new.py", 'def run():\n    print("started")\n')  # untracked new file
    done = lint(repo, "--diff", "main", ".")
    assert shown(done) == [("BL201", "app.py", 14), ("BL301", "jobs/new.py", 2)]
    assert done.returncode == 1
    assert json.loads(done.stdout)["notices"] == ["--diff main: 2 finding(s) on unchanged lines not shown"]


def test_committed_and_staged_changes_count_and_unchanged_files_do_not(repo):
    (repo / "app.py").write_text(LEGACY + NEW_FUNCTION, encoding="utf-8")
    git(repo, "commit", "-qam", "refund")
    write(repo, "other.py", 'print("x")\n')
    git(repo, "add", "other.py")  # staged, not committed
    assert shown(lint(repo, "--diff", "main", ".")) == [("BL201", "app.py", 14), ("BL301", "other.py", 1)]
    assert shown(lint(repo, "--diff", "HEAD", ".")) == [("BL301", "other.py", 1)]


def test_a_clean_checkout_with_no_change_is_clean(repo):
    done = lint(repo, "--diff", "main", ".")
    assert shown(done) == [] and done.returncode == 0


def test_works_in_a_detached_head_checkout(repo):
    (repo / "app.py").write_text(LEGACY + NEW_FUNCTION, encoding="utf-8")
    git(repo, "commit", "-qam", "refund")
    git(repo, "checkout", "-q", "--detach", "HEAD")
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "HEAD"  # really detached
    assert shown(lint(repo, "--diff", "main", ".")) == [("BL201", "app.py", 14)]


def test_changes_made_on_the_base_branch_meanwhile_are_not_blamed_on_the_branch(repo):
    """Diffing against the merge base, like a pull request: main fixed line 9 after we branched."""
    (repo / "app.py").write_text(LEGACY + NEW_FUNCTION, encoding="utf-8")
    git(repo, "commit", "-qam", "refund")
    git(repo, "checkout", "-q", "main")
    (repo / "app.py").write_text(LEGACY.replace('print("rows", len(rows))', "return rows"), encoding="utf-8")
    git(repo, "commit", "-qam", "main fixes the print")
    git(repo, "checkout", "-q", "feature")
    assert shown(lint(repo, "--diff", "main", ".")) == [("BL201", "app.py", 14)]


def test_paths_are_matched_from_a_subdirectory(repo):
    write(repo, "pkg/mod.py", LEGACY)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pkg")
    (repo / "pkg" / "mod.py").write_text(LEGACY + NEW_FUNCTION, encoding="utf-8")
    assert shown(lint(repo, "--diff", "HEAD", ".", cwd=repo / "pkg")) == [("BL201", "mod.py", 14)]
    # pkg/ is new since main: every line counts
    assert len(shown(lint(repo, "--diff", "main", ".", cwd=repo / "pkg"))) == 3


def test_outside_git_is_a_clear_error(tmp_path):
    write(tmp_path, "app.py", LEGACY)
    env = {**GIT_ENV, "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}  # never find a repository above
    done = run_cli("--diff", "main", ".", cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert "--diff needs a git repository" in done.stderr and "Traceback" not in done.stderr


def test_an_unknown_ref_is_a_clear_error(repo):
    done = run_cli("--diff", "origin/nope", ".", cwd=repo, env=GIT_ENV)
    assert done.returncode == 2
    assert "'origin/nope' is not a commit, branch or tag" in done.stderr


def test_parse_unified_diff_handles_deletions_renames_and_quoted_paths():
    patch = (
        "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n"
        "@@ -3 +3 @@\n-x\n+y\n@@ -10,2 +10,0 @@\n-gone\n-gone\n@@ -20,0 +19,3 @@\n+1\n+2\n+3\n"
        "diff --git a/old.py b/new.py\n--- a/old.py\n+++ b/new.py\n@@ -1 +1,2 @@\n-a\n+b\n+c\n"
        'diff --git "a/sp\\303\\251cial\\tname.py" "b/sp\\303\\251cial\\tname.py"\n'
        '--- "a/sp\\303\\251cial\\tname.py"\n+++ "b/sp\\303\\251cial\\tname.py"\n@@ -0,0 +1 @@\n+z\n'
        "diff --git a/dead.py b/dead.py\n--- a/dead.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n"
    )
    assert parse_unified_diff(patch) == {
        "a.py": frozenset({3, 19, 20, 21}),
        "new.py": frozenset({1, 2}),
        "spécial\tname.py": frozenset({1}),
    }
