"""The semgrep engine: backend-lint's own rule pack (`rules/`), run by one `semgrep scan` subprocess.

The pack ships inside the package as `backend_lint/semgrep_rules` (a wheel) and is read from
`rules/` at the top of a source checkout. Every rule's `metadata` carries its backend-lint code,
so results are mapped back by `metadata.code`, never by semgrep's path-prefixed `check_id`.

`parse_output` is pure (JSON in, findings and errors out) and tested against recorded output;
`run_semgrep` only builds the command, runs it and hands the JSON over. Nothing is ever dropped
silently: a crash, a timeout or an error semgrep reports becomes an `Error(engine="semgrep")`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from ..catalog import RuleInfo
from ..model import Error, Finding
from . import Engine, EngineOutput, ExternalJob
from .external import (
    Subprocesses, Timeout, ToolFailure, executable_stamp, expect, output_tail, run_batched, unexpected,
)  # fmt: skip

INSTALL_HINT = "pip install 'backend-lint[semgrep]'"
TIMEOUT = Timeout(base=60, per_file=0.1, per_mib=20)  # one semgrep subprocess; 1,600 small files: about 4 min
# semgrep-core holds about 100 MiB per MiB of source (2.2 GB for a 20 MB file): larger files are not
# given to it, and are a "limit" error of the semgrep engine (the other engines still check them)
MAX_TARGET_BYTES = 4 * 1024 * 1024
SEVERITY_TO_SEMGREP = {"critical": "ERROR", "high": "ERROR", "medium": "WARNING", "low": "INFO", "info": "INFO"}


def pack_dir() -> Path:
    """The rule pack: inside the installed package, else `rules/` of the source checkout."""
    package = Path(__file__).resolve().parent.parent  # a plain path: importlib.resources costs start-up
    shipped = package / "semgrep_rules"
    if shipped.is_dir():
        return shipped
    checkout = package.parents[1] / "rules"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("the semgrep rule pack is missing from this installation of backend-lint")


def rule_files(pack: Path) -> list[Path]:
    return sorted(p for p in pack.rglob("*.yaml") if p.is_file())


@lru_cache(maxsize=4)
def load_rule_infos(pack: Path | None = None) -> dict[str, RuleInfo]:
    """Every semgrep rule of the pack as a RuleInfo, by backend-lint code. Raises on a bad file."""
    infos: dict[str, RuleInfo] = {}
    for path in rule_files(pack or pack_dir()):
        for rule in _load_yaml(path)["rules"]:
            info = rule_info(rule, path)
            if info.code in infos:
                raise ValueError(f"{path}: code {info.code} is also used by {infos[info.code].name}")
            infos[info.code] = info
    return infos


def _load_yaml(path: Path) -> dict:
    """pyyaml's C loader when it is built (10x faster), imported only when rules are read."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text("utf-8"), Loader=loader)  # noqa: S506 - a safe loader, chosen above


def rule_info(rule: dict, path: Path) -> RuleInfo:
    meta = rule.get("metadata") or {}
    missing = [k for k in ("code", "name", "category", "severity", "confidence", "agent", "checklist", "cwe",
                           "references", "why") if k not in meta]  # fmt: skip
    if missing:
        raise ValueError(f"{path}: rule {rule.get('id')!r} lacks metadata {', '.join(missing)}")
    return RuleInfo(
        code=meta["code"],
        name=meta["name"],
        category=meta["category"],
        severity=meta["severity"],
        confidence=meta["confidence"],
        agent=meta["agent"],
        checklist=tuple(meta["checklist"]),
        cwe=tuple(int(c) for c in meta["cwe"]),
        engine="semgrep",
        summary=meta["why"],
        doc=f"## What it does\n{' '.join(rule['message'].split())}\n\n## Why is this bad?\n{meta['why']}",
        references=tuple(meta["references"]),
        example=_annotated_line(path, "ruleid", rule["id"]),
        use_instead=_annotated_line(path, "ok", rule["id"]),
        extra={"id": rule["id"], "file": path.name},
    )


def _annotated_line(rule_path: Path, mark: str, rule_id: str) -> str:
    """The first code line marked `# ruleid: <id>` (or `# ok: <id>`) in the rule's test file beside
    it: the tested example `backend-lint explain` shows, as for native rules."""
    test_file = rule_path.with_suffix(".py")
    try:
        lines = test_file.read_text("utf-8").splitlines()
    except OSError:
        return ""
    wanted = f"# {mark}: {rule_id}"
    for i, line in enumerate(lines[:-1]):
        if line.strip() == wanted:
            return lines[i + 1].strip()
    return ""


def find_semgrep() -> str | None:
    """The semgrep executable: on PATH, or beside the running interpreter (an unactivated venv)."""
    found = shutil.which("semgrep")
    if found:
        return found
    names = ("semgrep.exe", "semgrep") if os.name == "nt" else ("semgrep",)
    for directory in (Path(sys.executable).parent, Path(sys.prefix) / ("Scripts" if os.name == "nt" else "bin")):
        for name in names:
            candidate = directory / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def build_command(executable: str, pack: Path, paths: list[str]) -> list[str]:
    return [
        executable, "scan", "--json", "--quiet", "--metrics=off", "--disable-version-check",
        "--no-git-ignore", "--max-target-bytes=0", "--timeout=30", "--config", str(pack), "--", *paths,
    ]  # fmt: skip


