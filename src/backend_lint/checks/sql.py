"""Rules of the `sql-injection` category: queries built from strings instead of parameters."""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import ClassVar, NamedTuple

from ..flow import models
from ..rule import Rule
from ._sql_building import HOLE, QueryBuilds
from ._sql_examples import SQL_BUILT_INVALID, SQL_BUILT_VALID


class _Sinks(NamedTuple):
    """What the flow models say runs SQL."""

    functions: dict[str, str]  # callables taking SQL text, by qualified name -> how a message names them
    methods: frozenset[str]  # methods that run SQL on a handle, by name
    sql_only: frozenset[str]  # those of them nothing else is called so
    attributes: frozenset[str]  # names a sink can be called through (`cur.execute`, `sa.text`)
    databases: tuple[str, ...]  # "module." prefixes of modules whose objects are database handles


@lru_cache(maxsize=1)
def _sinks() -> _Sinks:
    functions = {e.name: e.label for e in models.entries("sql-function")}
    methods = models.names("sql-method")
    sql_only = frozenset(e.last for e in models.entries("sql-method") if e.certain)
    attributes = methods | {name.rsplit(".", 1)[-1] for name in functions}
    return _Sinks(functions, methods, sql_only, attributes, models.modules("database-module"))


_QUERY_KEYWORDS = ("sql", "query", "statement", "operation", "stmt", "text")
# Words user code names its database handles with (a naming heuristic, not a library's model).
_DB_WORDS = frozenset({"cursor", "cur", "curs", "conn", "connection", "connections", "con", "db", "database",
                       "session", "sess", "engine", "tx", "txn", "transaction", "connect", "sqlite", "pg", "psql",
                       "mysql", "asyncpg", "pool", "dbapi", "objects", "manager", "queryset", "qs"})  # fmt: skip
_SQL_START = re.compile(
    r"^[\s(]*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*(?:select|insert|update|delete|with|create|drop|alter|truncate|replace"
    r"|merge|upsert|grant|revoke|pragma|set|show|explain|call|exec|declare|vacuum|analyze|copy|lock|values)\b",
    re.IGNORECASE | re.DOTALL,
)


_SQL_CLAUSE = re.compile(r"\b(?:where|order\s+by|group\s+by|limit|offset|(?:inner|left|right|outer)?\s*join)\b", re.IGNORECASE)


def looks_like_sql(text: str) -> bool:
    """Starts like an SQL statement (or, when it starts with a spliced part, continues like a clause)."""
    if text.startswith(HOLE):
        return bool(_SQL_CLAUSE.search(text))
    return bool(_SQL_START.match(text.replace(HOLE, " ")))


def _words(name: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)}


