"""The route table: which function answers which URL, and which of its parameters the URL fills.

Django's URLconfs are read per file (`path("docs/<str:name>/", views.document)`, `re_path` named
groups, `include(...)` with its prefix, class-based views' `as_view()`); Flask's converters are
in the route decorator (`@app.get("/u/<int:uid>")`) and read with the handler. A parameter is
client text unless its converter or pattern allows only digits, an id or a slug (`int`, `uuid`,
`slug`, `[0-9]+`, `[-\\w]+`): those cannot carry a quote, a slash or a tag. Custom converters
(`register_converter`) validate what they match and are left out.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..model import TraceStep
from ..project.facts import _Namer

_DJANGO_ROUTES = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url"})
_INCLUDE = frozenset({"django.urls.include", "django.conf.urls.include"})
# what a module imports to call one of them: the function, its module, or `django` (`django.urls.path(...)`)
_ROUTE_IMPORTS = _DJANGO_ROUTES | {"django.urls", "django.conf.urls", "django"}
_PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")
_GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()\\]|\\.|\([^()]*\))*)\)")
_TEXT_CONVERTERS = frozenset({"str", "path"})
_SAFE_CONVERTERS = frozenset({"int", "uuid", "slug"})
_SAFE_PATTERN = re.compile(r"^(?:\\d|\[0-9\]|\[\\w-\]|\[-\\w\]|\[\\w\\-\]|\[a-zA-Z0-9_-\]|\[-a-zA-Z0-9_\]|\[a-z0-9-\]|\\w)[+*]?(?:\{\d+(?:,\d*)?\})?$")
HANDLER_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


@dataclass(frozen=True)
class Route:
    """One route of a URLconf: the view it names (a function, a class whose `as_view()` is
    routed, or a URLconf module it includes), the URL parameters that are client text, where."""

    target: str  # qualified name (a function, a class) or, with `include`, a module
    params: tuple[str, ...]  # URL parameters that carry client text
    line: int
    pattern: str
    include: bool = False

    def to_record(self) -> list:
        return [self.target, list(self.params), self.line, self.pattern, self.include]

    @classmethod
    def from_record(cls, data: list) -> Route:
        target, params, line, pattern, include = data
        return cls(target, tuple(params), line, pattern, include)


def django_routes(tree: ast.Module, namer: _Namer) -> list[Route]:
    """The routes a module's `path()` / `re_path()` calls declare (anywhere in the module)."""
    if not any(target in _ROUTE_IMPORTS for target in namer.model.imports.values()):
        return []  # most modules of a Django project import django, few its URL functions
    out = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and len(node.args) >= 2):
            continue
        kind = namer.name(node.func) or ""
        if kind not in _DJANGO_ROUTES:
            continue
        pattern = node.args[0]
        if not (isinstance(pattern, ast.Constant) and isinstance(pattern.value, str)):
            continue
        params = _text_params(pattern.value, regex=not kind.endswith(".path"))
        view = node.args[1]
        if isinstance(view, ast.Call) and (namer.name(view.func) or "") in _INCLUDE and view.args:
            included = view.args[0]
            target = included.value if isinstance(included, ast.Constant) and isinstance(included.value, str) else namer.name(included)
            if target:
                out.append(Route(target, params, node.lineno, pattern.value, include=True))
            continue
        if isinstance(view, ast.Call) and isinstance(view.func, ast.Attribute) and view.func.attr == "as_view":
            view = view.func.value
        target = namer.name(view)
        if target:
            out.append(Route(target, params, node.lineno, pattern.value))
    return out


def flask_safe_params(path: str) -> frozenset[str]:
    """The parameters of a Flask route that carry no text: `<int:id>`, `<float:x>`, `<uuid:key>`."""
    return frozenset(name for conv, name in _PLACEHOLDER.findall(path) if conv in ("int", "float", "uuid"))


def _text_params(pattern: str, regex: bool) -> tuple[str, ...]:
    if not regex:
        return tuple(name for conv, name in _PLACEHOLDER.findall(pattern) if (conv or "str") in _TEXT_CONVERTERS)
    return tuple(name for name, body in _GROUP.findall(pattern) if not _SAFE_PATTERN.match(body))


def view_params(confs: dict[str, tuple[str, list[Route]]], index) -> dict[str, list[tuple[str, TraceStep]]]:
    """Function qualname -> (parameter, where the URL declares it) for each URL parameter that
    carries client text, with the parameters of the `include()` prefixes above it. `confs`:
    URLconf module -> (its path, its routes); `index`: the project index."""
    out: dict[str, list[tuple[str, TraceStep]]] = {}
    included = {r.target for _, routes in confs.values() for r in routes if r.include}

    def visit(module: str, prefix: tuple, depth: int) -> None:
        if depth > 8 or module not in confs:
            return
        path, routes = confs[module]
        for route in routes:
            here = prefix + tuple((p, TraceStep(path, route.line, f"<{p}> of {route.pattern!r}")) for p in route.params)
            if route.include:
                visit(route.target, here, depth + 1)
            elif here:
                for function in _views(route.target, index):
                    out.setdefault(function, []).extend(here)

    for module in sorted(confs):
        if module not in included:
            visit(module, (), 0)
    return out


def _views(target: str, index) -> list[str]:
    """The functions a routed view runs: the function, or a class-based view's handler methods
    and the class itself (its methods read the parameters as `self.kwargs`)."""
    resolved = index.resolve(target)
    if resolved in index.functions:
        return [resolved]
    if resolved in index.classes:
        methods = (index.resolve(f"{resolved}.{m}") for m in HANDLER_METHODS)
        return [m for m in methods if m in index.functions] + [resolved]
    return []
