"""Which files a run looks at: every `*.py` under the given paths, minus excludes and .gitignore.

An explicitly named file is always linted, whatever its name or the excludes; an explicitly named
directory is always walked, the excludes and .gitignore applying below it. Directories are
walked without following symbolic links (no loops); `.gitignore` files are honoured from the
walked directory up to its git root, and in every directory below it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pathspec

from . import gitignore
from .config import Config


@dataclass(frozen=True)
class SourceFile:
    path: str  # as the OS finds it
    display: str  # relative POSIX path shown in reports


class Patterns:
    """gitignore patterns. Without a negation (`!pattern`) a path matches when any pattern does, so
    one combined regex answers in one call what pathspec answers pattern by pattern (every file
    and directory of a run is matched against the excludes).

    A run of stars within a name means one star (git's rule), and `**/**/` means `**/`; a pattern
    that is not valid, or still has too many wildcards (`gitignore.problem`), is not used: it is in
    `dropped`, with why, for the caller to report (a hostile `.gitignore` took minutes per file)."""

    def __init__(self, lines) -> None:
        self.dropped: list[tuple[str, str]] = []
        kept = []
        for line in lines:
            pattern = gitignore.normalised(line)
            problem = gitignore.problem(pattern)
            if problem:
                self.dropped.append((line.strip(), problem))
            else:
                kept.append(pattern)
        spec = pathspec.GitIgnoreSpec.from_lines(kept)
        for tag, compiled in enumerate(spec.patterns):
            if compiled.regex is not None and isinstance(compiled.regex.pattern, str):
                compiled.regex = re.compile(gitignore.safe(compiled.regex.pattern, tag))
        active = [p for p in spec.patterns if p.include is not None]
        if all(p.include and isinstance(p.regex.pattern, str) for p in active):
            combined = "|".join(f"(?:{p.regex.pattern.replace('(?P<ps_d>', '(?:')})" for p in active)
            self.match_file = re.compile(combined or "(?!)").match  # type: ignore[method-assign]
        else:
            self.match_file = spec.match_file  # type: ignore[method-assign]


class PathMatcher:
    """gitignore-style patterns, matched relative to the config root."""

    def __init__(self, patterns: tuple[str, ...] | list[str], root: Path) -> None:
        self.root = root
        self.patterns = tuple(patterns)
        self.spec = Patterns(patterns)

    def matches(self, path: str | Path, is_dir: bool = False) -> bool:
        rel = relative_to(path, self.root)
        if rel is None:
            rel = os.path.basename(path)
        return bool(self.spec.match_file(rel + "/" if is_dir else rel))


def relative_to(path: str | Path, root: str | Path) -> str | None:
    """`path` relative to the absolute `root`, in POSIX form, or None when it is not below it.

    Plain string operations: this runs for every file and directory walked, where pathlib is slow."""
    absolute, base = os.path.abspath(path), os.fspath(root)
    if os.path.normcase(absolute) == os.path.normcase(base):
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    if not os.path.normcase(absolute).startswith(os.path.normcase(prefix)):
        return None
    rel = absolute[len(prefix) :]
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def display_path(path: str, cwd: Path) -> str:
    rel = relative_to(path, cwd)
    shown = rel if rel is not None else Path(os.path.abspath(path)).as_posix()
    if shown.isascii():
        return shown
    try:
        shown.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8: shown with escapes, as valid text
        return shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return shown


def _gitignores_above(directory: Path, refused) -> list[tuple[Path, Patterns]]:
    """`.gitignore` specs from the git root (if any) down to, but excluding, `directory`."""
    chain = []
    for parent in directory.parents:
        chain.append(parent)
        if os.path.exists(parent / ".git"):  # (False, not an error, where it cannot be known)
            break
    else:
        return []  # not in a git work tree: parents' .gitignore files do not apply
    return [spec for d in reversed(chain) if (spec := _load_gitignore(d, refused)) is not None]


def _load_gitignore(directory: Path, refused) -> tuple[Path, Patterns] | None:
    path = directory / ".gitignore"
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            patterns = Patterns(fh.read().splitlines())
    except OSError:
        return None
    for line, why in patterns.dropped:
        refused(str(path), f"pattern {line!r:.80} not used: {why}")
    return directory, patterns


def _ignored(path: str | Path, is_dir: bool, specs: list[tuple[Path, Patterns]]) -> bool:
    for base, spec in specs:
        rel = relative_to(path, base)
        if rel is not None and spec.match_file(rel + "/" if is_dir else rel):
            return True
    return False


def find_files(
    paths: list[str], config: Config, cwd: Path | None = None, unreadable: list[tuple[str, str]] | None = None
) -> list[SourceFile]:
    """The files to lint, sorted by display path. Paths must exist (checked by the caller). A
    directory that cannot be listed (no permission, a path too long) is added to `unreadable`, as
    (display path, why), never skipped without a word."""
    cwd = cwd or Path(os.getcwd()).resolve()
    problems = [] if unreadable is None else unreadable

    def refused(path: str, why: str) -> None:
        problems.append((display_path(path, cwd), why))

    exclude = PathMatcher((*config.exclude, *config.extend_exclude), config.root)
    found: dict[str, SourceFile] = {}
    for arg in paths:
        path = Path(arg)
        if not os.path.isdir(path):  # (Path.is_dir raises inside a directory we may not read)
            found.setdefault(display_path(arg, cwd), SourceFile(arg, display_path(arg, cwd)))
            continue
        absolute = Path(os.path.abspath(path))
        specs = _gitignores_above(absolute, refused)
        # A named directory is walked even if it lies in an excluded or ignored one (`backend-lint
        # build/app`): patterns then apply below it only, as if it were the root.
        walk_exclude = PathMatcher(exclude.patterns, absolute) if exclude.matches(absolute, True) else exclude
        if _ignored(absolute, True, specs):
            specs = []
        for file_path in _walk(absolute, walk_exclude, specs, refused):
            shown = display_path(str(file_path), cwd)
            found.setdefault(shown, SourceFile(str(file_path), shown))
    return [found[k] for k in sorted(found)]


def _walk(top: Path, exclude: PathMatcher, specs: list, refused) -> list[str]:
    out: list[str] = []
    stack = [(top, specs)]
    while stack:
        directory, inherited = stack.pop()
        own = _load_gitignore(directory, refused)
        active = [*inherited, own] if own else inherited
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            refused(str(directory), f"cannot list directory ({exc.strerror or exc})")
            continue
        for entry in entries:
            path = entry.path
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                refused(path, f"cannot read ({exc.strerror or exc})")
                continue
            if not is_dir and not entry.name.endswith(".py"):
                continue  # only Python files are linted: no need to match the others' paths
            if exclude.matches(path, is_dir) or _ignored(path, is_dir, active):
                continue
            if is_dir:
                stack.append((Path(path), active))
            elif entry.name.endswith(".py"):
                out.append(path)
    return out
