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
