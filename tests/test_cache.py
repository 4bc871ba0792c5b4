"""The per-file result cache: hits only when nothing that matters changed; corrupt entries rebuilt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from backend_lint import run as runner
from backend_lint.config import Config
from backend_lint.model import Error, FileResult
from backend_lint.run import DIRECTORY_NAME, pool
from backend_lint.run.cache import ResultCache
from backend_lint.source import load_unit
from conftest import REPO, run_cli, write

SILENT = "def f():\n    try:\n        g()\n    except Exception:\n        pass\n"
PRINTS = "def h(x):\n    print(x)  # backend-lint: ignore[BL301] -- a CLI\n    print(x)\n"


def make_tree(root: Path, n: int = 5) -> None:
    for i in range(n):
        write(root, f"app/mod{i}.py", SILENT if i % 2 else PRINTS)
    write(root, "app/broken.py", "def broken(:\n")
    write(root, "tests/test_mod.py", PRINTS)


def run(root: Path, cache_dir: Path, jobs: int = 1, **config_changes):
    config = Config(root=root, engines=("native", "ruff")).replace(**config_changes)
    old = os.getcwd()
    os.chdir(root)
    try:
        return runner.run_counted(["."], config, runner.RunOptions(jobs=jobs, cache_dir=str(cache_dir)))
    finally:
        os.chdir(old)


def as_json(report) -> list:
    return [f.to_dict() for f in report.findings + report.suppressed] + [e.to_dict() for e in report.errors]


def test_second_run_reads_everything_from_the_cache(tmp_path):
    make_tree(tmp_path)
    cache = tmp_path / "cache"
    first, stats1 = run(tmp_path, cache)
    second, stats2 = run(tmp_path, cache)
    assert (stats1.analysed, stats1.cached) == (7, 0)
    assert (stats2.analysed, stats2.cached) == (0, 7)
    assert first.findings and first.suppressed and first.errors  # the tree exercises every part of a result
    assert as_json(second) == as_json(first)


def test_only_changed_files_are_analysed_again(tmp_path, monkeypatch):
    make_tree(tmp_path)
    cache = tmp_path / "cache"
    run(tmp_path, cache)
    write(tmp_path, "app/mod1.py", SILENT + "\nprint('changed')\n")
    calls = []

    def counting(path, *args, **kwargs):
        calls.append(Path(path).name)
        return load_unit(path, *args, **kwargs)

    monkeypatch.setattr(pool, "load_unit", counting)
    report, stats = run(tmp_path, cache)
    assert calls == ["mod1.py"]
    assert (stats.analysed, stats.cached) == (1, 6)
    assert any(f.path == "app/mod1.py" and f.rule == "BL301" for f in report.findings)


def test_touching_a_file_without_changing_it_is_a_hit(tmp_path):
    make_tree(tmp_path)
    cache = tmp_path / "cache"
    run(tmp_path, cache)
    os.utime(tmp_path / "app/mod0.py", (1, 1))
    assert run(tmp_path, cache)[1].analysed == 0


def test_rule_set_options_agents_and_test_paths_are_part_of_the_key(tmp_path):
    make_tree(tmp_path)
    cache = tmp_path / "cache"
    run(tmp_path, cache)
    assert run(tmp_path, cache, select=("BL201",))[1].analysed == 7
    assert run(tmp_path, cache, agents={"BL201": "architecture/ddd"})[1].analysed == 7
    assert run(tmp_path, cache, rule_options={"BL501": {"safe-functions": ["quote_ident"]}})[1].analysed == 7
    # only the file whose test-path status changed is analysed again
    assert run(tmp_path, cache, test_paths=("app/mod0.py",))[1].analysed == 2
    # and the first configuration's entries are still there
    assert run(tmp_path, cache)[1].analysed == 0


def without_stamps(pack: bytes) -> dict:
    data = json.loads(pack)
    for entry in data["entries"].values():
        entry.pop("stamp")  # None while a file is too recent to trust its mtime
    return data


def packs_of(cache: Path) -> list[Path]:
    (settings,) = [d for d in cache.iterdir() if d.is_dir() and d.name != "ruff"]  # one settings key
    return sorted(settings.glob("*.json"))


def entries_of(cache: Path) -> dict:
    """The entries of every pack, by "<is test>:<display path>" (the real ids hold the absolute path too)."""
    entries = {k: v for pack in packs_of(cache) for k, v in json.loads(pack.read_text())["entries"].items()}
    return {f"{k[:2]}{k.partition(chr(0))[2]}": v for k, v in entries.items()}


def without_stamps_all(cache: Path) -> dict:
    entries = entries_of(cache)
    for entry in entries.values():
        entry.pop("stamp")  # None while a file is too recent to trust its mtime
    return entries


def test_corrupt_packs_are_ignored_and_rebuilt(tmp_path):
    make_tree(tmp_path)
    cache = tmp_path / "cache"
    expected = as_json(run(tmp_path, cache)[0])
    whole = without_stamps_all(cache)
    for broken in (None, b"\x00\xff not json", b'{"entries": []}', b"[1, 2]"):
        for pack in packs_of(cache):
            pack.write_bytes(pack.read_bytes()[:50] if broken is None else broken)
        report, stats = run(tmp_path, cache)
        assert as_json(report) == expected
        assert stats.analysed == 7
        assert without_stamps_all(cache) == whole  # rebuilt, whole
    assert run(tmp_path, cache)[1].analysed == 0


def test_corrupt_entries_are_analysed_again(tmp_path):
    make_tree(tmp_path)
    cache = tmp_path / "cache"
    expected = as_json(run(tmp_path, cache)[0])
    damage = [
        lambda entry: {"key": "x"},  # valid JSON, wrong shape
        lambda entry: {**entry, "result": {"path": 1}},
        lambda entry: {**entry, "result": {**entry["result"], "findings": [{"rule": "BL1"}]}},
        lambda entry: "not an entry",
    ]
    for pack in packs_of(cache):
        data = json.loads(pack.read_text())
        for name in sorted(data["entries"]):
            if damage:
                data["entries"][name] = damage.pop()(data["entries"][name])
        pack.write_text(json.dumps(data))
    report, stats = run(tmp_path, cache)
    assert as_json(report) == expected
    assert stats.analysed == 4
    assert run(tmp_path, cache)[1].analysed == 0


def test_a_run_on_one_file_reads_one_pack(tmp_path, monkeypatch):
    for i in range(40):
        write(tmp_path, f"app/m{i}.py", SILENT)
    cache = tmp_path / "cache"
    run(tmp_path, cache)
    assert len(packs_of(cache)) > 10  # the entries are spread over many packs
    reads = []
    real = ResultCache._read
    monkeypatch.setattr(ResultCache, "_read", lambda self, shard: reads.append(shard) or real(self, shard))
    config = Config(root=tmp_path, engines=("native", "ruff"))
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        report, stats = runner.run_counted(["app/m7.py"], config, runner.RunOptions(jobs=1, cache_dir=str(cache)))
        assert (stats.cached, len(report.findings), len(reads)) == (1, 1, 1)
        write(tmp_path, "app/m7.py", SILENT + "print(1)\n")
        report, stats = runner.run_counted(["app/m7.py"], config, runner.RunOptions(jobs=1, cache_dir=str(cache)))
    finally:
        os.chdir(old)
    assert (stats.analysed, len(report.findings)) == (1, 2)
    assert len(set(reads)) == 1  # the same pack, read again to be rewritten
    assert len(entries_of(cache)) == 40


def test_entries_of_deleted_files_and_old_settings_are_dropped(tmp_path):
    make_tree(tmp_path)
    cache = tmp_path / "cache"
    run(tmp_path, cache)
    (tmp_path / "app/mod3.py").unlink()
    # a new file whose entry goes to the pack holding the deleted file's: that pack is rewritten
    cache_api = ResultCache(cache, "settings")

    def shard(name: str) -> int:
        return cache_api._shard_of(cache_api._id(str(tmp_path / name), name, False))

    new = next(f"app/new{i}.py" for i in range(500) if shard(f"app/new{i}.py") == shard("app/mod3.py"))
    write(tmp_path, new, SILENT)
    assert run(tmp_path, cache)[1].analysed == 1
    entries = entries_of(cache)
    assert "0:app/mod3.py" not in entries and f"0:{new}" in entries and len(entries) == 7
    for i in range(ResultCache.MAX_KEYS + 3):  # as many configurations, each its own packs
        run(tmp_path, cache, agents={"BL201": f"architecture/ddd{i}"} if i % 2 else {"BL301": f"x/y{i}"})
    kept = [d for d in cache.iterdir() if d.is_dir() and d.name != "ruff"]
    assert len(kept) == ResultCache.MAX_KEYS + 1
    assert (cache / "ruff").is_dir()  # ruff's own cache is not one of ours to prune


def test_records_round_trip():
    from backend_lint.engines import registry

    codes = tuple(sorted(registry()["native"].rules()))
    settings = pool.WorkerSettings(("native",), {"native": codes})
    record, *_ = pool.Analyser(settings).record((str(REPO / "tests/fixtures/flask_app/shop/routes/orders.py"), "orders.py", False, None))
    result = FileResult.from_record(record)
    assert result.findings and result.code and result.directives is not None
    assert FileResult.from_record(json.loads(json.dumps(result.to_record()))) == result
    broken = FileResult("x.py", errors=(Error("syntax", "syntax error at line 1", "x.py"),))
    assert FileResult.from_record(broken.to_record()) == broken


def test_internal_and_engine_errors_are_not_cached(tmp_path):
    cache = ResultCache(tmp_path / "c", "settings")
    assert cache.prepare()
    crash = FileResult("a.py", errors=(Error("internal", "internal error in rule X", "a.py", "native"),))
    cache.store("a.py", "a.py", False, "digest", crash)
    failed = FileResult("c.py", errors=(Error("engine", "ruff reported unmapped code X1", "c.py", "ruff"),))
    cache.store("c.py", "c.py", False, "digest", failed)
    cache.store("b.py", "b.py", False, "digest", FileResult("b.py"))
    cache.save()
    assert list(entries_of(tmp_path / "c")) == ["0:b.py"]


def test_unwritable_cache_is_a_notice_not_a_failure(tmp_path):
    make_tree(tmp_path)
    blocker = write(tmp_path, "not-a-dir", "")
    report, stats = run(tmp_path, blocker / "cache")
    assert stats.analysed == 7 and report.findings
    assert any("cache" in n for n in report.notices)


def test_cli_default_cache_dir_gitignore_and_no_cache(tmp_path):
    make_tree(tmp_path)
    write(tmp_path, "pyproject.toml", "[tool.backend-lint]\nselect = ['ALL']\n")
    first = run_cli("--format", "json", "--no-cache", ".", cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    assert not (tmp_path / DIRECTORY_NAME).exists()
    second = run_cli("--format", "json", "app", cwd=tmp_path)
    ignore = tmp_path / DIRECTORY_NAME / ".gitignore"
    assert ignore.read_text().splitlines()[-1] == "*"
    assert entries_of(tmp_path / DIRECTORY_NAME)
    # the cache directory itself is never linted, and cached runs print the same report
    third = run_cli("--format", "json", ".", cwd=tmp_path)
    assert third.stdout == first.stdout
    assert second.returncode == 1
    custom = tmp_path / "elsewhere"
    run_cli("--format", "json", "--cache-dir", str(custom), ".", cwd=tmp_path)
    assert (custom / ".gitignore").exists()


def test_two_runs_racing_on_one_cache(tmp_path):
    for i in range(40):
        write(tmp_path, f"pkg/m{i}.py", (SILENT if i % 3 else PRINTS) * (1 + i % 4))
    cache = tmp_path / "cache"
    cmd = [sys.executable, "-m", "backend_lint", "--format", "json", "--jobs", "2", "--cache-dir", str(cache), "pkg"]
    env = {**os.environ, "NO_COLOR": "1"}
    procs = [subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [1, 1, 1], [o[1] for o in outs]
    assert outs[0][0] == outs[1][0] == outs[2][0]
    assert not list(cache.rglob("*.tmp"))  # no temporary file of an atomic write is left
    assert len(entries_of(cache)) == 40
    again = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False)
    assert again.stdout == outs[0][0]


def test_an_unchanged_stamp_spares_reading_the_file(tmp_path):
    import time

    from backend_lint.run.cache import is_racy
    from backend_lint.source import file_stamp

    source = tmp_path / "a.py"
    source.write_text("x = 1\n", encoding="utf-8")
    cache = ResultCache(tmp_path / "cache", "settings")
    assert cache.prepare()
    record = FileResult("a.py")
    assert is_racy(file_stamp(str(source)), time.time())  # just written: too recent to trust
    old = time.time() - 60
    os.utime(source, (old, old))
    stamp = file_stamp(str(source))
    assert is_racy(stamp, time.time())  # an old mtime, but just restored: the ctime is new
    assert not is_racy(stamp, time.time() + 2.5)  # trusted a moment later
    st = source.stat()
    assert stamp == [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode]
    cache.store(str(source), "a.py", False, "hash-of-content", record, stamp)
    cache.save()
    calls = []

    def digest():
        calls.append(1)
        return "hash-of-content"

    assert cache.load(str(source), "a.py", False, digest, file_stamp(str(source))) is not None
    assert calls == []  # the same stamp: the content was not read again
    os.chmod(source, 0o600)  # same content, size and mtime; new mode and ctime: the hash decides
    assert cache.load(str(source), "a.py", False, digest, file_stamp(str(source))) is not None
    assert calls == [1]
    source.write_text("x = 2\n", encoding="utf-8")  # same size, new mtime
    assert cache.load(str(source), "a.py", False, lambda: "hash-of-new-content", file_stamp(str(source))) is None
    # another file shown under the same path (another working directory) is another entry
    other = tmp_path / "elsewhere" / "a.py"
    other.parent.mkdir()
    other.write_text("x = 1\n", encoding="utf-8")
    os.utime(other, (old, old))
    assert cache.load(str(other), "a.py", False, digest, file_stamp(str(other))) is None


def counting_engine(monkeypatch, module, name):
    """Record the files each run of an external engine is given (and still run it)."""
    calls = []
    real = getattr(module, name)

    def wrapper(paths, *args, **kwargs):
        calls.append(sorted(os.path.basename(p) for p in paths))
        return real(paths, *args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_external_findings_come_from_the_cache_for_unchanged_files(tmp_path, monkeypatch):
    from backend_lint.engines import ruff

    make_tree(tmp_path)
    cache = tmp_path / "cache"
    calls = counting_engine(monkeypatch, ruff, "run_ruff")
    first = run(tmp_path, cache)[0]
    assert any("T201" in f.also_reported_by for f in first.findings)  # ruff's T201 merged into BL301
    assert len(calls[0]) == 7
    second = run(tmp_path, cache)[0]
    assert len(calls) == 1  # nothing changed: ruff is not even started
    assert as_json(second) == as_json(first)
    write(tmp_path, "app/mod0.py", PRINTS + "print('more')\n")
    third = run(tmp_path, cache)[0]
    assert calls[1] == ["mod0.py"]
    fresh = run(tmp_path, tmp_path / "other-cache")[0]
    assert as_json(third) == as_json(fresh)


def test_results_of_a_failed_external_engine_are_not_cached(tmp_path, monkeypatch):
    from backend_lint.engines import EngineOutput, ruff

    make_tree(tmp_path)
    cache = tmp_path / "cache"
    failing = EngineOutput(errors=(Error("engine", "ruff timed out after 1s on 7 file(s)", None, "ruff"),))
    monkeypatch.setattr(ruff, "run_ruff", lambda *args, **kwargs: failing)
    report, stats = run(tmp_path, cache)
    assert [(e.path, e.engine, e.kind) for e in report.errors if e.engine == "ruff"] == [(None, "ruff", "engine")]
    assert not list(cache.rglob("*.json"))  # nothing stored: ruff's findings are missing for every file
    one_file = EngineOutput(errors=(Error("engine", "ruff reported unmapped code X1", "app/mod0.py", "ruff"),))
    monkeypatch.setattr(ruff, "run_ruff", lambda *args, **kwargs: one_file)
    run(tmp_path, cache)
    assert "0:app/mod0.py" not in entries_of(cache)
    monkeypatch.undo()
    assert run(tmp_path, cache)[1].analysed == 1  # only the file ruff failed on



def test_semgrep_findings_are_cached_too(tmp_path, monkeypatch):
    """Also for a linked file: semgrep refuses a symbolic link as a target (the whole batch failed,
    so nothing was ever cached), so it is given the file linked to."""
    from backend_lint.engines import semgrep

    client = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"
    write(tmp_path, "app/client.py", client)
    write(tmp_path, "app/other.py", "X = 1\n")
    write(tmp_path, "vendored/shared_client.py", client)
    (tmp_path / "app/shared.py").symlink_to(tmp_path / "vendored/shared_client.py")
    cache = tmp_path / "cache"
    calls = counting_engine(monkeypatch, semgrep, "run_semgrep")

    def lint():
        config = Config(root=tmp_path, engines=("native", "semgrep"))
        old = os.getcwd()
        os.chdir(tmp_path)
        try:
            return runner.run(["app"], config, runner.RunOptions(jobs=1, cache_dir=str(cache)))
        finally:
            os.chdir(old)

    first = lint()
    assert not first.errors
    assert [(f.path, f.engine) for f in first.findings] == [("app/client.py", "semgrep"), ("app/shared.py", "semgrep")]
    second = lint()
    assert calls == [["client.py", "other.py", "shared_client.py"]]
    assert as_json(second) == as_json(first)


def test_a_file_edited_during_the_run_is_not_cached(tmp_path, monkeypatch):
    """ruff reads the old text, the native engine the new one: storing both under one content
    hash would replay ruff's stale findings on every warm run."""
    import threading

    from backend_lint.engines import ruff

    make_tree(tmp_path)
    write(tmp_path, "app/http.py", "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n")
    cache = tmp_path / "cache"
    edited = threading.Event()
    real_ruff = ruff.run_ruff

    def ruff_then_edit(paths, *args, **kwargs):
        out = real_ruff(paths, *args, **kwargs)
        write(tmp_path, "app/http.py", "X = 1\n")  # the call ruff saw is gone
        edited.set()
        return out

    def analyse_after_the_edit(path, *args, **kwargs):
        edited.wait(60)
        return load_unit(path, *args, **kwargs)

    monkeypatch.setattr(ruff, "run_ruff", ruff_then_edit)
    monkeypatch.setattr(pool, "load_unit", analyse_after_the_edit)
    first = run(tmp_path, cache)[0]
    monkeypatch.undo()
    # what ruff saw is on lines of a version the native rules never read: left out, and said so
    assert [f.rule for f in first.findings if f.path == "app/http.py"] == []
    assert [(e.path, e.message.split(":")[0]) for e in first.errors if e.path == "app/http.py"] == [
        ("app/http.py", "changed while it was being analysed")
    ]
    warm, cold = run(tmp_path, cache)[0], run(tmp_path, tmp_path / "fresh")[0]
    assert not any(f.path == "app/http.py" for f in cold.findings)
    assert as_json(warm) == as_json(cold)


