"""Rules of the `secrets` category: credentials written into the source (002_* "never hard-code secrets").

Three rules, from the most certain to the most contextual:
BL102 knows credential *formats* (an `AKIA…` id is a key wherever it appears), BL103 finds URLs that
carry a password, BL101 judges a literal by the *name* it is bound to and by what it looks like.
A literal reported by BL102 or BL103 is not reported again by BL101. Their examples live in
`_secret_examples.py` (run as tests like any others).
"""

from __future__ import annotations

import ast
import re
from itertools import pairwise
from typing import ClassVar

from ..rule import Rule
from . import _secret_examples as ex
from ._credentials import (
    find_format,
    find_jwt,
    find_url_password,
    is_descriptive,
    is_placeholder,
    looks_random,
    mask,
    secret_kind,
    words,
)

_FALLBACK_CALLS = frozenset({"get", "getenv", "setdefault", "pop", "config", "env", "str", "getattr", "get_env"})
_AUTH_SCHEME = re.compile(r"^(?:Bearer|Token|Basic|Bot|ApiKey|Key)\s+(\S+)$", re.IGNORECASE)
_REFERENCES = (
    "https://cwe.mitre.org/data/definitions/798.html",
    "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
)


def _target_name(target: ast.AST) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        return target.slice.value if isinstance(target.slice.value, str) else None
    return None


def _first_str_arg(call: ast.AST) -> str | None:
    if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Constant):
        return call.args[0].value if isinstance(call.args[0].value, str) else None
    return None


_BINDING_PARENTS = frozenset({ast.Assign, ast.AnnAssign, ast.Dict, ast.keyword, ast.Call, ast.arguments, ast.Compare})


def binding_name(node: ast.expr, ancestors: list[ast.AST]) -> str | None:
    """The name a literal is bound to: assignment target, dict key, keyword, parameter, the variable
    of an environment lookup it is the fallback of, or the name it is compared with."""
    child, i = node, len(ancestors) - 1
    while i >= 0 and isinstance(ancestors[i], (ast.BoolOp, ast.IfExp)):  # os.getenv("X") or "literal"
        if isinstance(ancestors[i], ast.IfExp) and child is ancestors[i].test:
            return None
        child, i = ancestors[i], i - 1
    parent = ancestors[i] if i >= 0 else None
    if parent.__class__ not in _BINDING_PARENTS:
        return None  # half the literals: docstrings, items of tuples and lists, operands, subscripts
    if isinstance(parent, ast.Assign) and parent.value is child:
        names = [n for n in map(_target_name, parent.targets) if n]
        return next((n for n in names if secret_kind(n)), names[0] if names else None)
    if isinstance(parent, ast.AnnAssign) and parent.value is child:
        return _target_name(parent.target)
    if isinstance(parent, ast.Dict):
        index = next((k for k, v in enumerate(parent.values) if v is child), None)
        key = parent.keys[index] if index is not None else None
        return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
    if isinstance(parent, ast.keyword) and parent.arg:
        return _first_str_arg(ancestors[i - 1]) if parent.arg == "default" else parent.arg
    if isinstance(parent, ast.Call) and len(parent.args) > 1 and parent.args[1] is child:
        func = parent.func
        short = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return _first_str_arg(parent) if short in _FALLBACK_CALLS else None
    if isinstance(parent, ast.arguments):
        return _parameter_of(parent, child)
    if isinstance(parent, ast.Compare) and len(parent.ops) == 1 and isinstance(parent.ops[0], (ast.Eq, ast.NotEq)):
        other = parent.left if parent.comparators[0] is child else parent.comparators[0]
        return _target_name(other)
    return None


_DOC_KEYS = frozenset({"example", "examples", "schema_extra", "json_schema_extra", "openapi_examples",
                       "connection_examples", "url_examples", "placeholder", "sqlalchemy_uri_placeholder"})  # fmt: skip


