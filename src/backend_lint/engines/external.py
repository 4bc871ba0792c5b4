"""What the external engines (semgrep, ruff) share: command-line batching, and running one
subprocess per batch where a crash, a timeout or unreadable output becomes an error record of the
engine (never a silently empty result).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable

from ..model import Error, Finding
from . import EngineOutput

MAX_COMMAND_CHARS = 30_000 if os.name == "nt" else 100_000


class ToolFailure(Exception):
    """The tool ran but its result cannot be used; the message says why, for the report."""


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
    return " ".join((proc.stderr or proc.stdout or "").split())[-300:]


def run_batched(
    tool: str,
    paths: list[str],
    command: Callable[[list[str]], list[str]],
    parse: Callable[[subprocess.CompletedProcess], EngineOutput],
    timeout: float,
    **popen,
) -> EngineOutput:
    """One `command(batch)` subprocess per batch of paths, each result read by `parse` (which raises
    ToolFailure for a result it cannot use); findings merged by path, failures kept as errors."""
    findings: dict[str, list[Finding]] = {}
    errors: list[Error] = []
    for batch in batches(paths):
        try:
            proc = subprocess.run(command(batch), capture_output=True, text=True, timeout=timeout, **popen)
        except subprocess.TimeoutExpired:
            errors.append(Error("engine", f"{tool} timed out after {timeout:g}s on {len(batch)} file(s)", None, tool))
            continue
        except OSError as exc:
            errors.append(Error("engine", f"{tool} could not start: {exc}", None, tool))
            continue
        try:
            out = parse(proc)
        except ToolFailure as exc:
            errors.append(Error("engine", str(exc), None, tool))
            continue
        for path, items in out.findings.items():
            findings.setdefault(path, []).extend(items)
        errors.extend(out.errors)
    return EngineOutput(findings, tuple(errors))


def executable_stamp(path: str) -> list:
    """Size and mtime of an external engine's executable: an upgrade of the tool changes them."""
    try:
        st = os.stat(path)
    except OSError:
        return [path]
    return [path, st.st_size, st.st_mtime_ns]
