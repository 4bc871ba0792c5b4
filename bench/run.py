#!/usr/bin/env python3
"""Benchmark backend-lint against bandit, ruff and semgrep on the same real code, in one run.

    python bench/run.py [--runs 3] [--work /tmp/backend-lint-bench] [--jobs 2] [--skip semgrep]

The corpus is the source of real backend packages taken from their PyPI wheels (`pip download
--no-deps`): django, sqlalchemy, flask and fastapi by default. Every tool runs on the same tree in
the same run, as a subprocess, and is measured as a whole process:

- wall: elapsed time, median of `--runs` (one run only for a tool whose first run takes over 60 s);
- CPU: user + system time of the tool *and the processes it waited for* (its workers), from
  `os.wait4`'s rusage (the kernel folds reaped descendants into it);
- peak RSS: the largest sum of the resident sizes of the tool's process tree (the tool, its worker
  processes, semgrep-core...), sampled every 10 ms from /proc; `os.wait4`'s `ru_maxrss` (the
  largest single process) is printed beside it. For backend-lint with `--jobs 2` the sum counts
  the parent and both workers.

Python tools run from compiled bytecode, as installed (PYTHONDONTWRITEBYTECODE is dropped from
their environment). ruff runs with the selection the issue measured it with.

Prints the corpus sizes, a Markdown table (ratio = tool wall / backend-lint cold wall), and a
scaling table (backend-lint cold on each package alone: time should grow with lines, memory not).
Speed is measured here only: there are no timed unit tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

PACKAGES = ("django", "sqlalchemy", "flask", "fastapi")
RUFF_SELECT = "S,BLE,T20,TRY,LOG,G"  # the selection the issue measured ruff with
SEMGREP_RULES = """\
rules:
  - id: eval-call
    languages: [python]
    severity: ERROR
    message: eval
    pattern: eval(...)
  - id: subprocess-shell
    languages: [python]
    severity: ERROR
    message: shell=True
    pattern: subprocess.$F(..., shell=True, ...)
  - id: bare-except-pass
    languages: [python]
    severity: WARNING
    message: silent except
    pattern: |
      try:
        ...
      except:
        pass
  - id: print-call
    languages: [python]
    severity: INFO
    message: print
    pattern: print(...)
  - id: hardcoded-password
    languages: [python]
    severity: WARNING
    message: password
    pattern: $X.password = "..."
"""


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_tree: int  # bytes, sampled sum over the process tree
    rss_max: int  # bytes, ru_maxrss of the largest single process


# -- corpus --------------------------------------------------------------------------------------
def prepare_corpus(work: Path, packages: tuple[str, ...]) -> Path:
    """Download the wheels once and unpack each package's .py files under work/corpus/<package>."""
    wheels, corpus = work / "wheels", work / "corpus"
    wheels.mkdir(parents=True, exist_ok=True)
    missing = [p for p in packages if not (corpus / p).is_dir()]
    if missing:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(wheels), *missing],
            check=True,
        )
    for package in missing:
        wheel = next(w for w in sorted(wheels.glob("*.whl")) if w.name.lower().startswith(package.lower() + "-"))
        with zipfile.ZipFile(wheel) as zf:
            for name in zf.namelist():
                if name.startswith(package + "/") and name.endswith(".py"):
                    target = corpus / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zf.read(name))
    return corpus


def sizes(root: Path) -> tuple[int, int]:
    files = lines = 0
    for path in root.rglob("*.py"):
        files += 1
        with open(path, "rb") as fh:
            lines += sum(1 for _ in fh)
    return files, lines


# -- measuring -----------------------------------------------------------------------------------
def _tree_rss(pid: int) -> int:
    """Resident bytes of pid and all its descendants (0 once it is gone)."""
    total, stack, page = 0, [pid], os.sysconf("SC_PAGE_SIZE")
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as fh:
                total += int(fh.read().split()[1]) * page
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


