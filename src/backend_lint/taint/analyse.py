"""The per-file phase of the taint engine, run in the workers: the module's facts for the project
index, and a flow summary of each of its functions and methods.

Handlers get their request data as sources: Django and DRF views their `request` (an object whose
`GET`, `POST`, `body`, … are sources) and URL parameters, Flask views their URL parameters,
FastAPI endpoints their path, query, header, cookie and body parameters (a number, a date or an id
is no text an attacker controls; a pydantic model counts as validated input), aiohttp handlers and
Starlette endpoints their `Request`, GraphQL resolvers (graphene, strawberry, ariadne) their
arguments.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from functools import lru_cache

from ..model import code_snippet
from ..project.facts import ModuleFacts, _Namer, _reference, module_facts
from ..semantic import SemanticModel
from . import spec as models
from .interpret import Interpreter
from .summary import Site, Summary
from .values import Value

_SCALARS = frozenset({"int", "float", "bool", "uuid.UUID", "UUID", "datetime.date", "datetime.datetime", "date",
                      "datetime", "decimal.Decimal", "Decimal", "pydantic.PositiveInt", "pydantic.conint"})  # fmt: skip
_REQUEST_TYPES = {"starlette.requests.Request": "starlette", "fastapi.Request": "starlette",
                  "fastapi.requests.Request": "starlette", "aiohttp.web.Request": "aiohttp",
                  "aiohttp.web_request.Request": "aiohttp", "django.http.HttpRequest": "django",
                  "rest_framework.request.Request": "django"}  # fmt: skip
_GRAPHQL_BASES = ("graphene.ObjectType", "graphene.Mutation", "graphene.relay.ClientIDMutation")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def analyse_module(tree: ast.Module, path: str, module: str, is_package: bool, lines: list[str],
                   model: SemanticModel | None = None, project: frozenset[str] | None = None,
                   which: Callable[[str, bool], bool] | None = None,
                   ) -> tuple[ModuleFacts, list[Summary]]:  # fmt: skip
    """`project`: the top-level names of the project's own modules (calls into anything else are
    library calls, which pass no taint unless a model says so); None: every call may be the
    project's. `which(qualname, seed)`: whether to summarise a function (`seed`: it reads request
    data); None: every function."""
    model = model or SemanticModel(tree, path)
    facts = module_facts(tree, path, module, is_package, model, calls=which is not None)
    namer = _Namer(model, module, is_package)
    own = None if project is None else project | {module.split(".")[0]}
    summaries = []
    globals_imported = which is not None and _imports_request_globals(model)
    for function, qualname, cls in _functions(tree, module):
        if which is None or which(qualname, _reads_request(function, cls, model, namer, globals_imported)):
            summaries.append(_summarise(function, qualname, cls, path, lines, model, namer, own))
    return facts, summaries


def summarise_only(tree: ast.Module, path: str, module: str, is_package: bool, lines: list[str],
                   names: set[str], project: frozenset[str] | None = None, model: SemanticModel | None = None,
                   ) -> list[Summary]:  # fmt: skip
    """The summaries of the functions `names` of one module (those the link phase found request
    data may reach)."""
    model = model or SemanticModel(tree, path)
    namer = _Namer(model, module, is_package)
    own = None if project is None else project | {module.split(".")[0]}
    return [_summarise(function, qualname, cls, path, lines, model, namer, own)
            for function, qualname, cls in _functions(tree, module) if qualname in names]  # fmt: skip


def _reads_request(function, cls, model: SemanticModel, namer: _Namer, globals_imported: bool) -> bool:
    """Whether a function may read request data: a handler or resolver that receives some, or a
    function that reads a request global (`flask.request.args`). Cheap and generous: it decides
    which functions are summarised in the workers, the others being summarised only if the link
    phase finds request data may reach them."""
    if _request_params(function, cls, model, namer, _Probe()):
        return True
    if not globals_imported:
        return False
    spec = models.load()
    for node in ast.walk(function):
        if isinstance(node, (ast.Attribute, ast.Name)):
            qualified = model.qualname(node)
            if qualified is not None and (spec.attributes.get(qualified) == "request" or spec.calls.get(qualified) == "request"):
                return True
    return False


def _imports_request_globals(model: SemanticModel) -> bool:
    """Whether the module imports from a package that has request globals (flask, quart): without
    one, no expression of it names `flask.request.args`."""
    roots = _global_roots()
    return any(target.lstrip(".").split(".")[0] in roots for target in model.imports.values())


@lru_cache(maxsize=1)
def _global_roots() -> frozenset[str]:
    spec = models.load()
    names = [n for n, kind in (*spec.attributes.items(), *spec.calls.items()) if kind == "request"]
    return frozenset(n.split(".")[0] for n in names)


class _Probe:
    """Stands in for an interpreter where `_request_params` only needs to know whether there are any."""

    def source(self, node, kind) -> Value:
        return Value({(("s", 0), frozenset()): ()})

    def call_site(self, node, qualified, args, keywords) -> Value:
        return Value({(("r", 0), frozenset()): ()})


def _functions(tree: ast.Module, module: str):
    stack: list[tuple[list[ast.stmt], str, ast.ClassDef | None]] = [(tree.body, module, None)]
    while stack:
        body, prefix, cls = stack.pop()
        for stmt in _flat(body):
            if isinstance(stmt, ast.ClassDef):
                stack.append((stmt.body, f"{prefix}.{stmt.name}", stmt))
            elif isinstance(stmt, _FUNCTIONS):
                yield stmt, f"{prefix}.{stmt.name}", cls


def _flat(body: list[ast.stmt]):
    for stmt in body:
        if isinstance(stmt, (ast.If, ast.Try)):
            yield from _flat([*stmt.body, *stmt.orelse, *(s for h in getattr(stmt, "handlers", []) for s in h.body)])
        else:
            yield stmt


class _FunctionInterpreter(Interpreter):
    def __init__(self, model, segment, function, request_params, namer: _Namer, owner: str | None, receiver: str | None,
                 project: frozenset[str] | None):  # fmt: skip
        super().__init__(model, segment, function, request_params)
        self.namer, self.owner, self.receiver, self.project = namer, owner, receiver, project
        self.instances: dict[str, str] = {}

    def reference(self, node: ast.Call) -> str | None:
        ref = _reference(node.func, self.owner, self.receiver, self.instances, self.namer)
        if ref is None or self.project is None or ref.split(".")[0] in self.project:
            return ref
        return None  # a library's: its result carries nothing

    def own(self, qualified: str) -> bool:
        return self.project is None or self.namer.absolute(qualified).split(".")[0] in self.project

    def typed(self, func: ast.Attribute) -> str | None:
        if isinstance(func.value, ast.Name) and func.value.id in self.instances:
            return f"{self.instances[func.value.id]}.{func.attr}"
        return super().typed(func)

    def project_method(self, node: ast.Call) -> bool:
        """`chart.leads(team)` for a `chart = OrgChart(...)` of the project's: its summary says what
        the result carries, not the data the instance was made with."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in self.instances):
            return False
        return self.project is not None and self.own(self.instances[func.value.id])

    def do_Assign(self, stmt, state):
        if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            self._instance(stmt.targets[0].id, stmt.value)
        return super().do_Assign(stmt, state)

    def do_With(self, stmt, state):
        for item in stmt.items:  # `with httpx.Client() as client`, `async with session.get(url) as resp`
            if isinstance(item.optional_vars, ast.Name):
                self._instance(item.optional_vars.id, item.context_expr)
        return super().do_With(stmt, state)

    do_AsyncWith = do_With

    def _instance(self, name: str, value: ast.expr) -> None:
        made = self.namer.name(value.func) if isinstance(value, ast.Call) else None
        if made:
            self.instances[name] = made
        else:
            self.instances.pop(name, None)