def test_a_file_edited_while_the_native_engine_analyses_it_is_not_cached(tmp_path, monkeypatch):
    make_tree(tmp_path)
    cache = tmp_path / "cache"

    def analyse_then_edit(path, *args, **kwargs):
        result = load_unit(path, *args, **kwargs)
        if path.endswith("mod1.py"):
            write(tmp_path, "app/mod1.py", "X = 1\n")
        return result

    monkeypatch.setattr(pool, "load_unit", analyse_then_edit)
    run(tmp_path, cache)
    monkeypatch.undo()
    assert "0:app/mod1.py" not in entries_of(cache) and "0:app/mod3.py" in entries_of(cache)
    assert as_json(run(tmp_path, cache)[0]) == as_json(run(tmp_path, tmp_path / "fresh")[0])


def test_permissions_decide_which_engines_see_a_file_and_so_what_is_cached(tmp_path):
    """A file without read permission is not given to ruff (the native engine may still read it,
    as root): its result lacks ruff's findings and must not be replayed once it is readable."""
    make_tree(tmp_path)
    cache = tmp_path / "cache"
    target = tmp_path / "app/mod1.py"
    for mode in (0o000, 0o644, 0o000, 0o644):
        target.chmod(mode)
        try:
            warm = run(tmp_path, cache)[0]
            cold = run(tmp_path, tmp_path / f"fresh-{mode}-{len(list(tmp_path.iterdir()))}")[0]
        finally:
            target.chmod(0o644)
        assert as_json(warm) == as_json(cold), oct(mode)