class PeakRss:
    """The largest resident size of a process tree while it runs, sampled every 10 ms by a thread
    (`start()` once the process is started, `stop()` once it is reaped; `peak` in bytes)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._done = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self._done.wait(0.01)

    def start(self) -> PeakRss:
        self._thread.start()
        return self

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak


def measure(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> Sample:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    sampler = PeakRss(proc.pid).start()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    peak = [sampler.stop()]
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd[:4])}... exited {proc.returncode}: {stderr.decode()[-2000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, peak[0], usage.ru_maxrss * 1024)


SLOW = 60.0  # a tool whose first run takes longer is measured once (semgrep: minutes per run)


def median_of(runs: int, cmd: list[str], before=None, **kwargs) -> Sample:
    samples = []
    for _ in range(runs):
        if before:
            before()
        samples.append(measure(cmd, **kwargs))
        if samples[0].wall > SLOW:
            break
    return summarize(samples)


def summarize(samples: list[Sample]) -> Sample:
    return Sample(
        statistics.median(s.wall for s in samples),
        statistics.median(s.cpu for s in samples),
        int(statistics.median(s.rss_tree for s in samples)),
        int(statistics.median(s.rss_max for s in samples)),
    )


def taint_rows(args, bl: list[str], corpus: Path, env: dict, kloc: float) -> list[tuple[str, str, Sample, float]]:
    """The default engines with the taint engine added: cold, and warm with one file changed (the
    changed file is given a comment line, different at each run, and restored afterwards)."""
    engines = bl[bl.index("--engines") + 1] + ",taint"
    with_taint = [*bl[: bl.index("--engines")], "--engines", engines, *bl[bl.index("--engines") + 2 :]]
    dirs = [args.work / f"bl-taint-{os.getpid()}-{i}" for i in range(args.runs)]
    rows = [("taint cold", f"backend-lint --engines {engines}, cold cache", summarize(
        [measure([*with_taint, "--cache-dir", str(d), str(corpus)], env=env) for d in dirs]), kloc)]
    cache = args.work / "bl-taint-warm"
    shutil.rmtree(cache, ignore_errors=True)
    warm = [*with_taint, "--cache-dir", str(cache), str(corpus)]
    measure(warm, env=env)
    changed = corpus / args.one_file
    original = changed.read_bytes()
    samples = []
    try:
        for i in range(args.runs):
            changed.write_bytes(original + f"\n# bench edit {i} {time.time()}\n".encode())
            samples.append(measure(warm, env=env))
    finally:
        changed.write_bytes(original)
    rows.append(("taint one changed", f"backend-lint --engines {engines}, warm, {args.one_file} changed", summarize(samples), kloc))
    return rows


def print_targets(by: dict[str, Sample]) -> None:
    """The issue's targets, checked on this run's numbers (skipped when a tool was not run)."""
    cold, warm, one = by.get("cold"), by.get("warm"), by.get("one")
    checks = []
    if cold and "taint cold" in by:
        ratio = by["taint cold"].wall / cold.wall
        checks.append((f"taint on, cold, at most 1.3x the default engines' cold run: {ratio:.2f}x", ratio <= 1.3))
    if "taint one changed" in by:
        changed = by["taint one changed"].wall
        checks.append((f"taint on, warm with one file changed, at most 0.5 s: {changed:.2f} s", changed <= 0.5))
    if "with semgrep" in by and "semgrep pack" in by:
        ratio = by["with semgrep"].wall / by["semgrep pack"].wall
        checks.append((f"with semgrep, at most 1.3x semgrep alone with our pack: {ratio:.2f}x", ratio <= 1.3))
    if cold and "bandit" in by:
        ratio = by["bandit"].wall / cold.wall
        checks.append((f"at least 8x faster than bandit: {ratio:.1f}x", ratio >= 8))
    if cold and "ruff" in by:
        ratio = cold.wall / by["ruff"].wall
        checks.append((f"within 15x of ruff (no cache): {ratio:.1f}x", ratio <= 15))
    if warm and "ruff warm" in by:
        ratio = warm.wall / by["ruff warm"].wall
        checks.append((f"warm within 3x of ruff's warm run: {ratio:.1f}x", ratio <= 3))
    if one:
        checks.append((f"one file under 0.25 s: {one.wall:.2f} s", one.wall < 0.25))
    if cold:
        checks.append((f"peak memory under 250 MiB: {cold.rss_tree / 2**20:.0f} MiB (whole tree)", cold.rss_tree < 250 * 2**20))
    print("\nTargets (backend-lint cold cache, as the issue states them):\n")
    for text, ok in checks:
        print(f"- {'met' if ok else 'NOT met'}: {text}")


def tool(name: str) -> str | None:
    """An executable beside this Python first (the venv), then on PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def backend_lint_flags() -> set[str]:
    out = subprocess.run([sys.executable, "-m", "backend_lint", "--help"], capture_output=True, text=True, check=False).stdout
    return {flag for flag in ("--cache-dir", "--no-cache", "--engines") if flag in out}


