"""VALID / INVALID examples of `sql-built-from-strings` (checks/sql.py), kept apart for length.

The VALID list includes what bandit B608 / ruff S608 report wrongly, as collected from their issue
trackers: messages that say "select … from" or "delete from", `%d` formatting, int parameters,
placeholder lists, psycopg2.sql composition.
"""

from __future__ import annotations

SQL_BUILT_INVALID = (
    """
    def find_user(cursor, email):
        cursor.execute(f"SELECT * FROM users WHERE email = '{email}'")  # expect: BL501
        return cursor.fetchone()
    """,
    """
    def find_user(conn, name):
        cur = conn.cursor()
        cur.execute("SELECT * FROM users WHERE name = '%s'" % name)  # expect: BL501
    """,
    """
    def find_user(connection, name):
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM users WHERE name = '{}'".format(name))  # expect: BL501
    """,
    """
    def delete(db, table, row_id):
        db.execute("DELETE FROM " + table + " WHERE id = " + row_id)  # expect: BL501
    """,
    # Built earlier in the function: reported at the call that runs it, naming where it was built.
    """
    def search(cursor, name, city):
        query = "SELECT * FROM users WHERE 1 = 1"
        if name:
            query += " AND name = '" + name + "'"
        if city:
            query += " AND city = %s"
        cursor.execute(query, (city,))  # expect: BL501
    """,
    """
    def orders(cursor, customer_id):
        sql = f"SELECT * FROM orders WHERE customer_id = {customer_id}"
        params = ()
        cursor.execute(sql, params)  # expect: BL501
    """,
    # SQLAlchemy: text() is where the string becomes SQL.
    """
    from sqlalchemy import text
    def by_name(session, name):
        return session.execute(text(f"SELECT * FROM users WHERE name = '{name}'")).all()  # expect: BL501
    """,
    """
    import sqlalchemy as sa
    def by_name(engine, name):
        stmt = sa.text("SELECT * FROM users WHERE name = '" + name + "'")  # expect: BL501
        with engine.connect() as conn:
            return conn.execute(stmt).all()
    """,
    # Django: raw(), extra(), RawSQL().
    """
    from django.db.models.expressions import RawSQL
    from shop.models import Product, User
    def lookups(request, name, field):
        users = User.objects.raw(f"SELECT * FROM auth_user WHERE username = '{name}'")  # expect: BL501
        products = Product.objects.extra(where=[f"name = '{name}'"])  # expect: BL501
        annotated = Product.objects.annotate(val=RawSQL("SELECT %s FROM shop_product" % field, ()))  # expect: BL501
        return users, products, annotated
    """,
    # asyncpg.
    """
    async def load(pool, user_id, status):
        async with pool.acquire() as conn:
            rows = await conn.fetch(f"SELECT * FROM orders WHERE user_id = {user_id}")  # expect: BL501
            one = await conn.fetchrow("SELECT * FROM users WHERE status = '%s'" % status)  # expect: BL501
            count = await conn.fetchval("SELECT count(*) FROM orders WHERE status = '" + status + "'")  # expect: BL501
            await conn.execute(f"UPDATE users SET status = '{status}' WHERE id = $1", user_id)  # expect: BL501
            return rows, one, count
    """,
    # pandas.
    """
    import pandas as pd
    def report(engine, region):
        return pd.read_sql(f"SELECT * FROM sales WHERE region = '{region}'", engine)  # expect: BL501
    """,
    # sqlite3 script and batch APIs.
    """
    import sqlite3
    def reset(path, table):
        conn = sqlite3.connect(path)
        conn.executescript(f"DROP TABLE {table}; VACUUM;")  # expect: BL501
        c = conn.cursor()
        c.execute("SELECT * FROM " + table)  # expect: BL501
    """,
    # A receiver that is not visibly a database, but text that is plainly SQL.
    """
    class Repo:
        def delete(self, store, item_id):
            store.execute(f"DELETE FROM items WHERE id = {item_id}")  # expect: BL501
    """,
    # psycopg2's composition objects do not make an f-string inside them safe.
    """
    from psycopg2 import sql
    def count(cur, table):
        cur.execute(sql.SQL(f"SELECT count(*) FROM {table}"))  # expect: BL501
    """,
    # Layout helpers do not hide the splice.
    """
    from textwrap import dedent
    def report(cursor, region):
        cursor.execute(  # expect: BL501
            dedent(f'''
                SELECT * FROM sales
                WHERE region = '{region}'
            ''').strip()
        )
    """,
    # A string parameter is not a number just because it is called `limit`.
    """
    def page(cursor, limit: str):
        cursor.execute(f"SELECT * FROM items LIMIT {limit}")  # expect: BL501
    """,
)