def test_wrongly_typed_or_absurd_packs_are_ignored(tmp_path):
    make_tree(tmp_path)
    cache = tmp_path / "cache"
    expected = as_json(run(tmp_path, cache)[0])
    damaged = 0
    for pack in packs_of(cache):
        data = json.loads(pack.read_text())
        for entry in data["entries"].values():
            found = entry["result"]["findings"]
            for finding in found:
                finding["line"] = str(finding["line"])
            damaged += bool(found)
        pack.write_text(json.dumps(data))
    report, stats = run(tmp_path, cache)
    assert damaged >= 5
    assert (as_json(report), stats.analysed) == (expected, damaged)
    for pack in packs_of(cache):
        pack.write_text("[" * 200_000)
    report, stats = run(tmp_path, cache)
    assert (as_json(report), stats.analysed, report.errors[0].message) == (expected, 7, expected[-1]["message"])


def test_data_files_and_old_format_entries(tmp_path):
    from backend_lint.run.cache import _package_stamp

    assert {"data/ruff_map.toml", "data/catalog.toml", "run/cache.py"} <= {name for name, *_ in _package_stamp()}
    make_tree(tmp_path)
    cache = tmp_path / "cache"
    # a cache an earlier backend-lint created (it marked it with this .gitignore), with an entry of
    # the one-file-per-source format
    write(cache, ".gitignore", "# created by backend-lint: the result cache, safe to delete\n*\n")
    write(cache, "0123456789abcdef0123456789abcdef.json", "{}")
    write(cache, "notes.json", "{}")  # not ours
    run(tmp_path, cache)
    assert sorted(p.name for p in cache.glob("*.json")) == ["notes.json"]


