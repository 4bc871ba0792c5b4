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
