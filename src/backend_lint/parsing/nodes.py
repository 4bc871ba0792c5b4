"""PEP 750 template-string nodes for hosts whose `ast` lacks them (before 3.14).

`TemplateStr` and `Interpolation` are the host's own classes on 3.14 and later; before, small
subclasses of `ast.expr` with the same names and fields, so `ast.walk`, `ast.iter_child_nodes`
and `ast.NodeVisitor.visit_TemplateStr` reach them and the expressions they interpolate. A
t-string is never an `ast.JoinedStr`: rules must not mistake `cursor.execute(t"... {x}")`, the
safe template API, for an f-string.
"""

from __future__ import annotations

import ast


if hasattr(ast, "TemplateStr"):  # Python 3.14+
    TemplateStr = ast.TemplateStr
    Interpolation = ast.Interpolation
else:

    class TemplateStr(ast.expr):
        """A t-string: `values` are `ast.Constant` strings and `Interpolation` nodes."""

        _fields = ("values",)
        __match_args__ = ("values",)

    class Interpolation(ast.expr):
        """One `{...}` of a t-string: the expression, its source text (`str`), the conversion
        (-1 or the code of `s`, `r`, `a`) and the format spec (an `ast.JoinedStr` or None)."""

        _fields = ("value", "str", "conversion", "format_spec")
        __match_args__ = ("value", "str", "conversion", "format_spec")
