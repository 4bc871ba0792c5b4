"""Suppression comments: where they apply, what they name, reasons, --show-suppressed, unused ones."""

from __future__ import annotations

import json

import pytest

from backend_lint.suppress import parse_directives
from conftest import lint_tree, run_cli, write


def kept_and_suppressed(tmp_path, source: str, **config):
    write(tmp_path, "app.py", source)
    report = lint_tree(tmp_path, **config)
    assert report.errors == ()
    return (
        sorted((f.rule, f.line) for f in report.findings),
        sorted((f.rule, f.line, f.suppression.line, f.suppression.reason) for f in report.suppressed),
    )


@pytest.mark.parametrize(
    "source, suppressed",
    [
        ('print("a")  # backend-lint: ignore[BL301]\n', [("BL301", 1, 1, "")]),
        ('print("a")  # backend-lint: ignore[print-used-for-logging]\n', [("BL301", 1, 1, "")]),
        ('print("a")  # backend-lint: ignore[bl301]\n', [("BL301", 1, 1, "")]),
        ('print("a")  # backend-lint: ignore[BL201, BL301]\n', [("BL301", 1, 1, "")]),
        ('print("a")  # backend-lint: ignore\n', [("BL301", 1, 1, "")]),  # bare: every rule
        ('print("a")  # backend-lint: ignore[BL301] -- CLI output, see OPS-12\n',
         [("BL301", 1, 1, "CLI output, see OPS-12")]),
        ('print("a")  # noqa: BL301\n', [("BL301", 1, 1, "")]),
        ('print("a")  # noqa: E501, BL301 -- both tools\n', [("BL301", 1, 1, "both tools")]),
        ('print("a")  # NOQA: BL301\n', [("BL301", 1, 1, "")]),  # as ruff and flake8 accept it
        ('print("a")  # Backend-Lint: IGNORE[BL301]\n', [("BL301", 1, 1, "")]),
        ('print("a")  # type: ignore  # backend-lint: ignore[BL301]\n', [("BL301", 1, 1, "")]),
        # any line of a multi-line statement
        ('print(\n    "a",\n    "b",  # backend-lint: ignore[BL301] -- inner line\n)\n',
         [("BL301", 1, 3, "inner line")]),
        ('print(\n    "a",\n)  # noqa: BL301\n', [("BL301", 1, 3, "")]),
        # a multi-line compound-statement header
        ("try:\n    pass\nexcept (\n    Exception  # backend-lint: ignore[BL201]\n):\n    pass\n",
         [("BL201", 3, 4, "")]),
    ],
)  # fmt: skip
def test_suppressed(tmp_path, source, suppressed):
    kept, silenced = kept_and_suppressed(tmp_path, source)
    assert kept == [] and silenced == suppressed


@pytest.mark.parametrize(
    "source",
    [
        'print("a")  # noqa: E501\n',  # another tool's code
        'print("a")  # noqa\n',  # a bare noqa is for other tools; ours must name our rule
        'print("a")  # backend-lint: ignore[BL201]\n',  # another rule
        'print("a")  # backend-lint: ignore[BL3]\n',  # prefixes are not accepted in suppressions
        'x = "# backend-lint: ignore[BL301]"; print(x)\n',  # text in a string, not a comment
        'print("""\n# backend-lint: ignore[BL301]\n""")\n',  # inside a multi-line string
        'print("a")\n# backend-lint: ignore[BL301]\n',  # the next line is another statement
        '# backend-lint: ignore[BL301]\nprint("a")\n',  # so is the previous one
        'def f():  # backend-lint: ignore[BL301]\n    print("a")\n',  # a def header does not cover its body
    ],
)
def test_not_suppressed(tmp_path, source):
    kept, silenced = kept_and_suppressed(tmp_path, source)
    assert [rule for rule, _ in kept] == ["BL301"] and silenced == []


def test_only_the_named_rule_on_a_line_is_silenced(tmp_path):
    source = "try:\n    pass\nexcept Exception: password = 'Xq9vLr7TzK2mWp4B'  # backend-lint: ignore[BL101]\n"
    kept, silenced = kept_and_suppressed(tmp_path, source)
    assert kept == [("BL201", 3)] and [s[0] for s in silenced] == ["BL101"]


def test_parse_directives_reads_only_comments():
    source = 's = "# noqa: BL301"\nx = 1  # noqa: BL301 -- why\ny = 2  # backend-lint: ignore\n'
    directives = parse_directives(source)
    assert [(d.line, d.codes, d.reason, d.noqa) for d in directives] == [
        (2, frozenset({"BL301"}), "why", True),
        (3, None, "", False),
    ]


# -- through the CLI ----------------------------------------------------------------------------------

SOURCE = """\
def handler():
    print("a")  # backend-lint: ignore[BL301] -- temporary, see OPS-12
    print("b")  # noqa: BL301
    x = 1  # backend-lint: ignore[BL201] -- stale
    y = 2  # noqa: E501
    z = 3  # backend-lint: ignore[BL777]
"""


def test_show_suppressed_json(tmp_path):
    write(tmp_path, "app.py", SOURCE)
    plain = json.loads(run_cli("--format", "json", cwd=tmp_path).stdout)
    assert plain["findings"] == [] and "suppressed" not in plain
    assert plain["summary"]["suppressed"] == 2
    proc = run_cli("--format", "json", "--show-suppressed", cwd=tmp_path)
    assert proc.returncode == 0  # suppressed findings do not fail the run
    report = json.loads(proc.stdout)
    assert [(f["rule"], f["line"], f["suppression"]) for f in report["suppressed"]] == [
        ("BL301", 2, {"line": 2, "reason": "temporary, see OPS-12", "kind": "comment"}),
        ("BL301", 3, {"line": 3, "reason": "", "kind": "comment"}),
    ]


def test_show_suppressed_text(tmp_path):
    write(tmp_path, "app.py", SOURCE)
    assert "Suppressed" not in run_cli(cwd=tmp_path).stdout
    out = run_cli("--show-suppressed", cwd=tmp_path).stdout
    assert "Suppressed (2)" in out
    assert "app.py:2:5 BL301 print-used-for-logging -- temporary, see OPS-12" in out
    assert "app.py:3:5 BL301 print-used-for-logging" in out
    assert out.rstrip().endswith("2 suppressed.")


def test_report_unused_suppressions(tmp_path):
    write(tmp_path, "app.py", SOURCE)
    proc = run_cli("--format", "json", "--report-unused-suppressions", cwd=tmp_path)
    assert proc.returncode == 1
    got = [(f["rule"], f["line"], f["message"]) for f in json.loads(proc.stdout)["findings"]]
    assert got == [
        ("BL901", 4, "suppression of BL201 silences nothing here"),
        ("BL901", 6, "suppression names unknown rule BL777"),
    ]  # the E501 noqa belongs to another tool; the used ones are not reported
    assert run_cli("--format", "json", cwd=tmp_path).returncode == 0  # off by default


def test_unused_suppression_of_a_rule_that_did_not_run_is_not_judged(tmp_path):
    write(tmp_path, "app.py", "x = 1  # backend-lint: ignore[BL201]\n")
    proc = run_cli("--format", "json", "--report-unused-suppressions", "--select", "BL301,BL901", cwd=tmp_path)
    assert json.loads(proc.stdout)["findings"] == []