def test_a_file_under_several_names_gets_every_engines_findings_under_each(tmp_path):
    write(tmp_path, "app/net.py", "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n")
    (tmp_path / "app/a_link.py").symlink_to("net.py")
    (tmp_path / "app/z_link.py").symlink_to("net.py")
    cache = tmp_path / "cache"
    cold = run(tmp_path, tmp_path / "fresh")[0]
    assert [(f.path, f.rule) for f in cold.findings] == [
        ("app/a_link.py", "S113"), ("app/net.py", "S113"), ("app/z_link.py", "S113"),
    ]  # fmt: skip
    assert len({f.fingerprint for f in cold.findings}) == 3
    first, stats = run(tmp_path, cache)
    second, again = run(tmp_path, cache)
    assert as_json(first) == as_json(second) == as_json(cold)
    assert (stats.analysed, again.analysed) == (3, 0)  # every name cached at once


def test_a_file_name_that_is_not_utf8_is_left_to_the_native_rules_and_said_so(tmp_path, monkeypatch):
    from backend_lint.engines import ruff

    name = os.fsdecode(b"caf\xe9.py")
    (tmp_path / name).write_text("import requests\n\n\ndef f(url):\n    print(url)\n    return requests.get(url)\n")
    write(tmp_path, "ok.py", "X = 1\n")
    calls = counting_engine(monkeypatch, ruff, "run_ruff")
    cache = tmp_path / "cache"
    cold = run(tmp_path, tmp_path / "fresh")[0]
    assert [f.rule for f in cold.findings] == ["BL301"]
    assert any("not valid UTF-8" in n for n in cold.notices)
    assert calls == [["ok.py"]]  # ruff would print the name mangled and its findings be lost
    first, second = run(tmp_path, cache), run(tmp_path, cache)
    assert as_json(first[0]) == as_json(second[0]) == as_json(cold) and second[0].notices == cold.notices
    assert second[1].analysed == 0


