"""Compare backend-lint with bandit and ruff on the four fixture projects, family by family.

    python bench/compare.py [--match line|function] [--details] [--compact] [PROJECT_DIR ...]

Ground truth is the `# expect: BL…` markers in the fixture projects (tests/fixtures/*): each marks a
line where a senior reviewer expects a finding of one of issue 3's five families. In one run the
script lints every project with

    backend-lint PROJECT --format json --select <the BL1-BL5 rules installed> [--engines native]
    bandit -r PROJECT -f json
    ruff check --select S,BLE,T20 --output-format json --no-cache --isolated PROJECT

maps every tool's codes to a family (table FAMILY_OF below; codes outside it are counted as "other",
not scored) and prints one Markdown table per family, then a summary.

What counts as a match: a finding matches a marker when it is in the same file, on the same line
(`--match line`, the default) and of the same family; codes are compared at family level only, so
bandit's B105 on a line marked BL101 is a hit. Each marker is matched at most once; a finding that
matches no marker is a false positive, even when the tool is right to point at that code for another
reason (ruff's S608 on the line that *builds* a query executed two lines later). `--match function`
relaxes "same line" to "same innermost function" (code outside functions still needs the same line),
which credits tools that report where a query string is built instead of where it is executed.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import io
import json
import re
import shutil
import subprocess
import sys
import tokenize
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PROJECTS = ("flask_app", "fastapi_app", "django_app", "dbapi_service")
MARKER = re.compile(r"#\s*expect:\s*(BL\d{3}(?:\s*,\s*BL\d{3})*)\s*$")

FAMILIES = {
    "secrets": "hard-coded secrets (BL1xx)",
    "exceptions": "silent / leaking exceptions (BL2xx)",
    "print-logging": "print for logging, secrets in logs (BL3xx)",
    "input": "unvalidated request input (BL4xx)",
    "sql": "SQL built from strings (BL5xx)",
}
_BL_FAMILY = {"BL1": "secrets", "BL2": "exceptions", "BL3": "print-logging", "BL4": "input", "BL5": "sql"}
FAMILY_OF = {
    "bandit": {
        "B105": "secrets", "B106": "secrets", "B107": "secrets",  # hardcoded password string/funcarg/default
        "B110": "exceptions", "B112": "exceptions",  # try-except-pass / -continue
        "B608": "sql", "B610": "sql", "B611": "sql",  # string-built SQL, Django extra(), RawSQL
    },
    "ruff": {
        "S105": "secrets", "S106": "secrets", "S107": "secrets",
        "S110": "exceptions", "S112": "exceptions", "BLE001": "exceptions",
        "T201": "print-logging", "T203": "print-logging",
        "S608": "sql", "S610": "sql", "S611": "sql",
    },
}  # fmt: skip
TOOLS = ("backend-lint", "bandit", "ruff")


@dataclass(frozen=True)
class Hit:
    path: str  # relative to the fixtures' parent folder, POSIX
    line: int
    family: str | None  # None: outside the five families
    code: str


def family_of(tool: str, code: str) -> str | None:
    if tool == "backend-lint":
        return _BL_FAMILY.get(code[:3])
    return FAMILY_OF[tool].get(code)


# -- ground truth ------------------------------------------------------------------------------------
def read_markers(project: Path, base: Path) -> list[Hit]:
    hits = []
    for path in sorted(project.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and (match := MARKER.search(token.string)):
                shown = path.relative_to(base).as_posix()
                for code in (c.strip() for c in match.group(1).split(",")):
                    hits.append(Hit(shown, token.start[0], family_of("backend-lint", code), code))
    return hits


# -- running the tools -------------------------------------------------------------------------------
def _run(command: list[str], ok: tuple[int, ...] = (0, 1)) -> str:
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    return done.stdout


def _rel(path: str, base: Path) -> str:
    return (REPO / path).resolve().relative_to(base).as_posix()


def run_backend_lint(project: Path, base: Path) -> list[Hit]:
    rules = json.loads(_run([sys.executable, "-m", "backend_lint", "rules", "--format", "json"]))
    codes = sorted(r["code"] for r in rules if r["code"][:3] in _BL_FAMILY)
    help_text = _run([sys.executable, "-m", "backend_lint", "--help"])
    engines = ["--engines", "native"] if "--engines" in help_text else []
    report = json.loads(_run([
        sys.executable, "-m", "backend_lint", str(project), "--format", "json",
        "--select", ",".join(codes), *engines, "--exit-zero",
    ]))  # fmt: skip
    if report["errors"]:
        raise SystemExit(f"backend-lint could not analyse: {report['errors']}")
    return [
        Hit(_rel(f["path"], base), f["line"], family_of("backend-lint", f["rule"]), f["rule"])
        for f in report["findings"]
    ]


def run_bandit(project: Path, base: Path) -> list[Hit]:
    report = json.loads(_run([_tool("bandit"), "-r", str(project), "-f", "json", "-q"]))
    return [
        Hit(_rel(r["filename"], base), r["line_number"], family_of("bandit", r["test_id"]), r["test_id"])
        for r in report["results"]
    ]


def run_ruff(project: Path, base: Path) -> list[Hit]:
    command = [_tool("ruff"), "check", "--select", "S,BLE,T20", "--output-format", "json", "--no-cache", "--isolated"]
    report = json.loads(_run([*command, str(project)]))
    return [
        Hit(_rel(r["filename"], base), r["location"]["row"], family_of("ruff", r["code"]), r["code"]) for r in report
    ]


def _tool(name: str) -> str:
    beside = Path(sys.executable).with_name(name)  # the tool installed in this interpreter's venv
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed (pip install {name})")
    return found


def version(tool: str) -> str:
    if tool == "backend-lint":
        return _run([sys.executable, "-m", "backend_lint", "--version"]).strip()
    return _run([_tool(tool), "--version"]).splitlines()[0].strip()


# -- scoring -----------------------------------------------------------------------------------------
def function_scopes(path: Path) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function, innermost last when sorted by start."""
    scopes = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    scopes.append((first, child.end_lineno, name))
                walk(child, name + ".")
            else:
                walk(child, prefix)

    walk(ast.parse(path.read_text(encoding="utf-8")), "")
    return sorted(scopes)


