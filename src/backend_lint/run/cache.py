"""The per-file result cache: a file whose content, rules and config did not change is not re-analysed.

A directory of JSON packs per settings key in `.backend_lint_cache/` under the config root (or
`--cache-dir`). The settings key is everything besides a file that its results depend on
(backend-lint version and the code and data files of the package itself, Python version, selected
rules, their options, agent overrides; per engine, its selected codes and what else it names in
`cache_inputs`: an external engine's executable, semgrep's rule files and root). In the packs, one
entry per file (its absolute path, the path it is shown under, whether it counts as a test) holds
the file's `FileResult` as a plain record: every engine's findings and errors in it, and what
suppression needs. An entry is used when the file's stamp (size, mtime, ctime, inode, mode) is the one recorded,
or else when its content hash matches. Packs are written atomically (`storage.write_atomic`), so
two runs racing never leave a half-written one; a pack or entry that is corrupt anyway is ignored
and rebuilt, and one that is not a small regular file (a FIFO, a link to `/dev/zero`) is never
waited on or read without end. Deleting the directory is always safe.

The cache owns its directory: it writes and deletes only inside a directory it created and
marked (a `CACHEDIR.TAG`, https://bford.info/cachedir/, and a marker file of its own). Given an
existing directory it did not create (`--cache-dir ~/.cache`), it works in a sub-directory
`backend-lint/` of its own, so other tools' files are never pruned. A directory that cannot be
written (read-only, full, removed during the run) means no cache for this run, with one notice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..engines import LinkMemory
from ..model import FileResult, Finding
from ..storage import read_regular, write_atomic
from .cache_dir import owned_directory, remove_packs

DIRECTORY_NAME = ".backend_lint_cache"
MAX_PACK_BYTES = 64 * 1024 * 1024
FORMAT = "3"  # bump when the record layout changes
_SETTINGS_DIR = re.compile(r"[0-9a-f]{32}\Z")  # the packs of one settings key (not ruff's own cache)


RACY_SECONDS = 2.0


def is_racy(stamp: list, now: float) -> bool:
    """Whether a stamp may not be trusted in place of the content hash: the file changed (mtime,
    or ctime for tools that restore mtimes) within RACY_SECONDS of `now`, so an edit within the
    clock's resolution could leave the stamp unchanged (git's "racy clean" problem)."""
    return max(stamp[1], stamp[2]) > (now - RACY_SECONDS) * 1e9


def _package_stamp() -> list:
    """Size and mtime of every module and data file of backend-lint (the ruff code map, the
    catalog, the framework models), so an edited rule invalidates the cache even when the version
    number did not change (an editable install)."""
    stamp = []
    root = Path(__file__).resolve().parent.parent
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(("_", ".")))
        for name in sorted(names):
            if name.endswith((".py", ".toml")):
                try:
                    st = os.stat(os.path.join(directory, name))
                except OSError:
                    continue
                stamp.append([os.path.relpath(os.path.join(directory, name), root), st.st_size, st.st_mtime_ns])
    return stamp


def settings_key(codes: tuple[str, ...], rule_options: dict, agents: dict, engines: dict | None = None) -> str:
    """Everything besides a file's content and path that its results depend on; `engines` holds,
    per engine that runs, its codes and whatever else its results depend on (`cache_inputs`)."""
    data = {
        "engines": engines or {},
        "format": FORMAT,
        "version": __version__,
        "python": list(sys.version_info[:2]),
        "package": _package_stamp(),
        "codes": list(codes),
        "rule_options": {c: rule_options[c] for c in sorted(rule_options) if c in codes},
        "agents": {c: agents[c] for c in sorted(agents)},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=repr).encode()).hexdigest()


_TEXT_FIELDS = ("rule", "name", "category", "severity", "confidence", "message", "path", "agent", "engine", "fingerprint")
_NUMBER_FIELDS = ("line", "column", "end_line", "end_column")


def _all(kind: type, values) -> bool:
    return all(type(v) is kind for v in values)


def _sound_finding(f: Finding) -> bool:
    sup = f.suppression
    return (
        _all(str, (getattr(f, n) for n in _TEXT_FIELDS)) and _all(int, (getattr(f, n) for n in _NUMBER_FIELDS))
        and _all(str, f.checklist) and _all(int, f.cwe) and _all(str, f.also_reported_by)
        and (sup is None or (type(sup.line) is int and _all(str, (sup.reason, sup.kind))))
    )  # fmt: skip


def _sound(r: FileResult) -> bool:
    """Whether a cached result has the types a fresh one has (a pack edited by hand, or by another
    tool, must not crash the run later)."""
    return (
        type(r.path) is str and type(r.lines) is int
        and all(_sound_finding(f) for f in r.findings)
        and all(_all(str, (e.kind, e.message)) and all(v is None or type(v) is str for v in (e.path, e.engine))
                for e in r.errors)
        and _all(int, r.code) and _all(str, r.code.values())
        and all(type(d.line) is int and type(d.reason) is str and type(d.noqa) is bool
                and (d.codes is None or _all(str, d.codes)) for d in r.directives)
        and all(type(a) is int and type(b) is int for a, b in r.spans)
    )  # fmt: skip


class ResultCache:
    """The entries of one settings key, in SHARDS pack files chosen by a hash of the file's path:
    read when first needed, written at the end of a run by the main process, only those that
    received entries. Not one file per source file (a cold run on a thousand files would spend
    more time creating cache files than analysing them), nor one for all (a pre-commit run on
    one file of a large project would read and rewrite every entry).
    """

    SHARDS = 32
    MAX_KEYS = 8  # directories of other settings (older configs, rule sets) kept beside the current one

    def __init__(self, directory: str | os.PathLike, settings: str) -> None:
        self.requested = Path(directory)
        self.directory = self.requested  # the one it owns, once `prepare` found it
        self.settings = settings
        self.packs = self.directory / settings[:32]
        self.writable = True
        self.notice: str | None = None  # why the cache is off for this run, said once
        self.now = time.time()
        self._shards: dict[int, dict[str, dict]] = {}
        self._new: dict[int, dict[str, dict]] = {}

    @staticmethod
    def _id(path: str, display: str, is_test: bool) -> str:
        """The file (absolute path: the display path depends on the working directory), how it is
        shown (cached findings carry it) and whether it counts as a test."""
        return f"{int(is_test)}:{os.path.abspath(path)}\0{display}"

    def _shard_of(self, entry_id: str) -> int:
        return zlib.crc32(entry_id.encode("utf-8", "surrogateescape")) % self.SHARDS

    def prepare(self) -> bool:
        """Find or create the directory it owns and the packs' directory (the top one with a
        `.gitignore` ignoring it); False, with `notice` set, if they cannot be written."""
        try:
            self.directory = owned_directory(self.requested)
            self.packs = self.directory / self.settings[:32]
            self.packs.mkdir(exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                self._write(ignore, b"# created by backend-lint: the result cache, safe to delete\n*\n")
            os.utime(self.packs)  # recently used: pruned last
        except OSError as exc:
            self._disable(exc)
            return False
        return True

    def _disable(self, exc: OSError) -> None:
        self.writable = False
        if self.notice is None:
            reason = f": {exc.strerror}" if exc.strerror else ""
            self.notice = f"result cache disabled: cannot write to {self.requested}{reason}"

    def _read(self, shard: int) -> dict[str, dict]:
        """A pack's entries; a missing, corrupt or foreign pack is an empty one."""
        data = read_regular(self.packs / f"{shard:02x}.json", MAX_PACK_BYTES)
        if data is None:
            return {}
        try:
            pack = json.loads(data)
            if pack.get("settings") == self.settings and isinstance(pack.get("entries"), dict):
                return pack["entries"]
        except (OSError, ValueError, AttributeError, RecursionError):
            pass
        return {}

    def _entries(self, shard: int) -> dict[str, dict]:
        if shard not in self._shards:
            self._shards[shard] = self._read(shard)
        return self._shards[shard]

    def load(
        self, path: str, display: str, is_test: bool, digest: Callable[[], str | None], stamp: list | None = None
    ) -> FileResult | None:
        """The cached results for the file's current content, or None (missing, stale or corrupt).
        `digest` gives the content hash (None if unreadable); it is only called when there is an
        entry, so a cold run does not read every file twice, and not even then when the file's
        `stamp` is the one recorded with the entry."""
        entry_id = self._id(path, display, is_test)
        try:
            entry = self._entries(self._shard_of(entry_id))[entry_id]
            if not (stamp and entry.get("stamp") == stamp) and entry["key"] != digest():
                raise LookupError
            hit = FileResult.from_record(entry["result"])
            if not _sound(hit):
                raise ValueError
        except (ValueError, LookupError, TypeError, AttributeError):
            return None
        if stamp and entry.get("stamp") != stamp and not is_racy(stamp, self.now):
            # matched by its hash (touched, checked out again, or cached while racy): remember the
            # stamp it was read with, so the next run need not hash it again
            self._new.setdefault(self._shard_of(entry_id), {})[entry_id] = {**entry, "stamp": stamp}
        return hit

    def store(self, path: str, display: str, is_test: bool, digest: str, result: FileResult, stamp: list | None = None) -> None:
        """Remember one file's results for `save`. A result that depends on more than the file (an
        internal error, an engine's failure) is not stored."""
        if self.writable and not any(e.kind in ("internal", "engine") for e in result.errors):
            entry_id = self._id(path, display, is_test)
            entry = {"key": digest, "result": result.to_record(), "stamp": stamp}
            self._new.setdefault(self._shard_of(entry_id), {})[entry_id] = entry

    def save(self) -> None:
        """Write, atomically, the packs this run added entries to. Entries another run wrote since
        this one read a pack are kept (two runs racing lose nothing but cache hits); entries of
        files that no longer exist are dropped, and so are the least recently used settings
        beyond MAX_KEYS."""
        if not self.writable:
            return
        for shard, new in sorted(self._new.items()):
            entries = {**self._read(shard), **new}
            for key in [k for k in entries if k not in new and not os.path.exists(k[2:].partition("\0")[0])]:
                del entries[key]
            data = json.dumps({"settings": self.settings, "entries": entries}, separators=(",", ":")).encode()
            try:
                self._write(self.packs / f"{shard:02x}.json", data)
            except OSError as exc:  # full, read-only, or removed during the run
                self._disable(exc)
                return
            self._shards[shard] = entries
        if self._new:
            self._prune()
        self._new = {}

    def _prune(self) -> None:
        """Old entries of the directory it owns: files of the one-file-per-source format, and the
        packs of the least recently used settings beyond MAX_KEYS (only files named as packs are
        deleted, and their directory only once it is empty)."""
        try:
            for old_format in self.directory.glob("*.json"):
                if _SETTINGS_DIR.match(old_format.stem) and old_format.is_file():
                    old_format.unlink(missing_ok=True)
            others = [d for d in self.directory.iterdir()
                      if _SETTINGS_DIR.match(d.name) and d != self.packs and d.is_dir() and not d.is_symlink()]  # fmt: skip
            if len(others) > self.MAX_KEYS:
                for old in sorted(others, key=lambda d: d.stat().st_mtime)[: len(others) - self.MAX_KEYS]:
                    remove_packs(old)
        except OSError:
            pass

    # -- what a linking engine keeps between runs ------------------------------------------------
    def memory(self, engine: str) -> LinkMemory:
        """The link state `engine` kept in the last run with these settings (None if missing or
        unreadable: the engine then links from scratch)."""
        data = read_regular(self.packs / f"{engine}.link", MAX_PACK_BYTES)
        try:
            return LinkMemory(json.loads(data) if data is not None else None)
        except (ValueError, RecursionError):
            return LinkMemory()

    def keep(self, engine: str, memory: LinkMemory) -> None:
        """Write, atomically, what `engine` filled in this run."""
        if not self.writable or not memory.current or memory.current is memory.previous:
            return
        try:
            self._write(self.packs / f"{engine}.link", json.dumps(memory.current, separators=(",", ":")).encode())
        except OSError as exc:
            self._disable(exc)

    def _write(self, target: Path, data: bytes) -> None:
        write_atomic(target, data, streams=False)  # a FIFO or link in a pack's place is replaced

