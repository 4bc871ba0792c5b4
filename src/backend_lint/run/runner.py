"""One run, start to finish: resolve the selection -> find files -> cached results -> every engine on
the rest (external engines in threads while the workers load source units and run the in-process
engines) -> one result per file -> the decisions stage -> Report.

Detection never prints: progress is a callback the CLI may pass.
"""

from __future__ import annotations

import os
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import Config
from ..engines import EngineOutput, ExternalJob, LinkMemory, registry
from ..engines.external import Subprocesses
from ..files import PathMatcher, SourceFile, find_files
from ..model import Error, FileResult, Finding, Report, assign_fingerprints
from ..source import MAX_BYTES, SourceError, content_hash, file_stamp, read_stamped, source_lines
from .cache import ResultCache, is_racy, settings_key
from .decide import decide
from .limits import FILE_SECONDS
from .pool import Analysed, Progress, WorkerSettings, analyse_all, code_lines
from .selection import Selection, resolve

DIRECTORY_NAME = ".backend_lint_cache"


@dataclass(frozen=True)
class RunOptions:
    jobs: int = 0  # 0: one process per CPU
    progress: Progress | None = None
    cache_dir: str | None = None  # None: no result cache
    file_seconds: float | None = FILE_SECONDS  # time each in-process engine may spend on one file


@dataclass(frozen=True)
class RunStats:
    analysed: int  # files loaded and analysed in this run
    cached: int  # files whose result came from the cache
    looked_again: int = 0  # files a linking engine asked the workers to complete the facts of
    relinked: int | None = None  # files a linking engine worked out links for, not kept from the last run (None: no linking engine)


def run(paths: list[str], config: Config, options: RunOptions = RunOptions()) -> Report:
    return run_counted(paths, config, options)[0]


