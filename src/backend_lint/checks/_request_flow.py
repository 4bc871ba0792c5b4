"""Where a value read from a request goes inside its handler (no rule lives here).

`RequestFlow(function, model).fate(read)` follows the value up the expression tree and through
local variables (`data = request.get_json()` then every use of `data`), both read from the
function's def-use table (`model.flow(function)`), and answers, from what the flow models say of
each call it meets:
- VALIDATED when it reaches a schema or converter: a pydantic model or `model_validate`, a
  marshmallow `load`/`validate`, a WTForms / Django Form, a DRF serializer, `int(...)`, `UUID(...)`,
  `request.args.get(..., type=int)`, a `validate_*` helper;
- INERT when it is only compared or tested (`if request.args.get("format") == "csv"`), measured, or
  logged;
- UNVALIDATED otherwise, with the node that consumed it (a call, a return, a store).
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import NamedTuple

from ..flow import models
from ..rule import Rule
from ..semantic import SemanticModel

VALIDATED, INERT, UNVALIDATED = "validated", "inert", "unvalidated"

# How user code names its own checks and schemas (no library defines these: naming heuristics).
_VALIDATOR_PREFIX = ("validate", "clean", "check", "is_valid", "sanitize")
# verify_signature(body, sig) proves where a payload came from, not what it holds: a test of the
# value (like a comparison), which neither validates nor consumes it.
_AUTHENTICITY_PREFIX = ("verify",)
_NOT_OWN_CHECKS = ("subprocess.", "os.", "shutil.")  # check_output(cmd) is no check
_SCHEMA_ATTRIBUTE = re.compile(r"(^|_)(form|serializer|schema|validator)(_class)?$")
_SCHEMA_MODULES = frozenset({"schemas", "schema", "forms", "serializers", "validators", "dto", "dtos", "payloads"})
_SCHEMA_SUFFIX = re.compile(
    r"(Schema|Form|Serializer|Payload|Params|Input|Request|DTO|Dto|Body|Args|Query|Filter|Create|Update|Patch|Validator|[a-z]In)$"
)


class _Known(NamedTuple):
    """What the flow models say about the calls a request value meets."""

    converters: frozenset[str]
    converter_names: frozenset[str]
    validators: frozenset[str]
    libraries: tuple[str, ...]
    parsers: tuple[str, ...]
    schema_bases: frozenset[str]
    propagators: frozenset[str]
    inert: frozenset[str]
    input_hooks: frozenset[str]


@lru_cache(maxsize=1)
def _known() -> _Known:
    return _Known(
        models.qualified("converter"), models.names("converter"), models.names("validator"),
        models.modules("validation-library"), models.modules("parser"), models.names("schema-base"),
        models.qualified("propagator"), models.qualified("inert"), models.names("input-hook"),
    )  # fmt: skip


class RequestFlow:
    def __init__(self, function: ast.AST, model: SemanticModel) -> None:
        self.function = function
        self.model = model
        self.table = model.flow(function)  # the function's parents and uses, shared with other rules
        self.known = _known()

    def fate(self, node: ast.AST, depth: int = 0) -> tuple[str, ast.AST | None]:
        child = node
        while True:
            parent = self.table.parent(child)
            if parent is None or parent is self.function:
                return INERT, None
            if isinstance(parent, ast.Attribute):  # data.get("x"), data.items(), value.strip(): same input
                call = self.table.parent(parent)
                if isinstance(call, ast.Call) and call.func is parent:
                    if _typed_get(call):
                        return VALIDATED, None
                    child = call
                    continue
            step = self._step(parent, child, depth)
            if step is None:
                child = parent
                continue
            return step

    def _step(self, parent: ast.AST, child: ast.AST, depth: int):
        """None to keep climbing, else the outcome at `parent`."""
        if isinstance(parent, (ast.Await, ast.BoolOp, ast.JoinedStr, ast.FormattedValue, ast.Starred,
                               ast.keyword, ast.Dict, ast.List, ast.Tuple, ast.Set, ast.BinOp)):  # fmt: skip
            return None
        if isinstance(parent, ast.IfExp):
            return (INERT, None) if child is parent.test else None
        if isinstance(parent, ast.Subscript):
            if child is not parent.value:
                return UNVALIDATED, parent
            return (INERT, None) if isinstance(parent.ctx, (ast.Store, ast.Del)) else None
        if isinstance(parent, ast.Attribute):
            return None  # an attribute of the input is still the input
        if isinstance(parent, ast.Call):
            return self._call_step(parent, child)
        if isinstance(parent, (ast.Compare, ast.UnaryOp, ast.Expr, ast.Assert)):
            return INERT, None
        if isinstance(parent, (ast.If, ast.While)) and child is parent.test:
            return INERT, None
        if isinstance(parent, ast.comprehension) and child is parent.iter:
            comp = self.table.parent(parent)  # [Item(**x) for x in data["items"]]
            if comp is None:
                return INERT, None
            if any((self._call_step(c, c) or (None,))[0] == VALIDATED for c in ast.walk(comp) if isinstance(c, ast.Call)):
                return VALIDATED, None
            return self.fate(comp, depth)
        if isinstance(parent, ast.Assign) and all(
            isinstance(t, ast.Attribute) and ast.unparse(t).startswith(("request.", "self.request.")) for t in parent.targets
        ):
            return INERT, None  # request.POST = request.POST.copy(): the request keeps its own data
        target = _bound_name(parent, child)
        if target is not None:
            return self._name_fate(target, depth)
        return UNVALIDATED, parent

    def _call_step(self, call: ast.Call, child: ast.AST):
        if call.func is child:
            return INERT, None
        known = self.known
        qn = self.model.call_name(call) or ""
        last = qn.rsplit(".", 1)[-1] if qn else _func_name(call)
        if qn in known.converters or last in known.converter_names:
            return VALIDATED, None
        if qn.startswith(known.libraries) or self._is_schema_class(call.func):
            return VALIDATED, None
        if last in known.validators and not qn.startswith(known.parsers):
            return VALIDATED, None
        own = not qn.startswith(_NOT_OWN_CHECKS)
        if own and last.lstrip("_").startswith(_AUTHENTICITY_PREFIX):
            return INERT, None
        if own and (last.lstrip("_").startswith(_VALIDATOR_PREFIX) or _SCHEMA_ATTRIBUTE.search(last)):
            return VALIDATED, None  # validate_order(data), self.form_class(request.POST), check_token(t)
        if isinstance(call.func, ast.Attribute) and call.func.attr in ("get", "pop", "setdefault") and (
            child in call.args[1:]
        ):
            return None  # the default of a lookup becomes its result
        if qn in known.propagators:
            return None
        if qn in known.inert or self.model.logging_call(call) is not None:
            return INERT, None
        return UNVALIDATED, call

    def _name_fate(self, name: str, depth: int):
        if depth >= 4:
            return UNVALIDATED, None
        outcomes = [self.fate(use, depth + 1) for use in self.table.uses_of(name)]
        for kind in (VALIDATED, UNVALIDATED):
            found = next((o for o in outcomes if o[0] == kind), None)
            if found is not None:
                return found
        return INERT, None

    def _is_schema_class(self, func: ast.expr, depth: int = 0) -> bool:
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if not name[:1].isupper():
            return False
        if isinstance(func, ast.Name) and name in self.model.module_defs and name not in self.model.imports:
            for base in self.model.class_bases(name):
                short = base.rsplit(".", 1)[-1]
                if base.startswith(self.known.libraries) or short in self.known.schema_bases:
                    return True
                if depth < 2 and short in self.model.module_defs and self._is_schema_class(ast.Name(short), depth + 1):
                    return True
            return False
        qn = self.model.qualname(func) or ""
        if set(qn.split(".")[:-1]) & _SCHEMA_MODULES:
            return True
        return bool(_SCHEMA_SUFFIX.search(name))


def _typed_get(call: ast.Call) -> bool:
    """`request.args.get("page", 1, type=int)` converts (and rejects) the value itself."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in ("get", "getlist")):
        return False
    return any(k.arg == "type" for k in call.keywords) or (func.attr == "get" and len(call.args) >= 3)


