"""A bound on the time one in-process engine may spend on one file.

The workers analyse a file in their main thread; `time_limit` arms a real-time interval timer
(`SIGALRM`) around that call, and its handler raises `TooSlow`, a `BaseException`, so that no
rule's `except Exception` can swallow it. Where there is no such timer (Windows) or the call is not
in the main thread (signal handlers can only be set there), the analysis runs unbounded. A timer
that was already armed (pytest-timeout, a host application) is re-armed with what remained of it.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

FILE_SECONDS = 60.0  # default time each in-process engine may spend on one file


class TooSlow(BaseException):
    """The time limit of one file's analysis ran out."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"stopped after {seconds:g} s")
        self.seconds = seconds


def usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TooSlow in the block once `seconds` have passed (None or 0: no limit)."""
    if not seconds or not usable():
        yield
        return

    def expire(signum, frame) -> None:
        raise TooSlow(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # someone else's timer: give back what was left of it (at least a moment)
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))