def _summarise(function, qualname: str, cls: ast.ClassDef | None, path: str, lines: list[str],
               model: SemanticModel, namer: _Namer, project: frozenset[str] | None) -> Summary:  # fmt: skip
    args = function.args
    params = tuple(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
    decorators = {namer.name(d.func if isinstance(d, ast.Call) else d) or "" for d in function.decorator_list}
    static = "staticmethod" in decorators
    owner = f"{qualname.rsplit('.', 1)[0]}" if cls is not None else None
    receiver = params[0] if cls is not None and not static and params else None

    def segment(node: ast.AST) -> str:
        """The node's source text as written (for traces), on one line."""
        start, end = node.lineno, getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
        if not 0 < start <= end <= len(lines):
            return ""
        first, last = lines[start - 1].encode(), lines[end - 1].encode()
        if start == end:
            return first[node.col_offset : node.end_col_offset].decode("utf-8", "replace")  # type: ignore[attr-defined]
        middle = [line.strip() for line in lines[start : end - 1]]
        text = [first[node.col_offset :].decode("utf-8", "replace"), *middle, last[: node.end_col_offset].decode("utf-8", "replace")]  # type: ignore[attr-defined]
        return " ".join(part.strip() for part in text)

    interpreter = _FunctionInterpreter(model, segment, function, {}, namer, owner, receiver, project)
    interpreter.initial = _request_params(function, cls, model, namer, interpreter)
    if receiver is not None and receiver not in interpreter.initial:
        interpreter.unlabelled.add(receiver)
    try:
        interpreter.summarise()
    except RecursionError:
        pass  # an expression nested beyond reason: the summary holds what was found before it
    sites = {i: _with_code(s, lines) if s.kind == "sink" else s for i, s in interpreter.made_sites().items()}
    from .summary import Edge

    edges = tuple(Edge(origin, target, done, steps) for (origin, target, done), steps in interpreter.edges.items())
    return Summary(qualname, path, function.lineno, params, receiver is not None, sites, edges)


def _with_code(site: Site, lines: list[str]) -> Site:
    """A sink site with its columns in characters (ast counts bytes), its normalised code (for
    fingerprints) and its source line (for reports)."""
    column, end_column = _chars(lines, site.line, site.column), _chars(lines, site.end_line, site.end_column)
    snippet = code_snippet(lines, site.line, column, site.end_line, end_column)
    code = lines[site.line - 1] if 0 < site.line <= len(lines) else ""
    return Site(site.id, site.kind, site.line, column, site.end_line, end_column, site.text, site.ref,
                site.cwes, snippet, code)  # fmt: skip


def _chars(lines: list[str], line: int, column: int) -> int:
    """A 1-based byte column as a 1-based character column."""
    if not 0 < line <= len(lines) or lines[line - 1].isascii():
        return column
    return len(lines[line - 1].encode("utf-8")[: column - 1].decode("utf-8", "replace")) + 1


def _request_params(function, cls, model: SemanticModel, namer: _Namer, interpreter) -> dict[str, Value]:
    """The parameters through which a handler or resolver receives client data."""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    everything = [*positional, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a is not None)]
    out: dict[str, Value] = {}
    for arg in everything:  # a request object, recognised by its annotation
        framework = _REQUEST_TYPES.get(namer.name(arg.annotation) or "") if arg.annotation is not None else None
        if framework:
            out[arg.arg] = Value(request=framework)
    role = model.role(function, cls)
    framework = role.framework if role.handler else None
    if framework == "django" and (cls is None or _view_class(cls, namer)):
        # the request object only: which other parameters are URL parameters (and of which
        # converter) the URLconf says, and the route table is not read yet
        names = [a.arg for a in positional]
        first = 1 if cls is not None else 0
        if len(names) > first and names[first] == "request":
            out.setdefault(names[first], Value(request="django"))
        if cls is not None and positional:
            out.setdefault(f"{positional[0].arg}.request", Value(request="django"))
    elif framework in ("flask", "fastapi") or framework is None and _dependency(function, model, namer):
        defaults = _defaults(args)
        for arg in everything:
            if arg.arg in out or arg.arg in ("self", "cls"):
                continue
            kind = "text" if framework == "flask" else _parameter_kind(arg, namer, defaults.get(arg.arg))
            if kind == "text":
                out[arg.arg] = interpreter.source(arg, "request")
            elif isinstance(kind, ast.Call):  # Depends(tenant): what the dependency returns
                call = ast.Call(func=kind.args[0], args=[], keywords=[])
                out[arg.arg] = interpreter.call_site(ast.copy_location(call, kind), None, [], {})
            elif kind == "schema":
                source = interpreter.source(arg, "request")
                out[arg.arg] = Value({(origin, frozenset({20})): steps for (origin, _), steps in source.labels.items()})
    elif model.imports_module("aiohttp") and positional:  # a handler, or a helper handed the request
        first = positional[1] if cls is not None and len(positional) > 1 else positional[0]
        if first.arg == "request":
            out.setdefault("request", Value(request="aiohttp"))
        if cls is not None:
            out.setdefault(f"{positional[0].arg}.request", Value(request="aiohttp"))
    out.update(_resolver_params(function, cls, namer, interpreter, everything))
    return out


