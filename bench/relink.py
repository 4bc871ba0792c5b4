#!/usr/bin/env python3
"""The taint engine's incremental link on a real project: after each of a series of random edits,
a warm run (the cache and link state of the run before) is compared with a run from nothing.

    python bench/relink.py SOURCE_TREE [--edits 20] [--seed 1] [--work /tmp/relink]

The tree is copied first (SOURCE_TREE is never written). Edits, chosen at random among the
project's modules: a comment appended (the content changes, the names do not), a function
appended (the names the index resolves change), `int(` made `str(` in one module (a sanitizer
removed), a module deleted, a deleted module written back; half the edits go to a module on the
path of a finding of the run before (where an edit can change what is found). Prints per edit the warm run's wall
time, how many files it relinked, how many findings both runs gave, and whether they are the
same; exits 1 if any differ. Both runs use the CLI (`--engines taint --format json`), so the
times include start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path


def lint(root: Path, cache: Path | None) -> tuple[list, float]:
    args = [sys.executable, "-m", "backend_lint", ".", "--engines", "taint", "--format", "json", "-o", "report.json"]
    args += ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    started = time.perf_counter()
    done = subprocess.run(args, cwd=root, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"backend-lint failed ({done.returncode}): {done.stderr.strip()}")
    report = json.loads((root / "report.json").read_text())
    (root / "report.json").unlink()
    return sorted(report["findings"], key=lambda f: json.dumps(f, sort_keys=True)), elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", default="/tmp/backend-lint-relink")
    options = parser.parse_args()
    work = Path(options.work)
    shutil.rmtree(work, ignore_errors=True)
    root, cache = work / "tree", work / "cache"
    shutil.copytree(options.tree, root, ignore=shutil.ignore_patterns(".backend_lint_cache", "__pycache__"))
    rng = random.Random(options.seed)
    modules = sorted(p for p in root.rglob("*.py") if p.name != "__init__.py")
    deleted: dict[Path, str] = {}
    findings, elapsed = lint(root, cache)
    print(f"{len(modules)} modules; cold run with cache: {elapsed:.2f} s, {len(findings)} taint findings")
    different = 0
    for number in range(1, options.edits + 1):
        kind = rng.choice(["comment", "function", "sanitizer", "delete", "restore"] if deleted else
                          ["comment", "function", "sanitizer", "delete"])  # fmt: skip
        if kind == "restore":
            path, text = deleted.popitem()
            path.write_text(text, encoding="utf-8")
        else:
            on_paths = sorted({root / step["path"] for f in findings for step in f["trace"]} - deleted.keys())
            pool = on_paths if on_paths and rng.random() < 0.5 else [m for m in modules if m not in deleted]
            path = rng.choice(pool)
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            if kind == "delete":
                deleted[path] = text
                path.unlink()
            elif kind == "comment":
                path.write_text(text + "\n# edited\n", encoding="utf-8", errors="surrogateescape")
            elif kind == "function":
                path.write_text(text + "\n\ndef added_by_bench(x):\n    return x\n", encoding="utf-8", errors="surrogateescape")
            else:
                path.write_text(text.replace("int(", "str("), encoding="utf-8", errors="surrogateescape")
        warm, elapsed = lint(root, cache)
        cold, _ = lint(root, None)
        findings = cold
        same = warm == cold
        different += not same
        print(f"{number:3} {kind:9} {os.path.relpath(path, root):60} warm {elapsed:5.2f} s  findings {len(warm)}/{len(cold)}"
              f"  {'same' if same else 'DIFFERENT'}")  # fmt: skip
    print(f"{options.edits - different} of {options.edits} warm runs reported what a run from nothing did")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
