"""The framework and library models (flow/models/*.toml) are complete and well formed, and every
question a rule asks them has an answer."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from backend_lint.checks import discover
from backend_lint.flow import models
from backend_lint.flow.models import FRAMEWORKS, KINDS, ModelError

SRC = Path(models.__file__).resolve().parents[2]  # src/backend_lint
_QUESTIONS = ("entries", "qualified", "names", "modules")


def every_entry() -> list[models.Entry]:
    return [e for m in models.load().values() for e in m.entries]


def questions() -> list[tuple[str, str, str | None]]:
    """(where, kind, framework) of every `models.<question>(kind, framework)` call in the package."""
    asked = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            if not (isinstance(func, ast.Attribute) and func.attr in _QUESTIONS and isinstance(func.value, ast.Name)
                    and func.value.id == "models"):  # fmt: skip
                continue
            where = f"{path.relative_to(SRC)}:{node.lineno}"
            arguments = [*node.args, *(k.value for k in node.keywords if k.arg == "framework")]
            assert arguments and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in arguments), (
                f"{where}: a rule asks the models with literal names, so this test can check them"
            )
            asked.append((where, arguments[0].value, arguments[1].value if len(arguments) > 1 else None))
    return asked


def test_every_model_file_loads_and_is_named_after_its_file():
    loaded = models.load()
    files = sorted(p.stem for p in Path(models.model_dir()).glob("*.toml"))
    assert sorted(loaded) == files and len(files) >= 10
    assert all(m.title and m.entries for m in loaded.values())


def test_every_entry_is_well_formed():
    for e in every_entry():
        assert e.kind in KINDS and e.match in KINDS[e.kind].matches, e
        assert models.well_formed(e.name, e.match, e.model), e
        assert e.framework is None or e.framework in FRAMEWORKS, e
        assert all(c in models.CWE for c in e.cwe), e
        if KINDS[e.kind].per_framework:
            assert e.framework is not None, e


def test_no_entry_is_listed_twice():
    twice = [key for key, n in Counter((e.kind, e.name) for e in every_entry()).items() if n > 1]
    assert twice == []


def test_cwe_ids_of_the_models_are_those_rules_declare():
    declared = {c for rule in discover() for c in rule.cwe}
    used = {c for e in every_entry() for c in e.cwe}
    assert used <= declared and set(models.CWE) == used


def test_every_question_a_rule_asks_has_an_answer():
    asked = questions()
    assert len(asked) >= 20
    for where, kind, framework in asked:
        assert kind in KINDS, f"{where}: no kind {kind!r}"
        assert framework is None or framework in FRAMEWORKS, f"{where}: no framework {framework!r}"
        assert models.entries(kind, framework), where  # raises when nobody defines it


def test_every_kind_is_defined_by_a_model_and_asked_by_a_rule():
    asked = {kind for _, kind, _ in questions()}
    defined = {e.kind for e in every_entry()}
    assert set(KINDS) == asked == defined


def test_every_framework_has_the_sections_its_rules_ask_for():
    per_framework = {(kind, framework) for _, kind, framework in questions() if framework}
    # the native rules read FastAPI's raw request data (BL402); every framework's request data is the
    # taint engine's (taint/models/web.toml), which BL401/BL403 and the injection rules follow
    assert {framework for kind, framework in per_framework if kind == "request-source"} == {"fastapi"}
    from backend_lint.taint import spec as taint_models

    loaded = taint_models.load()
    taint_frameworks = set(loaded.frameworks.values()) | set(loaded.request_attributes)
    assert {"flask", "django", "starlette"} <= taint_frameworks  # FastAPI's Request is Starlette's
    for framework in FRAMEWORKS:
        assert any(m.framework == framework for m in models.load().values()), framework
        for kind in (k for k, spec in KINDS.items() if spec.per_framework):
            if (kind, framework) in per_framework:
                assert models.entries(kind, framework)


def test_frameworks_are_those_a_function_role_can_name():
    source = (SRC / "semantic.py").read_text(encoding="utf-8")
    named = {
        node.args[0].value for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "FunctionRole" and node.args
        and isinstance(node.args[0], ast.Constant)
    }  # fmt: skip
    assert named - {"cli"} == set(FRAMEWORKS)


def test_sql_methods_of_one_name_agree_on_being_sql_only():
    certain: dict[str, set[bool]] = {}
    for e in models.entries("sql-method"):
        certain.setdefault(e.last, set()).add(e.certain)
    assert all(len(values) == 1 for values in certain.values()), certain


@pytest.mark.parametrize(
    "raw, problem",
    [
        ({}, "a [model] table with a title"),
        ({"model": {"title": "X", "framework": "bottle"}}, "unknown framework"),
        ({"model": {"title": "X", "owner": "me"}}, "unknown [model] keys"),
        ({"model": {"title": "X"}, "sink": [{"names": ["a.b"]}]}, "unknown kind"),
        ({"model": {"title": "X"}, "request-source": [{"names": ["a.b"]}]}, "framework model"),
        ({"model": {"title": "X"}, "converter": {"names": ["a.b"]}}, "array of tables"),
        ({"model": {"title": "X"}, "converter": [{"names": []}]}, "non-empty list"),
        ({"model": {"title": "X"}, "converter": [{"names": ["a.b"], "match": "module"}]}, "is not one of"),
        ({"model": {"title": "X"}, "sql-function": [{"names": ["a.b"]}]}, "required ['label']"),
        ({"model": {"title": "X"}, "converter": [{"names": ["a.b"], "call": True}]}, "allowed []"),
        ({"model": {"title": "X"}, "sql-method": [{"names": ["a.b"], "certain": "yes"}]}, "must be a bool"),
        ({"model": {"title": "X"}, "error-text": [{"names": ["a.b"], "cwe": [79]}]}, "unknown CWE"),
        ({"model": {"title": "X"}, "converter": [{"names": ["parse_thing"]}]}, "not a qualified name"),
        ({"model": {"title": "X"}, "converter": [{"names": ["a..b"]}]}, "not a qualified name"),
    ],
)
def test_malformed_models_are_refused(raw, problem):
    with pytest.raises(ModelError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        models.parse("broken", raw)


def test_bare_names_are_builtins_modules_or_conventions():
    assert models.well_formed("int", models.QUALIFIED, "stdlib")
    assert models.well_formed("pydantic", models.MODULE, "validation")
    assert models.well_formed("quote_table_name", models.NAME, models.CONVENTIONS)
    assert not models.well_formed("quote_table_name", models.NAME, "sqlalchemy")


def test_asking_for_a_kind_or_framework_nobody_defines_raises():
    with pytest.raises(ModelError, match="no kind"):
        models.entries("sanitiser")
    with pytest.raises(ModelError, match="no framework"):
        models.qualified("request-source", "bottle")
    with pytest.raises(ModelError, match="no flow model defines 'request-class' for flask"):
        models.entries("request-class", "flask")


def test_answers_keep_the_shape_rules_match_with():
    assert {"int", "decimal.Decimal"} <= models.qualified("converter") and "Decimal" in models.names("converter")
    assert "int" not in models.names("converter")  # `numpy.int(x)` is no converter
    assert "pydantic." in models.modules("validation-library")
    assert models.qualified("request-source", "fastapi") >= {"starlette.requests.Request.json"}
    assert "json" in models.names("request-source", "fastapi")


def test_importing_the_rules_reads_no_model_file():
    code = "import backend_lint.checks as c, backend_lint.flow.models as m; c.discover(); print(m.load.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0"
