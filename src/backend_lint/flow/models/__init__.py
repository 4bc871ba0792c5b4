"""What frameworks and libraries do with data, as data: one TOML file per framework or library here.

A model file names what a library provides for the dataflow rules: where request data comes
from, what validates, converts or merely carries a value, what runs SQL and what makes a value safe
to splice into it, what builds an HTTP response, which errors come from infrastructure:

    [model]
    title = "Flask"
    framework = "flask"        # the request-handler framework it serves (a FunctionRole's), if any

    [[request-source]]         # a kind (KINDS below); a group of names that are the same thing
    names = ["flask.request.get_json", "flask.request.get_data"]
    call = true                # the fields a kind allows: here, only a call reads the data

Each name is a qualified name (`flask.request.get_json`; a builtin is just its name). `match` says
how a rule recognises it: `qualified` (the callee's qualified name is this), `name` (also by its
last name, for a method or a function reachable under several paths), `module` (anything inside
this module). Rules ask by kind (`qualified("converter")`, `names("validator")`,
`modules("response")`), optionally for one framework; asking for a kind nobody defines raises.
Files are read on first use, once per process.
"""

from __future__ import annotations

import builtins
import os
import sys
from dataclasses import dataclass
from functools import lru_cache

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

QUALIFIED, NAME, MODULE = "qualified", "name", "module"
FRAMEWORKS = ("flask", "fastapi", "django")  # what `FunctionRole.framework` names, but "cli"
CWE = {20: "Improper Input Validation", 89: "SQL Injection",
       209: "Generation of Error Message Containing Sensitive Information"}  # fmt: skip
CONVENTIONS = "conventions"  # the model of names user code gives its own helpers: bare names allowed
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Kind:
    meaning: str
    matches: tuple[str, ...]  # the ways entries of this kind may be matched; the first is the default
    fields: frozenset[str] = frozenset()  # fields a group may set beside `names` and `match`
    required: frozenset[str] = frozenset()
    per_framework: bool = False  # only framework models define it; rules ask for one framework


_CWE = frozenset({"cwe"})
KINDS = {
    "request-source": Kind("an attribute or method of a request that holds client data",
                           (QUALIFIED, NAME), frozenset({"call", "cwe"}), per_framework=True),
    "request-class": Kind("a class whose instances are requests", (QUALIFIED,), per_framework=True),
    "validation-library": Kind("a module whose every callable validates what it is given", (MODULE,)),
    "schema-base": Kind("a base class of schemas, forms and serializers", (NAME,)),
    "validator": Kind("a method or function that validates (or checks) its argument", (NAME,)),
    "converter": Kind("a callable that converts a value to a type, rejecting what does not fit", (QUALIFIED, NAME)),
    "parser": Kind("a module whose load/decode functions parse text without validating it", (MODULE,)),
    "propagator": Kind("a call whose result carries its argument's content", (QUALIFIED,)),
    "inert": Kind("a call that only measures, tests or shows its argument", (QUALIFIED,)),
    "input-hook": Kind("a view method that hands request data to a form or serializer", (NAME,)),
    "response": Kind("a constructor of an HTTP response or HTTP error", (QUALIFIED, MODULE)),
    "sql-function": Kind("a callable that takes SQL text", (QUALIFIED,), frozenset({"label", "cwe"}),
                         frozenset({"label"})),
    "sql-method": Kind("a method that runs SQL text on a database handle", (NAME,), frozenset({"certain", "cwe"})),
    "database-module": Kind("a module whose objects are database handles", (MODULE,)),
    "sql-sanitizer": Kind("a call whose result is safe to splice into SQL (a number, a quoted identifier)",
                          (QUALIFIED, NAME)),
    "sql-composable": Kind("a piece of SQL composed safely by its library", (NAME,)),
    "scalar-type": Kind("a type whose values are numbers, dates or ids, never SQL or markup", (NAME,)),
    "harmless-field": Kind("a form, serializer or schema field whose validated value holds no text a client shapes "
                           "(a number, a date, an id, one of the code's choices, a model object)", (QUALIFIED,)),
    "text-field": Kind("a form, serializer or schema field whose validated value is text the client chose", (QUALIFIED,)),
    "pattern-field": Kind("a field, type or validator restricting text to a pattern (`pattern=`, `regex=`, its first "
                          "argument)", (QUALIFIED,)),
    "choice-validator": Kind("a validator admitting only values the code lists", (QUALIFIED,)),
    "typed-schema": Kind("a base class of models whose annotated attributes are validated to their declared types",
                         (QUALIFIED,)),
    "layout": Kind("a call that changes only the layout of a string (indentation, blanks)", (QUALIFIED,)),
    "infrastructure-error": Kind("an exception (or module of them) from a database, network or OS", (QUALIFIED, MODULE)),
    "error-text": Kind("a call that renders the current exception or its traceback as text", (QUALIFIED,), _CWE),
    "error-attribute": Kind("an attribute of an exception that holds its details", (NAME,), _CWE),
    "error-handler": Kind("a decorator making a function the response to an exception, its last parameter",
                          (NAME,)),
    "logger-factory": Kind("a call that returns a logger", (QUALIFIED,)),
    "logger": Kind("a logger imported by name", (QUALIFIED,)),
    "logger-method": Kind("a logger's method that returns a logger (bound to values, with options)", (NAME,)),
}  # fmt: skip
_FIELD_TYPES = {"call": bool, "certain": bool, "label": str, "cwe": list}


class ModelError(ValueError):
    """A malformed model file, or a question about a kind no model defines."""


