"""An external engine that is missing, crashes, hangs, prints garbage or JSON of another shape is one
error naming it; every other engine's findings are still reported, and nothing of it is cached.
The tools are fake executables (POSIX shell scripts) handed to the engines as their executable."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from backend_lint import run as runner
from backend_lint.config import Config
from backend_lint.engines import external, ruff, semgrep
from backend_lint.engines.ruff import RuffEngine
from backend_lint.engines.semgrep import SemgrepEngine
from conftest import write

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX shell scripts")

PRINT = "print('debug')\n"


def fake(directory: Path, body: str, name: str = "tool") -> str:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def lint(root: Path, engines: tuple[str, ...], cache: Path | None = None):
    config = Config(root=root, engines=engines)
    old = os.getcwd()
    os.chdir(root)
    try:
        return runner.run_counted(["."], config, runner.RunOptions(jobs=1, cache_dir=str(cache) if cache else None))
    finally:
        os.chdir(old)


BROKEN = {
    "missing": None,
    "crash": "echo 'Segmentation fault' >&2; exit 139",
    "garbage": "echo '\x1b[2J<html>not json'",
    "wrong-shape": "echo '{\"results\": 5}'",
    "empty-object": "echo '{}'",
    "wrong-types": "echo '[{\"filename\": 7, \"code\": \"S101\"}]'",
}


@pytest.mark.parametrize("engine", ["ruff", "semgrep"])
@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_broken_tool_is_one_error_naming_it_and_the_native_findings_stay(tmp_path, monkeypatch, engine, kind):
    body = BROKEN[kind]
    executable = str(tmp_path / "bin" / "nothing-here") if body is None else fake(tmp_path / "bin", body)
    cls = RuffEngine if engine == "ruff" else SemgrepEngine
    monkeypatch.setattr(cls, "find", lambda self: executable)
    root = tmp_path / "project"
    write(root, "app.py", PRINT)
    write(root, "other.py", PRINT)
    report, _ = lint(root, ("native", engine))
    assert [(e.engine, e.path) for e in report.errors] == [(engine, None)], report.errors
    message = report.errors[0].message
    assert message.startswith(engine) and len(message) < 400 and "\x1b" not in message
    assert sorted((f.path, f.rule) for f in report.findings) == [("app.py", "BL301"), ("other.py", "BL301")]


def test_a_semgrep_answer_that_is_no_answer_is_not_cached(tmp_path, monkeypatch):
    answer = tmp_path / "answer.json"
    answer.write_text("{}", encoding="utf-8")
    executable = fake(tmp_path / "bin", f"cat {answer}")
    monkeypatch.setattr(SemgrepEngine, "find", lambda self: executable)
    root = tmp_path / "project"
    write(root, "app.py", PRINT)
    cache = tmp_path / "cache"
    report, _ = lint(root, ("native", "semgrep"), cache)
    assert [e.engine for e in report.errors] == ["semgrep"]
    answer.write_text(json.dumps({"results": [], "errors": [], "paths": {"scanned": []}}), encoding="utf-8")
    report, stats = lint(root, ("native", "semgrep"), cache)
    assert report.errors == () and stats.analysed == 1  # asked again, not taken from the cache
    report, stats = lint(root, ("native", "semgrep"), cache)
    assert stats.cached == 1  # a real answer is


def test_a_hung_tool_costs_its_scaled_time_limit_not_minutes(tmp_path, monkeypatch):
    pidfile = tmp_path / "pid"
    executable = fake(tmp_path / "bin", f"echo $$ > {pidfile}; exec sleep 300")
    monkeypatch.setattr(ruff, "TIMEOUT", external.Timeout(base=1, per_file=0.01, per_mib=0))
    app = str(write(tmp_path, "app.py", PRINT))
    started = time.monotonic()
    out = ruff.run_ruff([app], {app: "app.py"}, executable, ["S101"])
    assert time.monotonic() - started < 30  # a hang guard
    assert [e.message for e in out.errors] == ["ruff timed out after 1 s on 1 file(s)"]
    with pytest.raises(ProcessLookupError):
        os.kill(int(pidfile.read_text()), 0)  # killed, not left behind


def test_the_time_limit_grows_with_the_batch():
    limit = external.Timeout(base=10, per_file=0.5, per_mib=0)
    assert limit.of(["/nonexistent"] * 4) == 12
    assert ruff.TIMEOUT.of(["/nonexistent"]) < 300 and semgrep.TIMEOUT.of(["/nonexistent"]) < 300


def test_a_crash_on_one_file_costs_that_file_only(tmp_path):
    """A tool that crashes whenever one file is among its arguments (ruff on a deeply nested file):
    the batch is halved until that file is found; the other files keep their findings."""
    calls = tmp_path / "calls"
    files = [str(write(tmp_path, f"m{i:02d}.py", PRINT)) for i in range(16)]
    bad = files[11]
    script = (f'echo x >> {calls}\nfor a in "$@"; do [ "$a" = "{bad}" ] && {{ echo "stack overflow" >&2; exit 101; }}; done\n'
              'printf "["; sep=""; for a in "$@"; do case "$a" in *.py) printf \'%s{"filename":"%s","code":"T201",'
              '"message":"print","location":{"row":1,"column":1},"end_location":{"row":1,"column":5}}\' "$sep" "$a"; '
              'sep=",";; esac; done; echo "]"')  # fmt: skip
    executable = fake(tmp_path / "bin", script)
    display = {f: Path(f).name for f in files}
    out = ruff.run_ruff(files, display, executable, ["T201"])
    assert [(e.path, e.engine) for e in out.errors] == [("m11.py", "ruff")]
    assert "stack overflow" in out.errors[0].message and "only on this file" in out.errors[0].message
    assert sorted(out.findings) == sorted(name for name in display.values() if name != "m11.py")
    assert len(calls.read_text().split()) <= 1 + 2 * 4  # one run, then two per halving


def test_a_tool_that_fails_on_everything_is_not_run_file_by_file(tmp_path):
    calls = tmp_path / "calls"
    executable = fake(tmp_path / "bin", f"echo x >> {calls}; exit 3")
    files = [str(write(tmp_path, f"m{i:02d}.py", PRINT)) for i in range(64)]
    out = ruff.run_ruff(files, {}, executable, ["T201"])
    assert [e.path for e in out.errors] == [None] and "on 64 file(s)" in out.errors[0].message
    assert len(calls.read_text().split()) == 3


def test_a_file_deleted_before_its_batch_is_not_given(tmp_path):
    args = tmp_path / "args"
    executable = fake(tmp_path / "bin", f'echo "$@" > {args}; echo "[]"')
    here = str(write(tmp_path, "here.py", PRINT))
    out = ruff.run_ruff([here, str(tmp_path / "gone.py")], {}, executable, ["T201"])
    assert out.errors == ()
    assert here in args.read_text() and "gone.py" not in args.read_text()


def test_semgrep_refusing_a_whole_batch_is_narrowed_to_the_file(tmp_path):
    """semgrep answers "Invalid scanning root" for the whole batch when one file vanished."""
    files = [str(write(tmp_path, f"m{i}.py", PRINT)) for i in range(4)]
    refusal = json.dumps({"results": [], "errors": [{"level": "error", "type": "SemgrepError",
                                                     "message": f"Invalid scanning root: {files[2]}"}]})  # fmt: skip
    answer = json.dumps({"results": [], "errors": []})
    script = f"""for a in "$@"; do [ "$a" = "{files[2]}" ] && {{ echo '{refusal}'; exit 2; }}; done; echo '{answer}'"""
    executable = fake(tmp_path / "bin", script)
    out = semgrep.run_semgrep(files, {f: Path(f).name for f in files}, executable)
    assert [(e.path, e.engine) for e in out.errors] == [("m2.py", "semgrep")]


def test_a_file_too_large_for_semgrep_is_its_limit_error_and_the_others_are_scanned(tmp_path, monkeypatch):
    args = tmp_path / "args"
    executable = fake(tmp_path / "bin", f'echo "$@" > {args}; echo \'{{"results": [], "errors": []}}\'')
    monkeypatch.setattr(semgrep, "MAX_TARGET_BYTES", 100)
    big, small = str(write(tmp_path, "big.py", "x = 1\n" * 50)), str(write(tmp_path, "small.py", "x = 1\n"))
    out = semgrep.run_semgrep([big, small], {big: "big.py", small: "small.py"}, executable)
    assert [(e.kind, e.path, e.engine) for e in out.errors] == [("limit", "big.py", "semgrep")]
    assert out.errors[0].message == "too large for semgrep: 0.0 MiB (its limit: 0 MiB, which keeps its memory bounded)"
    assert small in args.read_text() and big not in args.read_text()


def test_progress_names_the_phases_after_the_files(tmp_path, monkeypatch):
    """The bar does not sit at 100 % while semgrep is still running or the project is linked."""
    answer = json.dumps({"results": [], "errors": [], "paths": {"scanned": []}})
    executable = fake(tmp_path / "bin", f"sleep 1; echo '{answer}'")
    monkeypatch.setattr(SemgrepEngine, "find", lambda self: executable)
    root = tmp_path / "project"
    for i in range(3):
        write(root, f"m{i}.py", PRINT)
    seen: list[tuple] = []
    config = Config(root=root, engines=("native", "semgrep", "taint"))
    old = os.getcwd()
    os.chdir(root)
    try:
        runner.run_counted(["."], config, runner.RunOptions(jobs=1, progress=lambda *a: seen.append(a)))
    finally:
        os.chdir(old)
    phases = [a[2] if len(a) > 2 else "linting" for a in seen]
    assert [a[:2] for a in seen if len(a) == 2] == [(1, 3), (2, 3), (3, 3)]  # the files, one by one
    assert phases[3:] == ["waiting for semgrep", "linking the project"], seen
