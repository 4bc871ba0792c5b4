"""The semantic model's view of loggers, script entry points and classes, used by BL2xx-BL4xx."""

from __future__ import annotations

import ast
import textwrap

import pytest

from backend_lint.semantic import SemanticModel


def model_and_calls(code: str):
    tree = ast.parse(textwrap.dedent(code))
    model = SemanticModel(tree)
    return model, [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("import logging\nlogger = logging.getLogger(__name__)\nlogger.warning('x')", 30),
        ("import logging\nlogging.exception('x')", 40),
        ("import logging\nlog = logging.getLogger()\nlog.log(logging.ERROR, 'x')", 40),
        ("import structlog\nlog = structlog.get_logger()\nlog.bind(a=1).info('x')", 20),
        ("from loguru import logger\nlogger.opt(exception=True).error('x')", 40),
        ("from .const import LOGGER\nLOGGER.debug('x')", 10),
        ("self.logger.critical('x')", 50),
        ("import logging\nlogging.getLogger(__name__).error('x')", 40),
    ],
)
def test_logging_calls_and_their_levels(code, level):
    model, _ = model_and_calls(code)
    last = model.tree.body[-1]
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
    assert model.logging_call(last.value) == level


@pytest.mark.parametrize(
    "code",
    [
        "from django.contrib import messages\nmessages.error(request, 'x')",
        "form.error('password', 'too short')",
        "import requests\nsession = requests.Session()\nsession.error('x')",
        "from math import log\nx = log(3)",
    ],
)
def test_error_methods_of_non_loggers_are_not_logging(code):
    model, calls = model_and_calls(code)
    assert all(model.logging_call(c) is None for c in calls)


def test_main_guard_calls_and_class_bases():
    model, _ = model_and_calls(
        """
        from pydantic import BaseModel
        class Item(BaseModel):
            name: str
        def main():
            pass
        if __name__ == "__main__":
            main()
        """
    )
    assert model.main_guard_calls() == frozenset({"main"})
    assert model.class_bases("Item") == ("pydantic.BaseModel",)
    assert model.class_bases("Missing") == ()
