"""Inputs that used to give silent or wrong results: unreadable or too-deep directories, link loops,
FIFOs and devices in place of files, hostile `.gitignore` patterns, bad config values. Each is
reported, named, or harmless; none hangs or crashes the run. Hang guards are generous."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pathspec
import pytest

from backend_lint import gitignore
from conftest import run_cli, write

PRINT = "print('debug')\n"
posix = pytest.mark.skipif(os.name == "nt", reason="POSIX file types")


def report_of(proc) -> dict:
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


# -- directories that cannot be walked -----------------------------------------------------------
def test_a_directory_path_too_long_to_open_is_reported(tmp_path):
    write(tmp_path, "ok.py", PRINT)
    deep, depth = tmp_path, 0
    while len(str(deep)) < 4200:  # past PATH_MAX (4096): listing it fails with ENAMETOOLONG
        fd = os.open(deep, os.O_RDONLY)
        try:
            os.mkdir("d" * 200, dir_fd=fd)
        finally:
            os.close(fd)
        deep, depth = deep / ("d" * 200), depth + 1
    report = report_of(run_cli("--format", "json", ".", cwd=tmp_path))
    assert [f["path"] for f in report["findings"]] == ["ok.py"]
    (error,) = report["errors"]
    assert error["kind"] == "unreadable" and "cannot list directory" in error["message"]


def _nobody() -> tuple[int, int] | None:
    """(uid, gid) to drop to when running as root and the interpreter is usable by nobody."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return None
    try:
        probe = subprocess.run([sys.executable, "-c", "import backend_lint"], user=entry.pw_uid, group=entry.pw_gid,
                               capture_output=True, check=False)  # fmt: skip
    except OSError:  # the interpreter lies where nobody may not go
        return None
    return (entry.pw_uid, entry.pw_gid) if probe.returncode == 0 else None


