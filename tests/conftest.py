from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend_lint import engine
from backend_lint.config import Config

REPO = Path(__file__).resolve().parent.parent


def lint_tree(root: Path, **config_changes):
    """Run the real engine over a directory, from inside it (paths in the report are relative)."""
    config = Config(root=root).replace(**config_changes)
    old = os.getcwd()
    os.chdir(root)
    try:
        return engine.run(["."], config, engine.RunOptions(jobs=1))
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


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 120):
    """The installed CLI as a user runs it, in a subprocess."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "backend_lint", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


@pytest.fixture
def tree(tmp_path):
    return tmp_path
