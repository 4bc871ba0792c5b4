"""backend-lint holds its own code to its standard: linting src/ and tests/ finds nothing.

The only exceptions are declared in pyproject.toml's [tool.backend-lint] table (fixture projects and
semgrep test files that are wrong on purpose, fake credentials in the secrets rules' examples).
"""

from __future__ import annotations

import json

from conftest import REPO, run_cli


def test_backend_lint_finds_nothing_in_its_own_code():
    done = run_cli("src", "tests", "--format", "json", cwd=REPO, engines="native,ruff")
    report = json.loads(done.stdout)
    assert report["errors"] == []
    assert [(f["path"], f["line"], f["rule"]) for f in report["findings"]] == []
    assert done.returncode == 0