def test_a_file_too_large_to_analyse_is_not_given_to_the_external_engines(tmp_path, monkeypatch):
    from backend_lint import source
    from backend_lint.engines import ruff
    from backend_lint.run import runner as runner_module

    monkeypatch.setattr(source, "MAX_BYTES", 200)
    monkeypatch.setattr(runner_module, "MAX_BYTES", 200)
    write(tmp_path, "big.py", "import requests\n" + "x = requests.get('u')\n" * 20)
    write(tmp_path, "small.py", "X = 1\n")
    calls = counting_engine(monkeypatch, ruff, "run_ruff")
    report = run(tmp_path, tmp_path / "cache")[0]
    assert [e.path for e in report.errors] == ["big.py"] and calls == [["small.py"]]
    run(tmp_path, tmp_path / "cache")
    assert calls == [["small.py"]]  # warm: the big file is an error again, and no ruff run for it


def test_a_hit_by_content_hash_records_the_new_stamp(tmp_path):
    import time

    from backend_lint.source import file_stamp

    source = tmp_path / "a.py"
    source.write_text("x = 1\n", encoding="utf-8")
    cache = ResultCache(tmp_path / "cache", "settings")
    assert cache.prepare()
    cache.store(str(source), "a.py", False, "hash", FileResult("a.py"), None)  # stored while racy
    cache.save()
    later = ResultCache(tmp_path / "cache", "settings")
    later.now = time.time() + 10  # the file's stamp is no longer too recent
    assert later.load(str(source), "a.py", False, lambda: "hash", file_stamp(str(source))) is not None
    later.save()
    assert entries_of(tmp_path / "cache")["0:a.py"]["stamp"] == file_stamp(str(source))