def parse_output(data: dict, infos: dict[str, RuleInfo], display: dict[str, str]) -> EngineOutput:
    """semgrep's JSON -> findings keyed by display path, plus errors. Pure.

    `display` maps the paths semgrep was given to the paths shown in reports. JSON of another
    shape (`{}`, a field of the wrong type) raises KeyError, TypeError or AttributeError: it is no
    answer, never an empty one.
    """
    findings: dict[str, list[Finding]] = {}
    errors: list[Error] = []
    expect(data, dict)
    for result in expect(data["results"], list):
        meta = result.get("extra", {}).get("metadata", {})
        info = infos.get(meta.get("code", ""))
        shown = display.get(expect(result["path"], str), result["path"])
        if info is None:
            errors.append(Error("engine", f"semgrep rule {result['check_id']} has no known backend-lint code", shown, "semgrep"))
            continue
        findings.setdefault(shown, []).append(
            Finding(
                rule=info.code, name=info.name, category=info.category, severity=info.severity,
                confidence=info.confidence, message=" ".join(expect(result["extra"]["message"], str).split()),
                path=shown, line=expect(result["start"]["line"], int), column=expect(result["start"]["col"], int),
                end_line=expect(result["end"]["line"], int), end_column=expect(result["end"]["col"], int), agent=info.agent,
                checklist=info.checklist, cwe=info.cwe, engine="semgrep",
            )
        )  # fmt: skip
    for error in expect(data.get("errors", []), list):
        path = error.get("path")
        path = expect(path, str) if path is not None else None
        shown = display.get(path, path) if path else None
        kind = error.get("type", "error")
        kind = kind[0] if isinstance(kind, list) else kind
        message = " ".join(str(error.get("message", "")).split())[:300]
        errors.append(Error("engine", f"semgrep {error.get('level', 'error')}: {kind}: {message}", shown, "semgrep"))
    return EngineOutput(findings, tuple(errors))


def run_semgrep(
    paths: list[str],
    display: dict[str, str],
    executable: str,
    timeout: float | Timeout | None = None,
    pack: Path | None = None,
    cwd: Path | None = None,
    processes: Subprocesses | None = None,
) -> EngineOutput:
    """Run the pack over exactly these files (one subprocess per batch) and parse the result.

    `cwd` is the project root: semgrep matches the rules' `paths.exclude` (tests/, local.py, ...)
    against each file's path relative to its working directory, so run anywhere else a project
    that happens to sit under a `tests/` folder would lose those rules entirely.
    """
    pack = pack or pack_dir()
    infos = load_rule_infos(pack)
    env = {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
    paths, too_large = _within_limit(paths, display)

    def parse(proc: subprocess.CompletedProcess) -> EngineOutput:
        try:
            data = json.loads(proc.stdout)
        except ValueError:
            raise ToolFailure(f"semgrep failed (exit {proc.returncode}): {output_tail(proc)}") from None
        try:
            out = parse_output(data, infos, display)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise unexpected("semgrep", proc, exc) from None
        refused = [e.message for e in out.errors if e.path is None]
        if proc.returncode not in (0, 1) and refused and not out.findings:  # the batch as a whole: no answer
            raise ToolFailure(refused[0])
        if proc.returncode not in (0, 1) and not out.errors:
            failure = Error("engine", f"semgrep exited with status {proc.returncode}", None, "semgrep")
            return EngineOutput(out.findings, (failure,))
        return out

    out = run_batched(
        "semgrep", paths, lambda batch: build_command(executable, pack, batch), parse, timeout or TIMEOUT,
        processes, display, env=env, cwd=cwd,
    )  # fmt: skip
    return EngineOutput(out.findings, (*out.errors, *too_large), out.notices) if too_large else out


def _within_limit(paths: list[str], display: dict[str, str]) -> tuple[list[str], list[Error]]:
    """The files semgrep is given, and a limit error for each one too large for it."""
    kept, errors = [], []
    for path in paths:
        try:
            size = os.stat(path).st_size
        except OSError:
            size = 0
        if size > MAX_TARGET_BYTES:
            message = (f"too large for semgrep: {size / (1024 * 1024):.1f} MiB (its limit: "
                       f"{MAX_TARGET_BYTES // (1024 * 1024)} MiB, which keeps its memory bounded)")  # fmt: skip
            errors.append(Error("limit", message, display.get(path, path), "semgrep"))
        else:
            kept.append(path)
    return kept, errors


class SemgrepEngine(Engine):
    name: ClassVar[str] = "semgrep"
    rank: ClassVar[int] = 2
    install_hint: ClassVar[str] = INSTALL_HINT

    def find(self) -> str | None:
        return find_semgrep()

    def rules(self) -> dict[str, RuleInfo]:
        return load_rule_infos()

    def cache_inputs(self, codes: tuple[str, ...], executable: str, root: Path) -> dict:
        """Its executable, its rule files, and the root it runs from (rules exclude paths)."""
        pack = pack_dir()
        files = [[str(p.relative_to(pack)), *executable_stamp(str(p))[1:]] for p in rule_files(pack)]
        return {"executable": executable_stamp(executable), "pack": files, "root": str(root)}

    def run(self, job: ExternalJob) -> EngineOutput:
        cwd = working_directory(job.paths, job.root)
        return run_semgrep(job.paths, job.display, job.executable, cwd=cwd, processes=job.processes)


def working_directory(paths: list[str], root: Path | None) -> Path | None:
    """Where semgrep runs: the project root when it holds every file, else the folder that does.
    A root outside the files (no config found, so the current directory) would be slow as well as
    meaningless: semgrep run from inside a git repository on files outside it took 42 s instead of
    13 s on 258 files (semgrep 1.185), and the rules' `paths.exclude` match paths relative to it."""
    if root is None or not paths:
        return root
    absolute = [os.path.abspath(p) for p in paths]
    base = os.path.abspath(root)
    if all(os.path.commonpath([base, p]) == base for p in absolute):
        return root
    common = os.path.commonpath(absolute)
    return Path(common if os.path.isdir(common) else os.path.dirname(common))