def run_counted(paths: list[str], config: Config, options: RunOptions = RunOptions()) -> tuple[Report, RunStats]:
    """`run`, also saying how many files were analysed and how many came from the cache."""
    selection = resolve(config)
    unlisted: list[tuple[str, str]] = []
    files = find_files(paths, config, unreadable=unlisted)
    tests = PathMatcher(config.test_paths, tests_root(paths, config))
    items = [(f.path, f.display, tests.matches(f.path)) for f in files]
    notices = selection.notices
    cache = None
    if options.cache_dir is not None:
        cache = ResultCache(options.cache_dir, cache_key(selection, config.root))
        if not cache.prepare():
            notices += (cache.notice,)
            cache = None
    external = selection.external()
    hits, read = lookup(cache, items) if cache else ([None] * len(items), {})
    if external:  # a file the external engines may not be given (permissions) has no complete result
        hits = [hit if hit is None or _readable(item[0]) else None for hit, item in zip(hits, items)]
    todo = [i for i, hit in enumerate(hits) if hit is None]  # every engine runs on these files only
    changed = [files[i] for i in todo]
    started, before = time.time(), [file_stamp(items[i][0]) for i in todo]
    targets = external_targets(changed)
    settings = WorkerSettings(
        selection.in_process(), {n: selection.engine_codes(n) for n in selection.in_process()},
        selection.options, selection.agents, keep_text=bool(external) and bool(targets.paths), root=str(config.root),
        file_seconds=options.file_seconds,
    )  # fmt: skip
    jobs = options.jobs or os.cpu_count() or 1
    processes = Subprocesses()
    with ThreadPoolExecutor(max_workers=max(1, len(external))) as pool:  # external engines run while the workers do
        try:
            pending = [pool.submit(_run_external, name, selection, targets, config.root,
                                   str(cache.directory) if cache else None, processes)
                       for name in external if targets.paths]  # fmt: skip
            work = [(*items[i], read.get(i)) for i in todo]
            analysed = analyse_all(work, settings, jobs, options.progress, len(files) - len(todo))
            waiting = [name for name, future in zip((n for n in external if targets.paths), pending) if not future.done()]
            if waiting and options.progress:  # the files are done, an external tool is not: say so
                options.progress(len(files), len(files), f"waiting for {', '.join(waiting)}")
            outputs = [future.result() for future in pending]
        except BaseException:  # Ctrl-C, SIGTERM: no tool outlives the run (the pool waits for their threads)
            processes.stop()
            raise
    engine_errors = tuple(e for output in outputs for e in output.errors if e.path is None)
    notices += tuple(n for output in outputs for n in output.notices)
    fresh = combine(analysed, outputs, targets, selection)
    if external and targets.paths:
        fresh = [one_version(result, done, first, items[i][0], external) if result.path in targets.complete else result
                 for i, result, done, first in zip(todo, fresh, analysed, before)]  # fmt: skip
    unnamed = sum(not _utf8(f.path) for f in files) if external else 0
    if unnamed:
        notices += (f"{unnamed} file(s) whose name is not valid UTF-8 were checked by the native rules only",)
    stored = {items[i][1] for i, hit in enumerate(hits) if hit is not None}
    if cache and not engine_errors:  # an engine failed as a whole: nothing it was given is complete
        complete = targets.complete if external else None
        stored |= remember(cache, [items[i] for i in todo], analysed, fresh, before, complete, started)
    results: list[FileResult] = [hit for hit in hits]  # type: ignore[misc]
    for i, result in zip(todo, fresh):
        results[i] = result
    memories = {name: cache.memory(name) if cache else LinkMemory() for name in selection.engines if registry()[name].links}
    if memories and options.progress:
        options.progress(len(files), len(files), "linking the project")
    results, again = second_look(results, items, selection, config, jobs, cache, stored, started, memories)
    results, linked, relinked = link(results, selection, memories)
    if cache:
        cache.save()
        if not linked:  # an engine's link failed: what it kept may describe part of a run
            for name, memory in memories.items():
                cache.keep(name, memory)
        if cache.notice:  # the directory became unwritable (full, removed) during the run
            notices += (cache.notice,)
    unread = tuple(Error("unreadable", why, shown) for shown, why in unlisted)
    report = decide(
        results, files, selection, config.report_unused_suppressions, (*engine_errors, *linked, *unread),
        foreign_suppressions=not config.ignore_foreign_suppressions,
    )  # fmt: skip
    stats = RunStats(analysed=len(todo), cached=len(files) - len(todo), looked_again=again, relinked=relinked)
    return replace(report, notices=(*report.notices, *notices)), stats


def second_look(
    results: list[FileResult], items: list, selection: Selection, config: Config, jobs: int,
    cache: ResultCache | None, stored: set[str], started: float, memories: dict[str, LinkMemory] | None = None,
) -> tuple[list[FileResult], int]:
    """What a linking engine asks to add to some files' facts once it has seen them all (the taint
    engine: summaries of functions request data may reach), done by the workers on those files;
    the completed facts replace the first ones and are cached where the file's results are.
    Returns the results and how many files were looked at again."""
    by_display = {item[1]: i for i, item in enumerate(items)}
    again = 0
    for name in selection.engines:
        engine, codes = registry()[name], selection.engine_codes(name)
        if not engine.links or not codes:
            continue
        facts = {r.path: r.facts[name] for r in results if name in r.facts}
        wanted = engine.wanted(facts, (memories or {}).get(name))
        chosen = [by_display[d] for d in sorted(wanted) if d in by_display]
        if not chosen:
            continue
        settings = WorkerSettings((name,), {name: codes}, selection.options, selection.agents, root=str(config.root))
        work = [(*items[i][:3], None) for i in chosen]
        extras = [(facts[items[i][1]], wanted[items[i][1]]) for i in chosen]
        again += len(chosen)
        for i, done in zip(chosen, analyse_all(work, settings, jobs, extras=extras)):
            completed = done.result.facts.get(name)
            if completed is None:  # changed since its facts were made: linked as it was
                continue
            results[i] = replace(results[i], facts={**results[i].facts, name: completed})
            path, display, is_test = items[i][:3]
            if cache and display in stored and done.digest and done.stamp == file_stamp(path):
                cache.store(path, display, is_test, done.digest, results[i], None if is_racy(done.stamp, started) else done.stamp)
    return results, again


