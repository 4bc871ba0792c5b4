"""The per-file semantic model every native rule queries instead of re-deriving it.

Built once per file, complete before any rule runs: nothing a rule or the engine's walk does changes
its answers, so they never depend on the order in which code is visited. Construction reads the
module's statements (not its expressions: no extra walk of the tree). Answers: qualified names of
expressions (every import of the module, `from x import y as z`, aliases), module constants and
folded constant expressions, instances created at module level (`app = Flask(__name__)`), the
framework role of a function, and, through `flow(function)`, the def-use table of a function (which
values a local name is given, where it is used), built on first question and kept for the file.
"""

from __future__ import annotations

import ast
import builtins
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .flow import models
from .flow.constants import NOT_CONSTANT, const_value, fold, is_constant
from .flow.defuse import DefUse

_BUILTINS = frozenset(dir(builtins))
_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_DRF_ACTIONS = frozenset({"list", "create", "retrieve", "update", "partial_update", "destroy"})
_VIEW_METHODS = _HTTP_METHODS | _DRF_ACTIONS


@dataclass(frozen=True)
class FunctionRole:
    """What a function is for: `framework` is flask/fastapi/django/cli or None."""

    framework: str | None = None
    handler: bool = False  # a request handler (route, endpoint, view)
    cli: bool = False  # a command-line entry point (click/typer command)


NO_ROLE = FunctionRole()


