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


# -- other tools' comments (data/equivalents.toml) ----------------------------------------------
PRINT = 'print("a")'
# BL707 is semgrep's; this native pair stands in: BL501 (bandit B608, ruff S608), BL101 (B105, S105).
SQL = 'def find(cur, name):\n    cur.execute("SELECT * FROM users WHERE name = \'%s\'" % name){}\n'
SECRET = 'SECRET_KEY = "Zq8vN3xR7tL2pW9cB4mK6hJ1"{}\n'


@pytest.mark.parametrize(
    "source, rule, silenced",
    [
        (SQL.format("  # nosec B608"), "BL501", True),
        (SQL.format("  # nosec: B608 -- reviewed, the name comes from an enum"), "BL501", True),
        (SQL.format("  # nosec"), "BL501", True),  # bare: every rule bandit has an equivalent for
        (SQL.format("  # nosec B101"), "BL501", False),  # another bandit test
        (SQL.format("  # noqa: S608"), "BL501", True),  # ruff / flake8-bandit code
        (SQL.format("  # noqa: S608 -- reviewed"), "BL501", True),
        (SQL.format("  # noqa: S105"), "BL501", False),
        (SQL.format("  # noqa"), "BL501", False),  # a bare noqa is flake8's business, as before
        (SQL.format("  # nosemgrep: python.lang.security.audit.formatted-sql-query.formatted-sql-query"), "BL501", True),
        (SQL.format("  # nosemgrep: formatted-sql-query"), "BL501", True),  # the id's last part
        (SQL.format("  # nosemgrep"), "BL501", True),
        (SQL.format("  # nosemgrep: python.lang.security.audit.eval-detected.eval-detected"), "BL501", False),
        (SQL.format("  # type: ignore  # nosec B608"), "BL501", True),
        (SECRET.format("  # nosec B105"), "BL101", True),
        (SECRET.format("  # noqa: S105"), "BL101", True),
        (SECRET.format("  # nosemgrep"), "BL101", False),  # no semgrep equivalent listed for BL101
        (SECRET.format("  # nosec B608"), "BL101", False),
        (PRINT + "  # nosec\n", "BL301", False),  # bandit has no print check
        (PRINT + "  # noqa: T201\n", "BL301", True),
    ],
)
def test_foreign_comments_silence_the_equivalent_rule(tmp_path, source, rule, silenced):
    kept, suppressed = kept_and_suppressed(tmp_path, source, select=(rule,))
    assert ([r for r, *_ in suppressed] == [rule]) is silenced, (kept, suppressed)
    assert ([r for r, _ in kept] == [rule]) is not silenced, (kept, suppressed)


def test_ignore_foreign_suppressions_brings_the_findings_back_for_an_audit(tmp_path):
    source = SQL.format("  # nosec B608 -- reviewed") + SECRET.format("  # noqa: S105") + PRINT + "  # noqa: BL301\n"
    kept, suppressed = kept_and_suppressed(
        tmp_path, source, select=("BL501", "BL101", "BL301"), ignore_foreign_suppressions=True
    )
    assert kept == [("BL101", 3), ("BL501", 2)]
    assert suppressed == [("BL301", 4, 4, "")]  # backend-lint's own codes still count


def test_a_foreign_suppression_keeps_its_reason_or_names_the_comment(tmp_path):
    _, suppressed = kept_and_suppressed(tmp_path, SQL.format("  # nosec B608 -- enum values only"), select=("BL501",))
    assert suppressed == [("BL501", 2, 2, "enum values only")]
    _, suppressed = kept_and_suppressed(tmp_path, SQL.format("  # nosec B608"), select=("BL501",))
    assert suppressed == [("BL501", 2, 2, "# nosec: B608")]


def test_a_ruff_style_reason_after_a_single_dash_is_kept(tmp_path):
    _, suppressed = kept_and_suppressed(tmp_path, SQL.format("  # noqa: S608 - the name is an enum value"),
                                        select=("BL501",))  # fmt: skip
    assert suppressed == [("BL501", 2, 2, "the name is an enum value")]
    _, suppressed = kept_and_suppressed(tmp_path, SQL.format("  # noqa: S608"), select=("BL501",))
    assert suppressed == [("BL501", 2, 2, "# noqa: S608")]


def test_foreign_comments_are_never_reported_unused(tmp_path):
    source = PRINT + "\nx = 1  # nosec B608\ny = 2  # nosemgrep\nz = 3  # noqa: S608\n"
    kept, _ = kept_and_suppressed(tmp_path, source, select=("BL301", "BL901"), report_unused_suppressions=True)
    assert kept == [("BL301", 1)]


def test_ignore_foreign_suppressions_is_a_flag_and_a_config_key(tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.backend-lint]\nignore-foreign-suppressions = true\n")
    write(tmp_path, "app.py", SECRET.format("  # nosec"))
    from_config = json.loads(run_cli("--format", "json", "--select", "BL101", ".", cwd=tmp_path).stdout)
    assert [f["rule"] for f in from_config["findings"]] == ["BL101"]
    write(tmp_path, "pyproject.toml", "[tool.backend-lint]\n")
    honoured = json.loads(run_cli("--format", "json", "--select", "BL101", ".", cwd=tmp_path).stdout)
    assert honoured["findings"] == []
    flag = json.loads(run_cli("--format", "json", "--select", "BL101", "--ignore-foreign-suppressions", ".",
                              cwd=tmp_path).stdout)  # fmt: skip
    assert [f["rule"] for f in flag["findings"]] == ["BL101"]


@pytest.mark.parametrize(
    "comment, tool, codes",
    [
        ("# nosec", "nosec", None),
        ("# nosec B608", "nosec", {"B608"}),
        ("# nosec: B608,B105", "nosec", {"B608", "B105"}),
        ("# nosec because the input is an enum", "nosec", None),  # words are no bandit ids
        ("# nosemgrep", "nosemgrep", None),
        ("# nosemgrep: python.django.security.audit.avoid-mark-safe.avoid-mark-safe", "nosemgrep",
         {"PYTHON.DJANGO.SECURITY.AUDIT.AVOID-MARK-SAFE.AVOID-MARK-SAFE"}),
    ],
)
def test_foreign_directives_are_parsed(comment, tool, codes):
    (directive,) = parse_directives(f"x = 1  {comment}\n")
    assert directive.tool == tool and (directive.codes == codes if codes else directive.codes is None)


def test_one_comment_can_hold_ours_and_foreign_directives():
    tools = sorted(d.tool for d in parse_directives("x = 1  # noqa: S308  # nosec\n"))
    assert tools == ["", "nosec"]
