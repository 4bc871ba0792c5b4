"""Rules of the `cryptography` category that need the semantic model (the semgrep pack has the others)."""

from __future__ import annotations

import ast
import re

from ..rule import Example, Rule

_WEAK_CALLS = {
    "hashlib.md5": "MD5", "hashlib.sha1": "SHA-1",
    "Crypto.Hash.MD5.new": "MD5", "Crypto.Hash.SHA.new": "SHA-1", "Crypto.Hash.SHA1.new": "SHA-1",
    "Cryptodome.Hash.MD5.new": "MD5", "Cryptodome.Hash.SHA1.new": "SHA-1",
    "cryptography.hazmat.primitives.hashes.MD5": "MD5", "cryptography.hazmat.primitives.hashes.SHA1": "SHA-1",
}  # fmt: skip
_WEAK_NAMES = {"md5": "MD5", "sha1": "SHA-1", "sha": "SHA-1"}
_PASSWORD = re.compile(r"(?i)^(?!.*(token|reset|hint|length|policy)).*(password|passwd|pwd|passphrase)")
# What the hash is for, read from the names around it: the words decide the severity.
# A nonce, salt or session id made by hashing random bytes owes its strength to the randomness, not
# to the hash, so those words do not count; nor does `auth` (`auth_hash`: a lookup key of a request's
# credentials, pretix's idempotency keys).
_SECURITY = frozenset({
    "sign", "signature", "signed", "token", "secret", "otp", "verify",
    "verification", "integrity", "hmac", "mac", "csrf", "apikey", "credential", "cert", "certificate",
    "license", "licence",
})  # fmt: skip
_NOT_SECURITY = frozenset({
    "etag", "cache", "cached", "cachekey", "checksum", "fingerprint", "filename", "file", "path", "dedup", "dedupe",
    "color", "colour", "avatar", "gravatar", "bucket", "shard", "partition", "crc", "md5sum", "content",
    "hashname", "lock", "name", "slug", "id", "uuid", "key", "version", "revision", "sort", "url",
})  # fmt: skip


