"""`--fail-on` decides the exit code; `--min-severity` decides what is shown. Separately."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import REPO, run_cli, write


@pytest.fixture
def shop(tmp_path):
    """The example shop: BL201 (medium) at app.py:31, BL301 (low) at app.py:20."""
    shutil.copytree(REPO / "tests" / "fixtures" / "legacy_shop" / "shop", tmp_path / "shop")
    return tmp_path


def run(root, *args):
    done = run_cli("--format", "json", *args, "shop", cwd=root)
    report = json.loads(done.stdout)
    return done.returncode, [f["rule"] for f in report["findings"]], report.get("notices", [])


@pytest.mark.parametrize(
    ("args", "code", "shown"),
    [
        ((), 1, ["BL301", "BL201"]),  # default: any shown finding fails
        (("--fail-on", "high"), 0, ["BL301", "BL201"]),  # shown, but below the gate
        (("--fail-on", "medium"), 1, ["BL301", "BL201"]),
        (("--min-severity", "medium"), 1, ["BL201"]),
        (("--min-severity", "medium", "--fail-on", "high"), 0, ["BL201"]),
        (("--min-severity", "high"), 0, []),  # nothing shown, no gate: clean
        (("--exit-zero", "--fail-on", "low"), 0, ["BL301", "BL201"]),
    ],
)
def test_gate_and_display_are_independent(shop, args, code, shown):
    got_code, got_shown, _ = run(shop, *args)
    assert (got_code, got_shown) == (code, shown)


def test_hidden_findings_still_fail_the_gate_and_say_so(shop):
    code, shown, notices = run(shop, "--min-severity", "high", "--fail-on", "low")
    assert (code, shown) == (1, [])
    assert notices == ["2 finding(s) below --min-severity high are not shown but fail the run (--fail-on low)"]
    text = run_cli("--min-severity", "high", "--fail-on", "low", "shop", cwd=shop)
    assert text.returncode == 1 and "are not shown but fail the run" in text.stdout


def test_fail_on_from_pyproject_and_the_flag_overrides_it(shop):
    write(shop, "shop/pyproject.toml", '[tool.backend-lint]\nselect = ["BL201", "BL301"]\nfail-on = "high"\n')
    assert run(shop)[0] == 0
    assert run(shop, "--fail-on", "medium")[0] == 1


def test_an_unknown_level_is_a_usage_error(shop):
    done = run_cli("--fail-on", "severe", "shop", cwd=shop)
    assert done.returncode == 2 and "invalid choice: 'severe'" in done.stderr


def test_baselined_findings_do_not_trip_the_gate(shop):
    run_cli("--write-baseline", "b.json", "shop", cwd=shop)
    assert run(shop, "--baseline", "b.json", "--fail-on", "low")[0] == 0