def _view_class(cls: ast.ClassDef, namer: _Namer) -> bool:
    """A Django or DRF class-based view (not any class with a Django base: a model, a cache backend)."""
    return any((namer.name(b) or "").endswith(("View", "ViewSet", "APIView", "ViewMixin")) for b in cls.bases)


_DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"})
_PARAMETERS = frozenset({f"fastapi.{k}" for k in ("Query", "Header", "Cookie", "Body", "Path", "Form", "File")})


def _defaults(args: ast.arguments) -> dict[str, ast.expr]:
    positional = [*args.posonlyargs, *args.args]
    out = {a.arg: d for a, d in zip(positional[len(positional) - len(args.defaults) :], args.defaults)}
    out.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    return out


def _dependency(function, model: SemanticModel, namer: _Namer) -> bool:
    """A FastAPI dependency (`def tenant(x_tenant: str = Header(...))`): a function whose parameters
    FastAPI fills from the request, as it does an endpoint's."""
    if not model.imports_module("fastapi"):
        return False
    markers = [*_defaults(function.args).values()]
    markers += [m for a in (*function.args.args, *function.args.kwonlyargs) if isinstance(a.annotation, ast.Subscript)
                for m in (a.annotation.slice.elts[1:] if isinstance(a.annotation.slice, ast.Tuple) else ())]  # fmt: skip
    return any(isinstance(m, ast.Call) and (namer.name(m.func) or "") in _PARAMETERS for m in markers)


