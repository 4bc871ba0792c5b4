"""The secrets rules beyond their examples: every provider format, masking, and the team options."""

from __future__ import annotations

import ast

import pytest

from backend_lint.report.text import code_line
from conftest import lint_tree, run_cli, write

from backend_lint.checks import _credentials as cred
from backend_lint.checks.secrets import (
    HardcodedProviderCredential,
    HardcodedSecret,
    UrlWithEmbeddedPassword,
)
from backend_lint.rule import as_example, example_source

HEX32 = "0123456789abcdef0123456789abcdef"
# One obviously fake sample per provider format (built from repeated patterns, never a real key).
SAMPLES = {
    "AWS access key id": "AKIAIOSFODNN7EXAMPLE",
    "GitHub token": "gho_" + "EXAMPLE0123456789abcdefghijklmnopqrs",
    "GitHub fine-grained token": "github_pat_" + "EXAMPLE_" + "0123456789" * 7 + "abcd",
    "GitLab token": "glpat-EXAMPLE0123456789abc",
    "Slack token": "xoxp-1234567890-1234567890-1234567890-EXAMPLEabcdef0123456789",
    "Slack app token": "xapp-1-A0EXAMPLE-1234567890-abcdef0123456789",
    "Slack webhook": "https://hooks.slack.com/services/T00000000/B00000000/EXAMPLEEXAMPLEEXAMPLE",
    "Stripe live key": "rk_live_EXAMPLE0123456789abcdefgh",
    "Google API key": "AIzaSyEXAMPLE0123456789abcdefghijklmnop",
    "Google OAuth client secret": "GOCSPX-EXAMPLE0123456789abcdefghijk",
    "Anthropic API key": "sk-ant-admin01-" + "EXAMPLE0123456789" * 5 + "AA",
    "OpenAI API key": "sk-svcacct-EXAMPLE0123456789abcdefghijklmnopqrstuvwxyz",
    "OpenAI-style API key": "sk-" + "EXAMPLE0123456789abcdef" * 2 + "ab",
    "SendGrid API key": "SG.EXAMPLE0123456789abcde.EXAMPLE0123456789abcdefghijklmnopqrstuvwxyz",
    "Twilio API key": "SK" + HEX32,
    "Twilio account SID": "AC" + HEX32,
    "Mailgun API key": "key-" + HEX32,
    "Mailchimp API key": HEX32 + "-us14",
    "npm token": "npm_EXAMPLE0123456789abcdefghijklmnopqrs",
    "PyPI token": "pypi-AgEIcHlwaS5vcmc" + "EXAMPLE0123456789" * 4,
    "Heroku API key": "HRKU-AA" + "EXAMPLE0123456789abcdefghijklmnopqrstuvwxyz0123456789abcde"[:58],
    "Shopify token": "shpat_" + HEX32,
    "Square token": "sq0atp-EXAMPLE0123456789abcde",
    "Azure storage account key": "AccountKey=" + ("EXAMPLE0123456789abcdef" * 4)[:86] + "==",
    "Discord bot token": "MTEXAMPLE0123456789abcdefg.GhIjKl.EXAMPLE0123456789abcdefghijklmn",
    "Discord webhook": "https://discord.com/api/webhooks/123456789012345678/" + "EXAMPLE0123456789" * 4,
    "Telegram bot token": "123456789:AAEXAMPLE0123456789abcdefghijklmnop",
    "Hugging Face token": "hf_" + "EXAMPLEabcdefghijklmnopqrstuvwxyzAB"[:34],
    "Databricks token": "dapi" + HEX32,
    "DigitalOcean token": "dop_v1_" + HEX32 * 2,
    "Postman API key": "PMAK-0123456789abcdef01234567-0123456789abcdef0123456789abcdef01",
    "New Relic API key": "NRAK-EXAMPLE0123456789ABCDEFGHIJ",
    "Grafana token": "glsa_EXAMPLE0123456789abcdefghijklmno_0123abcd",
    "age secret key": "AGE-SECRET-KEY-1" + "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" * 2,
    "PEM private key": "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "b3BlbnNzaC1rZXktdjEAAAAA" * 4 + "\n-----END",
}


