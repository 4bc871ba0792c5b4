"""Where a value read from a request goes inside its handler (no rule lives here).

`RequestFlow(function, model).fate(read)` follows the value up the expression tree and through
local variables (`data = request.get_json()` then every use of `data`) and answers:
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

from ..rule import Rule
from ..semantic import SemanticModel

VALIDATED, INERT, UNVALIDATED = "validated", "inert", "unvalidated"

_VALIDATOR_PREFIXES = (
    "pydantic.", "marshmallow.", "wtforms.", "flask_wtf.", "rest_framework.serializers.", "django.forms.",
    "jsonschema.", "cerberus.", "voluptuous.", "cattrs.", "msgspec.", "attrs.validators", "schema.",
)  # fmt: skip
_VALIDATOR_METHODS = frozenset({
    "model_validate", "model_validate_json", "parse_obj", "parse_raw", "parse_obj_as", "validate_python",
    "validate_json", "load", "validate", "is_valid", "structure", "get_serializer", "deserialize",
    "validate_on_submit", "full_clean", "clean", "construct_event", "decode",
})  # fmt: skip
_NOT_VALIDATORS = ("json.", "ujson.", "orjson.", "yaml.", "pickle.", "marshal.", "simplejson.", "base64.")
_CONVERTERS = frozenset({
    "int", "float", "complex", "decimal.Decimal", "uuid.UUID", "ipaddress.ip_address", "ipaddress.ip_network",
    "datetime.date.fromisoformat", "datetime.datetime.fromisoformat", "datetime.datetime.strptime",
})  # fmt: skip
_CONVERTER_NAMES = frozenset({
    "fromisoformat", "strptime", "get_page", "UUID", "Decimal", "parse_date", "parse_datetime",
    "url_has_allowed_host_and_scheme", "is_safe_url", "check_password", "compare_digest",
})  # fmt: skip
_FORM_INPUT_HOOKS = frozenset({"get_form_kwargs", "get_serializer", "get_form"})
_VALIDATOR_PREFIX = ("validate", "clean", "check", "is_valid", "sanitize")
# verify_signature(body, sig) proves where a payload came from, not what it holds: a test of the
# value (like a comparison), which neither validates nor consumes it.
_AUTHENTICITY_PREFIX = ("verify",)
_SCHEMA_ATTRIBUTE = re.compile(r"(^|_)(form|serializer|schema|validator)(_class)?$")
_TRANSPARENT = frozenset({
    "json.loads", "ujson.loads", "orjson.loads", "simplejson.loads", "dict", "list", "tuple", "set", "str",
    "sorted", "reversed", "getattr",
})  # fmt: skip
_INERT_CALLS = frozenset({"len", "isinstance", "hasattr", "bool", "type", "id", "print", "callable"})
_SCHEMA_BASES = frozenset({
    "BaseModel", "RootModel", "Schema", "Form", "FlaskForm", "ModelForm", "Serializer", "ModelSerializer",
    "HyperlinkedModelSerializer", "Struct",
})  # fmt: skip
_SCHEMA_MODULES = frozenset({"schemas", "schema", "forms", "serializers", "validators", "dto", "dtos", "payloads"})
_SCHEMA_SUFFIX = re.compile(
    r"(Schema|Form|Serializer|Payload|Params|Input|Request|DTO|Dto|Body|Args|Query|Filter|Create|Update|Patch|Validator|[a-z]In)$"
)


class RequestFlow:
    def __init__(self, function: ast.AST, model: SemanticModel) -> None:
        self.function = function
        self.model = model
        self.parents: dict[int, ast.AST] = {}
        self.loads: dict[str, list[ast.Name]] = {}
        for node in ast.walk(function):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                self.loads.setdefault(node.id, []).append(node)

    def fate(self, node: ast.AST, depth: int = 0) -> tuple[str, ast.AST | None]:
        child = node
        while True:
            parent = self.parents.get(id(child))
            if parent is None or parent is self.function:
                return INERT, None
            if isinstance(parent, ast.Attribute):  # data.get("x"), data.items(), value.strip(): same input
                call = self.parents.get(id(parent))
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
            comp = self.parents.get(id(parent))  # [Item(**x) for x in data["items"]]
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
        qn = self.model.call_name(call) or ""
        last = qn.rsplit(".", 1)[-1] if qn else _func_name(call)
        if qn in _CONVERTERS or last in _CONVERTER_NAMES:
            return VALIDATED, None
        if qn.startswith(_VALIDATOR_PREFIXES) or self._is_schema_class(call.func):
            return VALIDATED, None
        if last in _VALIDATOR_METHODS and not qn.startswith(_NOT_VALIDATORS):
            return VALIDATED, None
        own = not qn.startswith(("subprocess.", "os.", "shutil."))  # check_output(cmd) is no check
        if own and last.lstrip("_").startswith(_AUTHENTICITY_PREFIX):
            return INERT, None
        if own and (last.lstrip("_").startswith(_VALIDATOR_PREFIX) or _SCHEMA_ATTRIBUTE.search(last)):
            return VALIDATED, None  # validate_order(data), self.form_class(request.POST), check_token(t)
        if isinstance(call.func, ast.Attribute) and call.func.attr in ("get", "pop", "setdefault") and (
            child in call.args[1:]
        ):
            return None  # the default of a lookup becomes its result
        if qn in _TRANSPARENT:
            return None
        if qn in _INERT_CALLS or self.model.logging_call(call) is not None:
            return INERT, None
        return UNVALIDATED, call

    def _name_fate(self, name: str, depth: int):
        if depth >= 4:
            return UNVALIDATED, None
        outcomes = [self.fate(use, depth + 1) for use in self.loads.get(name, [])]
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
                if base.startswith(_VALIDATOR_PREFIXES) or short in _SCHEMA_BASES:
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
    parent = flow.parents.get(id(node))
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return parent
    if isinstance(parent, ast.Attribute) and parent.attr in ("get", "getlist"):
        call = flow.parents.get(id(parent))
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

    def begin(self, ctx) -> None:
        self._flows: dict[int, RequestFlow] = {}

    def check_read(self, ctx, read: ast.AST, line_node: ast.AST) -> None:
        function = ctx.enclosing_function()
        if function is None or function.name in _FORM_INPUT_HOOKS:
            return  # get_form_kwargs() hands the data to the view's form
        flow = self._flows.get(id(function))
        if flow is None:
            flow = self._flows[id(function)] = RequestFlow(function, ctx.model)
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
