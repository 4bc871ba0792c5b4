"""Engines as peers: each one takes files and returns findings and errors through one interface,
and is registered by putting its module in this package.

Two kinds share the interface. An *in-process* engine (native, taint) analyses source units inside the
worker processes: `analyser(...)` builds, once per worker, an object whose `analyse(unit)` returns
that file's findings, errors and, for an engine that *links* (taint), the facts its project-wide
phase (`link`, in the main process) needs of the file. An *external* engine (ruff, semgrep) runs a program on the files:
`run(job)` returns an `EngineOutput`. Every engine says whether it is available (`find`), which
rules it has (`rules`) and what its results depend on besides the files (`cache_inputs`). Which
engines exist, in which order (`rank`: report order, and which engine's finding is kept when two
report one problem), is answered by `registry()` alone.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, NamedTuple, Protocol

from ..catalog import RuleInfo
from ..model import Error, Finding

if TYPE_CHECKING:
    from ..source import SourceUnit
    from .external import Subprocesses


@dataclass(frozen=True)
class EngineOutput:
    """What one external engine produced: findings by display path, errors, one-line notices."""

    findings: dict[str, list[Finding]] = field(default_factory=dict)
    errors: tuple[Error, ...] = ()
    notices: tuple[str, ...] = ()
    code: dict[str, dict[int, str]] = field(default_factory=dict)  # a linking engine's: path -> line -> source
    relinked: int | None = None  # a linking engine's: files whose links it worked out in this run, not kept from the last


@dataclass(frozen=True)
class ExternalJob:
    """What an external engine is given: the files (absolute paths), how each is shown, the rules to
    run, its executable, the project root, backend-lint's cache directory (None: no cache) and the
    run's subprocesses (an interrupted run ends them; None: the engine keeps its own)."""

    paths: list[str]
    display: dict[str, str]
    codes: tuple[str, ...]
    executable: str
    root: Path | None = None
    cache_dir: str | None = None
    processes: Subprocesses | None = None


class UnitOutput(NamedTuple):
    """What an in-process engine made of one file: findings, errors, and (a linking engine) the
    plain-data facts its project-wide phase needs of the file, cached with the file's results."""

    findings: list[Finding]
    errors: list[Error]
    facts: object = None


class UnitAnalyser(Protocol):
    def analyse(self, unit: SourceUnit) -> UnitOutput: ...


class ExtendingAnalyser(UnitAnalyser, Protocol):
    """A linking engine's analyser, which can also complete a file's facts (see `Engine.wanted`)."""

    def extend(self, unit: SourceUnit, facts: object, request: object) -> object | None:
        """The file's `facts` with what `request` asks added, or None when the file is no longer
        the one they describe (changed since)."""
        ...


class LinkMemory:
    """What a linking engine keeps from one run to the next, beside the result cache (plain data
    written as JSON): `previous`, what it kept last time (None: nothing, or no cache), and
    `current`, what it fills in during this run's `wanted` and `link` to be kept; `scratch`, what
    those two phases of one run share and is not kept."""

    def __init__(self, previous: object = None) -> None:
        self.previous = previous
        self.current: dict = {}
        self.scratch: dict = {}


class Engine:
    name: ClassVar[str]
    rank: ClassVar[int]
    in_process: ClassVar[bool] = False
    links: ClassVar[bool] = False  # has a project-wide phase over every file's facts (`link`)
    default: ClassVar[bool] = True  # runs when the config names no engines (a preview engine: only when asked)
    install_hint: ClassVar[str] = ""

    def find(self) -> str | None:
        """The engine's executable, or None when it is not installed ("" for an in-process engine)."""
        return ""

    def rules(self) -> dict[str, RuleInfo]:
        raise NotImplementedError

    def cache_inputs(self, codes: tuple[str, ...], executable: str, root: Path) -> dict:
        """What the engine's findings in a file depend on besides the file, backend-lint's own code
        and the selected codes (for the result cache's key)."""
        return {}

    def analyser(self, codes: tuple[str, ...], options: dict, agents: dict, root: str) -> UnitAnalyser:
        """Built once per worker: the selected codes, rule options and agent overrides by code, the
        project's root directory."""
        raise NotImplementedError(f"{self.name} is not an in-process engine")

    def run(self, job: ExternalJob) -> EngineOutput:
        raise NotImplementedError(f"{self.name} is an in-process engine")

    def wanted(self, facts: dict[str, object], memory: LinkMemory | None = None) -> dict[str, object]:
        """A linking engine's second look at some files, asked once every file's facts are known:
        display path -> what its analyser's `extend` should add to that file's facts. The workers
        do it, and the completed facts are cached with the file's results. {}: the facts suffice.
        `memory`: what the engine kept of the last run, shared with this run's `link`."""
        return {}

    def link(self, facts: dict[str, object], codes: tuple[str, ...], agents: dict[str, str],
             memory: LinkMemory | None = None) -> EngineOutput:  # fmt: skip
        """A linking engine's project-wide phase, in the main process: findings by display path
        from every file's facts (display path -> what `analyse` returned as facts). Its findings
        must be those a run without `memory` gives: the memory only spares work."""
        raise NotImplementedError(f"{self.name} does not link")


class RegistryError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def registry() -> dict[str, Engine]:
    """Every engine, by name, in rank order. A module that fails to import, or two engines sharing a
    name or a rank, raise: an engine never silently goes missing."""
    found: dict[str, Engine] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Engine) and obj.__module__ == module.__name__ and "name" in vars(obj):
                if obj.name in found:
                    raise RegistryError(f"engine name {obj.name} defined twice")
                found[obj.name] = obj()
    ranks = [engine.rank for engine in found.values()]
    if len(set(ranks)) != len(ranks):
        raise RegistryError("two engines share a rank")
    return dict(sorted(found.items(), key=lambda item: item[1].rank))


def engine_names() -> tuple[str, ...]:
    return tuple(registry())


def in_process(name: str) -> bool:
    engine = registry().get(name)
    return engine is not None and engine.in_process


def rank_of(name: str) -> int:
    engine = registry().get(name)
    return engine.rank if engine else len(registry())