def in_documentation_example(node: ast.AST, ancestors: list[ast.AST]) -> bool:
    """Inside an API documentation example: `Field(examples=[...])`, `json_schema_extra={...}`,
    `class Config: schema_extra = {...}` (pydantic / FastAPI). Sample payloads, not configuration."""
    path = [*ancestors, node]
    for parent, child in pairwise(path):
        if isinstance(parent, ast.keyword) and parent.arg in _DOC_KEYS:
            return True
        if isinstance(parent, ast.Assign) and any(_target_name(t) in _DOC_KEYS for t in parent.targets):
            return True
        if isinstance(parent, ast.Dict):
            key = next((k for k, v in zip(parent.keys, parent.values) if v is child), None)
            if isinstance(key, ast.Constant) and key.value in _DOC_KEYS:
                return True
    return False


def _parameter_of(args: ast.arguments, default: ast.AST) -> str | None:
    positional = args.posonlyargs + args.args
    for arg, value in zip(positional[len(positional) - len(args.defaults) :], args.defaults):
        if value is default:
            return arg.arg
    for arg, value in zip(args.kwonlyargs, args.kw_defaults):
        if value is default:
            return arg.arg
    return None


class HardcodedSecret(Rule):
    """A secret-named variable, key, argument or setting bound to a literal secret value.

    ## What it does
    Flags a string literal that looks like a real secret and is bound to a secret-named target: a
    variable or attribute (`SECRET_KEY = "…"`, `self.api_token = "…"`), a dict key or subscript
    (`DATABASES["default"]["PASSWORD"]`, `app.config["SECRET_KEY"] = "…"`), a keyword argument, a
    parameter default, the fallback of an environment lookup (`os.getenv("TOKEN", "…")`), or a
    comparison (`if password == "…"`). Names are split into words: password, passwd, pwd, pass,
    passphrase, secret are *chosen* secrets and any non-placeholder value counts; token, API key,
    access/private/signing key, credentials, authorization hold *generated* secrets and the value
    must look random (length and Shannon entropy).

    A framework's signing key is judged apart: `SECRET_KEY` (Django, Flask, `app.secret_key`,
    `app.config["SECRET_KEY"]`), `JWT_SECRET_KEY`, `SIGNING_KEY`, `SECURITY_PASSWORD_SALT`, and the
    key passed to `jwt.encode` / `jwt.decode` (by position or `key=`) or to an itsdangerous
    serializer. Any literal there is a finding, whatever it looks like, because deployed as is it
    signs sessions, reset links and tokens: high for a real-looking key (a `django-insecure-…` one
    too), medium for a placeholder (`"dev"`, `"secret"`, `"change-me"`). Only an empty string and a
    template the deployment fills in (`${SECRET_KEY}`, `<secret-key>`) are not reported. A value
    with spaces is a label only when it is made of words (`"Enter your API key"`), not when a
    secret holds a space.

    Not flagged: empty strings and placeholders (`<your-password>`, `${API_KEY}`, `xxxx`,
    `changeme`, `***`, `dummy`, `test`), values read from the environment or a vault, names that
    describe a secret instead of holding one (`TOKEN_URL`, `PASSWORD_MIN_LENGTH`, `API_KEY_HEADER`,
    `password_field`, `TOKEN_TYPE`: the last word decides), paths, URLs, header names, labels made
    of words, identifiers naming a field (`"access_token"`), and sample payloads in API docs
    (`Field(examples=[...])`, `json_schema_extra`, `schema_extra`). Test files are exempt by default.
    A literal in a known provider format is BL102's, a URL with a password BL103's.

    Options: `entropy-threshold` (bits per character, default 3.0) and `min-length` (default 16)
    for generated secrets; `min-password-length` (default 4) for chosen ones; `extra-secret-words`
    (name words treated like "password", e.g. `["dsn", "pin"]`); `ignore-names` (exact target names
    never reported); `check-tests` (default false).

    ## Why is this bad?
    A secret in the source is shared with everyone who can read the repository, its history, its
    forks and its build artefacts, and it cannot be rotated without a release. Read it from the
    environment or a secret manager, and keep example values obviously fake.
    """

    code = "BL101"
    name = "hardcoded-secret"
    category = "secrets"
    severity = "high"
    confidence = "medium"
    agent = "auth-security/cryptography"
    checklist = ("rule.no-hardcoded-secrets", "security.sensitive-data-encrypted")
    cwe = (798,)
    references = _REFERENCES
    NODES = (ast.Constant,)
    OPTIONS: ClassVar[dict[str, object]] = {
        "entropy-threshold": 3.0,
        "min-length": 16,
        "min-password-length": 4,
        "extra-secret-words": (),
        "ignore-names": (),
        "check-tests": False,
    }
    INVALID = ex.HARDCODED_SECRET_INVALID
    VALID = ex.HARDCODED_SECRET_VALID

    def __init__(self, options: dict[str, object] | None = None) -> None:
        super().__init__(options)
        self._extra_words = frozenset(w.lower() for w in self.options["extra-secret-words"])

    def visit(self, node: ast.Constant, ctx) -> None:
        value = node.value  # every constant of the file comes here: the common cases return first
        cls = value.__class__
        opts = self.options
        if (cls is not str and cls is not bytes) or not value:
            return
        if ctx.is_test and not opts["check-tests"]:
            return
        name = _signing_argument(node, ctx) or binding_name(node, ctx.ancestors)
        if not name or name in opts["ignore-names"]:
            return
        if _is_signing_setting(name) and not in_documentation_example(node, ctx.ancestors):
            return self._signing_key(node, ctx, name, value.decode("latin-1") if cls is bytes else value)
        if len(value) < opts["min-password-length"]:
            return
        kind = secret_kind(name, self._extra_words)
        if kind is None or in_documentation_example(node, ctx.ancestors) or _url_parameter(ctx):
            return
        if cls is bytes:
            value = value.decode("latin-1")
        if find_format(value) or find_jwt(value) or find_url_password(value):
            return  # BL102's or BL103's: one finding per literal, the most specific one
        if is_named_aws_secret(value, name):
            return  # BL102 reports it as an AWS secret access key
        if "authorization" in words(name) and (scheme := _AUTH_SCHEME.match(value)):
            value = scheme.group(1)
        if is_placeholder(value) or is_descriptive(value, spaced_secrets=kind == "password"):
            return
        if kind == "key" and not looks_random(value, opts["min-length"], opts["entropy-threshold"]):
            return
        what = "password or secret" if kind == "password" else "token or key"
        ctx.report(
            self, node, f"hard-coded {what} bound to `{name}` ({mask(value)}); read it from the environment "
            "or a secret manager"
        )  # fmt: skip

    def _signing_key(self, node: ast.Constant, ctx, name: str, value: str) -> None:
        """A framework's signing key (SECRET_KEY, app.secret_key, a JWT key): whatever the literal looks
        like, sessions, password-reset links and tokens are signed with it if this code is deployed.
        Only a template the deployment fills in (`${SECRET_KEY}`, `<secret-key>`) is no finding."""
        if _TEMPLATE.match(value.strip()) or find_format(value) or find_jwt(value):
            return
        weak = is_placeholder(value) or is_descriptive(value, spaced_secrets=True) or len(value) < 16
        if weak and _BUILD_OR_DEV.search(ctx.path):
            return  # `_build_settings.py`, `settings/dev.py`: a placeholder key where nothing is signed for real
        if weak:
            message = (f"`{name}` is a literal placeholder ({mask(value)}); deployed as is, anyone can forge the "
                       "sessions and tokens it signs. Read it from the environment (and fail without it)")
            ctx.report(self, node, message, severity="medium")
            return
        ctx.report(self, node, f"hard-coded signing key bound to `{name}` ({mask(value)}); read it from the "
                   "environment or a secret manager")  # fmt: skip


