"""The taint engine end to end on five small framework projects (tests/fixtures/taint/).

Each project is a realistic backend of one framework: flask_shop (Flask blueprints and a services
package), fastapi_api (routers, dependencies, pydantic models), django_site (function views, DRF
views and viewsets, forms, serializers, a URLconf), aiohttp_app (handlers, a class-based view,
request helpers) and graphql_app (graphene and strawberry, with a wrapper module). Their flows
cross modules: the source in a view and the sink in a service, a helper that returns request data,
a command built in one function and run in another.

The markers are comments on the sink line (the finding is reported there):

- `# expect: BL4xx` a flow that must be reported with that rule;
- `# ok: BL4xx <why>` a look-alike that must not be: a sanitizer, a check, or a precision pattern
  (dead branch, constant reassignment, another container slot, a helper returning a constant).

The CLI runs once per project (`--engines taint`, from the project's folder) and the set of
(path, line, rule) it reports must equal the `# expect:` markers. Where the engine is known to be
wrong today, the line is listed in GAPS: it is left out of that comparison and checked on its own
as a strict xfail, which starts failing (XPASS) once the engine gets it right; then the entry goes.
"""

from __future__ import annotations

import functools
import io
import json
import re
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend_lint.taint.rules import RULES

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "taint"
PROJECTS = ("flask_shop", "fastapi_api", "django_site", "aiohttp_app", "graphql_app")
CODES = frozenset(rule.code for rule in RULES)
MARKER = re.compile(r"#\s*(expect|ok):\s*(BL\d+)\b\s*(.*)$")

Key = tuple[str, int, str]  # (path relative to the project, line, rule code)


@dataclass(frozen=True)
class Marker:
    kind: str  # "expect" or "ok"
    path: str
    line: int
    code: str
    why: str


@dataclass(frozen=True)
class Gap:
    """A marked line the engine gets wrong today: a flow it misses or a look-alike it reports."""

    project: str
    path: str
    text: str  # a piece of the sink line, unique in the file (lines move; the code stays)
    code: str
    kind: str  # "missed" (an `# expect:` line) or "reported" (an `# ok:` line)
    reason: str

    def line(self) -> int:
        return find_line(self.project, self.path, self.text)


def find_line(project: str, path: str, text: str) -> int:
    lines = (FIXTURES / project / path).read_text(encoding="utf-8").splitlines()
    found = [number for number, line in enumerate(lines, 1) if text in line]
    if len(found) != 1:  # not an AssertionError: a gap whose line is lost must fail, not xfail
        raise LookupError(f"{project}/{path}: {text!r} is on lines {found}, not on exactly one")
    return found[0]


GAPS: tuple[Gap, ...] = ()  # none known today

# For one flow per project: the sink (path, text on its line) and the source (path, text on its line).
TRACES = {
    "flask_shop": ("BL410", ("shop/services/catalog.py", "LIKE '%{term}%'"),
                   ("shop/routes/catalog.py", 'search_products(request.args["q"])')),
    "fastapi_api": ("BL412", ("api/services/formula.py", "eval(expression, {\"__builtins__\": {}}, variables)"),
                    ("api/routers/reports.py", "def preview_price(rule: PricingRule")),
    "django_site": ("BL410", ("directory/services.py", "WHERE last_name = '%s'"),
                    ("directory/views.py", 'employees_named(request.GET["name"])')),
    "aiohttp_app": ("BL411", ("inventory/jobs.py", "create_subprocess_shell(command)"),
                    ("inventory/params.py", "return await request.json()")),
    "graphql_app": ("BL411", ("hr/wrappers.py", "with os.popen(command)"),
                    ("hr/schema.py", "def resolve_headcount_report(root, info, team)")),
}  # fmt: skip


