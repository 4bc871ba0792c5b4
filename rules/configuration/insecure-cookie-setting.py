from flask import Flask

app = Flask(__name__)

# ruleid: insecure-cookie-setting
SESSION_COOKIE_SECURE = False
# ruleid: insecure-cookie-setting
app.config["SESSION_COOKIE_HTTPONLY"] = False
# ruleid: insecure-cookie-setting
app.config.update(CSRF_COOKIE_SECURE=False)
# ok: insecure-cookie-setting
SESSION_COOKIE_SECURE = True
# ok: insecure-cookie-setting
CSRF_COOKIE_HTTPONLY = False
# ok: insecure-cookie-setting
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