def test_an_unreadable_file_is_cached_when_only_the_native_engine_runs(tmp_path):
    make_tree(tmp_path)
    target = tmp_path / "app/mod1.py"
    target.chmod(0o000)
    try:
        cache = tmp_path / "cache"
        cold = run(tmp_path, tmp_path / "fresh", engines=("native",))[0]
        run(tmp_path, cache, engines=("native",))
        warm, stats = run(tmp_path, cache, engines=("native",))
    finally:
        target.chmod(0o644)
    assert as_json(warm) == as_json(cold)
    readable_anyway = os.geteuid() == 0  # root reads it: a result to cache; others get an error, never cached
    assert stats.analysed == (0 if readable_anyway else 1)


def test_no_file_is_read_twice_in_a_run(tmp_path, monkeypatch):
    """The cache lookup hashes a file whose stamp changed; when that misses, the workers analyse the
    content it read. External findings are fingerprinted and reports show code lines from that same
    read: nothing opens the file again."""
    import time
    import types

    from backend_lint import source
    from backend_lint.run import runner as runner_module

    make_tree(tmp_path)
    cache = tmp_path / "cache"
    later = types.SimpleNamespace(time=lambda: time.time() + 10)  # the files are no longer too recent to trust
    monkeypatch.setattr(runner_module, "time", later)
    opened = []
    real = source.read_with_stat
    monkeypatch.setattr(source, "read_with_stat", lambda path: opened.append(Path(path).name) or real(path))
    report = run(tmp_path, cache)[0]
    assert sorted(opened) == sorted(p.name for p in tmp_path.rglob("*.py")) and report.code
    opened.clear()
    write(tmp_path, "app/mod1.py", SILENT + "\nprint('changed')\n")  # a new stamp and a new content
    os.utime(tmp_path / "app/mod2.py", (1, 1))  # a new stamp, the same content
    monkeypatch.setattr(runner_module, "time", types.SimpleNamespace(time=lambda: time.time() + 20))
    report, stats = run(tmp_path, cache)
    assert sorted(opened) == ["mod1.py", "mod2.py"] and stats.analysed == 1
    assert report.code["app/mod1.py"][7] == "print('changed')"