def tests_root(paths: list[str], config: Config) -> Path:
    """What the test-path patterns are relative to: the config's directory, or without a config the
    directory the paths share (not the working directory: `backend-lint ../project` would see its
    `tests/` folder relative to a directory above it, and find no test file)."""
    if config.source is not None or not paths:
        return config.root
    directories = [p if os.path.isdir(p) else os.path.dirname(p) or "." for p in paths]
    try:
        return Path(os.path.commonpath([os.path.abspath(d) for d in directories]))
    except ValueError:  # paths on different drives
        return config.root


def link(
    results: list[FileResult], selection: Selection, memories: dict[str, LinkMemory] | None = None
) -> tuple[list[FileResult], tuple[Error, ...], int | None]:
    """The project-wide phase of every linking engine that runs (taint): its findings added to the
    files they are in. Not cached per file: they depend on other files (their facts are cached,
    and what the engine keeps in its `memories` spares it the work that did not change)."""
    errors: list[Error] = []
    relinked: int | None = None
    for name in selection.engines:
        engine, codes = registry()[name], selection.engine_codes(name)
        if not engine.links or not codes:
            continue
        facts = {r.path: r.facts[name] for r in results if name in r.facts}
        output = engine.link(facts, codes, selection.agents, (memories or {}).get(name))
        errors += output.errors
        if output.relinked is not None:
            relinked = (relinked or 0) + output.relinked
        if output.findings:
            results = [
                replace(r, findings=(*r.findings, *output.findings[r.path]), code={**r.code, **output.code.get(r.path, {})})
                if r.path in output.findings else r
                for r in results
            ]  # fmt: skip
    return results, tuple(errors), relinked


def cache_key(selection: Selection, root: Path) -> str:
    """What every file's results depend on besides its content and path."""
    engines = {}
    for name in selection.engines:
        codes = selection.engine_codes(name)
        if codes:
            inputs = registry()[name].cache_inputs(codes, selection.executables[name], root)
            engines[name] = {"codes": list(codes), **inputs}
    codes = tuple(sorted(selection.codes))
    return settings_key(codes, selection.options, selection.agents, engines)


def lookup(cache: ResultCache, items: list) -> tuple[list[FileResult | None], dict[int, tuple[bytes, list]]]:
    """Each file's cached results, or None where the cache has none for its current content; and
    the content of the files read to hash them that missed (the workers need not read them again)."""
    read: dict[int, tuple[bytes, list]] = {}

    def load(index: int, item) -> FileResult | None:
        path, display, is_test = item

        def digest() -> str | None:
            try:
                read[index] = read_stamped(path)
            except SourceError:
                return None
            return content_hash(read[index][0])

        return cache.load(path, display, is_test, digest, file_stamp(path))

    hits = [load(i, item) for i, item in enumerate(items)]
    return hits, {i: data for i, data in read.items() if hits[i] is None}


def _run_external(
    name: str, selection: Selection, targets: ExternalTargets, root: Path, cache_dir: str | None, processes: Subprocesses
) -> EngineOutput:
    job = ExternalJob(targets.paths, targets.display, selection.engine_codes(name), selection.executables[name], root,
                      cache_dir, processes)  # fmt: skip
    return registry()[name].run(job)


