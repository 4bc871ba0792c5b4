"""The converter's oracle: for every file the host parses, the tree converted from libcst must
be the tree `ast.parse` builds, node for node, positions included.

    python bench/cst_oracle.py DIR_OR_FILE... [--jobs N] [--show N]

prints how many files were compared, how long the libcst path took, and for each mismatch the
first difference (path in the tree, what the host has, what the converter has). It compares
as tests/test_parsing_oracle.py does, with tests/ast_oracle.py, which says what is left out:
on a host older than 3.12, CPython places the pieces of an f-string (its constants, its
replacement fields and their format specs) at the whole string, while the converter gives
their real positions as CPython 3.12+ does; those positions are not compared there (the
expressions inside the fields still are). Run it under 3.12 or newer to compare them too.
The interpreter needs libcst: use a virtual environment with backend-lint installed.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from ast_oracle import OLD_FSTRINGS, first_difference, host_shape, shape  # noqa: E402
from backend_lint.parsing import ParseFailure, from_cst  # noqa: E402


def compare(path: str) -> tuple[str, str, float, int]:
    """(path, outcome, seconds of the libcst path, lines): outcome is "same", "skip" (the host
    cannot parse it) or the first difference."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        expected = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return path, "skip", 0.0, 0
    started = time.perf_counter()
    try:
        actual = from_cst(text, path)
    except ParseFailure as failure:
        return path, f"failed: {failure.message[:300]}", 0.0, text.count("\n")
    elapsed = time.perf_counter() - started
    found = first_difference(host_shape(expected), shape(actual, old_fstrings=OLD_FSTRINGS), "module")
    return path, found or "same", elapsed, text.count("\n")


def python_files(roots: list[str]) -> list[str]:
    files = []
    for root in roots:
        if os.path.isfile(root):
            files.append(root)
            continue
        for folder, _, names in os.walk(root):
            files.extend(os.path.join(folder, name) for name in names if name.endswith(".py"))
    return sorted(files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", nargs="+")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--show", type=int, default=50, help="mismatches to print")
    options = parser.parse_args()
    files = python_files(options.roots)
    with Pool(options.jobs) as pool:
        results = pool.map(compare, files, chunksize=4)
    compared = [result for result in results if result[1] != "skip"]
    mismatches = [result for result in compared if result[1] != "same"]
    seconds = sum(result[2] for result in compared)
    lines = sum(result[3] for result in compared)
    print(f"Python {sys.version.split()[0]}: {len(files)} files, {len(compared)} compared, "
          f"{len(files) - len(compared)} skipped (not parsed by the host), {len(mismatches)} mismatches")
    if lines:
        print(f"libcst path: {seconds:.1f} s for {lines} lines, {1000 * seconds / lines * 1000:.0f} ms per 1,000 lines")
    for path, outcome, _, _ in mismatches[: options.show]:
        print(f"{path}\n    {outcome}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
