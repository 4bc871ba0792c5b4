"""What makes a gitignore pattern safe to match, shared by the config check and the file walk.

pathspec turns each pattern into a regular expression, one `[^/]*` per star: `*a*a*a*a*a*b` then
takes time growing as the name's length to the power of the stars to fail on one name (a hostile
`.gitignore` took 47 s on a two-file tree). `safe` rewrites every star but a name's last as an
atomic lazy match up to what follows it (as `fnmatch.translate` does since Python 3.9): the first
place where the rest of a star-free piece matches is always a right one, so nothing is lost and
nothing backtracks. A run of stars within a name means one star (git's own rule) and `**/**/`
means `**/`; a pattern with more than MAX_WILDCARDS wildcards, or that does not compile, is refused.
"""

from __future__ import annotations

import re

import pathspec

MAX_WILDCARDS = 64
_STAR = re.escape("[^/]*")
# a star of a name, what follows it up to the next star of the same name (no `/`, no group)
_PIECE = re.compile(r"\[\^/\]\*((?:(?!\[\^/\]\*)[^/()])+)(?=\[\^/\]\*)")
_STARS = re.compile(r"(?<!\\)\*{2,}")
_WILDCARD = re.compile(r"(?<!\\)[*?[]")


def normalised(line: str) -> str:
    """The pattern with every run of stars inside a name as one star, and no repeated `**/`."""
    parts = [part if part == "**" else _STARS.sub("*", part) for part in line.split("/")]
    return "/".join(part for i, part in enumerate(parts) if not (part == "**" and i and parts[i - 1] == "**"))


def safe(regex: str, tag: int = 0) -> str:
    """pathspec's regex for a pattern, its stars but the last of each name made atomic (`tag`
    tells the groups of this pattern apart from another's in one combined regex)."""
    count = iter(range(1 << 30))

    def atomic(match: re.Match) -> str:
        name = f"bl{tag}_{next(count)}"
        return f"(?=(?P<{name}>[^/]*?{match.group(1)}))(?P={name})"

    return _PIECE.sub(atomic, regex)


def problem(pattern: str) -> str | None:
    """Why a (normalised) gitignore pattern cannot be used, or None."""
    if len(_WILDCARD.findall(pattern)) > MAX_WILDCARDS:
        return f"more than {MAX_WILDCARDS} wildcards (matching it could take exponential time)"
    try:
        for compiled in pathspec.GitIgnoreSpec.from_lines([pattern]).patterns:
            if compiled.regex is not None:
                re.compile(compiled.regex.pattern)
    except (re.error, ValueError, TypeError) as exc:
        return f"not a valid pattern ({exc})"
    return None
