"""Every native rule's INVALID and VALID examples, run through the real engine.

Each INVALID example must yield its rule exactly on the lines marked `# expect: <CODE>`; each VALID
example must yield nothing of that rule. Adding a rule adds its tests.
"""

from __future__ import annotations

import pytest

from backend_lint import checks
from backend_lint.rule import EXPECT, as_example, example_source
from conftest import lint_tree, write

CASES = [
    pytest.param(cls, kind, i, as_example(example), id=f"{cls.code}-{cls.name}-{kind}-{i}")
    for cls in checks.discover()
    for kind, examples in (("invalid", cls.INVALID), ("valid", cls.VALID))
    for i, example in enumerate(examples)
]


def expected_lines(code: str, rule: str) -> list[int]:
    return [
        n for n, line in enumerate(code.splitlines(), 1)
        if (m := EXPECT.search(line)) and rule in [c.strip() for c in m.group(1).split(",")]
    ]  # fmt: skip


@pytest.mark.parametrize(("rule", "kind", "index", "example"), CASES)
def test_example(tmp_path, rule, kind, index, example):
    code = example_source(example.code)
    write(tmp_path, example.path, code)
    report = lint_tree(tmp_path, select=(rule.code, *example.select), report_unused_suppressions=True)
    assert report.errors == (), report.errors
    got = sorted(f.line for f in report.findings if f.rule == rule.code)
    if kind == "invalid":
        want = expected_lines(code, rule.code)
        assert want, f"INVALID example {index} of {rule.code} marks no line with '# expect: {rule.code}'"
        assert got == want, f"{rule.code} fired on {got}, expected {want}:\n{code}"
    else:
        assert got == [], f"{rule.code} fired on VALID example lines {got}:\n{code}"


def test_every_rule_has_examples_of_both_kinds():
    for cls in checks.discover():
        assert cls.INVALID, f"{cls.code} has no INVALID example"
        assert cls.VALID, f"{cls.code} has no VALID example"
