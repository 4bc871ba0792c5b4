"""The directory the result cache owns: it writes and deletes only inside a directory it created.

A directory is ours when it holds our marker file (beside a `CACHEDIR.TAG`,
https://bford.info/cachedir/, so backup and archiving tools skip it). `owned_directory` creates
the requested directory marked when it does not exist; given an existing one it did not create
(`--cache-dir ~/.cache`), it uses its sub-directory `backend-lint/`, so other tools' files there,
however much they look like ours (32-hex directories, `<32 hex>.json`), are never touched.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from ..storage import read_regular, write_atomic

SUBDIRECTORY = "backend-lint"  # ours, inside a directory we were given but did not create
MARKER = "backend-lint-cache.txt"
TAG = "CACHEDIR.TAG"
TAG_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by backend-lint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
MARKER_TEXT = "backend-lint's result cache: backend-lint writes and deletes files here. Safe to delete.\n"
_LEGACY_GITIGNORE = b"# created by backend-lint: the result cache"  # how caches were marked before
_PACK = re.compile(r"[0-9a-f]{2}\.json\Z|[a-z]+\.link\Z|\..*\.tmp\Z")  # a pack, a link state, an interrupted write


def _marked(directory: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(directory / MARKER).st_mode)
    except OSError:
        return False


def _legacy(directory: Path) -> bool:
    """A cache directory created by an earlier backend-lint, which marked it with its .gitignore."""
    text = read_regular(directory / ".gitignore", 4096)
    return text is not None and text.startswith(_LEGACY_GITIGNORE)


def _mark(directory: Path) -> None:
    write_atomic(directory / TAG, TAG_TEXT, streams=False)
    write_atomic(directory / MARKER, MARKER_TEXT, streams=False)


def _create_marked(directory: Path) -> None:
    """Create `directory` already marked: made and marked under a temporary name, then renamed,
    so a run racing this one never sees it unmarked (and takes it for someone else's)."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.parent / f".{directory.name}.{os.getpid()}-{os.urandom(6).hex()}.tmp"
    tmp.mkdir()
    try:
        _mark(tmp)
        os.rename(tmp, directory)
    except OSError:
        for name in (TAG, MARKER):
            (tmp / name).unlink(missing_ok=True)
        tmp.rmdir()
        if not _marked(directory):  # another run won the race: fine if it made the same
            raise


def owned_directory(requested: Path) -> Path:
    """The directory the cache may write and delete in: `requested` if backend-lint created it
    (or creates it now), else its sub-directory `backend-lint/`, created and marked if need be.
    Raises OSError when neither can be had."""
    for candidate in (requested, requested / SUBDIRECTORY):
        if _marked(candidate):
            return candidate
        if not os.path.lexists(candidate):
            _create_marked(candidate)
            return candidate
        if candidate == requested and candidate.is_dir() and _legacy(candidate):
            _mark(candidate)
            return candidate
    raise OSError(errno.EEXIST, "exists and is not a backend-lint cache", str(requested / SUBDIRECTORY))


def remove_packs(directory: Path) -> None:
    """Delete the packs of one settings directory of ours, and the directory once it is empty
    (whatever else someone put in there stays)."""
    for entry in directory.iterdir():
        if _PACK.match(entry.name) and entry.is_file() and not entry.is_symlink():
            entry.unlink(missing_ok=True)
    try:
        directory.rmdir()
    except OSError:  # something else is in there: not ours to delete
        pass
