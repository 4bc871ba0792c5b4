"""The native engine over many files: each file analysed once (or taken from the result cache), in
worker processes when there are enough files, results returned in the order the files were given.

Workers return plain records (dicts), which pickle cheaply and are what the cache stores.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import checks
from .cache import ResultCache, content_hash, file_stamp, from_record, settings_key, to_record
from .model import FileError
from .native import FileResult, SourceError, analyse_file, build_dispatch, read_bytes
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

    def cache_key(self) -> str:
        return settings_key(self.codes, self.rule_options, self.agents)


Item = tuple[str, str, bool]  # (path to open, path shown, is a test file)


class _Analyser:
    """Analyses files into plain records (and stores them in the cache); one per process."""

    def __init__(self, settings: NativeSettings, cache: ResultCache | None) -> None:
        self.rules, self.dispatch = settings.build()
        self.agents = settings.agents
        self.cache = cache

    def record(self, item: Item) -> dict:
        path, display, is_test = item
        try:
            data = read_bytes(path)
        except SourceError as exc:
            return to_record(FileResult(display, error=FileError(display, str(exc))))
        result = analyse_file(path, display, self.rules, self.dispatch, is_test, self.agents, data=data)
        record = to_record(result)
        if self.cache is not None:
            self.cache.store(display, is_test, content_hash(data), record, file_stamp(path, now=time.time()))
        return record


_worker: list[_Analyser] = []  # per worker process: the analyser built by _init_worker


def _init_worker(settings: NativeSettings, cache: ResultCache | None) -> None:
    _worker[:] = [_Analyser(settings, cache)]


def _analyse_chunk(chunk: list[tuple[int, Item]]) -> list[tuple[int, dict]]:
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


def analyse_all(
    items: list[Item],
    settings: NativeSettings,
    jobs: int,
    progress: Progress | None = None,
    cache: ResultCache | None = None,
) -> list[FileResult]:
    """Per-file results in the order of `items`, whatever the number of processes.

    With a cache, files whose entry matches their content are not analysed again; the others are
    analysed (by worker processes if there are enough of them) and stored.
    """
    total = len(items)
    results: list[FileResult | None] = [None] * total
    todo = list(range(total))
    if cache is not None:
        for i in range(total):
            results[i] = _cached(cache, items[i])
        todo = [i for i in todo if results[i] is None]
    done = total - len(todo)
    if progress and done:
        progress(done, total)
    if jobs <= 1 or len(todo) < PARALLEL_THRESHOLD:
        analyser = _Analyser(settings, cache)
        for i in todo:
            results[i] = from_record(analyser.record(items[i]))
            done += 1
            if progress:
                progress(done, total)
        return results  # type: ignore[return-value]
    from concurrent.futures import ProcessPoolExecutor, as_completed  # only runs that need workers pay

    chunks = _chunks([items[i] for i in todo], jobs)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(settings, cache)) as pool:
        futures = [pool.submit(_analyse_chunk, chunk) for chunk in chunks]
        for future in as_completed(futures):
            for index, record in future.result():
                results[todo[index]] = from_record(record)
            done += len(future.result())
            if progress:
                progress(done, total)
    return results  # type: ignore[return-value]


def _cached(cache: ResultCache, item: Item) -> FileResult | None:
    path, display, is_test = item

    def digest() -> str | None:
        try:
            return content_hash(read_bytes(path))
        except SourceError:
            return None

    return cache.load(display, is_test, digest, file_stamp(path))
