"""Every file backend-lint writes (`--output`, `--write-baseline`, `--prune-baseline`, the result
cache) is replaced atomically: a failed write (a full disk, no permission) leaves the old file
intact and is one line on stderr with exit code 2, never a traceback."""

from __future__ import annotations

import errno
import json
import os
import stat

import pytest

from backend_lint import storage
from backend_lint.cli import main
from backend_lint.storage import read_regular, write_atomic
from conftest import SILENT_AND_PRINT, run_cli, write

OLD = "the old content\n"


def full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def leftovers(directory) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]


# --- the helper ---


def test_write_atomic_replaces_the_file_and_keeps_its_mode(tmp_path):
    target = tmp_path / "out.json"
    target.write_text(OLD)
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n" and stat.S_IMODE(target.stat().st_mode) == 0o640
    write_atomic(tmp_path / "fresh.json", b"bytes")
    assert (tmp_path / "fresh.json").read_bytes() == b"bytes" and not leftovers(tmp_path)


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch, failing):
    target = tmp_path / "out.json"
    target.write_text(OLD)
    if failing == "write":
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, fd):
                self.fh = real_fdopen(fd, "wb")

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, data):
                full_disk()

        monkeypatch.setattr(storage.os, "fdopen", lambda fd, mode: Full(fd))
    else:
        monkeypatch.setattr(storage.os, failing, full_disk)
    with pytest.raises(OSError) as caught:
        write_atomic(target, "half a new file", durable=True)
    assert caught.value.errno == errno.ENOSPC
    assert target.read_text() == OLD and not leftovers(tmp_path)


def test_a_symlink_at_the_target_is_replaced_not_followed(tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(OLD)
    link = tmp_path / "report.json"
    link.symlink_to(outside)
    write_atomic(link, "report\n")
    assert outside.read_text() == OLD  # a planted link cannot redirect the write
    assert not link.is_symlink() and link.read_text() == "report\n"


def test_streams_are_written_into_not_replaced(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_atomic(fifo, "through the pipe\n")
        assert os.read(reader, 100) == b"through the pipe\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    with pytest.raises(OSError):  # a FIFO nobody reads is an error at once, not a hang
        write_atomic(fifo, "nobody listens")
    write_atomic("/dev/null", "discarded")


def test_cli_output_to_dev_stdout(tmp_path):
    write(tmp_path, "app.py", SILENT_AND_PRINT)
    done = run_cli("--format", "json", "-o", "/dev/stdout", "app.py", cwd=tmp_path)
    assert done.returncode == 1 and json.loads(done.stdout)["summary"]["findings"] == 2


def test_read_regular_refuses_what_is_not_a_small_regular_file(tmp_path):
    small = tmp_path / "pack.json"
    small.write_bytes(b"{}")
    assert read_regular(small, 10) == b"{}"
    assert read_regular(small, 1) is None  # larger than the cap
    assert read_regular(tmp_path / "missing", 10) is None
    os.mkfifo(tmp_path / "fifo")
    assert read_regular(tmp_path / "fifo", 10) is None  # no writer: refused at once
    (tmp_path / "zero").symlink_to("/dev/zero")
    assert read_regular(tmp_path / "zero", 10) is None


# --- the command line ---


@pytest.fixture
def project(tmp_path, monkeypatch):
    write(tmp_path, "app.py", SILENT_AND_PRINT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(*args: str) -> int:
    return main(["--engines", "native", "--no-cache", "-j", "1", *args, "app.py"])


def one_line_error(capsys, expected: str) -> None:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err, err
    assert "No space left on device" in err


def test_output_on_a_full_disk_keeps_the_old_report(project, monkeypatch, capsys):
    (project / "report.json").write_text(OLD)
    monkeypatch.setattr(storage.os, "replace", full_disk)
    assert lint("--format", "json", "-o", "report.json") == 2
    one_line_error(capsys, "backend-lint: error: --output: cannot write report.json")
    assert (project / "report.json").read_text() == OLD and not leftovers(project)


def test_write_baseline_on_a_full_disk_keeps_the_old_baseline(project, monkeypatch, capsys):
    (project / "baseline.json").write_text(OLD)
    monkeypatch.setattr(storage.os, "replace", full_disk)
    assert lint("--write-baseline", "baseline.json") == 2
    one_line_error(capsys, "backend-lint: error: cannot write baseline baseline.json")
    assert (project / "baseline.json").read_text() == OLD


def test_prune_baseline_on_a_full_disk_keeps_the_old_baseline(project, monkeypatch, capsys):
    assert lint("--write-baseline", "baseline.json") == 0
    capsys.readouterr()
    (project / "app.py").write_text("def fine():\n    return 1\n")  # both findings fixed: stale entries
    before = (project / "baseline.json").read_text()
    real_replace = os.replace
    monkeypatch.setattr(storage.os, "replace", full_disk)
    assert lint("--baseline", "baseline.json", "--prune-baseline") == 2
    one_line_error(capsys, "backend-lint: error: cannot write baseline baseline.json")
    assert (project / "baseline.json").read_text() == before
    monkeypatch.setattr(storage.os, "replace", real_replace)
    assert lint("--baseline", "baseline.json", "--prune-baseline") == 0
    assert json.loads((project / "baseline.json").read_text())["findings"] == []


def test_no_permission_is_one_line_too(project, monkeypatch, capsys):
    def denied(path, flags, mode=0o777):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)

    monkeypatch.setattr(storage.os, "open", denied)
    assert lint("-o", "report.txt") == 2
    err = capsys.readouterr().err
    assert err == "backend-lint: error: --output: cannot write report.txt: Permission denied\n"


def test_the_cache_writes_through_the_same_helper(project, monkeypatch):
    from backend_lint.run import cache

    calls = []
    monkeypatch.setattr(cache, "write_atomic", lambda target, data, **options: calls.append(target))
    assert main(["--engines", "native", "-j", "1", "--cache-dir", str(project / "c"), "app.py"]) == 1
    assert any(str(t).endswith(".json") for t in calls)
