"""How a query string was built: a private helper of `checks/sql.py` (no rule lives here).

`QueryBuilds.find(expr)` answers "was this string made by formatting or concatenating something
that is not fixed in the source?", following a local variable back to where it was assigned or
extended (`q += …`) in the same function (the function's def-use table, `model.flow(function)`,
knows where). Fixed parts, besides what the flow models name (`sql-sanitizer`, `sql-composable`,
`scalar-type`), are module constants, literals, conditional
expressions of constants, placeholder lists made of constants, numbers (`int(x)`, a parameter
annotated `int`), quoted identifiers (`quote_name(x)`), values looked up in a constant mapping
(`SORT_COLUMNS[key]`), names checked against a constant allow-list (`if col not in ALLOWED: raise`)
and Django model metadata (`Model._meta.db_table`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ..flow import models

_NUMERIC_CONVERSION = re.compile(r"%(?:\([^)]*\))?[-+ #0]*\d*(?:\.\d+)?[diouxXeEfFgGc%]")
_ANY_CONVERSION = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]")
HOLE = "\x00"


class _Known(NamedTuple):
    """What the flow models say makes a part of a query fixed."""

    numeric: frozenset[str]  # calls whose result is a number (sanitizers by qualified name)
    quoting: frozenset[str]  # calls that quote an identifier (sanitizers by name)
    composable: frozenset[str]  # psycopg's sql.SQL, sql.Identifier, … (by name)
    annotations: frozenset[str]  # how a parameter annotated with a scalar type may be written
    layout: frozenset[str]  # textwrap.dedent, inspect.cleandoc


@lru_cache(maxsize=1)
def _known() -> _Known:
    numeric = frozenset(e.name for e in models.entries("sql-sanitizer") if e.match == models.QUALIFIED)
    scalars = models.qualified("scalar-type") | models.names("scalar-type")
    return _Known(numeric, models.names("sql-sanitizer"), models.names("sql-composable"), scalars,
                  models.qualified("layout"))  # fmt: skip


@dataclass(frozen=True)
class Build:
    """Where a query was built from a non-constant part: `how` ("an f-string"), the line, the part."""

    how: str
    line: int
    part: str
    text: str  # the constant text, with HOLE where non-constant parts go


class QueryBuilds:
    def __init__(self, model, function: ast.AST | None, segment, safe_functions: frozenset[str]) -> None:
        """`segment(node)` gives a node's source text (FileContext.segment: no re-split of the file)."""
        self.model = model
        self.function = function
        self.segment = segment
        self.known = _known()
        self.safe_functions = self.known.quoting | safe_functions
        self._allowlisted: frozenset[str] | None = None  # computed when a name part needs it
        self._resolving: set[str] = set()

    # -- finding the build ---------------------------------------------------------------------
    def find(self, expr: ast.AST, depth: int = 0) -> Build | None:
        if depth > 6:
            return None
        if isinstance(expr, ast.JoinedStr):
            holes = [v for v in expr.values if isinstance(v, ast.FormattedValue) and not self._safe_hole(v)]
            return self._build("an f-string", expr, holes[0].value, self.text(expr)) if holes else None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and self._stringy(expr.left):
            template = self.text(expr.left)
            if self.safe(expr.right) or _only_numeric_conversions(template):
                return None
            return self._build("%-formatting", expr, expr.right, template)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            operands = _flatten_add(expr)
            if not any(self._stringy(o) for o in operands) or any(self._composable(o) for o in operands):
                return None
            unsafe = [o for o in operands if not self.safe(o)]
            return self._build("string concatenation", expr, unsafe[0], self.text(expr)) if unsafe else None
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
            if not self._stringy(expr.func.value):
                return None  # psycopg2's sql.SQL(...).format(sql.Identifier(...)) composes safely
            args = [*expr.args, *(k.value for k in expr.keywords)]
            unsafe = [a for a in args if not self.safe(a)]
            return self._build("str.format()", expr, unsafe[0], self.text(expr.func.value)) if unsafe else None
        if isinstance(expr, ast.Name):
            return self._find_in_variable(expr, depth)
        inner = _unwrapped(expr, self.model, self.known.layout)
        return self.find(inner, depth + 1) if inner is not None else None

    def _find_in_variable(self, name: ast.Name, depth: int) -> Build | None:
        if name.id in self._resolving:
            return None
        self._resolving.add(name.id)
        try:
            for stmt in self._assignments(name.id):
                if stmt.lineno > name.lineno:
                    break
                if isinstance(stmt, ast.AugAssign):
                    if isinstance(stmt.op, ast.Add) and not self.safe(stmt.value):
                        return self._build("`+=`", stmt, stmt.value, self.text(stmt.value))
                    continue
                found = self.find(stmt.value, depth + 1)
                if found:
                    return found
        finally:
            self._resolving.discard(name.id)
        return None

    def _assignments(self, name: str) -> list[ast.AST]:
        """`x = …`, `x += …` … of the function, from its def-use table (none at module level)."""
        return [] if self.function is None else self.model.flow(self.function).assignments(name)

    def _build(self, how: str, node: ast.AST, part: ast.AST, text: str) -> Build:
        segment = self.segment(part) or "…"
        segment = " ".join(segment.split())
        return Build(how, node.lineno, segment if len(segment) <= 40 else segment[:37] + "...", text)

    # -- what is fixed in the source -----------------------------------------------------------
    def safe(self, expr: ast.AST, depth: int = 0) -> bool:
        model = self.model
        if depth > 6 or model.is_constant(expr):
            return True
        if isinstance(expr, ast.Name):
            return self._safe_name(expr, depth)
        if isinstance(expr, ast.JoinedStr):
            return all(self._safe_hole(v, depth) for v in expr.values if isinstance(v, ast.FormattedValue))
        if isinstance(expr, ast.BinOp):
            if isinstance(expr.op, ast.Mult):
                return self.safe(expr.left, depth + 1) or self.safe(expr.right, depth + 1)
            return self.safe(expr.left, depth + 1) and self.safe(expr.right, depth + 1)
        if isinstance(expr, ast.IfExp):
            return self.safe(expr.body, depth + 1) and self.safe(expr.orelse, depth + 1)
        if isinstance(expr, ast.BoolOp):
            return all(self.safe(v, depth + 1) for v in expr.values)
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return all(self.safe(e, depth + 1) for e in expr.elts)
        if isinstance(expr, ast.Dict):  # "%(table)s" % {"table": quote_name(t)}
            return all(self.safe(v, depth + 1) for v in expr.values)
        if isinstance(expr, (ast.GeneratorExp, ast.ListComp)):
            return self.safe(expr.elt, depth + 1) or _comprehends_constant(expr, model)
        if isinstance(expr, ast.Subscript):
            return self._constant_mapping(expr.value)
        if isinstance(expr, ast.Attribute):
            return "_meta" in _attribute_chain(expr)
        if isinstance(expr, ast.Call):
            return self._safe_call(expr, depth)
        return False

    def _safe_name(self, name: ast.Name, depth: int) -> bool:
        if self._allowlisted is None:
            self._allowlisted = self._allowlisted_names()
        if name.id in self._allowlisted:
            return True
        assignments = self._assignments(name.id)
        if not assignments:
            return self._numeric_parameter(name.id)
        if name.id in self._resolving:
            return True  # `q = q + "..."`: the other assignments decide
        self._resolving.add(name.id)
        try:
            return all(self.safe(stmt.value, depth + 1) for stmt in assignments)
        finally:
            self._resolving.discard(name.id)

    def _safe_call(self, call: ast.Call, depth: int) -> bool:
        qualname = self.model.call_name(call) or ""
        short = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
        if qualname in self.known.numeric or short in self.safe_functions or self._composable(call):
            return True
        if short == "quote" and any("preparer" in a for a in _attribute_chain(call.func)):
            return True  # SQLAlchemy's IdentifierPreparer.quote
        if short == "join" and isinstance(call.func, ast.Attribute) and len(call.args) == 1:
            return self.safe(call.func.value, depth + 1) and self.safe(call.args[0], depth + 1)
        if short == "format" and isinstance(call.func, ast.Attribute) and self.safe(call.func.value, depth + 1):
            return all(self.safe(a, depth + 1) for a in [*call.args, *(k.value for k in call.keywords)])
        if short == "get" and isinstance(call.func, ast.Attribute) and self._constant_mapping(call.func.value):
            return len(call.args) < 2 or self.safe(call.args[1], depth + 1)
        if short in ("upper", "lower", "strip") and isinstance(call.func, ast.Attribute):
            return self.safe(call.func.value, depth + 1)
        if qualname == "str" and len(call.args) == 1:
            return self.safe(call.args[0], depth + 1)
        return False

    def _safe_hole(self, hole: ast.FormattedValue, depth: int = 0) -> bool:
        spec = self.model.fold(hole.format_spec) if hole.format_spec is not None else None
        if isinstance(spec, str) and spec[-1:] in ("d", "f", "e", "g", "x", "n", "%") and hole.conversion == -1:
            return True  # {limit:d}: a number or a ValueError
        return self.safe(hole.value, depth + 1)

    def _constant_mapping(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Name):
            return False
        mapping = self.model.module_mapping(node.id)
        return mapping is not None and all(self.model.is_constant(v) for v in mapping.values)

    def _numeric_parameter(self, name: str) -> bool:
        args = getattr(self.function, "args", None)
        if args is None:
            return False
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            if arg.arg == name and arg.annotation is not None:
                annotation = ast.unparse(arg.annotation).replace(" ", "")
                return all(part in self.known.annotations or part == "None" for part in re.split(r"[|]", annotation))
        return False

    def _allowlisted_names(self) -> frozenset[str]:
        """Names tested `in` / `not in` a constant collection in an `if` or `assert` of the function."""
        names = set()
        for node in self.model.flow(self.function).nodes if self.function is not None else ():
            test = node.test if isinstance(node, (ast.If, ast.Assert)) else None
            if isinstance(test, ast.UnaryOp):
                test = test.operand
            if isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and len(test.ops) == 1:
                container = test.comparators[0]
                if isinstance(test.ops[0], (ast.In, ast.NotIn)) and (
                    self.model.is_constant(container) or self._constant_mapping(container)
                ):
                    names.add(test.left.id)
        return frozenset(names)

    # -- strings -------------------------------------------------------------------------------
    def _stringy(self, node: ast.AST) -> bool:
        if isinstance(node, ast.JoinedStr):
            return True
        value = self.model.fold(node)
        if isinstance(value, str):
            return True
        if isinstance(node, ast.Name):
            return any(
                not isinstance(s, ast.AugAssign) and self._stringy(s.value)
                for s in self._assignments(node.id)[:3]
                if s.value is not node
            )
        return False

    def _composable(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        qualname = self.model.call_name(node)
        return bool(qualname) and qualname.rsplit(".", 1)[-1] in self.known.composable

    def text(self, node: ast.AST) -> str:
        """The constant text of an expression, HOLE for each non-constant part."""
        value = self.model.fold(node)
        if isinstance(value, str):
            return value
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else HOLE for v in node.values)
        if isinstance(node, ast.BinOp):
            return self.text(node.left) + self.text(node.right)
        if isinstance(node, ast.Name) and node.id not in self._resolving:
            assignments = self._assignments(node.id)[:4]
            self._resolving.add(node.id)
            try:
                return "".join(self.text(s.value) for s in assignments) or HOLE
            finally:
                self._resolving.discard(node.id)
        return HOLE


