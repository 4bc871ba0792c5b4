"""VALID / INVALID examples of the `secrets` rules (checks/secrets.py), kept apart for length.

Every value is fake. Values in provider formats end in EXAMPLE or are public documentation samples.
The VALID lists include what bandit (B105/B106/B107) and ruff (S105/S106/S107) report wrongly, as
collected from their issue trackers: `NextToken`, `"Bearer"` token types, `""`, token-prefixed
messages, field names, comparisons with labels.
"""

from __future__ import annotations

from ..rule import Example

HARDCODED_SECRET_INVALID = (
    """
    SECRET_KEY = "django-insecure-7x#k2@v!q9s$w5e8r+t0y3u6i1o4p"  # expect: BL101
    """,
    """
    from flask import Flask
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "you-will-never-guess"  # expect: BL101
    app.secret_key = "s3cr3t-s1gn1ng"  # expect: BL101
    """,
    """
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "shop",
            "USER": "shop",
            "PASSWORD": "Tr0ub4dor&3",  # expect: BL101
        }
    }
    DATABASES["default"]["PASSWORD"] = "hunter22"  # expect: BL101
    """,
    """
    import os
    API_TOKEN = os.environ.get("API_TOKEN", "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")  # expect: BL101
    DB_PASSWORD = os.getenv("DB_PASSWORD", "pg-admin-2024")  # expect: BL101
    SIGNING_KEY = os.environ.get("SIGNING_KEY") or "f3a9c1d27b8e4c06a5d2e9b1c7f04a8e"  # expect: BL101
    os.environ.setdefault("SECRET_KEY", "dj4ng0-pr0d-k3y-2024")  # expect: BL101
    """,
    """
    import psycopg2
    def connect():
        return psycopg2.connect(host="db", user="app", password="app-pass-2024")  # expect: BL101
    """,
    """
    class PaymentClient:
        def __init__(self, api_key="a1b2c3d4e5f60718293a4b5c6d7e8f90"):  # expect: BL101
            self.api_key = api_key
    def login(user, password="letmein1"):  # expect: BL101
        return user, password
    """,
    """
    class Config:
        def __init__(self):
            self.client_secret = "q8Zt3LmN0pRv7XwY2bKc"  # expect: BL101
    """,
    """
    from pydantic_settings import BaseSettings
    class Settings(BaseSettings):
        jwt_secret: str = "Vx9#mK2$pL7qR4tZ"  # expect: BL101
    """,
    """
    import requests
    def fetch(url):
        headers = {"Authorization": "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}  # expect: BL101
        return requests.get(url, headers=headers, timeout=5)
    """,
    """
    def is_admin(password):
        return password == "Sup3rAdm1n!"  # expect: BL101
    """,
    """
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-password", default="s3cr3tpw")  # expect: BL101
    """,
    """
    SECRET_KEY = b"\\x8f\\x1a\\x9c\\x03k\\xd2\\xf4\\x11\\x7fZ\\x88"  # expect: BL101
    """,
    # A framework's signing key is a finding whatever the literal looks like: deployed as is, it signs
    # sessions and reset links (placeholders at medium severity); by position in a JWT call too.
    """
    import jwt
    from flask import Flask
    app = Flask(__name__)
    SECRET_KEY = "dev"  # expect: BL101
    DJANGO_SECRET_KEY = "development-key"  # expect: BL101
    app.secret_key = "secret"  # expect: BL101
    app.config["SECRET_KEY"] = "MYSUPERSECRETKEY"  # expect: BL101
    JWT_SECRET_KEY = "F12Zr47j\\3yX R~X@H!jmM]Lwf/,?KT"  # expect: BL101
    def issue(payload):
        return jwt.encode(payload, "key", algorithm="HS256")  # expect: BL101
    def check(token):
        return jwt.decode(token, key="c2VjcmV0LWtleS0yMDI0", algorithms=["HS256"])  # expect: BL101
    """,
    # A secret holding a space is still a secret (only words separated by spaces are a label).
    """
    DB_PASSWORD = "Zr47j 3yX~R@H!"  # expect: BL101
    """,
    # Test files are exempt, unless the team opts in with `check-tests = true`; this one is not a test.
    Example('ADMIN_PASSWORD = "admin1234"  # expect: BL101\n', path="app/fixtures_loader.py"),
)