def as_unprivileged(tmp_path: Path, *args: str, cwd: Path):
    """The CLI run as a user that permissions apply to: ourselves, or nobody when we are root."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        ids = _nobody()
        if ids is None:
            pytest.skip("running as root, and user nobody cannot run this interpreter: permissions do not apply")
        for path in [tmp_path, *tmp_path.parents]:  # nobody must reach the tree (pytest's base is 0700)
            if path.stat().st_uid == 0 and str(path).startswith(("/tmp", os.path.realpath("/tmp"))):
                path.chmod(path.stat().st_mode | 0o755)
        return subprocess.run([sys.executable, "-m", "backend_lint", "--no-cache", "--engines", "native", *args],
                              cwd=cwd, user=ids[0], group=ids[1], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "NO_COLOR": "1"})  # fmt: skip
    return run_cli("--no-cache", *args, cwd=cwd)


@posix
def test_an_unreadable_directory_is_reported_not_skipped(tmp_path):
    write(tmp_path, "ok.py", PRINT)
    write(tmp_path, "locked/hidden.py", PRINT)
    (tmp_path / "locked").chmod(0)
    try:
        report = report_of(as_unprivileged(tmp_path, "--format", "json", ".", cwd=tmp_path))
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert [f["path"] for f in report["findings"]] == ["ok.py"]
    assert [(e["path"], e["kind"]) for e in report["errors"]] == [("locked", "unreadable")]
    assert "cannot list directory (Permission denied)" in report["errors"][0]["message"]


@posix
def test_an_unreadable_directory_as_the_first_path_is_an_error_not_a_crash(tmp_path):
    write(tmp_path, "locked/inner/app.py", PRINT)
    (tmp_path / "locked").chmod(0o311)  # may enter, may not list
    try:
        proc = as_unprivileged(tmp_path, "--format", "json", "locked/inner/app.py", "locked", cwd=tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    report = report_of(proc)
    assert [f["path"] for f in report["findings"]] == ["locked/inner/app.py"]
    assert [e["path"] for e in report["errors"]] == ["locked"]


@posix
def test_a_symlink_loop_as_the_first_path_is_an_error_not_a_crash(tmp_path):
    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")
    write(tmp_path, "ok.py", PRINT)
    report = report_of(run_cli("--format", "json", "a.py", "ok.py", cwd=tmp_path))
    assert [f["path"] for f in report["findings"]] == ["ok.py"]
    assert [e["path"] for e in report["errors"]] == ["a.py"]
    assert "symbolic link" in report["errors"][0]["message"]


@posix
@pytest.mark.parametrize("engines", ["native", "native,ruff"])
def test_a_fifo_or_a_device_named_like_a_module_does_not_hang(tmp_path, engines):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    write(tmp_path, "ok.py", PRINT)
    started = time.monotonic()
    report = report_of(run_cli("--format", "json", "--no-cache", ".", cwd=tmp_path, engines=engines, timeout=120))
    assert time.monotonic() - started < 100  # a hang guard
    assert {f["path"] for f in report["findings"]} == {"ok.py"}
    assert sorted(e["path"] for e in report["errors"]) == ["pipe.py", "zero.py"]


# -- expressions ------------------------------------------------------------------------------------
def test_a_thousand_term_concatenation_keeps_the_files_rules(tmp_path):
    terms = " + ".join(f"name{i}" for i in range(1_000))
    write(tmp_path, "concat.py", f"query = {terms}\n{PRINT}")
    report = report_of(run_cli("--format", "json", ".", cwd=tmp_path))
    assert report["errors"] == []
    assert [(f["line"], f["rule"]) for f in report["findings"]] == [(2, "BL301")]


# -- .gitignore and config patterns ---------------------------------------------------------------
def test_a_hostile_gitignore_pattern_is_matched_in_linear_time(tmp_path):
    name = "a" * 80
    write(tmp_path, ".gitignore", "*a" * 40 + "b\n")
    write(tmp_path, f"{name}.py", PRINT)
    started = time.monotonic()
    report = report_of(run_cli("--format", "json", ".", cwd=tmp_path, timeout=120))
    assert time.monotonic() - started < 60  # a hang guard: the pathspec regex needs ~C(80, 40) steps
    assert [f["path"] for f in report["findings"]] == [f"{name}.py"]


def test_a_gitignore_pattern_that_cannot_be_used_is_reported(tmp_path):
    write(tmp_path, ".gitignore", "[z-a]\nbuild/\n")
    write(tmp_path, "build/gen.py", PRINT)
    write(tmp_path, "app.py", PRINT)
    report = report_of(run_cli("--format", "json", ".", cwd=tmp_path))
    assert [f["path"] for f in report["findings"]] == ["app.py"]  # the good pattern still applies
    assert [(e["path"], e["message"].split(" not used")[0]) for e in report["errors"]] == [(".gitignore", "pattern '[z-a]'")]


def _pieces(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(["*", "a", "b", "?", "[ab]", "**", "/", "a*", "*b"]) for _ in range(count))


def test_atomic_stars_match_exactly_what_pathspec_regexes_match():
    """The rewritten regexes decide every path as pathspec's own do, on random patterns and paths."""
    rng = random.Random(14)
    rewritten = 0
    for _ in range(600):
        pattern = gitignore.normalised(_pieces(rng, rng.randint(1, 7)))
        if gitignore.problem(pattern):
            continue
        for compiled in pathspec.GitIgnoreSpec.from_lines([pattern]).patterns:
            if compiled.regex is None:
                continue
            theirs, ours = compiled.regex, re.compile(gitignore.safe(compiled.regex.pattern))
            rewritten += theirs.pattern != ours.pattern
            for _ in range(30):
                path = "".join(rng.choice("ab/") for _ in range(rng.randint(1, 12))).strip("/") or "a"
                assert bool(theirs.match(path)) == bool(ours.match(path)), (pattern, path, ours.pattern)
    assert rewritten > 50  # the cases that matter were tried


def test_runs_of_stars_mean_one_star():
    assert gitignore.normalised("a***b/**/**/c**") == "a*b/**/c*"
    assert gitignore.normalised(r"a\**b") == r"a\**b"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('exclude = ["[z-a]"]', "tool.backend-lint.exclude: pattern '[z-a]': not a valid pattern"),
        ('per-file-ignores = {"[z-a]" = ["BL201"]}', "tool.backend-lint.per-file-ignores: pattern '[z-a]'"),
        (f'test-paths = ["{"*a" * 70}"]', "tool.backend-lint.test-paths: pattern '*a*a"),
        ("exclude = 5", "tool.backend-lint.exclude: expected a list of strings"),
        ('max-findings-per-file = "many"', "tool.backend-lint.max-findings-per-file: expected a whole number"),
    ],
)
def test_a_bad_config_value_is_one_line_naming_its_key(tmp_path, line, message):
    write(tmp_path, "pyproject.toml", f"[tool.backend-lint]\n{line}\n")
    write(tmp_path, "app.py", PRINT)
    proc = run_cli(".", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"backend-lint: error: {message}") and len(proc.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "content",
    ['{"entries": 5}', '{"entries": [{"rule": 5}]}', "[1, 2]", '{"version": 1, "entries": [null]}', "\x00\x01"],
)
def test_a_malformed_baseline_is_an_error_not_a_crash(tmp_path, content):
    write(tmp_path, "app.py", PRINT)
    write(tmp_path, "baseline.json", content)
    proc = run_cli("--baseline", "baseline.json", ".", cwd=tmp_path)
    assert proc.returncode == 2 and "internal error" not in proc.stderr
    assert re.match(r"backend-lint: error: .*baseline", proc.stderr)
