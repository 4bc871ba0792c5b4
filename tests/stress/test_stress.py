"""The stress suite: generated inputs at sizes that used to hang, blow up memory or give wrong
results, each run as a user runs it (the CLI in a subprocess). Time bounds are generous hang guards,
never benchmarks (bench/stress.py measures); memory bounds are the child's `ru_maxrss`.

The many-file tree is 20,000 files with the native engine alone (its hang guard), and 600 files
where reports are compared between runs (every engine installed, --jobs 1 and 2, cold and warm
cache, four runs racing on one cache, three working directories): twenty semgrep runs over 20,000
files would not fit CI's time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import stress_inputs as inputs
from backend_lint import run as runner
from backend_lint import source
from backend_lint.config import Config
from conftest import write

MiB = 1024 * 1024
# one finding of each engine: semgrep BL703 (shell=True), native BL201 with ruff's BLE001 merged into it
EVERY_ENGINE = ("import subprocess\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n\n\n"
                "def load(cache, key):\n    try:\n        return cache[key]\n    except Exception:\n        pass\n")  # fmt: skip
ENV = {**os.environ, "NO_COLOR": "1", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
posix = pytest.mark.skipif(os.name == "nt", reason="POSIX file types and rusage")


def lint(*args: str, cwd: Path, timeout: float = 300) -> tuple[subprocess.CompletedProcess, float, int]:
    """The CLI in a subprocess: its result, wall seconds, and peak RSS in bytes (its own and its
    waited-for children's: `--jobs 1` has none)."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "backend_lint", *args], cwd=cwd, env=ENV, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        stdout = proc.stdout.read()
        stderr = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    assert elapsed < timeout, f"killed after {timeout} s: a hang"
    done = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    return done, elapsed, usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def engines_of(findings) -> set[str]:
    """The engines that found these (JSON) findings, counting those merged into another's."""
    rules = runner.rule_catalog()
    return {e for f in findings for e in (f["engine"], *(rules[c].engine for c in f.get("also_reported_by", ())))}


def report(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    return json.loads(proc.stdout)


def comparable(data: dict, prefix: str = "") -> dict:
    """A JSON report without what may differ between equivalent runs (the path prefix a working
    directory adds, and the fingerprints and notices that follow from it)."""

    def strip(path):
        return path[len(prefix):] if path and prefix and path.startswith(prefix) else path

    findings = sorted((strip(f["path"]), f["line"], f["column"], f["rule"], f["message"], f["engine"],
                       tuple(f.get("also_reported_by", ()))) for f in data["findings"])  # fmt: skip
    errors = sorted((strip(e["path"]) or "", e["kind"], e["engine"] or "", e["message"]) for e in data["errors"])
    return {"findings": findings, "errors": errors, "files": data["summary"]["files"]}


# -- bounded cost per file ----------------------------------------------------------------------
@posix
def test_a_20_mb_file_stays_under_500_mib_and_the_other_files_are_checked(tmp_path):
    inputs.large_file(tmp_path, 20 * MiB - 4096)
    write(tmp_path, "small.py", inputs.FINDING.format(i=1))
    proc, _, peak = lint("--no-cache", "--jobs", "1", "--engines", "native", "--format", "json", ".", cwd=tmp_path)
    data = report(proc)
    assert peak < 500 * MiB, f"peak RSS {peak / MiB:.0f} MiB"
    assert [(f["path"], f["rule"]) for f in data["findings"]] == [("small.py", "BL301")]
    (error,) = data["errors"]
    assert (error["path"], error["kind"]) == ("large.py", "limit")
    assert "too large to analyse: more than 500,000 tokens (20.0 MiB" in error["message"]


@posix
def test_a_file_just_under_the_token_limit_is_analysed_under_500_mib(tmp_path):
    block = inputs.BLOCK.format(i=0)
    blocks = int(source.MAX_TOKENS * 0.95) // source.count_tokens(block, 10_000)
    path = tmp_path / "dense.py"
    path.write_text("".join(inputs.BLOCK.format(i=i) for i in range(blocks)) + inputs.FINDING.format(i=1), "utf-8")
    assert source.count_tokens(path.read_text("utf-8"), source.MAX_TOKENS) <= source.MAX_TOKENS
    proc, _, peak = lint("--no-cache", "--jobs", "1", "--engines", "native", "--format", "json", ".", cwd=tmp_path)
    data = report(proc)
    assert data["errors"] == [] and [f["rule"] for f in data["findings"]] == ["BL301"]
    assert peak < 500 * MiB, f"peak RSS {peak / MiB:.0f} MiB"


def test_20000_findings_in_one_file_with_native_and_ruff(tmp_path):
    target = inputs.findings_file(tmp_path, 20_000)
    proc, _, _ = lint("--no-cache", "--engines", "native,ruff", "--format", "json", target.name, cwd=tmp_path)
    data = report(proc)
    assert len(data["findings"]) == 20_000 and {f["rule"] for f in data["findings"]} == {"BL301"}
    collapsed, _, _ = lint("--no-cache", "--engines", "native,ruff", "--format", "json", "--max-findings-per-file", "100",
                           target.name, cwd=tmp_path)  # fmt: skip
    shown = report(collapsed)["findings"]
    assert len(shown) == 101 and "19,899 more finding(s)" in shown[-1]["message"]
    assert collapsed.returncode == 1


# -- many files, deep trees, hostile trees ------------------------------------------------------
def test_20000_tiny_files(tmp_path):
    root = inputs.many_files(tmp_path, 20_000)
    proc, _, _ = lint("--no-cache", "--engines", "native", "--format", "json", "--jobs", "2", root.name, cwd=tmp_path)
    data = report(proc)
    assert data["summary"]["files"] == 20_000 and data["errors"] == []
    assert len(data["findings"]) == 200


def test_200_nested_directories(tmp_path):
    root = inputs.nested_directories(tmp_path, 200)
    proc, _, _ = lint("--no-cache", "--format", "json", root.name, cwd=tmp_path)  # every installed engine
    data = report(proc)
    assert data["errors"] == []
    (finding,) = data["findings"]
    assert finding["path"].count("/") == 201 and finding["path"].endswith("/d199/deep.py")


@posix
def test_a_hostile_tree_with_every_engine(tmp_path):
    """Link loops, FIFOs and devices named like modules, a file that vanishes before the tools run:
    each is one error of its own, every real file is checked by every installed engine."""
    tree = tmp_path / "tree"
    for i in range(5):
        write(tree, f"app/m{i}.py", EVERY_ENGINE)
    (tree / "app" / "self").symlink_to(".")  # a directory loop: links are not followed
    (tree / "app" / "loop_a.py").symlink_to("loop_b.py")
    (tree / "app" / "loop_b.py").symlink_to("loop_a.py")
    os.mkfifo(tree / "app" / "pipe.py")
    (tree / "app" / "zero.py").symlink_to("/dev/zero")
    proc, _, _ = lint("--no-cache", "--format", "json", "tree", cwd=tmp_path, timeout=300)
    data = report(proc)
    assert sorted(e["path"] for e in data["errors"]) == [f"tree/app/{n}.py" for n in ("loop_a", "loop_b", "pipe", "zero")]
    assert {e["engine"] for e in data["errors"]} == {None}  # no engine failed as a whole
    assert {f["path"] for f in data["findings"]} == {f"tree/app/m{i}.py" for i in range(5)}
    assert engines_of(data["findings"]) == {"native", "ruff", "semgrep"}


def test_files_deleted_during_a_run_cost_only_themselves(tmp_path, monkeypatch):
    """The files vanish after the workers read them and before ruff and semgrep run: the tools are
    not given them (semgrep refused a whole batch for one), every other file keeps its findings."""
    from backend_lint.engines import ruff, semgrep

    for i in range(30):
        write(tmp_path, f"m{i:02d}.py", EVERY_ENGINE)
    doomed = [tmp_path / f"m{i:02d}.py" for i in range(0, 30, 3)]
    for module, name in ((ruff, "run_ruff"), (semgrep, "run_semgrep")):
        real = getattr(module, name)

        def deleting(paths, *args, _real=real, **kwargs):
            for path in doomed:
                path.unlink(missing_ok=True)
            return _real(paths, *args, **kwargs)

        monkeypatch.setattr(module, name, deleting)
    monkeypatch.chdir(tmp_path)
    result = runner.run(["."], Config(root=tmp_path), runner.RunOptions(jobs=1))
    assert [e for e in result.errors if e.path is None] == []
    alive = {f"m{i:02d}.py" for i in range(30) if i % 3}
    for path in alive:
        assert engines_of([f.to_dict() for f in result.findings if f.path == path]) == {"native", "ruff", "semgrep"}, path


# -- the same report whatever the run -----------------------------------------------------------
@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """600 files of code with findings for every engine, some of them tests."""
    root = tmp_path_factory.mktemp("stress") / "project"
    snippets = (
        "import subprocess\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n",
        "def load(cache, key):\n    try:\n        return cache[key]\n    except Exception:\n        pass\n",
        "import requests\ndef fetch(url):\n    return requests.get(url)\n",
        inputs.FINDING.format(i=1),
        "PASSWORD = 'hunter2-but-longer'\n",
    )
    for i in range(600):
        folder = "tests" if i % 10 == 0 else f"pkg{i // 100}"
        name = f"test_{i}.py" if folder == "tests" else f"m{i}.py"
        write(root, f"{folder}/{name}", snippets[i % len(snippets)] + f"VALUE_{i} = {i}\n")
    return root


FAST = ("--engines", "native,ruff")  # where semgrep's start-up would only cost time


@pytest.fixture(scope="module")
def reference(tree):
    """The report of a run with no cache, one process, fast engines."""
    proc, _, _ = lint("--no-cache", "--format", "json", "--jobs", "1", *FAST, ".", cwd=tree, timeout=600)
    data = report(proc)
    assert {f["engine"] for f in data["findings"]} == {"native", "ruff"} and data["errors"] == []
    return comparable(data)


def test_with_every_engine_jobs_and_cache_do_not_change_the_report(tree, tmp_path):
    cache = tmp_path / "cache"
    cold, _, _ = lint("--format", "json", "--jobs", "1", "--no-cache", ".", cwd=tree, timeout=600)
    expected = comparable(report(cold))
    for args in (("--jobs", "2", "--cache-dir", str(cache)), ("--jobs", "2", "--cache-dir", str(cache)),
                 ("--jobs", "1", "--cache-dir", str(cache))):  # fmt: skip  (cold, then warm twice)
        proc, _, _ = lint("--format", "json", *args, ".", cwd=tree, timeout=600)
        assert comparable(report(proc)) == expected, args


def test_jobs_1_and_jobs_2_give_one_report(tree, reference):
    proc, _, _ = lint("--format", "json", "--jobs", "2", "--no-cache", *FAST, ".", cwd=tree, timeout=600)
    assert comparable(report(proc)) == reference


def test_four_runs_racing_on_one_cache_give_the_no_cache_report(tree, reference, tmp_path):
    cache = tmp_path / "shared"
    command = [sys.executable, "-m", "backend_lint", "--format", "json", "--jobs", "1", *FAST, "--cache-dir", str(cache), "."]
    runs = [subprocess.Popen(command, cwd=tree, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(4)]  # fmt: skip
    for proc in runs:
        stdout, stderr = proc.communicate(timeout=900)
        assert comparable(report(subprocess.CompletedProcess(command, proc.returncode, stdout, stderr))) == reference
    warm, _, _ = lint("--format", "json", *FAST, "--cache-dir", str(cache), ".", cwd=tree, timeout=600)
    assert comparable(report(warm)) == reference


def test_any_working_directory_gives_the_same_report(tree, reference, tmp_path):
    above, _, _ = lint("--no-cache", "--format", "json", *FAST, tree.name, cwd=tree.parent, timeout=600)
    assert comparable(report(above), prefix=f"{tree.name}/") == reference
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    away, _, _ = lint("--no-cache", "--format", "json", *FAST, str(tree), cwd=elsewhere, timeout=600)
    assert comparable(report(away), prefix=f"{tree.as_posix()}/") == reference


@posix
def test_permission_denied_files_and_directories_are_errors_and_the_rest_is_checked(tmp_path):
    """Run as a user permissions apply to (as nobody when the suite runs as root, if it can)."""
    from test_hostile_input import as_unprivileged

    for i in range(20):
        write(tmp_path, f"app/m{i}.py", inputs.FINDING.format(i=i))
    write(tmp_path, "app/secret.py", inputs.FINDING.format(i=99))
    write(tmp_path, "locked/inner.py", inputs.FINDING.format(i=98))
    (tmp_path / "app" / "secret.py").chmod(0)
    (tmp_path / "locked").chmod(0)
    try:
        proc = as_unprivileged(tmp_path, "--format", "json", "--jobs", "2", ".", cwd=tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
        (tmp_path / "app" / "secret.py").chmod(0o644)
    data = report(proc)
    assert sorted((e["path"], e["kind"]) for e in data["errors"]) == [("app/secret.py", "unreadable"), ("locked", "unreadable")]
    assert len(data["findings"]) == 20