HARDCODED_SECRET_VALID = (
    # a value in a provider's format is BL102's finding (one finding per literal, the most specific)
    """
    AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
    AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    GITHUB_TOKEN = "ghp_0123456789abcdefghijklmnopqrstEXAMPL"
    """,
    """
    import os
    SECRET_KEY = os.environ["SECRET_KEY"]
    API_TOKEN = os.environ.get("API_TOKEN", "")
    DB_PASSWORD = os.getenv("DB_PASSWORD")
    STRIPE_KEY = os.getenv("STRIPE_KEY", None)
    """,
    # Placeholders and dummy values.
    """
    PASSWORD = ""
    API_KEY = "<your-api-key>"
    SECRET_KEY = "${SECRET_KEY}"
    TOKEN = "xxxxxxxxxxxxxxxx"
    DB_PASSWORD = "changeme"
    ADMIN_PASSWORD = "change-me-please"
    SMTP_PASSWORD = "***"
    AUTH_TOKEN = "None"
    GITHUB_TOKEN = "your_token_here"
    client_secret = "dummy-secret"
    password = "test"
    """,
    # The real shapes (pretix): a sample link's URL parameters in an e-mail preview; a session key
    # compared with the key format an anonymous upload gets; a build-time settings module.
    """
    from django.urls import reverse
    def preview_link(event):
        return reverse("presale:event.order.open", kwargs={"order": "F8VVL", "secret": "6zzjnumtsx136ddy"})
    def is_anonymous_upload(cf):
        return cf.session_key == "api-upload-<class 'django.contrib.auth.models.AnonymousUser'>-None"
    """,
    Example('SECRET_KEY = "build-time-secret-key"\n', path="shop/_build_settings.py"),
    # The real shapes (superset): help texts and error messages keyed by a secret's name.
    """
    EXTRA = {
        "access_token": "Personal access token from Settings > User Settings",
        "$.oauth2_client_info.secret": "OAuth2 Client Secret",
    }
    ERRORS = {"private_key_password": "private_key is required when private_key_password is provided"}
    """,
    # A signing key the deployment fills in, or none at all, is no finding.
    """
    import os
    SECRET_KEY = ""
    SECRET_KEY = "${DJANGO_SECRET_KEY}"
    SECRET_KEY = "<generate with secrets.token_urlsafe()>"
    SECRET_KEY = os.environ["SECRET_KEY"]
    SECRET_KEY_INSECURE_PREFIX = "django-insecure-"
    """,
    # Names that describe a secret instead of holding one (the list).
    """
    PASSWORD_MIN_LENGTH = 12
    TOKEN_TYPE = "bearer"
    TOKEN_URL = "/auth/token"
    PASSWORD_RESET_TEMPLATE = "emails/reset.html"
    API_KEY_HEADER = "X-API-Key"
    password_field = "password"
    AUTH_TOKEN_ENDPOINT = "https://login.example.com/oauth2/token"
    SECRET_NAME = "prod/payments/stripe"
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    TOKEN_EXPIRE_MINUTES = 30
    JWT_ALGORITHM = "HS256"
    SESSION_COOKIE_NAME = "sessionid"
    AWS_ACCESS_KEY_ID_ENV = "AWS_ACCESS_KEY_ID"
    PRIVATE_KEY_PATH = "keys/signing.pem"
    PRIVATE_KEY = "certs/private.pem"
    """,
    # Labels, help texts and messages.
    """
    from django import forms
    class LoginForm(forms.Form):
        password = forms.CharField(label="Password", help_text="At least 12 characters", widget=forms.PasswordInput)
    PASSWORD_ERROR = "Password is incorrect"
    token_fail_reason = "Unexpected API response received"
    password_prompt = "Enter your password: "
    """,
    # bandit B105/B106 complaints: pagination tokens, token types, token kinds, key names.
    """
    paginator = {"input_token": "NextToken", "output_token": "NextToken", "result_key": "Layers"}
    def issue(create_access_token, request):
        return {"access_token": create_access_token(request), "token_type": "Bearer"}
    def cached(token_type):
        if token_type == "rid":
            token_suffix = "_auth_rid_token"
        return token_suffix
    ACCESS_TOKEN_KEY = "access_token"
    REFRESH_TOKEN_COOKIE = "refresh_token"
    grant = {"grant_type": "password", "scope": "read write"}
    """,
    # What ruff S105/S107 reports in Django and SQLAlchemy themselves: prefixes, reasons, token kinds.
    """
    UNUSABLE_PASSWORD_PREFIX = "!"
    SECRET_KEY_INSECURE_PREFIX = "django-insecure-"
    INTERNAL_RESET_SESSION_TOKEN = "_password_reset_token"
    REASON_CSRF_TOKEN_MISSING = "CSRF token missing."
    _WILDCARD_TOKEN = "*"
    default_metavalue_token = "NULL"
    def render(request, password_field_name="password1", usable_password_field_name="usable_password"):
        token_source = "POST"
        set_password = 'ALTER USER %(user)s IDENTIFIED BY "%(password)s"'
        return token_source, set_password
    def url_for(url, ident):
        return url.set(username=ident, password="xe"), url.set(password="passwd")
    """,
    # Sample payloads in API documentation (pydantic / FastAPI), not configuration.
    """
    from pydantic import BaseModel, Field
    class Login(BaseModel):
        username: str = Field(examples=["alice"])
        password: str = Field(examples=["S3cure-Passw0rd!"])
        model_config = {"json_schema_extra": {"examples": [{"username": "alice", "password": "S3cure-Passw0rd!"}]}}
    class LegacyLogin(BaseModel):
        password: str
        class Config:
            schema_extra = {"example": {"password": "S3cure-Passw0rd!"}}
    """,
    # f-strings and values computed at run time.
    """
    def auth_header(token):
        return {"Authorization": f"Bearer {token}"}
    def connect(vault, make):
        password = vault.read("db/password")
        return make(password=password)
    """,
    """
    def check(secret):
        if secret == "":
            raise ValueError("empty secret")
        if secret != "":
            return secret
    """,
    # Settings, keyword args and parameters whose values are not secrets.
    """
    def connect(make, password=None, token: str = ""):
        return make(password=password, token=token, password_hasher="argon2")
    SECRET_KEY_FALLBACKS = []
    AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]
    """,
    # Test files are exempt by default: their passwords are fixtures.
    Example('PASSWORD = "hunter2-fixture"\nAPI_TOKEN = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"\n', path="tests/test_login.py"),
    Example('def test_login(client):\n    client.login(username="ann", password="s3cret-pw")\n', path="app/users/test_views.py"),
    Example('import pytest\n@pytest.fixture\ndef admin():\n    return {"password": "adm1n-pw"}\n', path="conftest.py"),
    # Provider formats and URLs are reported by BL102 / BL103, not twice.
    'GITHUB_TOKEN = "ghp_0123456789abcdefghijklmnopqrsEXAMPLE"\n',
    'DATABASE_PASSWORD_URL = "postgresql://app:pw-2024@db.internal/app"\n',
)

