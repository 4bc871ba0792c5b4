"""The finding model: fingerprints that survive edits, frozen records, JSON round trip."""

from __future__ import annotations

import dataclasses

import pytest

from backend_lint.model import Error, Finding, Suppression, code_snippet
from conftest import lint_tree, write

BODY = """\
import logging

def handler(rows):
    print("listing", len(rows))
    try:
        save(rows)
    except Exception:
        pass
"""


def prints(tmp_path, source: str) -> dict[tuple[str, int], str]:
    write(tmp_path, "app/views.py", source)
    report = lint_tree(tmp_path)
    assert report.errors == ()
    return {(f.rule, f.line): f.fingerprint for f in report.findings}


def test_fingerprint_stable_when_lines_are_inserted_above(tmp_path):
    before = prints(tmp_path, BODY)
    after = prints(tmp_path, '"""Module docs."""\n\nLIMIT = 10\n\n\n' + BODY)
    assert set(before) == {("BL301", 4), ("BL201", 7)}
    assert set(after) == {("BL301", 9), ("BL201", 12)}  # the findings moved ...
    assert sorted(before.values()) == sorted(after.values())  # ... their fingerprints did not


def test_fingerprint_stable_when_unrelated_code_changes(tmp_path):
    before = prints(tmp_path, BODY)
    changed = BODY.replace("save(rows)", "store(rows, retries=3)").replace("import logging", "import os")
    after = prints(tmp_path, changed + "\n\ndef other():\n    return 42\n")
    assert before == after


def test_fingerprint_changes_when_the_flagged_code_changes(tmp_path):
    before = prints(tmp_path, BODY)
    after = prints(tmp_path, BODY.replace('print("listing", len(rows))', 'print("listed", len(rows))'))
    assert before[("BL301", 4)] != after[("BL301", 4)]
    assert before[("BL201", 7)] == after[("BL201", 7)]


def test_identical_statements_get_different_fingerprints(tmp_path):
    source = 'def a():\n    print("x")\n\ndef b():\n    print("x")\n'
    found = prints(tmp_path, source)
    assert len(found) == 2 and len(set(found.values())) == 2
    # the occurrence counter follows line order: inserting code above keeps each one's fingerprint
    moved = prints(tmp_path, "import os\n\n" + source)
    assert [found[("BL301", 2)], found[("BL301", 5)]] == [moved[("BL301", 4)], moved[("BL301", 7)]]


def test_fingerprint_depends_on_rule_and_path(tmp_path):
    write(tmp_path, "a.py", 'print("x")\n')
    write(tmp_path, "b.py", 'print("x")\n')
    report = lint_tree(tmp_path)
    assert len({f.fingerprint for f in report.findings}) == 2


def test_whitespace_inside_the_flagged_code_does_not_matter(tmp_path):
    one = prints(tmp_path, 'print("a", 1)\n')
    other = prints(tmp_path, 'print(\n    "a",\n    1\n)\n')
    assert list(one.values()) == list(other.values())


def test_code_snippet():
    lines = ["x = 1", "value = call(", "    a,   b", ")"]
    assert code_snippet(lines, 2, 9, 4, 2) == "call ( a , b )"
    assert code_snippet(lines, 1, 5, 1, 6) == "1"
    assert code_snippet(lines, 9, 1, 9, 1) == ""
    assert code_snippet(["s = \"\"\"open"], 1, 5, 1, 12) == "\"\"\"open"  # does not tokenize: kept as text


FINDING = Finding(
    rule="BL301", name="print-used-for-logging", category="logging", severity="low", confidence="high",
    message="m", path="app/x.py", line=3, column=5, end_line=3, end_column=15, agent="devops/monitoring",
    checklist=("standard.structured-logs",), cwe=(778,), engine="native", fingerprint="abc",
)  # fmt: skip


def test_records_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        FINDING.line = 4  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Error("syntax", "m", "a.py").message = "n"  # type: ignore[misc]


@pytest.mark.parametrize(
    "finding",
    [FINDING, dataclasses.replace(FINDING, suppression=Suppression(3, "why"), also_reported_by=("semgrep",))],
)
def test_json_round_trip(finding):
    assert Finding.from_dict(finding.to_dict()) == finding


def test_json_keys_follow_the_contract():
    assert list(FINDING.to_dict()) == [
        "rule", "name", "category", "severity", "confidence", "message", "path", "line", "column",
        "end_line", "end_column", "agent", "checklist", "cwe", "engine", "fingerprint",
    ]  # fmt: skip
    assert Error("syntax", "syntax error", "a.py").to_dict() == {
        "path": "a.py", "message": "syntax error", "kind": "syntax", "engine": None,
    }  # fmt: skip
    assert Error("engine", "semgrep timed out", None, "semgrep").to_dict()["path"] is None  # no made-up path


def test_columns_count_characters_not_bytes(tmp_path):
    write(tmp_path, "app.py", 'x = "é"; print("ü")\n')
    (finding,) = lint_tree(tmp_path).findings
    assert (finding.column, finding.end_column) == (10, 20)


def test_reformatting_and_comments_do_not_change_the_fingerprint(tmp_path):
    one = prints(tmp_path, 'print("a", 1)\n')
    other = prints(tmp_path, 'print(\n    "a",  # the label\n    1,\n)\n')
    assert list(one.values()) == list(other.values())
