"""Untrusted text made inert, for every output format in one place.

File names, source lines and the messages that quote them come from the code under review, which
may be hostile: a newline in a file name, an ANSI escape (`\\x1b[2J`, an OSC-8 link, a window
title) in a string literal, a bidi override (U+202E) that makes a line read backwards, a bell, a
lone surrogate standing for a byte of a file name that is not UTF-8. Reporters pass every such
value through one of these functions, chosen by where it lands:

- `visible`: a terminal or a CI log (text, GitHub annotations). Every control, format, bidi,
  line-separator and surrogate character is written as a visible backslash escape (`\\x1b`,
  `\\u202e`, `\\xff` for the byte a surrogate escape stands for), and the text can be clipped.
- `log_safe`: also breaks the legacy `##[command]` syntax, which the GitHub Actions runner finds
  anywhere in a line of a step's output.
- `line_start`: text that begins a line, where `::command::` would be a workflow command.
- `json_text`: JSON and SARIF. Valid UTF-8 JSON whatever the strings hold: C1, bidi and other
  invisible characters as `\\uXXXX` escapes (lossless), surrogates as the visible `\\xNN` text the
  reports show for them (a lone surrogate escape is rejected by strict JSON readers).
- `md_text` / `md_code`: Markdown (pull-request comments, the step summary). Prose has every
  character Markdown or GFM gives a meaning to escaped and `@mentions` put in code spans; code
  spans get a fence longer than any backtick run inside them. Neither can open HTML, a link or
  an image, or break a table row.

Backslashes already in the text are not doubled: a source line that spells `"\\x1b"` reads the
same as one holding the character, which keeps code readable and is never harmful.
"""

from __future__ import annotations

import json
import re

CODE_LIMIT = 200  # characters of a source line shown per finding
MESSAGE_LIMIT = 300  # characters of a message shown in text, Markdown and annotations
ELLIPSIS = "…"

# Unicode's control (Cc), format (Cf: bidi controls, zero-width and invisible characters, tags),
# line and paragraph separators (Zl, Zp) and surrogates (Cs).
_UNSAFE_RANGES = (
    "\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_UNSAFE = re.compile(f"[{_UNSAFE_RANGES}]")
_UNSAFE_IN_JSON = re.compile(f"[{_UNSAFE_RANGES[3:]}]")  # json escapes C0 itself; its layout has newlines
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_LEGACY_COMMAND = re.compile(r"(?<=#)#(?=\[)")  # the second `#` of `##[`


def _escape_char(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the undecodable byte it stands for
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def clip(text: str, limit: int | None) -> str:
    """At most `limit` characters of `text`, with an ellipsis when something was cut."""
    if limit is None or len(text) <= limit:
        return text
    return text[:limit] + ELLIPSIS


def visible(text: str, limit: int | None = None) -> str:
    """`text` with no character a terminal would act on or hide, clipped to `limit` characters
    (counted before escaping, so at most ten times that many are written)."""
    return _UNSAFE.sub(_escape_char, clip(str(text), limit))


def log_safe(text: str, limit: int | None = None) -> str:
    """`visible`, and no `##[`: a CI log line that quotes hostile text cannot hold a runner command."""
    return _LEGACY_COMMAND.sub(r"\\x23", visible(text, limit))


def line_start(text: str) -> str:
    """`log_safe` text that may begin a line: it cannot start with `::` (a workflow command)."""
    text = log_safe(text)
    stripped = text.lstrip()
    if stripped.startswith("::"):
        return text[: len(text) - len(stripped)] + "\\x3a" + stripped[1:]
    return text


# --- JSON and SARIF --------------------------------------------------------------------------------


def _json_char(match: re.Match) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:  # as the text report shows it, written as JSON (`\\xff` -> "\\\\xff")
        return "\\" + _escape_char(match)
    if code > 0xFFFF:  # a UTF-16 surrogate pair, as JSON spells characters beyond the BMP
        high, low = divmod(code - 0x10000, 0x400)
        return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"
    return f"\\u{code:04x}"


def json_text(data: object) -> str:
    """`data` as indented JSON that is valid UTF-8 and inert when printed: json escapes C0
    controls itself; every other unsafe character becomes a `\\u` escape, surrogates excepted
    (see the module doc), and `##[` becomes `#\\u0023[`. Only characters inside strings are
    touched, so the document decodes to the same values."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _LEGACY_COMMAND.sub(r"\\u0023", _UNSAFE_IN_JSON.sub(_json_char, text))


# --- Markdown -------------------------------------------------------------------------------------

# ASCII punctuation CommonMark or GFM gives a meaning to inside a line: code, emphasis, links and
# images (with `[` and `]` escaped, `!`, `(` and `)` mean nothing), strikethrough, math, table
# cells, raw HTML and entities (`<`, `>` and `&` become entities).
_MD_SPECIAL = re.compile(r"[\\`*_\[\]~|$<>&]")
_MD_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_MENTION = re.compile(r"(@[\w.\-/]+)")  # GitHub pings people and teams mentioned in prose


def _one_line(text: str) -> str:
    return " ".join(text.split())


def md_code(text: str, table: bool = True, limit: int | None = None) -> str:
    """`text` as one inline code span: nothing inside is interpreted (no HTML, link or mention).
    In a table row, pipes are escaped (GFM splits cells on them even inside code)."""
    body = _one_line(log_safe(text, limit)) or " "
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    if body[0] == "`" or body[-1] == "`":
        body = f" {body} "
    if table:
        body = body.replace("|", "\\|")
    return f"{fence}{body}{fence}"


def _md_prose(text: str) -> str:
    return _MD_SPECIAL.sub(lambda m: _MD_ENTITIES.get(m.group(), "\\" + m.group()), text)


def md_text(text: str, limit: int | None = None, table: bool = True) -> str:
    """`text` as Markdown prose that renders as the text itself: every special character
    escaped, `@name` in a code span so it pings no one, its whitespace (newlines included)
    collapsed to single spaces, clipped to `limit`."""
    parts = _MENTION.split(visible(_one_line(clip(text, limit))))
    return "".join(md_code(p, table) if i % 2 else _md_prose(p) for i, p in enumerate(parts))
