"""The taint models as the analysis asks them: sources, request objects, sinks and sanitizers, read
from the TOML files beside this module (`models/`), once per process.

Every entry is checked when the files are read (`load`): a kind, field or CWE nobody defines is an
error naming the file, so a model cannot go silently unused.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SOURCE_KINDS = ("request", "local")  # client data; the machine's own environment and command line
# The weaknesses a taint rule reports, with what a reader calls them.
CWES = {
    89: "SQL injection", 78: "OS command injection", 94: "code injection", 22: "path traversal",
    601: "open redirect", 79: "cross-site scripting", 1336: "server-side template injection",
    502: "deserialisation of untrusted data", 611: "XML external entities", 643: "XPath injection",
    90: "LDAP injection", 918: "server-side request forgery", 20: "improper input validation",
}  # fmt: skip
_FIELDS = {
    "source": {"framework", "kind", "names", "call"},
    "request-object": {"framework", "attributes", "methods"},
    "sink": {"cwe", "label", "names", "methods", "args", "keywords", "when", "unless", "unless-position", "safe-values",
             "receiver", "shell-argv", "chain", "receiver-names", "sql-writes"},
    "propagator": {"names", "methods", "arguments"},
    "sanitizer": {"cwes", "names", "methods"},
}


class ModelError(ValueError):
    pass


@dataclass(frozen=True)
class Sink:
    cwe: int
    label: str
    args: tuple[int, ...] | None  # positions that matter; None: every argument
    keywords: tuple[str, ...]
    when: str = ""  # a keyword that must be set to a true constant
    unless: str = ""  # a keyword that makes the call safe when given
    receiver: bool = False  # the object the method is called on matters too (`path.read_text()`)
    unless_position: int | None = None  # the position at which the `unless` argument may be passed too
    safe_values: frozenset[str] = frozenset()  # when given: the `unless` argument makes the call safe only if it names one
    shell_argv: bool = False  # also a sink without `when` for an argument list that runs a shell: ["sh", "-c", text]
    chain: str = ""  # a method sink only on a chain through this attribute: `Model.objects....create()`
    receiver_names: frozenset[str] = frozenset()  # a method sink only on an object of one of these names
    sql_writes: bool = False  # only when the first argument is a constant INSERT / UPDATE statement


@dataclass(frozen=True)
class Spec:
    attributes: dict[str, str]  # qualified name of an attribute holding data -> source kind
    calls: dict[str, str]  # qualified name of a callable returning data -> source kind
    request_attributes: dict[str, frozenset[str]]  # framework -> attributes of its request object
    request_methods: dict[str, frozenset[str]]
    sinks: dict[str, tuple[Sink, ...]]  # qualified name -> sinks
    sink_methods: dict[str, tuple[Sink, ...]]  # method name -> sinks
    sanitizers: dict[str, frozenset[int] | None]  # qualified name -> CWEs neutralised (None: all)
    sanitizer_methods: dict[str, frozenset[int] | None]
    propagators: set[str] = field(default_factory=set)  # library callables whose result carries their arguments
    argument_methods: set[str] = field(default_factory=set)  # methods whose result carries their arguments
    frameworks: dict[str, str] = field(default_factory=dict)  # qualified name of a source -> its framework


def model_dir() -> Path:
    return Path(__file__).resolve().parent / "models"


@lru_cache(maxsize=1)
def load() -> Spec:
    spec = Spec({}, {}, {}, {}, {}, {}, {}, {})
    for path in sorted(model_dir().glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        for kind, groups in data.items():
            if kind not in _FIELDS:
                raise ModelError(f"{path.name}: unknown kind {kind!r} (expected {', '.join(_FIELDS)})")
            for group in groups:
                unknown = set(group) - _FIELDS[kind]
                if unknown:
                    raise ModelError(f"{path.name}: [[{kind}]] has unknown field(s) {', '.join(sorted(unknown))}")
                _add(spec, kind, group, path.name)
    return spec


def _add(spec: Spec, kind: str, group: dict, where: str) -> None:
    if kind == "source":
        if group.get("kind") not in SOURCE_KINDS:
            raise ModelError(f"{where}: source kind {group.get('kind')!r} (expected {', '.join(SOURCE_KINDS)})")
        table = spec.calls if group.get("call") else spec.attributes
        for name in group["names"]:
            table[name] = group["kind"]
            spec.frameworks[name] = group["framework"]
    elif kind == "request-object":
        spec.request_attributes[group["framework"]] = frozenset(group.get("attributes", ()))
        spec.request_methods[group["framework"]] = frozenset(group.get("methods", ()))
    elif kind == "sink":
        if group["cwe"] not in CWES:
            raise ModelError(f"{where}: sink CWE {group['cwe']} has no taint rule")
        args = group.get("args")
        sink = Sink(group["cwe"], group["label"], None if args is None else tuple(args), tuple(group.get("keywords", ())),
                    group.get("when", ""), group.get("unless", ""), bool(group.get("receiver")),
                    group.get("unless-position"), frozenset(group.get("safe-values", ())), bool(group.get("shell-argv")),
                    group.get("chain", ""), frozenset(group.get("receiver-names", ())), bool(group.get("sql-writes")))  # fmt: skip
        for name in group.get("names", ()):
            spec.sinks[name] = (*spec.sinks.get(name, ()), sink)
        for name in group.get("methods", ()):
            spec.sink_methods[name] = (*spec.sink_methods.get(name, ()), sink)
    elif kind == "propagator":
        spec.propagators.update(group.get("names", ()))
        if group.get("arguments"):
            spec.argument_methods.update(group.get("methods", ()))
    else:
        raw = group["cwes"]
        if raw != "all" and any(c not in CWES for c in raw):
            raise ModelError(f"{where}: sanitizer CWEs {raw} name a weakness without a taint rule")
        cwes = None if raw == "all" else frozenset(raw)
        for name in group.get("names", ()):
            spec.sanitizers[name] = cwes
        for name in group.get("methods", ()):
            spec.sanitizer_methods[name] = cwes
