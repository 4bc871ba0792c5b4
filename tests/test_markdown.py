"""`--format markdown`: a pull-request comment with the findings, per agent and per checklist item."""

from __future__ import annotations

import dataclasses

from backend_lint.catalog import load_catalog
from backend_lint.model import Finding, Report
from backend_lint.report import RenderOptions
from backend_lint.report import markdown
from conftest import SILENT_AND_PRINT, run_cli, write

APP = SILENT_AND_PRINT


def finding(line: int, severity: str = "medium", message: str = "swallowed") -> Finding:
    return Finding(
        rule="BL201", name="silent-exception", category="error-handling", severity=severity, confidence="high",
        message=message, path="app.py", line=line, column=5, end_line=line, end_column=22,
        agent="architecture/patterns", checklist=("api.error-handling",), cwe=(390,),
    )  # fmt: skip


def test_cli_renders_a_comment_with_findings_agents_and_checklist(tmp_path):
    write(tmp_path, "app/service.py", APP)
    done = run_cli("--format", "markdown", ".", cwd=tmp_path)
    assert done.returncode == 1
    text = done.stdout
    assert text.startswith("## backend-lint: 2 finding(s) (1 medium, 1 low) in 1 file(s)\n")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[1].startswith("| 🟠 medium | `BL201` silent-exception | `app/service.py:4` |")  # most severe first
    assert rows[2].startswith("| 🟡 low | `BL301` print-used-for-logging | `app/service.py:8` |")
    assert "| `devops/monitoring` | 1 |" in text
    assert "| Structured logs (no console printing in production) | Quality Standards | 1 |" in text


def test_clean_project_says_so(tmp_path):
    write(tmp_path, "ok.py", "def f():\n    return 1\n")
    done = run_cli("--format", "markdown", ".", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == "## backend-lint: no findings in 1 file(s) ✅\n"


def test_cells_cannot_break_the_table():
    text = markdown.render(
        Report(findings=(finding(3, message="a | b\nc <script>"),), errors=(), files=1),
        {}, load_catalog(), RenderOptions(version="0"),
    )  # fmt: skip
    row = next(line for line in text.splitlines() if "`BL201`" in line)
    assert "a \\| b c &lt;script&gt;" in row and row.count(" | ") == 4


def test_long_reports_are_cut_to_the_most_severe(tmp_path):
    findings = tuple(finding(n, "low") for n in range(1, 8)) + (finding(99, "high"),)
    report = Report(findings=findings, errors=(), files=1)
    text = markdown.render(report, {}, load_catalog(), RenderOptions(version="0"), limit=3)
    rows = [line for line in text.splitlines() if "`BL201`" in line]
    assert "### Top 3 of 8 findings" in text and "…and 5 more" in text
    assert len(rows) == 3 and "app.py:99" in rows[0]


def test_suppressed_and_baselined_counts_are_mentioned():
    from backend_lint.model import Suppression

    hidden = (
        dataclasses.replace(finding(1), suppression=Suppression(1, "", "comment")),
        dataclasses.replace(finding(2), suppression=Suppression(2, "in the baseline", "baseline")),
        dataclasses.replace(finding(3), suppression=Suppression(3, "in the baseline", "baseline")),
    )
    text = markdown.render(Report((), (), 1, suppressed=hidden), {}, load_catalog(), RenderOptions(version="0"))
    assert "_Not shown: 1 suppressed by comments, 2 known from the baseline._" in text
