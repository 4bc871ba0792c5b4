"""The values of string and bytes literals, decoded as CPython's tokenizer and parser do.

Written out rather than delegated to `ast.literal_eval` or the `unicode_escape` codec because
f-string and t-string text comes in pieces that are not literals on their own, and the codecs
warn about invalid escapes (an error under `-W error`). Line ends inside literals are `\\n`
whatever the file uses, as CPython translates them before tokenizing.
"""

from __future__ import annotations

import re
import unicodedata

from .common import Unsupported

_ESCAPE = re.compile(r"\\(\n|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}\n]*\}|.)?", re.S)
_SIMPLE = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_LINE_END = re.compile(r"\r\n?")


def split_literal(token: str) -> tuple[str, str]:
    """The lower-cased prefix and the body (between the quotes) of a string token."""
    quote_at = min(i for i in (token.find("'"), token.find('"')) if i >= 0)
    prefix = token[:quote_at].lower()
    quotes = 3 if token[quote_at : quote_at + 3] in ("'''", '"""') else 1
    return prefix, token[quote_at + quotes : len(token) - quotes]


def literal_value(token: str) -> str | bytes:
    """The value of a plain (not formatted) string or bytes literal."""
    prefix, body = split_literal(token)
    return decode(body, raw="r" in prefix, is_bytes="b" in prefix)


def decode(body: str, *, raw: bool, is_bytes: bool = False) -> str | bytes:
    """The value of literal text `body` with its escapes."""
    if "\r" in body:
        body = _LINE_END.sub("\n", body)
    if is_bytes and not body.isascii():
        raise Unsupported("bytes can only contain ASCII literal characters")
    if not raw and "\\" in body:
        body = _ESCAPE.sub(_escape_bytes if is_bytes else _escape_str, body)
    return body.encode("latin-1") if is_bytes else body


def _escape_str(match: re.Match[str]) -> str:
    escape = match.group(1)
    if escape is None:
        return "\\"
    lead = escape[0]
    if len(escape) == 1 and lead not in "01234567":
        if lead in "xuUN":
            raise Unsupported(f"invalid \\{lead} escape")
        return _SIMPLE.get(lead, "" if lead == "\n" else "\\" + lead)
    if lead == "N":
        try:
            return unicodedata.lookup(escape[2:-1])
        except KeyError:
            raise Unsupported("unknown Unicode character name") from None
    code = int(escape, 8) if lead in "01234567" else int(escape[1:], 16)
    if code > 0x10FFFF:
        raise Unsupported("illegal Unicode character")
    return chr(code)


def _escape_bytes(match: re.Match[str]) -> str:
    escape = match.group(1)
    if escape is None:
        return "\\"
    lead = escape[0]
    if lead in "01234567":
        return chr(int(escape, 8) & 0xFF)
    if lead == "x" and len(escape) == 3:
        return chr(int(escape[1:], 16))
    if len(escape) == 1:
        if lead == "x":
            raise Unsupported("invalid \\x escape")
        return _SIMPLE.get(lead, "" if lead == "\n" else "\\" + lead)
    return "\\" + escape  # \u, \U and \N mean nothing in bytes