class SemanticModel:
    def __init__(self, tree: ast.Module, module_path: str = "") -> None:
        self.tree = tree
        self.module_path = module_path
        self.imports: dict[str, str] = {}  # every import of the module: name -> qualified name
        self.constants: dict[str, object] = {}
        self.instances: dict[str, str] = {}  # module name -> qualified name of the class it instantiates
        self.module_defs: set[str] = set()  # names (re)bound at module level by def/class/assignment
        self._assign_counts: dict[str, int] = {}
        # the import statements `imports` was built from, by id (held, so that no other node can
        # take an id of theirs while the model lives)
        self._collected: dict[int, ast.AST] = {}
        # answers computed on their first question (per function, class or module) and kept for the file
        self._flows: dict[int, DefUse] = {}
        self._roles: dict[int, FunctionRole] = {}
        self._imported_modules: dict[str, bool] = {}
        self._view_classes: dict[int, str | None] = {}
        self._classes: list[ast.ClassDef] = []  # the module-level classes
        self._scan_module(tree.body)
        self.main_guard_lines = self._main_guard_lines(tree)
        self._main_guard_calls = self._collect_main_guard_calls()
        self._class_bases = self._collect_class_bases()

    # -- building ------------------------------------------------------------------------------
    def _scan_module(self, body: list[ast.stmt]) -> None:
        pending: list[tuple[str, ast.expr]] = []
        nested: list[ast.Import | ast.ImportFrom] = []  # imports inside functions, classes, loops
        for stmt in self._top_level(body):
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self._bind_import(stmt, rebind=True)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.module_defs.add(stmt.name)
                if stmt.__class__ is ast.ClassDef:
                    self._classes.append(stmt)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self._assign_counts[target.id] = self._assign_counts.get(target.id, 0) + 1
                        self.module_defs.add(target.id)
                        pending.append((target.id, stmt.value))
            if stmt.__class__ in _BLOCKS and stmt.__class__ not in _TOP_LEVEL_BLOCKS:
                nested.extend(_imports_within(stmt))
        for stmt in nested:  # after every module-level one, which they never rebind
            self._bind_import(stmt, rebind=False)
        for name, value in pending:
            if self._assign_counts[name] != 1:
                continue
            folded = self.fold(value)
            if folded is not NOT_CONSTANT:
                self.constants[name] = folded
            elif isinstance(value, ast.Call):
                qn = self.qualname(value.func)
                if qn:
                    self.instances[name] = qn

    @staticmethod
    def _top_level(body: list[ast.stmt]):
        """Module statements, looking into if/try/with blocks but not into functions or classes."""
        stack = list(reversed(body))
        while stack:
            stmt = stack.pop()
            yield stmt
            if isinstance(stmt, (ast.If, ast.With, ast.AsyncWith)):
                stack.extend(reversed(stmt.body + getattr(stmt, "orelse", [])))
            elif isinstance(stmt, ast.Try):
                nested = stmt.body + [s for h in stmt.handlers for s in h.body] + stmt.orelse + stmt.finalbody
                stack.extend(reversed(nested))

    def _bind_import(self, node: ast.Import | ast.ImportFrom, rebind: bool) -> None:
        """Module-level imports bind as Python does (a later one rebinds a name); nested ones only
        bind names no import has bound yet (`import a.b` never rebinds `a`)."""
        self._collected[id(node)] = node
        imports = self.imports
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and (rebind or alias.asname not in imports):
                    imports[alias.asname] = alias.name
                elif not alias.asname:
                    head = alias.name.split(".")[0]
                    imports.setdefault(head, head)
        else:
            module = "." * node.level + (node.module or "")
            prefix = module if module.endswith(".") else module + "."
            for alias in node.names:
                bound = alias.asname or alias.name
                if alias.name != "*" and (rebind or bound not in imports):
                    imports[bound] = prefix + alias.name

    def add_import(self, node: ast.Import | ast.ImportFrom) -> None:
        """Every import of the tree is collected at construction, so for those this does nothing
        (the engine's walk still hands nested imports here). Another tree's import is bound like a
        nested one, and the answers derived from the imports are recomputed."""
        if self._collected.get(id(node)) is node:
            return
        self._bind_import(node, rebind=False)
        self._imported_modules.clear()
        self._view_classes.clear()
        self._roles.clear()
        self._class_bases = self._collect_class_bases()

    @staticmethod
    def _main_guard_lines(tree: ast.Module) -> tuple[tuple[int, int], ...]:
        spans = []
        for stmt in tree.body:
            if (
                isinstance(stmt, ast.If)
                and isinstance(stmt.test, ast.Compare)
                and isinstance(stmt.test.left, ast.Name)
                and stmt.test.left.id == "__name__"
                and len(stmt.test.comparators) == 1
                and const_value(stmt.test.comparators[0]) == "__main__"
            ):
                spans.append((stmt.lineno, stmt.end_lineno or stmt.lineno))
        return tuple(spans)

    # -- names ---------------------------------------------------------------------------------
    def qualname(self, node: ast.AST) -> str | None:
        """`subprocess.run` for `run` after `from subprocess import run`; `print` for the builtin."""
        cls = node.__class__  # asked ~150 times per file: the common shapes first (ast never subclasses these)
        if cls is ast.Name:
            base = self.imports.get(node.id)
            if base is None:
                return node.id if node.id in _BUILTINS and node.id not in self.module_defs else None
            return base
        if cls is not ast.Attribute:
            return None
        attrs = []
        while node.__class__ is ast.Attribute:
            attrs.append(node.attr)
            node = node.value
        if node.__class__ is not ast.Name:
            return None
        base = self.imports.get(node.id)
        if base is None:
            if node.id in _BUILTINS and node.id not in self.module_defs and not attrs:
                return node.id
            return None
        return ".".join([base, *reversed(attrs)])

    def call_name(self, call: ast.Call) -> str | None:
        return self.qualname(call.func)

    def instance_of(self, node: ast.AST) -> str | None:
        """For a module-level name bound to `Cls(...)`, the qualified name of `Cls`."""
        if isinstance(node, ast.Name):
            return self.instances.get(node.id)
        return None

    def imports_module(self, prefix: str) -> bool:
        found = self._imported_modules.get(prefix)
        if found is None:
            dotted = prefix + "."
            found = self._imported_modules[prefix] = any(q == prefix or q.startswith(dotted) for q in self.imports.values())
        return found

    def in_main_guard(self, line: int) -> bool:
        return any(start <= line <= end for start, end in self.main_guard_lines)

    # -- constants -----------------------------------------------------------------------------
    def fold(self, node: ast.AST) -> object:
        """The value of a constant expression (module constants folded in), or NOT_CONSTANT."""
        return fold(node, self.constants)

    def is_constant(self, node: ast.AST) -> bool:
        """Whether every value the expression can take is fixed in the source (`flow.constants`)."""
        return is_constant(node, self.constants)

    # -- frameworks ----------------------------------------------------------------------------
    def role(self, function: ast.AST, enclosing_class: ast.ClassDef | None = None) -> FunctionRole:
        key = id(function)
        cached = self._roles.get(key)
        if cached is None:
            cached = self._roles[key] = self._compute_role(function, enclosing_class)
        return cached

    def _compute_role(self, function: ast.AST, cls: ast.ClassDef | None) -> FunctionRole:
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return NO_ROLE
        for deco in function.decorator_list:
            role = self._decorator_role(deco.func if isinstance(deco, ast.Call) else deco)
            if role is not NO_ROLE:
                return role
        params = function.args.posonlyargs + function.args.args
        if cls is not None:
            framework = self._view_framework(cls)
            if framework == "flask":
                return FunctionRole("flask", handler=function.name in _HTTP_METHODS)
            if framework == "django":
                is_handler = function.name in _VIEW_METHODS or any(a.arg == "request" for a in params[1:2])
                return FunctionRole("django", handler=is_handler)
            return NO_ROLE
        if params and params[0].arg == "request" and self._imports_django():
            return FunctionRole("django", handler=True)
        return NO_ROLE

    def _view_framework(self, cls: ast.ClassDef) -> str | None:
        """"flask" or "django" when the bases of `cls` make its methods views (asked once per method)."""
        key = id(cls)
        if key in self._view_classes:
            return self._view_classes[key]
        base_names = [self.qualname(b) or "" for b in cls.bases]
        framework = None
        if any(b.startswith(("flask.views", "flask.")) and b.endswith("View") for b in base_names):
            framework = "flask"
        else:
            django_base = any(b.startswith(("django.", "rest_framework.")) for b in base_names)
            looks_like_view = any(b.endswith(("View", "ViewSet", "APIView", "Mixin")) for b in base_names)
            if django_base or (looks_like_view and self._imports_django()):
                framework = "django"
        self._view_classes[key] = framework
        return framework

    def _imports_django(self) -> bool:
        return self.imports_module("django") or self.imports_module("rest_framework")

    def _decorator_role(self, deco: ast.expr) -> FunctionRole:
        qn = self.qualname(deco) or ""
        if qn in ("rest_framework.decorators.api_view", "django.views.decorators.http.require_http_methods"):
            return FunctionRole("django", handler=True)
        if qn.startswith(("click.", "typer.")) and qn.rsplit(".", 1)[-1] in ("command", "group"):
            return FunctionRole("cli", cli=True)
        if not isinstance(deco, ast.Attribute):
            return NO_ROLE
        method = deco.attr
        owner = self.instance_of(deco.value) or ""
        if method in ("command", "group", "callback"):
            if owner.startswith(("click.", "typer.")) or (
                not owner and (self.imports_module("click") or self.imports_module("typer"))
            ):
                return FunctionRole("cli", cli=True)
            return NO_ROLE
        routing = method in _HTTP_METHODS or method in ("route", "api_route", "websocket")
        if not routing:
            return NO_ROLE
        if owner.startswith("flask."):
            return FunctionRole("flask", handler=True)
        if owner.startswith("fastapi."):
            return FunctionRole("fastapi", handler=True)
        uses_flask, uses_fastapi = self.imports_module("flask"), self.imports_module("fastapi")
        if uses_flask and not uses_fastapi:
            return FunctionRole("flask", handler=True)
        if uses_fastapi and not uses_flask:
            return FunctionRole("fastapi", handler=True)
        if uses_flask and uses_fastapi:
            return FunctionRole("flask" if method == "route" else "fastapi", handler=True)
        return NO_ROLE

    # -- logging, scripts and classes (used by the error-handling, logging and input-validation rules)
    def logging_call(self, call: ast.Call) -> int | None:
        """The level of a call that writes to a logger, or None when the call is not logging.

        A logger is `logging` itself, a value of `logging.getLogger(...)` / `structlog.get_logger()`
        / loguru's `logger` (module-level, local, or created inline), `app.logger`, `self.logger`, or
        a name conventionally holding one (`logger`, `_LOGGER`, `log`, `audit_logger`, imported or
        not). `.error()` on anything else (a form, `django.contrib.messages`) is not logging.
        `exception` counts as ERROR; `log(level, ...)` yields the folded level (WARNING when unknown).
        """
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in _LOG_LEVELS:
            return None
        if not self._is_logger(func.value, call):
            return None
        if func.attr == "log":
            if not call.args:
                return None
            level = self.qualname(call.args[0]) or ""
            folded = self.fold(call.args[0])
            if isinstance(folded, int):
                return folded
            return _LOG_LEVELS.get(level.rsplit(".", 1)[-1].lower(), 30)
        return _LOG_LEVELS[func.attr]

    def _is_logger(self, node: ast.expr, call: ast.Call, depth: int = 0) -> bool:
        qn, loggers = self.qualname(node) or "", _loggers()
        if qn == "logging" or qn in loggers.objects:
            return True
        if qn.startswith(("django.contrib.messages", "flask.flash")):
            return False
        if isinstance(node, ast.Call):  # logging.getLogger(__name__).info(...), logger.bind(x=1).info(...)
            if (self.qualname(node.func) or "") in loggers.factories:
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr in loggers.chains and depth < 3:
                return self._is_logger(node.func.value, call, depth + 1)
            return False
        if isinstance(node, ast.Name):
            made_by = self.instances.get(node.id)
            if made_by is not None:
                return made_by in loggers.factories
            if node.id in self.imports:  # `from .const import LOGGER`: trust the imported name
                return _logger_like(self.imports[node.id].rsplit(".", 1)[-1])
            return _logger_like(node.id)
        if isinstance(node, ast.Attribute):  # self.logger, app.logger, current_app.logger
            return _logger_like(node.attr)
        return False

    def main_guard_calls(self) -> frozenset[str]:
        """Names of module functions called under `if __name__ == "__main__":` (the script's entry)."""
        return self._main_guard_calls

    def _collect_main_guard_calls(self) -> frozenset[str]:
        called = set()
        # the guards' lines hold nothing but the guards (top-level statements), so only they are walked
        guards = [stmt for stmt in self.tree.body if self.in_main_guard(stmt.lineno)] if self.main_guard_lines else []
        for node in (n for guard in guards for n in ast.walk(guard)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and self.in_main_guard(node.lineno):
                called.add(node.func.id)
        return frozenset(called)

    def class_bases(self, name: str) -> tuple[str, ...]:
        """Qualified names (or bare names, when unresolved) of the bases of a module-level class."""
        return self._class_bases.get(name, ())

    def _collect_class_bases(self) -> dict[str, tuple[str, ...]]:
        return {c.name: tuple(self.qualname(b) or _unparsed(b) for b in c.bases) for c in self._classes}

    # -- function bodies -----------------------------------------------------------------------
    def flow(self, scope: ast.AST) -> DefUse:
        """The def-use table of a function (or lambda, class body, module), built once per file."""
        table = self._flows.get(id(scope))
        if table is None:
            table = self._flows[id(scope)] = DefUse(scope)
        return table

    def local_values(self, function: ast.AST | None, name: str) -> list[ast.expr]:
        """Expressions assigned to `name` inside `function` (`x = …`, `x: T = …`, `x += …`, `x := …`),
        in source order."""
        return [] if function is None else self.flow(function).values(name)

    def local_assignments(self, function: ast.AST | None, name: str) -> list[ast.AST]:
        """The statements binding `name` inside `function` to an expression, in source order: `Assign`,
        `AnnAssign`, `AugAssign` (so `q += …` can be told apart from `q = …`) and `NamedExpr`.
        Nested functions and classes bind their own names."""
        return [] if function is None else self.flow(function).assignments(name)

    def module_mapping(self, name: str) -> ast.Dict | None:
        """The dict literal a module-level name is bound to once (`SORT_COLUMNS = {"new": "created_at"}`)."""
        if self._assign_counts.get(name) != 1:
            return None
        for stmt in self._top_level(self.tree.body):
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Dict):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    return stmt.value
        return None