_BUILD_OR_DEV = re.compile(r"(?:^|[/_.-])(?:build|dev|development|local|ci)(?:[/_.-]|$)", re.I)
# The keys frameworks sign sessions, cookies, CSRF and password-reset tokens or JWTs with.
_SIGNING_SETTINGS = frozenset({
    "SECRET_KEY", "DJANGO_SECRET_KEY", "FLASK_SECRET_KEY", "APP_SECRET_KEY", "JWT_SECRET_KEY", "JWT_SECRET",
    "JWT_SIGNING_KEY", "SIGNING_KEY", "WTF_CSRF_SECRET_KEY", "SECURITY_PASSWORD_SALT", "SESSION_SECRET",
    "SESSION_SECRET_KEY", "COOKIE_SECRET", "CSRF_SECRET", "AUTH_SECRET", "SECRET_KEY_BASE",
})  # fmt: skip
# A value the deployment fills in, not a value: `${SECRET_KEY}`, `<secret-key>`, `{{ secret }}`, `%(key)s`.
_TEMPLATE = re.compile(r"^(?:<[^<>]*>|\[[^\[\]]*\]|\{\{?[^{}]*\}\}?|\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*|%\([^)]*\)s|[xX*.#_-]{3,})$")
# Calls whose key is passed by position: jwt.encode(payload, "key"), jwt.decode(token, "key", ...).
_SIGNING_CALLS = {"jwt.encode": 1, "jwt.decode": 1, "jose.jwt.encode": 1, "jose.jwt.decode": 1,
                  "itsdangerous.URLSafeTimedSerializer": 0, "itsdangerous.URLSafeSerializer": 0,
                  "itsdangerous.TimestampSigner": 0, "itsdangerous.Signer": 0}  # fmt: skip