# --- a cache that owns its directory ---


def snapshot(directory: Path, skip: Path | None = None) -> dict[str, bytes | None]:
    """Every file and directory under `directory` (outside `skip`), with the files' content."""
    return {
        str(p.relative_to(directory)): (p.read_bytes() if p.is_file() else None)
        for p in directory.rglob("*") if skip is None or (p != skip and skip not in p.parents)
    }  # fmt: skip


def test_a_directory_it_creates_is_marked_as_a_cache(tmp_path):
    make_tree(tmp_path)
    cache = tmp_path / "new" / "cache"
    run(tmp_path, cache)
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55\n")
    assert (cache / "backend-lint-cache.txt").is_file() and packs_of(cache)
    assert run(tmp_path, cache)[1].cached == 7  # a marked directory is used as it is


def test_a_directory_of_another_tool_loses_nothing(tmp_path):
    """`--cache-dir ~/.cache`: other tools' 32-hex directories and `<32 hex>.json` files, which
    look like our settings directories and old-format entries, survive any number of runs."""
    make_tree(tmp_path)
    user_cache = tmp_path / "home" / ".cache"
    for i in range(ResultCache.MAX_KEYS + 4):
        write(user_cache, f"{i:032x}/data.bin", f"another tool's {i}")
        write(user_cache, f"{i + 100:032x}.json", "{}")
        (user_cache / f"{i + 200:032x}").mkdir()
    write(user_cache, "ruff/keep", "theirs")
    before = snapshot(user_cache)
    for i in range(ResultCache.MAX_KEYS + 3):  # as many configurations: pruning runs in our directory
        run(tmp_path, user_cache, agents={"BL201": f"architecture/ddd{i}"} if i % 2 else {"BL301": f"x/y{i}"})
    ours = user_cache / "backend-lint"
    assert snapshot(user_cache, skip=ours) == before
    assert (ours / "CACHEDIR.TAG").is_file() and (ours / "backend-lint-cache.txt").is_file()
    assert (ours / "ruff").is_dir()  # ruff's cache goes into our directory too
    assert len([d for d in ours.iterdir() if d.is_dir() and d.name != "ruff"]) == ResultCache.MAX_KEYS + 1
    assert run(tmp_path, user_cache)[1].cached == 0  # the last configuration of the loop differed
    assert run(tmp_path, user_cache)[1].cached == 7


