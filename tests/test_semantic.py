"""The per-file semantic model: qualified names, folded constants, framework roles."""

from __future__ import annotations

import ast
import textwrap

import pytest
from conftest import lint_tree, write

from backend_lint.semantic import NOT_CONSTANT, SemanticModel


def model_of(source: str) -> tuple[SemanticModel, ast.Module]:
    tree = ast.parse(textwrap.dedent(source))
    return SemanticModel(tree, "app.py"), tree


def expr(source: str) -> ast.expr:
    return ast.parse(source, mode="eval").body


@pytest.mark.parametrize(
    "imports, expression, expected",
    [
        ("import subprocess", "subprocess.run", "subprocess.run"),
        ("import os.path", "os.path.join", "os.path.join"),
        ("import xml.etree.ElementTree as ET", "ET.parse", "xml.etree.ElementTree.parse"),
        ("from subprocess import run", "run", "subprocess.run"),
        ("from subprocess import run as sh", "sh", "subprocess.run"),
        ("from sqlalchemy import text as sql_text", "sql_text", "sqlalchemy.text"),
        ("from . import db", "db.execute", ".db.execute"),
        ("from ..models import User", "User.query", "..models.User.query"),
        ("", "print", "print"),  # a builtin
        ("def print(*a): pass", "print", None),  # shadowed builtin
        ("", "unknown.call", None),
        ("from os import *", "getcwd", None),
    ],
)
def test_qualified_names(imports, expression, expected):
    model, _ = model_of(imports + "\n")
    assert model.qualname(expr(expression)) == expected


def test_imports_inside_blocks_and_functions():
    source = """
    try:
        import simplejson as json
    except ImportError:
        import json
    if True:
        from hashlib import md5
    def f():
        from requests import get as fetch
    """
    model, tree = model_of(source)
    assert model.qualname(expr("md5")) == "hashlib.md5"
    assert model.qualname(expr("json")) == "simplejson"
    # a function's own import is known from the start, before any walk reaches it
    assert model.qualname(expr("fetch")) == "requests.get"
    function = tree.body[-1]
    model.add_import(function.body[0])  # the engine's walk still hands it over: nothing changes
    assert model.qualname(expr("fetch")) == "requests.get"


def test_module_level_imports_win_over_nested_ones_whatever_the_order():
    source = """
    def early():
        from loguru import logger
        from first import helper
    from app.log import logger
    def late():
        from second import helper
        from app.db import session
    """
    model, _ = model_of(source)
    assert model.qualname(expr("logger")) == "app.log.logger"  # module level, though after `early`
    assert model.qualname(expr("helper")) == "first.helper"  # nested ones: the first binds
    assert model.qualname(expr("session")) == "app.db.session"


def test_imports_in_loops_classes_and_match_blocks_are_collected():
    source = """
    for backend in BACKENDS:
        import pickle
    class Service:
        from decimal import Decimal as D
    while True:
        try:
            from yaml import safe_load
        except ImportError:
            pass
    match mode:
        case "fast":
            import ujson as fastjson
    """
    model, _ = model_of(source)
    assert [model.qualname(expr(n)) for n in ("pickle", "D", "safe_load", "fastjson")] == [
        "pickle", "decimal.Decimal", "yaml.safe_load", "ujson",
    ]


def test_an_import_of_another_tree_is_added_without_rebinding():
    model, _ = model_of("from app.log import logger\n")
    model.add_import(ast.parse("from loguru import logger\nfrom requests import get").body[0])
    assert model.qualname(expr("logger")) == "app.log.logger"
    model.add_import(ast.parse("from requests import get").body[0])
    assert model.qualname(expr("get")) == "requests.get"


@pytest.mark.parametrize(
    "source, name, value",
    [
        ('TOKEN = "abc"', "TOKEN", "abc"),
        ('PREFIX = "ab"\nKEY = PREFIX + "cd"', "KEY", "abcd"),
        ('A = "x"\nB = f"{A}-y"', "B", "x-y"),
        ('FMT = "%s=%s" % ("a", 1)', "FMT", "a=1"),
        ("PAIR = (1, 2)", "PAIR", (1, 2)),
        ('SEP = "-" * 3', "SEP", "---"),
        ("N: int = 4", "N", 4),
        ('X = "a"\nX = "b"', "X", NOT_CONSTANT),  # assigned twice: not a constant
        ("Y = compute()", "Y", NOT_CONSTANT),
        ('BIG = "a" * 1000000', "BIG", NOT_CONSTANT),  # not built
        ('BIG = "a" * 10000 * 10000', "BIG", NOT_CONSTANT),
        ('BIG = 200000 * ("ab",)', "BIG", NOT_CONSTANT),
        ('BAD = "a" + 1', "BAD", NOT_CONSTANT),
        ("LONG = " + " + ".join(['"a"'] * 1500), "LONG", "a" * 1500),  # folded without recursion
    ],
)
def test_folded_constants(source, name, value):
    model, _ = model_of(source + "\n")
    assert model.constants.get(name, NOT_CONSTANT) == value