SQL_BUILT_VALID = (
    # Parameters, in every placeholder style.
    """
    def find(cursor, conn, session, email, user_id):
        cursor.execute("SELECT * FROM users WHERE email = %s", (email,))
        cursor.execute("SELECT * FROM users WHERE email = %(email)s", {"email": email})
        conn.execute("SELECT * FROM users WHERE id = ?", (user_id,))
        session.execute("SELECT * FROM users WHERE id = :id", {"id": user_id})
    """,
    """
    from sqlalchemy import text
    async def load(conn, session, user_id):
        await conn.fetch("SELECT * FROM orders WHERE user_id = $1", user_id)
        return session.execute(text("SELECT * FROM users WHERE id = :id"), {"id": user_id})
    """,
    # f-strings without placeholders; module constants; conditional expressions of constants.
    """
    TABLE = "users"
    COLUMNS = "id, email, name"
    BASE = f"SELECT {COLUMNS} FROM {TABLE}"
    def listing(cursor, desc, active):
        cursor.execute(f"SELECT 1")
        order = "DESC" if desc else "ASC"
        cursor.execute(f"{BASE} WHERE active = %s ORDER BY created_at {order}", (active,))
        cursor.execute(BASE + " ORDER BY id " + ("DESC" if desc else "ASC"))
    """,
    # Placeholder lists built from constants.
    """
    def by_ids(cursor, conn, ids):
        placeholders = ", ".join("?" for _ in ids)
        conn.execute(f"SELECT * FROM users WHERE id IN ({placeholders})", ids)
        cursor.execute("SELECT * FROM users WHERE id IN (%s)" % ",".join(["%s"] * len(ids)), ids)
        marks = ",".join("%s" for _ in range(len(ids)))
        cursor.execute("DELETE FROM users WHERE id IN ({})".format(marks), ids)
    """,
    # Conditional filters appended as constants, values passed as parameters.
    """
    def search(cursor, name, city):
        sql = "SELECT * FROM users WHERE 1 = 1"
        params = []
        if name:
            sql += " AND name = %s"
            params.append(name)
        if city:
            sql = sql + " AND city = %s"
            params.append(city)
        cursor.execute(sql, params)
    """,
    # psycopg2.sql composes identifiers safely.
    """
    from psycopg2 import sql
    def count(cur, table, column, value):
        query = sql.SQL("SELECT count(*) FROM {} WHERE {} = %s").format(sql.Identifier(table), sql.Identifier(column))
        cur.execute(query, (value,))
        cur.execute(sql.SQL("SELECT * FROM ") + sql.Identifier(table))
    """,
    # Strings that mention "select ... from" in calls that do not run SQL (ruff#8717, ruff#13103).
    """
    import logging
    logger = logging.getLogger(__name__)
    def pick(variants, role, guild):
        logger.warning(f"The linked role <{role}> has been delete from the guild {guild}")
        raise ValueError(f"Please select a value from the list of possible variants: {variants}.")
    """,
    # `execute` of things that are not databases, with text that is not SQL.
    """
    def run(executor, job, client, host):
        executor.execute(f"run {job} now")
        client.fetch(f"https://{host}/users")
        return executor
    """,
    # Numbers cannot inject: %d, {n:d}, int(), an int-annotated parameter, len().
    """
    def page(cursor, limit: int, offset: int | None, raw_page, ids):
        cursor.execute(f"SELECT * FROM items LIMIT {limit} OFFSET {offset}")
        cursor.execute("SELECT * FROM items LIMIT %d" % int(raw_page))
        cursor.execute(f"SELECT * FROM items LIMIT {raw_page:d}")
        cursor.execute("SELECT * FROM items LIMIT %d" % len(ids))
        cursor.execute("SELECT * FROM items LIMIT " + str(int(raw_page)))
    """,
    # Identifiers from an allow-list, a constant mapping, or quoted by the driver/framework.
    """
    from django.db import connection
    SORTS = {"new": "created_at", "name": "name"}
    ALLOWED = ("created_at", "name")
    def listing(cursor, sort, key, table, model):
        if sort not in ALLOWED:
            raise ValueError(sort)
        cursor.execute(f"SELECT * FROM items ORDER BY {sort}")
        cursor.execute(f"SELECT * FROM items ORDER BY {SORTS[key]}")
        cursor.execute(f"SELECT * FROM items ORDER BY {SORTS.get(key, 'created_at')}")
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
    """,
    # Identifiers quoted inside a %-mapping, or by SQLAlchemy's identifier preparer.
    """
    def rename(self, old, new, connection, name):
        self.execute("ALTER TABLE %(old)s RENAME TO %(new)s" % {"old": self.quote_name(old), "new": self.quote_name(new)})
        connection.exec_driver_sql("DROP TABLE %s" % connection.dialect.identifier_preparer.quote(name))
    """,
    # Query builders: no SQL text at all.
    """
    from sqlalchemy import select
    from shop.models import User
    def by_name(session, name):
        return session.execute(select(User).where(User.name == name)).scalars().all()
    """,
    # A query received ready-made is not built here.
    """
    def run(cursor, query, params):
        cursor.execute(query, params)
    """,
)
