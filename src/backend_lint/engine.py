"""One run, start to finish: find files -> run engines -> select/ignore -> suppress -> Report.

Detection never prints: progress is a callback the CLI may pass. Suppression and rule selection
are applied here, once, for the findings of every engine alike.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from . import checks, ruff, semgrep
from .analysis import NativeSettings, Progress, analyse_all, lookup
from .cache import DIRECTORY_NAME as CACHE_DIRECTORY
from .cache import ResultCache, executable_stamp, file_stamp, is_racy
from .catalog import RuleInfo
from .config import Config, ConfigError, check_rule_options
from .files import PathMatcher, SourceFile, find_files
from .model import ENGINES, Finding, FileError, Report, assign_fingerprints, severity_rank
from .merge import deduplicate
from .native import MAX_BYTES, FileResult, SourceError, read_source, source_lines
from .suppress import apply_suppressions, unused_directives

UNUSED_SUPPRESSION = "BL901"
__all__ = ["CACHE_DIRECTORY", "Progress", "RunOptions", "run", "run_counted", "rule_catalog"]


def native_rule_infos() -> dict[str, RuleInfo]:
    return {cls.code: cls.info() for cls in checks.discover()}


def rule_catalog() -> dict[str, RuleInfo]:
    """Every rule of every engine, by code."""
    return {**native_rule_infos(), **semgrep.load_rule_infos(), **ruff.load_rule_infos()}


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
    chosen = resolve_selectors(config.select, infos, "tool.backend-lint.select")
    chosen -= resolve_selectors(config.ignore, infos, "tool.backend-lint.ignore")
    return chosen


def check_references(config: Config, infos: dict[str, RuleInfo]) -> None:
    """Config keys that name rules must name known ones (ConfigError otherwise)."""
    for pattern, selectors in config.per_file_ignores.items():
        resolve_selectors(selectors, infos, f'tool.backend-lint.per-file-ignores."{pattern}"')
    for table, key in ((config.rule_options, "tool.backend-lint.rule-options"), (config.agents, "tool.backend-lint.agents")):
        for selector in table:
            codes = resolve_selectors([selector], infos, key)
            if selector.upper() not in infos and selector not in {info.name for info in infos.values()}:
                raise ConfigError(f"{key}: {selector!r} must name one rule, by code or name")
            if table is config.rule_options:
                check_rule_options(f"{key}.{selector}", table[selector], infos[next(iter(codes))])


@dataclass(frozen=True)
class RunOptions:
    jobs: int = 0  # 0: one process per CPU
    progress: Progress | None = None
    cache_dir: str | None = None  # None: no result cache


@dataclass(frozen=True)
class RunStats:
    analysed: int  # files read and analysed by the native engine
    cached: int  # files whose result came from the cache


def run(paths: list[str], config: Config, options: RunOptions = RunOptions()) -> Report:
    return run_counted(paths, config, options)[0]


def run_counted(paths: list[str], config: Config, options: RunOptions = RunOptions()) -> tuple[Report, RunStats]:
    """`run`, also saying how many files the native engine analysed and how many came from the cache."""
    infos = rule_catalog()
    check_references(config, infos)
    codes = selected_codes(config, infos)
    files = find_files(paths, config)
    options_by_code = {}
    for key, given in config.rule_options.items():
        code = next(iter(resolve_selectors([key], infos, "rule-options")))
        options_by_code[code] = check_rule_options(f"rule-options.{key}", given, infos[code])  # typed like OPTIONS
    agents = {next(iter(resolve_selectors([k], infos, "agents"))): v for k, v in config.agents.items()}
    engines, executables, notices = choose_engines(config.engines)
    active = active_codes(codes, engines, infos)
    native_codes = tuple(sorted(c for c in active if infos[c].engine == "native" and c != UNUSED_SUPPRESSION))
    settings = NativeSettings(native_codes, options_by_code, agents)
    tests = PathMatcher(config.test_paths, config.root)
    items = [(f.path, f.display, tests.matches(f.path)) for f in files]
    jobs = options.jobs or os.cpu_count() or 1
    cache = None
    if options.cache_dir is not None:
        cache = ResultCache(options.cache_dir, settings.cache_key(external_settings(executables, active, infos, config.root)))
        if not cache.prepare():
            notices += (f"result cache disabled: cannot write to {options.cache_dir}",)
            cache = None
    external_on = any(infos[c].engine != "native" for c in active)
    hits = lookup(cache, items) if cache else [None] * len(items)
    if external_on:  # a file the external engines may not be given (permissions) has no complete result
        hits = [hit if hit is None or _readable(item[0]) else None for hit, item in zip(hits, items)]
    todo = [i for i, hit in enumerate(hits) if hit is None]  # every engine runs on these files only
    changed = [files[i] for i in todo]
    started, before = time.time(), [file_stamp(items[i][0]) for i in todo]
    targets = external_targets(changed)
    with ThreadPoolExecutor(max_workers=2) as pool:  # the external engines run while native works
        external = external_jobs(targets, executables, active, infos, config.root, options.cache_dir if cache else None)
        pending = [pool.submit(job) for job in external]
        analysed = analyse_all([items[i] for i in todo], settings, jobs, options.progress, len(files) - len(todo))
        outputs = [future.result() for future in pending]
    results = [hit.result if hit else None for hit in hits]
    for i, done in zip(todo, analysed):
        results[i] = done.result
    failed = {r.path for r in results if r.error}
    errors = [e for output in outputs for e in output.errors if e.path not in failed]
    notices += tuple(n for output in outputs for n in output.notices)
    fresh = external_findings(outputs, targets, changed, agents)
    unnamed = sum(not _utf8(f.path) for f in files) if external_on else 0
    if unnamed:
        notices += (f"{unnamed} file(s) whose name is not valid UTF-8 were checked by the native rules only",)
    if cache:
        incomplete = {e.path for output in outputs for e in output.errors}
        incomplete |= {alias for first in incomplete for alias in targets.aliases.get(first, ())}
        if not any(p.startswith("<") for p in incomplete):  # an engine failed as a whole: nothing is complete
            complete = targets.complete - incomplete if external_on else None
            remember(cache, [items[i] for i in todo], analysed, before, fresh, complete, started)
        cache.save()
    extra = {files[i].display: list(hit.external) for i, hit in enumerate(hits) if hit and hit.external}
    report = finish(results, files, config, infos, active, {**extra, **fresh})
    all_errors = tuple(sorted((*report.errors, *errors), key=lambda e: e.path))
    stats = RunStats(analysed=len(todo), cached=len(files) - len(todo))
    return replace(report, errors=all_errors, notices=(*report.notices, *notices)), stats


def external_findings(
    outputs: list, targets: ExternalTargets, files: list[SourceFile], agents: dict[str, str]
) -> dict[str, list[Finding]]:
    """The external engines' findings by display path: under every name of a file given once,
    fingerprinted like native ones, with the config's agent overrides (they hold for every rule)."""
    found: dict[str, list[Finding]] = {}
    for output in outputs:
        for path, items in output.findings.items():
            found.setdefault(path, []).extend(items)
    for first, others in targets.aliases.items():
        for other in others:
            found[other] = [replace(f, path=other) for f in found.get(first, ())]
    found = fingerprinted({path: items for path, items in found.items() if items}, files)
    if agents:
        found = {path: [replace(f, agent=agents.get(f.rule, f.agent)) for f in items] for path, items in found.items()}
    return found