def make_locator(base: Path, mode: str):
    cache: dict[str, list[tuple[int, int, str]]] = {}

    def locate(hit: Hit) -> tuple:
        if mode == "line":
            return (hit.path, hit.line, hit.family)
        scopes = cache.setdefault(hit.path, function_scopes(base / hit.path))
        inner = [name for first, last, name in scopes if first <= hit.line <= last]
        return (hit.path, inner[-1] if inner else hit.line, hit.family)  # outside functions: same line

    return locate


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    false_positives: int = 0

    @property
    def missed(self) -> int:
        return self.expected - self.found


def score(expected: list[Hit], reported: list[Hit], locate, wrong: list[str] | None = None) -> dict[str, Score]:
    """Scores per family; `wrong` (if given) collects a line per false positive and per missed marker."""
    scores = {family: Score() for family in FAMILIES}
    open_markers: dict[tuple, list[Hit]] = {}
    for hit in expected:
        scores[hit.family].expected += 1
        open_markers.setdefault(locate(hit), []).append(hit)
    for hit in sorted(set(reported), key=lambda h: (h.path, h.line, h.code)):
        if hit.family is None:
            continue
        waiting = open_markers.get(locate(hit))
        if waiting:
            waiting.pop(0)
            scores[hit.family].found += 1
        else:
            scores[hit.family].false_positives += 1
            if wrong is not None:
                wrong.append(f"false positive  {hit.path}:{hit.line} {hit.code}")
    if wrong is not None:
        wrong += [f"missed          {h.path}:{h.line} {h.code}" for left in open_markers.values() for h in left]
    return scores


def _dedupe(hits: list[Hit]) -> list[Hit]:
    """One hit per (path, line, family) and tool: two codes of one family on a line are one finding."""
    seen, out = set(), []
    for hit in hits:
        key = (hit.path, hit.line, hit.family or hit.code)
        if key not in seen:
            seen.add(key)
            out.append(hit)
    return out