_LOG_LEVELS = {
    "debug": 10, "info": 20, "warning": 30, "warn": 30, "error": 40, "exception": 40,
    "critical": 50, "fatal": 50, "success": 25, "trace": 5, "msg": 20, "log": 0,
}  # fmt: skip


class _Loggers(NamedTuple):
    factories: frozenset[str]  # calls returning a logger: logging.getLogger, structlog.get_logger
    objects: frozenset[str]  # loggers imported by name: loguru.logger, logging.root
    chains: frozenset[str]  # logger methods returning a logger: bind, opt, getChild


@lru_cache(maxsize=1)
def _loggers() -> _Loggers:
    return _Loggers(models.qualified("logger-factory"), models.qualified("logger"), models.names("logger-method"))


def _logger_like(name: str) -> bool:
    lowered = name.lower().lstrip("_")
    return lowered in ("log", "logger", "logs") or lowered.endswith(("logger", "_log"))


def _unparsed(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else ast.unparse(node)


# Nodes that hold statements, and the fields holding them (or the except handlers and match cases
# that do).
_BLOCKS: dict[type, tuple[str, ...]] = {
    ast.FunctionDef: ("body",), ast.AsyncFunctionDef: ("body",), ast.ClassDef: ("body",),
    ast.ExceptHandler: ("body",), ast.match_case: ("body",),
    ast.If: ("body", "orelse"), ast.For: ("body", "orelse"), ast.AsyncFor: ("body", "orelse"),
    ast.While: ("body", "orelse"), ast.With: ("body",), ast.AsyncWith: ("body",),
    ast.Try: ("body", "handlers", "orelse", "finalbody"), ast.Match: ("cases",),
}  # fmt: skip
if sys.version_info >= (3, 11):
    _BLOCKS[ast.TryStar] = ("body", "handlers", "orelse", "finalbody")
_TOP_LEVEL_BLOCKS = frozenset({ast.If, ast.With, ast.AsyncWith, ast.Try})  # SemanticModel._top_level enters these


def _imports_within(block: ast.stmt) -> list[ast.Import | ast.ImportFrom]:
    """The import statements anywhere inside a block statement, in source order."""
    found: list[ast.Import | ast.ImportFrom] = []
    blocks, Import, ImportFrom = _BLOCKS, ast.Import, ast.ImportFrom
    lists = [getattr(block, field) for field in blocks[block.__class__]]  # statement lists to read
    while lists:
        for item in lists.pop():  # most statements hold none: one class test each
            cls = item.__class__
            if cls is Import or cls is ImportFrom:
                found.append(item)
            elif cls in blocks:
                lists.extend([getattr(item, field) for field in blocks[cls]])
    if len(found) > 1:
        found.sort(key=lambda node: (node.lineno, node.col_offset))
    return found


def model_of(unit) -> SemanticModel:
    """The semantic model of a source unit, built by the first engine that asks and shared by the
    others (it does not change once built)."""
    model = unit.derived.get("semantic")
    if model is None:
        model = unit.derived["semantic"] = SemanticModel(unit.tree, unit.display)
    return model