def remember(
    cache: ResultCache, items: list, analysed: list, before: list, fresh: dict[str, list[Finding]],
    complete: set[str] | None, started: float,
) -> None:
    """Store the results of the files analysed in this run, only where they are whole and all
    describe one content: every engine that runs was given the file and did not fail on it
    (`complete`: those display paths, None when only the native engine runs), and the file's
    stamp before the engines started, when the native engine opened it and after every engine
    finished is the same (no edit during the run). A file changed just before the run is stored
    without its stamp, so its content hash is checked next time."""
    for (path, display, is_test), done, first in zip(items, analysed, before):
        if done.digest is None or (complete is not None and display not in complete):
            continue
        if first is None or first != done.stamp or first != file_stamp(path):
            continue
        stamp = None if is_racy(first, started) else first
        cache.store(path, display, is_test, done.digest, done.record, stamp, fresh.get(display, ()))


def external_settings(executables: dict[str, str], active: frozenset[str], infos, root: Path) -> dict:
    """What the external engines' findings in a file depend on besides its content: for the
    result cache's key."""
    out: dict[str, dict] = {}
    for name, executable in sorted(executables.items()):
        codes = sorted(c for c in active if infos[c].engine == name)
        if not codes:
            continue
        out[name] = {"codes": codes, "executable": executable_stamp(executable)}
        if name == "semgrep":  # its rule files, and the root it runs from (rules exclude paths)
            pack = semgrep.pack_dir()
            out[name]["pack"] = [[str(p.relative_to(pack)), *executable_stamp(str(p))[1:]] for p in semgrep.rule_files(pack)]
            out[name]["root"] = str(root)
    return out


