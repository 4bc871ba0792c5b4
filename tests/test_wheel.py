"""The semgrep rule pack ships inside the wheel: one slow test from a built wheel in a fresh venv."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from backend_lint.engines import semgrep
from conftest import REPO, write

SEMGREP = semgrep.find_semgrep()


@pytest.mark.skipif(SEMGREP is None, reason="semgrep is not installed")
def test_installed_wheel_lists_and_runs_the_semgrep_rules(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
                   check=True, timeout=600)  # fmt: skip
    wheel = next(dist.glob("backend_lint-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=900)
    project = tmp_path / "project"
    write(project, "app/settings.py", 'DEBUG = True\nALLOWED_HOSTS = ["*"]\n')
    # semgrep is found on PATH (it is not installed in the fresh venv); run outside the checkout
    env = {**os.environ, "PATH": os.pathsep.join([os.path.dirname(SEMGREP), os.environ.get("PATH", "")]),
           "NO_COLOR": "1", "PYTHONPATH": ""}  # fmt: skip
    rules = subprocess.run([str(python), "-m", "backend_lint", "rules", "--format", "json"],
                           capture_output=True, text=True, env=env, cwd=project, check=True)  # fmt: skip
    listed = {r["code"]: r for r in json.loads(rules.stdout)}
    shipped = {c for c, r in listed.items() if r["engine"] == "semgrep"}
    assert len(shipped) >= 20 and "BL752" in shipped
    where = subprocess.run([str(python), "-c", "from backend_lint.engines import semgrep; print(semgrep.pack_dir())"],
                           capture_output=True, text=True, env=env, cwd=project, check=True)  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(env_dir) and where.stdout.strip().endswith("semgrep_rules")
    run = subprocess.run([str(python), "-m", "backend_lint", "--format", "json", "app"],
                         capture_output=True, text=True, env=env, cwd=project)  # fmt: skip
    assert run.returncode == 1, run.stderr
    found = {(f["rule"], f["engine"]) for f in json.loads(run.stdout)["findings"]}
    assert {("BL752", "semgrep"), ("BL753", "semgrep")} <= found
