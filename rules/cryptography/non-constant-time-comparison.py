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