def active_codes(codes: set[str], engines: tuple[str, ...], infos: dict[str, RuleInfo]) -> frozenset[str]:
    """The selected rules that will really run: those whose engine runs."""
    return frozenset(c for c in codes if infos[c].engine in engines)


def deferring_codes(codes: set[str] | frozenset[str], infos: dict[str, RuleInfo]) -> frozenset[str]:
    """Rules that only corroborate a native rule judging the same thing with more context (ruff's
    BLE001 for BL201, T201 for BL301): while that native rule runs, their findings are kept only
    merged into its findings (`also_reported_by`), never on their own."""
    return frozenset(c for c in codes if infos[c].extra.get("defer_to") in codes)


def choose_engines(requested: tuple[str, ...] | None) -> tuple[tuple[str, ...], dict[str, str], tuple[str, ...]]:
    """(engines to run, their executables, notices). Default: every installed engine.

    An engine asked for by name that is not installed is a ConfigError (exit 2); one that is
    merely missing from the default set is skipped with one notice.
    """
    wanted = requested if requested is not None else ENGINES
    executables: dict[str, str] = {}
    notices: list[str] = []
    for name, find, hint in (("semgrep", semgrep.find_semgrep, semgrep.INSTALL_HINT), ("ruff", ruff.find_ruff, "pip install ruff")):
        if name not in wanted:
            continue
        executable = find()
        if executable is None:
            if requested is not None:
                raise ConfigError(f"engines: {name} is not installed; install it with: {hint}")
            notices.append(f"{name} is not installed, so its rules were skipped; install it with: {hint}")
            continue
        executables[name] = executable
    chosen = [name for name in ENGINES if name in wanted and (name == "native" or name in executables)]
    return tuple(chosen), executables, tuple(notices)


def _readable(path: str) -> bool:
    """Whether an external engine can be given this file: one unreadable path makes semgrep refuse
    the whole batch, and the native engine reports such a file (or one too large to analyse) as an
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
            continue  # the native engine reports it; being readable again must change its result
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


def external_jobs(
    targets: ExternalTargets, executables: dict[str, str], active: frozenset[str], infos, root: Path | None = None,
    cache_dir: str | None = None,
) -> list:
    """One callable per external engine that has something to do, each returning an EngineOutput."""
    paths, display = targets.paths, targets.display
    jobs = []
    if paths and any(infos[c].engine == "semgrep" for c in active):
        jobs.append(lambda: semgrep.run_semgrep(paths, display, executables["semgrep"], cwd=root))
    ruff_codes = sorted(c for c in active if infos[c].engine == "ruff")
    if paths and ruff_codes:
        jobs.append(lambda: ruff.run_ruff(paths, display, executables["ruff"], ruff_codes, cache_dir=cache_dir))
    return jobs


def fingerprinted(extra: dict[str, list[Finding]], files: list[SourceFile]) -> dict[str, list[Finding]]:
    """Other engines' findings with fingerprints, computed from each file's text like native ones."""
    by_display = {f.display: f.path for f in files}
    out = {}
    for shown, found in extra.items():
        try:
            lines = source_lines(read_source(by_display.get(shown, shown)))
        except SourceError:
            lines = []
        out[shown] = assign_fingerprints(found, lines)
    return out


def finish(
    results: list[FileResult],
    files: list[SourceFile],
    config: Config,
    infos: dict[str, RuleInfo],
    codes: set[str] | frozenset[str],
    extra: dict[str, list[Finding]] | None = None,
) -> Report:
    """Merge per-file results (and other engines' findings, by path), then select and suppress.

    `codes` are the rules that ran: findings of other rules are dropped, and only these rules can
    tell whether a suppression comment is still needed.
    """
    known = {code.upper(): code for code in infos} | {info.name.upper(): code for code, info in infos.items()}
    deferring = deferring_codes(codes, infos)
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
        others = [f for f in (extra or {}).get(result.path, []) if f.rule in codes]
        if others:
            file_findings = [f for f in deduplicate(file_findings + others) if f.rule not in deferring]
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
        rules=tuple(sorted(codes)),
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
