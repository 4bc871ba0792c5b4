"""A run never reaches the network: with every engine (semgrep would otherwise ask for its rules'
registry, its version and its metrics), no process of the run opens an internet socket."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="strace and network namespaces are Linux's")
COMMAND = [sys.executable, "-P", "-m", "backend_lint", "examples/", "--format", "json", "--no-cache"]


def _engines(stdout: str) -> set[str]:
    return {f["engine"] for f in json.loads(stdout)["findings"]}


def test_no_process_of_a_run_connects_to_an_internet_address(tmp_path):
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    log = tmp_path / "connect.log"
    done = subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(log), *COMMAND],
                          cwd=REPO, capture_output=True, text=True, timeout=300)  # fmt: skip
    if done.returncode not in (0, 1) and "ptrace" in done.stderr:
        pytest.skip(f"strace cannot trace here: {done.stderr.strip()[:200]}")
    assert done.returncode == 1, done.stderr
    assert {"native", "taint", "semgrep"} <= _engines(done.stdout)  # semgrep: the one that would ask the network
    calls = [line for line in log.read_text().splitlines() if "connect(" in line]
    internet = [line for line in calls if re.search(r"AF_INET6?\b", line)]
    assert internet == []


def test_a_run_without_any_network_gives_the_same_report():
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode:
        pytest.skip("no network namespace can be made here (unshare -n needs root or user namespaces)")
    online = subprocess.run(COMMAND, cwd=REPO, capture_output=True, text=True, timeout=300)
    offline = subprocess.run(["unshare", "-n", *COMMAND], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert offline.returncode == online.returncode == 1, offline.stderr
    assert json.loads(offline.stdout)["findings"] == json.loads(online.stdout)["findings"]