def _func_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _bound_name(parent: ast.AST, child: ast.AST) -> str | None:
    """`x = <child>`, `x: T = <child>`, `(x := <child>)`, `for x in <child>`: the name it is bound to."""
    if isinstance(parent, ast.Assign) and parent.value is child and len(parent.targets) == 1:
        target = parent.targets[0]
    elif isinstance(parent, (ast.AnnAssign, ast.NamedExpr)) and parent.value is child or isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is child:
        target = parent.target
    else:
        return None
    return target.id if isinstance(target, ast.Name) else None


def shown_read(node: ast.AST, flow: RequestFlow) -> ast.AST:
    """The read as a reader names it: `request.form.get("email")` rather than `request.form`."""
    parent = flow.table.parent(node)
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return parent
    if isinstance(parent, ast.Attribute) and parent.attr in ("get", "getlist"):
        call = flow.table.parent(parent)
        if isinstance(call, ast.Call) and call.func is parent:
            return call
    return node


class RequestReadRule(Rule):
    """Shared plumbing (no code: not a rule itself): one dataflow per handler, one report per read,
    and the metadata the three input-validation rules have in common."""

    category = "input-validation"
    severity = "medium"
    agent = "api/validation"
    checklist = ("security.input-validation", "api.input-validation", "rule.validate-user-input",
                 "standard.input-validation")  # fmt: skip
    cwe = (20,)
    ADVICE = ""

    def check_read(self, ctx, read: ast.AST, line_node: ast.AST) -> None:
        function = ctx.enclosing_function()
        if function is None or function.name in _known().input_hooks:
            return  # get_form_kwargs() hands the data to the view's form
        flow = RequestFlow(function, ctx.model)
        outcome, consumer = flow.fate(read)
        if outcome != UNVALIDATED:
            return
        shown = ctx.segment(shown_read(read, flow)) or "request data"
        where = ""
        if isinstance(consumer, ast.Call):
            where = f" (reaches `{_short(ast.unparse(consumer.func))}(...)` on line {consumer.lineno})"
        elif isinstance(consumer, ast.Return):
            where = f" (returned on line {consumer.lineno})"
        ctx.report(self, line_node, f"`{_short(shown)}` is used without validation{where}; {self.ADVICE}")


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
