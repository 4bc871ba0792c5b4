"""The first CWE of every rule is the most specific standard weakness (SARIF consumers and
dashboards group findings by it), pinned per rule family so that a change is a decision."""

from __future__ import annotations

import pytest

from backend_lint.engines import ruff, semgrep
from backend_lint import checks
from backend_lint.taint.rules import RULES as TAINT_RULES
from conftest import REPO, lint_tree, write

# family: (codes, first CWE, why)
FAMILIES = {
    "hard-coded secrets": (("BL101", "BL102", "BL103"), 798, "Use of Hard-coded Credentials"),
    "swallowed errors": (("BL201",), 390, "Detection of Error Condition Without Action (1069 per empty block)"),
    "blind except": (("BLE001",), 396, "Declaration of Catch for Generic Exception"),
    "internals in responses": (("BL202",), 209, "Generation of Error Message Containing Sensitive Information"),
    "logging": (("BL301", "BL303", "T201", "T203", "TRY400", "LOG001", "LOG002"), 778, "Insufficient Logging"),
    "secret in logs": (("BL302",), 532, "Insertion of Sensitive Information into Log File"),
    "unvalidated input": (("BL401", "BL402", "BL403"), 20, "Improper Input Validation: no validation at all"),
    "SQL injection": (("BL501", "S610", "S611"), 89, "SQL Injection"),
    "TLS verification": (("BL601", "S501", "S323", "S507"), 295, "Improper Certificate Validation"),
    "no timeout": (("BL602", "S113"), 1088, "Synchronous Access of Remote Resource without Timeout"),
    "JWT signature": (("BL651", "BL652"), 347, "Improper Verification of Cryptographic Signature"),
    "password hashing": (("BL653",), 916, "Use of Password Hash With Insufficient Computational Effort"),
    "weak randomness": (("BL654",), 338, "Use of Cryptographically Weak PRNG"),
    "weak hash": (("BL656",), 328, "Use of Weak Hash"),
    "timing": (("BL655",), 208, "Observable Timing Discrepancy"),
    "deserialisation": (("BL701", "BL417", "S506"), 502, "Deserialization of Untrusted Data"),
    "shell": (("BL703",), 78, "OS Command Injection"),
    "code eval": (("BL704", "S612"), 94, "Improper Control of Generation of Code ('Code Injection')"),
    "temp files": (("BL705", "S306"), 377, "Insecure Temporary File"),
    "template injection": (("BL706",), 1336, "Improper Neutralization of Special Elements Used in a Template Engine"),
    "XSS": (("BL707", "BL710", "S701", "S704"), 79, "Cross-site Scripting"),
    "XXE": (("BL709",), 611, "Improper Restriction of XML External Entity Reference"),
    "path traversal": (("BL413", "S202"), 22, "Path Traversal"),
    "debug mode": (("BL751", "BL752", "S201"), 489, "Active Debug Code"),
    "host allowlist": (("BL753",), 183, "Permissive List of Allowed Inputs"),
    "CORS": (("BL754",), 942, "Permissive Cross-domain Policy with Untrusted Domains"),
    "cookies": (("BL755", "BL756"), 614, "Sensitive Cookie in HTTPS Session Without 'Secure' Attribute"),
    "binding": (("BL757",), 1327, "Binding to an Unrestricted IP Address"),
    "session storage": (("BL758",), 565, "Reliance on Cookies without Validation and Integrity Checking"),
    "broken ciphers": (("S304", "S305", "S502", "S503"), 327, "Use of a Broken or Risky Cryptographic Algorithm"),
}


def _infos():
    infos = {cls.code: cls.info() for cls in checks.discover()}
    infos.update(semgrep.load_rule_infos(REPO / "rules"))
    infos.update(ruff.load_rule_infos())
    infos.update({rule.code: rule.info() for rule in TAINT_RULES})
    return infos


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_first_cwe_of_each_family(family):
    codes, first, _why = FAMILIES[family]
    infos = _infos()
    got = {code: infos[code].cwe[:1] for code in codes}
    assert got == {code: (first,) for code in codes}


def test_no_rule_leads_with_a_generic_class_where_a_specific_weakness_exists():
    infos = _infos()
    for code, info in infos.items():
        if not info.cwe:
            continue
        assert info.cwe[0] != 95, f"{code}: eval injection is reported as CWE-94, the standard class"
        assert info.cwe[0] not in (16, 19, 254, 255, 310), f"{code}: CWE-{info.cwe[0]} is a category, not a weakness"
        if info.cwe[0] == 20:
            assert info.category == "input-validation", f"{code}: CWE-20 first outside input validation"


def test_an_empty_except_block_is_reported_as_cwe_1069(tmp_path):
    write(tmp_path, "app.py", "def f(g):\n    try:\n        g()\n    except Exception:\n        pass\n"
          "    try:\n        g()\n    except Exception:\n        return None\n")  # fmt: skip
    report = lint_tree(tmp_path, select=("BL201",))
    assert [(f.line, f.cwe[0]) for f in report.findings] == [(4, 1069), (8, 390)]
