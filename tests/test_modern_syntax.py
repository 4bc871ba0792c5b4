"""Every file that some Python from 3.8 to 3.14 accepts is analysed whatever Python runs us: PEP 695
generics and `type` aliases, PEP 701 f-strings, PEP 758 `except A, B:`, PEP 750 t-strings."""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

import pytest

from backend_lint.parsing import ParseFailure, TemplateStr, parse_python
from conftest import lint_tree, write

FIXTURE = Path(__file__).parent / "fixtures" / "modern_syntax"


def test_the_fixture_is_newer_than_this_host_but_analysed(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "proj")
    text = (FIXTURE / "app.py").read_text("utf-8")
    if sys.version_info < (3, 14):
        with pytest.raises(SyntaxError):
            ast.parse(text)  # the host alone cannot read it
    report = lint_tree(tmp_path / "proj")
    assert not report.errors
    assert [(f.rule, f.line) for f in report.findings] == [("BL301", 20)]


def test_the_converted_tree_has_the_newer_constructs_with_positions():
    tree = parse_python((FIXTURE / "app.py").read_text("utf-8"), "app.py")
    handler = next(n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler))
    assert isinstance(handler.type, ast.Tuple) and [e.id for e in handler.type.elts] == ["KeyError", "ValueError"]
    template = next(n for n in ast.walk(tree) if type(n).__name__ == "TemplateStr")
    assert isinstance(template, (TemplateStr, getattr(ast, "TemplateStr", TemplateStr))) and template.lineno == 22
    assert not any(isinstance(n, ast.JoinedStr) and n.lineno == 22 for n in ast.walk(tree))  # a t-string is no f-string
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
    assert [(c.lineno, c.col_offset, c.end_col_offset) for c in calls] == [(20, 4, 34)]


def test_ruff_alone_reads_a_file_the_host_cannot(tmp_path):
    write(tmp_path, "app.py", "import requests\n\n\ndef get[T](url: T):\n    return requests.get(url)\n")
    report = lint_tree(tmp_path, engines=("ruff",))
    assert not report.errors
    assert [(f.rule, f.line) for f in report.findings] == [("S113", 5)]


@pytest.mark.parametrize("source", ["def f(:\n    pass\n", "x = (1,\n", "except A, B:\n    pass\n"])
def test_broken_source_is_still_a_syntax_error_with_its_line(source):
    with pytest.raises(ParseFailure) as caught:
        parse_python(source, "x.py")
    assert caught.value.message.startswith("syntax error at line") and "Python 3." not in caught.value.message
