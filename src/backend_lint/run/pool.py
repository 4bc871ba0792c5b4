"""The worker side of a run: each file loaded once into a source unit, every in-process engine run
on it, in worker processes when there are enough files; results returned in the order the files
were given, whatever the number of processes.

Workers return plain records (dicts and strings), which pickle cheaply: the file's `FileResult`
record (findings fingerprinted, with their code lines), its content hash and stamp, and its text
when the main process needs it (to fingerprint the external engines' findings).
"""

from __future__ import annotations

import gc
import os
import signal
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

from ..engines import UnitOutput, registry
from ..model import Error, FileResult, assign_fingerprints
from ..source import SourceUnit, load_unit
from .limits import FILE_SECONDS, TooSlow, time_limit

PARALLEL_THRESHOLD = 16  # below this many files a worker pool costs more than it saves
Progress = Callable[..., None]  # (done, total, phase="linting"): files done; a later phase with done == total
# (path to open, path shown, is a test file, its content and stamp when the main process read it already)
Item = tuple[str, str, bool, "tuple[bytes, list] | None"]


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker process needs to rebuild the in-process engines (picklable)."""

    engines: tuple[str, ...]  # in-process engines that run
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # engine -> its selected codes
    options: dict[str, dict] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)
    keep_text: bool = False  # send each file's text back (external engines' findings need it)
    root: str = "."  # the project's root directory
    file_seconds: float | None = FILE_SECONDS  # time each in-process engine may spend on one file


class Analysed(NamedTuple):
    """One file loaded and analysed in this run, with what the cache keys it by."""

    result: FileResult
    digest: str | None  # content hash; None for a file that could not be read, or whose result
    # depends on more than its content (an engine ran out of time on it: not to be cached)
    stamp: list | None  # the file's stamp when it was opened
    text: str | None  # its text, with `keep_text`


class Analyser:
    """Loads files and runs the in-process engines on them; one per process."""

    def __init__(self, settings: WorkerSettings) -> None:
        engines = registry()
        self.analysers = [
            (name, engines[name].analyser(settings.codes.get(name, ()), settings.options, settings.agents, settings.root))
            for name in settings.engines
        ]
        self.keep_text = settings.keep_text
        self.seconds = settings.file_seconds

    def record(self, item: Item, extra: tuple[object, object] | None = None) -> tuple:
        """`extra`: the file's facts and a request of the linking engine that runs alone (see
        `Engine.wanted`); its record then holds only the completed facts."""
        path, display, is_test, read = item
        unit = load_unit(path, display, is_test, read)
        if extra is not None:
            (name, analyser), = self.analysers
            facts = analyser.extend(unit, *extra) if unit.tree is not None else None  # type: ignore[attr-defined]
            result = FileResult(display, (), (), facts={} if facts is None else {name: facts})
            return result.to_record(), unit.digest, unit.stamp, None
        findings, errors, facts = [], [unit.error] if unit.error else [], {}
        digest = unit.digest
        for name, analyser in self.analysers:
            output, slow = self.bounded(name, analyser, unit)
            digest = None if slow else digest
            findings += output.findings
            errors += output.errors
            if output.facts is not None:
                facts[name] = output.facts
        findings = assign_fingerprints(findings, unit.lines)
        code = code_lines(findings, unit.lines)
        result = FileResult(display, tuple(findings), tuple(errors), unit.directives, unit.spans, len(unit.lines), code, facts)
        return result.to_record(), digest, unit.stamp, unit.text if self.keep_text else None

    def bounded(self, name: str, analyser, unit: SourceUnit) -> tuple[UnitOutput, bool]:
        """One engine's output for one unit, or the limit error once it took too long (the other
        engines still run on the file); and whether it did."""
        try:
            with time_limit(self.seconds):
                return analyser.analyse(unit), False
        except TooSlow as slow:
            size = sum(map(len, unit.lines)) // 1024
            message = (f"too slow to analyse: {name} {slow} (the limit per file; {len(unit.lines):,} lines, "
                       f"{size:,} KiB)")  # fmt: skip
            return UnitOutput([], [Error("limit", message, unit.display, name)]), True


def code_lines(findings, lines: list[str]) -> dict[int, str]:
    """The source line each finding starts on."""
    return {f.line: lines[f.line - 1] for f in findings if 0 < f.line <= len(lines)}


_worker: list[Analyser] = []  # per worker process: the analyser built by _init_worker


def _init_worker(settings: WorkerSettings) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the main process decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the CLI's handler, inherited: a worker just ends
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked since the fork: now ignored
    _collect_rarely()
    _worker[:] = [Analyser(settings)]


@contextmanager
def _workers_deaf_to_ctrl_c():
    """SIGINT blocked in the main thread while it starts the workers: a worker forked then starts with
    it blocked (and ignores it from `_init_worker` on), so Ctrl-C in the first moments of a run cannot
    kill a worker half-started, which leaves the pool's shutdown waiting for ever. A Ctrl-C meanwhile
    stays pending in the main process and is raised there as soon as the workers are started."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _terminate(pool) -> None:
    """End the workers now, their queued chunks cancelled. `ProcessPoolExecutor` has no public way
    to stop running calls; its processes are kept in `_processes` (CPython 3.9-3.14)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()


def _collect_rarely() -> tuple[int, int, int]:
    """Analysis builds many short-lived trees: the cyclic collector would scan them again and again
    for nothing (ast trees hold no cycles; reference counting frees them), so it runs rarely, and
    never over what existed before (the imported modules). Returns the previous thresholds."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1_000)
    return previous


