"""The taint engine: request data followed across the whole project, from where it enters (a
request attribute, a handler parameter, a resolver argument) to where it must not arrive
unchecked (a query's text, a shell, `eval`, a file path, a redirect, …), through assignments,
containers, calls and modules.

In the workers, each file gets the project index's facts and a flow summary per function
(`taint.analyse`), cached with the file's results; in the main process the summaries are linked
(`taint.link`) and every flow that nothing neutralised becomes a finding at its sink, with its
path. The models of sources, sinks and sanitizers are the TOML files of `taint/models/`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from functools import cached_property
from typing import ClassVar

from ..catalog import RuleInfo
from ..model import Finding
from ..project import ModuleHead, ProjectIndex, module_name
from ..project.index import dependents
from ..semantic import model_of
from ..source import SourceUnit
from ..taint.analyse import analyse_module, summarise_only
from ..taint.link import Flow, Linker, combine
from ..taint.routes import Route, django_routes, view_params
from ..project.facts import _Namer
from ..taint.rules import RULES
from ..taint.spec import CWES
from ..taint.summary import Summary
from . import Engine, EngineOutput, LinkMemory, UnitOutput


STATE_LAYOUT = 1  # of the link state an engine keeps between runs (`memory`)
_BROKEN_STATE = (TypeError, KeyError, IndexError, ValueError, AttributeError)  # what a state of the wrong shape raises


class TaintEngine(Engine):
    name: ClassVar[str] = "taint"
    rank: ClassVar[int] = 1
    in_process: ClassVar[bool] = True
    links: ClassVar[bool] = True
    default: ClassVar[bool] = True

    def rules(self) -> dict[str, RuleInfo]:
        return {rule.code: rule.info() for rule in RULES}

    def analyser(self, codes: tuple[str, ...], options: dict, agents: dict, root: str = ".") -> TaintAnalyser:
        return TaintAnalyser(root)

    def wanted(self, facts: dict[str, object], memory: LinkMemory | None = None) -> dict[str, object]:
        try:
            return self._wanted(facts, memory, _previous(memory))
        except _BROKEN_STATE:  # a link state this code did not write (edited, another version): from nothing
            if memory is None or not _previous(memory):
                raise
            memory.previous, memory.current = None, {}
            return self._wanted(facts, memory, {})

    def _wanted(self, facts: dict[str, object], memory: LinkMemory | None, previous: dict) -> dict[str, object]:
        """The functions request data may reach that no worker summarised yet, by file: the workers
        summarise the functions that read request data (every flow starts in one); the others
        matter only on a path of calls from one, which only the project's call graph tells.
        The graph's edges are those of the last run (`memory`) where no module they resolve
        through changed."""
        project = _Project(facts)  # type: ignore[arg-type]
        if previous and not project.changed(previous, 2):
            # every file's facts are those the last run linked, after its second look: the call
            # graph and the functions it reaches are the same, and were all summarised then
            if memory is not None:
                memory.current["edges"] = previous["edges"]
            return {}
        edges = project.call_edges(previous)
        if memory is not None:
            memory.current["edges"] = edges
            memory.scratch["index"] = project.index
        callees = {function: targets for per_file in edges.values() for function, targets in per_file.items()}
        index = project.index
        done = {name for record in project.records.values() for name in record["summarised"]}
        reads = {name for record in project.records.values() for name in record["reads"]}
        routed = set(view_params(_urlconfs(facts), index))
        out: dict[str, object] = {}
        # from the functions that read request data only: the others summarised already are on a
        # path from one, and their callers need nothing unless they are too
        for name in sorted(reached(callees, (reads | routed) & index.functions) - done):
            owner = index.owner.get(name)
            if owner is not None:
                out.setdefault(index.modules[owner].path, []).append(name)  # type: ignore[union-attr]
        return out

    def link(self, facts: dict[str, object], codes: tuple[str, ...], agents: dict[str, str],
             memory: LinkMemory | None = None) -> EngineOutput:  # fmt: skip
        """Every flow of the project that nothing neutralised, as findings at their sinks. The
        flows of a file's functions are those of the last run (`memory`) where neither it nor
        any module it imports (directly or not) changed, nor its URL parameters."""
        try:
            return self._link(facts, codes, agents, memory, _previous(memory))
        except _BROKEN_STATE:
            if memory is None or not _previous(memory):
                raise
            memory.previous, memory.current = None, {}
            return self._link(facts, codes, agents, memory, {})

    def _link(self, facts: dict[str, object], codes: tuple[str, ...], agents: dict[str, str],
              memory: LinkMemory | None, previous: dict) -> EngineOutput:  # fmt: skip
        project = _Project(facts, memory.scratch.get("index") if memory is not None else None)  # type: ignore[arg-type]
        if previous and not project.changed(previous, 2):  # as the last run linked it: its flows
            groups = {path: [Flow.from_record(f) for f in previous["flows"].get(path, ())] for path in facts}
            if memory is not None:
                memory.current = previous  # nothing to write
            return self._findings(groups, project, codes, agents, 0)
        found = view_params(_urlconfs(facts), project.index)
        params = _params_records(found)
        groups = project.flow_groups(previous, found, params)
        if memory is not None:
            memory.current.update({
                "layout": STATE_LAYOUT, "files": project.keys(), "graph": project.graph(previous),
                "edges": memory.current.get("edges") or project.call_edges(previous),
                "flows": {path: [f.to_record() for f in flows] for path, flows in groups.items() if flows},
                "params": params,
            })  # fmt: skip
        return self._findings(groups, project, codes, agents, project.relinked)

    def _findings(self, groups: dict[str, list[Flow]], project: _Project, codes: tuple[str, ...],
                  agents: dict[str, str], relinked: int) -> EngineOutput:  # fmt: skip
        rules = {(rule.cwe, framework): rule for rule in RULES if rule.code in codes for framework in rule.frameworks or ("",)}
        found: dict[str, list[Finding]] = {}
        code: dict[str, dict[int, str]] = {}
        counts: dict[tuple, int] = {}
        for flow, others in _one_per_sink(combine(groups[path] for path in sorted(groups))):
            rule = rules.get((flow.cwe, flow.framework)) or rules.get((flow.cwe, ""))
            if rule is None:  # a weakness no selected rule reports for this framework
                continue
            finding = _finding(flow, rule, agents.get(rule.code, rule.agent), others)
            key = (finding.rule, finding.path, flow.sink.snippet)
            counts[key] = counts.get(key, 0) + 1
            raw = f"{finding.rule}\0{finding.path}\0{flow.sink.snippet}\0{flow.source.text}\0{counts[key]}"
            finding = _with_fingerprint(finding, hashlib.sha256(raw.encode()).hexdigest()[:20])
            found.setdefault(flow.sink_path, []).append(finding)
            code.setdefault(flow.sink_path, {})[flow.sink.line] = flow.sink.code
        return EngineOutput(found, code=code, relinked=relinked)


class _Project:
    """Every file's facts, decoded only as far as a run needs them: the heads of all modules (to
    resolve names), the calls and summaries of the files whose results cannot be those of the
    last run (they are kept as JSON text in the records, so a warm run does not build them)."""

    def __init__(self, facts: dict[str, dict], index: ProjectIndex | None = None) -> None:
        """`index`: this run's, if an earlier phase built it (the heads are the same)."""
        self.records = facts
        if index is not None:
            self.index = index
        self._decoded_calls: dict[str, dict[str, list]] = {}
        self._decoded_summaries: dict[str, dict[str, Summary]] = {}
        self._graph: dict[str, list[str]] | None = None
        self._keys: dict[str, list] | None = None
        self.relinked = 0  # files whose flows `flow_groups` worked out (not taken from the last run)

    @cached_property
    def index(self) -> ProjectIndex:
        return ProjectIndex([ModuleHead.from_record(r["module"]) for r in self.records.values()], calls=self._calls)

    # -- decoded on demand ------------------------------------------------------------------------
    def _path_of(self, qualname: str) -> str | None:
        owner = self.index.owner.get(qualname)
        return self.index.modules[owner].path if owner is not None else None

    def _calls(self, function: str) -> list:
        path = self._path_of(function)
        if path is None:
            return []
        if path not in self._decoded_calls:
            self._decoded_calls[path] = dict(json.loads(self.records[path]["calls"]))
        return self._decoded_calls[path].get(function, [])

    def summaries(self, path: str) -> dict[str, Summary]:
        if path not in self._decoded_summaries:
            made = [Summary.from_record(s) for s in json.loads(self.records[path]["summaries"])]
            self._decoded_summaries[path] = {s.function: s for s in made}
        return self._decoded_summaries[path]

    # -- what changed since the last run ------------------------------------------------------------
    def keys(self) -> dict[str, list]:
        """Per file: its module and the keys of what was derived from it: its content's digest,
        its facts (the content and which functions were summarised: summaries are made of those
        two) and its head (the names it gives the index)."""
        if self._keys is not None:
            return self._keys
        out = self._keys = {}
        for path, record in self.records.items():
            summarised = "\0".join(sorted(record["summarised"]))
            key = hashlib.sha256(f"{record['digest']}\0{summarised}".encode()).hexdigest()[:24]
            out[path] = [record["module"]["module"], record["digest"], key, record["head"]]
        return out

    def changed(self, previous: dict, field: int) -> set[str]:
        """The modules of the files added, removed, or whose key `field` (see `keys`) changed."""
        old, new = previous.get("files", {}), self.keys()
        out: set[str] = set()
        for path in old.keys() | new.keys():
            before, now = old.get(path), new.get(path)
            if before is None or now is None or before[field] != now[field]:
                out.update(entry[0] for entry in (before, now) if entry is not None)
        return out

    def renamed(self, previous: dict) -> set[str]:
        """The modules whose names as the index resolves them may have changed, and every module
        importing one (they resolve names through it): those whose head changed, their packages
        too (a name resolved through a package can reach a new module of it)."""
        changed = self.changed(previous, 3)
        for module in list(changed):
            parts = module.split(".")
            changed.update(".".join(parts[:cut]) for cut in range(1, len(parts)))
        return self.importers(previous, changed)

    def importers(self, previous: dict, modules: set[str]) -> set[str]:
        """`modules` and every module importing one of them, in the last run's import graph or
        this one's (a module removed is in the first only)."""
        if not modules:
            return set()
        return dependents(previous.get("graph", {}), modules) | dependents(self.graph(previous), modules)

    def graph(self, previous: dict) -> dict[str, list[str]]:
        """The import graph: a module's row is the last run's if its file did not change and the
        project has the same modules (a row names the longest module prefix of each import)."""
        if self._graph is None:
            old_files, old_graph = previous.get("files", {}), previous.get("graph", {})
            same = {e[0] for e in old_files.values()} == set(self.index.modules)
            self._graph = {}
            for module, head in self.index.modules.items():
                before = old_files.get(head.path)
                if same and before is not None and before[1] == self.records[head.path]["digest"] and module in old_graph:
                    self._graph[module] = old_graph[module]
                else:
                    self._graph[module] = sorted(self.index.imports_of(module))
        return self._graph

    # -- derived data -------------------------------------------------------------------------------
    def call_edges(self, previous: dict) -> dict[str, dict[str, list[str]]]:
        """Per file: each function -> the project's functions it calls (those with any)."""
        old = previous.get("edges", {})
        # a function's edges are its calls (its file's content) resolved by the index (the heads)
        affected = self.changed(previous, 1) | self.renamed(previous) if old else None
        out = {}
        for module, head in self.index.modules.items():
            if affected is not None and module not in affected and head.path in old:
                out[head.path] = old[head.path]
                continue
            edges = {}
            for function in head.functions:
                targets = sorted({target for target, _ in self.index.callees(function)})
                if targets:
                    edges[function] = targets
            out[head.path] = edges
        return out

    def flow_groups(self, previous: dict, params: dict[str, list], records: dict[str, list]) -> dict[str, list[Flow]]:
        """Per file: the flows that start in its functions. `params`: the URL parameters of
        views (`records`: as kept)."""
        old = previous.get("flows")
        # a function's flows go through the summaries of what it calls, resolved by the index
        affected = self.importers(previous, self.changed(previous, 2)) | self.renamed(previous) if old is not None else None
        if affected is not None:  # a view whose URL parameters changed (a URLconf imports it, not the reverse)
            old_params, new_params = previous.get("params", {}), records
            for function in old_params.keys() | new_params.keys():
                if old_params.get(function) != new_params.get(function) and function in self.index.owner:
                    affected.add(self.index.owner[function])
        linker = Linker(_Summaries(self), self.index, params)
        out = {}
        previous_files = previous.get("files", {})
        for path in sorted(self.records):
            module = self.records[path]["module"]["module"]
            if affected is not None and module not in affected and path in previous_files:
                out[path] = [Flow.from_record(f) for f in old.get(path, ())]  # type: ignore[union-attr]
                continue
            summaries = self.summaries(path)
            out[path] = [flow for name in sorted(summaries) for flow in linker.flows_from(summaries[name])]
            self.relinked += 1
        return out


