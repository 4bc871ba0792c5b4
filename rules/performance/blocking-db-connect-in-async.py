import asyncpg
import psycopg2
import redis
import redis.asyncio


async def handler(dsn):
    # ruleid: blocking-db-connect-in-async
    conn = psycopg2.connect(dsn)
    # ruleid: blocking-db-connect-in-async
    cache = redis.Redis(host="cache")
    # ok: blocking-db-connect-in-async
    aconn = await asyncpg.connect(dsn)
    # ok: blocking-db-connect-in-async
    acache = redis.asyncio.Redis(host="cache")
    return conn, cache, aconn, acache


def sync_handler(dsn):
    # ok: blocking-db-connect-in-async
    return psycopg2.connect(dsn)
