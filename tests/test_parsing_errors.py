"""What no grammar accepts is a `ParseFailure` at the line of the error, never a traceback: a
syntax error (kind "syntax"), or input beyond the parsers' limits (kind "limit").

The newer syntax in these files is Python 3.14's (`except A, B:`, t-strings), which every host
up to 3.13 must hand to libcst; on a 3.14 host the same files go through `ast.parse` alone.
"""

from __future__ import annotations

import ast
import sys
import warnings

import pytest

from backend_lint.parsing import ParseFailure, parse_python

PEP_758 = "try:\n    pass\nexcept KeyError, ValueError:\n    pass\n"  # lines 1-4


def failure(source: str) -> ParseFailure:
    with pytest.raises(ParseFailure) as caught:
        parse_python(source, "x.py")
    return caught.value


@pytest.mark.parametrize(
    "source, line",
    [
        ("x = 1\ndef f(:\n    pass\n", 2),
        ("x = 1\nif x\n    pass\n", 2),
        ("x = 1\ny = (1,\n", 2),
        ("class A:\n    def f(self):\n        return 1 +\n", 3),
        ('x = 1\ny = f"{a b}"\n', 2),
        ("x = 1\n\n\nx = = 1\n", 4),
        ("del f()\n", 1),
        ('x = b"a" "b"\n', 1),  # libcst's own check, not its parser, rejects this
        ("x = 1\nf() = 2\n", 2),
    ],
)
def test_a_syntax_error_is_reported_at_its_line(source, line):
    error = failure(source)
    assert (error.kind, error.line) == ("syntax", line)
    assert error.message.startswith(f"syntax error at line {line}")


@pytest.mark.parametrize(
    "tail, line",
    [
        ("\n\nx = = 1\n", 7),  # libcst's parser stops there
        ("\n\nif x\n    pass\n", 7),  # at the line's end, where the colon is missing
        ("\n# a comment\n\ndef f(:\n    pass\n", 8),
        ("\n\nf() = 1\n", 7),  # libcst parses it, the converter refuses it
        ("\nx = t'a' 'b'\n", 6),  # a t-string concatenated with a plain string
        ("\ntry:\n    pass\nexcept A, B as e:\n    pass\n", 8),  # PEP 758 forbids `as` there
    ],
)
def test_an_error_after_newer_syntax_is_reported_at_its_own_line(tail, line):
    error = failure(PEP_758 + tail)
    assert (error.kind, error.line) == ("syntax", line), error.message
    assert error.message.startswith(f"syntax error at line {line}")
    assert "Python 3." not in error.message and "libcst" not in error.message


def test_an_error_before_newer_syntax_is_the_hosts_own():
    error = failure("x = = 1\n" + PEP_758)
    assert (error.kind, error.line) == ("syntax", 1)
    try:
        ast.parse("x = = 1\n" + PEP_758)
    except SyntaxError as host:
        assert error.message == f"syntax error at line 1, column {host.offset}: {host.msg}"


def nested(depth: int) -> str:
    return "x = " + "(" * depth + "1" + ")" * depth + "\n"


def indented(depth: int) -> str:
    return "".join("    " * level + "if x:\n" for level in range(depth)) + "    " * depth + "pass\n"


@pytest.mark.parametrize(
    "source",
    [
        nested(201),
        nested(5000),
        PEP_758 + nested(201),  # no CPython accepts 201 parentheses, newer syntax or not
        PEP_758 + nested(5000),
        PEP_758 + "x = [" * 3000 + "]" * 3000 + "\n",
        indented(100),
        PEP_758 + indented(100),
        PEP_758 + "x = " + "-" * 10000 + "1\n",
        PEP_758 + "x = " + " + ".join(["1"] * 20000) + "\n",
        PEP_758 + "x = a" + ".b" * 20000 + "\n",
        "x = " + " + ".join(["1"] * 200000) + "\n",
    ],
    ids=lambda source: f"{len(source)}-chars-{source[:12]!r}",
)
def test_input_beyond_the_parsers_limits_is_a_limit_failure(source):
    error = failure(source)
    assert error.kind == "limit", error.message
    assert error.message.startswith("nested too deeply for Python's parser")


def test_within_the_limits_deep_newer_code_is_parsed():
    source = PEP_758 + nested(200) + indented(99)
    tree = parse_python(source, "x.py")
    assert isinstance(tree.body[0], ast.Try) and len(tree.body) == 1 + 1 + 1


def test_long_chains_that_cpython_accepts_are_parsed_with_newer_syntax():
    """libcst and the converter recurse once per link of a chain; every CPython takes chains
    of 1,000 links, and so must the libcst path (it once stopped near 300, and near 700 on
    3.12, whose C recursion limit libcst's code generation met through `**kwargs` calls)."""
    links = 1000
    terms = " + ".join(f"a{i}" for i in range(links))
    pieces = "".join(f'    "piece {i}"\n' for i in range(links))
    tree = parse_python(PEP_758 + f"x = {terms}\ny = (\n{pieces})\n", "x.py")
    sum_, text = tree.body[1].value, tree.body[2].value
    assert isinstance(sum_, ast.BinOp) and sum_.right.id == f"a{links - 1}" and place_end(sum_) == (5, len(f"x = {terms}"))
    assert text.value.startswith("piece 0piece 1") and text.value.endswith(f"piece {links - 1}")


def place_end(node: ast.AST) -> tuple[int, int]:
    return node.end_lineno, node.end_col_offset


def test_a_large_file_of_newer_syntax_is_parsed():
    block = "def f{0}(a):\n    try:\n        return a[{0}]\n    except KeyError, IndexError:\n        return None\n"
    source = "".join(block.format(i) for i in range(2000))  # 10,000 lines
    tree = parse_python(source, "x.py")
    assert len(tree.body) == 2000 and tree.body[-1].lineno == 9996


@pytest.mark.parametrize("source", ['x = "\\d"\n', 'x = "\\d"\n' + PEP_758, "x = 1 is 1\n"])
def test_parsing_warns_of_nothing(source):
    """CPython warns of invalid escapes and `is` with a literal while it parses; those are
    the linted file's, and must not reach the user's terminal as SyntaxWarning lines."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parse_python(source, "x.py")
    assert [str(w.message) for w in caught] == []


def test_the_recursion_limit_is_left_as_it_was():
    limit = sys.getrecursionlimit()
    failure(PEP_758 + "x = " + "-" * 10000 + "1\n")
    assert sys.getrecursionlimit() == limit