class _Summaries(Mapping):
    """Qualname -> summary, decoding a file's summaries the first time one of them is asked for."""

    def __init__(self, project: _Project) -> None:
        self.project = project

    def __getitem__(self, name: str) -> Summary:
        path = self.project._path_of(name)
        if path is None:
            raise KeyError(name)
        return self.project.summaries(path)[name]

    def __iter__(self):
        for path in sorted(self.project.records):
            yield from self.project.summaries(path)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _params_records(params: dict[str, list]) -> dict[str, list]:
    return {function: [[name, [hop.path, hop.line, hop.text]] for name, hop in entries] for function, entries in params.items()}


def _previous(memory: LinkMemory | None) -> dict:
    """The link state of the last run, if it has the layout this code writes."""
    data = memory.previous if memory is not None else None
    if not isinstance(data, dict) or data.get("layout") != STATE_LAYOUT:
        return {}
    if not all(isinstance(data.get(k), dict) for k in ("files", "graph", "edges", "flows", "params")):
        return {}
    return data


class TaintAnalyser:
    def __init__(self, root: str) -> None:
        self.root = root
        self.project = top_level_names(root)

    def analyse(self, unit: SourceUnit) -> UnitOutput:
        if unit.tree is None or unit.is_test:  # a test sends the requests it reads: no flow starts
            return UnitOutput([], [])  # or passes there, and no module of the application imports it
        module, is_package = module_name(unit.path, self.root)
        try:
            model = model_of(unit)
            facts, summaries = analyse_module(unit.tree, unit.display, module, is_package, unit.lines, model,
                                              self.project, which=lambda name, reads: reads)  # fmt: skip
        except RecursionError:
            return UnitOutput([], [])
        routes = django_routes(unit.tree, _Namer(model, module, is_package))
        calls = [[f.qualname, [list(c) for c in f.calls]] for f in facts.functions.values() if f.calls]
        # the calls and summaries as JSON text: a warm run decodes them only where something changed
        head = ModuleHead.of(facts).to_record()
        record = {"module": head, "head": hashlib.sha256(_text(head).encode()).hexdigest()[:24], "calls": _text(calls),
                  "summaries": _text([s.to_record() for s in summaries if s.edges]),
                  "summarised": [s.function for s in summaries], "reads": [s.function for s in summaries],
                  "digest": unit.digest,
                  "routes": [r.to_record() for r in routes]}  # fmt: skip
        return UnitOutput([], [], record)

    def extend(self, unit: SourceUnit, facts: dict, names: list[str]) -> dict | None:
        """`facts` with the summaries of the functions `names` added."""
        if unit.tree is None or unit.digest != facts.get("digest"):
            return None
        module = facts["module"]
        try:
            made = summarise_only(unit.tree, unit.display, module["module"], module["package"], unit.lines,
                                  set(names), self.project, model_of(unit))  # fmt: skip
        except RecursionError:
            made = []
        summaries = [*json.loads(facts["summaries"]), *(s.to_record() for s in made if s.edges)]
        return {**facts, "summaries": _text(summaries), "summarised": [*facts["summarised"], *names]}