PROVIDER_CREDENTIAL_INVALID = (
    # in a string of several lines, the finding is on the line that holds the credential
    """
    AWS_CONFIG = '''
    [default]
    region = eu-west-1
    aws_access_key_id = AKIAIOSFODNN7EXAMPLE  # expect: BL102
    '''
    """,
    """
    AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"  # expect: BL102
    AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # expect: BL102
    """,
    """
    import boto3
    s3 = boto3.client("s3", aws_access_key_id="ASIAIOSFODNN7EXAMPLE")  # expect: BL102
    """,
    """
    GH = "ghp_0123456789abcdefghijklmnopqrsEXAMPLE"  # expect: BL102
    FINE = "github_pat_11EXAMPLE0123456789abcdef_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"  # expect: BL102
    gitlab = "glpat-EXAMPLE0123456789abcd"  # expect: BL102
    """,
    """
    SLACK_BOT = "xoxb-123456789012-1234567890123-EXAMPLEabcdefghij"  # expect: BL102
    HOOK = "https://hooks.slack.com/services/T00000000/B00000000/EXAMPLEXXXXXXXXXXXXXXXXX"  # expect: BL102
    """,
    """
    import stripe
    stripe.api_key = "sk_live_EXAMPLE0123456789abcdefgh"  # expect: BL102
    """,
    """
    MAPS = "AIzaSyEXAMPLE0123456789abcdefghijklmnop"  # expect: BL102
    openai_key = "sk-proj-EXAMPLE0123456789abcdefghijklmnopqrstuvwxyz"  # expect: BL102
    claude = "sk-ant-api03-EXAMPLE0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijAA"  # expect: BL102
    """,
    """
    SENDGRID = "SG.EXAMPLE0123456789abcde.EXAMPLE0123456789abcdefghijklmnopqrstuvwxyz"  # expect: BL102
    TWILIO = "SK0123456789abcdef0123456789abcdef"  # expect: BL102
    TELEGRAM = "123456789:AAEXAMPLE0123456789abcdefghijklmnop"  # expect: BL102
    NPM = "npm_EXAMPLE0123456789abcdefghijklmnopqrs"  # expect: BL102
    """,
    # A JWT anywhere, even in a test (tokens in fixtures are often copied from real sessions).
    Example(
        'TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0'
        'IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"  # expect: BL102\n',
        path="tests/test_auth.py",
    ),
    """
    KEY = (
        "-----BEGIN RSA PRIVATE KEY-----\\n"  # expect: BL102
        "MIIEowIBAAKCAQEAEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE\\n"
        "EXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE\\n"
        "-----END RSA PRIVATE KEY-----\\n"
    )
    """,
    """
    AZURE = "DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=EXAMPLE0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg==;EndpointSuffix=core.windows.net"  # expect: BL102
    """,
    # In a message, an f-string part, a docstring: still a leaked key.
    """
    def client(make):
        return make(f"https://api.example.com/?key=AIzaSyEXAMPLE0123456789abcdefghijklmnop&v={3}")  # expect: BL102
    """,
)

