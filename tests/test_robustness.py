"""Bad input never crashes or hangs a run: each bad file is an error entry, the others are linted.

One tree holds every bad file of the issue beside good ones; the real CLI lints it once per format
(module fixture), and each case checks its own entry. A FIFO is in the tree, so a hang would make
the subprocess time out.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from backend_lint import cli, run as runner
from backend_lint.config import Config

from conftest import lint_tree, run_cli, write

PRINT = 'def f():\n    print("x")\n'  # one BL301 finding at line 2

# file name -> (content or None when built specially, expected words in its error message)
ERRORS = {
    "syntax.py": ("def f(:\n    pass\n", "syntax error at line 1"),
    "nul.py": (b"x = 1\0\n", "null bytes"),
    "undecodable.py": (b'x = "\xff\xfe"\n', "not valid UTF-8 (line 1)"),
    "undecodable_late.py": (b'x = 1\ny = 2\nz = "\xff"\n', "not valid UTF-8 (line 3)"),
    "wrong_cookie.py": (b'# -*- coding: ascii -*-\nx = "caf\xc3\xa9"\n', "cannot decode line 2 as ascii"),
    "unknown_cookie.py": (b"# -*- coding: klingon -*-\nx = 1\n", "unknown encoding: klingon"),
    "binary_nul.py": (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "null bytes"),
    "binary_text.py": (b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 4, "not valid UTF-8"),
    "dangling.py": (None, "broken symbolic link"),
    "loop_a.py": (None, "symbolic link cannot be resolved"),
    "loop_b.py": (None, "symbolic link cannot be resolved"),
    "fifo.py": (None, "not a regular file"),
    "deep_parens.py": ("x = " + "(" * 1000 + "1" + ")" * 1000 + "\n", "nested too deeply for Python's parser"),
}
# file name -> content; each must be linted normally and yield BL301 at the given line
LINTED = {
    "good.py": (PRINT, 2),
    "latin1.py": (b'# -*- coding: latin-1 -*-\ndef f():\n    print("caf\xe9")\n', 3),
    "dir.py/inner.py": (PRINT, 2),  # a directory named x.py is walked, not an error
    "linked.py": (None, 2),  # a symlink to good.py
    "big.py": ("".join(f"x{i} = {i}\n" for i in range(50_000)) + 'print("end")\n', 50_001),
    "deep_concat.py": ('X = ' + " + ".join(['"a"'] * 1000) + '\nprint(X)\n', 2),
    "deep_not.py": ("x = " + "not " * 1000 + "y\nprint(x)\n", 2),
    # syntax newer than some supported host Python (3.12 generics, 3.14 except and t-strings): analysed
    "newer.py": ('type X = int\n\n\ndef f[T](x: T):\n    print(f"{x["k"]}")\n    return t"{x}"\n', 5),
}


def build_tree(root):
    for name, (content, _) in {**ERRORS, **LINTED}.items():
        if content is not None:
            write(root, name, content)
    os.symlink("does_not_exist.py", root / "dangling.py")
    os.symlink("loop_b.py", root / "loop_a.py")
    os.symlink("loop_a.py", root / "loop_b.py")
    os.symlink("good.py", root / "linked.py")
    os.mkfifo(root / "fifo.py")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    build_tree(root)
    text = run_cli(cwd=root, timeout=120)
    data = run_cli("--format", "json", cwd=root, timeout=120)
    return text, data


def test_no_traceback_and_exit_code_1(runs):
    for proc in runs:
        assert "Traceback" not in proc.stderr + proc.stdout
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr == ""


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_file_is_an_error_entry(runs, name):
    text, data = runs
    expected = ERRORS[name][1]
    errors = {e["path"]: e["message"] for e in json.loads(data.stdout)["errors"]}
    assert expected in errors[name]
    section = text.stdout.split("Could not analyse", 1)[1]
    assert f"  {name}: " in section and expected in section


@pytest.mark.parametrize("name", sorted(LINTED))
def test_other_files_still_linted(runs, name):
    _, data = runs
    report = json.loads(data.stdout)
    assert (name, LINTED[name][1], "BL301") in {(f["path"], f["line"], f["rule"]) for f in report["findings"]}
    assert name not in {e["path"] for e in report["errors"]}


def test_summary_counts_files_and_errors(runs):
    _, data = runs
    summary = json.loads(data.stdout)["summary"]
    assert summary["errors"] == len(ERRORS)
    assert summary["files"] == len(ERRORS) + len(LINTED)


def test_latin1_code_line_shown_decoded(runs):
    text, _ = runs
    assert 'print("café")' in text.stdout


@pytest.mark.parametrize("name", ["fifo.py", "dir.py", "dangling.py", "nul.py"])
def test_explicitly_named_bad_path(tmp_path, name):
    build_tree(tmp_path)
    proc = run_cli(name, "--format", "json", cwd=tmp_path, timeout=60)
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    if name == "dir.py":  # walked as a directory
        assert report["errors"] == [] and [f["path"] for f in report["findings"]] == ["dir.py/inner.py"]
    else:
        assert [e["path"] for e in report["errors"]] == [name]


def test_missing_path_is_a_usage_error(tmp_path):
    write(tmp_path, "good.py", PRINT)
    proc = run_cli("good.py", "missing.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip() == "backend-lint: error: path not found: missing.py"


def test_unreadable_file(tmp_path, monkeypatch, capsys):
    """chmod 000 stops ordinary users; root (as in our CI container) reads anyway, so then the
    refusal is simulated by making os.open raise PermissionError for that one file."""
    write(tmp_path, "good.py", PRINT)
    secret = write(tmp_path, "secret.py", PRINT)
    secret.chmod(0)
    if os.access(secret, os.R_OK):
        real_open = os.open

        def refusing_open(path, flags, *args, **kwargs):
            if os.fspath(path).endswith("secret.py"):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing_open)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["--jobs", "1", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["errors"] == [
        {"path": "secret.py", "message": "cannot read file (Permission denied)", "kind": "unreadable", "engine": None}
    ]
    assert [f["path"] for f in report["findings"]] == ["good.py"]


def test_rule_crash_is_an_internal_error_not_a_traceback(tmp_path, monkeypatch):
    from backend_lint.checks.logging import PrintUsedForLogging

    def explode(self, node, ctx):
        raise ValueError("boom")

    monkeypatch.setattr(PrintUsedForLogging, "visit", explode)
    write(tmp_path, "a.py", PRINT)
    write(tmp_path, "b.py", "try:\n    pass\nexcept Exception:\n    pass\n")
    monkeypatch.chdir(tmp_path)
    report = runner.run(["."], Config(root=tmp_path), runner.RunOptions(jobs=1))
    assert [(e.path, e.kind, e.engine) for e in report.errors] == [("a.py", "internal", "native")]
    assert "BL301" in report.errors[0].message and "boom" in report.errors[0].message
    assert [f.path for f in report.findings] == ["b.py"]  # the other file is still linted
    assert cli.exit_code(report, None, exit_zero=True) == 2  # a bug of ours is never "clean"


@pytest.mark.parametrize(
    "source, expected",
    [
        ("del f()\n", "syntax error at line 1"),  # libcst accepts it; CPython does not, at any version
        ("f(**a, *b)\n", "syntax error at line 1"),
        ("if x:\n" + "".join("    " * i + "if x:\n" for i in range(1, 101)) + " " * 404 + "pass\n",
         "nested too deeply for Python's parser (too many levels of indentation"),
    ],
)
def test_genuinely_broken_file_is_not_called_newer_syntax(source, expected):
    from backend_lint.parsing import ParseFailure, parse_python

    with pytest.raises(ParseFailure) as caught:
        parse_python(source, "x.py")
    assert caught.value.message.startswith(expected)
    assert "newer" not in caught.value.message


def test_a_form_feed_does_not_shift_lines_or_columns(tmp_path):
    """str.splitlines() also breaks at \\f and \\x1c; Python does not, so neither may we: the
    message quotes the source of the caught type, read from the file's lines."""
    write(tmp_path, "app/jobs.py", (
        "x = 1  # page break here: \f\nx2 = '\x1c'\n"
        "def run(job):\n    try:\n        job()\n    except (ValueError, Exception):\n        pass\n"
    ))  # fmt: skip
    report = lint_tree(tmp_path)
    [finding] = report.findings
    assert (finding.rule, finding.line, finding.column) == ("BL201", 6, 5)
    assert "`except (ValueError, Exception)`" in finding.message


@pytest.mark.parametrize("separator", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_source_lines_break_only_where_python_does(separator):
    from backend_lint.source import source_lines

    text = f"a = 1\r\nb = '{separator}'\rc = 3\n\n"
    assert source_lines(text) == ["a = 1", f"b = '{separator}'", "c = 3", ""]
    assert source_lines("a = 1\r\nb = 2\rc = 3\n\n") == ["a = 1", "b = 2", "c = 3", ""]


def test_a_file_name_that_is_not_utf8_is_linted_and_reported(tmp_path):
    (tmp_path / os.fsdecode(b"caf\xe9.py")).write_text("def f():\n    print(1)\n", encoding="utf-8")
    result = run_cli("--format", "json", "--engines", "native", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["errors"] == []
    assert [(f["rule"], f["path"]) for f in data["findings"]] == [("BL301", "caf\\xe9.py")]  # escaped, valid UTF-8
    again = run_cli("--format", "json", "--engines", "native", ".", cwd=tmp_path)  # from the cache
    assert again.stdout == result.stdout