_URL_BUILDERS = re.compile(r"(?:^|_)(?:reverse|reverse_lazy|url_for|build_absolute_uri)$|reverse_absolute$")


def _url_parameter(ctx) -> bool:
    """A literal in the `kwargs={...}` of a URL builder (`reverse(..., kwargs={"secret": "…"})`): a
    sample link's path parameter, shown in a preview, not a credential the code uses."""
    for parent, child in zip(reversed(ctx.ancestors[:-1]), reversed(ctx.ancestors)):
        if isinstance(parent, ast.Call) and isinstance(child, ast.keyword) and child.arg in ("kwargs", "args", "values"):
            func = parent.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            return bool(_URL_BUILDERS.search(name))
        if isinstance(parent, (ast.stmt, ast.Lambda)) and not isinstance(parent, ast.Expr):
            return False
    return False


_SIGNING_CALL_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in _SIGNING_CALLS)


def _is_signing_setting(name: str) -> bool:
    return name.upper().replace("-", "_") in _SIGNING_SETTINGS


def _signing_argument(node: ast.AST, ctx) -> str | None:
    """`JWT_SECRET_KEY` for the key argument of a JWT or itsdangerous call, given by position or as `key=`."""
    parent = ctx.parent()
    if isinstance(parent, ast.keyword) and parent.arg in ("key", "secret_key") and len(ctx.ancestors) > 1:
        call, position = ctx.ancestors[-2], None
    elif isinstance(parent, ast.Call) and node in parent.args:
        call, position = parent, parent.args.index(node)
    else:
        return None
    if not isinstance(call, ast.Call):
        return None
    func = call.func
    if (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) not in _SIGNING_CALL_NAMES:
        return None  # the cheap test first: this runs for every literal argument of every call
    wanted = _SIGNING_CALLS.get(ctx.model.call_name(call) or "")
    if wanted is None or position is not None and position != wanted:
        return None
    return "JWT_SECRET_KEY" if "jwt" in (ctx.model.call_name(call) or "") else "SECRET_KEY"


