import hashlib


def store(user, password, password_reset_token, data, salt):
    # ruleid: fast-hash-for-password
    user.hash = hashlib.md5(password.encode()).hexdigest()
    # ruleid: fast-hash-for-password
    user.hash = hashlib.sha256(salt + user.password).hexdigest()
    # ruleid: fast-hash-for-password
    user.hash = hashlib.new("sha1", password.encode()).hexdigest()
    digest = hashlib.sha1()
    # ruleid: fast-hash-for-password
    digest.update(password.encode())
    # ok: fast-hash-for-password
    user.hash = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)
    # ok: fast-hash-for-password
    user.hash = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    # ok: fast-hash-for-password
    user.reset = hashlib.sha256(password_reset_token.encode()).hexdigest()
    # ok: fast-hash-for-password
    etag = hashlib.md5(data).hexdigest()
    return etag


from django.contrib.auth.hashers import PBKDF2PasswordHasher


class PrehashedPBKDF2Hasher(PBKDF2PasswordHasher):
    # the real shape: a sha512 pre-hash, then PBKDF2 at 690,000 iterations, inside a Django hasher
    algorithm = "pbkdf2_sha512_prehashed"
    iterations = 690_000

    def encode(self, password, salt, iterations=None):
        # ok: fast-hash-for-password
        prehashed = hashlib.sha512(password.encode()).hexdigest()
        return super().encode(prehashed, salt, iterations)


def stretch(password, salt):
    # ok: fast-hash-for-password
    digest = hashlib.sha512(password.encode()).digest()
    return hashlib.pbkdf2_hmac("sha512", digest, salt, 690_000)


def stretch_inline(password, salt):
    # ok: fast-hash-for-password
    return hashlib.pbkdf2_hmac("sha512", hashlib.sha512(password.encode()).digest(), salt, 690_000)


class LegacyUser:
    def set_password(self, password):
        # ruleid: fast-hash-for-password
        self.password_hash = hashlib.sha512(password.encode()).hexdigest()


class BaseLocalHasher:
    algorithm = None


class LegacyMD5Hasher(BaseLocalHasher):
    # the real shape (django/contrib/auth/hashers.py): a legacy hasher, chosen in PASSWORD_HASHERS
    algorithm = "md5"

    def encode(self, password, salt):
        # ok: fast-hash-for-password
        hash = hashlib.md5((salt + password).encode()).hexdigest()
        return "%s$%s$%s" % (self.algorithm, salt, hash)
