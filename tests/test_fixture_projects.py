"""End to end: each fixture project, linted through the CLI, reports exactly its `# expect:` markers.

The four projects under tests/fixtures/ are small but realistic backends (Flask, FastAPI, Django with
DRF, plain DB-API) mixing correct code, the mistakes of the five core rule families and of the semgrep
pack, a few that only ruff reports, and look-alikes that must stay quiet. A finding is expected where a
line ends with `# expect: BL501` (several codes: `# expect: BL101, G004`). The comparison is on the set
of (path, line, code): nothing missing, nothing extra. Two checks read the same markers:

- native only (`--engines native`, BL1xx-BL5xx): the markers of those families;
- every engine installed (no `--engines`, no `--select`): all markers. A problem two engines report is
  one finding, marked with the code merge.py keeps (native, else semgrep over ruff); the other code
  only shows in the finding's `also_reported_by`.

Each project carries a pyproject.toml with a `[tool.backend-lint]` table, so its own `tests/`
folder is what counts as test code (exempt from the print and secret-name rules), not the `tests/`
folder of this repository that happens to hold the fixtures.
"""

from __future__ import annotations

import ast
import functools
import io
import json
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECTS = ("flask_app", "fastapi_app", "django_app", "dbapi_service")
FAMILIES = ("BL1", "BL2", "BL3", "BL4", "BL5")
ENGINES = ("native", "semgrep", "ruff")
MARKER = re.compile(r"#\s*expect:\s*([A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)\s*$")

Key = tuple[str, int, str]  # (path relative to the project, line, rule code)


