"""`--format sarif`: valid SARIF 2.1.0 (checked against the official schema, vendored beside this
file) and the things the schema cannot check: rule indexes, fingerprints, suppressions, tags."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from backend_lint import __version__
from backend_lint.catalog import RuleInfo, load_catalog
from backend_lint.model import Finding, Report, Suppression
from backend_lint.report import RenderOptions
from backend_lint.report import sarif
from conftest import run_cli, write

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

APP = '''\
import logging

def load(cache, key):
    try:
        return cache[key]
    except Exception:
        pass

def report(rows):
    print("rows", len(rows))

def quiet(cache, key):
    try:
        return cache[key]
    except Exception:  # backend-lint: ignore[BL201] -- cache misses are expected here
        pass
'''


def validate(doc: dict) -> None:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


@pytest.fixture
def project(tmp_path):
    write(tmp_path, "app/service.py", APP)
    write(tmp_path, "app/broken.py", "def broken(:\n")
    return tmp_path


def sarif_of(project, *args):
    done = run_cli("--format", "sarif", *args, ".", cwd=project)
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout)


def test_cli_output_is_valid_sarif_with_one_run(project):
    doc = sarif_of(project)
    validate(doc)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    assert doc["runs"][0]["tool"]["driver"]["name"] == "backend-lint"
    assert doc["runs"][0]["tool"]["driver"]["version"] == __version__


def test_the_schema_check_is_not_vacuous(project):
    doc = sarif_of(project)
    doc["runs"][0]["results"][0]["level"] = "fatal"
    del doc["version"]
    with pytest.raises(AssertionError):
        validate(doc)


def test_every_result_names_a_described_rule_by_id_and_index(project):
    run = sarif_of(project)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and {"BL201", "BL301", "BL901"} <= set(ids)
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_rules_carry_descriptions_level_and_tags_from_the_catalog(project):
    rules = {r["id"]: r for r in sarif_of(project)["runs"][0]["tool"]["driver"]["rules"]}
    bl201 = rules["BL201"]
    assert bl201["name"] == "silent-exception"
    assert bl201["shortDescription"]["text"].startswith("A broad `except`")
    assert "## What it does" not in bl201["fullDescription"]["text"]  # the prose, without Markdown headings
    assert "`KeyboardInterrupt`" in bl201["fullDescription"]["text"]
    assert "## Use instead" in bl201["help"]["markdown"] and bl201["help"]["text"]
    assert bl201["helpUri"].startswith("https://docs.python.org/")
    assert bl201["defaultConfiguration"]["level"] == "warning"
    tags = bl201["properties"]["tags"]
    for tag in ("error-handling", "CWE-390", "CWE-703", "architecture/patterns", "standard.explicit-errors",
                "api.error-handling"):  # fmt: skip
        assert tag in tags
    assert "security-severity" not in bl201["properties"]  # code quality, not a security rule
    assert rules["BL301"]["defaultConfiguration"]["level"] == "note"


def test_results_are_relative_to_srcroot_with_fingerprints(project):
    run = sarif_of(project)["runs"][0]
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root.startswith("file:///") and root.endswith("/")
    assert Path(root.removeprefix("file://")).resolve() == project.resolve()
    findings = json.loads(run_cli("--format", "json", "--show-suppressed", ".", cwd=project).stdout)
    prints = {f["fingerprint"] for f in findings["findings"] + findings["suppressed"]}
    by_line = {}
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "app/service.py", "uriBaseId": "%SRCROOT%"}
        by_line[(result["ruleId"], location["region"]["startLine"])] = result
        assert result["partialFingerprints"]["backendLint/v1"] in prints
    region = by_line[("BL201", 6)]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 6, "startColumn": 5, "endLine": 6, "endColumn": 22}
    assert by_line[("BL301", 10)]["level"] == "note"
    assert by_line[("BL201", 6)]["properties"]["agent"] == "architecture/patterns"


def test_suppressed_findings_are_results_with_suppressions(project):
    results = sarif_of(project)["runs"][0]["results"]
    suppressed = [r for r in results if r.get("suppressions")]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in suppressed] == [
        ("BL201", 15)
    ]
    (suppression,) = suppressed[0]["suppressions"]
    assert suppression["kind"] == "inSource" and suppression["state"] == "accepted"
    assert suppression["justification"] == "cache misses are expected here"
    assert suppression["location"]["physicalLocation"]["region"] == {"startLine": 15}
    assert sum(1 for r in results if not r.get("suppressions")) == 2


def test_unanalysable_files_are_tool_notifications_not_results(project):
    run = sarif_of(project)["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == ["app/broken.py"]
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] != "app/broken.py"
               for r in run["results"])  # fmt: skip


def test_paths_outside_the_working_directory_are_absolute_file_uris(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("cwd")
    done = run_cli("--format", "sarif", str(project / "app" / "service.py"), cwd=elsewhere)
    doc = json.loads(done.stdout)
    validate(doc)
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": (project / "app" / "service.py").resolve().as_uri()}


def _secret_rule() -> RuleInfo:
    return RuleInfo(
        code="BL101", name="hardcoded-secret", category="secrets", severity="high",
        agent="auth-security/cryptography", checklist=("rule.no-hardcoded-secrets",), cwe=(798,),
        engine="native", summary="A secret written in the source.",
    )  # fmt: skip


def test_security_rules_get_a_security_severity_as_a_string_number():
    info = _secret_rule()
    finding = Finding(
        rule="BL101", name="hardcoded-secret", category="secrets", severity="high", confidence="high",
        message="AWS access key in source", path="settings.py", line=3, column=1, end_line=3, end_column=30,
        agent=info.agent, checklist=info.checklist, cwe=info.cwe, fingerprint="0123456789abcdef0123",
        suppression=Suppression(line=3, reason="in the baseline", kind="baseline"),
    )  # fmt: skip
    report = Report(findings=(), errors=(), files=1, suppressed=(finding,))
    doc = json.loads(sarif.render(report, {"BL101": info}, load_catalog(), RenderOptions(version="0.0.1", root="/")))
    validate(doc)
    props = doc["runs"][0]["tool"]["driver"]["rules"][0]["properties"]
    assert isinstance(props["security-severity"], str) and 7.0 <= float(props["security-severity"]) < 9.0
    assert {"security", "secrets", "CWE-798", "auth-security/cryptography", "rule.no-hardcoded-secrets"} <= set(
        props["tags"]
    )
    (result,) = doc["runs"][0]["results"]
    assert result["suppressions"][0]["kind"] == "external"  # a baseline lives outside the source
    assert result["level"] == "error"


def test_security_categories_exist_in_the_catalog():
    assert sarif.SECURITY_CATEGORIES <= set(load_catalog().categories)
    assert set(sarif.SECURITY_SEVERITY) == set(sarif.LEVELS)