def test_deep_expressions_are_simply_not_constant():
    model, _ = model_of("X = " + "-" * 2000 + "1\n")  # deeper than Python's recursion limit
    assert model.constants.get("X", NOT_CONSTANT) is NOT_CONSTANT
    assert model.is_constant(expr("[" * 150 + "1" + "]" * 150))


@pytest.mark.parametrize(
    "expression, constant",
    [
        ('"DESC" if desc else "ASC"', True),
        ('", ".join("?" for _ in ids)', True),
        ('"?" * len(ids)', True),
        ('"SELECT " + " + ".join(cols)', False),
        ('"a" + "b" + name', False),
        ('"a" + "b" + "c" * n', True),
        ('"{} {}".format("a", "b")', True),
        ('"{}".format(user)', False),
        ('f"id={user_id}"', False),
    ],
)
def test_is_constant(expression, constant):
    model, _ = model_of("")
    assert model.is_constant(expr(expression)) is constant


@pytest.mark.parametrize(
    "source, role",
    [
        ("from flask import Flask\napp = Flask(__name__)\n@app.route('/')\ndef f(): pass", ("flask", True)),
        ("from flask import Blueprint\nbp = Blueprint('x', __name__)\n@bp.get('/')\ndef f(): pass",
         ("flask", True)),
        ("from fastapi import FastAPI\napp = FastAPI()\n@app.post('/')\nasync def f(): pass", ("fastapi", True)),
        ("from fastapi import APIRouter\nrouter = APIRouter()\n@router.get('/')\ndef f(): pass",
         ("fastapi", True)),
        ("from django.http import JsonResponse\ndef f(request): pass", ("django", True)),
        ("from rest_framework.decorators import api_view\n@api_view(['GET'])\ndef f(request): pass",
         ("django", True)),
        ("import click\n@click.command()\ndef f(): pass", ("cli", False)),
        ("def f(request): pass", (None, False)),  # no django import: just a parameter name
        ("import functools\n@functools.cache\ndef f(): pass", (None, False)),
    ],
)  # fmt: skip
def test_function_roles(source, role):
    model, tree = model_of(source + "\n")
    function = tree.body[-1]
    got = model.role(function)
    assert (got.framework, got.handler) == role


def test_class_based_views():
    source = """
    from django.views import View
    from flask.views import MethodView
    class Items(View):
        def get(self, request): pass
        def helper(self): pass
    class Api(MethodView):
        def post(self): pass
    """
    model, tree = model_of(source)
    items, api = tree.body[2], tree.body[3]
    assert (model.role(items.body[0], items).framework, model.role(items.body[0], items).handler) == ("django", True)
    assert model.role(items.body[1], items).handler is False
    assert (model.role(api.body[0], api).framework, model.role(api.body[0], api).handler) == ("flask", True)


def test_roles_see_every_import_of_the_module():
    """Which modules are imported, which classes are views: answered from every import of the file,
    wherever it is, so a method's role does not depend on which methods were asked about first."""
    source = """
    from shop.views import BaseView
    class Items(BaseView):
        def get(self, request): pass
        def post(self, request): pass
        def put(self, request):
            from django import http
    """
    model, tree = model_of(source)
    items = tree.body[1]
    assert model.imports_module("django") and model.role(items.body[0], items).framework == "django"
    model.add_import(items.body[2].body[0])
    assert model.role(items.body[1], items).framework == "django"


def test_main_guard_and_instances():
    model, _ = model_of("from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run()\n")
    assert model.instance_of(expr("app")) == "flask.Flask"
    assert model.in_main_guard(4) and not model.in_main_guard(2)


def test_local_values():
    model, tree = model_of("def f(x):\n    q = 'a'\n    q += x\n    if (n := 3):\n        pass\n    def g():\n        q = 'inner'\n")
    function = tree.body[0]
    assert [ast.unparse(v) for v in model.local_values(function, "q")] == ["'a'", "x"]
    assert [ast.unparse(v) for v in model.local_values(function, "n")] == ["3"]



_USES_LOGGER = """
def sync(job):
    try:
        job.run()
    except Exception:
        lg.debug("sync failed")  # below WARNING: the error is swallowed
"""
_IMPORTS_LOGGER = """
def setup():
    from loguru import logger as lg
    lg.add("app.log")
"""


@pytest.mark.parametrize("source", [_USES_LOGGER + _IMPORTS_LOGGER, _IMPORTS_LOGGER + _USES_LOGGER])
def test_a_logger_imported_in_another_function_is_known_in_either_order(tmp_path, source):
    """`lg` is loguru's logger wherever the function importing it stands: `lg.debug` in the other
    function is logging below WARNING, so the handler is silent (BL201) in both orders."""
    write(tmp_path, "app/jobs.py", source)
    report = lint_tree(tmp_path, select=("BL201",))
    assert [(f.rule, f.line) for f in report.findings] == [("BL201", source.splitlines().index("    except Exception:") + 1)]