# -- the run -------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is shown")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "backend-lint-bench")
    parser.add_argument("--packages", default=",".join(PACKAGES), help="PyPI packages forming the corpus")
    parser.add_argument("--jobs", type=int, default=2, help="backend-lint --jobs")
    parser.add_argument("--skip", default="", help="tools to leave out: bandit,ruff,semgrep,taint")
    parser.add_argument("--one-file", default="flask/app.py", help="file (relative to the corpus) for the one-file run")
    parser.add_argument("--no-scaling", action="store_true", help="skip the per-package scaling table")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # show progress when redirected to a file too
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    packages = tuple(p.strip() for p in args.packages.split(",") if p.strip())
    corpus = prepare_corpus(args.work, packages)
    env = {**os.environ, "NO_COLOR": "1", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    # Python tools run as installed: from their compiled bytecode, as after `pip install`. With
    # PYTHONDONTWRITEBYTECODE set (some shells and CI images do), an editable install would
    # recompile its modules at every start and charge that to each run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parents[1] / "src")], check=False)

    print(f"# backend-lint benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load before: {os.getloadavg()[0]:.2f}")
    print("\n| package | files | lines |\n|---|---:|---:|")
    per_package = {}
    for package in packages:
        per_package[package] = sizes(corpus / package)
        print(f"| {package} | {per_package[package][0]} | {per_package[package][1]:,} |")
    files, lines = sizes(corpus)
    print(f"| **total** | {files} | {lines:,} |\n")
    kloc = lines / 1000

    flags = backend_lint_flags()
    bl = [sys.executable, "-m", "backend_lint", "--format", "json", "-o", os.devnull, "--jobs", str(args.jobs)]
    if "--engines" in flags:
        engines = "native,ruff" if tool("ruff") else "native"
        bl += ["--engines", engines]
    cache = args.work / "bl-cache"
    shutil.rmtree(cache, ignore_errors=True)
    # a cold run gets a directory never used before: deleting the previous one right before the run
    # would charge the file system's clean-up to backend-lint
    cold_dirs = [args.work / f"bl-cold-{os.getpid()}-{i}" for i in range(args.runs)]

    rows: list[tuple[str, str, Sample, float]] = []  # (key, label, sample, kLOC analysed)
    if "--cache-dir" in flags:
        samples = [measure([*bl, "--cache-dir", str(d), str(corpus)], env=env) for d in cold_dirs]
        rows.append(("cold", "backend-lint, cold cache", summarize(samples), kloc))
        warm = [*bl, "--cache-dir", str(cache), str(corpus)]
        measure(warm, env=env)  # fill the cache
        rows.append(("warm", "backend-lint, warm cache", median_of(args.runs, warm, env=env), kloc))
        one = [sys.executable, "-m", "backend_lint", "--no-cache", str(corpus / args.one_file)]
        if "--engines" in flags:  # the pre-commit hook's command: the fast engines only
            one += ["--engines", "native,ruff" if tool("ruff") else "native"]
    else:
        rows.append(("cold", "backend-lint (no cache support)", median_of(args.runs, [*bl, str(corpus)], env=env), kloc))
        one = [sys.executable, "-m", "backend_lint", str(corpus / args.one_file)]
    one_lines = (corpus / args.one_file).read_bytes().count(b"\n") / 1000
    rows.append(("one", f"backend-lint one file ({args.one_file}, text report, no cache)", median_of(args.runs, one, env=env), one_lines))
    if "taint" not in skip and "--engines" in flags and "--cache-dir" in flags:
        rows += taint_rows(args, bl, corpus, env, kloc)

    if "bandit" not in skip and tool("bandit"):
        cmd = [tool("bandit"), "-r", "-q", "-f", "json", "-o", os.devnull, str(corpus)]
        rows.append(("bandit", "bandit", median_of(args.runs, cmd, env=env), kloc))
    if "ruff" not in skip and tool("ruff"):
        ruff = [tool("ruff"), "check", "--isolated", "--select", RUFF_SELECT, "--exit-zero", "-q"]
        rows.append(("ruff", f"ruff --select {RUFF_SELECT}, no cache", median_of(args.runs, [*ruff, "--no-cache", str(corpus)], env=env), kloc))
        warm = [*ruff, "--cache-dir", str(args.work / "ruff-cache"), str(corpus)]
        measure(warm, env=env)
        rows.append(("ruff warm", f"ruff --select {RUFF_SELECT}, warm cache", median_of(args.runs, warm, env=env), kloc))
    if "semgrep" not in skip and tool("semgrep"):
        rules = args.work / "semgrep-rules.yaml"
        rules.write_text(SEMGREP_RULES)
        targets = [str(p) for p in sorted(corpus.rglob("*.py"))]
        cmd = [tool("semgrep"), "scan", "--metrics=off", "--disable-version-check", "--quiet", "--json",
               "-o", os.devnull, "--config", str(rules), *targets]  # fmt: skip
        # from the corpus: semgrep run from inside a git repository on files outside it is several
        # times slower (this script runs from ours), which no user's own run pays
        rows.append(("semgrep", "semgrep, 5 simple rules", median_of(args.runs, cmd, env=env, cwd=corpus), kloc))
        if "--engines" in flags:  # our pack: semgrep alone, then backend-lint with it, on the same files
            pack = Path(__file__).resolve().parent.parent / "rules"
            alone = [tool("semgrep"), "scan", "--metrics=off", "--disable-version-check", "--quiet", "--json",
                     "--no-git-ignore", "--max-target-bytes=0", "--timeout=30", "-o", os.devnull, "--config", str(pack),
                     *targets]  # fmt: skip
            rows.append(("semgrep pack", "semgrep alone, backend-lint's rule pack", median_of(args.runs, alone, env=env, cwd=corpus), kloc))
            engines = "native,ruff,semgrep" if tool("ruff") else "native,semgrep"
            whole = [*bl[: bl.index("--engines")], "--engines", engines, "--no-cache", str(corpus)]
            rows.append(("with semgrep", f"backend-lint --engines {engines}, no cache", median_of(args.runs, whole, env=env), kloc))

    base = rows[0][2].wall
    print(f"Median of {args.runs} runs; backend-lint with --jobs {args.jobs}; ratio = wall time / backend-lint cold wall time.\n")
    print("| tool | wall s | CPU s | peak RSS, tree (max process) MiB | ratio | kLOC/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for _, label, s, size in rows:
        if s.wall > SLOW:
            label += " (1 run)"
        mib = f"{s.rss_tree / 2**20:.0f} ({s.rss_max / 2**20:.0f})"
        print(f"| {label} | {s.wall:.2f} | {s.cpu:.2f} | {mib} | {s.wall / base:.2f}x | {size / s.wall:,.0f} |")

    print_targets({key: s for key, _, s, _ in rows})
    if not args.no_scaling:
        print(f"\nScaling, backend-lint cold (--jobs {args.jobs}), one package at a time:\n")
        print("| corpus | files | kLOC | wall s | kLOC/s | peak RSS, tree MiB |\n|---|---:|---:|---:|---:|---:|")
        extra = ["--no-cache"] if "--no-cache" in flags else []
        for package in sorted(packages, key=lambda p: per_package[p][1]):
            s = median_of(args.runs, [*bl, *extra, str(corpus / package)], env=env)
            n, size = per_package[package]
            print(f"| {package} | {n} | {size / 1000:.0f} | {s.wall:.2f} | {size / 1000 / s.wall:,.0f} | {s.rss_tree / 2**20:.0f} |")
    print(f"\nload after: {os.getloadavg()[0]:.2f}")
    for directory in cold_dirs:
        shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
