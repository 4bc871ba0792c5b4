"""One run, start to finish: find files -> run engines -> select/ignore -> suppress -> Report.

Detection never prints: progress is a callback the CLI may pass. Suppression and rule selection
are applied here, once, for the findings of every engine alike.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import checks
from .cache import DIRECTORY_NAME as CACHE_DIRECTORY
from .cache import ResultCache, content_hash, from_record, settings_key, to_record
from .catalog import RuleInfo
from .config import Config, ConfigError
from .files import PathMatcher, SourceFile, find_files
from .model import Finding, FileError, Report, assign_fingerprints, severity_rank
from .native import FileResult, SourceError, analyse_file, build_dispatch, read_bytes
from .rule import Rule
from .suppress import apply_suppressions, unused_directives

UNUSED_SUPPRESSION = "BL901"
PARALLEL_THRESHOLD = 16  # below this many files a worker pool costs more than it saves
Progress = Callable[[int, int], None]


def native_rule_infos() -> dict[str, RuleInfo]:
    return {cls.code: cls.info() for cls in checks.discover()}


def rule_catalog() -> dict[str, RuleInfo]:
    """Every rule of every engine, by code."""
    return native_rule_infos()


def resolve_selectors(selectors: Iterable[str], infos: dict[str, RuleInfo], key: str) -> set[str]:
    """Codes named by selectors: codes, code prefixes, rule names, categories or `ALL`."""
    names = {info.name: code for code, info in infos.items()}
    out: set[str] = set()
    for selector in selectors:
        upper = selector.upper()
        if upper == "ALL":
            out.update(infos)
        elif upper in infos:
            out.add(upper)
        elif selector in names:
            out.add(names[selector])
        elif any(info.category == selector for info in infos.values()):
            out.update(code for code, info in infos.items() if info.category == selector)
        elif any(code.startswith(upper) for code in infos):
            out.update(code for code in infos if code.startswith(upper))
        else:
            raise ConfigError(f"{key}: unknown rule, code prefix or category {selector!r}")
    return out


def selected_codes(config: Config, infos: dict[str, RuleInfo]) -> set[str]:
    chosen = resolve_selectors(config.select, infos, "select")
    chosen -= resolve_selectors(config.ignore, infos, "ignore")
    return chosen


def check_references(config: Config, infos: dict[str, RuleInfo]) -> None:
    """Config keys that name rules must name known ones (ConfigError otherwise)."""
    for pattern, selectors in config.per_file_ignores.items():
        resolve_selectors(selectors, infos, f"per-file-ignores.{pattern!r}")
    for table, key in ((config.rule_options, "rule-options"), (config.agents, "agents")):
        for selector in table:
            codes = resolve_selectors([selector], infos, key)
            if len(codes) != 1:
                raise ConfigError(f"{key}: {selector!r} must name exactly one rule")


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
            self.cache.store(display, is_test, content_hash(data), record)
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

    return cache.load(display, is_test, digest)


@dataclass(frozen=True)
class RunOptions:
    jobs: int = 0  # 0: one process per CPU
    progress: Progress | None = None
    cache_dir: str | None = None  # None: no result cache


def run(paths: list[str], config: Config, options: RunOptions = RunOptions()) -> Report:
    return run_counted(paths, config, options)[0]


def run_counted(paths: list[str], config: Config, options: RunOptions = RunOptions()) -> tuple[Report, RunStats]:
    """`run`, also saying how many files were analysed and how many came from the cache."""
    infos = rule_catalog()
    check_references(config, infos)
    codes = selected_codes(config, infos)
    files = find_files(paths, config)
    options_by_code = {next(iter(resolve_selectors([k], infos, "rule-options"))): v for k, v in config.rule_options.items()}
    agents = {next(iter(resolve_selectors([k], infos, "agents"))): v for k, v in config.agents.items()}
    native_codes = tuple(sorted(c for c in codes if infos[c].engine == "native" and c != UNUSED_SUPPRESSION))
    settings = NativeSettings(native_codes, options_by_code, agents)
    tests = PathMatcher(config.test_paths, config.root)
    items = [(f.path, f.display, tests.matches(f.path)) for f in files]
    jobs = options.jobs or os.cpu_count() or 1
    cache = None
    notices: tuple[str, ...] = ()
    if options.cache_dir is not None:
        cache = ResultCache(options.cache_dir, settings.cache_key())
        if not cache.prepare():
            notices = (f"result cache disabled: cannot write to {options.cache_dir}",)
            cache = None
    results = analyse_all(items, settings, jobs, options.progress, cache)
    report = finish(results, files, config, infos, codes)
    if notices:
        report = dataclasses.replace(report, notices=report.notices + notices)
    stats = RunStats(analysed=len(files) - (cache.hits if cache else 0), cached=cache.hits if cache else 0)
    return report, stats


@dataclass(frozen=True)
class RunStats:
    analysed: int  # files read and analysed by the native engine
    cached: int  # files whose result came from the cache


def finish(
    results: list[FileResult],
    files: list[SourceFile],
    config: Config,
    infos: dict[str, RuleInfo],
    codes: set[str],
    extra: dict[str, list[Finding]] | None = None,
) -> Report:
    """Merge per-file results (and other engines' findings, by path), then select and suppress."""
    known = {code.upper(): code for code in infos} | {info.name.upper(): code for code, info in infos.items()}
    ignores = [(PathMatcher([p], config.root), resolve_selectors(s, infos, "per-file-ignores")) for p, s in config.per_file_ignores.items()]
    by_path = {f.display: f for f in files}
    floor = severity_rank(config.min_severity)
    findings: list[Finding] = []
    suppressed: list[Finding] = []
    errors: list[FileError] = []
    for result in results:
        if result.error:
            errors.append(result.error)
            continue
        file_findings = [f for f in result.findings if f.rule in codes]
        file_findings += (extra or {}).get(result.path, [])
        source = by_path.get(result.path)
        skip = set().union(*(c for m, c in ignores if source and m.matches(source.path))) if ignores else set()
        file_findings = [f for f in file_findings if f.rule not in skip]
        kept, silenced, used = apply_suppressions(file_findings, result.directives, result.spans, known)
        if config.report_unused_suppressions and UNUSED_SUPPRESSION in codes and UNUSED_SUPPRESSION not in skip:
            kept += _unused_findings(result, used, known, codes, infos[UNUSED_SUPPRESSION])
        findings += [f for f in kept if severity_rank(f.severity) >= floor]
        suppressed += silenced
    return Report(
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        errors=tuple(sorted(errors, key=lambda e: e.path)),
        files=len(files),
        suppressed=tuple(sorted(suppressed, key=Finding.sort_key)),
    )


def _unused_findings(
    result: FileResult, used: set, known: dict[str, str], codes: set[str], info: RuleInfo
) -> list[Finding]:
    out = []
    for directive, message in unused_directives(result.directives, used, known, codes):
        out.append(
            Finding(
                rule=info.code, name=info.name, category=info.category, severity=info.severity,
                confidence=info.confidence, message=message, path=result.path, line=directive.line,
                column=1, end_line=directive.line, end_column=1, agent=info.agent,
                checklist=info.checklist, cwe=info.cwe, engine="native",
            )
        )  # fmt: skip
    return assign_fingerprints(out, [])
