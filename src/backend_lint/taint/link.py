"""The project-wide phase of the taint engine, in the main process: the functions' summaries linked
through the project index, and every flow from a source to a sink that nothing neutralised.

A parameter's reach (where data passed to it goes: the return value, sinks, deeper calls) is
computed once per function and parameter and reused at every call (context by summary: data
returned by a helper goes back to the call that passed it, not to every caller). Sources returned
by a function (`def get_next(): return request.args.get("next")`) flow on from each call of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..model import TraceStep as Hop  # one step of a flow's trace: where, and what happened there
from ..project import ProjectIndex
from .summary import Site, Summary

MAX_OUTCOMES = 64  # per (function, origin): what a generated function may fan out to
MAX_TRACE = 12


@dataclass(frozen=True)
class Flow:
    source: Hop
    sink: Site
    sink_path: str
    cwe: int
    trace: tuple[Hop, ...]  # source, steps, calls into other functions, sink
    framework: str = ""  # whose request the source reads ("" for a URL parameter)
    sink_function: str = ""  # the function the sink is in (site ids are per function)

    @property
    def key(self) -> tuple:
        """Flows of one key are one flow: the shortest path is kept."""
        return (self.sink_path, self.sink.id, self.sink_function, self.cwe, self.source.path, self.source.line)

    def to_record(self) -> list:
        return [_hop_record(self.source), self.sink.to_record(), self.sink_path, self.cwe,
                [_hop_record(h) for h in self.trace], self.framework, self.sink_function]  # fmt: skip

    @classmethod
    def from_record(cls, data: list) -> Flow:
        source, sink, path, cwe, trace, framework, function = data
        return cls(Hop(*source), Site.from_record(sink), path, cwe, tuple(Hop(*h) for h in trace), framework, function)


def _hop_record(hop: Hop) -> list:
    return [hop.path, hop.line, hop.text]


class Linker:
    def __init__(self, summaries: Iterable[Summary] | Mapping[str, Summary], index: ProjectIndex,
                 params: dict[str, list] | None = None) -> None:  # fmt: skip
        """`summaries`: every summarised function's, or a mapping qualname -> summary that may
        decode them as they are asked for. `params`: function -> (parameter, where) for the
        parameters that receive client text from outside the function's own code (the URL
        parameters the route table gives a view)."""
        self.functions = summaries if isinstance(summaries, Mapping) else {s.function: s for s in summaries}
        self.index = index
        self.params = params or {}
        self.frameworks: dict[Hop, str] = {}  # source -> the framework whose request it reads
        self._pure: dict = {}  # results that do not depend on where the computation started
        self._local: dict = {}  # results cut short by a cycle: (value, cut keys), for one start only
        self._cuts: list[set] = [set()]  # per computation on the stack: the active keys it met
        self._active: set = set()

    def _memo(self, key, compute):
        """`compute()` once per key. On a cycle the key being computed gives [] (the cycle adds
        nothing the first pass does not find); a result that met one is kept for this start
        only: from another start, the cycle would be cut elsewhere."""
        if key in self._pure:
            return self._pure[key]
        if key in self._local:
            value, cuts = self._local[key]
            self._cuts[-1] |= cuts
            return value
        if key in self._active:
            self._cuts[-1].add(key)
            return []
        self._active.add(key)
        self._cuts.append(set())
        try:
            value = compute()
        finally:
            self._active.discard(key)
            cuts = self._cuts.pop() - {key}
        if cuts:
            self._local[key] = (value, cuts)
            self._cuts[-1] |= cuts
        else:
            self._pure[key] = value
        return value

    # -- resolution ----------------------------------------------------------------------------
    def callee(self, caller: Summary, site: Site, key) -> tuple[Summary, str] | None:
        """The function a call site enters and the parameter that receives argument `key`."""
        target = self.index.resolve(site.ref) if site.ref else None
        if target in self.index.classes:
            target = self.index.resolve(f"{target}.__init__")
        summary = self.functions.get(target or "")
        if summary is None:
            return None
        if isinstance(key, int):
            position = key + (1 if summary.bound else 0)
            return (summary, summary.params[position]) if position < len(summary.params) else None
        return (summary, key) if key in summary.params else None

    # -- reach ---------------------------------------------------------------------------------
    def closure(self, function: Summary, origin: tuple) -> list[tuple]:
        """Where data from `origin` in `function` ends: ("ret", None, None, cleansed, hops) and
        ("sink", summary, site, cleansed, hops) outcomes."""
        return self._memo((function.function, origin), lambda: self._closure(function, origin))

    def _closure(self, function: Summary, origin: tuple) -> list[tuple]:
        outcomes: list[tuple] = []
        work = [(origin, frozenset(), ())]
        seen = {(origin, frozenset())}
        while work and len(outcomes) < MAX_OUTCOMES:
            node, done, hops = work.pop()
            for edge in function.edges_from(node):
                cleansed = done | edge.cleansed
                trail = hops + tuple(Hop(function.path, line, note) for line, note in edge.steps)
                target = edge.target
                if target[0] == "ret":
                    outcomes.append(("ret", None, None, cleansed, trail))
                elif target[0] == "k":
                    outcomes.append(("sink", function, function.sites[target[1]], cleansed, trail))
                elif target[0] == "a":
                    site = function.sites[target[1]]
                    if site.kind == "field":  # a field of validated data: on, unless it holds no client text
                        state = (("r", target[1]), cleansed)
                        if state not in seen and not self._harmless(site):
                            seen.add(state)
                            work.append((*state, trail))
                        continue
                    if self._constructs(site):  # an instance of the project's carries what it is made with
                        state = (("r", target[1]), cleansed)
                        if state not in seen:
                            seen.add(state)
                            work.append((*state, _bounded(trail + (Hop(function.path, site.line, site.text),))))
                    entered = self.callee(function, site, target[2])
                    if entered is None:
                        continue
                    callee, param = entered
                    call = Hop(function.path, site.line, site.text)
                    for kind, where, sink, more, inner in self.closure(callee, ("p", param)):
                        path = _bounded(trail + (call,) + inner)
                        if kind == "ret":
                            state = (("r", target[1]), cleansed | more)
                            if state not in seen:
                                seen.add(state)
                                work.append((*state, path))
                        else:
                            outcomes.append((kind, where, sink, cleansed | more, path))
        return outcomes

    def returned(self, function: Summary) -> list[tuple]:
        """Sources that `function` returns: (source hop, cleansed, hops)."""
        return self._memo(("returned", function.function), lambda: self._returned(function))

    def _returned(self, function: Summary) -> list[tuple]:
        out = []
        for origin, hop, before in self._origins(function):
            for kind, _, _, cleansed, hops in self.closure(function, origin):
                if kind == "ret":
                    out.append((hop, cleansed, _bounded(before + hops)))
        return out[:MAX_OUTCOMES]

    def _origins(self, function: Summary):
        """The origins in `function` that carry source data: its own source reads, and calls of
        functions that return some."""
        for name, hop in self.params.get(function.function, ()):
            if name in function.params:
                yield ("p", name), hop, (hop,)
        for site in function.sites.values():
            if site.kind == "source" and site.ref.split(":")[0] == "request":
                hop = Hop(function.path, site.line, site.text)
                self.frameworks[hop] = site.ref.partition(":")[2]
                yield ("s", site.id), hop, (hop,)
            elif site.kind == "source" and site.ref.startswith("url:"):  # `self.kwargs["name"]` of a view class
                key, owner = site.ref[4:], function.function.rpartition(".")[0]
                for name, hop in self.params.get(owner, ()):
                    if name == key:
                        yield ("s", site.id), hop, (hop, Hop(function.path, site.line, site.text))
                        break
            elif site.kind == "call":
                entered = self._called(function, site)
                if entered is not None:
                    call = Hop(function.path, site.line, site.text)
                    for hop, cleansed, hops in self.returned(entered):
                        if not cleansed:
                            yield ("r", site.id), hop, hops + (call,)

    def _harmless(self, site: Site) -> bool:
        cls, _, attribute = site.ref.rpartition(":")
        return self.index.harmless_field(cls, attribute)

    def _constructs(self, site: Site) -> bool:
        return bool(site.ref) and self.index.resolve(site.ref) in self.index.classes

    def _called(self, function: Summary, site: Site) -> Summary | None:
        target = self.index.resolve(site.ref) if site.ref else None
        return self.functions.get(target or "")

    # -- flows ---------------------------------------------------------------------------------
    def flows_from(self, function: Summary) -> list[Flow]:
        """The flows whose source is read in `function` (or reaches it from a helper's return
        value, or is one of its URL parameters), one per key."""
        self._local.clear()
        self._cuts = [set()]
        found: dict[tuple, Flow] = {}
        for origin, hop, before in self._origins(function):
            for kind, where, sink, cleansed, hops in self.closure(function, origin):
                if kind != "sink":
                    continue
                for cwe in sink.cwes:
                    if cwe in cleansed:
                        continue
                    trace = _bounded(before + hops + (Hop(where.path, sink.line, sink.text),))
                    flow = Flow(hop, sink, where.path, cwe, trace, self.frameworks.get(hop, ""), where.function)
                    if flow.key not in found or len(trace) < len(found[flow.key].trace):
                        found[flow.key] = flow
        return list(found.values())


def combine(groups: Iterable[list[Flow]]) -> list[Flow]:
    """Flows computed apart (per function, per module) as one list: one per key, the shortest
    (the first of equals, in the order given), sorted by sink."""
    found: dict[tuple, Flow] = {}
    for flows in groups:
        for flow in flows:
            if flow.key not in found or len(flow.trace) < len(found[flow.key].trace):
                found[flow.key] = flow
    return sorted(found.values(), key=lambda f: (f.sink_path, f.sink.line, f.sink.column, f.cwe, f.source.path,
                                                 f.source.line, f.sink_function, f.sink.id))  # fmt: skip


def _bounded(hops: tuple) -> tuple:
    if len(hops) <= MAX_TRACE:
        return hops
    return hops[:2] + hops[-(MAX_TRACE - 2) :]
