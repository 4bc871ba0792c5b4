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
from .expressions import _table
from .interpret import Interpreter, _raising_check
from .routes import flask_safe_params
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
    checks: dict | None = None
    for function, qualname, cls in _functions(tree, module):
        if which is None or which(qualname, _reads_request(function, cls, model, namer, globals_imported)):
            checks = _validators(tree, module, namer) if checks is None else checks
            summaries.append(_summarise(function, qualname, cls, path, lines, model, namer, own, checks))
    return facts, summaries


def summarise_only(tree: ast.Module, path: str, module: str, is_package: bool, lines: list[str],
                   names: set[str], project: frozenset[str] | None = None, model: SemanticModel | None = None,
                   ) -> list[Summary]:  # fmt: skip
    """The summaries of the functions `names` of one module (those the link phase found request
    data may reach)."""
    model = model or SemanticModel(tree, path)
    namer = _Namer(model, module, is_package)
    own = None if project is None else project | {module.split(".")[0]}
    checks = _validators(tree, module, namer)
    return [_summarise(function, qualname, cls, path, lines, model, namer, own, checks)
            for function, qualname, cls in _functions(tree, module) if qualname in names]  # fmt: skip


def _validators(tree: ast.Module, module: str, namer: _Namer) -> dict[str, tuple[tuple[str, ...], bool, frozenset[str]]]:
    """The module's functions that check a parameter before anything else and raise when it is
    bad (`validate_id(x)`, `if not ok(x): raise ...` among their first statements): qualname ->
    (parameters, whether a method bound to an instance, the parameters checked). A call of one
    checks what it is given, for the code after it."""
    out = {}
    for function, qualname, cls in _functions(tree, module):
        args = function.args
        params = tuple(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
        checked: set[str] = set()
        for stmt in function.body:
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue  # the docstring
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and _raising_check(stmt.value):
                checked |= {a.id for a in stmt.value.args if isinstance(a, ast.Name)}
            elif isinstance(stmt, ast.If) and not stmt.orelse and stmt.body and isinstance(stmt.body[-1], ast.Raise):
                checked |= {n.id for n in ast.walk(stmt.test) if isinstance(n, ast.Name)}
            else:
                break  # the checks come first
        checked &= set(params)
        if checked:
            decorators = {namer.name(d) or "" for d in function.decorator_list}
            bound = cls is not None and "staticmethod" not in decorators
            out[qualname] = (params, bound, frozenset(checked))
    return out


def _reads_request(function, cls, model: SemanticModel, namer: _Namer, globals_imported: bool) -> bool:
    """Whether a function may read request data: a handler or resolver that receives some, or a
    function that reads a request global (`flask.request.args`). Cheap and generous: it decides
    which functions are summarised in the workers, the others being summarised only if the link
    phase finds request data may reach them."""
    if _request_params(function, cls, model, namer, _Probe()):
        return True
    if cls is not None and _reads_url_kwargs(function) and model.imports_module("django") and _view_class(cls, namer):
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


def _reads_url_kwargs(function) -> bool:
    """Whether a method reads `self.kwargs` (a class-based view's URL parameters)."""
    receiver = function.args.args[0].arg if function.args.args else None
    return receiver is not None and any(
        isinstance(n, ast.Attribute) and n.attr == "kwargs" and isinstance(n.value, ast.Name) and n.value.id == receiver
        for n in ast.walk(function)
    )


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

    def source(self, node, kind, framework="") -> Value:
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


_VALIDATED = frozenset({"cleaned_data", "validated_data"})
_DATA_ATTRIBUTES = frozenset({"cleaned_data", "validated_data", "data", "initial_data", "files", "changed_data",
                              "value", "values", "text", "content", "body", "payload", "params", "args"})  # fmt: skip


class _FunctionInterpreter(Interpreter):
    def __init__(self, model, segment, function, request_params, namer: _Namer, owner: str | None, receiver: str | None,
                 project: frozenset[str] | None):  # fmt: skip
        super().__init__(model, segment, function, request_params)
        self.namer, self.owner, self.receiver, self.project = namer, owner, receiver, project
        self.instances: dict[str, str] = {}
        self.schemas: dict[str, str] = {}  # a dict of validated data -> the class whose fields it holds
        self.typed_params: dict[str, str] = {}  # a parameter the framework validated -> its schema class
        self.view = False  # a method of a Django class-based view (its `self.kwargs` are URL parameters)
        self.validators: dict[str, tuple[tuple[str, ...], bool, frozenset[str]]] = {}

    def reference(self, node: ast.Call) -> str | None:
        ref = _reference(node.func, self.owner, self.receiver, self.instances, self.namer)
        if ref is None or self.project is None or ref.split(".")[0] in self.project:
            return ref
        return None  # a library's: its result carries nothing

    def own(self, qualified: str) -> bool:
        return self.project is None or self.namer.absolute(qualified).split(".")[0] in self.project

    def validated(self, call: ast.Call) -> set[str]:
        """The variables a call of one of the module's validating functions checks
        (`get_session_file(session_id)` where it raises unless the id is a UUID)."""
        ref = _reference(call.func, self.owner, self.receiver, self.instances, self.namer)
        found = self.validators.get(ref or "")
        if found is None:
            return set()
        params, bound, checked = found
        out = set()
        for i, arg in enumerate(call.args):
            position = i + (1 if bound else 0)
            if position < len(params) and params[position] in checked:
                name = self.dotted(arg)
                if name:
                    out.add(name)
        for keyword in call.keywords:
            if keyword.arg in checked:
                name = self.dotted(keyword.value)
                if name:
                    out.add(name)
        return out

    def do_Expr(self, stmt, state):
        state = super().do_Expr(stmt, state)
        if state is not None and state.vars and self.validators and isinstance(stmt.value, ast.Call):
            self.clean(state, self.validated(stmt.value))
        return state

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

    def is_object(self, node: ast.AST | None) -> bool:
        """`GetMerchantRequest(merchant_id)` given to `client.execute(...)`: an object of the
        project's, not text; what its methods make of its data is their summaries' business."""
        return self._instance_of_own_class(node)

    def _instance_of_own_class(self, node: ast.AST | None) -> bool:
        if isinstance(node, ast.Call):
            made = self.namer.name(node.func)
        elif isinstance(node, ast.Name):
            made = self.instances.get(node.id)
        else:
            return False
        return bool(made) and self.own(made) and made.rsplit(".", 1)[-1][:1].isupper()  # type: ignore[union-attr]

    # -- fields of validated data -------------------------------------------------------------
    def field_read(self, node: ast.AST, cls: str, key: str, value: Value) -> Value:
        """`value` read from field `key` of a `cls` form, serializer or schema: the linker lets it
        through unless the field holds no client text (an IntegerField, a Literal, ...)."""
        if value.is_clean():
            return value
        index = self.site(node, "field", None, f"{cls}:{key}")
        if index is None:
            return value
        self.reach(value, ("a", index, 0))
        return Value({(("r", index), frozenset()): ()})

    def schema_of(self, node: ast.AST) -> str | None:
        """The class whose fields reading `node[key]` gives: `form.cleaned_data`,
        `serializer.validated_data` (of an instance of the project's, or the class's own), or a
        name bound to such data (`data = form.cleaned_data`, `data = ExportSchema().load(...)`)."""
        if isinstance(node, ast.Name):
            return self.schemas.get(node.id)
        if isinstance(node, ast.Attribute) and node.attr in _VALIDATED and isinstance(node.value, ast.Name):
            who = node.value.id
            if who == self.receiver and self.owner:
                return self.owner
            made = self.instances.get(who)
            if made and self.own(made):
                return made
        return None

    def _loaded(self, value: ast.expr) -> str | None:
        """The schema class of `Schema().load(data)` / `schema.load(data)`, or of `form.cleaned_data`."""
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "load":
            made = value.func.value
            cls = self.namer.name(made.func) if isinstance(made, ast.Call) else None
            if isinstance(made, ast.Name):
                cls = self.instances.get(made.id)
            return cls if cls and self.own(cls) else None
        return self.schema_of(value) if isinstance(value, ast.Attribute) else None

    def url_kwarg(self, node: ast.AST, base: ast.AST, key: ast.AST) -> Value | None:
        """`self.kwargs["name"]` in a class-based view: the URL parameter `name`, a source when the
        route table says the view's URL gives it as text (the linker asks it)."""
        if (self.view and isinstance(base, ast.Attribute) and base.attr == "kwargs" and isinstance(base.value, ast.Name)
                and base.value.id == self.receiver and isinstance(key, ast.Constant) and isinstance(key.value, str)):  # fmt: skip
            return self.source(node, f"url:{key.value}")
        return None

    def ev_Subscript(self, node: ast.Subscript, state) -> Value:
        found = self.url_kwarg(node, node.value, node.slice)
        if found is not None:
            return found
        value = super().ev_Subscript(node, state)
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            cls = self.schema_of(node.value)
            if cls:
                return self.field_read(node, cls, key.value, value)
        return value

    def ev_Call(self, node: ast.Call, state) -> Value:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and node.args:
            found = self.url_kwarg(node, func.value, node.args[0])
            if found is not None:
                return found
        value = super().ev_Call(node, state)
        if isinstance(func, ast.Attribute) and func.attr == "get" and node.args:
            key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                cls = self.schema_of(func.value)
                if cls:
                    return self.field_read(node, cls, key.value, value)
        return value

    def ev_Attribute(self, node: ast.Attribute, state) -> Value:
        base = node.value
        if isinstance(base, ast.Name) and base.id in self.typed_params and state.vars.get(base.id) is self.initial.get(base.id):
            return self.field_read(node, self.typed_params[base.id], node.attr, super().ev_Attribute(node, state))
        return self._attribute(node, state)

    def _attribute(self, node: ast.Attribute, state) -> Value:
        """An instance of the project's classes carries what it was made with in its data
        (`form.cleaned_data`, `serializer.validated_data`), not in every attribute: `form.instance`
        is a model object, `client.base_url` the class's own."""
        value = super().ev_Attribute(node, state)
        base = node.value
        if value.is_clean() or node.attr in _DATA_ATTRIBUTES or not isinstance(base, ast.Name):
            return value
        if self._instance_of_own_class(base) and self.dotted(node) not in state.vars:
            return Value()
        return value

    def do_Assign(self, stmt, state):
        if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            cls = self._loaded(stmt.value)
            self._instance(name, stmt.value)
            self.typed_params.pop(name, None)
            if cls:
                self.schemas[name] = cls
            else:
                self.schemas.pop(name, None)
        state = super().do_Assign(stmt, state)
        if state.vars and self.validators and isinstance(stmt.value, ast.Call):
            self.clean(state, self.validated(stmt.value))
        return state

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


_FunctionInterpreter._evaluators = _table(_FunctionInterpreter, "ev_")  # type: ignore[attr-defined]


def _summarise(function, qualname: str, cls: ast.ClassDef | None, path: str, lines: list[str],
               model: SemanticModel, namer: _Namer, project: frozenset[str] | None, checks: dict | None = None,
               ) -> Summary:  # fmt: skip
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
    interpreter.validators = checks or {}
    interpreter.initial = _request_params(function, cls, model, namer, interpreter)
    interpreter.typed_params = _schema_params(function, interpreter.initial, namer, interpreter.own)
    interpreter.view = cls is not None and model.imports_module("django") and _view_class(cls, namer)
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
        numbers = _flask_numbers(function) if framework == "flask" else frozenset()
        for arg in everything:
            if arg.arg in out or arg.arg in ("self", "cls") or arg.arg in numbers:
                continue
            kind = "text" if framework == "flask" else _parameter_kind(arg, namer, defaults.get(arg.arg))
            if kind == "raw":  # a dict or Any body: nothing checked it
                out[arg.arg] = interpreter.source(arg, "request", framework or "fastapi")
            elif kind == "text":  # declared, so checked to be a string (a Flask converter matched it)
                out[arg.arg] = _typed(interpreter.source(arg, "request", framework or "fastapi"))
            elif isinstance(kind, ast.Call):  # Depends(tenant): what the dependency returns
                call = ast.Call(func=kind.args[0], args=[], keywords=[])
                out[arg.arg] = interpreter.call_site(ast.copy_location(call, kind), None, [], {})
            elif kind == "schema":
                out[arg.arg] = _typed(interpreter.source(arg, "request", "fastapi"))
    elif model.imports_module("aiohttp") and positional:  # a handler, or a helper handed the request
        first = positional[1] if cls is not None and len(positional) > 1 else positional[0]
        if first.arg == "request":
            out.setdefault("request", Value(request="aiohttp"))
        if cls is not None:
            out.setdefault(f"{positional[0].arg}.request", Value(request="aiohttp"))
    out.update(_resolver_params(function, cls, namer, interpreter, everything))
    return out


def _schema_params(function, initial: dict[str, Value], namer: _Namer, own) -> dict[str, str]:
    """The request parameters annotated with one of the project's schema classes (`body:
    ReportRequest`, `Optional[ReportRequest]`, `Annotated[ReportRequest, Body()]`): parameter -> class."""
    out = {}
    args = function.args
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        annotation = arg.annotation
        if arg.arg not in initial or annotation is None or initial[arg.arg].request is not None:
            continue  # not a request parameter, or the request object itself (`request: AuthedRequest`)
        while isinstance(annotation, ast.Subscript) and (namer.name(annotation.value) or "").endswith(("Optional", "Annotated")):
            annotation = annotation.slice.elts[0] if isinstance(annotation.slice, ast.Tuple) else annotation.slice
        if isinstance(annotation, ast.BinOp):  # ReportRequest | None
            annotation = annotation.left
        name = namer.name(annotation) if isinstance(annotation, (ast.Name, ast.Attribute)) else None
        if name and own(name) and name.rsplit(".", 1)[-1][:1].isupper():
            out[arg.arg] = name
    return out


def _typed(value: Value) -> Value:
    """Data whose shape the framework checked (a declared type, a model, a converter): validated
    input (CWE-20), though its text is text still."""
    return Value({(origin, frozenset({20})): steps for (origin, _), steps in value.labels.items()})


def _flask_numbers(function) -> frozenset[str]:
    """The URL parameters a Flask route converts to numbers or ids (`<int:order_id>`)."""
    out: set[str] = set()
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and decorator.args:
            path = decorator.args[0]
            if isinstance(path, ast.Constant) and isinstance(path.value, str):
                out |= flask_safe_params(path.value)
    return frozenset(out)


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
    """How a FastAPI endpoint parameter arrives: "raw" (a dict or Any body: unchecked), "text" (a
    string the client chose, checked to be one), "schema" (a validated model), "scalar" (a number, a date, an id: no text), "other" (a session, a
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
    if name in ("typing.Any", "Any", "dict", "typing.Dict", "Dict", "typing.Mapping", "collections.abc.Mapping", "object"):
        return "raw"
    if name in ("str", "bytes") or name.endswith(("UploadFile", "EmailStr", "HttpUrl", "AnyUrl")):
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
        if _parameter_kind(arg, namer) in ("text", "schema", "raw"):
            out[arg.arg] = _typed(interpreter.source(arg, "request", "graphql"))
    return out
