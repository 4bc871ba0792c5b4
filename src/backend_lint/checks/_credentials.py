"""What a credential looks like: provider formats, secret-sounding names, placeholders, entropy.

A private helper of `checks/secrets.py` (no rule lives here). The provider formats follow what
detect-secrets' plugins and gitleaks' default config recognise by shape alone; values whose shape
needs a name around them (an AWS secret access key is 40 base64 characters, like many hashes) are
in `NAMED_FORMATS` and only count when the target's name says which credential it is.

Deliberately, "EXAMPLE" (AWS documents `AKIA…EXAMPLE` ids) is *not* a placeholder for the format rules: a
value in a live credential format is reported whatever it ends with, so fixtures made of
obviously fake values still exercise the rules, and nobody has to guess which "example" is real.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote


@dataclass(frozen=True)
class Format:
    name: str  # what the finding calls it: "GitHub personal access token"
    pattern: re.Pattern[str]
    prefix: int = 4  # how many leading characters the message may show (a public, fixed prefix)


def _f(name: str, regex: str, prefix: int = 4) -> Format:
    return Format(name, re.compile(regex), prefix)


_B = r"(?<![A-Za-z0-9_])"  # left boundary: not inside a longer identifier
_E = r"(?![A-Za-z0-9_])"  # right boundary

FORMATS: tuple[Format, ...] = (
    _f("AWS access key id", _B + r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}" + _E),
    _f("GitHub token", _B + r"gh[pousr]_[A-Za-z0-9]{36,255}" + _E),
    _f("GitHub fine-grained token", _B + r"github_pat_[A-Za-z0-9_]{60,}" + _E, 11),
    _f("GitLab token", _B + r"gl(?:pat|dt|ptt|rt|cbt|oas|ft|imt|agent)-[A-Za-z0-9_-]{20,}" + _E, 6),
    _f("Slack token", _B + r"xox[abposre]-(?:\d+-)+[A-Za-z0-9-]{10,}" + _E, 5),
    _f("Slack app token", _B + r"xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+" + _E, 5),
    _f("Slack webhook", r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{20,}", 23),
    _f("Stripe live key", _B + r"(?:sk|rk)_live_[A-Za-z0-9]{20,}" + _E, 8),
    _f("Google API key", _B + r"AIza[A-Za-z0-9_-]{35}" + _E),
    _f("Google OAuth client secret", _B + r"GOCSPX-[A-Za-z0-9_-]{28}" + _E, 7),
    _f("Anthropic API key", _B + r"sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,}" + _E, 7),
    _f("OpenAI API key", _B + r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}" + _E, 8),
    _f("OpenAI API key", _B + r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}" + _E, 3),
    _f("OpenAI-style API key", _B + r"sk-[A-Za-z0-9]{48}" + _E, 3),
    _f("SendGrid API key", _B + r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}" + _E, 3),
    _f("Twilio API key", _B + r"SK[0-9a-f]{32}" + _E, 2),
    _f("Twilio account SID", _B + r"AC[0-9a-f]{32}" + _E, 2),
    _f("Mailgun API key", _B + r"key-[0-9a-f]{32}" + _E),
    _f("Mailchimp API key", _B + r"[0-9a-f]{32}-us\d{1,2}" + _E, 0),
    _f("npm token", _B + r"npm_[A-Za-z0-9]{36}" + _E),
    _f("PyPI token", _B + r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}" + _E, 5),
    _f("Heroku API key", _B + r"HRKU-AA[A-Za-z0-9_-]{58}" + _E, 5),
    _f("Shopify token", _B + r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}" + _E, 6),
    _f("Square token", _B + r"(?:sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43}|EAAA[A-Za-z0-9_-]{60})" + _E, 4),
    _f("Azure storage account key", r"AccountKey=[A-Za-z0-9+/]{86}==", 11),
    _f("Discord bot token", _B + r"[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}" + _E, 0),
    _f("Discord webhook", r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]{60,}", 33),
    _f("Telegram bot token", _B + r"\d{8,10}:AA[A-Za-z0-9_-]{33}" + _E, 0),
    _f("Hugging Face token", _B + r"hf_[A-Za-z]{34}" + _E, 3),
    _f("Databricks token", _B + r"dapi[a-f0-9]{32}(?:-\d)?" + _E),
    _f("DigitalOcean token", _B + r"do[por]_v1_[a-f0-9]{64}" + _E, 7),
    _f("Postman API key", _B + r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}" + _E, 5),
    _f("New Relic API key", _B + r"NRAK-[A-Z0-9]{27}" + _E, 5),
    _f("Grafana token", _B + r"(?:glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})" + _E, 4),
    _f("age secret key", r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", 15),
    _f("PEM private key", r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----\s*[A-Za-z0-9+/=:\-\s,]{64,}", 10),
)

# A piece of text that every match of some format contains, so that strings holding none of them (nearly
# all, long docstrings included) skip the 36 searches. Each piece starts at a character that is rare in
# prose and code (a capital, `_`, `-`, `/`; a lookbehind checks the lower-case letters before it): the
# regex engine skips, in C, every position that holds none of the first characters, and that scan is
# what every string pays. Each alternative must stay a necessary part of its format's match (tested).
_PREFILTER = re.compile("|".join((
    r"A(?:KIA|SIA|BIA|CCA|3T|C[0-9a-f]|Iza|ccountKey|GE-SECRET|(?<=:A)A)",  # AWS, Twilio, Google, Azure, age, Telegram
    r"S(?:G\.|K[0-9a-f])|EAAA|GOCSPX|HRKU|PMAK|PRIVATE KEY|NRAK",
    *(capital + r"[A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27}" for capital in "MNO"),  # Discord bot
    r"_(?:pat_|live_|(?<=gh[pousr]_)|(?<=npm_)|(?<=hf_)|(?<=glc_)|(?<=glsa_)|(?<=shp(?:at|ss|ca|pa)_)|(?<=_v1_))",
    r"-(?:us\d|(?<=sk-)|(?<=key-)|(?<=pypi-)|(?<=xapp-)|(?<=xox[abposre]-)|(?<=sq0(?:atp|csp)-)"
    r"|(?<=gl(?:pat|ptt|cbt|oas|imt)-)|(?<=gl(?:dt|rt|ft)-)|(?<=glagent-))",
    r"/(?:api/webhooks/|(?<=hooks\.slack\.com/))",
)))


def find_format(text: str) -> tuple[Format, str] | None:
    """The first provider format found in `text`, with the matching credential."""
    if len(text) < 16 or not (_PREFILTER.search(text) or "dapi" in text):  # Databricks: no rare character
        return None
    for fmt in FORMATS:
        match = fmt.pattern.search(text)
        if match:
            return fmt, match.group(0)
    return None


# -- JWTs: three base64url parts whose first two decode to JSON objects ---------------------------
_JWT = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")


def find_jwt(text: str) -> str | None:
    if "eyJ" not in text:  # much cheaper than the regex, whose lookbehind defeats its literal-prefix search
        return None
    for match in _JWT.finditer(text):
        head, body, _ = match.group(0).split(".")
        if _json_object(head) and _json_object(body):
            return match.group(0)
    return None


def _json_object(part: str) -> bool:
    try:
        return isinstance(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))), dict)
    except ValueError:
        return False


# -- URLs with a password -------------------------------------------------------------------------
_URL = re.compile(r"\b([a-z][a-z0-9+.-]{1,30})://([^\s:/@?#'\"]*):([^\s@/?#'\"]+)@([^\s/:?#'\"]*)", re.IGNORECASE)
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1", "")


_FAKE_PASSWORD = re.compile(r"(?:pass|word|pwd|passwd|password|secret|pat|glpat|token|user|test|foo|bar|admin|dummy|fake|pw)+")
# Names reserved for documentation and tests (RFC 2606, RFC 6761): nobody's server answers there.
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org", "example", "test", "invalid", "localhost")


@dataclass(frozen=True)
class UrlCredential:
    scheme: str
    user: str
    password: str
    host: str
    raw_password: str = ""  # as written in the URL (percent-encoded), to find it in the source line

    @property
    def local(self) -> bool:
        return self.host.lower() in _LOCAL_HOSTS or self.host.startswith("127.")

    @property
    def fake(self) -> bool:
        """`user:pass@`, `:pass%3Aword@`, `bot:glpat@`: a password made of the words people put in
        test URLs, or too short to be one; what a test of URL handling writes, not a credential."""
        letters = re.sub(r"[^a-z]", "", self.password.lower())
        return len(self.password) <= 4 or bool(_FAKE_PASSWORD.fullmatch(letters))

    @property
    def reserved(self) -> bool:
        """`user:pass@example.org`, `db.test`: a host that exists only in documentation and tests."""
        host = self.host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in _RESERVED_DOMAINS)


def find_url_password(text: str, hole: str = "\0") -> UrlCredential | None:
    """A `scheme://user:password@host` in `text` whose password is a literal (not a placeholder,
    and not made of an f-string hole, marked by `hole`)."""
    if "://" not in text or "@" not in text:
        return None
    for match in _URL.finditer(text):
        scheme, user, raw, host = match.groups()
        password = unquote(raw)
        if hole in password or hole in user or is_placeholder(password) or _is_template(password):
            continue
        return UrlCredential(scheme, user, password, host, raw)
    return None


def _is_template(value: str) -> bool:
    return bool(re.search(r"%\(?\w*\)?[sd]|\{[^}]*\}|^\$|^:\w+$", value))


# -- placeholders ----------------------------------------------------------------------------------
_PLACEHOLDER = re.compile(
    r"""^(?:
        <[^<>]*> | \[[^\[\]]*\] | \{\{?[^{}]*\}\}? | \$\{[^}]*\} | \$\(?[A-Za-z_][A-Za-z0-9_]*\)?
        | %\([^)]*\)s | %s | \?+
        | [xX*•.#_-]+ | (?:x{3,}|X{3,}|\*{3,})[-_:]?\w* | \w*(?:x{4,}|X{4,}|\*{3,}|\.{3,})\w*
        | (?:your|my)[-_ ]?\w* | (?:enter|insert|put|add|set)[-_ ]\w* | \w*[-_](?:here|goes[-_]here)
        | (?:change|replace|update|fill|set)[-_ ]?(?:me|this|it)[\w-]* | \w*changeme\w*
        | (?:dummy|fake|mock|test|testing|sample|placeholder|redacted|hidden|masked|secret|password|passwd
            |token|none|null|nil|undefined|default|todo|fixme|tbd|unset|empty|foo|bar|baz|foobar|n/?a)
          [-_]?(?:key|token|secret|password|value|\d{0,3})?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_placeholder(value: str) -> bool:
    """`<your-password>`, `${API_KEY}`, `xxxx`, `changeme`, `***`, `dummy-token`, `None` …"""
    stripped = value.strip()
    return not stripped or bool(_PLACEHOLDER.match(stripped))


# -- randomness ------------------------------------------------------------------------------------
def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def looks_random(value: str, min_length: int, min_entropy: float) -> bool:
    """Long enough, varied enough, and not made of words: what a generated key looks like."""
    if len(value) < min_length or entropy(value) < min_entropy:
        return False
    if re.fullmatch(r"[A-Za-z]+(?:[-_.][A-Za-z]+)*", value):
        return False  # words joined by separators: an identifier, a setting name
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return classes >= 2


# -- masking ---------------------------------------------------------------------------------------
def mask(value: str, shown: int = 0) -> str:
    """Enough to recognise the value, never enough to use it: a public prefix at most, and its length."""
    shown = min(shown, len(value) // 3)
    return f"`{value[:shown]}…`, {len(value)} characters" if shown else f"{len(value)} characters, masked"


# -- names -----------------------------------------------------------------------------------------
PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pass", "passphrase", "passcode", "secret"})
TOKEN_WORDS = frozenset({"token", "apikey", "accesskey", "secretkey", "privatekey", "authkey", "credential",
                         "credentials", "bearer", "authorization"})  # fmt: skip
KEY_QUALIFIERS = frozenset({
    "api", "access", "private", "secret", "signing", "sign", "encryption", "encrypt", "decryption", "master",
    "auth", "client", "app", "license", "session", "account", "service", "webhook", "hmac", "jwt", "crypto",
    "consumer", "cipher", "fernet", "aes", "storage", "subscription",
})  # fmt: skip
# A name whose last word is one of these describes a secret, it does not hold one:
# TOKEN_URL, PASSWORD_MIN_LENGTH, API_KEY_HEADER, password_field, TOKEN_TYPE, SECRET_NAME …
METADATA_WORDS = frozenset({
    "type", "types", "kind", "name", "names", "field", "fields", "label", "labels", "url", "urls", "uri", "endpoint",
    "path", "paths", "file", "filename", "files", "dir", "directory", "template", "templates", "header", "headers",
    "length", "len", "min", "max", "count", "size", "ttl", "expiry", "expires", "expire", "expiration", "timeout",
    "lifetime", "age", "minutes", "seconds", "hours", "days", "secs", "prefix", "suffix", "pattern", "regex",
    "format", "fmt", "param", "params", "parameter", "column", "col", "attr", "attribute", "env", "var", "variable",
    "setting", "settings", "option", "options", "help", "text", "message", "msg", "error", "errors", "description",
    "desc", "title", "placeholder", "hint", "prompt", "widget", "validator", "validators", "hasher", "hashers",
    "policy", "rule", "rules", "reset", "enabled", "required", "version", "algorithm", "algorithms", "alg",
    "scheme", "location", "mode", "method", "strategy", "class", "backend", "backends", "handler", "storage",
    "model", "form", "serializer", "view", "id", "ids", "source", "provider", "scope", "scopes", "audience",
    "issuer", "style", "status", "state", "ref", "arn", "index", "idx", "position", "pos", "char", "chars",
    "charset", "alphabet", "level", "strength", "score", "cookie", "cache", "queue", "table", "bucket", "sep",
    "separator", "delimiter", "encoding", "lookup", "query", "route", "page", "link", "button", "input",
    "selector", "icon", "color", "event", "events", "topic", "channel", "usage", "category", "group",
    "module", "command", "cmd", "action", "flow", "grant", "response", "request", "callback", "hook", "changed",
    "expired", "valid", "invalid", "mismatch", "confirm", "confirmation", "generator", "factory",
    "regexp", "test", "tests", "example", "examples",
})  # fmt: skip

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def words(name: str) -> list[str]:
    """`AWS_SECRET_ACCESS_KEY`, `clientSecret`, `x-api-key` → lower-case words."""
    return [w.lower() for part in re.split(r"[^A-Za-z0-9]+", name) for w in _CAMEL.findall(part)]


@lru_cache(maxsize=4096)  # asked for every literal bound to a name; the same names come back all the time
def secret_kind(name: str, extra_words: frozenset[str] = frozenset()) -> str | None:
    """"password" for human-chosen secrets (password, secret), "key" for generated ones (token, API
    key), None when the name does not hold a secret."""
    ws = words(name)
    if not ws or ws[-1] in METADATA_WORDS:
        return None
    if ws[-1] == "key" and len(ws) > 1 and ws[-2] in PASSWORD_WORDS | {"token"} and ws[-2] != "secret":
        return None  # TOKEN_KEY = "token": the name of a key in a mapping
    if any(w in PASSWORD_WORDS or w in extra_words for w in ws):
        return "password"
    if any(w in TOKEN_WORDS for w in ws):
        return "key"
    if any(w == "key" and i and ws[i - 1] in KEY_QUALIFIERS for i, w in enumerate(ws)):
        return "key"
    return None


_PATHISH = re.compile(
    r"://|^[./~]|^[a-z0-9_-]+(?:/[a-z0-9_.-]+)+/?$|\.(?:html?|txt|json|ya?ml|py|j2|jinja2?|css|js|pem|key|crt|cer|p12|pfx|cfg"
    r"|ini|env|toml|xml|csv|md|jks|der|pub)$"
)
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*){2,}$")
_HEADER = re.compile(r"^(?:X-)?[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)+$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z_.:-]*$")
_NAME_WORDS = ("password", "passwd", "pwd", "secret", "token", "apikey", "key", "credential", "auth", "pass")
_SHOW_VALUES = re.compile(r"^(?:dev|development|local|localhost|insecure|debug|demo|example|sample|test)\b", re.IGNORECASE)


_WORD = re.compile(
    r"^[(\"'«`]*(?:[A-Za-z][A-Za-z_]*(?:['’-][A-Za-z_]+)*\d*|\d+(?:[.,]\d+)*|[-–—&/+=:|*<>]|\{\w*\}|%\(\w+\)[sd]|%[sd])"
    r"[.,:;!?)\"'»`]*$"
)


def _prose(value: str) -> bool:
    """Words separated by spaces (`Enter your API key`, `Bearer token for the admin API`), as opposed
    to a secret that happens to hold a space (`F12Zr47j\\3yX R~X@H!jmM`): every piece is a word, a
    number or punctuation."""
    return all(_WORD.match(piece) for piece in value.split())


def is_descriptive(value: str, spaced_secrets: bool = False) -> bool:
    """A value that describes a secret rather than being one: a path or URL, a dotted import path,
    a header name, a format template, a label with spaces, or an identifier naming a secret field.
    With `spaced_secrets` (a password, a signing key: chosen, not generated), a value with spaces is
    a label only when it is made of words; generated tokens hold no spaces, so for them any space
    makes the value a description (`"api-upload-<class 'AnonymousUser'>-None"`)."""
    if re.search(r"\s", value):
        return _prose(value) if spaced_secrets else True
    if _PATHISH.search(value) or _DOTTED.match(value) or _HEADER.match(value):
        return True
    if re.search(r"%\(?\w*\)?[sd]|\{\w*\}", value):
        return True
    squashed = re.sub(r"[^a-z]", "", value.lower())
    if _IDENT.match(value) and any(w in squashed for w in _NAME_WORDS):
        return True
    return bool(_SHOW_VALUES.match(value)) and len(value) < 24
