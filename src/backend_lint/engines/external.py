"""What the external engines (semgrep, ruff) share: command-line batching, and running one
subprocess per batch where a crash, a timeout or unreadable output becomes an error record of the
engine (never a silently empty result).

Every subprocess runs in a session of its own, started through the run's `Subprocesses`: a timeout
kills the tool's whole process group (semgrep's `semgrep-core` too), and an interrupted run
(Ctrl-C, SIGTERM) stops them all at once and starts no other batch. A batch's time limit grows with
its size (`Timeout`), so a hung tool costs seconds on a small run, not minutes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass

from ..model import Error, Finding
from . import EngineOutput


def _command_chars() -> int:
    """How long a command line may grow: Windows allows 32,767 characters; POSIX systems say
    (ARG_MAX, shared with the environment). Few long batches: semgrep takes seconds to start."""
    if os.name == "nt":
        return 30_000
    try:
        return max(100_000, min(os.sysconf("SC_ARG_MAX") // 4, 1_000_000))
    except (ValueError, OSError, AttributeError):
        return 100_000


MAX_COMMAND_CHARS = _command_chars()


class ToolFailure(Exception):
    """The tool ran but its result cannot be used; the message says why, for the report."""


class Cancelled(Exception):
    """The run was interrupted: no further subprocess is started."""


class Subprocesses:
    """The external tools' subprocesses of one run, so the run can end them all when interrupted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: set[subprocess.Popen] = set()
        self.stopped = False

    def run(self, command: list[str], timeout: float, **popen) -> subprocess.CompletedProcess:
        """`subprocess.run(..., capture_output=True, text=True)` in a new session; on a timeout the
        whole session is killed (TimeoutExpired); Cancelled once `stop` was called."""
        with self.lock:
            if self.stopped:
                raise Cancelled
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, start_new_session=os.name != "nt", **popen)  # fmt: skip
            self.running.add(proc)
        try:
            try:
                stdout, stderr = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill(proc)
                proc.communicate()
                raise
            if self.stopped:
                raise Cancelled
            return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
        finally:
            with self.lock:
                self.running.discard(proc)

    def stop(self) -> None:
        """Kill every running tool (with its children) and refuse to start another."""
        with self.lock:
            self.stopped = True
            running = list(self.running)
        for proc in running:
            _kill(proc)


def _kill(proc: subprocess.Popen) -> None:
    try:
        if os.name == "nt":
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the tool and what it started
    except OSError:
        pass  # already gone


@dataclass(frozen=True)
class Timeout:
    """A batch's time limit: `base` seconds, plus so much per file and per MiB of source."""

    base: float
    per_file: float
    per_mib: float

    def of(self, paths: list[str]) -> float:
        size = 0
        for path in paths:
            try:
                size += os.stat(path).st_size
            except OSError:
                pass
        return self.base + self.per_file * len(paths) + self.per_mib * size / (1024 * 1024)


def batches(paths: list[str], limit: int = MAX_COMMAND_CHARS) -> list[list[str]]:
    """Split a file list so that no command line grows past `limit` characters."""
    out: list[list[str]] = []
    current: list[str] = []
    size = 0
    for path in paths:
        if current and size + len(path) + 1 > limit:
            out.append(current)
            current, size = [], 0
        current.append(path)
        size += len(path) + 1
    if current:
        out.append(current)
    return out


def output_tail(proc: subprocess.CompletedProcess) -> str:
    """The end of what a failed tool printed, on one line, without control characters."""
    text = "".join(c if c.isprintable() else " " for c in (proc.stderr or proc.stdout or "")[-2000:])
    return " ".join(text.split())[-300:]


