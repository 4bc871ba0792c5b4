"""Hostile file names and source lines are inert in every output format.

The code under review chooses its file names and its lines: newlines, `::`, `%`, commas, ANSI
escapes (a screen clear, an OSC-8 link, a window title), carriage returns, bells, bidi overrides,
the surrogate escapes of a name that is not UTF-8. Text writes no control character; GitHub
annotations cannot be split into new workflow commands; Markdown renders no HTML, link, image or
mention and keeps its table; JSON and SARIF stay valid UTF-8 JSON that decodes to the same values.
One long line flagged many times cannot make a huge text report.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata

import pytest
from markdown_it import MarkdownIt

from backend_lint.catalog import load_catalog
from backend_lint.model import Error, Finding, Report, Suppression
from backend_lint.report import RenderOptions, render
from backend_lint.report.escape import CODE_LIMIT, MESSAGE_LIMIT, json_text, line_start, log_safe, md_code, md_text, visible
from backend_lint.report.github import annotation
from conftest import lint_tree, run_cli, write
from test_sarif import validate

ESC_CLEAR = "\x1b[2J"
OSC8_LINK = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
TITLE = "\x1b]0;pwned\x07"
BIDI = "\u202e\u2066"
HOSTILE = f"a\nb::error::c%2C,d{ESC_CLEAR}{OSC8_LINK}{TITLE}\r\x07{BIDI}\x9b\u2028\ufeff\U000e0041"
PATH = f"app/evil{HOSTILE}|`<img src=x>`[l](https://e)\udce9.py"
MESSAGE = f"quoted {HOSTILE} <a href=x>y</a> ![i](https://e/p.png) @org/team ##[add-mask]z | `tick"
TERMINAL_UNSAFE = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def unsafe_chars(text: str, allowed: str = "\n") -> set[str]:
    return {c for c in text if unicodedata.category(c) in TERMINAL_UNSAFE and c not in allowed}


def hostile_finding(line: int = 1, **changes) -> Finding:
    fields = dict(
        rule="BL301", name="print-used-for-logging", category="logging", severity="low", confidence="high",
        message=MESSAGE, path=PATH, line=line, column=1, end_line=line, end_column=5,
        agent="devops/monitoring", checklist=("quality.structured-logging",), cwe=(778,), fingerprint="f" * 20,
    )  # fmt: skip
    return Finding(**{**fields, **changes})


def hostile_report() -> Report:
    suppressed = hostile_finding(2, suppression=Suppression(2, reason=f"because {HOSTILE}"))
    return Report(
        findings=(hostile_finding(), hostile_finding(3, severity="high")),
        errors=(Error("syntax", f"syntax error: {HOSTILE}", PATH, "native"), Error("engine", MESSAGE, None, "semgrep")),
        files=2, suppressed=(suppressed,), notices=(f"notice {HOSTILE}",),
        code={PATH: {1: f"print('{HOSTILE}')", 3: "x" * 5000}},
    )  # fmt: skip


def rendered(fmt: str, **options) -> str:
    opts = RenderOptions(version="0", show_suppressed=True, root="/tmp", **options)
    return render(fmt, hostile_report(), {}, load_catalog(), opts)


# --- the shared helper ---


def test_visible_escapes_every_control_format_and_bidi_character():
    shown = visible(HOSTILE + "\udcff")
    assert not unsafe_chars(shown, allowed="")
    for escaped in ("\\n", "\\r", "\\x07", "\\x1b[2J", "\\x1b]8;;https", "\\u202e", "\\u2066", "\\x9b", "\\u2028",
                    "\\ufeff", "\\U000e0041", "\\xff"):  # fmt: skip
        assert escaped in shown
    assert visible("naïve café → ✓ 日本") == "naïve café → ✓ 日本"  # printable text is untouched


def test_clipping_counts_characters_and_says_so():
    assert visible("x" * 500, limit=200) == "x" * 200 + "…"
    assert visible("short", limit=200) == "short"


def test_legacy_runner_commands_and_leading_workflow_commands_are_broken():
    assert "##[" not in log_safe("##[add-mask]x ###[error]y")
    assert line_start("::error::x").startswith("\\x3a:") and line_start("  ::x").startswith("  \\x3a")
    assert line_start("a::b") == "a::b"


def test_json_text_round_trips_and_is_strict_utf8():
    value = {"path": "a\u202eb\x9b\x1b\U000e0041", "bytes": "caf\udce9", "cmd": "##[x"}
    text = json_text(value)
    text.encode("utf-8")  # strict: no lone surrogate
    assert not unsafe_chars(text)
    assert json.loads(text) == {**value, "bytes": "caf\\xe9"}  # surrogates shown as the text report shows them
    assert "##[" not in text


def test_markdown_helpers_render_as_the_text_itself():
    md = MarkdownIt("commonmark").enable("table")
    for raw in ("<img src=x onerror=alert(1)>", "[click](https://e)", "![i](https://e/p.png)", "**bold** _it_ `code`",
                "a & b &amp; <b>"):  # fmt: skip
        html = md.render(md_text(raw, table=False))
        assert "<img" not in html and "<a " not in html and "<strong>" not in html and "<b>" not in html
    assert md.render(md_code("``a`b``", table=False)) == "<p><code>``a`b``</code></p>\n"
    assert md_text("@org/team and me@x.io") == "`@org/team` and me`@x.io`"


# --- every format ---


def test_text_never_writes_a_control_character_in_colour_or_not():
    for color in (False, True):
        text = rendered("text", color=color)
        ansi_free = text if not color else _strip_sgr(text)
        assert not unsafe_chars(ansi_free), unsafe_chars(ansi_free)
        assert "\\x1b[2J" in text and "\\u202e" in text and "\\xe9" in text
        assert not any(line.lstrip().startswith("::") for line in text.splitlines())
        assert "##[" not in text


def _strip_sgr(text: str) -> str:
    """Our own colours (SGR sequences rich writes) removed: what is left must be inert."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_text_caps_code_lines_and_messages():
    text = rendered("text")
    code = [line for line in text.splitlines() if "│" in line]
    assert code and max(len(line) for line in code) < CODE_LIMIT + 20
    long_message = Report((hostile_finding(message="m" * 10_000),), (), 1, code={})
    out = render("text", long_message, {}, load_catalog(), RenderOptions(version="0"))
    assert "m" * MESSAGE_LIMIT + "…" in out and "m" * (MESSAGE_LIMIT + 1) not in out