class SqlBuiltFromStrings(Rule):
    """SQL text built with an f-string, `%`, `.format()`, `+` or `+=` from non-constant parts, then executed.

    ## What it does
    Flags a call that runs SQL — `execute`, `executemany`, `executescript` on a cursor, connection
    or session, `session.execute(text(...))` / `sqlalchemy.text(...)`, Django `.raw()`, `.extra()`
    and `RawSQL(...)`, asyncpg `fetch` / `fetchrow` / `fetchval` / `execute`, `pandas.read_sql` —
    whose query was built by formatting or concatenation with a part that is not fixed in the
    source, directly or in a variable assigned (or extended with `+=`) earlier in the function.
    The finding sits on the call and names where the string was built. `execute` and `fetch*` on
    an object that is not visibly a database handle only count when the text starts like SQL, so
    `executor.execute(f"run {job}")` is left alone.

    Not flagged: parameters in any placeholder style (`%s`, `?`, `:name`, `$1`), f-strings without
    placeholders, composition from module constants, conditional expressions of constants (`"DESC"
    if desc else "ASC"`), placeholder lists (`", ".join("?" for _ in ids)`), numbers (`int(x)`,
    `%d`, `{n:d}`, a parameter annotated `int`), values looked up in a constant mapping or checked
    against a constant allow-list, quoted identifiers (`connection.ops.quote_name(t)`), Django
    `Model._meta` names, psycopg2's `sql.SQL(...).format(sql.Identifier(...))`, and strings that
    merely contain "select … from" in calls that do not run SQL.

    Options: `safe-functions` (names of functions that make a value safe to splice, e.g. your own
    identifier quoting: `["quote_column"]`); `database-names` (extra receiver name words meaning a
    database handle, e.g. `["warehouse"]`).

    ## Why is this bad?
    Splicing a value into SQL lets whoever controls the value rewrite the query: read other users'
    rows, bypass a login, drop tables (CWE-89). Parameters are sent apart from the SQL text and are
    never parsed as SQL. Identifiers (table, column, sort direction) cannot be parameters: pick them
    from an allow-list of constants, or compose them with `psycopg2.sql.Identifier`.
    """

    code = "BL501"
    name = "sql-built-from-strings"
    category = "sql-injection"
    severity = "high"
    agent = "database/queries"
    checklist = ("security.sql-injection", "principle.parameterized-queries")
    cwe = (89,)
    references = (
        "https://cwe.mitre.org/data/definitions/89.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Query_Parameterization_Cheat_Sheet.html",
        "https://www.psycopg.org/docs/sql.html",
        "https://docs.djangoproject.com/en/stable/topics/security/#sql-injection-protection",
    )
    NODES = (ast.Call,)
    OPTIONS: ClassVar[dict[str, object]] = {"safe-functions": (), "database-names": ()}
    INVALID = SQL_BUILT_INVALID
    VALID = SQL_BUILT_VALID

    def visit(self, node: ast.Call, ctx) -> None:
        sink = self._sink(node, ctx)
        if sink is None:
            return
        label, queries, certain = sink
        function = ctx.enclosing_function()
        builds = QueryBuilds(ctx.model, function, ctx.segment, frozenset(self.options["safe-functions"]))
        for query in queries:
            build = builds.find(query)
            if build is None or not (certain or looks_like_sql(build.text)):
                continue
            ctx.report(
                self, node, f"SQL built with {build.how} on line {build.line} (from `{build.part}`) reaches "
                f"{label}; pass values as query parameters (%s, ?, :name) and pick identifiers from an allow-list",
                end_line=node.lineno,
            )  # fmt: skip
            return

    def begin(self, ctx) -> None:
        self._sinks = _sinks()

    def _sink(self, call: ast.Call, ctx) -> tuple[str, list[ast.AST], bool] | None:
        func, sinks = call.func, self._sinks
        if func.__class__ is ast.Attribute and func.attr not in sinks.attributes:
            return None  # most calls: `obj.method(...)` with a method no sink is called through
        qualname = ctx.model.call_name(call) or ""
        if qualname in sinks.functions:
            return sinks.functions[qualname], _query_args(call), True
        if not isinstance(func, ast.Attribute) or func.attr not in sinks.methods:
            return None
        label = f"`{_short(ctx, func)}()`"
        if func.attr == "extra":
            parts = [k.value for k in call.keywords if k.arg in ("where", "select", "tables", "order_by")]
            return label, [e for p in parts for e in _elements(p)], True
        certain = func.attr in sinks.sql_only or self._database_handle(func.value, ctx, ctx.enclosing_function())
        return label, _query_args(call)[:1], certain

    def _database_handle(self, receiver: ast.AST, ctx, function, depth: int = 0) -> bool:
        qualname = ctx.model.instance_of(receiver) or ctx.model.qualname(receiver) or ""
        if qualname and (qualname + ".").startswith(self._sinks.databases):
            return True
        extra = {w.lower() for w in self.options["database-names"]}
        node = receiver.func if isinstance(receiver, ast.Call) else receiver
        while isinstance(node, ast.Attribute):
            if _words(node.attr) & (_DB_WORDS | extra):
                return True
            node = node.value
        node = node.func if isinstance(node, ast.Call) else node
        if isinstance(node, ast.Name):
            if _words(node.id) & (_DB_WORDS | extra):
                return True
            if depth < 2:  # c = conn.cursor(); c.execute(...)
                for stmt in ctx.model.local_assignments(function, node.id):
                    value = getattr(stmt, "value", None)
                    if value is not None and self._database_handle(value, ctx, function, depth + 1):
                        return True
        return False


def _query_args(call: ast.Call) -> list[ast.AST]:
    found = [k.value for k in call.keywords if k.arg in _QUERY_KEYWORDS]
    return call.args[:1] + found


def _elements(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return list(node.elts)
    if isinstance(node, ast.Dict):
        return list(node.values)
    return [node]


def _short(ctx, func: ast.Attribute) -> str:
    text = ctx.segment(func) or func.attr
    text = "".join(text.split())
    return text if len(text) <= 32 else "…." + func.attr
