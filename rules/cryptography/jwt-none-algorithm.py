import jwt


def tokens(payload, token, key):
    # ruleid: jwt-none-algorithm
    unsigned = jwt.encode(payload, None, algorithm="none")
    # ruleid: jwt-none-algorithm
    claims = jwt.decode(token, key, algorithms=["HS256", "None"])
    # ruleid: jwt-none-algorithm
    bare = jwt.encode(payload, key, algorithm=None)
    # ok: jwt-none-algorithm
    signed = jwt.encode(payload, key, algorithm="HS256")
    # ok: jwt-none-algorithm
    checked = jwt.decode(token, key, algorithms=["RS256", "ES256"])
    # ok: jwt-none-algorithm
    other = codec.encode(payload, algorithm="none")
    return unsigned, claims, bare, signed, checked, other