@dataclass(frozen=True)
class Entry:
    kind: str
    name: str
    model: str  # the file it comes from, without `.toml`
    framework: str | None
    match: str
    label: str = ""  # how a message names it (sql-function)
    call: bool = False  # request-source: only a call of it reads the data
    certain: bool = False  # sql-method: runs SQL whatever it is called on
    cwe: tuple[int, ...] = ()

    @property
    def last(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Model:
    name: str
    title: str
    framework: str | None
    entries: tuple[Entry, ...]


def model_dir() -> str:
    return os.path.dirname(__file__)


@lru_cache(maxsize=1)
def load() -> dict[str, Model]:
    """Every model file of this folder, by name; a malformed one raises ModelError."""
    found = {}
    for filename in sorted(os.listdir(model_dir())):
        if filename.endswith(".toml"):
            # a plain file read: importlib.resources costs start-up time (see catalog.load_catalog)
            with open(os.path.join(model_dir(), filename), "rb") as fh:
                model = parse(filename[: -len(".toml")], tomllib.load(fh))
            found[model.name] = model
    return found


def parse(name: str, raw: dict) -> Model:
    """One model file's content, checked against KINDS."""
    header = raw.get("model")
    if not isinstance(header, dict) or not isinstance(header.get("title"), str):
        raise ModelError(f"{name}.toml: a [model] table with a title is required")
    framework = header.get("framework")
    if framework is not None and framework not in FRAMEWORKS:
        raise ModelError(f"{name}.toml: unknown framework {framework!r} (known: {', '.join(FRAMEWORKS)})")
    if set(header) - {"title", "framework"}:
        raise ModelError(f"{name}.toml: unknown [model] keys {sorted(set(header) - {'title', 'framework'})}")
    entries = []
    for kind, groups in raw.items():
        if kind == "model":
            continue
        if kind not in KINDS:
            raise ModelError(f"{name}.toml: unknown kind [[{kind}]] (known: {', '.join(KINDS)})")
        if KINDS[kind].per_framework and framework is None:
            raise ModelError(f"{name}.toml: [[{kind}]] belongs to a framework model, and this one names none")
        if not isinstance(groups, list):
            raise ModelError(f"{name}.toml: {kind} must be an array of tables ([[{kind}]])")
        for group in groups:
            entries.extend(_group_entries(name, framework, kind, group))
    return Model(name, header["title"], framework, tuple(entries))


def _group_entries(model: str, framework: str | None, kind: str, group: dict) -> list[Entry]:
    spec, where = KINDS[kind], f"{model}.toml [[{kind}]]"
    names, match = group.get("names"), group.get("match", KINDS[kind].matches[0])
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ModelError(f"{where}: `names` must be a non-empty list of strings")
    if match not in spec.matches:
        raise ModelError(f"{where}: match {match!r} is not one of {', '.join(spec.matches)}")
    fields = {k: v for k, v in group.items() if k not in ("names", "match")}
    if set(fields) - spec.fields or spec.required - set(fields):
        raise ModelError(f"{where}: fields {sorted(fields)} (allowed {sorted(spec.fields)}, required {sorted(spec.required)})")
    for key, value in fields.items():
        if not isinstance(value, _FIELD_TYPES[key]):
            raise ModelError(f"{where}: {key} must be a {_FIELD_TYPES[key].__name__}")
    cwe = tuple(fields.pop("cwe", ()))
    if any(c not in CWE for c in cwe):
        raise ModelError(f"{where}: unknown CWE id in {list(cwe)} (known: {sorted(CWE)})")
    for entry_name in names:
        if not well_formed(entry_name, match, model):
            raise ModelError(f"{where}: {entry_name!r} is not a qualified name")
    return [Entry(kind, n, model, framework, match, cwe=cwe, **fields) for n in names]


def well_formed(name: str, match: str, model: str) -> bool:
    """A dotted path of identifiers; a bare name only for a builtin, a module or a convention."""
    parts = name.split(".")
    if not all(p.isidentifier() for p in parts):
        return False
    return len(parts) > 1 or match == MODULE or name in _BUILTINS or model == CONVENTIONS


# -- what rules ask ------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def entries(kind: str, framework: str | None = None) -> tuple[Entry, ...]:
    """Every entry of `kind` (of models serving `framework`, when given); none at all raises."""
    if kind not in KINDS:
        raise ModelError(f"no kind {kind!r} in the flow models (known: {', '.join(KINDS)})")
    if framework is not None and framework not in FRAMEWORKS:
        raise ModelError(f"no framework {framework!r} in the flow models")
    found = tuple(
        e for m in load().values() for e in m.entries if e.kind == kind and (framework is None or e.framework == framework)
    )
    if not found:
        raise ModelError(f"no flow model defines {kind!r}" + (f" for {framework}" if framework else ""))
    return found


@lru_cache(maxsize=None)
def qualified(kind: str, framework: str | None = None) -> frozenset[str]:
    """Qualified names of the entries matched by qualified name (`qualified` and `name` entries)."""
    return frozenset(e.name for e in entries(kind, framework) if e.match != MODULE)


@lru_cache(maxsize=None)
def names(kind: str, framework: str | None = None) -> frozenset[str]:
    """Last names of the entries recognised by it (`match = "name"`)."""
    return frozenset(e.last for e in entries(kind, framework) if e.match == NAME)


@lru_cache(maxsize=None)
def modules(kind: str, framework: str | None = None) -> tuple[str, ...]:
    """`"module."` prefixes of the module entries, for `qualname.startswith(...)`."""
    return tuple(sorted(e.name + "." for e in entries(kind, framework) if e.match == MODULE))