class HardcodedProviderCredential(Rule):
    """A literal in a known credential format: a cloud, VCS, payment or messaging API key, a JWT, a private key.

    ## What it does
    Flags, wherever it appears (any string, in any file, tests included), a literal in the format of
    a provider credential, following what detect-secrets and gitleaks recognise by shape: AWS access
    key ids (`AKIA…`, `ASIA…`) and, when the name says so, AWS secret access keys; GitHub
    (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`) and GitLab (`glpat-`…) tokens; Slack
    tokens and webhooks; Stripe live keys (`sk_live_`, `rk_live_`); Google API keys (`AIza`) and
    OAuth client secrets; OpenAI (`sk-`, `sk-proj-`) and Anthropic (`sk-ant-`) keys; SendGrid, Twilio,
    Mailgun, Mailchimp, npm, PyPI, Heroku, Shopify, Square, Azure storage, Discord, Telegram, Hugging
    Face, Databricks, DigitalOcean, Postman, New Relic, Grafana and age keys; JWTs (whose header and
    payload decode to JSON); PEM private key blocks with a body.

    Values ending in `EXAMPLE` are reported too: a value in a live format is never assumed fake,
    which also keeps test fixtures honest. Stripe *test* keys (`sk_test_`) are not a format match.
    The message shows the provider's public prefix and the length, never the credential.

    ## Why is this bad?
    These values are accepted as-is by the provider: anyone who reads the code (or its history)
    can use them, and scanners run by attackers look for exactly these shapes. Revoke the key, then
    load its replacement from the environment or a secret manager.
    """

    code = "BL102"
    name = "hardcoded-provider-credential"
    category = "secrets"
    severity = "critical"
    agent = "auth-security/cryptography"
    checklist = ("rule.no-hardcoded-secrets", "security.sensitive-data-encrypted")
    cwe = (798,)
    references = (*_REFERENCES, "https://github.com/gitleaks/gitleaks", "https://github.com/Yelp/detect-secrets")
    NODES = (ast.Constant,)
    INVALID = ex.PROVIDER_CREDENTIAL_INVALID
    VALID = ex.PROVIDER_CREDENTIAL_VALID

    def visit(self, node: ast.Constant, ctx) -> None:
        value = node.value  # every constant of the file comes here: the common cases return first
        cls = value.__class__
        if (cls is not str and cls is not bytes) or len(value) < 16:
            return
        if cls is bytes:
            value = value.decode("latin-1")
        found = find_format(value)
        if found:
            fmt, secret = found
            label, shown = fmt.name, mask(secret, fmt.prefix)
        elif secret := find_jwt(value):
            label, shown = "JSON Web Token", mask(secret, 3)
        elif _AWS_SECRET.match(value) and is_named_aws_secret(value, binding_name(node, ctx.ancestors)):
            label, shown, secret = "AWS secret access key", mask(value), value
        else:
            return
        where = locate(ctx, node, secret)
        ctx.report(self, node, f"{label} in source ({shown}); revoke it and load it from the environment", **where)


_AWS_SECRET = re.compile(r"^[A-Za-z0-9/+]{40}$")


def locate(ctx, node: ast.AST, text: str) -> dict:
    """In a string spanning several lines (a docstring, a PEM block), the line that holds `text`,
    so the finding (and its masking in reports) points at the secret, not at the opening quote."""
    if node.lineno == node.end_lineno:
        return {}
    probe = text[:24]
    for number in range(node.lineno, node.end_lineno + 1):
        found = ctx.lines[number - 1].find(probe)
        if found >= 0:
            end = min(found + len(text), len(ctx.lines[number - 1]))
            return {"line": number, "column": found + 1, "end_line": number, "end_column": end + 1}
    return {}


def is_named_aws_secret(value: str, name: str | None) -> bool:
    """40 base64 characters bound to an `aws…secret…` name: AWS secret keys have no prefix of their own."""
    ws = words(name or "")
    return "aws" in ws and "secret" in ws and bool(_AWS_SECRET.match(value))