PROVIDER_CREDENTIAL_VALID = (
    """
    import os
    AWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]
    GITHUB_TOKEN = os.getenv("GITHUB_TOKEN", "")
    """,
    # Prefixes alone, too short, or inside a longer identifier.
    """
    TOKEN_PREFIX = "ghp_"
    STRIPE_PREFIXES = ("sk_live_", "rk_live_", "pk_live_")
    STRIPE_TEST = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
    PUBLISHABLE = "pk_live_EXAMPLE0123456789abcdefgh"
    ROLE = "arn:aws:iam::123456789012:role/AKIA-rotation"
    CLASS_NAME = "MyAKIAIOSFODNN7EXAMPLEHelper"
    """,
    # A PEM header used to parse keys is not a key; a public key is not a secret.
    """
    PEM_HEADER = "-----BEGIN RSA PRIVATE KEY-----"
    def is_private(pem):
        return pem.startswith("-----BEGIN PRIVATE KEY-----")
    PUBLIC = '''-----BEGIN PUBLIC KEY-----
    MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE
    -----END PUBLIC KEY-----'''
    """,
    # Three dotted base64 parts that are not JSON are not a JWT.
    """
    VERSION = "eyJhbGciOiJIUzI1NiIsInR5cCI.notjsonatall.signature0123456789"
    """,
    # A 40-character base64 string without an AWS secret name is just a hash.
    """
    CHECKSUM = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    """,
)

