"""The ruff engine: a curated set of ruff codes, run on backend-lint's file list, mapped onto the catalog.

The table `data/ruff_map.toml` says, code by code, which category, severity, agent, checklist
items and CWE a ruff finding gets; only its codes are ever selected. ruff runs `--isolated`
(the user's own ruff config cannot change our findings) and `--ignore-noqa` (suppression is
applied once, by backend-lint, for every engine). `parse_output` is pure and tested on recorded
output; failures become `Error(kind="engine", engine="ruff")`.
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

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TIMEOUT = Timeout(base=30, per_file=0.02, per_mib=5)  # a batch of 1,600 files: about 65 s
SYNTAX_ERROR = "invalid-syntax"  # ruff's own parse failure; the native engine reports those files


@lru_cache(maxsize=1)
def load_ruff_map() -> dict[str, dict]:
    return tomllib.loads((Path(__file__).resolve().parent.parent / "data" / "ruff_map.toml").read_text("utf-8"))


def load_rule_infos() -> dict[str, RuleInfo]:
    """Every selected ruff code as a RuleInfo (engine "ruff"), keeping ruff's code and name."""
    infos = {}
    for code, row in load_ruff_map().items():
        infos[code] = RuleInfo(
            code=code,
            name=row["name"],
            category=row["category"],
            severity=row["severity"],
            confidence=row.get("confidence", "high"),
            agent=row["agent"],
            checklist=tuple(row["checklist"]),
            cwe=tuple(row["cwe"]),
            engine="ruff",
            summary=f"ruff {code} ({row['name']}); see `ruff rule {code}`",
            references=(f"https://docs.astral.sh/ruff/rules/{row['name']}/",),
            extra={"defer_to": row.get("defer_to", "")},
        )
    return infos


def find_ruff() -> str | None:
    """ruff's binary: the one the `ruff` package installed beside us, else PATH."""
    try:
        from ruff.__main__ import find_ruff_bin

        return os.fsdecode(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("ruff")


def build_command(executable: str, codes: list[str], paths: list[str], cache_dir: str | None = None) -> list[str]:
    """`--isolated`: the project's own ruff config never changes our findings. With backend-lint's
    cache directory, ruff keeps its own cache inside it (a warm run re-checks only changed files)."""
    cache = ["--cache-dir", os.path.join(cache_dir, "ruff")] if cache_dir else ["--no-cache"]
    return [
        executable, "check", "--output-format", "json", "--isolated", *cache, "--ignore-noqa",
        "--exit-zero", "--no-fix", "--select", ",".join(sorted(codes)), "--", *paths,
    ]  # fmt: skip


def parse_output(data: list, infos: dict[str, RuleInfo], display: dict[str, str]) -> EngineOutput:
    """ruff's JSON diagnostics -> findings keyed by display path, plus errors. Pure."""
    findings: dict[str, list[Finding]] = {}
    errors: list[Error] = []
    for item in data:
        shown = display.get(expect(item["filename"], str), item["filename"])
        code = item.get("code") or SYNTAX_ERROR
        if code == SYNTAX_ERROR:
            continue
        info = infos.get(code)
        if info is None:
            errors.append(Error("engine", f"ruff reported unmapped code {code}: {item.get('message', '')}", shown, "ruff"))
            continue
        start, end = item["location"], item.get("end_location") or item["location"]
        findings.setdefault(shown, []).append(
            Finding(
                rule=info.code, name=info.name, category=info.category, severity=info.severity,
                confidence=info.confidence, message=expect(item["message"], str), path=shown, line=expect(start["row"], int),
                column=expect(start["column"], int), end_line=expect(end["row"], int), end_column=expect(end["column"], int),
                agent=info.agent,
                checklist=info.checklist, cwe=info.cwe, engine="ruff",
            )
        )  # fmt: skip
    return EngineOutput(findings, tuple(errors))


def run_ruff(
    paths: list[str], display: dict[str, str], executable: str, codes: list[str], timeout: float | Timeout | None = None,
    cache_dir: str | None = None, processes: Subprocesses | None = None,
) -> EngineOutput:
    infos = load_rule_infos()
    if not codes or not paths:
        return EngineOutput()

    def parse(proc: subprocess.CompletedProcess) -> EngineOutput:
        try:
            data = json.loads(proc.stdout or "[]")
        except ValueError:
            data = None
        if proc.returncode != 0 or not isinstance(data, list):
            raise ToolFailure(f"ruff failed (exit {proc.returncode}): {output_tail(proc)}")
        try:
            return parse_output(data, infos, display)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise unexpected("ruff", proc, exc) from None

    return run_batched(
        "ruff", paths, lambda batch: build_command(executable, codes, batch, cache_dir), parse, timeout or TIMEOUT,
        processes, display,
    )  # fmt: skip


class RuffEngine(Engine):
    name: ClassVar[str] = "ruff"
    rank: ClassVar[int] = 3
    install_hint: ClassVar[str] = "pip install ruff"

    def find(self) -> str | None:
        return find_ruff()

    def rules(self) -> dict[str, RuleInfo]:
        return load_rule_infos()

    def cache_inputs(self, codes: tuple[str, ...], executable: str, root: Path) -> dict:
        return {"executable": executable_stamp(executable)}

    def run(self, job: ExternalJob) -> EngineOutput:
        return run_ruff(job.paths, job.display, job.executable, list(job.codes), cache_dir=job.cache_dir,
                        processes=job.processes)  # fmt: skip
