"""The native engine over many files: each file analysed once, in worker processes when there are
enough files, results returned in the order the files were given; and the cache lookup before it.

Workers return plain records (dicts), which pickle cheaply; the main process stores them in the
cache and writes it once.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from . import checks
from .cache import Hit, ResultCache, content_hash, file_stamp, from_record, settings_key, stamp_of, to_record
from .model import FileError
from .native import FileResult, SourceError, analyse_file, build_dispatch, read_bytes, read_with_stat
from .rule import Rule

PARALLEL_THRESHOLD = 16  # below this many files a worker pool costs more than it saves
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class NativeSettings:
    """Everything a worker process needs to rebuild the native rules (picklable)."""

    codes: tuple[str, ...]
    rule_options: dict[str, dict[str, object]] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)

    def build(self) -> tuple[list[Rule], dict]:
        by_code = {cls.code: cls for cls in checks.discover()}
        rules = [by_code[c](self.rule_options.get(c)) for c in self.codes if c in by_code]
        return rules, build_dispatch(rules)

    def cache_key(self, external: dict | None = None) -> str:
        return settings_key(self.codes, self.rule_options, self.agents, external)


Item = tuple[str, str, bool]  # (path to open, path shown, is a test file)


Done = tuple[dict, str | None, list | None]  # (record, content hash, stamp) of one analysed file


class _Analyser:
    """Analyses files into plain records; one per process."""

    def __init__(self, settings: NativeSettings) -> None:
        self.rules, self.dispatch = settings.build()
        self.agents = settings.agents

    def record(self, item: Item) -> Done:
        """The file's record, with what the cache keys it by (None for a file that cannot be read)."""
        path, display, is_test = item
        try:
            data, opened = read_with_stat(path)
        except SourceError as exc:
            return to_record(FileResult(display, error=FileError(display, str(exc)))), None, None
        result = analyse_file(path, display, self.rules, self.dispatch, is_test, self.agents, data=data)
        return to_record(result), content_hash(data), stamp_of(opened)


_worker: list[_Analyser] = []  # per worker process: the analyser built by _init_worker


def _init_worker(settings: NativeSettings) -> None:
    _collect_rarely()
    _worker[:] = [_Analyser(settings)]


def _collect_rarely() -> tuple[int, int, int]:
    """Analysis builds many short-lived trees: the cyclic collector would scan them again and again
    for nothing (ast trees hold no cycles; reference counting frees them), so it runs rarely, and
    never over what existed before (the imported modules). Returns the previous thresholds."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1_000)
    return previous


def _analyse_chunk(chunk: list[tuple[int, Item]]) -> list[tuple[int, Done]]:
    analyser = _worker[0]
    return [(index, analyser.record(item)) for index, item in chunk]


def _chunks(items: list[Item], jobs: int) -> list[list[tuple[int, Item]]]:
    """Largest files first (so the last chunks are short), in chunks small enough to balance."""
    def size(item: Item) -> int:
        try:
            return os.stat(item[0]).st_size
        except OSError:
            return 0

    order = sorted(enumerate(items), key=lambda pair: -size(pair[1]))
    count = max(1, min(32, len(items) // (jobs * 8)))
    return [order[i : i + count] for i in range(0, len(order), count)]


class Analysed(NamedTuple):
    """One file analysed by the native engine in this run, with what the cache keys it by."""

    result: FileResult
    record: dict
    digest: str | None  # content hash; None for a file that could not be read
    stamp: list | None  # the file's stamp when it was opened


def analyse_all(
    items: list[Item],
    settings: NativeSettings,
    jobs: int,
    progress: Progress | None = None,
    done_before: int = 0,
) -> list[Analysed]:
    """Native results in the order of `items`, whatever the number of processes (worker processes
    when there are enough files). `done_before`: files of the run already done (from the cache),
    for `progress`."""
    total = done_before + len(items)
    results: list[Analysed | None] = [None] * len(items)
    done = done_before
    if progress and done and items:  # nothing to analyse: no progress to show
        progress(done, total)

    def finished(i: int, done_file: Done) -> None:
        record, digest, stamp = done_file
        results[i] = Analysed(from_record(record), record, digest, stamp)

    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
        analyser = _Analyser(settings)
        previous = _collect_rarely()
        try:
            for i, item in enumerate(items):
                finished(i, analyser.record(item))
                done += 1
                if progress:
                    progress(done, total)
        finally:
            gc.set_threshold(*previous)
            gc.unfreeze()
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed  # only runs that need workers pay

        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(settings,)) as pool:
            futures = [pool.submit(_analyse_chunk, chunk) for chunk in _chunks(items, jobs)]
            for future in as_completed(futures):
                for index, done_file in future.result():
                    finished(index, done_file)
                done += len(future.result())
                if progress:
                    progress(done, total)
    return results  # type: ignore[return-value]


def lookup(cache: ResultCache, items: list[Item]) -> list[Hit | None]:
    """Each file's cached results, or None where the cache has none for its current content."""

    def load(item: Item) -> Hit | None:
        path, display, is_test = item

        def digest() -> str | None:
            try:
                return content_hash(read_bytes(path))
            except SourceError:
                return None

        return cache.load(path, display, is_test, digest, file_stamp(path))

    return [load(item) for item in items]
