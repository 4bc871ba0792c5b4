"""Ctrl-C and SIGTERM mid-run: every subprocess ends (the tools with their children, the worker
processes), no report or cache pack is left half-written, and the exit code is 130 / 143.
The hang guards are generous: they catch waiting for a tool, not slowness."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from backend_lint.run import pool
from conftest import write

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX signals and shell scripts")


def wait_for(path: Path, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def gone(pid: int) -> bool:
    """No such process, or only its exit status is left (a zombie nobody reaped yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def hung_semgrep(tmp_path: Path) -> tuple[dict, Path]:
    """PATH with a `semgrep` first that records its pid, starts a child and hangs."""
    bin_dir, pids = tmp_path / "bin", tmp_path / "semgrep.pids"
    bin_dir.mkdir()
    script = bin_dir / "semgrep"
    script.write_text(f"#!/bin/sh\nsleep 300 &\necho $$ $! >> {pids}\nwait\n", encoding="utf-8")
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1"}, pids


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_ends_the_run_and_every_tool_and_writes_nothing(tmp_path, signum, code):
    env, pids = hung_semgrep(tmp_path)
    project = tmp_path / "project"
    for i in range(20):
        write(project, f"app/m{i}.py", "print('x')\n")
    report, cache = tmp_path / "report.json", tmp_path / "cache"
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend_lint", "--engines", "native,semgrep", "--jobs", "2", "--format", "json",
         "-o", str(report), "--cache-dir", str(cache), "app"],
        cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        tool_pids = [int(p) for p in wait_for(pids).split()]
        started = time.monotonic()
        if signum == signal.SIGINT:
            os.killpg(proc.pid, signum)  # Ctrl-C: the terminal signals the whole foreground group
        else:
            proc.send_signal(signum)  # `kill PID`: the main process alone
        _, stderr = proc.communicate(timeout=60)
        assert time.monotonic() - started < 30  # a hang guard: it did not wait for the tool
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == code, stderr
    assert stderr.strip().splitlines()[-1] in ("backend-lint: interrupted", "backend-lint: terminated")
    assert "Traceback" not in stderr
    deadline = time.monotonic() + 10
    while not all(gone(pid) for pid in tool_pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(gone(pid) for pid in tool_pids), "the tool or its child outlived the run"
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # no worker process is left in the run's group
    assert not report.exists()
    assert not [p for p in cache.rglob("*") if p.is_file() and p.suffix == ".json"], "a cache pack was written"
    assert not [p for p in tmp_path.rglob("*.tmp")], "a temporary file was left"


def _slow_record(self, item, extra=None):
    with open(os.environ["BACKEND_LINT_TEST_PIDS"], "a") as fh:
        fh.write(f"{os.getpid()}\n")
    time.sleep(120)


def test_an_interrupt_ends_the_worker_processes_at_once(tmp_path, monkeypatch):
    """The workers (forked with the test's patch) hang on their first file; the interrupt must not
    wait for them, and none may survive it."""
    if __import__("multiprocessing").get_start_method() != "fork":
        pytest.skip("the patched analyser reaches the workers only when they are forked")
    pids = tmp_path / "pids"
    monkeypatch.setenv("BACKEND_LINT_TEST_PIDS", str(pids))
    monkeypatch.setattr(pool.Analyser, "record", _slow_record)
    items = [(str(tmp_path / f"m{i}.py"), f"m{i}.py", False, None) for i in range(40)]

    def interrupt_when_working() -> None:
        wait_for(pids)
        os.kill(os.getpid(), signal.SIGINT)  # a real signal: it interrupts the main thread's wait

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Thread(target=interrupt_when_working, daemon=True).start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            pool.analyse_all(items, pool.WorkerSettings(engines=()), jobs=2)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - started < 60  # a hang guard: the workers sleep for 120 s
    workers = {int(p) for p in pids.read_text().split()}
    deadline = time.monotonic() + 10
    while not all(gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers and all(gone(pid) for pid in workers)
