"""A function's flow summary: where data goes inside it, as plain data that is cached per file and
linked across the project.

Sites are the places of the function where data enters (a source read), leaves for another
function (a call, with its reference for the project index) or ends (a sink). Edges go from an
origin (a parameter, a source site, the result of a call site) to a target (the return value, a
sink site, an argument of a call site), with the CWEs neutralised on the way and the steps taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Site:
    id: int
    kind: str  # "source", "sink", "call" or "field" (a read of a field of validated data)
    line: int
    column: int  # 1-based, characters
    end_line: int
    end_column: int
    text: str  # the code as a trace shows it: `request.args["next"]`, `redirect()`, `helpers.safe_target()`
    ref: str = ""  # call: the callee's reference; sink: the sink's name; source: its kind ("request", "local");
    # field: the schema class's reference and the field (`app.forms.Filter:year`)
    cwes: tuple[int, ...] = ()  # sink: the weaknesses it is a sink for
    snippet: str = ""  # sink: the normalised code (fingerprints of findings reported here)
    code: str = ""  # sink: its source line (reports show it)

    def to_record(self) -> list:
        return [self.id, self.kind, self.line, self.column, self.end_line, self.end_column, self.text, self.ref,
                list(self.cwes), self.snippet, self.code]  # fmt: skip

    @classmethod
    def from_record(cls, data: list) -> Site:
        i, kind, line, col, end_line, end_col, text, ref, cwes, snippet, code = data
        return cls(i, kind, line, col, end_line, end_col, text, ref, tuple(cwes), snippet, code)


@dataclass(frozen=True)
class Edge:
    origin: tuple  # ("p", name) | ("s", site) | ("r", site)
    target: tuple  # ("ret",) | ("k", site) | ("a", site, key)
    cleansed: frozenset[int]
    steps: tuple[tuple[int, str], ...] = ()

    def to_record(self) -> list:
        return [list(self.origin), list(self.target), sorted(self.cleansed), [list(s) for s in self.steps]]

    @classmethod
    def from_record(cls, data: list) -> Edge:
        origin, target, done, steps = data
        return cls(tuple(origin), tuple(target), frozenset(done), tuple((line, note) for line, note in steps))


@dataclass(frozen=True)
class Summary:
    function: str  # qualified name
    path: str  # the file, as reports show it
    line: int
    params: tuple[str, ...]
    bound: bool  # a method called on an instance or class: its first parameter is not passed
    sites: dict[int, Site] = field(default_factory=dict)
    edges: tuple[Edge, ...] = ()

    def to_record(self) -> dict:
        return {
            "function": self.function, "path": self.path, "line": self.line, "params": list(self.params),
            "bound": self.bound, "sites": [s.to_record() for s in self.sites.values()],
            "edges": [e.to_record() for e in self.edges],
        }  # fmt: skip

    @classmethod
    def from_record(cls, data: dict) -> Summary:
        sites = [Site.from_record(s) for s in data["sites"]]
        return cls(
            data["function"], data["path"], data["line"], tuple(data["params"]), data["bound"],
            {s.id: s for s in sites}, tuple(Edge.from_record(e) for e in data["edges"]),
        )  # fmt: skip

    def edges_from(self, origin: tuple) -> list[Edge]:
        return [e for e in self.edges if e.origin == origin]