def _text(data: object) -> str:
    return json.dumps(data, separators=(",", ":"))


def _urlconfs(facts: dict[str, object]) -> dict[str, tuple[str, list[Route]]]:
    """The modules that declare routes: module name -> (path, routes)."""
    out = {}
    for path, record in facts.items():
        routes = record.get("routes")  # type: ignore[union-attr]
        if routes:
            out[record["module"]["module"]] = (path, [Route.from_record(r) for r in routes])  # type: ignore[index]
    return out


def reached(callees: dict[str, list[str]], seeds: set[str]) -> set[str]:
    """The functions on some path of calls from a function that reads request data (`seeds`):
    its callers (they may get the data back; transitively) and, from all of those, their callees
    (transitively). `callees`: the call graph."""
    callers: dict[str, list[str]] = {}
    for name, targets in callees.items():
        for target in targets:
            callers.setdefault(target, []).append(name)
    up = _closure(set(seeds), callers)
    return _closure(up, callees)


def _closure(start: set[str], graph: dict[str, list[str]]) -> set[str]:
    out, stack = set(start), list(start)
    while stack:
        for target in graph.get(stack.pop(), ()):
            if target not in out:
                out.add(target)
                stack.append(target)
    return out


def top_level_names(root: str) -> frozenset[str]:
    """The names the project's own top-level modules and packages can have: the entries of its root
    (and of `src/`), the top folder of every path being the first part of its module name."""
    names: set[str] = set()
    for directory in (root, os.path.join(root, "src")):
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        names.update(e[:-3] if e.endswith(".py") else e for e in entries if not e.startswith("."))
    return frozenset(names)


