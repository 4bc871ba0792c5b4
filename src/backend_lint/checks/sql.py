"""Rules of the `sql-injection` category: queries built from strings instead of parameters."""

from __future__ import annotations

import ast
import re
from typing import ClassVar

from ..rule import Rule
from ._sql_building import HOLE, QueryBuilds
from ._sql_examples import SQL_BUILT_INVALID, SQL_BUILT_VALID

# Callables that take SQL text, by qualified name.
_SQL_CALLABLES = {
    "sqlalchemy.text": "`sqlalchemy.text()`",
    "sqlalchemy.sql.text": "`sqlalchemy.text()`",
    "sqlalchemy.sql.expression.text": "`sqlalchemy.text()`",
    "django.db.models.RawSQL": "`RawSQL()`",
    "django.db.models.expressions.RawSQL": "`RawSQL()`",
    "pandas.read_sql": "`pandas.read_sql()`",
    "pandas.read_sql_query": "`pandas.read_sql_query()`",
    "psycopg2.sql.SQL": "`psycopg2.sql.SQL()`",
    "psycopg.sql.SQL": "`psycopg.sql.SQL()`",
}
_METHODS = frozenset({"execute", "executemany", "executescript", "exec_driver_sql", "mogrify", "fetch", "fetchrow",
                      "fetchval", "raw", "extra", "read_sql", "read_sql_query"})  # fmt: skip
# Attributes a sink can be called through (`cur.execute(...)`, `sa.text(...)`: a call's qualified name
# ends with its attribute), so other method calls need no qualified name.
_SINK_ATTRS = _METHODS | {q.rsplit(".", 1)[-1] for q in _SQL_CALLABLES}
_SQL_ONLY_METHODS = frozenset({"executemany", "executescript", "exec_driver_sql", "mogrify", "read_sql",
                               "read_sql_query", "extra"})  # fmt: skip
_QUERY_KEYWORDS = ("sql", "query", "statement", "operation", "stmt", "text")
_DB_MODULES = ("sqlite3", "psycopg", "psycopg2", "pymysql", "MySQLdb", "mysql", "asyncpg", "aiosqlite", "aiomysql",
               "sqlalchemy", "databases", "cx_Oracle", "oracledb", "pyodbc", "duckdb", "snowflake", "django.db")  # fmt: skip
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

    def _sink(self, call: ast.Call, ctx) -> tuple[str, list[ast.AST], bool] | None:
        func = call.func
        if func.__class__ is ast.Attribute and func.attr not in _SINK_ATTRS:
            return None  # most calls: `obj.method(...)` with a method no sink is called through
        qualname = ctx.model.call_name(call) or ""
        if qualname in _SQL_CALLABLES:
            return _SQL_CALLABLES[qualname], _query_args(call), True
        if not isinstance(func, ast.Attribute) or func.attr not in _METHODS:
            return None
        label = f"`{_short(ctx, func)}()`"
        if func.attr == "extra":
            parts = [k.value for k in call.keywords if k.arg in ("where", "select", "tables", "order_by")]
            return label, [e for p in parts for e in _elements(p)], True
        certain = func.attr in _SQL_ONLY_METHODS or self._database_handle(func.value, ctx, ctx.enclosing_function())
        return label, _query_args(call)[:1], certain

    def _database_handle(self, receiver: ast.AST, ctx, function, depth: int = 0) -> bool:
        qualname = ctx.model.instance_of(receiver) or ctx.model.qualname(receiver) or ""
        if qualname.split(".")[0] in _DB_MODULES or qualname.startswith("django.db"):
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
