import tempfile
from tempfile import mktemp


def export(rows):
    # ruleid: insecure-temp-file
    path = tempfile.mktemp(suffix=".csv")
    # ruleid: insecure-temp-file
    other = mktemp()
    # ok: insecure-temp-file
    fd, safe = tempfile.mkstemp(suffix=".csv")
    # ok: insecure-temp-file
    with tempfile.NamedTemporaryFile("w", delete=False) as fh:
        fh.write(rows)
    return path, other, fd, safe