def combine(analysed: list[Analysed], outputs: list[EngineOutput], targets: ExternalTargets, selection: Selection) -> list[FileResult]:
    """Every engine's results per file: the workers' results with the external engines' findings and
    per-file errors added (under every name of a file given once, fingerprinted from the text the
    workers read, with the config's agent overrides, which hold for every rule)."""
    found: dict[str, list[Finding]] = {}
    failed: dict[str, list[Error]] = {}
    for output in outputs:
        for path, items in output.findings.items():
            found.setdefault(path, []).extend(items)
        for error in output.errors:
            if error.path is not None:
                failed.setdefault(error.path, []).append(error)
    for first, others in targets.aliases.items():
        for other in others:
            found[other] = [replace(f, path=other) for f in found.get(first, ())]
            failed[other] = [replace(e, path=other) for e in failed.get(first, ())]
    agents = selection.agents
    out = []
    for done in analysed:
        result = done.result
        extra, errors = found.get(result.path), failed.get(result.path)
        if extra or errors:
            lines = source_lines(done.text) if done.text is not None else []
            extra = [replace(f, agent=agents.get(f.rule, f.agent)) for f in extra or ()]
            extra = assign_fingerprints(extra, lines)
            result = replace(
                result, findings=(*result.findings, *extra), errors=(*result.errors, *(errors or ())),
                code={**result.code, **code_lines(extra, lines)},
            )  # fmt: skip
        out.append(result)
    return out


def one_version(result: FileResult, done: Analysed, before: list | None, path: str, external: tuple[str, ...]) -> FileResult:
    """A file changed while the engines read it (its stamp before the engines started, when the
    workers opened it and now differ) may have been read in two versions: the external engines'
    findings, placed on lines of the other one, are left out, and the file says so."""
    if before is None or done.stamp is None or (before == done.stamp and done.stamp == file_stamp(path)):
        return result
    message = (f"changed while it was being analysed: {', '.join(external)} may have read another version than "
               "the in-process engines, so their findings are left out; run again")  # fmt: skip
    return replace(
        result, findings=tuple(f for f in result.findings if f.engine not in external),
        errors=(*(e for e in result.errors if e.engine not in external), Error("unreadable", message, result.path)),
    )  # fmt: skip


def remember(
    cache: ResultCache, items: list, analysed: list[Analysed], results: list[FileResult], before: list,
    complete: set[str] | None, started: float,
) -> set[str]:
    """Store the results of the files analysed in this run, only where they are whole and all
    describe one content: every engine that runs was given the file and did not fail on it
    (`complete`: those display paths, None when only in-process engines run), and the file's
    stamp before the engines started, when the workers opened it and after every engine
    finished is the same (no edit during the run). A file changed just before the run is stored
    without its stamp, so its content hash is checked next time. Returns the display paths stored."""
    stored = set()
    for (path, display, is_test), done, result, first in zip(items, analysed, results, before):
        if done.digest is None or (complete is not None and display not in complete):
            continue
        if first is None or first != done.stamp or first != file_stamp(path):
            continue
        stamp = None if is_racy(first, started) else first
        cache.store(path, display, is_test, done.digest, result, stamp)
        stored.add(display)
    return stored


def _readable(path: str) -> bool:
    """Whether an external engine can be given this file: one unreadable path makes semgrep refuse
    the whole batch, and the source unit reports such a file (or one too large to analyse) as an
    error anyway."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (
        stat.S_ISREG(st.st_mode) and st.st_size <= MAX_BYTES and bool(st.st_mode & 0o444) and os.access(path, os.R_OK)
    )


def _utf8(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class ExternalTargets:
    """What the external engines are given of a run's files."""

    paths: list[str]  # absolute; a link is given as the file it points to (semgrep refuses links)
    display: dict[str, str]  # path given -> the first name it is shown under
    aliases: dict[str, list[str]]  # that first name -> the other names of the same file
    complete: set[str]  # names whose external results depend on their content only (cacheable); a
    # file whose name is not UTF-8 is among them but never given: the tools print such names mangled


def external_targets(files: list[SourceFile]) -> ExternalTargets:
    targets = ExternalTargets([], {}, {}, set())
    for f in files:
        if not _readable(f.path):
            continue  # the source unit reports it; being readable again must change its result
        if not _utf8(f.path):
            targets.complete.add(f.display)  # always left out, whatever its content
            continue
        target = os.path.abspath(f.path)
        if os.path.islink(target):
            target = os.path.realpath(target)
        targets.complete.add(f.display)
        if target in targets.display:  # one file under two names is checked once, reported under both
            targets.aliases.setdefault(targets.display[target], []).append(f.display)
            continue
        targets.paths.append(target)
        targets.display[target] = f.display
    return targets
