#!/usr/bin/env python3
"""Profile the native engine in one process (no workers, no cache) and print its hot spots.

    python bench/hotspots.py [PATH ...] [--top 25] [--sort tottime]

PATH defaults to the corpus that bench/run.py downloads (/tmp/backend-lint-bench/corpus). Prints
the wall time without and with the profiler, then cProfile's top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

from backend_lint import engine
from backend_lint.config import Config


def lint(paths: list[str]) -> int:
    config = Config(root=Path.cwd(), engines=("native",))  # the native engine alone
    report = engine.run(paths, config, engine.RunOptions(jobs=1))
    return len(report.findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", default=[str(Path(tempfile.gettempdir()) / "backend-lint-bench" / "corpus")])
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    args = parser.parse_args()
    start = time.perf_counter()
    findings = lint(args.paths)
    plain = time.perf_counter() - start
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.runcall(lint, args.paths)
    profiled = time.perf_counter() - start
    print(f"{findings} findings; one process: {plain:.2f} s ({profiled:.2f} s under cProfile)")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
