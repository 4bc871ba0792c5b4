"""Changed-lines mode (`--diff REF`): keep only the findings on lines changed since REF.

The changed lines come from git: `git diff --unified=0` between the merge base of REF and HEAD
and the working tree (staged and unstaged edits alike), plus every line of untracked files that
git does not ignore. Diffing against the merge base, as a pull request does, keeps the changes
made on REF's branch meanwhile out of the picture; when there is none (a shallow clone), REF
itself is used. Works in a detached-HEAD checkout; outside git it is a `DiffError`.
"""

from __future__ import annotations

import codecs
import dataclasses
import os
import re
import subprocess
from pathlib import Path

from .model import Finding, Report

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@")


class DiffError(Exception):
    """git could not tell which lines changed; the message is one line for the user."""


@dataclasses.dataclass(frozen=True)
class ChangedLines:
    """Lines changed since a git ref, by absolute file path. `None` means the whole file is new."""

    base: str  # the commit the working tree was compared with
    files: dict[str, frozenset[int] | None]

    def touches(self, path: str, first: int, last: int) -> bool:
        lines = self.files.get(os.path.realpath(path), frozenset())
        if lines is None:
            return True
        return any(n in lines for n in range(first, max(first, last) + 1))


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd, capture_output=True, text=True, encoding="utf-8", errors="surrogateescape",
        )  # fmt: skip
    except FileNotFoundError:
        raise DiffError("--diff needs git, which is not installed (or not on PATH)") from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise DiffError(f"--diff: git {args[0]}: {detail}")
    return done.stdout


def _unquote(path: str) -> str:
    """git C-quotes paths holding unusual characters: "a\\tb.py" -> a<TAB>b.py."""
    if len(path) >= 2 and path[0] == path[-1] == '"':
        raw = codecs.escape_decode(path[1:-1].encode("utf-8", "surrogateescape"))[0]
        return raw.decode("utf-8", "surrogateescape")
    return path


def parse_unified_diff(text: str) -> dict[str, frozenset[int]]:
    """Added/changed lines of the new side of a `git diff --unified=0`, by repo-relative path."""
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            if target == "/dev/null":  # deleted file: nothing to report on
                current = None
                continue
            name = _unquote(target)
            name = name[2:] if name.startswith("b/") else name
            current = out.setdefault(name, set())
        elif line.startswith("@@") and current is not None:
            match = _HUNK.match(line)
            if match:
                start, count = int(match["start"]), int(match["count"] or 1)
                current.update(range(start, start + count))  # count 0: a pure deletion
    return {path: frozenset(lines) for path, lines in out.items()}


def changed_lines(ref: str, where: str | Path = ".") -> ChangedLines:
    """Lines changed in the working tree since `ref` (a branch, tag or commit)."""
    start = Path(where)
    start = start if start.is_dir() else start.parent
    if not start.exists():
        start = Path.cwd()
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], start).strip())
    except DiffError:
        raise DiffError(f"--diff needs a git repository, and {os.path.abspath(start)} is not in one") from None
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], top).strip()
    except DiffError:
        raise DiffError(f"--diff: {ref!r} is not a commit, branch or tag of {top} (fetched?)") from None
    try:
        base = _git(["merge-base", commit, "HEAD"], top).strip() or commit
    except DiffError:  # no common history (shallow clone, unrelated branch): compare with REF itself
        base = commit
    patch = _git(["diff", "--unified=0", "--no-color", "--no-ext-diff", "--find-renames", base, "--"], top)
    files: dict[str, frozenset[int] | None] = {
        str(top / path): lines for path, lines in parse_unified_diff(patch).items()
    }
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    for path in filter(None, untracked.split("\0")):
        files[str(top / path)] = None
    return ChangedLines(base, {os.path.realpath(p): v for p, v in files.items()})


def restrict(report: Report, changed: ChangedLines) -> tuple[Report, int]:
    """The report without findings off the changed lines, and how many were dropped."""

    def keep(f: Finding) -> bool:
        return changed.touches(f.path, f.line, f.end_line)

    kept = tuple(f for f in report.findings if keep(f))
    suppressed = tuple(f for f in report.suppressed if keep(f))
    errors = tuple(e for e in report.errors if e.engine == "internal" or os.path.realpath(e.path) in changed.files)
    dropped = len(report.findings) - len(kept)
    return dataclasses.replace(report, findings=kept, suppressed=suppressed, errors=errors), dropped