def _analyse_chunk(chunk: list[tuple[int, Item, tuple | None]]) -> list[tuple[int, tuple]]:
    analyser = _worker[0]
    return [(index, analyser.record(item, extra)) for index, item, extra in chunk]


def _chunks(items: list[Item], jobs: int, extras: list | None) -> list[list[tuple[int, Item, tuple | None]]]:
    """Largest files first (so the last chunks are short), in chunks small enough to balance."""

    def size(item: Item) -> int:
        try:
            return os.stat(item[0]).st_size
        except OSError:
            return 0

    order = sorted(range(len(items)), key=lambda i: -size(items[i]))
    triples = [(i, items[i], extras[i] if extras is not None else None) for i in order]
    count = max(1, min(32, len(items) // (jobs * 8)))
    return [triples[i : i + count] for i in range(0, len(triples), count)]


def analyse_all(
    items: list[Item], settings: WorkerSettings, jobs: int, progress: Progress | None = None, done_before: int = 0,
    extras: list[tuple[object, object]] | None = None,
) -> list[Analysed]:
    """Results in the order of `items` (worker processes when there are enough files).
    `done_before`: files of the run already done (from the cache), for `progress`. `extras`: per
    item, the facts and request of a linking engine's second look (`Analyser.record`)."""
    total = done_before + len(items)
    results: list[Analysed | None] = [None] * len(items)
    done = done_before
    if progress and done and items:  # nothing to analyse: no progress to show
        progress(done, total)

    def finished(i: int, raw: tuple) -> None:
        record, digest, stamp, text = raw
        results[i] = Analysed(FileResult.from_record(record), digest, stamp, text)

    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
        analyser = Analyser(settings)
        previous = _collect_rarely()
        try:
            for i, item in enumerate(items):
                finished(i, analyser.record(item, extras[i] if extras is not None else None))
                done += 1
                if progress:
                    progress(done, total)
        finally:
            gc.set_threshold(*previous)
            gc.unfreeze()
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed  # only runs that need workers pay

        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(settings,)) as pool:
            try:
                with _workers_deaf_to_ctrl_c():
                    futures = [pool.submit(_analyse_chunk, chunk) for chunk in _chunks(items, jobs, extras)]
                for future in as_completed(futures):
                    chunk = future.result()
                    for index, raw in chunk:
                        finished(index, raw)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
            except BaseException:  # Ctrl-C, SIGTERM: leaving the block would wait for every chunk
                _terminate(pool)
                raise
    return results  # type: ignore[return-value]