def test_every_format_has_a_sample():
    assert {f.name for f in cred.FORMATS} == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_format_matches_its_sample_and_only_as_a_whole_token(name):
    sample = SAMPLES[name][:94] if name == "age secret key" else SAMPLES[name]
    found = cred.find_format(f"value = {sample}")
    assert found is not None and found[0].name == name, (name, found)
    fmt = next(f for f in cred.FORMATS if f.name == name)
    if fmt.pattern.pattern.startswith(cred._B):  # glued to a longer identifier it is not a credential
        assert not fmt.pattern.search("Z" + sample)


def _messages(tmp_path, code: str, rule: str, path: str = "app/settings.py", **config):
    write(tmp_path, path, example_source(code))
    report = lint_tree(tmp_path, select=(rule,), **config)
    assert report.errors == ()
    return [f for f in report.findings if f.rule == rule]


@pytest.mark.parametrize("rule", [HardcodedSecret, HardcodedProviderCredential, UrlWithEmbeddedPassword])
def test_messages_never_show_the_secret(tmp_path, rule):
    for i, example in enumerate(map(as_example, rule.INVALID)):
        code = example_source(example.code)
        root = tmp_path / str(i)
        literals = [(n, _text(n)) for n in ast.walk(ast.parse(code)) if _text(n)]
        for finding in _messages(root, code, rule.code, example.path):
            reported = [text for n, text in literals if n.lineno == finding.line and n.col_offset < finding.column
                        <= n.end_col_offset or n.lineno < n.end_lineno and n.lineno <= finding.line <= n.end_lineno]  # fmt: skip
            assert reported, finding
            for secret in reported:
                if len(secret) < 8:
                    continue  # `"key"`, `"secret"`: short enough to be in any sentence, and worth nothing
                assert secret not in finding.message, finding.message
                url = cred.find_url_password(secret)
                if url and len(url.password) >= 6:
                    assert url.password not in finding.message.removeprefix(url.scheme), finding.message


def _text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return node.value if isinstance(node.value, str) else node.value.decode("latin-1")
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return ""


def test_provider_message_names_the_provider_and_a_public_prefix_only(tmp_path):
    [finding] = _messages(tmp_path, 'TOKEN = "ghp_0123456789abcdefghijklmnopqrsEXAMPLE"\n', "BL102")
    assert "GitHub token" in finding.message and "`ghp_…`, 40 characters" in finding.message


def test_extra_secret_words_option(tmp_path):
    code = 'LOCKER_PIN = "4921-8830"\n'
    assert _messages(tmp_path, code, "BL101") == []
    options = {"rule_options": {"BL101": {"extra-secret-words": ["pin"]}}}
    assert [f.line for f in _messages(tmp_path, code, "BL101", **options)] == [1]


def test_check_tests_option_reports_test_files(tmp_path):
    code = 'ADMIN_PASSWORD = "s3cret-pw"\n'
    assert _messages(tmp_path, code, "BL101", path="tests/test_admin.py") == []
    options = {"rule_options": {"hardcoded-secret": {"check-tests": True}}}
    assert len(_messages(tmp_path, code, "BL101", path="tests/test_admin.py", **options)) == 1


def test_entropy_threshold_and_ignore_names_options(tmp_path):
    code = 'API_TOKEN = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"\n'
    assert len(_messages(tmp_path, code, "BL101")) == 1
    assert _messages(tmp_path, code, "BL101", rule_options={"BL101": {"entropy-threshold": 4.5}}) == []
    assert _messages(tmp_path, code, "BL101", rule_options={"BL101": {"ignore-names": ["API_TOKEN"]}}) == []