def markers(project: Path) -> list[Marker]:
    """Every `# expect:` / `# ok:` marker of the project, read from real comments only."""
    out = []
    for path in sorted(project.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.COMMENT or not re.search(r"#\s*(expect|ok):", token.string):
                continue
            match = MARKER.search(token.string)
            if match is None or match.group(2) not in CODES:  # a mistyped marker must not silently expect nothing
                raise ValueError(f"{path}:{token.start[0]}: malformed marker {token.string!r}")
            kind, code, why = match.groups()
            out.append(Marker(kind, path.relative_to(project).as_posix(), token.start[0], code, why.strip()))
    return out


@functools.cache
def _lint(name: str) -> dict:
    command = [sys.executable, "-P", "-m", "backend_lint", "--engines", "taint", "--format", "json", "--no-cache", "."]
    done = subprocess.run(command, cwd=FIXTURES / name, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode in (0, 1), f"{name}: exit {done.returncode}\n{done.stderr}\n{done.stdout[:2000]}"
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def report():
    """The CLI's JSON report of a project, run once per project for the whole module."""
    return _lint


def found_keys(data: dict) -> set[Key]:
    return {(f["path"], f["line"], f["rule"]) for f in data["findings"]}


def gap_key(gap: Gap) -> Key:
    return (gap.path, gap.line(), gap.code)


def describe(name: str, missing: set[Key], extra: set[Key]) -> str:
    def code(path: str, line: int) -> str:
        return (FIXTURES / name / path).read_text(encoding="utf-8").splitlines()[line - 1].strip()

    out = [f"{name}: {len(missing)} expected finding(s) missing, {len(extra)} unexpected"]
    out += [f"  missing    {p}:{n} {c}    {code(p, n)}" for p, n, c in sorted(missing)]
    out += [f"  unexpected {p}:{n} {c}    {code(p, n)}" for p, n, c in sorted(extra)]
    return "\n".join(out)


@pytest.mark.parametrize("name", PROJECTS)
def test_findings_are_the_expect_markers(report, name):
    data = report(name)
    assert data["errors"] == [], data["errors"]
    gaps = {gap_key(g) for g in GAPS if g.project == name}
    expected = {(m.path, m.line, m.code) for m in markers(FIXTURES / name) if m.kind == "expect"} - gaps
    found = found_keys(data) - gaps
    assert found == expected, describe(name, expected - found, found - expected)


@pytest.mark.parametrize(
    "gap",
    [pytest.param(g, id=f"{g.project}-{g.path}-{g.code}-{g.kind}", marks=pytest.mark.xfail(raises=AssertionError, strict=True, reason=f"gap: {g.reason}"))
     for g in GAPS],
)  # fmt: skip
def test_known_gap(report, gap):
    """Passes once the engine is right on this line: a missed flow is reported, a look-alike is not."""
    found = found_keys(report(gap.project))
    if gap.kind == "missed":
        assert gap_key(gap) in found
    else:
        assert gap_key(gap) not in found


@pytest.mark.parametrize("name", PROJECTS)
def test_the_trace_runs_from_the_source_to_the_sink(report, name):
    code, (sink_path, sink_text), (source_path, source_text) = TRACES[name]
    sink_line, source_line = find_line(name, sink_path, sink_text), find_line(name, source_path, source_text)
    [finding] = [f for f in report(name)["findings"] if (f["path"], f["line"], f["rule"]) == (sink_path, sink_line, code)]
    first, last = finding["trace"][0], finding["trace"][-1]
    assert (first["path"], first["line"]) == (source_path, source_line)
    assert (last["path"], last["line"]) == (sink_path, sink_line)


# -- the fixtures themselves: they must exercise what the tests above claim to check ---------------


def test_every_gap_is_a_marked_line_of_its_kind():
    for gap in GAPS:
        kind = {"missed": "expect", "reported": "ok"}[gap.kind]
        marked = {(m.path, m.line, m.code) for m in markers(FIXTURES / gap.project) if m.kind == kind}
        assert gap_key(gap) in marked, f"{gap.project}/{gap.path}:{gap.line()} carries no `# {kind}: {gap.code}`"


def test_every_weakness_has_a_reported_flow_across_modules(report):
    """Each rule has a must-fire flow, found today, whose trace passes through more than one file."""
    crossing = set()
    for name in PROJECTS:
        expected = {(m.path, m.line, m.code) for m in markers(FIXTURES / name) if m.kind == "expect"}
        for finding in report(name)["findings"]:
            if (finding["path"], finding["line"], finding["rule"]) in expected and len({s["path"] for s in finding["trace"]}) > 1:
                crossing.add(finding["rule"])
    assert crossing == CODES, f"no reported cross-module flow for {sorted(CODES - crossing)}"


@pytest.mark.parametrize("name", PROJECTS)
def test_markers_are_one_per_line_and_look_alikes_say_why(name):
    found = markers(FIXTURES / name)
    lines = [(m.path, m.line) for m in found]
    assert len(lines) == len(set(lines)), f"{name}: a line with two markers"
    assert {m.kind for m in found} == {"expect", "ok"}, f"{name}: needs must-fire and must-not-fire lines"
    assert all(m.why for m in found if m.kind == "ok"), f"{name}: an `# ok:` marker without its reason"


def test_a_malformed_marker_is_an_error(tmp_path):
    (tmp_path / "views.py").write_text("run(cmd)  # expect: shell injection\n", encoding="utf-8")
    with pytest.raises(ValueError, match="views.py:1: malformed marker"):
        markers(tmp_path)
    (tmp_path / "views.py").write_text('NOTE = "# expect: BL999"\nrun(cmd)  # ok: BL411 quoted\n', encoding="utf-8")
    assert markers(tmp_path) == [Marker("ok", "views.py", 2, "BL411", "quoted")]