class WeakHashAlgorithm(Rule):
    """MD5 or SHA-1 used without saying that it is not for security.

    ## What it does
    Flags `hashlib.md5(...)`, `hashlib.sha1(...)`, `hashlib.new("md5" | "sha1", ...)`, PyCryptodome's
    `MD5.new` / `SHA1.new` and `cryptography`'s `hashes.MD5()` / `hashes.SHA1()`, unless the call
    passes `usedforsecurity=False` (Python 3.9+), the standard way to say the digest is a checksum.
    The severity follows what the names around the call (targets, keywords, the function, its
    module and folder) say the digest is for: a signature, token, HMAC, OTP, certificate or
    verification value is **high**; a value with no telling name is **low**. A digest that names
    what it is for and is no security value is not reported: an ETag, a cache key, a checksum or
    fingerprint of a file, an avatar URL, a bucket or shard number, a file name. Nor are a function
    that implements the algorithm itself (`def _sqlite_md5`), and a hash of fresh random bytes
    (`sha1(os.urandom(8))`: a nonce owes its strength to the randomness). A hash of a password is
    BL653's finding (fast-hash-for-password), not this rule's.

    ## Why is this bad?
    MD5 and SHA-1 collisions can be computed (SHA-1 since 2017, MD5 in seconds), so a signature,
    token or integrity check built on them can be forged (CWE-328). For security, use SHA-256 or
    better (an HMAC with `hmac.compare_digest` for signatures); for a checksum, say so with
    `usedforsecurity=False`, which also keeps the code running on FIPS-mode Python builds.
    """

    code = "BL656"
    name = "weak-hash-algorithm"
    category = "cryptography"
    severity = "low"
    agent = "auth-security/cryptography"
    checklist = ("security.sensitive-data-encrypted", "security.owasp-top-10")
    cwe = (328, 327)
    references = (
        "https://docs.python.org/3/library/hashlib.html#hashlib.new",
        "https://cwe.mitre.org/data/definitions/328.html",
    )
    NODES = (ast.Call,)

    INVALID = (
        """
        import hashlib
        def sign(payload, secret):
            signature = hashlib.md5(secret + payload).hexdigest()  # expect: BL656
            return signature
        """,
        """
        import hashlib
        def make_token(user):
            return hashlib.sha1(f"{user.id}:{user.email}".encode()).hexdigest()  # expect: BL656
        """,
        """
        import hashlib
        def digest_of(blob):
            return hashlib.new("sha1", blob).hexdigest()  # expect: BL656
        """,
        """
        from cryptography.hazmat.primitives import hashes
        def verify_download(data):
            digest = hashes.Hash(hashes.SHA1())  # expect: BL656
            digest.update(data)
            return digest.finalize()
        """,
    )
    VALID = (
        # the real shapes: a SQL function emulating MD5(), a Digest-auth client nonce from random
        # bytes, a template cache's key (its module says so)
        """
        import hashlib, os
        def _sqlite_md5(text):
            return hashlib.md5(text.encode()).hexdigest()
        def build_digest_header(realm):
            cnonce = hashlib.sha1(os.urandom(8)).hexdigest()[:16]
            return cnonce
        """,
        Example(
            """
            import hashlib
            def digest_for(request):
                ctx = hashlib.sha1()
                ctx.update(request.path.encode())
                return ctx.hexdigest()
            """,
            path="cms/cache/page.py",
        ),
        Example(
            """
            import hashlib
            class Loader:
                def generate_hash(self, values):
                    return hashlib.sha1("|".join(values).encode()).hexdigest()
            """,
            path="app/template/loaders/cached.py",
        ),
        # the real shapes: an ETag, a cache key, a file checksum
        """
        import hashlib
        def etag_for(body):
            etag = hashlib.md5(body).hexdigest()
            return etag
        def cache_key(name, args):
            return "tpl:" + hashlib.md5(repr(args).encode()).hexdigest()
        def file_checksum(path):
            with open(path, "rb") as fh:
                return hashlib.sha1(fh.read()).hexdigest()
        """,
        """
        import hashlib
        def digest_of(blob):
            return hashlib.md5(blob, usedforsecurity=False).hexdigest()
        def sign(payload, key):
            return hashlib.sha256(key + payload).hexdigest()
        """,
        Example(  # a password: BL653 reports it, once
            """
            import hashlib
            def store(user, password):
                user.hash = hashlib.md5(password.encode()).hexdigest()
            """
        ),
    )

    def visit(self, node: ast.Call, ctx) -> None:
        algorithm = self._weak(node, ctx)
        if algorithm is None:
            return
        if any(k.arg is None or k.arg == "usedforsecurity" and not _true(k.value) for k in node.keywords):
            return  # `usedforsecurity=False`, or **options that may say so
        if any(_PASSWORD.search(n) for n in _names_in(node.args)):
            return  # a password hash: BL653's
        if _hashes_fresh_randomness(node, ctx):
            return  # `sha1(os.urandom(8))`: the digest only formats random bytes
        words = _context_words(node, ctx)
        function = ctx.enclosing_function()
        if function is not None and algorithm.lower().replace("-", "") in function.name.lower().replace("_", ""):
            return  # `def _sqlite_md5(text)`: implementing that very algorithm (a SQL function, a protocol)
        for part in ctx.path.removesuffix(".py").split("/")[-2:]:  # `cache/page.py`, `loaders/cached.py`
            words |= _words(part)
        if words & _SECURITY:
            severity, why = "high", "a security value (" + ", ".join(sorted(words & _SECURITY)) + ")"
        elif words & _NOT_SECURITY:
            return
        else:
            severity, why = "low", "a digest whose purpose the code does not say"
        ctx.report(
            self, node, f"{algorithm} is broken for security and is used for {why}; use SHA-256 (an HMAC for "
            "signatures), or pass usedforsecurity=False if it is only a checksum", severity=severity,
        )  # fmt: skip

    @staticmethod
    def _weak(node: ast.Call, ctx) -> str | None:
        name = ctx.model.call_name(node) or ""
        if name in _WEAK_CALLS:
            return _WEAK_CALLS[name]
        if name == "hashlib.new" and node.args:
            algorithm = ctx.model.fold(node.args[0])
            if isinstance(algorithm, str):
                return _WEAK_NAMES.get(algorithm.lower().replace("-", ""))
        return None


def _hashes_fresh_randomness(node: ast.Call, ctx) -> bool:
    for root in node.args:
        for n in ast.walk(root):
            name = ctx.model.call_name(n) if isinstance(n, ast.Call) else None
            if name and (name in ("os.urandom", "uuid.uuid4") or name.startswith(("secrets.", "random."))):
                return True
    return False


def _true(node: ast.expr) -> bool:
    return not (isinstance(node, ast.Constant) and node.value in (False, None, 0))


def _names_in(nodes) -> list[str]:
    out = []
    for root in nodes:
        for n in ast.walk(root):
            if isinstance(n, ast.Name):
                out.append(n.id)
            elif isinstance(n, ast.Attribute):
                out.append(n.attr)
    return out


def _words(name: str) -> set[str]:
    parts = [w.lower() for w in re.split(r"[_\W]+|(?<=[a-z0-9])(?=[A-Z])", name) if w]
    return {*parts, "".join(parts)}


def _context_words(node: ast.Call, ctx) -> set[str]:
    """Words of the names the digest is bound to or made in: assignment targets, the keyword or
    dict key it is given as, the enclosing function (and its class), the names in its arguments."""
    names = _names_in(node.args)
    for parent in reversed(ctx.ancestors):
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            names += _names_in(targets)
            names += [t.slice.value for t in targets if isinstance(t, ast.Subscript)
                      and isinstance(t.slice, ast.Constant) and isinstance(t.slice.value, str)]  # fmt: skip
        elif isinstance(parent, ast.keyword) and parent.arg:
            names.append(parent.arg)
        elif isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(parent.name)
            if not isinstance(parent, ast.ClassDef):
                break
    words: set[str] = set()
    for name in names:
        words |= _words(name)
    return words
