import random
import secrets
import string
from random import choice

ALPHABET = string.ascii_letters + string.digits


def issue(user, rows):
    # ruleid: insecure-random-for-secret
    reset_token = "".join(random.choice(ALPHABET) for _ in range(32))
    # ruleid: insecure-random-for-secret
    user.otp_code = random.randint(100000, 999999)
    # ruleid: insecure-random-for-secret
    api_key = "".join(choice(ALPHABET) for _ in range(40))
    # ok: insecure-random-for-secret
    session_token = secrets.token_urlsafe(32)
    # ok: insecure-random-for-secret
    delay = random.uniform(0.1, 0.5)
    # ok: insecure-random-for-secret
    sample_rows = random.sample(rows, 10)
    # ok: insecure-random-for-secret
    csrf_token = "".join(secrets.choice(ALPHABET) for _ in range(32))
    return reset_token, api_key, session_token, delay, sample_rows, csrf_token


def make_password_reset_code():
    # ruleid: insecure-random-for-secret
    return str(random.randint(0, 10**6))


def pick_shard(shards):
    # ok: insecure-random-for-secret
    return random.choice(shards)


def create_key(account):
    raw = "%032x" % random.getrandbits(128)
    # ruleid: insecure-random-for-secret
    return ApiCredential.objects.create(account=account, api_key=raw)


def remember_me(response):
    value = random.random()
    # ruleid: insecure-random-for-secret
    response.set_cookie("remember", str(value))
    return response


def login_cookie(response, user):
    value = "%x" % random.getrandbits(64)
    # ruleid: insecure-random-for-secret
    user.session_token = value
    return {"token": value}


def jitter(response):
    value = random.random()
    # ok: insecure-random-for-secret
    response.set_cookie("ab_bucket", random.choice(["a", "b"]))
    # ok: insecure-random-for-secret
    return schedule(delay=value)


def make_payload(user):
    # ruleid: insecure-random-for-secret
    return {"user": user.id, "nonce": random.randint(0, 2**32)}


def pick_colour(palette):
    # ok: insecure-random-for-secret
    return Swatch(key=random.choice(palette))