def _one_per_sink(flows: list[Flow]) -> list[tuple[Flow, int]]:
    """One finding per sink and weakness: the flow with the shortest path, and how many other
    sources reach it."""
    groups: dict[tuple, list[Flow]] = {}
    for flow in flows:
        groups.setdefault((flow.sink_path, flow.sink.line, flow.sink.column, flow.cwe), []).append(flow)
    return [(min(group, key=lambda f: (len(f.trace), f.source.path, f.source.line)), len(group) - 1) for group in groups.values()]


def _finding(flow: Flow, rule, agent: str, others: int = 0) -> Finding:
    sink, source = flow.sink, flow.source
    where = f" ({source.path}:{source.line})" if source.path != flow.sink_path else f" (line {source.line})"
    more = f" (and {others} other source{'s' if others > 1 else ''})" if others else ""
    message = (f"request data `{source.text}`{where}{more} reaches `{sink.text}` unchecked: "
               f"{CWES[flow.cwe]}; {rule.advice}")  # fmt: skip
    return Finding(
        rule=rule.code, name=rule.name, category=rule.category, severity=rule.severity, confidence="high",
        message=message, path=flow.sink_path, line=sink.line, column=sink.column, end_line=sink.end_line,
        end_column=sink.end_column, agent=agent, checklist=rule.checklist, cwe=(rule.cwe,), engine="taint",
        trace=flow.trace,
    )  # fmt: skip


def _with_fingerprint(finding: Finding, fingerprint: str) -> Finding:
    from dataclasses import replace

    return replace(finding, fingerprint=fingerprint)