def test_github_annotations_cannot_be_split_or_smuggle_commands():
    out = rendered("github")
    lines = out.splitlines()
    report = hostile_report()
    assert len(lines) == len(report.findings) + len(report.errors) + len(report.notices) + 1
    assert all(line.startswith(("::error ", "::warning ", "::notice ", "backend-lint: ")) for line in lines)
    assert not unsafe_chars(out) and "##[" not in out
    first = annotation(hostile_finding())
    props, message = first[len("::notice "):].split("::", 1)
    names = [p.split("=", 1)[0] for p in props.split(",")]
    assert names == ["file", "line", "col", "endLine", "endColumn", "title"]  # no comma or colon got through
    file_value = props.split(",")[0].split("=", 1)[1]
    decoded = file_value.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
    assert decoded.startswith("app/evila\nb::error::c%2C,d\\x1b[2J")  # newline lossless, the runner decodes it
    assert len(message) < MESSAGE_LIMIT * 10


def test_markdown_renders_no_html_link_image_or_mention_and_keeps_its_tables():
    out = rendered("markdown")
    assert not unsafe_chars(out) and "##[" not in out
    html = MarkdownIt("commonmark").enable("table").render(out)
    for injected in ("<img", "<a ", "<a>", "<script"):
        assert injected not in html
    assert "@org/team" not in html.replace("<code>@org/team</code>", "")
    for row in html.split("<tr>")[2:]:  # every findings row still has its five cells
        if "BL301" in row:
            assert row.count("<td") == 5, row


def test_json_is_valid_utf8_and_decodes_to_the_values():
    out = rendered("json")
    out.encode("utf-8")
    assert not unsafe_chars(out) and "##[" not in out
    data = json.loads(out)
    assert data["findings"][0]["path"] == PATH.replace("\udce9", "\\xe9")
    assert data["findings"][0]["message"] == MESSAGE
    assert data["notices"] == [f"notice {HOSTILE}"]


def test_sarif_is_valid_against_the_schema_and_utf8():
    out = rendered("sarif")
    out.encode("utf-8")
    assert not unsafe_chars(out) and "##[" not in out
    doc = json.loads(out)
    validate(doc)
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert "%0A" in uri and "%E9" in uri and "%1B" in uri  # percent-encoded, the raw byte of the name included


# --- end to end, with real files ---


@pytest.mark.skipif(sys.platform == "win32", reason="such file names are POSIX only")
def test_cli_on_hostile_file_names_and_lines(tmp_path):
    source = f'print("{ESC_CLEAR}{TITLE}{BIDI}\x07 ##[add-mask]x")\n'
    write(tmp_path, f"app/x\n::error file=a::b{ESC_CLEAR}\u202e.py", source)
    with open(os.path.join(os.fsencode(tmp_path), b"app", b"caf\xe9.py"), "w", encoding="utf-8") as fh:
        fh.write(source)
    for fmt in ("text", "github", "markdown", "json", "sarif"):
        done = run_cli("--format", fmt, "app", cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert not unsafe_chars(done.stdout), (fmt, unsafe_chars(done.stdout))
        assert "##[" not in done.stdout
        assert not any(line.lstrip().startswith("::error file=a") for line in done.stdout.splitlines())
        if fmt in ("json", "sarif"):
            json.loads(done.stdout)
    text = run_cli("app", cwd=tmp_path).stdout
    assert "app/x\\n::error file=a::b\\x1b[2J\\u202e.py" in text and "app/caf\\xe9.py" in text
    assert '│ print("\\x1b[2J\\x1b]0;pwned\\x07\\u202e\\u2066\\x07 #\\x23[add-mask]x")' in text


def test_one_long_line_flagged_many_times_makes_a_small_text_report(tmp_path):
    line = "; ".join("print(1)" for _ in range(5000))  # one 50 KB line, 5000 findings on it
    write(tmp_path, "big.py", line + "\n")
    report = lint_tree(tmp_path)
    assert len(report.findings) == 5000
    text = render("text", report, {}, load_catalog(), RenderOptions(version="0"))
    assert len(text) < 2_000_000  # uncapped, every finding would repeat the 50 KB line: 250 MB
    assert max(len(x) for x in text.splitlines() if "│" in x) <= CODE_LIMIT + 10

