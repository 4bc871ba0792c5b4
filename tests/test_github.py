"""`--format github`: workflow commands the Actions runner turns into annotations, and the Markdown
step summary appended to $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import re

from backend_lint.report.github import command, escape_data, escape_property
from conftest import SILENT_AND_PRINT, run_cli, write

APP = SILENT_AND_PRINT
ANNOTATION = re.compile(r"^::(?P<cmd>error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def annotations(stdout: str) -> list[dict]:
    out = []
    for line in stdout.splitlines():
        match = ANNOTATION.match(line)
        if match:
            props = dict(p.split("=", 1) for p in match["props"].split(","))
            out.append({"cmd": match["cmd"], **props, "message": match["message"]})
    return out


def test_escaping_follows_the_workflow_command_rules():
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("dir:a,b%\n") == "dir%3Aa%2Cb%25%0A"
    assert command("error", {"file": "a,b.py", "line": 3, "title": "BL201 x"}, "one\ntwo") == (
        "::error file=a%2Cb.py,line=3,title=BL201 x::one%0Atwo"
    )


def test_cli_prints_one_annotation_per_finding_with_positions_and_title(tmp_path):
    write(tmp_path, "app/service.py", APP)
    done = run_cli("--format", "github", ".", cwd=tmp_path)
    assert done.returncode == 1
    found = annotations(done.stdout)
    assert [(a["cmd"], a["title"], a["line"]) for a in found] == [
        ("warning", "BL201 silent-exception", "4"),  # medium -> warning
        ("notice", "BL301 print-used-for-logging", "8"),  # low -> notice
    ]
    silent = found[0]
    assert silent == {**silent, "file": "app/service.py", "col": "5", "endLine": "4", "endColumn": "22"}
    assert "agent%3A" not in silent["message"] and "agent: architecture/patterns" in silent["message"]
    assert done.stdout.rstrip().endswith("backend-lint: 2 finding(s) in 1 file(s).")


def test_special_characters_in_paths_are_escaped_as_properties(tmp_path):
    write(tmp_path, "odd,name.py", APP)
    found = annotations(run_cli("--format", "github", ".", cwd=tmp_path).stdout)
    assert found and all(a["file"] == "odd%2Cname.py" for a in found)


def test_unanalysable_files_are_error_annotations(tmp_path):
    write(tmp_path, "broken.py", "def broken(:\n")
    done = run_cli("--format", "github", ".", cwd=tmp_path)
    assert done.returncode == 1
    (error,) = annotations(done.stdout)
    assert error["cmd"] == "error" and error["file"] == "broken.py"
    assert error["title"] == "backend-lint could not analyse"


def test_step_summary_is_appended_when_the_variable_is_set(tmp_path):
    write(tmp_path, "app/service.py", APP)
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    done = run_cli("--format", "github", "app", cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n## backend-lint: 2 finding(s) (1 medium, 1 low) in 1 file(s)")
    assert "### Findings by responsible agent" in text and "| `architecture/patterns` | 1 |" in text
    assert "### Findings by checklist item" in text and "| Error handling | API Design Checklist | 1 |" in text
    assert "`app/service.py:4`" in text
    assert "::warning" not in text  # the annotations go to stdout only


def test_no_step_summary_without_the_variable_or_for_other_formats(tmp_path):
    write(tmp_path, "app/service.py", APP)
    summary = tmp_path / "summary.md"
    run_cli("--format", "github", "app", cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": ""})
    run_cli("--format", "text", "app", cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert not summary.exists()
