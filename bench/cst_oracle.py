"""The converter's oracle: for every file the host parses, the tree converted from libcst must
be the tree `ast.parse` builds, node for node, positions included.

    python bench/cst_oracle.py DIR_OR_FILE... [--jobs N] [--show N]

prints how many files were compared, how long the libcst path took, and for each mismatch the
first difference (path in the tree, what the host has, what the converter has).

On a host older than 3.12, CPython places the pieces of an f-string (its constants, its
replacement fields and their format specs) at the whole string, while the converter gives
their real positions as CPython 3.12+ does; those positions are not compared there (the
expressions inside the fields still are). Run it under 3.12 or newer to compare them too.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from backend_lint.parsing import ParseFailure, from_cst  # noqa: E402

_ATTRIBUTES = ("lineno", "col_offset", "end_lineno", "end_col_offset")
OLD_FSTRINGS = sys.version_info < (3, 12)


def first_difference(expected: object, actual: object, path: str = "", fstring_part: bool = False) -> str | None:
    """Where two trees first differ, or None when they are the same."""
    if isinstance(expected, list) or isinstance(actual, list):
        if not (isinstance(expected, list) and isinstance(actual, list)) or len(expected) != len(actual):
            return f"{path}: {_short(expected)} != {_short(actual)}"
        for index, (left, right) in enumerate(zip(expected, actual)):
            found = first_difference(left, right, f"{path}[{index}]", fstring_part)
            if found:
                return found
        return None
    if not isinstance(expected, ast.AST) or not isinstance(actual, ast.AST):
        if type(expected) is not type(actual) or expected != actual:
            return f"{path}: {expected!r} != {actual!r}"
        return None
    if type(expected).__name__ != type(actual).__name__:
        return f"{path}: {type(expected).__name__} != {type(actual).__name__}"
    if not (fstring_part and OLD_FSTRINGS):
        for name in _ATTRIBUTES:
            if getattr(expected, name, None) != getattr(actual, name, None):
                where = "{}:{}-{}:{}"
                return (
                    f"{path}.{name} ({type(expected).__name__}): host {where.format(*_place(expected))}"
                    f" converter {where.format(*_place(actual))}"
                )
    for name in type(expected)._fields:
        inner = fstring_part if name in ("value", "values", "format_spec") else False
        if isinstance(expected, ast.JoinedStr) and name == "values":
            inner = True
        if isinstance(expected, ast.FormattedValue) and name == "value":
            inner = False
        if isinstance(expected, ast.FormattedValue) and name == "format_spec":
            inner = True
        found = first_difference(getattr(expected, name, None), getattr(actual, name, None), f"{path}.{name}", inner)
        if found:
            return found
    return None


def _place(node: ast.AST) -> tuple:
    return tuple(getattr(node, name, None) for name in _ATTRIBUTES)


def _short(value: object) -> str:
    text = repr(value) if not isinstance(value, list) else f"list of {len(value)}"
    return text[:80]


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
    found = first_difference(expected.body, actual.body, "body")
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
