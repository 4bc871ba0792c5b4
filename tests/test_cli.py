"""The command line as a user runs it: commands, every option, exit codes, one-line usage errors."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys

import pytest

from backend_lint import __version__, run as runner
from conftest import PRINT_THEN_SILENT, run_cli, write

APP = PRINT_THEN_SILENT  # BL301 (low) at 2:5, BL201 (medium) at 5:5


@pytest.fixture
def app(tmp_path):
    write(tmp_path, "app.py", APP)
    write(tmp_path, "clean.py", "import logging\nlogger = logging.getLogger(__name__)\n")
    return tmp_path


def rules_of(proc) -> list[str]:
    return [f["rule"] for f in json.loads(proc.stdout)["findings"]]


def run_tty(args, cwd, env=None, stderr_tty=False):
    """Run the CLI with stdout (and optionally stderr) on a pseudo-terminal; return (rc, out, err)."""
    import pty

    master, slave = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | (env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend_lint", *args], cwd=cwd, env=full_env, stdin=subprocess.DEVNULL,
        stdout=slave, stderr=slave if stderr_tty else subprocess.PIPE,
    )  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            proc.kill()
            raise AssertionError("the CLI hung on a terminal")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    err = b"" if stderr_tty else proc.stderr.read()
    rc = proc.wait(timeout=60)
    os.close(master)
    return rc, b"".join(chunks).decode("utf-8", "replace"), err.decode()


# -- the program and its commands -----------------------------------------------------------------


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"backend-lint {__version__}"


def test_rules_table_lists_every_rule_with_its_metadata():
    proc = run_cli("rules")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    codes = set(runner.rule_catalog())
    for code, info in runner.rule_catalog().items():
        start = next(i for i, line in enumerate(lines) if line.split()[:1] == [code])
        end = next((i for i in range(start + 1, len(lines)) if lines[i].split()[:1] and lines[i].split()[0] in codes),
                   len(lines))  # fmt: skip
        row = " ".join(lines[start:end])  # a long cell wraps onto the next lines of its row
        for value in (info.name, info.category, info.severity, info.agent, *info.checklist):
            assert value in row, (code, value)
        for cwe in info.cwe:
            assert f"CWE-{cwe}" in row


def test_rules_json():
    proc = run_cli("rules", "--format", "json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    catalog = runner.rule_catalog()
    assert [r["code"] for r in data] == list(catalog)
    for row in data:
        info = catalog[row["code"]]
        assert (row["name"], row["category"], row["severity"], row["agent"]) == (
            info.name, info.category, info.severity, info.agent,
        )  # fmt: skip
        assert row["checklist"] == list(info.checklist) and row["cwe"] == list(info.cwe)


def test_explain_by_code_and_by_name():
    by_code = run_cli("explain", "BL201")
    by_name = run_cli("explain", "silent-exception")
    lower = run_cli("explain", "bl201")
    assert by_code.returncode == by_name.returncode == lower.returncode == 0
    assert by_code.stdout == by_name.stdout == lower.stdout
    text = by_code.stdout
    info = runner.rule_catalog()["BL201"]
    assert text.startswith("BL201 silent-exception")
    for part in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", info.agent):
        assert part in text
    for item in info.checklist:
        assert item in text
    assert info.example in text and info.use_instead in text
    assert "# expect:" not in text  # test markers are not shown to users


@pytest.mark.parametrize(
    "args, message",
    [
        (["explain", "BL999"], "unknown rule 'BL999'"),
        (["explain", "no-such-rule"], "unknown rule 'no-such-rule'"),
        (["explain"], "the following arguments are required: rule"),
        (["rules", "--bogus"], "unrecognized arguments: --bogus"),
        (["rules", "--format", "xml"], "invalid choice: 'xml'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["--jobs", "x"], "argument --jobs/-j: expected a whole number, got 'x'"),
        (["--jobs", "-1"], "argument --jobs/-j: must be 0"),
        (["--min-severity", "huge"], "argument --min-severity: invalid choice: 'huge'"),
        (["--select", "nope"], "--select: unknown rule, code prefix or category 'nope'"),
        (["--ignore", "BL999"], "--ignore: unknown rule, code prefix or category 'BL999'"),
        (["--config", "missing.toml"], "--config: no such file: missing.toml"),
        (["missing_dir"], "path not found: missing_dir"),
        (["--output", "no/such/dir/report.txt"], "--output: cannot write no/such/dir/report.txt"),
    ],
)
def test_usage_errors_are_one_line_exit_2(app, args, message):
    proc = run_cli(*args, cwd=app)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("backend-lint: error: ") and message in lines[0]


# -- exit codes and the gate -------------------------------------------------------------------------


def test_exit_codes(app):
    assert run_cli("clean.py", cwd=app).returncode == 0
    assert run_cli(cwd=app).returncode == 1
    assert run_cli("--exit-zero", cwd=app).returncode == 0
    assert run_cli("--min-severity", "high", cwd=app).returncode == 0  # only low/medium findings
    assert run_cli("--min-severity", "medium", cwd=app).returncode == 1


def test_min_severity_hides_lower_findings(app):
    assert rules_of(run_cli("--format", "json", cwd=app)) == ["BL301", "BL201"]
    assert rules_of(run_cli("--format", "json", "--min-severity", "medium", cwd=app)) == ["BL201"]


@pytest.mark.parametrize(
    "flag, value, expected",
    [
        ("--select", "BL201", ["BL201"]),
        ("--select", "silent-exception", ["BL201"]),
        ("--select", "logging", ["BL301"]),  # a category
        ("--select", "BL3", ["BL301"]),  # a code prefix
        ("--select", "BL201,print-used-for-logging", ["BL301", "BL201"]),
        ("--ignore", "BL201", ["BL301"]),
        ("--ignore", "print-used-for-logging", ["BL201"]),
        ("--ignore", "error-handling", ["BL301"]),
        ("--ignore", "BL", []),
    ],
)
def test_select_and_ignore(app, flag, value, expected):
    assert rules_of(run_cli("--format", "json", flag, value, cwd=app)) == expected


def test_select_then_ignore(app):
    assert rules_of(run_cli("--format", "json", "--select", "BL2,BL3", "--ignore", "BL3", cwd=app)) == ["BL201"]


# -- output ------------------------------------------------------------------------------------------


def test_output_file(app):
    shown = run_cli("--format", "json", cwd=app)
    written = run_cli("--format", "json", "--output", "report.json", cwd=app)
    assert written.returncode == 1 and written.stdout == ""
    assert (app / "report.json").read_text(encoding="utf-8") == shown.stdout


def test_text_report_groups_by_file_with_code_lines_and_summaries(app):
    write(app, "other.py", 'print("other")\n')
    out = run_cli(cwd=app).stdout
    lines = out.splitlines()
    app_at, other_at = lines.index("app.py"), lines.index("other.py")
    assert app_at < other_at
    app_block = "\n".join(lines[app_at:other_at])
    assert "2:5" in app_block and "BL301 print-used-for-logging" in app_block and '│ print("listing")' in app_block
    assert "5:5" in app_block and "BL201 silent-exception" in app_block and "│ except Exception:" in app_block
    assert "→ devops/monitoring" in app_block
    assert "Findings by responsible agent" in out and "Findings by checklist item" in out
    assert "Structured logs (no console printing in production)" in out  # checklist titles, not ids
    assert out.rstrip().endswith("3 finding(s) (1 medium, 2 low) in 3 file(s).")


def test_quiet_prints_findings_only(app):
    out = run_cli("--quiet", cwd=app).stdout
    assert "BL301" in out and "BL201" in out
    assert "Findings by responsible agent" not in out and "finding(s)" not in out
    assert run_cli("--quiet", "clean.py", cwd=app).stdout.strip() == ""


def test_nothing_on_stderr_when_not_a_terminal(tmp_path):
    for i in range(60):  # enough files for the progress bar on a terminal
        write(tmp_path, f"m{i}.py", APP)
    proc = run_cli(cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr == ""


def test_progress_bar_only_on_a_terminal(tmp_path):
    for i in range(60):
        write(tmp_path, f"m{i}.py", APP)
    rc, out, err = run_tty(["--format", "json", "--output", "r.json"], tmp_path, stderr_tty=True)
    assert rc == 1
    assert "\x1b[" in out  # rich drew (and then removed) its progress display on the terminal
    rc, _, err = run_tty(["--format", "json", "--output", "r.json"], tmp_path)
    assert err == ""  # same run, stderr a pipe: nothing


def test_colour_on_a_terminal_and_never_with_no_color(app):
    rc, out, _ = run_tty([], app)
    assert rc == 1 and "\x1b[" in out and "BL301" in out
    rc, out, _ = run_tty(["--no-color"], app)
    assert rc == 1 and "BL301" in out and "\x1b[" not in out
    rc, out, _ = run_tty([], app, env={"NO_COLOR": "1"})
    assert rc == 1 and "BL301" in out and "\x1b[" not in out
    rc, out, _ = run_tty(["rules"], app, env={"NO_COLOR": "1"})
    assert rc == 0 and "BL301" in out and "\x1b[" not in out
    rc, out, _ = run_tty(["rules", "--no-color"], app)
    assert rc == 0 and "print-used-for-logging" in out
    assert "\x1b[" not in out and "…" not in out  # wrapped on a narrow terminal, never truncated


def test_no_colour_when_writing_to_a_file_or_pipe(app):
    proc = run_cli(cwd=app, env={"NO_COLOR": ""})
    assert "BL301" in proc.stdout and "\x1b[" not in proc.stdout


def test_jobs_do_not_change_the_report(tmp_path):
    for i in range(24):  # above the size where a worker pool is used
        write(tmp_path, f"pkg{i % 3}/m{i}.py", APP if i % 2 else 'print("only")\n')
    write(tmp_path, "pkg0/broken.py", "def f(:\n")
    for fmt in ("json", "text"):
        one = run_cli("--format", fmt, "--jobs", "1", cwd=tmp_path)
        two = run_cli("--format", fmt, "--jobs", "2", cwd=tmp_path)
        assert one.returncode == two.returncode == 1
        assert one.stdout == two.stdout
    report = json.loads(one.stdout if fmt == "json" else run_cli("--format", "json", cwd=tmp_path).stdout)
    assert report["summary"]["files"] == 25 and len(report["errors"]) == 1


def test_check_subcommand_is_the_default(app):
    assert run_cli("check", "--format", "json", cwd=app).stdout == run_cli("--format", "json", cwd=app).stdout
