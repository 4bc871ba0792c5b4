"""The files backend-lint writes and reads for itself: reports (`--output`), baselines and the
result cache. Only the standard library, so every layer may import it.

`write_atomic` replaces a file all at once: the data goes to a temporary file in the same
directory, which is renamed over the target, so a reader never sees half a file and a failed
write (a full disk, no permission) leaves the old file as it was; `/dev/stdout` and other
streams are written into instead. `read_regular` reads a file we
wrote earlier without trusting what is there now: something else in its place (a FIFO, a device,
a symlink to `/dev/zero`, a huge file) is refused at once, never waited on or read without end.
"""

from __future__ import annotations

import os
import stat

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def write_atomic(path: str | os.PathLike, data: bytes | str, durable: bool = False, streams: bool = True) -> None:
    """Replace `path` with `data` (text is written as UTF-8); raises OSError, the old file intact.

    An existing file keeps its permission bits. A symlink at `path` is replaced, not followed, so
    a link planted where a report goes cannot redirect the write to a file elsewhere. A stream is
    written through instead (`_is_stream`: `-o /dev/stdout`, a FIFO, a device), appending, as a
    shell redirection would, unless `streams` is False (a file of ours: whatever is in its place
    is replaced). `durable` also syncs the data to disk before the rename (reports and baselines;
    the cache may lose an entry, never a whole file).
    """
    target = os.fspath(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if streams and _is_stream(target):
        _write_through(target, payload)
        return
    try:
        existing = os.lstat(target)
    except FileNotFoundError:
        existing = None
    keep_mode = existing is not None and stat.S_ISREG(existing.st_mode) and hasattr(os, "fchmod")
    directory, name = os.path.split(target)
    # a name no other process or thread picks (not `tempfile`: it costs start-up time)
    tmp = os.path.join(directory, f".{name}.{os.getpid()}-{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            if keep_mode:
                os.fchmod(fh.fileno(), stat.S_IMODE(existing.st_mode))
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _is_stream(target: str) -> bool:
    """Whether `target` is something to write into rather than a file to replace: a device, FIFO
    or socket (through symlinks), or any name under /dev or /proc (`/dev/stdout`, `/dev/fd/3`),
    which stays a stream even when it leads to a file (`-o /dev/stdout >> log`)."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        mode = None
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return True
    parent = os.path.realpath(os.path.dirname(os.path.abspath(target)))
    return parent == "/dev" or parent.startswith(("/dev/", "/proc/"))


def _write_through(target: str, payload: bytes) -> None:
    # Opened without waiting for a FIFO's reader (one without a reader is an error, not a hang),
    # then written normally.
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | _NONBLOCK | _BINARY)
    if _NONBLOCK:
        os.set_blocking(fd, True)
    with os.fdopen(fd, "wb") as fh:
        fh.write(payload)


def read_regular(path: str | os.PathLike, limit: int) -> bytes | None:
    """The content of `path` if it is a regular file (not a symlink) of at most `limit` bytes;
    None if it is missing, unreadable, larger, or anything else. Never blocks: a FIFO is opened
    without waiting for a writer and refused."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _NOFOLLOW | _BINARY)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return None if size > limit else b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)
