"""De-duplication across engines."""

from __future__ import annotations

import pytest

from backend_lint import run as runner
from backend_lint.run.merge import deduplicate, same_problem
from backend_lint.model import Finding
from conftest import lint_tree, write

# Every pair of rules of different engines that report the same problem on the same code.
# (kept, dropped): the kept one is native if there is one, else our semgrep rule.
OVERLAPS = [
    ("BL201", "BLE001"),  # native silent except / ruff blind except
    ("BL601", "S501"),  # TLS verification off
    ("BL601", "S323"),  # ssl._create_unverified_context
    ("BL602", "S113"),  # HTTP call without timeout
    ("BL701", "S506"),  # yaml.load
    ("BL705", "S306"),  # tempfile.mktemp
    ("BL707", "S704"),  # Markup of dynamic text
    ("BL751", "S201"),  # Flask debug=True
    ("BL801", "ASYNC251"),  # time.sleep in async def
    ("BL802", "ASYNC210"),  # blocking HTTP in async def
    ("BL301", "T201"),  # print (ruff corroborates the native rule: kept only merged into it)
]


def make(code: str, line: int = 10, end_line: int | None = None) -> Finding:
    info = runner.rule_catalog()[code]
    return Finding(
        rule=code, name=info.name, category=info.category, severity=info.severity, confidence=info.confidence,
        message="m", path="app.py", line=line, column=5, end_line=end_line or line, end_column=20,
        agent=info.agent, checklist=info.checklist, cwe=info.cwe, engine=info.engine,
    )  # fmt: skip


@pytest.mark.parametrize(("kept", "dropped"), OVERLAPS)
def test_each_overlapping_pair_is_reported_once(kept, dropped):
    for order in ([make(kept), make(dropped)], [make(dropped), make(kept)]):
        result = deduplicate(order)
        assert [(f.rule, f.also_reported_by) for f in result] == [(kept, (dropped,))]


def test_three_engines_on_one_problem_keep_the_semgrep_rule_over_ruff():
    result = deduplicate([make("ASYNC251"), make("BL801", line=9, end_line=11)])
    assert [(f.rule, f.engine, f.also_reported_by) for f in result] == [("BL801", "semgrep", ("ASYNC251",))]


def test_a_ruff_finding_joins_the_closest_of_two_problems_on_its_line():
    """requests.get(url) in async def: no timeout (BL602, transport) and a blocking call (BL802,
    performance) share CWE-400; ruff's S113 backs the first, ASYNC210 the second."""
    for order in ([make("BL602"), make("BL802"), make("ASYNC210"), make("S113")],
                  [make("S113"), make("ASYNC210"), make("BL802"), make("BL602")]):  # fmt: skip
        result = deduplicate(order)
        assert sorted((f.rule, f.also_reported_by) for f in result) == [("BL602", ("S113",)), ("BL802", ("ASYNC210",))]


def test_two_problems_on_one_line_stay_two():
    # requests.get(url, verify=False) without timeout: both transport, different CWEs
    result = deduplicate([make("BL601"), make("BL602"), make("S113"), make("S501")])
    assert sorted((f.rule, f.also_reported_by) for f in result) == [("BL601", ("S501",)), ("BL602", ("S113",))]


def test_other_lines_and_same_engine_are_never_merged():
    assert not same_problem(make("BL801", line=3), make("ASYNC251", line=4))
    assert not same_problem(make("S113"), make("S113"))
    assert len(deduplicate([make("BL801", line=3), make("BL801", line=3)])) == 2


def test_native_is_preferred_even_when_less_confident():
    native = make("BL201")
    other = make("BLE001")
    assert native.engine == "native"
    weaker = Finding(**{**native.__dict__, "confidence": "low"})
    assert deduplicate([other, weaker])[0].rule == "BL201"


def test_end_to_end_native_and_ruff_merge_and_suppression_covers_both(tmp_path):
    write(tmp_path, "app/jobs.py", (
        "def sync():\n    try:\n        push()\n    except Exception:\n        pass\n"
        "def quiet():\n    try:\n        push()\n    except Exception:  # noqa: BLE001 -- best effort\n        pass\n"
    ))  # fmt: skip
    report = lint_tree(tmp_path, engines=("native", "ruff"))
    assert [(f.rule, f.line, f.also_reported_by) for f in report.findings] == [("BL201", 4, ("BLE001",))]
    assert [(f.rule, f.line, f.suppression.reason) for f in report.suppressed] == [("BL201", 9, "best effort")]


def test_a_deferring_ruff_code_never_reports_what_the_native_rule_leaves_alone(tmp_path):
    """BLE001 fires on every broad except; BL201 only on silent ones. While BL201 runs, a BLE001
    finding survives only merged into a BL201 finding."""
    write(tmp_path, "app/jobs.py", (
        "import logging\nlogger = logging.getLogger(__name__)\n"
        "def sync():\n    try:\n        push()\n    except Exception:\n        pass\n"
        "def careful():\n    try:\n        push()\n    except Exception:\n        alerts.page('push failed')\n"
    ))  # fmt: skip
    both = lint_tree(tmp_path, engines=("native", "ruff"))
    assert [(f.rule, f.line, f.also_reported_by) for f in both.findings] == [("BL201", 6, ("BLE001",))]
    ruff_only = lint_tree(tmp_path, engines=("ruff",))
    assert sorted((f.rule, f.line) for f in ruff_only.findings) == [("BLE001", 6), ("BLE001", 11)]
    without_bl201 = lint_tree(tmp_path, engines=("native", "ruff"), ignore=("BL201",))
    assert sorted((f.rule, f.line) for f in without_bl201.findings) == [("BLE001", 6), ("BLE001", 11)]


def test_print_is_corroborated_by_t201_but_cli_prints_stay_quiet(tmp_path):
    write(tmp_path, "app/views.py", "def index():\n    print('hit')\n    return 'ok'\n")
    write(tmp_path, "app/__main__.py", "print('usage: python -m app')\n")
    report = lint_tree(tmp_path, engines=("native", "ruff"))
    assert [(f.path, f.rule, f.also_reported_by) for f in report.findings] == [("app/views.py", "BL301", ("T201",))]


def test_twenty_thousand_findings_of_one_file_merge_in_linear_work(monkeypatch):
    """A generated file with a print on every line: ruff's T201 joins each BL301, nothing else. The
    work is counted, not timed: pairs compared grow with the findings, not with their square."""
    from backend_lint.run import merge

    calls = []
    real = merge.same_problem
    monkeypatch.setattr(merge, "same_problem", lambda a, b: calls.append(1) or real(a, b))
    native = [make("BL301", line=i) for i in range(1, 20_001)]
    ruff = [make("T201", line=i) for i in range(1, 20_001)]
    wide = [make("BL201", line=1, end_line=20_000)]  # one finding spanning the whole file
    result = merge.deduplicate(native + ruff + wide)
    assert len(result) == 20_001
    assert all(f.also_reported_by == ("T201",) for f in result if f.rule == "BL301")
    assert len(calls) < 3 * 40_001, len(calls)