def test_cli_reports_secrets_with_their_routing(tmp_path):
    write(tmp_path, "app/config.py", 'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"\nDB = "mysql://app:Pa55-w0rd@db/app"\n')
    result = run_cli("app", "--select", "BL1", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "AKIAIOSFODNN7EXAMPLE" not in result.stdout.split('"findings"')[1].split('"message"')[1]
    assert '"agent": "auth-security/cryptography"' in result.stdout and '"BL103"' in result.stdout


# Every alternative spelling a format accepts, since `find_format` skips a string unless its prefilter
# (written for speed, apart from the formats) finds a piece each of them must contain.
VARIANTS = [
    *(("AWS access key id", p + "IOSFODNN7EXAMPLE") for p in ("ASIA", "ABIA", "ACCA", "A3TX")),
    *(("GitHub token", f"gh{c}_" + "EXAMPLE0123456789abcdefghijklmnopqrs") for c in "pousr"),
    *(("GitLab token", f"gl{p}-EXAMPLE0123456789abc") for p in "pat dt ptt rt cbt oas ft imt agent".split()),
    *(("Slack token", f"xox{c}-1234567890-EXAMPLEabcdef") for c in "abposre"),
    *(("Slack webhook", f"https://hooks.slack.com/{p}/EXAMPLEEXAMPLEEXAMPLE") for p in ("workflows", "triggers")),
    ("Stripe live key", "sk_live_EXAMPLE0123456789abcdefgh"),
    ("Anthropic API key", "sk-ant-api03-" + "EXAMPLE0123456789" * 5),
    *(("OpenAI API key", f"sk-{p}-" + "EXAMPLE0123456789" * 3) for p in ("proj", "admin")),
    ("OpenAI API key", "sk-" + "EXAMPLE0123456789abcd"[:20] + "T3BlbkFJ" + "EXAMPLE0123456789abcd"[:20]),
    *(("Shopify token", f"shp{p}_" + HEX32) for p in ("ss", "ca", "pa")),
    ("Square token", "sq0csp-" + ("EXAMPLE0123456789" * 3)[:43]),
    ("Square token", "EAAA" + ("EXAMPLE0123456789" * 4)[:60]),
    *(("Discord webhook", f"https://{h}/api/webhooks/1234/" + "EXAMPLE0123456789" * 4)
      for h in ("ptb.discord.com", "canary.discordapp.com")),
    *(("Discord bot token", c + "TEXAMPLE0123456789abcdefg.GhIjKl.EXAMPLE0123456789abcdefghijklmn") for c in "NO"),
    ("Telegram bot token", "12345678:AAEXAMPLE0123456789abcdefghijklmnop"),
    ("Databricks token", "dapi" + HEX32 + "-2"),
    *(("DigitalOcean token", f"do{c}_v1_" + HEX32 * 2) for c in "or"),
    ("Grafana token", "glc_EXAMPLE0123456789abcdefghijklmnopq=="),
    ("PEM private key", "-----BEGIN RSA PRIVATE KEY-----\n" + "MIIEowIBAAKCAQEA" * 5),
]


@pytest.mark.parametrize(("name", "sample"), VARIANTS)
def test_format_matches_each_of_its_spellings(name, sample):
    found = cred.find_format(f"a docstring, then {sample}. More text.")
    assert found is not None and found[0].name == name, (name, found)


def test_a_url_finding_covers_the_password_so_the_masked_line_still_shows_the_url(tmp_path):
    code = 'BROKER_URL = "amqp://shop:Rq8-broker-pw@rabbit.internal:5672//"\n'
    (finding,) = _messages(tmp_path, code, "BL103")
    line = code.rstrip("\n")
    assert line[finding.column - 1 : finding.end_column - 1] == "Rq8-broker-pw"
    shown = code_line(finding, line)
    assert "amqp://shop:" in shown and "@rabbit.internal:5672//" in shown and "Rq8-broker-pw" not in shown
