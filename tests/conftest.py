from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend_lint import run as runner
from backend_lint.config import Config

REPO = Path(__file__).resolve().parent.parent

# A function that swallows every error: one BL201 (silent-exception, medium) at line 4.
SILENT = '''\
def load(cache, key):
    try:
        return cache[key]
    except Exception:
        pass
'''

# A module with one medium finding (BL201 silent-exception, line 4) and one low (BL301 print, line 8),
# shared by the output-format and legacy-code tests.
SILENT_AND_PRINT = SILENT + '''
def report(rows):
    print("rows", len(rows))
'''

# A handler that prints then swallows errors: BL301 (low) at 2:5, BL201 (medium) at 5:5.
PRINT_THEN_SILENT = """\
def handler():
    print("listing")
    try:
        risky()
    except Exception:
        pass
"""


def lint_tree(root: Path, **config_changes):
    """Run the real engine over a directory, from inside it (paths in the report are relative).

    Only the native engine runs unless `engines=` says otherwise: semgrep's start-up costs seconds.
    """
    config = Config(root=root, engines=("native",)).replace(**config_changes)
    old = os.getcwd()
    os.chdir(root)
    try:
        return runner.run(["."], config, runner.RunOptions(jobs=1))
    finally:
        os.chdir(old)


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


LINTING = {"check", "checklist"}


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 120,
            engines: str | None = "native"):  # fmt: skip
    """The installed CLI as a user runs it, in a subprocess.

    A linting call gets `--engines native` unless it names its engines or passes `engines=None`
    (every installed engine, as a user's default run): semgrep's start-up costs seconds per call.
    """
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    lints = not args or args[0] in LINTING or args[0] not in ("rules", "explain")
    if engines and lints and "--engines" not in args and not {"--version", "--help", "-h"} & set(args):
        args = (*args, "--engines", engines)
    return subprocess.run(
        [sys.executable, "-m", "backend_lint", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


@pytest.fixture
def tree(tmp_path):
    return tmp_path
