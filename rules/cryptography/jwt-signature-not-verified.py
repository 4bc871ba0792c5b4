import jwt


def current_user(token, key):
    # ruleid: jwt-signature-not-verified
    claims = jwt.decode(token, options={"verify_signature": False})
    # ruleid: jwt-signature-not-verified
    legacy = jwt.decode(token, key, verify=False)
    # ok: jwt-signature-not-verified
    good = jwt.decode(token, key, algorithms=["HS256"])
    # ok: jwt-signature-not-verified
    no_aud = jwt.decode(token, key, algorithms=["HS256"], options={"verify_aud": False})
    # ok: jwt-signature-not-verified
    header = jwt.get_unverified_header(token)
    # ok: jwt-signature-not-verified
    other = signer.decode(token, verify=False)
    return claims, legacy, good, no_aud, header, other
