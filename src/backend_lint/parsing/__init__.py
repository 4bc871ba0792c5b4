"""Parsing Python source into `ast`, for every grammar from Python 3.8 to 3.14 on any host.

The rules run on the host's `ast`, whose parser knows only the host's grammar. `parse_python`
uses it first (the fast path, unchanged); when it rejects a file, libcst, whose parser knows
every grammar, parses it and the converter builds the `ast.Module` that the newest CPython
would build, from the host's node classes and with CPython's positions (UTF-8 byte columns).
Constructs the host has no node for are mapped onto what it has: `type X = Y` becomes an
assignment before 3.12, type parameters are dropped before 3.12, `try/except*` becomes `try`
on 3.10, t-strings are `TemplateStr`/`Interpolation` (the host's from 3.14, `nodes`' before).

Layout: `parse` (the entry point and error policy), `depth` (a guard against input libcst
would crash on), `tokens` (token positions of a libcst tree), `convert` (dispatch and
positions), and one module per family of syntax: `statements`, `compound`, `expressions`,
`arguments`, `patterns`, `strings` (with `literals` for escapes). Nothing here imports libcst
until a file needs it.
"""

from __future__ import annotations

from .nodes import Interpolation, TemplateStr
from .parse import ParseFailure, from_cst, parse_python

__all__ = ["Interpolation", "ParseFailure", "TemplateStr", "from_cst", "parse_python"]
