def login(response, sid, settings, cookie_options):
    # ruleid: cookie-without-secure-flags
    response.set_cookie("theme", "dark")
    # ruleid: cookie-without-secure-flags
    response.set_cookie("session", sid, secure=True)
    # ruleid: cookie-without-secure-flags
    response.set_cookie(key="auth_token", value=sid, secure=False, httponly=True)
    # ok: cookie-without-secure-flags
    response.set_cookie("session", sid, secure=True, httponly=True, samesite="Lax")
    # ok: cookie-without-secure-flags
    response.set_cookie("theme", "dark", secure=True)
    # ok: cookie-without-secure-flags
    response.set_cookie("session", sid, secure=settings.COOKIE_SECURE, httponly=True)
    # ok: cookie-without-secure-flags
    response.set_cookie("session", sid, **cookie_options)
    # ok: cookie-without-secure-flags
    response.delete_cookie("session")
    # ok: cookie-without-secure-flags
    response.set_cookie("sidebar_collapsed", "1", secure=True, samesite="Lax")
    # ruleid: cookie-without-secure-flags
    response.set_cookie("connect.sid", sid, secure=True)
    # ruleid: cookie-without-secure-flags
    response.set_cookie("sid", sid, secure=True)
    return response
