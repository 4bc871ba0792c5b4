"""A cheap guard run before libcst: is the source nested deeper than any CPython accepts, or
than libcst's parser survives?

libcst's native parser recurses on the machine stack and crashes the whole process (it does not
raise) a few thousand levels deep, while CPython raises on those inputs. The host's parser
usually sees them first, but not when a syntax error comes earlier in the file. So before a
file goes to libcst, a rough scan measures two things: bracket nesting, and the longest run of
tokens not separated by a comma, semicolon or line end at top level (a chain like `1+1+...`,
`- - -1` or `a.b.c...` nests as deep as it is long). The scan knows strings and comments only
roughly. Brackets and indentation have CPython's own limits, the same in every version from
3.8 to 3.14: at most 200 nested brackets, fewer than 100 levels of indentation (libcst takes
more, and its parser slows down quadratically with bracket depth). CPython takes chains of
1,000 operators in every version, of 100,000 in some; libcst's parser takes time quadratic in
a chain's length (8 s for 3,000 operators) and crashes near 5,000 levels, so the limit here
is 3,000 tokens (1,500 operators).
"""

from __future__ import annotations

import re

MAX_BRACKETS = 200  # CPython's MAXLEVEL
MAX_INDENT = 100  # CPython's MAXINDENT: a block this deep is refused
MAX_CHAIN = 3000

_TOKEN = re.compile(
    r"""[rRbBuUfFtT]{0,2}(?:\"\"\"(?:[^\\]|\\.)*?\"\"\"|'''(?:[^\\]|\\.)*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
    r"""|\#[^\n]*|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<sep>[,;])|(?P<newline>\n)|\w+|[^\w\s]""",
    re.S,
)


def too_deep(text: str, max_chain: int = MAX_CHAIN) -> str | None:
    """Why `text` must not be given to libcst, or None when it can be (with a longer
    `max_chain`: to a parser that takes longer chains)."""
    depth = chain = 0
    indents = [0]  # the columns of the open blocks, as the tokenizer keeps them
    line_start: int | None = 0  # where the current line starts, until its first token is seen
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "newline":
            if depth == 0:
                chain, line_start = 0, match.end()
            continue
        if line_start is not None and not match.group().startswith("#"):
            column = len(text[line_start : match.start()].expandtabs(8))
            line_start = None
            while column < indents[-1]:
                indents.pop()
            if column > indents[-1]:
                indents.append(column)
                if len(indents) > MAX_INDENT:
                    return "too many levels of indentation"
        if kind == "open":
            depth += 1
            if depth > MAX_BRACKETS:
                return "too many nested parentheses"
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "sep":
            chain = 0
            continue
        chain += 1
        if chain > max_chain:
            return "expression too long"
    return None