URL_PASSWORD_INVALID = (
    """
    DATABASE_URL = "postgresql://user:pass@host/db"  # expect: BL103
    """,
    """
    import sqlalchemy
    engine = sqlalchemy.create_engine("mysql+pymysql://app:S3cure!@db.internal:3306/shop")  # expect: BL103
    """,
    """
    CELERY_BROKER_URL = "amqp://guest:rabbit-2024@rabbitmq:5672//"  # expect: BL103
    CACHE = "redis://:r3d1s-pw@cache.internal:6379/0"  # expect: BL103
    """,
    """
    def engine_url(host):
        return f"postgresql://admin:adm1n-pw@{host}/app"  # expect: BL103
    """,
    # In application code even a local URL carries a real password.
    """
    SQLALCHEMY_DATABASE_URI = "postgresql://postgres:postgres@localhost:5432/app"  # expect: BL103
    """,
    # In a test, a remote host is not a throw-away database.
    Example('DB = "postgresql://ci:ci-pass@staging-db.corp.internal/app"  # expect: BL103\n', path="tests/test_db.py"),
    # In application code a documentation host is still reported (at low severity).
    """
    SAMPLE_PROXY = "http://proxy-user:Xq7-proxy-pw@proxy.example.org:3128"  # expect: BL103
    """,
)

URL_PASSWORD_VALID = (
    """
    REDIS_URL = "redis://localhost:6379/0"
    SQLITE = "sqlite:///app.db"
    API = "https://api.example.com/v1/users"
    WITH_USER = "ssh://git@github.com/org/repo.git"
    """,
    """
    import os
    def url(user, password, host):
        return f"postgresql://{user}:{password}@{host}/app"
    DATABASE_URL = os.environ["DATABASE_URL"]
    TEMPLATE = "postgresql://%(user)s:%(password)s@%(host)s/%(name)s"
    FORMAT = "postgresql://{user}:{password}@{host}/{name}"
    DOCS = "postgresql://<user>:<password>@<host>/<db>"
    ENVSTYLE = "postgresql://app:${DB_PASSWORD}@db/app"
    MASKED = "postgresql://app:****@db/app"
    """,
    Example('DB = "postgresql://postgres:postgres@localhost:5432/test"\n', path="tests/conftest.py"),
    # The real shapes: a URL quoted in an error message, sample connection strings in a database
    # engine's documentation metadata.
    """
    def check(uri):
        raise ValueError("Invalid connection string: expecting the form 'ocient://user:pass@host:port/db'.")
    METADATA = {
        "connection_examples": [
            {"description": "Hosted demo", "connection_string": "clickhousedb://demo:demo-pw@demo.trial.cloudhost.io/default"},
        ],
    }
    """,
    # The real shape: a test of URL handling, with the words such tests use for a password.
    Example(
        'def test_push_url(repo):\n'
        '    repo.url = "https://user:pass@gitlab.com/org/test.git"\n'
        '    assert redact("rediss://:pass%3Aword@cache:6379/1") == "rediss://cache:6379/1"\n',
        path="weblate_like/vcs/tests.py",
    ),
    # The real shape: credentials for a documentation host in a test (RFC 2606 names).
    Example(
        'def test_proxy_auth(client):\n'
        '    client.get("http://user:pass@example.org/", proxies={"http": "http://proxyuser:proxypass@proxy.test:3128"})\n',
        path="tests/test_client.py",
    ),
    # Documentation: a docstring showing the URL format (SQLAlchemy's docs are full of scott:tiger).
    '''
    def make_engine(url):
        """Create an engine, e.g. ``make_engine("postgresql+psycopg2://scott:tiger@localhost/test")``."""
        return url
    ''',
)
