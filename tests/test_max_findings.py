"""`--max-findings-per-file N` / `max-findings-per-file`: at most N findings per file are shown, the
rest of the file as one summary finding; the exit code and `--fail-on` still see every finding."""

from __future__ import annotations

import json

from conftest import run_cli, write

SILENT = "try:\n    g()\nexcept Exception:\n    pass\n"  # BL201 (medium) at line 3


def shown(proc) -> list[tuple[str, int, str]]:
    assert proc.returncode in (0, 1), proc.stderr
    return [(f["path"], f["line"], f["rule"]) for f in json.loads(proc.stdout)["findings"]]


def generated(tmp_path, prints: int = 50):
    write(tmp_path, "gen.py", "".join(f"print({i})\n" for i in range(prints)) + SILENT)
    write(tmp_path, "small.py", "print(1)\nprint(2)\n")


def test_the_most_severe_are_kept_and_the_rest_is_one_summary(tmp_path):
    generated(tmp_path)
    got = shown(run_cli("--format", "json", "--max-findings-per-file", "3", ".", cwd=tmp_path))
    gen = [g for g in got if g[0] == "gen.py"]
    # BL201 (medium) first, then the first prints; the summary is the next print, in line order
    assert gen == [("gen.py", 1, "BL301"), ("gen.py", 2, "BL301"), ("gen.py", 3, "BL301"), ("gen.py", 53, "BL201")]
    assert [g for g in got if g[0] == "small.py"] == [("small.py", 1, "BL301"), ("small.py", 2, "BL301")]
    report = json.loads(run_cli("--format", "json", "--max-findings-per-file", "3", ".", cwd=tmp_path).stdout)
    summary = next(f for f in report["findings"] if f["path"] == "gen.py" and f["line"] == 3)
    assert summary["message"].endswith("(and 47 more finding(s) in this file not shown, --max-findings-per-file 3: BL301 x47)")


def test_without_the_option_every_finding_is_shown(tmp_path):
    generated(tmp_path)
    assert len(shown(run_cli("--format", "json", ".", cwd=tmp_path))) == 53


def test_the_config_key_and_the_flag_over_it(tmp_path):
    generated(tmp_path)
    write(tmp_path, "pyproject.toml", "[tool.backend-lint]\nmax-findings-per-file = 10\n")
    assert len([g for g in shown(run_cli("--format", "json", ".", cwd=tmp_path)) if g[0] == "gen.py"]) == 11
    flagged = shown(run_cli("--format", "json", "--max-findings-per-file", "1", ".", cwd=tmp_path))
    assert len([g for g in flagged if g[0] == "gen.py"]) == 2


def test_the_most_severe_finding_is_never_the_one_hidden(tmp_path):
    write(tmp_path, "gen.py", "".join(f"print({i})\n" for i in range(5)) + SILENT)
    proc = run_cli("--format", "json", "--max-findings-per-file", "1", "--min-severity", "low", "--fail-on", "medium",
                   ".", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 1
    assert shown(proc) == [("gen.py", 1, "BL301"), ("gen.py", 8, "BL201")]


def test_bad_values_name_the_key(tmp_path):
    write(tmp_path, "app.py", "x = 1\n")
    for value in ("0", "true", '"5"', "-3"):
        write(tmp_path, "pyproject.toml", f"[tool.backend-lint]\nmax-findings-per-file = {value}\n")
        proc = run_cli(".", cwd=tmp_path)
        assert proc.returncode == 2
        assert "tool.backend-lint.max-findings-per-file: expected a whole number of at least 1" in proc.stderr
    proc = run_cli("--max-findings-per-file", "0", ".", cwd=tmp_path)
    assert proc.returncode == 2 and "--max-findings-per-file" in proc.stderr