class UrlWithEmbeddedPassword(Rule):
    """A connection URL that carries its password: `postgresql://user:pass@host/db`.

    ## What it does
    Flags string literals and f-strings holding `scheme://user:password@host` where the password is
    written in the literal (not an f-string placeholder, not a template such as `%(password)s` or
    `{password}`, not a placeholder such as `<password>` or `${DB_PASSWORD}`). URLs without
    credentials (`redis://localhost:6379/0`, `sqlite:///app.db`) are fine. In test files, URLs to
    a local host (`localhost`, `127.0.0.1`, `::1`) are throw-away test databases and URLs to a host
    reserved for documentation (`example.org`, `*.example.com`, `*.test`, `*.invalid`) are samples,
    and so are passwords made of the words test URLs use (`user:pass@`, `bot:glpat@`, `:pwd@`):
    none of these is reported. In application code a reserved host is reported at low severity. The
    finding covers the password only, so reports mask it and still show the rest of the URL. A URL
    quoted in a sentence (an error or help message) and sample URLs in documentation data
    (`connection_examples`, `examples=[...]`, a `placeholder`) are not connection strings.

    ## Why is this bad?
    A database or broker URL in the code puts its password in the repository and in every log
    line or error page that prints the URL. Read the whole URL (or the password) from the
    environment, e.g. `DATABASE_URL = os.environ["DATABASE_URL"]`.
    """

    code = "BL103"
    name = "url-with-embedded-password"
    category = "secrets"
    severity = "high"
    agent = "auth-security/cryptography"
    checklist = ("rule.no-hardcoded-secrets", "security.sensitive-data-encrypted")
    cwe = (798,)
    references = _REFERENCES
    NODES = (ast.Constant, ast.JoinedStr)
    INVALID = ex.URL_PASSWORD_INVALID
    VALID = ex.URL_PASSWORD_VALID

    def visit(self, node: ast.Constant | ast.JoinedStr, ctx) -> None:
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "\0" for v in node.values)
        elif isinstance(node.value, str) and "://" in node.value and "@" in node.value:  # else no URL with a password
            if isinstance(ctx.parent(), (ast.JoinedStr, ast.Expr)):
                return  # a bare string statement (a docstring) is documentation: scott:tiger@host
            text = node.value
        else:
            return
        found = find_url_password(text)
        if found is None or (ctx.is_test and (found.local or found.reserved or found.fake)):
            return
        if _in_prose(text) or in_documentation_example(node, ctx.ancestors):
            return  # "expecting a string of the form 'ocient://user:pass@host'", `connection_examples`
        if found.reserved:
            ctx.report(
                self, node, f"{found.scheme} URL with an embedded password ({mask(found.password)}) for the "
                f"documentation host {found.host}; if it is a sample, use a placeholder such as <password>",
                severity="low", **_password_span(ctx, node, found.raw_password),
            )  # fmt: skip
            return
        ctx.report(
            self, node, f"{found.scheme} URL with an embedded password ({mask(found.password)}); read the URL or its "
            "password from the environment", **_password_span(ctx, node, found.raw_password),
        )  # fmt: skip


def _in_prose(text: str) -> bool:
    """The URL is quoted in a sentence (an error message, a help text): words around it, not a
    connection string, which holds no spaces."""
    rest = re.sub(r"\S*://\S*", " ", text)
    return bool(re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", rest))


def _password_span(ctx, node: ast.AST, raw: str) -> dict:
    """The columns of the password inside the URL on the literal's first line, so that reports mask
    the password and still show the scheme, user and host of what was flagged."""
    text = ctx.lines[node.lineno - 1] if 0 < node.lineno <= len(ctx.lines) else ""
    start = text.find(f":{raw}@", ctx._char_col(node.lineno, node.col_offset)) if raw else -1
    if start < 0:
        return {}
    return {"line": node.lineno, "column": start + 2, "end_line": node.lineno, "end_column": start + 2 + len(raw)}
