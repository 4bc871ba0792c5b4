"""Which files a run lints: default path, .gitignore (own, nested, at the git root above), excludes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli, write

PRINT = 'print("x")\n'


def linted(proc) -> list[str]:
    """Paths with a finding: every file of these trees holds exactly one print()."""
    assert proc.returncode in (0, 1), proc.stderr
    return sorted({f["path"] for f in json.loads(proc.stdout)["findings"]})


@pytest.fixture
def repo(tmp_path):
    """A git work tree whose project sits one directory below the git root."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, ".gitignore", "ignored_by_root.py\n")
    project = tmp_path / "project"
    write(project, ".gitignore", "/app/ignored_anchored.py\ngenerated/\n")
    write(project, "app/deep/.gitignore", "ignored_nested.py\n")
    for rel in (
        "app/main.py", "app/ignored_by_root.py", "app/ignored_anchored.py", "app/deep/ignored_nested.py",
        "app/deep/kept.py", "generated/gen.py", "other/ignored_anchored.py",
        ".git_like/x.py", ".venv/lib/site.py", "venv/site.py", "node_modules/pkg/x.py", "build/lib/x.py",
        "dist/x.py", "__pycache__/x.py", "pkg.egg-info/x.py",
    ):  # fmt: skip
        write(project, rel, PRINT)
    write(project, "app/notes.txt", PRINT)  # not *.py
    return project


EXPECTED = ["app/deep/kept.py", "app/main.py", ".git_like/x.py", "other/ignored_anchored.py"]


def test_default_path_is_dot_and_gitignore_and_excludes_apply(repo):
    assert linted(run_cli("--format", "json", cwd=repo)) == sorted(EXPECTED)


def test_same_files_when_dot_is_given(repo):
    assert linted(run_cli(".", "--format", "json", cwd=repo)) == sorted(EXPECTED)


def test_subdirectory_inherits_gitignores_above_it(repo):
    """Linting app/ alone still honours project/.gitignore and the one at the git root."""
    assert linted(run_cli("app", "--format", "json", cwd=repo)) == ["app/deep/kept.py", "app/main.py"]


def test_gitignore_above_a_directory_outside_git_is_not_used(tmp_path):
    write(tmp_path, ".gitignore", "*.py\n")  # no .git: this file means nothing to the project below
    write(tmp_path, "project/a.py", PRINT)
    assert linted(run_cli("--format", "json", cwd=tmp_path / "project")) == ["a.py"]


@pytest.mark.parametrize(
    "name", ["app/ignored_by_root.py", "app/deep/ignored_nested.py", "build/lib/x.py", ".venv/lib/site.py"]
)
def test_explicitly_named_file_is_always_linted(repo, name):
    assert linted(run_cli(name, "--format", "json", cwd=repo)) == [name]


def test_explicitly_named_non_py_file_is_linted(repo):
    assert linted(run_cli("app/notes.txt", "--format", "json", cwd=repo)) == ["app/notes.txt"]


def test_explicitly_named_excluded_directory_is_walked(repo):
    assert linted(run_cli("build", "--format", "json", cwd=repo)) == ["build/lib/x.py"]
    assert linted(run_cli("generated", "--format", "json", cwd=repo)) == ["generated/gen.py"]


def test_named_directory_below_an_excluded_name_is_walked(tmp_path):
    """A project checked out under a directory called build/ is not silently skipped."""
    write(tmp_path, "build/project/app.py", PRINT)
    write(tmp_path, "build/project/build/out.py", PRINT)  # excluded below the named directory
    assert linted(run_cli("build/project", "--format", "json", cwd=tmp_path)) == ["build/project/app.py"]


def test_exclude_and_extend_exclude_from_config(repo):
    write(repo, "pyproject.toml", '[tool.backend-lint]\nextend-exclude = ["other/"]\n')
    assert "other/ignored_anchored.py" not in linted(run_cli("--format", "json", cwd=repo))
    write(repo, "pyproject.toml", '[tool.backend-lint]\nexclude = ["app/deep/"]\n')
    got = linted(run_cli("--format", "json", cwd=repo))
    assert "app/deep/kept.py" not in got
    assert "build/lib/x.py" in got  # `exclude` replaces the defaults


def test_file_named_twice_is_linted_once(repo):
    proc = run_cli("app/main.py", "app", "./app/main.py", "--format", "json", cwd=repo)
    report = json.loads(proc.stdout)
    assert report["summary"]["files"] == 2
    assert [f["path"] for f in report["findings"]] == ["app/deep/kept.py", "app/main.py"]


def test_python_dash_m_and_console_script_agree(repo, tmp_path):
    import shutil
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "backend-lint"
    if not script.exists():
        script = shutil.which("backend-lint")
    assert script, "the backend-lint console script is installed with the package"
    by_script = subprocess.run(
        [str(script), "--format", "json", "--engines", "native"], cwd=repo, capture_output=True, text=True, timeout=60
    )
    by_module = run_cli("--format", "json", cwd=repo)
    assert by_script.returncode == by_module.returncode == 1
    assert json.loads(by_script.stdout)["findings"] == json.loads(by_module.stdout)["findings"]


def test_combined_patterns_answer_like_pathspec():
    """Patterns without negation are matched with one combined regex: it must agree with
    pathspec's gitignore matching on every path, file or directory."""
    import random

    import pathspec

    from backend_lint.config import Config
    from backend_lint.files import Patterns

    lines = [*Config(root=Path(".")).exclude, "*.pyc", "docs/_build", "/top.py", "a/**/b", "tests/fixtures/",
             "**/gen_*.py", "x?y.py", "[ab]c.py", "# a comment", ""]  # fmt: skip
    parts = ["a", "b", "x1y.py", "ac.py", "top.py", "gen_x.py", "tests", "fixtures", "docs", "_build", "build",
             "dist", ".git", "__pycache__", "node_modules", ".venv", "src", "m.py", "q.pyc", "pkg.egg-info"]  # fmt: skip
    rng = random.Random(7)
    for with_negation in (False, True):
        current = [*lines, "!keep.py"] if with_negation else lines
        spec, ours = pathspec.GitIgnoreSpec.from_lines(current), Patterns(current)
        for _ in range(3000):
            path = "/".join(rng.choice(parts) for _ in range(rng.randint(1, 5)))
            for candidate in (path, path + "/"):
                assert bool(ours.match_file(candidate)) == spec.match_file(candidate), candidate
    assert not Patterns([]).match_file("anything.py")
