"""The project-wide index: module names, relative imports, re-exports, inherited methods, calls."""

from __future__ import annotations

import ast

import pytest

from backend_lint.project import ModuleFacts, ProjectIndex, module_facts, module_name, resolve_relative
from conftest import write

SHOP = {
    "src/shop/__init__.py": "from .helpers import safe_target as safe\n",
    "src/shop/helpers.py": (
        "import os\n\n\ndef safe_target(url):\n    return url if url.startswith('/') else '/'\n\n\n"
        "def run(cmd):\n    return os.popen(cmd)\n"
    ),
    "src/shop/views/__init__.py": "",
    "src/shop/views/base.py": "class Base:\n    def check(self, value):\n        return value\n",
    "src/shop/views/orders.py": (
        "from flask import redirect\n"
        "from .. import safe\n"
        "from ..helpers import run\n"
        "from .base import Base\n\n\n"
        "class Orders(Base):\n"
        "    def get(self, url):\n"
        "        self.check(url)\n"
        "        return redirect(safe(url))\n\n"
        "    @staticmethod\n"
        "    def build(ip):\n"
        "        return run('nmap ' + ip)\n\n\n"
        "def handler(url):\n"
        "    view = Orders()\n"
        "    return view.get(url)\n"
    ),
    "manage.py": "import sys\n",
}


@pytest.fixture
def shop(tmp_path) -> ProjectIndex:
    facts = []
    for rel, text in SHOP.items():
        path = write(tmp_path, rel, text)
        name, package = module_name(str(path))
        facts.append(module_facts(ast.parse(text), rel, name, package))
    return ProjectIndex(facts)


def test_module_names_follow_packages(shop):
    assert sorted(shop.modules) == ["manage", "shop", "shop.helpers", "shop.views", "shop.views.base", "shop.views.orders"]
    assert shop.modules["shop.views"].is_package and not shop.modules["shop.views.base"].is_package


@pytest.mark.parametrize(
    ("module", "package", "level", "name", "expected"),
    [
        ("a.b.c", False, 1, "x", "a.b.x"),
        ("a.b.c", False, 2, None, "a"),
        ("a.b", True, 1, "x", "a.b.x"),
        ("a.b", True, 2, "x", "a.x"),
        ("a.b.c", False, 0, "os", "os"),
        ("a.c", False, 2, "x", ""),  # beyond the top-level package: a broken import
        ("top", False, 1, "x", ""),
    ],
)
def test_relative_imports(module, package, level, name, expected):
    assert resolve_relative(module, package, level, name) == expected


def test_imports_are_absolute_and_calls_are_references(shop):
    orders = shop.modules["shop.views.orders"]
    assert orders.imports == {"redirect": "flask.redirect", "safe": "shop.safe", "run": "shop.helpers.run",
                              "Base": "shop.views.base.Base"}  # fmt: skip
    get = orders.functions["shop.views.orders.Orders.get"]
    assert (get.params, get.kind) == (("self", "url"), "method")
    assert [ref for ref, _ in get.calls] == ["shop.views.orders.Orders.check", "flask.redirect", "shop.safe"]
    assert orders.functions["shop.views.orders.Orders.build"].kind == "staticmethod"
    handler = orders.functions["shop.views.orders.handler"]
    assert [ref for ref, _ in handler.calls] == ["shop.views.orders.Orders", "shop.views.orders.Orders.get"]
    assert ModuleFacts.from_record(orders.to_record()) == orders


def test_references_resolve_through_re_exports_and_inheritance(shop):
    assert shop.resolve("shop.safe") == "shop.helpers.safe_target"  # re-exported by the package
    assert shop.resolve("shop.views.orders.Orders.check") == "shop.views.base.Base.check"  # inherited
    assert shop.resolve("flask.redirect") is None  # not the project's
    assert shop.mro("shop.views.orders.Orders") == ["shop.views.orders.Orders", "shop.views.base.Base"]


def test_call_graph_and_import_graph(shop):
    graph = shop.call_graph()
    assert graph["shop.views.orders.Orders.get"] == ["shop.helpers.safe_target", "shop.views.base.Base.check"]
    assert graph["shop.views.orders.Orders.build"] == ["shop.helpers.run"]
    assert graph["shop.views.orders.handler"] == ["shop.views.orders.Orders.get"]
    assert shop.imports_of("shop.views.orders") == {"shop", "shop.helpers", "shop.views.base"}
    assert shop.dependents(["shop.helpers"]) == {"shop.helpers", "shop", "shop.views.orders"}
    assert shop.dependents(["manage"]) == {"manage"}


def test_cycles_and_missing_names_do_not_loop(tmp_path):
    a = module_facts(ast.parse("from b import f\n"), "a.py", "a", False)
    b = module_facts(ast.parse("from a import f\n"), "b.py", "b", False)
    index = ProjectIndex([a, b])
    assert index.resolve("a.f") is None
    assert index.dependents(["a"]) == {"a", "b"}
