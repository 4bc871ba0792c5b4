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
import os
from typing import ClassVar

from ..catalog import RuleInfo
from ..model import Finding
from ..project import ModuleFacts, ProjectIndex, module_name
from ..semantic import model_of
from ..source import SourceUnit
from ..taint.analyse import analyse_module, summarise_only
from ..taint.link import Flow, Linker
from ..taint.routes import Route, django_routes, view_params
from ..project.facts import _Namer
from ..taint.rules import RULES
from ..taint.spec import CWES
from ..taint.summary import Summary
from . import Engine, EngineOutput, UnitOutput


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

    def wanted(self, facts: dict[str, object]) -> dict[str, object]:
        """The functions request data may reach that no worker summarised yet, by file: the workers
        summarise the functions that read request data (every flow starts in one); the others
        matter only on a path of calls from one, which only the project's call graph tells."""
        modules, done, reads = [], set(), set()
        for record in facts.values():
            modules.append(ModuleFacts.from_record(record["module"]))  # type: ignore[index]
            done.update(record.get("summarised", ()))  # type: ignore[union-attr]
            reads.update(record.get("reads", ()))  # type: ignore[union-attr]
        index = ProjectIndex(modules)
        routed = set(view_params(_urlconfs(facts), index))
        out: dict[str, object] = {}
        # from the functions that read request data only: the others summarised already are on a
        # path from one, and their callers need nothing unless they are too
        for name in sorted(reached(index, reads | routed) - done):
            owner = index.owner.get(name)
            if owner is not None:
                out.setdefault(index.modules[owner].path, []).append(name)  # type: ignore[union-attr]
        return out

    def link(self, facts: dict[str, object], codes: tuple[str, ...], agents: dict[str, str]) -> EngineOutput:
        modules, summaries, tests, done = [], [], set(), set()
        for path, record in facts.items():
            modules.append(ModuleFacts.from_record(record["module"]))  # type: ignore[index]
            summaries += [Summary.from_record(s) for s in record["summaries"]]  # type: ignore[index]
            done.update(record.get("summarised", ()))  # type: ignore[union-attr]
            if record.get("test"):  # type: ignore[union-attr]
                tests.add(path)
        index = ProjectIndex(modules)
        rules = {(rule.cwe, framework): rule for rule in RULES if rule.code in codes for framework in rule.frameworks or ("",)}
        found: dict[str, list[Finding]] = {}
        code: dict[str, dict[int, str]] = {}
        counts: dict[tuple, int] = {}
        linker = Linker(summaries, index, view_params(_urlconfs(facts), index))
        for flow, others in _one_per_sink(linker.flows(), tests):
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
        return EngineOutput(found, code=code)


class TaintAnalyser:
    def __init__(self, root: str) -> None:
        self.root = root
        self.project = top_level_names(root)

    def analyse(self, unit: SourceUnit) -> UnitOutput:
        if unit.tree is None:
            return UnitOutput([], [])
        module, is_package = module_name(unit.path, self.root)
        try:
            model = model_of(unit)
            facts, summaries = analyse_module(unit.tree, unit.display, module, is_package, unit.lines, model,
                                              self.project, which=lambda name, reads: reads)  # fmt: skip
        except RecursionError:
            return UnitOutput([], [])
        routes = django_routes(unit.tree, _Namer(model, module, is_package))
        record = {"module": facts.to_record(), "summaries": [s.to_record() for s in summaries if s.edges],
                  "summarised": [s.function for s in summaries], "reads": [s.function for s in summaries],
                  "test": unit.is_test, "digest": unit.digest,
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
        return {**facts, "summaries": [*facts["summaries"], *(s.to_record() for s in made if s.edges)],
                "summarised": [*facts["summarised"], *names]}  # fmt: skip


def _urlconfs(facts: dict[str, object]) -> dict[str, tuple[str, list[Route]]]:
    """The modules that declare routes: module name -> (path, routes)."""
    out = {}
    for path, record in facts.items():
        routes = record.get("routes")  # type: ignore[union-attr]
        if routes:
            out[record["module"]["module"]] = (path, [Route.from_record(r) for r in routes])  # type: ignore[index]
    return out


def reached(index: ProjectIndex, seeds: set[str]) -> set[str]:
    """The functions on some path of calls from a function that reads request data: its callers
    (they may get the data back; transitively) and, from all of those, their callees
    (transitively)."""
    callees = {name: [t for t, _ in index.callees(name)] for name in index.functions}
    callers: dict[str, list[str]] = {}
    for name, targets in callees.items():
        for target in targets:
            callers.setdefault(target, []).append(name)
    up = _closure(seeds & callees.keys(), callers)
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


def _one_per_sink(flows: list[Flow], tests: set[str]) -> list[tuple[Flow, int]]:
    """One finding per sink and weakness: the flow with the shortest path, and how many other
    sources reach it. Flows in tests are left out: a test sends the requests it reads."""
    groups: dict[tuple, list[Flow]] = {}
    for flow in flows:
        if flow.sink_path in tests or flow.source.path in tests:
            continue
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
