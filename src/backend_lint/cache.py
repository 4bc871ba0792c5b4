"""The per-file result cache: a file whose content, rules and config did not change is not re-analysed.

One JSON entry per (settings, file) in `.backend_lint_cache/` under the config root (or
`--cache-dir`), holding the native engine's `FileResult` as a plain record. An entry is used only
when its key matches: the file's content hash plus the settings key (backend-lint version and the
code of the package itself, Python version, selected native rules, their options, agent overrides,
and whether the file counts as a test). Entries are written atomically (temporary file +
`os.replace`), so two runs racing never leave a half-written entry; an entry that is corrupt or
truncated anyway is ignored and rebuilt. Deleting the directory is always safe.

Records (`to_record` / `from_record`) are also what worker processes send back: plain dicts and
lists, cheap to pickle.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from . import __version__
from .model import FileError, Finding
from .native import FileResult
from .suppress import Directive

DIRECTORY_NAME = ".backend_lint_cache"
FORMAT = "1"  # bump when the record layout changes


def to_record(result: FileResult) -> dict:
    """A FileResult as JSON-able data."""
    return {
        "path": result.path,
        "findings": [f.to_dict() for f in result.findings],
        "error": None if result.error is None else [result.error.path, result.error.message, result.error.engine],
        "directives": [
            [d.line, None if d.codes is None else sorted(d.codes), d.reason, d.noqa] for d in result.directives
        ],
        "spans": [list(span) for span in result.spans],
        "lines": result.lines,
    }


def from_record(record: dict) -> FileResult:
    error = record["error"]
    return FileResult(
        path=record["path"],
        findings=tuple(Finding.from_dict(f) for f in record["findings"]),
        error=None if error is None else FileError(*error),
        directives=tuple(
            Directive(line, None if codes is None else frozenset(codes), reason, noqa)
            for line, codes, reason, noqa in record["directives"]
        ),
        spans=tuple((start, end) for start, end in record["spans"]),
        lines=record["lines"],
    )


RACY_SECONDS = 2.0


def file_stamp(path: str, now: float | None = None) -> list | None:
    """[size, mtime_ns] of a file, trusted in place of its content hash only when the file was last
    changed more than RACY_SECONDS before (`now`): an edit within the clock's resolution of the run
    that cached it could leave both unchanged (git's "racy clean" problem)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if now is not None and st.st_mtime > now - RACY_SECONDS:
        return None
    return [st.st_size, st.st_mtime_ns]


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def _package_stamp() -> list:
    """Size and mtime of every module of backend-lint, so an edited rule invalidates the cache
    even when the version number did not change (an editable install)."""
    stamp = []
    root = Path(__file__).parent
    for directory in (root, root / "checks"):
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith((".py", ".toml")):
                st = entry.stat()
                stamp.append([entry.name, st.st_size, st.st_mtime_ns])
    return stamp


def settings_key(codes: tuple[str, ...], rule_options: dict, agents: dict) -> str:
    """Everything besides a file's content and path that its native result depends on."""
    data = {
        "format": FORMAT,
        "version": __version__,
        "python": list(sys.version_info[:2]),
        "package": _package_stamp(),
        "codes": list(codes),
        "rule_options": {c: rule_options[c] for c in sorted(rule_options) if c in codes},
        "agents": {c: agents[c] for c in sorted(agents)},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=repr).encode()).hexdigest()


class ResultCache:
    """Entries in one directory; counts its hits and misses (the files it spared and did not)."""

    def __init__(self, directory: str | os.PathLike, settings: str) -> None:
        self.directory = Path(directory)
        self.settings = settings
        self.hits = 0
        self.misses = 0
        self.writable = True

    def _entry(self, display: str, is_test: bool) -> Path:
        name = hashlib.sha256(f"{self.settings}\0{display}\0{int(is_test)}".encode()).hexdigest()[:32]
        return self.directory / f"{name}.json"

    def load(
        self, display: str, is_test: bool, digest: Callable[[], str | None], stamp: list | None = None
    ) -> FileResult | None:
        """The cached result for the file's current content, or None (missing, stale, corrupt or
        unreadable). `digest` gives the content hash (None if unreadable); it is only called when
        there is an entry, so a cold run does not read every file twice, and not even then when
        the file's `stamp` (size, mtime) is the one recorded with the entry."""
        try:
            with open(self._entry(display, is_test), "rb") as fh:
                raw = fh.read()
            entry = json.loads(raw)
            if not (stamp and entry.get("stamp") == stamp) and entry["key"] != digest():
                raise LookupError
            result = from_record(entry["result"])
        except (OSError, ValueError, LookupError, TypeError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def prepare(self) -> bool:
        """Create the directory (with a `.gitignore` ignoring it); False if it cannot be written."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                self._write(ignore, b"# created by backend-lint: the result cache, safe to delete\n*\n")
        except OSError:
            self.writable = False
        return self.writable

    def store(self, display: str, is_test: bool, digest: str, record: dict, stamp: list | None = None) -> None:
        """Write one entry atomically; a result that depends on more than the file is not stored."""
        if not self.writable or (record["error"] and record["error"][2] == "internal"):
            return
        entry = {"key": digest, "result": record, "stamp": stamp}
        data = json.dumps(entry, separators=(",", ":")).encode()
        try:
            self._write(self._entry(display, is_test), data)
        except OSError:
            self.writable = False

    def _write(self, target: Path, data: bytes) -> None:
        # a name no other process or thread picks (not `tempfile`: it costs start-up time)
        tmp = self.directory / f".tmp-{os.getpid()}-{os.urandom(6).hex()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
