"""The taint engine's incremental link: a warm run links again only what a change can reach, and
reports exactly what a run without any cache reports.

On each fixture project (tests/fixtures/taint/ and the Flask / Django fixture apps), edits of
every kind the link state must notice are applied one after the other, and after each the run
with the cache (which takes the links of untouched modules from the last run) is compared, finding
by finding (rule, place, message, trace, fingerprint), with a run from nothing:

- a comment added to a module (its content changes, its names do not);
- a sanitizer removed from a module's code (`int(...)` -> `str(...)`, `escape(` -> `str(`): flows
  into that module from other modules start or stop;
- a function added to a module (the names the project index resolves change);
- a module deleted (imports of it resolve to nothing), then written back, among them each module
  on the path of a flow;
- a form, serializer or schema field made text (`forms.IntegerField(` -> `forms.CharField(`):
  only the schema's module changes, the views reading the field get flows;
- a URL converter changed (`<int:pk>` -> `<str:pk>`): a view's URL parameters, declared in a
  URLconf that imports the view (not the other way round), change.

The edits must change the findings somewhere (or the comparison proves little), and a comment in
one module must not relink the whole project (or the state is not used at all).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest

from backend_lint.config import Config
from backend_lint.run import runner

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECTS = ("taint/flask_shop", "taint/fastapi_api", "taint/django_site", "taint/aiohttp_app", "taint/graphql_app",
            "flask_app", "django_app")  # fmt: skip
SANITIZERS = (("int(", "str("), ("escape(", "str("), ("quote(", "str("), ("safe_join(", "os.path.join("))
# a harmless field made text: only the schema's module changes, the field reads elsewhere change meaning
FIELD_TYPES = (("forms.IntegerField(", "forms.CharField("), ("serializers.IntegerField(", "serializers.CharField("),
               ("fields.Integer(", "fields.String("), ("year: int = Field(", "year: str = Field("))


def lint(root: Path, cache: Path | None) -> tuple[list[dict], runner.RunStats]:
    config = Config(root=root, engines=("taint",))
    old = os.getcwd()
    os.chdir(root)
    try:
        options = runner.RunOptions(jobs=1, cache_dir=str(cache) if cache else None)
        report, stats = runner.run_counted(["."], config, options)
    finally:
        os.chdir(old)
    return sorted((asdict(f) for f in report.findings), key=repr), stats


def sources(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if ".backend_lint_cache" not in p.parts)


def edits(root: Path, found: list[dict]):
    """(what, apply) for the edits of one project, in order; each applies on top of the others.
    `found`: the findings before them (the files of their sources and sinks get edited too)."""
    files = sources(root)
    for step in sorted({step["path"] for f in found for step in f["trace"]}):
        path = root / step
        text = path.read_text()
        yield f"{step} (on a flow's path) deleted", lambda p=path: p.unlink()
        yield f"{step} written back", lambda p=path, t=text: p.write_text(t)
    modules = [p for p in files if p.name != "__init__.py"]
    for path in modules[::3]:
        yield f"comment in {path.name}", lambda p=path: p.write_text(p.read_text() + "\n# edited\n")
    for path in files:
        text = path.read_text()
        for old, new in SANITIZERS:
            if old in text:
                yield f"{old} removed in {path.name}", lambda p=path, o=old, n=new: p.write_text(p.read_text().replace(o, n))
                break
    for path in modules[1::4]:
        yield f"function added to {path.name}", lambda p=path: p.write_text(p.read_text() + "\n\ndef added_by_test(x):\n    return x\n")
    for path in modules[2::4]:
        text = path.read_text()
        yield f"{path.name} deleted", lambda p=path: p.unlink()
        yield f"{path.name} written back", lambda p=path, t=text: p.write_text(t)
    for path in files:
        text = path.read_text()
        for old, new in FIELD_TYPES:
            if old in text:  # the form's module changes, the views reading its fields do not
                yield f"{old} made {new} in {path.name}", lambda p=path, o=old, n=new: p.write_text(p.read_text().replace(o, n))
                break
    for path in files:
        text = path.read_text()
        if re.search(r"<(int|uuid|slug):", text):
            yield f"URL converter changed in {path.name}", lambda p=path: p.write_text(re.sub(r"<(int|uuid|slug):", "<str:", p.read_text()))


@pytest.mark.parametrize("project", PROJECTS)
def test_incremental_link_reports_what_a_full_link_does(project, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / project, root)
    cache = tmp_path / "cache"
    first, stats = lint(root, cache)
    assert first == lint(root, None)[0]
    assert lint(root, cache)[1].relinked == 0  # nothing changed: every link is the last run's
    seen = {repr(first)}
    for what, apply in list(edits(root, first)):
        apply()
        warm, stats = lint(root, cache)
        cold, _ = lint(root, None)
        assert warm == cold, f"after: {what}"
        seen.add(repr(cold))
    assert len(seen) > 1, "no edit changed the findings: the comparison proves nothing"


def test_a_comment_in_one_module_relinks_only_what_imports_it(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "taint/django_site", root)
    cache = tmp_path / "cache"
    lint(root, cache)
    files = [p for p in sources(root) if p.name != "__init__.py"]
    (root / "staffsite/settings.py").write_text((root / "staffsite/settings.py").read_text() + "# edited\n")
    _, stats = lint(root, cache)
    assert stats.relinked is not None and 0 < stats.relinked < len(files)


def test_a_broken_link_state_is_linked_from_nothing(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "taint/flask_shop", root)
    cache = tmp_path / "cache"
    expected, _ = lint(root, cache)
    (state,) = cache.glob("*/taint.link")
    deep = b'{"layout": 1, "files": {"shop/__init__.py": 7}, "graph": {"x": 1}, "edges": {}, "flows": {"a": [1]}, "params": {}}'
    for broken in (b"{not json", b"[]", b'{"layout": 1, "files": []}', b'{"layout": 999}', deep):
        state.write_bytes(broken)
        assert lint(root, cache)[0] == expected
        state.write_bytes(broken)
        (root / "shop/__init__.py").write_text((root / "shop/__init__.py").read_text() + "# edited\n")
        assert lint(root, cache)[0] == expected


def test_a_warm_run_with_no_change_leaves_the_state_as_it_is(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "taint/flask_shop", root)
    cache = tmp_path / "cache"
    lint(root, cache)
    (state,) = cache.glob("*/taint.link")
    before = state.stat().st_mtime_ns, state.read_bytes()
    lint(root, cache)
    assert (state.stat().st_mtime_ns, state.read_bytes()) == before


def test_a_module_added_to_a_package_is_reached_through_the_package_name(tmp_path):
    """`import app` then `app.helpers.run(...)`: the handler's module imports the package only, so
    a new `app/helpers.py` changes what it links to although no module importing it changed."""
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app/__init__.py").write_text("")
    (root / "app/views.py").write_text(
        "from flask import Flask, request\n\nimport app\n\nweb = Flask(__name__)\n\n\n"
        "@web.route('/run')\ndef run_command():\n    app.helpers.run(request.args['c'])\n    return 'ok'\n"
    )
    cache = tmp_path / "cache"
    assert lint(root, cache)[0] == []
    (root / "app/helpers.py").write_text("import os\n\n\ndef run(command):\n    os.system(command)\n")
    warm = lint(root, cache)[0]
    assert [(f["rule"], f["path"], f["line"]) for f in warm] == [("BL411", "app/helpers.py", 5)]
    assert warm == lint(root, None)[0]
    (root / "app/helpers.py").unlink()
    assert lint(root, cache)[0] == []


def test_flows_through_a_cycle_of_calls_do_not_depend_on_what_was_linked_first(tmp_path):
    """`ping` and `pong` call each other; handlers enter the cycle at either end. A result cut
    short by the cycle must not be reused from another entry, or relinking one handler alone
    (its module edited) gives other flows than linking every handler in order."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "ping.py").write_text(
        "import os\n\nfrom pong import pong\n\n\ndef ping(value, n):\n    if n:\n        return pong(value, n - 1)\n"
        "    os.system(value)\n"
    )
    (root / "pong.py").write_text("import ping as p\n\n\ndef pong(value, n):\n    return p.ping(value, n)\n")
    handler = "from flask import Flask, request\n\n{imp}\n\nweb = Flask(__name__)\n\n\n@web.route('/{name}')\ndef {name}():\n    {call}(request.args['v'], 3)\n    return 'ok'\n"  # fmt: skip
    (root / "a.py").write_text(handler.format(imp="from ping import ping", name="first", call="ping"))
    (root / "b.py").write_text(handler.format(imp="from pong import pong", name="second", call="pong"))
    cache = tmp_path / "cache"
    full = lint(root, cache)[0]
    assert {(f["rule"], f["path"], f["line"]) for f in full} == {("BL411", "ping.py", 9)}
    assert len(full) == 1 and "and 1 other source" in full[0]["message"]  # both handlers reach it
    (root / "b.py").write_text((root / "b.py").read_text() + "# edited\n")
    warm, stats = lint(root, cache)
    assert stats.relinked == 1 and warm == lint(root, None)[0] == full