def expect(value, kind: type):
    """`value` if it is of `kind` (a tool's JSON read as it is documented), else TypeError."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"expected {kind.__name__}, got {value!r:.60}")
    return value


def unexpected(tool: str, proc: subprocess.CompletedProcess, exc: Exception) -> ToolFailure:
    """The failure of a tool whose JSON does not have the shape its parser reads."""
    return ToolFailure(f"{tool} printed JSON of an unexpected shape ({type(exc).__name__}: {exc}; exit "
                       f"{proc.returncode}): {output_tail(proc)[:200]}")  # fmt: skip


def run_batched(
    tool: str,
    paths: list[str],
    command: Callable[[list[str]], list[str]],
    parse: Callable[[subprocess.CompletedProcess], EngineOutput],
    timeout: float | Timeout,
    processes: Subprocesses | None = None,
    display: dict[str, str] | None = None,
    **popen,
) -> EngineOutput:
    """One `command(batch)` subprocess per batch of paths, each result read by `parse` (which raises
    ToolFailure for a result it cannot use); findings merged by path, failures kept as errors.

    A file removed since the run started is not given (semgrep refuses a whole batch for one). A
    batch the tool fails on (a crash, garbage) is halved until the one file it fails on is found,
    which gets the error (`display` names it) while every other file keeps its findings; when both
    halves fail, the tool fails whatever the files, and that is one error for the batch. An
    interrupted run (`processes.stop()`) returns what was found so far; nobody reads it."""
    runner = _Batches(tool, command, parse, timeout, processes or Subprocesses(), display or {}, popen)
    for batch in batches(paths):
        batch = [p for p in batch if os.path.exists(p)]
        if batch and not runner.over:
            runner.run(batch)
    return EngineOutput(runner.findings, tuple(runner.errors))


class _Batches:
    """The state of `run_batched`: what was found, what failed."""

    def __init__(self, tool, command, parse, timeout, processes: Subprocesses, display: dict[str, str], popen) -> None:
        self.tool, self.command, self.parse, self.timeout = tool, command, parse, timeout
        self.processes, self.display, self.popen = processes, display, popen
        self.findings: dict[str, list[Finding]] = {}
        self.errors: list[Error] = []
        self.over = False  # interrupted, or the tool cannot start: no further batch

    def run(self, batch: list[str]) -> None:
        failure = self.attempt(batch)
        while failure is not None and len(batch) > 1 and not self.over:
            half = len(batch) // 2
            first, second = self.attempt(batch[:half]), self.attempt(batch[half:])
            if first is not None and second is not None:
                break  # not one file's fault
            batch, failure = (batch[:half], first) if first is not None else (batch[half:], second)
        if failure is None or self.over:
            return
        if len(batch) == 1:
            shown = self.display.get(batch[0], batch[0])
            self.errors.append(Error("engine", f"{failure} (only on this file; the others were checked)", shown, self.tool))
        else:
            self.errors.append(Error("engine", f"{failure} (on {len(batch)} file(s))", None, self.tool))

    def attempt(self, batch: list[str]) -> str | None:
        """Run the tool on `batch`, keeping what it found; why it failed, if it did (an error it
        cannot recover from by being given fewer files is recorded here, and is no failure)."""
        limit = self.timeout.of(batch) if isinstance(self.timeout, Timeout) else self.timeout
        try:
            proc = self.processes.run(self.command(batch), limit, **self.popen)
        except Cancelled:
            self.over = True
            return None
        except subprocess.TimeoutExpired:
            self.errors.append(Error("engine", f"{self.tool} timed out after {limit:.0f} s on {len(batch)} file(s)", None, self.tool))
            return None
        except OSError as exc:
            self.over = True  # no executable: no other batch would start either
            self.errors.append(Error("engine", f"{self.tool} could not start: {exc.strerror or exc} ({self.command(batch)[0]})",
                                     None, self.tool))  # fmt: skip
            return None
        try:
            out = self.parse(proc)
        except ToolFailure as exc:
            return str(exc)
        for path, items in out.findings.items():
            self.findings.setdefault(path, []).extend(items)
        self.errors.extend(out.errors)
        return None


def executable_stamp(path: str) -> list:
    """Size and mtime of an external engine's executable: an upgrade of the tool changes them."""
    try:
        st = os.stat(path)
    except OSError:
        return [path]
    return [path, st.st_size, st.st_mtime_ns]
