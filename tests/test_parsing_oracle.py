"""The converter against CPython on real code: files of the host's standard library, forced
through libcst (`from_cst`), must give exactly the tree `ast.parse` gives, positions included.

A fixed sample keeps this quick: all of `json`, and every third file (sorted by path) of
`email` and `asyncio` — 26 files and about 8,600 lines on CPython 3.11. `bench/cst_oracle.py`
runs the same comparison over whole trees (the full standard library, site-packages).
"""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest

from ast_oracle import OLD_FSTRINGS, first_difference, host_shape, shape
from backend_lint.parsing import from_cst

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def sample() -> list[str]:
    files = sorted((STDLIB / "json").rglob("*.py"))
    for package in ("email", "asyncio"):
        files += sorted((STDLIB / package).rglob("*.py"))[::3]
    return [str(path.relative_to(STDLIB)) for path in files]


def test_the_sample_is_sizeable():
    files = sample()
    assert len(files) >= 25
    assert sum(len((STDLIB / name).read_text("utf-8").splitlines()) for name in files) >= 5000


@pytest.mark.parametrize("name", sample())
def test_the_converted_tree_of_a_stdlib_file_is_cpythons(name):
    text = (STDLIB / name).read_text("utf-8")
    expected = host_shape(ast.parse(text, filename=name))
    actual = shape(from_cst(text, name), old_fstrings=OLD_FSTRINGS)
    assert actual == expected, first_difference(expected, actual)