def _depends(node: ast.expr | None, namer: _Namer) -> ast.Call | None:
    """`Depends(tenant)`: the marker of a parameter FastAPI fills with what `tenant` returns."""
    if isinstance(node, ast.Call) and node.args and (namer.name(node.func) or "") in _DEPENDS:
        return node
    return None


def _parameter_kind(arg: ast.arg, namer: _Namer, default: ast.expr | None = None) -> str | ast.Call:
    """How a FastAPI endpoint parameter arrives: "text" (a string the client chose), "schema" (a
    validated model), "scalar" (a number, a date, an id: no text), "other" (a session, a
    dependency of unknown origin) or the `Depends(...)` call of a dependency."""
    depends = _depends(default, namer)
    if depends is not None:
        return depends
    annotation = arg.annotation
    if annotation is None:
        return "text"
    if isinstance(annotation, ast.Subscript):  # Optional[str], list[str], Annotated[str, Query()]
        parts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        outer = namer.name(annotation.value) or ""
        if outer.endswith("Annotated"):
            for meta in parts[1:]:
                depends = _depends(meta, namer)
                if depends is not None:
                    return depends
        return _parameter_kind(ast.arg(arg=arg.arg, annotation=parts[0]), namer)
    if isinstance(annotation, ast.BinOp):  # str | None
        return _parameter_kind(ast.arg(arg=arg.arg, annotation=annotation.left), namer)
    name = namer.name(annotation) or ast.unparse(annotation)
    if name in ("str", "bytes", "typing.Any", "Any") or name.endswith(("UploadFile", "EmailStr", "HttpUrl", "AnyUrl")):
        return "text"
    if name in _SCALARS or name.rsplit(".", 1)[-1] in _SCALARS:
        return "scalar"
    if name.startswith(("sqlalchemy.", "fastapi.", "starlette.")) or name.rsplit(".", 1)[-1] in ("Session", "AsyncSession"):
        return "other"
    return "schema" if name[:1].isupper() or "." in name else "other"


def _resolver_params(function, cls, namer: _Namer, interpreter, everything) -> dict[str, Value]:
    """GraphQL resolver arguments: graphene `resolve_*` / `mutate` methods, strawberry fields,
    ariadne resolvers (`@query.field("…")`)."""
    decorators = [namer.name(d.func if isinstance(d, ast.Call) else d) or "" for d in function.decorator_list]
    skip = 0
    if cls is not None and (function.name.startswith("resolve_") or function.name == "mutate"):
        bases = [namer.name(b) or "" for b in cls.bases]
        if any(b.startswith(_GRAPHQL_BASES) or b.startswith("graphene.") for b in bases):
            skip = 2  # (root or self, info)
    if any(d.startswith("strawberry.") for d in decorators):
        skip = 1 if cls is not None else 0
    if any(d.endswith(".field") and isinstance(dec, ast.Call) and dec.args
           for d, dec in zip(decorators, function.decorator_list)) and namer.model.imports_module("ariadne"):  # fmt: skip
        skip = 2
    if not skip:
        return {}
    out = {}
    for arg in everything[skip:]:
        if arg.arg == "info":
            continue
        # GraphQL has checked that an `id: int` argument is a number; an input type's fields are text
        if _parameter_kind(arg, namer) in ("text", "schema"):
            out[arg.arg] = interpreter.source(arg, "request")
    return out