def expected_findings(project: Path) -> set[Key]:
    """Every `# expect:` marker of the project's Python files, read from real comments only."""
    expected: set[Key] = set()
    for path in sorted(project.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.COMMENT:
                continue
            if "expect:" not in token.string:
                continue
            match = MARKER.search(token.string)
            if match is None:  # a mistyped marker must not silently expect nothing
                raise ValueError(f"{path}:{token.start[0]}: malformed marker {token.string!r}")
            for code in match.group(1).split(","):
                expected.add((path.relative_to(project).as_posix(), token.start[0], code.strip()))
    return expected


def native_markers(expected: set[Key]) -> set[Key]:
    """The markers the in-process BL1xx-BL5xx rules answer for."""
    return {key for key in expected if key[2].startswith(FAMILIES)}


@functools.lru_cache(maxsize=1)
def _engine_flag() -> tuple[str, ...]:
    """`--engines native,taint` once the CLI has the option: these markers describe the in-process
    rules (the input-validation rules BL401/BL403 follow request data with the taint engine)."""
    help_text = subprocess.run(
        [sys.executable, "-m", "backend_lint", "--help"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout
    return ("--engines", "native,taint") if "--engines" in help_text else ()


def lint(project: Path, *, all_engines: bool = False) -> dict:
    """Run the CLI as a user would and return its JSON report (in-process rules only, unless all_engines)."""
    options = () if all_engines else ("--select", ",".join(FAMILIES), *_engine_flag())
    command = [sys.executable, "-m", "backend_lint", str(project.relative_to(REPO)), "--format", "json", *options]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), (
        f"`{' '.join(command[1:])}` exited {done.returncode}\nstderr:\n{done.stderr}\nstdout:\n{done.stdout[:2000]}"
    )
    return json.loads(done.stdout)


def reported_findings(project: Path, report: dict) -> dict[Key, str]:
    """(path, line, code) -> message, for every finding of the report."""
    found = {}
    for finding in report["findings"]:
        path = (REPO / finding["path"]).resolve().relative_to(project).as_posix()
        found[(path, finding["line"], finding["rule"])] = finding["message"]
    return found


def describe(project: Path, missing: set[Key], extra: dict[Key, str]) -> str:
    def source_line(path: str, line: int) -> str:
        lines = (project / path).read_text(encoding="utf-8").splitlines()
        return lines[line - 1].strip() if 0 < line <= len(lines) else "?"

    out = [f"{project.name}: {len(missing)} expected finding(s) missing, {len(extra)} unexpected"]
    if missing:
        out.append("missing (marked `# expect:` but not reported):")
        out += [f"  {p}:{n}: {c}    {source_line(p, n)}" for p, n, c in sorted(missing)]
    if extra:
        out.append("unexpected (reported but not marked):")
        out += [f"  {p}:{n}: {c} {extra[(p, n, c)]}\n      {source_line(p, n)}" for p, n, c in sorted(extra)]
    return "\n".join(out)


@pytest.mark.parametrize("name", PROJECTS)
def test_project_findings_match_markers_exactly(name: str) -> None:
    project = FIXTURES / name
    report = lint(project)
    assert report["errors"] == [], f"files that could not be analysed: {report['errors']}"
    expected = native_markers(expected_findings(project))
    found = reported_findings(project, report)
    missing = expected - found.keys()
    extra = {key: message for key, message in found.items() if key not in expected}
    assert not missing and not extra, describe(project, missing, extra)


@pytest.mark.parametrize("name", PROJECTS)
def test_project_all_engines_match_markers_exactly(name: str) -> None:
    """Native, semgrep and ruff in one de-duplicated report, as `backend-lint <project>` gives it."""
    project = FIXTURES / name
    report = lint(project, all_engines=True)
    assert report["errors"] == [], f"files that could not be analysed: {report['errors']}"
    found = reported_findings(project, report)
    expected = expected_findings(project)
    missing = expected - found.keys()
    extra = {key: message for key, message in found.items() if key not in expected}
    assert not missing and not extra, describe(project, missing, extra)

    findings = report["findings"]
    unrouted = [(f["path"], f["line"], f["rule"]) for f in findings if not f.get("agent") or not f.get("checklist")]
    assert not unrouted, f"findings without agent or checklist: {unrouted}"
    engines = {f["engine"] for f in findings}
    assert set(ENGINES) <= engines, f"{name}: no finding from {sorted(set(ENGINES) - engines)}"
    merged = [f for f in findings if f.get("also_reported_by")]
    assert merged, f"{name}: no finding reported by two engines, so de-duplication is not exercised"
    for finding in merged:
        assert finding["rule"] not in finding["also_reported_by"], finding


# -- the fixtures themselves: they must exercise what the end-to-end test claims to check ----------


@pytest.mark.parametrize("name", PROJECTS)
def test_project_covers_every_family(name: str) -> None:
    families = {code[:3] for _, _, code in expected_findings(FIXTURES / name)}
    applicable = set(FAMILIES) - ({"BL4"} if name == "dbapi_service" else set())  # no HTTP layer
    assert applicable <= families, f"{name} has no marker for {sorted(applicable - families)}"


@pytest.mark.parametrize("name", PROJECTS)
def test_project_is_configured_so_only_its_tests_folder_is_test_code(name: str) -> None:
    """The fixtures live under this repo's tests/; without their own config every file would be a test."""
    project = FIXTURES / name
    assert "[tool.backend-lint]" in (project / "pyproject.toml").read_text(encoding="utf-8")
    test_files = sorted((project / "tests").glob("*.py"))
    assert test_files, f"{name} has no tests/ folder"
    calls = {
        node.func.id
        for path in test_files
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "print" in calls, f"{name}/tests never prints, so the test-file exemption is not exercised"


def test_markers_are_read_from_comments_only(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        'NOTE = "# expect: BL999"\n'
        'x = 1  # expect: BL101, BL302\n',
        encoding="utf-8",
    )
    assert expected_findings(tmp_path) == {("app.py", 2, "BL101"), ("app.py", 2, "BL302")}


def test_markers_accept_semgrep_and_ruff_codes(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1  # expect: BL601, S113, ASYNC251\n", encoding="utf-8")
    assert expected_findings(tmp_path) == {("app.py", 1, "BL601"), ("app.py", 1, "S113"), ("app.py", 1, "ASYNC251")}
    assert native_markers(expected_findings(tmp_path)) == set()


def test_a_malformed_marker_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("y = 2  # expect: SQL injection here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="app.py:1: malformed marker"):
        expected_findings(tmp_path)
