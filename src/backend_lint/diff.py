"""Changed-lines mode (`--diff REF`): keep only the findings on lines changed since REF.

The changed lines come from git: `git diff --unified=0` between the merge base of REF and HEAD
and the working tree (staged and unstaged edits alike), plus every line of untracked files that
git does not ignore. Diffing against the merge base, as a pull request does, keeps the changes
made on REF's branch meanwhile out of the picture; when there is none (a shallow clone), REF
itself is used. Works in a detached-HEAD checkout; outside git it is a `DiffError`.

git runs programs a repository configures, and a checked-out repository (an archive with its
`.git`, a CI cache) may be hostile, so every git call here disables them: the fsmonitor hook
(`git diff` and `git ls-files` run it), hooks (an index refresh can run `post-index-change`),
external diff drivers, textconv, the pager, and the clean/smudge/process filter drivers that
`git diff` runs to compare working-tree files (found by name in the config, each set to
nothing: git has no switch for all of them), with submodules ignored (their own config would
apply in them). The user's global and system config stay in force: they are the user's own,
and hold settings such as `safe.directory` that a CI checkout needs.
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


_SAFE_CONFIG = ("core.fsmonitor=false", "core.hooksPath=/dev/null", "diff.external=", "core.quotepath=off")
_SAFE_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}
_FILTER_KEYS = ("clean", "smudge", "process")


def _run_git(args: list[str], cwd: Path, config: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    options = [item for setting in (*_SAFE_CONFIG, *config) for item in ("-c", setting)]
    env = {k: v for k, v in os.environ.items() if k != "GIT_EXTERNAL_DIFF"}
    try:
        return subprocess.run(
            ["git", "--no-pager", *options, *args],
            cwd=cwd, capture_output=True, text=True, encoding="utf-8", errors="surrogateescape",
            env={**env, **_SAFE_ENV}, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except FileNotFoundError:
        raise DiffError("--diff needs git, which is not installed (or not on PATH)") from None


def _git(args: list[str], cwd: Path, config: tuple[str, ...] = ()) -> str:
    done = _run_git(args, cwd, config)
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise DiffError(f"--diff: git {args[0]}: {detail}")
    return done.stdout


def no_filters(top: Path) -> tuple[str, ...]:
    """Config settings that turn off every filter driver the repository's config defines."""
    listed = _run_git(["config", "-z", "--get-regexp", r"^filter\."], top).stdout
    keys = [item.split("\n", 1)[0] for item in listed.split("\0") if item]
    names = sorted({key[len("filter.") :].rpartition(".")[0] for key in keys} - {""})
    odd = [n for n in names if "=" in n or "\n" in n]  # `-c` could not name these drivers
    if odd:
        raise DiffError(f"--diff: the git config defines a filter driver named {odd[0]!r}, which "
                        "backend-lint cannot turn off; it does not run git on this repository")  # fmt: skip
    settings = [f"filter.{name}.{key}=" for name in names for key in _FILTER_KEYS]
    return (*settings, *(f"filter.{name}.required=false" for name in names))


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
    patch = _git(
        ["diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv", "--ignore-submodules=all",
         "--find-renames", base, "--"], top, no_filters(top),
    )  # fmt: skip
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
