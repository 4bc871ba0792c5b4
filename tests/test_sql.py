"""The sql-injection rule beyond its examples: the message, the team options, the SQL-looking test."""

from __future__ import annotations

from conftest import lint_tree, write

from backend_lint.checks._sql_building import HOLE
from backend_lint.checks.sql import looks_like_sql
from backend_lint.rule import example_source


def _findings(tmp_path, code: str, **config):
    write(tmp_path, "app/repo.py", example_source(code))
    report = lint_tree(tmp_path, select=("BL501",), **config)
    assert report.errors == ()
    return report.findings


def test_message_names_where_and_how_the_query_was_built(tmp_path):
    code = """
    def search(cursor, name):
        query = "SELECT * FROM users"
        query += f" WHERE name = '{name}'"
        cursor.execute(query)
    """
    [finding] = _findings(tmp_path, code)
    assert finding.line == 4
    assert "built with `+=` on line 3" in finding.message and "`cursor.execute()`" in finding.message
    assert finding.agent == "database/queries" and finding.cwe == (89,)


def test_safe_functions_option(tmp_path):
    code = """
    from app.sqlutil import quote_column
    def order(cursor, column):
        cursor.execute(f"SELECT * FROM items ORDER BY {quote_column(column)}")
    """
    assert len(_findings(tmp_path, code)) == 1
    assert _findings(tmp_path, code, rule_options={"BL501": {"safe-functions": ["quote_column"]}}) == ()


def test_database_names_option(tmp_path):
    code = """
    def load(warehouse, day):
        return warehouse.execute("MERGE INTO facts USING staging ON day = " + day)
    """
    # MERGE starts like SQL, so this one is found either way; a clause-only text needs the option.
    assert len(_findings(tmp_path, code)) == 1
    code = """
    def load(warehouse, table, day):
        return warehouse.execute(table + " WHERE day = " + day)
    """
    assert len(_findings(tmp_path, code)) == 1  # ' WHERE ' after a spliced start reads as SQL
    code = """
    def load(warehouse, table, day):
        return warehouse.execute(table + " " + day)
    """
    assert _findings(tmp_path, code) == ()  # nothing says this is SQL: `warehouse` could run anything
    options = {"rule_options": {"sql-built-from-strings": {"database-names": ["warehouse"]}}}
    assert len(_findings(tmp_path, code, **options)) == 1


def test_looks_like_sql():
    assert looks_like_sql("  SELECT id FROM t WHERE x = " + HOLE)
    assert looks_like_sql("-- report\nwith x as (select 1) select * from x")
    assert looks_like_sql(HOLE + " WHERE id = " + HOLE)
    assert not looks_like_sql("Please select a value from " + HOLE)
    assert not looks_like_sql("run " + HOLE + " now")
