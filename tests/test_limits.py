"""Bounded cost per file: a file too large or too slow for the in-process engines is a typed "limit"
error with its numbers, and every other file (and every other engine) is still checked. The memory
bound on a real 20 MB file is asserted by the stress suite (tests/stress/), in a subprocess."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from backend_lint import run as runner
from backend_lint import source
from backend_lint.config import Config
from backend_lint.engines.native import NativeAnalyser
from backend_lint.run import limits
from conftest import write

PRINT = "print('debug')\n"


def lint(root: Path, options: runner.RunOptions = runner.RunOptions(jobs=1), **changes):
    config = Config(root=root, engines=("native",)).replace(**changes)
    old = os.getcwd()
    os.chdir(root)
    try:
        return runner.run_counted(["."], config, options)
    finally:
        os.chdir(old)


def test_a_file_of_too_many_tokens_is_not_parsed_and_says_how_large_it_is(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "MAX_TOKENS", 1_000)
    write(tmp_path, "big.py", "x = [" + ", ".join(str(i) for i in range(2_000)) + "]\n" + PRINT)
    write(tmp_path, "small.py", PRINT)
    report, _ = lint(tmp_path)
    (error,) = report.errors
    assert (error.kind, error.path) == ("limit", "big.py")
    assert error.message.startswith("too large to analyse: more than 1,000 tokens") and "2 lines" in error.message
    assert [(f.path, f.rule) for f in report.findings] == [("small.py", "BL301")]


def test_a_file_just_under_the_token_limit_is_analysed(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "MAX_TOKENS", 1_000)
    write(tmp_path, "fits.py", "# " + "padding " * 200 + "\n" + "x = [" + "1, " * 400 + "]\n" + PRINT)
    report, _ = lint(tmp_path)
    assert report.errors == ()
    assert [f.rule for f in report.findings] == ["BL301"]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("x = 'a b c d'  # a comment of many words\n", 4),
        ('s = """one\ntwo three"""\n', 3),
        ("b = rb'a b'\n", 3),
        ("f = f'{a} {b} {c}'\n", 14),  # every expression in an f-string is a node: never one token
    ],
)
def test_tokens_are_counted_as_the_tree_will_hold_them(text, tokens):
    assert source.count_tokens(text, 100) == tokens


def test_counting_stops_at_the_limit():
    assert source.count_tokens("a " * 10_000, 50) == 51


class _Slow(NativeAnalyser):
    def analyse(self, unit):
        if "slow" in unit.display:
            while True:
                time.sleep(0.01)
        return super().analyse(unit)


def test_a_file_too_slow_to_analyse_is_a_limit_error_and_is_not_cached(tmp_path, monkeypatch):
    monkeypatch.setattr("backend_lint.engines.native.NativeAnalyser", _Slow)
    write(tmp_path, "slow.py", PRINT)
    write(tmp_path, "fast.py", PRINT)
    options = runner.RunOptions(jobs=1, cache_dir=str(tmp_path / ".cache"), file_seconds=0.3)
    started = time.monotonic()
    report, stats = lint(tmp_path, options)
    assert time.monotonic() - started < 30  # a hang guard, not a benchmark
    (error,) = report.errors
    assert (error.kind, error.path, error.engine) == ("limit", "slow.py", "native")
    assert error.message.startswith("too slow to analyse: native stopped after 0.3 s") and "1 lines" in error.message
    assert [f.path for f in report.findings] == ["fast.py"]
    again, stats = lint(tmp_path, options)
    assert (stats.analysed, stats.cached) == (1, 1)  # the slow file again, the fast one from the cache
    assert again.errors == report.errors


def test_the_limit_gives_back_a_timer_that_was_already_running():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with limits.time_limit(5):
            pass
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining <= 0.5
        time.sleep(0.7)
        assert fired == [True]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_no_limit_outside_the_main_thread():
    import threading

    seen = []
    thread = threading.Thread(target=lambda: seen.append(limits.usable()))
    thread.start()
    thread.join()
    assert seen == [False] and limits.usable()
