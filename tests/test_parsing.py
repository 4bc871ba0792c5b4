"""The parser's libcst path builds the tree CPython builds, construct by construct.

Each snippet of `fixtures/parsing/constructs/` is forced through the libcst converter
(`from_cst`) and compared, every field and position, with

- the golden tree of the newest CPython that accepts it (`fixtures/parsing/goldens/`, made by
  `python tests/ast_oracle.py`), lowered to what this host's `ast` can hold: that is how a
  construct newer than the host is checked; and
- `ast.parse` of this host, when the host accepts the snippet.

Python 3.14's constructs (PEP 758 `except A, B:`, PEP 750 t-strings) have no golden, as no
3.14 is at hand: their trees are asserted by hand below.
"""

from __future__ import annotations

import ast
import hashlib
import json
import sys
from pathlib import Path

import pytest

from ast_oracle import CONSTRUCTS, GOLDENS, OLD_FSTRINGS, first_difference, host_fields, host_shape, lower, shape
from backend_lint.parsing import Interpolation, TemplateStr, from_cst, parse_python

# the snippets of literals hold invalid escapes (`"\d"`) on purpose: CPython warns of them
pytestmark = pytest.mark.filterwarnings("ignore:invalid escape sequence")

SNIPPETS = sorted(path.stem for path in CONSTRUCTS.glob("*.py"))
HOST = f"{sys.version_info[0]}.{sys.version_info[1]}"


def snippet(name: str) -> str:
    return (CONSTRUCTS / f"{name}.py").read_text("utf-8")


def golden(name: str) -> dict:
    return json.loads((GOLDENS / f"{name}.json").read_text("utf-8"))


def test_every_snippet_has_a_fresh_golden_or_is_of_python_3_14():
    made = {path.stem for path in GOLDENS.glob("*.json")}
    assert made <= set(SNIPPETS), "goldens without a snippet: run python tests/ast_oracle.py"
    for name in made:
        digest = hashlib.sha256((CONSTRUCTS / f"{name}.py").read_bytes()).hexdigest()
        assert golden(name)["source_sha256"] == digest, f"{name} changed: run python tests/ast_oracle.py"
    assert set(SNIPPETS) - made <= {"except_unparenthesised", "tstrings"}


@pytest.mark.parametrize("name", sorted(path.stem for path in GOLDENS.glob("*.json")))
def test_the_converted_tree_is_the_golden_tree(name):
    entry = golden(name)
    expected = lower(entry["tree"], host_fields())
    actual = shape(from_cst(snippet(name), f"{name}.py"))
    assert actual == expected, f"against CPython {entry['made_by']}: {first_difference(expected, actual)}"


@pytest.mark.parametrize("name", SNIPPETS)
def test_the_converted_tree_is_the_hosts_tree(name):
    text = snippet(name)
    try:
        expected_tree = ast.parse(text)
    except SyntaxError:
        pytest.skip(f"Python {HOST} rejects {name}: its golden (or, for 3.14 syntax, the tests below) covers it")
    expected, actual = host_shape(expected_tree), shape(from_cst(text, f"{name}.py"), old_fstrings=OLD_FSTRINGS)
    assert actual == expected, first_difference(expected, actual)


@pytest.mark.parametrize("name", SNIPPETS)
def test_parse_python_reads_every_snippet_as_the_converter_does(name):
    text = snippet(name)
    tree = parse_python(text, f"{name}.py")
    assert ast.dump(tree, include_attributes=True) in {
        ast.dump(from_cst(text, f"{name}.py"), include_attributes=True),
        _host_dump(text),
    }


def _host_dump(text: str) -> str | None:
    try:
        return ast.dump(ast.parse(text), include_attributes=True)
    except SyntaxError:
        return None


# -- Python 3.14, by hand --------------------------------------------------------------------


def place(node: ast.AST) -> tuple[int, int, int, int]:
    return node.lineno, node.col_offset, node.end_lineno, node.end_col_offset


