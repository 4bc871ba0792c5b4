import aiohttp_session
from aiohttp import web
from aiohttp_session import SimpleCookieStorage
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from aiohttp_session.redis_storage import RedisStorage


def make_app(secret_key, redis):
    app = web.Application()
    # ruleid: aiohttp-insecure-session
    aiohttp_session.setup(app, SimpleCookieStorage())
    # ruleid: aiohttp-insecure-session
    aiohttp_session.setup(app, EncryptedCookieStorage(secret_key, httponly=False))
    # ruleid: aiohttp-insecure-session
    aiohttp_session.setup(app, RedisStorage(redis, secure=False, max_age=3600))
    # ok: aiohttp-insecure-session
    aiohttp_session.setup(app, EncryptedCookieStorage(secret_key, secure=True, httponly=True))
    return app
