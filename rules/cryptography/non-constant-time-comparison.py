import hmac


def verify(request, expected_signature, user, stored_api_key):
    # ruleid: non-constant-time-comparison
    if request.headers["X-Signature"] == expected_signature:
        return True
    # ruleid: non-constant-time-comparison
    if stored_api_key != request.args.get("key"):
        return False
    # ok: non-constant-time-comparison
    if hmac.compare_digest(request.headers["X-Signature"], expected_signature):
        return True
    # ok: non-constant-time-comparison
    if expected_signature is None or expected_signature == "":
        return False
    # ok: non-constant-time-comparison
    if user.role == "admin":
        return True
    # ok: non-constant-time-comparison
    if scheme.lower() != "digest":
        return False
    # ok: non-constant-time-comparison
    if "hmac-sha256" == algorithm_name:
        return False
    # ok: non-constant-time-comparison
    return len(expected_signature) == 64


def compare_signatures(secret, body, received_signature):
    expected_signature = hmac.new(secret, body, "sha256").hexdigest()
    # one comparison of two secret-named values is one finding (tests/test_semgrep.py counts them)
    # ruleid: non-constant-time-comparison
    return received_signature == expected_signature


def authenticate_key(api_key):
    # the real shape: the record is fetched by the key, then the key is compared again
    credential = ServiceCredential.objects.filter(api_key=api_key).first()
    # ok: non-constant-time-comparison
    if credential is None or credential.api_key != api_key:
        return None
    return credential


def authenticate_other(api_key, stored_api_key):
    account = Account.objects.get(pk=1)
    # ruleid: non-constant-time-comparison
    return account.api_key == api_key


def is_default_init(present_params, default_model_signature):
    # the real shape (pydantic): a Python function signature, not a cryptographic one
    # ok: non-constant-time-comparison
    return [(p.name, p.kind) for p in present_params] == default_model_signature


def is_current(chart, digest):
    # the real shape (a dashboard's cache digest, an ML model's signature): no secret
    # ok: non-constant-time-comparison
    if chart.digest != digest:
        return False
    return True


def check_model(signature, inferred_signature):
    # ok: non-constant-time-comparison
    return signature is not None and signature != inferred_signature


def verify_webhook(secret, body, received):
    expected_digest = hmac.new(secret, body, "sha256").hexdigest()
    if body:
        # ruleid: non-constant-time-comparison
        return received == expected_digest
    return False