def test_pep_758_unparenthesised_except_is_a_tuple_from_the_first_type_to_the_last():
    tree = parse_python(snippet("except_unparenthesised"), "x.py")
    plain, star = tree.body[0], tree.body[1]
    handler = plain.handlers[0]
    assert place(handler) == (3, 0, 4, 8)
    assert isinstance(handler.type, ast.Tuple) and place(handler.type) == (3, 7, 3, 27)
    assert [(e.id, place(e)) for e in handler.type.elts] == [("KeyError", (3, 7, 3, 15)), ("ValueError", (3, 17, 3, 27))]
    assert handler.name is None and isinstance(handler.type.ctx, ast.Load)
    assert type(star).__name__ == ("TryStar" if hasattr(ast, "TryStar") else "Try")
    handler = star.handlers[0]
    assert place(handler.type) == (9, 8, 9, 32)
    assert [e.id for e in handler.type.elts] == ["OSError", "TimeoutError", "E"]
    assert place(handler.type.elts[2]) == (9, 31, 9, 32)
    # an ordinary handler in the same file keeps its parenthesised tuple's place
    assert place(plain.handlers[1].type) == (5, 7, 5, 15)


def test_pep_758_with_as_is_still_a_syntax_error():
    from backend_lint.parsing import ParseFailure

    with pytest.raises(ParseFailure) as caught:
        parse_python("try:\n    pass\nexcept A, B as e:\n    pass\n", "x.py")
    assert caught.value.line == 3 and caught.value.kind == "syntax"


def test_pep_750_t_strings_are_templates_of_constants_and_interpolations():
    tree = parse_python(snippet("tstrings"), "x.py")
    values = [statement.value for statement in tree.body]
    assert all(isinstance(value, TemplateStr) for value in values)
    pieces = [piece for value in values for piece in value.values]
    assert not any(isinstance(piece, (ast.JoinedStr, ast.FormattedValue)) for piece in pieces)
    simple = values[0]  # a = t"hi {user}!"
    assert place(simple) == (1, 4, 1, 17)
    hi, field, bang = simple.values
    assert (hi.value, place(hi)) == ("hi ", (1, 6, 1, 9))
    assert isinstance(field, Interpolation) and place(field) == (1, 9, 1, 15)
    assert (field.value.id, place(field.value), field.str, field.conversion, field.format_spec) == (
        "user", (1, 10, 1, 14), "user", -1, None)  # fmt: skip
    assert (bang.value, place(bang)) == ("!", (1, 15, 1, 16))
    spec = values[1].values[0]  # b = t"{amount!r:>{width}}"
    assert (spec.str, spec.conversion) == ("amount", ord("r"))
    assert isinstance(spec.format_spec, ast.JoinedStr) and place(spec.format_spec) == (2, 15, 2, 24)
    constant, nested = spec.format_spec.values
    assert constant.value == ">" and isinstance(nested, ast.FormattedValue) and nested.value.id == "width"
    debug, interpolation = values[2].values  # c = t"{x = }"
    assert (debug.value, interpolation.str, interpolation.conversion) == ("x = ", "x", ord("r"))
    concatenated = values[3]  # d = t"a{x}" t"b"
    assert [type(v).__name__ for v in concatenated.values] == ["Constant", "Interpolation", "Constant"]
    assert place(concatenated) == (4, 4, 4, 16)
    multiline = values[4].values[0]  # e = t"{x\n+ y}"
    assert multiline.str == "x\n    + y" and place(multiline.value) == (5, 7, 6, 7)
    visited = [node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)]
    assert {"user", "amount", "width", "x", "y"} <= set(visited)  # ast.walk reaches what they interpolate


@pytest.mark.parametrize("source", ['t"a" "b"\n', '"a" t"b"\n', 't"a" f"b"\n', 't"a" b"b"\n'])
def test_a_t_string_is_concatenated_with_t_strings_only(source):
    from backend_lint.parsing import ParseFailure

    with pytest.raises(ParseFailure) as caught:
        parse_python(source, "x.py")
    assert caught.value.line == 1


@pytest.mark.xfail(strict=True, reason="libcst (1.9) cannot parse a parenthesised target of an annotation")
def test_a_parenthesised_annotation_target():
    text = "(y): int\n(a.b): int = 2\n"
    assert ast.dump(from_cst(text, "x.py"), include_attributes=True) == ast.dump(ast.parse(text), include_attributes=True)