def _unwrapped(expr: ast.AST, model, layout: frozenset[str]) -> ast.AST | None:
    """The string inside `textwrap.dedent(s)`, `inspect.cleandoc(s)` or `s.strip()`: layout, not content."""
    if not isinstance(expr, ast.Call):
        return None
    if model.call_name(expr) in layout and len(expr.args) == 1:
        return expr.args[0]
    if isinstance(expr.func, ast.Attribute) and expr.func.attr in ("strip", "lstrip", "rstrip") and not expr.args:
        return expr.func.value
    return None


def _flatten_add(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _flatten_add(node.left) + _flatten_add(node.right)
    return [node]


def _only_numeric_conversions(template: str) -> bool:
    conversions = _ANY_CONVERSION.findall(template)
    return bool(conversions) and all(_NUMERIC_CONVERSION.fullmatch(c) for c in conversions)


def _comprehends_constant(expr: ast.GeneratorExp | ast.ListComp, model) -> bool:
    """`f"{c} = %s" for c in COLUMNS`: every name in the element is a loop variable over a constant."""
    if not all(model.is_constant(gen.iter) for gen in expr.generators):
        return False
    loop_names = {n.id for gen in expr.generators for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
    return all(n.id in loop_names or model.is_constant(n) for n in ast.walk(expr.elt) if isinstance(n, ast.Name))


def _attribute_chain(node: ast.AST) -> list[str]:
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    return names
