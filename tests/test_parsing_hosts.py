"""The parser under another host Python than the one running the tests.

The converter's output depends on the host (its `ast` has other node classes and fields), so
the construct snippets and the modern-syntax fixture are also parsed, in a subprocess, by
`parse_python` under Python 3.10 (the oldest host backend-lint supports), found as
`~/.pyenv/versions/3.10*/bin/python` or `python3.10` on PATH, and compared there with the
goldens lowered to 3.10's `ast`. libcst, the one dependency the parser needs, is installed
for it into pytest's cache directory on first use (`pip install --target`); 3.12 and 3.13
are tested the same way when libcst is already importable for them. The test is skipped,
saying why, when no such interpreter is found or libcst cannot be installed for it.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ast_oracle import CONSTRUCTS, GOLDENS, first_difference, lower, shape, without_fstring_positions
from backend_lint.parsing import parse_python

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "modern_syntax" / "app.py"
HOST = f"{sys.version_info[0]}.{sys.version_info[1]}"

# Run under the other interpreter: every snippet and the fixture through parse_python.
_SCRIPT = """
import json, sys
from pathlib import Path
from ast_oracle import host_fields, shape
from backend_lint.parsing import ParseFailure, parse_python
trees = {}
for path in sys.argv[1:]:
    try:
        trees[path] = shape(parse_python(Path(path).read_text("utf-8"), path))
    except ParseFailure as failure:
        trees[path] = {"failure": failure.message}
print(json.dumps({"version": list(sys.version_info[:2]), "fields": host_fields(), "trees": trees}))
"""


def find_python(minor: str) -> str | None:
    found = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{minor}*/bin/python")))
    return found[-1] if found else shutil.which(f"python{minor}")


def libcst_path(python: str, cache_dir: Path, install: bool) -> str | None:
    """A directory to put on PYTHONPATH for libcst under `python` ("" when it has libcst)."""
    if subprocess.run([python, "-c", "import libcst"], capture_output=True).returncode == 0:
        return ""
    done = cache_dir / "installed"
    if not done.exists() and install:
        pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--target", str(cache_dir), "libcst"]
        result = subprocess.run(pip, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            pytest.skip(f"cannot install libcst for {python}: {result.stderr.strip().splitlines()[-1:]}")
        done.touch()
    return str(cache_dir) if done.exists() else None


@pytest.mark.parametrize("minor", ["3.10", "3.12", "3.13"])
def test_the_parser_gives_the_golden_trees_under_another_host(minor, request):
    if minor == HOST:
        pytest.skip(f"Python {minor} runs the tests: test_parsing.py covers it")
    python = find_python(minor)
    if python is None:
        pytest.skip(f"no Python {minor} found (~/.pyenv/versions/{minor}*/bin/python or python{minor} on PATH)")
    extra = libcst_path(python, Path(request.config.cache.mkdir(f"libcst-python{minor}")), install=minor == "3.10")
    if extra is None:
        pytest.skip(f"libcst is not installed for {python} (only 3.10 gets it installed here)")
    snippets = sorted(CONSTRUCTS.glob("*.py"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO / "tests"), str(REPO / "src"), extra) if p)}
    done = subprocess.run(
        [python, "-c", _SCRIPT, str(FIXTURE), *map(str, snippets)], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert f"{result['version'][0]}.{result['version'][1]}" == minor
    fields, trees = result["fields"], result["trees"]

    # the fixture: what this host converts, lowered to the other host's nodes
    expected = lower(shape(parse_python(FIXTURE.read_text("utf-8"), "app.py")), fields)
    assert trees[str(FIXTURE)] == expected, first_difference(expected, trees[str(FIXTURE)])
    for path in snippets:
        tree = trees[str(path)]
        assert "failure" not in tree, f"{path.name}: {tree}"
        golden = GOLDENS / f"{path.stem}.json"
        if golden.exists():
            expected = lower(json.loads(golden.read_text("utf-8"))["tree"], fields)
            if minor < "3.12":  # an f-string's pieces from that host's own ast.parse: not comparable
                expected, tree = without_fstring_positions(expected), without_fstring_positions(tree)
            assert tree == expected, f"{path.name} under {minor}: {first_difference(expected, tree)}"