# -- output ------------------------------------------------------------------------------------------
def render(expected, results: dict[str, list[Hit]], mode, versions, projects, details=False, compact=False) -> str:
    locate = make_locator(projects[0].parent, mode)
    wrong: dict[str, list[str]] = {tool: [] for tool in results}
    scores = {tool: score(expected, _dedupe(hits), locate, wrong[tool]) for tool, hits in results.items()}
    match = "same file, same line" if mode == "line" else "same file, same innermost function"
    out = [
        f"Measured {datetime.date.today().isoformat()} on {', '.join(p.name for p in projects)} "
        f"({len(expected)} expected findings). Match: {match}, same family. Tools: "
        + "; ".join(versions[t] for t in results) + ".",
        "",
    ]
    if compact:
        return "\n".join(out + _compact_table(scores))
    for family, title in FAMILIES.items():
        out += [f"**{title}**", "", "| tool | expected | found | missed | false positives |", "|---|--:|--:|--:|--:|"]
        for tool, by_family in scores.items():
            s = by_family[family]
            out.append(f"| {tool} | {s.expected} | {s.found} | {s.missed} | {s.false_positives} |")
        out.append("")
    out += [
        "**All five families**", "",
        "| tool | expected | found | missed | false positives | other findings (not scored) |",
        "|---|--:|--:|--:|--:|--:|",
    ]  # fmt: skip
    for tool, by_family in scores.items():
        total = Score(
            expected=sum(s.expected for s in by_family.values()),
            found=sum(s.found for s in by_family.values()),
            false_positives=sum(s.false_positives for s in by_family.values()),
        )
        other = Counter(h.code for h in _dedupe(results[tool]) if h.family is None)
        other_text = str(sum(other.values()))
        if other:
            other_text += f" ({', '.join(f'{c}×{n}' for c, n in sorted(other.items()))})"
        row = (tool, total.expected, total.found, total.missed, total.false_positives, other_text)
        out.append("| " + " | ".join(map(str, row)) + " |")
    if details:
        for tool, lines in wrong.items():
            out += ["", f"{tool}:", *(f"    {line}" for line in sorted(lines, key=_by_place))]
    return "\n".join(out)


def _compact_table(scores: dict[str, dict[str, Score]]) -> list[str]:
    """One table: a row per family, a `found / missed / false positives` column per tool."""
    tools = list(scores)
    out = [
        "| family | expected | " + " | ".join(f"{t}: found / missed / FP" for t in tools) + " |",
        "|---|--:|" + "--:|" * len(tools),
    ]
    totals = {tool: Score() for tool in tools}
    for family, title in FAMILIES.items():
        cells = []
        for tool in tools:
            s = scores[tool][family]
            totals[tool].expected += s.expected
            totals[tool].found += s.found
            totals[tool].false_positives += s.false_positives
            cells.append(f"{s.found} / {s.missed} / {s.false_positives}")
        out.append(f"| {title} | {scores[tools[0]][family].expected} | " + " | ".join(cells) + " |")
    cells = [f"**{t.found} / {t.missed} / {t.false_positives}**" for t in totals.values()]
    out.append(f"| **all five** | **{totals[tools[0]].expected}** | " + " | ".join(cells) + " |")
    return out


def _by_place(line: str) -> tuple:
    kind, *_, place, _code = line.split()
    path, number = place.rsplit(":", 1)
    return (kind, path, int(number))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="*", type=Path, help="fixture projects (default: the four of tests/fixtures)")
    parser.add_argument("--match", choices=("line", "function"), default="line", help="what counts as a match")
    parser.add_argument("--details", action="store_true", help="list every false positive and missed marker")
    parser.add_argument("--compact", action="store_true", help="one table, a row per family (used in the README)")
    args = parser.parse_args(argv)
    projects = [p.resolve() for p in args.projects] or [REPO / "tests" / "fixtures" / name for name in DEFAULT_PROJECTS]
    base = projects[0].parent
    if any(p.parent != base for p in projects):
        raise SystemExit("the projects must sit in one folder")
    expected = [hit for p in projects for hit in read_markers(p, base)]
    runners = {"backend-lint": run_backend_lint, "bandit": run_bandit, "ruff": run_ruff}
    results = {tool: [hit for p in projects for hit in runners[tool](p, base)] for tool in TOOLS}
    print(render(expected, results, args.match, {t: version(t) for t in TOOLS}, projects, args.details, args.compact))
    return 0


if __name__ == "__main__":
    sys.exit(main())
