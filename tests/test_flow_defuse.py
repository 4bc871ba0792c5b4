"""The def-use table of a scope: bindings in source order, uses, parents, all from one walk."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from backend_lint.flow import defuse
from backend_lint.flow.defuse import DefUse, child_nodes
from backend_lint.semantic import SemanticModel

_LEAVES = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)

FUNCTION = '''
@route(path := "/x")
def view(request, page: int = DEFAULT, *args, flag=False, **kwargs):
    import json
    from app import db as database
    data = request.get_json()
    rows: list = []
    total: int
    count = 0
    count += len(rows)
    first, *rest = data
    if (size := len(data)) > 3:
        pass
    for index, row in enumerate(rows):
        rows[index] = row
    with open("f") as fh, lock:
        pass
    try:
        total = 1
    except ValueError as err:
        pass
    match data:
        case {"k": [head, *tail], **others}:
            pass
        case str() as text:
            pass
    def helper(value=(seen := data)):
        inner = data
        return inner
    class Local:
        attribute = data
    return lambda item: item + count
'''


def line(text: str) -> int:
    return next(i for i, src in enumerate(FUNCTION.splitlines(), 1) if text in src)


def table_of(source: str, index: int = 0) -> tuple[DefUse, ast.AST]:
    scope = ast.parse(textwrap.dedent(source)).body[index]
    return DefUse(scope), scope


def kinds(table: DefUse, name: str) -> list[str]:
    return [b.kind for b in table.bindings_of(name)]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("request", ["parameter"]), ("page", ["parameter"]), ("args", ["parameter"]), ("flag", ["parameter"]),
        ("kwargs", ["parameter"]), ("json", ["import"]), ("database", ["import"]), ("data", ["assign"]),
        ("rows", ["annotated"]), ("total", ["assign"]), ("count", ["assign", "augmented"]),
        ("first", ["assign"]), ("rest", ["assign"]), ("size", ["walrus"]), ("index", ["for"]), ("row", ["for"]),
        ("fh", ["with"]), ("err", ["except"]), ("head", ["match"]), ("tail", ["match"]), ("others", ["match"]),
        ("text", ["match"]), ("helper", ["def"]), ("Local", ["class"]), ("seen", ["walrus"]),
        # bound elsewhere: the decorator is evaluated outside, nested scopes bind their own names
        ("path", []), ("inner", []), ("value", []), ("attribute", []), ("item", []),
    ],
)  # fmt: skip
def test_every_kind_of_binding_is_recorded(name, expected):
    table, _ = table_of(FUNCTION)
    assert kinds(table, name) == expected


def test_bindings_are_in_source_order_with_the_value_of_whole_targets():
    table, _ = table_of("def f(q):\n    q = 'a'\n    x, q = pair\n    q += x\n    if (q := q.strip()):\n        pass\n")
    assert kinds(table, "q") == ["parameter", "assign", "assign", "augmented", "walrus"]
    values = [None if b.value is None else ast.unparse(b.value) for b in table.bindings_of("q")]
    assert values == [None, "'a'", None, "x", "q.strip()"]  # unpacking gives no single value
    assert [type(n).__name__ for n in table.assignments("q")] == ["Assign", "AugAssign", "NamedExpr"]
    assert [ast.unparse(v) for v in table.values("q")] == ["'a'", "x", "q.strip()"]


def test_uses_are_loads_breadth_first_with_closures_but_not_the_scope_s_own_decorators():
    table, scope = table_of(FUNCTION)
    expected = [
        n for n in ast.walk(scope) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id == "data"
    ]
    assert table.uses_of("data") == expected[: len(table.uses_of("data"))]
    assert len(table.uses_of("data")) == len(expected) == 6  # `data = …` is a store, not a use
    assert table.uses_of("route") == [] and table.uses_of("DEFAULT") == []  # evaluated outside `view`
    assert [n.lineno for n in table.uses_of("count")] == [line("return lambda")]  # read by the lambda
    assert table.uses_of("inner") and table.uses_of("item")  # loads inside nested scopes are kept


def test_nodes_and_parents_cover_the_scope_like_ast_walk():
    table, scope = table_of(FUNCTION)
    assert table.nodes == [n for n in ast.walk(scope) if not isinstance(n, _LEAVES)]
    for node in table.nodes:
        for child in child_nodes(node):
            assert table.parent(child) is node
    assert table.parent(scope) is None


def test_scope_of_tells_nested_scopes_apart():
    table, scope = table_of(FUNCTION)
    helper = next(n for n in scope.body if isinstance(n, ast.FunctionDef))
    inner_use = next(n for n in table.uses_of("data") if table.scope_of(n) is helper)
    assert inner_use.lineno == line("inner = data")
    default_use = next(n for n in table.uses_of("data") if n.lineno == line("def helper"))  # evaluated in view
    assert table.scope_of(default_use) is scope
    lambda_use = table.uses_of("item")[0]
    assert isinstance(table.scope_of(lambda_use), ast.Lambda)


def test_module_class_and_lambda_scopes():
    module = ast.parse("import os\nfrom a import *\nx = 1\ndef f():\n    y = x\nclass C:\n    z = x\n")
    table = DefUse(module)
    assert kinds(table, "os") == ["import"] and kinds(table, "x") == ["assign"] and kinds(table, "f") == ["def"]
    assert table.bindings_of("y") == [] and table.bindings_of("*") == []
    assert len(table.uses_of("x")) == 2
    cls = DefUse(module.body[-1])
    assert kinds(cls, "z") == ["assign"]
    lam = DefUse(ast.parse("lambda a, b=c: (d := a)", mode="eval").body)
    assert kinds(lam, "a") == ["parameter"] and kinds(lam, "d") == ["walrus"] and lam.uses_of("c") == []


def test_the_model_builds_one_table_per_scope_and_answers_local_values_from_it():
    tree = ast.parse("def f(x):\n    q = 'a'\n    q += x\n    def g():\n        q = 'inner'\n")
    model = SemanticModel(tree, "app.py")
    function = tree.body[0]
    assert model.flow(function) is model.flow(function)
    assert model.local_assignments(function, "q") == model.flow(function).assignments("q")
    assert [ast.unparse(v) for v in model.local_values(function, "q")] == ["'a'", "x"]
    assert model.local_values(None, "q") == [] and model.local_assignments(None, "q") == []


def test_binding_kinds_are_the_documented_ones():
    names = {"ASSIGN", "ANNOTATED", "AUGMENTED", "WALRUS", "FOR", "WITH", "EXCEPT", "MATCH", "PARAMETER",
             "IMPORT", "DEF", "CLASS"}  # fmt: skip
    assert {getattr(defuse, n) for n in names} == {
        "assign", "annotated", "augmented", "walrus", "for", "with", "except", "match", "parameter", "import",
        "def", "class",
    }  # fmt: skip
    assert defuse.ASSIGNING == {"assign", "annotated", "augmented", "walrus"}


def test_child_nodes_are_iter_child_nodes_without_operators_and_contexts():
    source = Path(defuse.__file__).read_text(encoding="utf-8")
    source += "match x:\n    case {'k': [a, *rest]} if not a: del a\nglobal g\nf'{x!r:>{w}}' < y <= z\n"
    leaves = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
    for node in ast.walk(ast.parse(source)):
        assert child_nodes(node) == [c for c in ast.iter_child_nodes(node) if not isinstance(c, leaves)]