def test_pruning_deletes_only_what_it_wrote(tmp_path):
    make_tree(tmp_path)
    cache = tmp_path / "cache"
    run(tmp_path, cache)
    (settings,) = [d for d in cache.iterdir() if d.is_dir() and d.name != "ruff"]
    write(settings, "notes.txt", "someone put this here")
    for i in range(ResultCache.MAX_KEYS + 1):
        run(tmp_path, cache, agents={"BL301": f"x/y{i}"})
    assert sorted(p.name for p in settings.iterdir()) == ["notes.txt"]  # its packs gone, the rest kept


def test_a_foreign_sub_directory_named_like_ours_is_not_taken(tmp_path):
    make_tree(tmp_path)
    given = tmp_path / "given"
    write(given, "backend-lint/theirs.txt", "not a cache")
    before = snapshot(given)
    report, stats = run(tmp_path, given)
    assert stats.analysed == 7 and report.findings and snapshot(given) == before
    assert [n for n in report.notices if "cache" in n] == [
        f"result cache disabled: cannot write to {given}: exists and is not a backend-lint cache"
    ]


def test_a_cache_that_cannot_be_written_is_one_notice(tmp_path, monkeypatch):
    """Read-only (or full) from the start, full when the packs are written, removed during the
    run: the run is whole and says once that there was no cache."""
    import errno
    import shutil

    from backend_lint.run import cache as cache_module, runner as runner_module

    make_tree(tmp_path)
    expected = as_json(run(tmp_path, tmp_path / "reference")[0])
    real_write = cache_module.write_atomic

    def failing(code: int, packs_only: bool):
        def write_atomic(target, data, **options):
            if packs_only and Path(target).name in (".gitignore", "CACHEDIR.TAG", "backend-lint-cache.txt"):
                return real_write(target, data, **options)
            raise OSError(code, os.strerror(code))

        return write_atomic

    for case, code, packs_only in (("read-only", errno.EROFS, False), ("full", errno.ENOSPC, True)):
        monkeypatch.setattr(cache_module, "write_atomic", failing(code, packs_only))
        report, stats = run(tmp_path, tmp_path / case)
        notices = [n for n in report.notices if "cache" in n]
        assert (as_json(report), stats.analysed) == (expected, 7)
        assert notices == [f"result cache disabled: cannot write to {tmp_path / case}: {os.strerror(code)}"], case
    monkeypatch.setattr(cache_module, "write_atomic", real_write)
    real_analyse = runner_module.analyse_all

    def vanishing(*args, **kwargs):
        shutil.rmtree(tmp_path / "vanished")
        return real_analyse(*args, **kwargs)

    monkeypatch.setattr(runner_module, "analyse_all", vanishing)
    report, stats = run(tmp_path, tmp_path / "vanished")
    assert as_json(report) == expected
    assert [n for n in report.notices if "cache" in n] == [
        f"result cache disabled: cannot write to {tmp_path / 'vanished'}: No such file or directory"
    ]


def test_a_fifo_or_dev_zero_in_place_of_a_pack_neither_hangs_nor_fills_memory(tmp_path):
    make_tree(tmp_path)
    cache = tmp_path / "cache"
    args = ("--format", "json", "--cache-dir", str(cache), ".")
    first = run_cli(*args, cwd=tmp_path)
    packs = packs_of(cache)
    for i, pack in enumerate(packs):
        pack.unlink()
        if i % 2:
            os.mkfifo(pack)
        else:
            pack.symlink_to("/dev/zero")
    again = run_cli(*args, cwd=tmp_path, timeout=60)  # a blocking read would never return
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)
    assert all(p.is_file() and not p.is_symlink() for p in packs_of(cache))  # rewritten as packs


def test_a_pack_larger_than_the_cap_is_not_read(tmp_path, monkeypatch):
    from backend_lint.run import cache as cache_module

    make_tree(tmp_path)
    cache = tmp_path / "cache"
    run(tmp_path, cache)
    monkeypatch.setattr(cache_module, "MAX_PACK_BYTES", 10)
    assert run(tmp_path, cache)[1].analysed == 7
