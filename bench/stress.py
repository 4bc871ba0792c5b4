#!/usr/bin/env python3
"""Time and peak memory of backend-lint on each stress input, with each set of engines.

    python bench/stress.py [--work /tmp/backend-lint-stress] [--timeout 300] [--only large,many]
                           [--engines native;native,ruff;native,ruff,semgrep] [--src DIR]

The inputs are generated (once, under --work) by `tests/stress/inputs.py`, the same generators the
stress suite uses, at the sizes the issue measured: a 19 MB file, 20,000 tiny files, 20,000 and
60,000 findings in one file, 200 nested directories, an expression of 1,000 concatenated terms.
Each run is one `python -m backend_lint --no-cache --format json` subprocess, measured as a whole:
wall time, and peak RSS as the largest sum over its process tree (the CLI, its workers, ruff,
semgrep), sampled every 10 ms from /proc. A run still going after --timeout seconds is killed
(with its process group) and shown as `> N s`.

`--src DIR` runs the backend-lint found in DIR (a `src/` directory, e.g. of `git archive` of
another commit) instead of the installed one: the before/after table of a change.
Speed is measured here only: the stress suite asserts generous hang guards, never speed.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "stress"))
sys.path.insert(0, str(HERE))

import stress_inputs as inputs  # noqa: E402 - tests/stress/stress_inputs.py: the generators shared with the stress suite
from run import PeakRss  # noqa: E402 - bench/run.py's process-tree sampler

ENGINE_SETS = "native;native,ruff;native,ruff,semgrep"


def measure(cmd: list[str], env: dict, cwd: Path, timeout: float) -> tuple[float | None, int, str]:
    """(wall seconds or None on timeout, peak tree RSS in bytes, exit status or 'timeout')."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd,
                            start_new_session=True)  # fmt: skip
    sampler = PeakRss(proc.pid).start()
    try:
        _, stderr = proc.communicate(timeout=timeout)
        wall: float | None = time.perf_counter() - start
        status = str(proc.returncode)
        if proc.returncode not in (0, 1):
            status += ": " + " ".join(stderr.decode(errors="replace").split())[-200:]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        wall, status = None, "timeout"
    return wall, sampler.stop(), status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "backend-lint-stress")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a run is killed")
    parser.add_argument("--only", default="", help="inputs to run, comma separated (default: all)")
    parser.add_argument("--engines", default=ENGINE_SETS, help="engine sets, separated by ';'")
    parser.add_argument("--src", type=Path, help="run the backend-lint package of this src/ directory")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    only = {s for s in args.only.split(",") if s}
    env = {**os.environ, "NO_COLOR": "1", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
    where = subprocess.run([sys.executable, "-c", "import backend_lint; print(backend_lint.__file__)"], env=env,
                           capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    print(f"# backend-lint stress benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"backend-lint from {where}; {os.cpu_count()} CPUs, load before {os.getloadavg()[0]:.2f}, "
          f"--jobs {args.jobs}, timeout {args.timeout:g} s\n")  # fmt: skip
    print("| input | engines | wall | peak RSS (tree) | exit |\n|---|---|---:|---:|---|")
    for name, build in inputs.BENCH_INPUTS.items():
        if only and name not in only:
            continue
        target = build(args.work / name)
        for engines in args.engines.split(";"):
            cmd = [sys.executable, "-m", "backend_lint", "--no-cache", "--format", "json", "-o", os.devnull,
                   "--jobs", str(args.jobs), "--engines", engines, str(target)]  # fmt: skip
            wall, peak, status = measure(cmd, env, args.work, args.timeout)
            shown = f"> {args.timeout:g} s" if wall is None else f"{wall:.1f} s"
            print(f"| {name} | {engines} | {shown} | {peak / 2**20:.0f} MiB | {status} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
