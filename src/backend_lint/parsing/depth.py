"""A cheap guard run before libcst: is the source nested deeper than libcst's parser survives?

libcst's native parser recurses on the machine stack and crashes the whole process (it does not
raise) a few thousand levels deep, while CPython raises on those inputs. The host's parser
usually sees them first, but not when a syntax error comes earlier in the file. So before a
file goes to libcst, a rough scan measures two things: bracket nesting, and the longest run of
tokens not separated by a comma, semicolon or line end at top level (a chain like `1+1+...`,
`- - -1` or `a.b.c...` nests as deep as it is long). The scan knows strings and comments only
roughly; its limits are far above anything CPython accepts (200 brackets; chains raise
RecursionError near 3,000) and below where libcst crashes (about 5,000).
"""

from __future__ import annotations

import re

MAX_BRACKETS = 1000
MAX_CHAIN = 3000

_TOKEN = re.compile(
    r"""[rRbBuUfFtT]{0,2}(?:\"\"\"(?:[^\\]|\\.)*?\"\"\"|'''(?:[^\\]|\\.)*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
    r"""|\#[^\n]*|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<sep>[,;])|(?P<newline>\n)|\w+|[^\w\s]""",
    re.S,
)


def too_deep(text: str) -> str | None:
    """Why `text` must not be given to libcst, or None when it can be."""
    depth = chain = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth > MAX_BRACKETS:
                return "too many nested parentheses"
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "sep" or (kind == "newline" and depth == 0):
            chain = 0
            continue
        elif kind == "newline":
            continue
        chain += 1
        if chain > MAX_CHAIN:
            return "expression too long"
    return None
