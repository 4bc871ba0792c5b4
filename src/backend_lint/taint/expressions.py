"""What an expression's value carries, for the interpreter: sources start labels, sanitizers mark
them, sinks and calls record edges of the function's summary, containers keep their slots.

A call of a library that no model names passes nothing on (an ORM filter, a query builder, a
client method), unless it is a method of a value that is itself tainted (`data.get("x")`,
`name.strip()`); a call that might be the project's own function records a call site whose result
is resolved when the project is linked.
"""

from __future__ import annotations

import ast
import re

from ..semantic import NOT_CONSTANT, SemanticModel
from . import spec as models
from .summary import Site
from .values import Value, cleansed, flat

_FOLDABLE = (ast.Add, ast.Sub, ast.Mult, ast.Mod, ast.FloorDiv, ast.Div, ast.Pow)
_COMPARE = {
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}  # fmt: skip
MAX_SITES = 400  # sites per function; a generated function beyond it keeps the first ones


class Expressions:
    def __init__(self, model: SemanticModel, segment) -> None:
        self.model = model
        self.segment = segment
        self.spec = models.load()
        self.sites: dict[int, list] = {}  # id -> [kind, node, ref, cwes, text]: made into Sites at the end
        self._site_of: dict[tuple[int, str, tuple[int, ...]], int] = {}
        self.edges: dict[tuple, tuple] = {}  # (origin, target, cleansed) -> steps

    # -- recording -----------------------------------------------------------------------------
    def site(self, node: ast.AST, kind: str, text: str | None = None, ref: str = "", cwes: tuple[int, ...] = ()) -> int | None:
        """The id of the site `node` is (made once); `text` None: the node's source, read only for
        the sites an edge names (`made_sites`)."""
        key = (id(node), kind, cwes)  # one call may be a sink of two weaknesses through different arguments
        if key in self._site_of:
            return self._site_of[key]
        if len(self.sites) >= MAX_SITES:
            return None
        index = len(self.sites)
        self.sites[index] = [kind, node, ref, cwes, text]
        self._site_of[key] = index
        return index

    def made_sites(self) -> dict[int, Site]:
        """The sites some edge names, as records."""
        used = set()
        for origin, target, _ in self.edges:
            for node in (origin, target):
                if node[0] in ("s", "r", "k", "a"):
                    used.add(node[1])
        out = {}
        for index in sorted(used):
            kind, node, ref, cwes, text = self.sites[index]
            if text is None:
                text = self.segment(node) or "request data"
            line, end_line = node.lineno, getattr(node, "end_lineno", None) or node.lineno
            out[index] = Site(index, kind, line, node.col_offset + 1, end_line,
                              (getattr(node, "end_col_offset", None) or 0) + 1, _short(text), ref, cwes)  # fmt: skip
        return out

    def reach(self, value: Value, target: tuple, cwe: int | None = None) -> None:
        """Edges from every label of `value` to `target` (for a sink: those not neutralised for it)."""
        for (origin, done), steps in value.whole().items():
            if cwe is not None and cwe in done:
                continue
            self.edges.setdefault((origin, target, done), steps)

    def shown_as(self, read: ast.AST, node: ast.AST) -> None:
        """The source site made for `read` is shown as `node` reads it: `request.args["next"]` or
        `request.args.get("next")` rather than `request.args`."""
        index = self._site_of.get((id(read), "source", ()))
        if index is not None:
            self.sites[index][1] = node

    def source(self, node: ast.AST, kind: str, framework: str = "") -> Value:
        """A site where data enters: of `kind` ("request" or "local"), from `framework`'s request."""
        index = self.site(node, "source", None, f"{kind}:{framework}" if framework else kind)
        return Value() if index is None else Value({(("s", index), frozenset()): ()})

    # -- values --------------------------------------------------------------------------------
    def eval(self, node: ast.AST, state) -> Value:
        method = self._evaluators.get(node.__class__)
        if method is not None:
            return method(self, node, state)
        values = [self.eval(child, state) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)]
        return flat(values) if values else Value()

    def flatten(self, values: list[Value]) -> Value:
        return flat(values)

    def ev_Constant(self, node, state) -> Value:
        return Value()

    def ev_JoinedStr(self, node: ast.JoinedStr, state) -> Value:
        values = [self.eval(v.value if isinstance(v, ast.FormattedValue) else v, state) for v in node.values]
        return _prefixed(values)

    def ev_Name(self, node: ast.Name, state) -> Value:
        return state.vars.get(node.id) or Value()

    def ev_Attribute(self, node: ast.Attribute, state) -> Value:
        if state.consts and self._was_checked(node, state):
            return Value()
        name = self.dotted(node)
        if name is not None and name in state.vars:
            return state.vars[name]
        qualified = self.model.qualname(node)
        if qualified is not None:
            kind = self.spec.attributes.get(qualified)
            if not kind:
                return Value()
            found = self.source(node, kind, self.spec.frameworks.get(qualified, ""))
            return cleansed(found, _STORED) if node.attr in _UPLOADS else found
        base = self.eval(node.value, state)
        if base.request is not None:
            if node.attr in self.spec.request_attributes.get(base.request, ()):
                found = self.source(node, "request", base.request)
                return cleansed(found, _STORED) if node.attr in _UPLOADS else found
            return Value(request=base.request) if node.attr == "request" else Value()
        return flat([base]) if not base.is_clean() else Value()

    def ev_Subscript(self, node: ast.Subscript, state) -> Value:
        if state.consts and self._was_checked(node, state):
            return Value()
        base = self.eval(node.value, state)
        self.shown_as(node.value, node)
        self.eval(node.slice, state)
        key = self.fold(node.slice, state)
        if key is not NOT_CONSTANT and not isinstance(node.slice, ast.Slice):
            return base.slot(key) if base.slots is not None else flat([base])
        return flat([base])

    def ev_Dict(self, node: ast.Dict, state) -> Value:
        slots, rest = {}, []
        for key, value in zip(node.keys, node.values):
            folded = self.fold(key, state) if key is not None else NOT_CONSTANT
            if folded is NOT_CONSTANT:
                rest.append(self.eval(value, state))
                if key is not None:
                    rest.append(self.eval(key, state))
            else:
                slots[folded] = self.eval(value, state)
        whole = flat(rest)
        return Value(whole.labels, slots)

    def ev_List(self, node, state) -> Value:
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return flat([self.eval(e, state) for e in node.elts])
        return Value(slots={i: self.eval(e, state) for i, e in enumerate(node.elts)})

    ev_Tuple = ev_List

    def ev_BinOp(self, node: ast.BinOp, state) -> Value:
        left, right = self.eval(node.left, state), self.eval(node.right, state)
        if isinstance(node.op, ast.Add):
            return _prefixed([left, right])
        if isinstance(node.op, ast.Mod):
            right = _numeric_holes_cleaned(node, right, state, self)
            return flat([left, right]) if _leading_hole(node.left) else _prefixed([left, right])
        if isinstance(node.op, ast.Mult):  # "x" * n keeps the text; numbers carry none
            return flat([left, right]) if _stringy(node.left) or _stringy(node.right) else Value()
        if isinstance(node.op, ast.Div):  # a path (`ROOT / name`) or a number: a path for path traversal only
            return cleansed(flat([left, right]), _ALL_BUT_PATHS)
        return Value()

    def ev_Compare(self, node, state) -> Value:
        for child in (node.left, *node.comparators):
            self.eval(child, state)
        return Value()

    def ev_UnaryOp(self, node, state) -> Value:
        self.eval(node.operand, state)
        return Value()

    def ev_IfExp(self, node: ast.IfExp, state) -> Value:
        truth = self.truth(node.test, state)
        if truth is not NOT_CONSTANT:
            return self.eval(node.body if truth else node.orelse, state)
        self.eval(node.test, state)
        passed = self.passing(node.test)
        if passed is None:
            return flat([self.eval(node.body, state), self.eval(node.orelse, state)])
        checked = state.copy()  # `url if is_safe(url) else "/"`: the check held where url is used
        self.clean(checked, self.checked(node.test))
        body, orelse = (checked, state) if passed else (state, checked)
        return flat([self.eval(node.body, body), self.eval(node.orelse, orelse)])

    def ev_Lambda(self, node, state) -> Value:
        return Value()

    def ev_NamedExpr(self, node: ast.NamedExpr, state) -> Value:
        value = self.eval(node.value, state)
        self.bind(node.target, value, state, node.lineno, self.fold(node.value, state))  # type: ignore[attr-defined]
        return value

    def _comprehension(self, node, elements: list[ast.expr], state) -> Value:
        inner = state.copy()
        for generator in node.generators:
            items = flat([self.eval(generator.iter, inner)])
            self.bind(generator.target, items, inner, node.lineno, NOT_CONSTANT)  # type: ignore[attr-defined]
            for condition in generator.ifs:
                self.eval(condition, inner)
        return flat([self.eval(e, inner) for e in elements])

    def ev_ListComp(self, node, state) -> Value:
        return self._comprehension(node, [node.elt], state)

    ev_SetComp = ev_GeneratorExp = ev_ListComp

    def ev_DictComp(self, node, state) -> Value:
        return self._comprehension(node, [node.key, node.value], state)

    # -- calls ---------------------------------------------------------------------------------
    def _was_checked(self, node: ast.AST, state) -> bool:
        return any(k.startswith("=") for k in state.consts) and f"={ast.unparse(node)}" in state.consts

    def ev_Call(self, node: ast.Call, state) -> Value:
        if state.consts and self._was_checked(node, state):
            self.eval(node.func, state)
            return Value()
        qualified = self.model.call_name(node)
        func = node.func
        method = func.attr if isinstance(func, ast.Attribute) else None
        receiver = self.eval(func.value, state) if method else Value()
        typed = self.typed(func) if method and qualified is None else None  # client.get(): httpx.Client.get
        if method in ("get", "getlist", "getone", "get_all"):
            self.shown_as(func.value, node)  # type: ignore[union-attr]
        args = [self.eval(a.value if isinstance(a, ast.Starred) else a, state) for a in node.args]
        keywords = {k.arg or "**": self.eval(k.value, state) for k in node.keywords}
        spec = self.spec
        if qualified is not None and qualified in spec.calls:
            return self.source(node, spec.calls[qualified], spec.frameworks.get(qualified, ""))
        if method and receiver.request is not None and method in spec.request_methods.get(receiver.request, ()):
            return self.source(node, "request", receiver.request)
        self.sinks(node, qualified, method, args, keywords, receiver, typed)
        everything = flat([receiver, *args, *keywords.values()])
        if qualified is not None and qualified in spec.sanitizers:
            return cleansed(everything, spec.sanitizers[qualified])
        if qualified is None and method in spec.sanitizer_methods and not receiver.is_clean():
            # a check made on the data (`name.isdigit()`, `url.startswith("/")`); `self.find(x)`
            # is some method of the project's
            return cleansed(everything, spec.sanitizer_methods[method])
        if qualified is None and method in ("get", "pop") and receiver.slots is not None and node.args:
            key = self.fold(node.args[0], state)
            if key is not NOT_CONSTANT:
                return flat([receiver.slot(key), *args[1:]])
        if qualified is not None and qualified in spec.propagators:
            return everything
        if method and method in spec.argument_methods:
            return everything  # a method whose arguments make its result: ",".join(parts), base.joinpath(name)
        if method and not receiver.is_clean() and not self.project_method(node):
            return flat([receiver])  # a method of tainted data gives tainted data: data.get("x"), name.strip()
        return self.call_site(node, qualified, args, keywords)

    def typed(self, func: ast.Attribute) -> str | None:
        """`Cls.method` for a method called on an instance whose class is known (overridden by the
        function analysis, which knows the function's own instances); here, the module's."""
        cls = self.model.instance_of(func.value)
        return f"{cls}.{func.attr}" if cls else None

    def project_method(self, node: ast.Call) -> bool:
        """Whether a method call is known to enter a method of the project (overridden)."""
        return False

    def is_object(self, node: ast.AST | None) -> bool:
        """Whether an expression is an instance of one of the project's classes (overridden)."""
        return False

    def sinks(self, node: ast.Call, qualified: str | None, method: str | None, args, keywords, receiver: Value,
              typed: str | None = None) -> None:  # fmt: skip
        """`typed`: the method's name by the class of its instance (`httpx.Client.get`)."""
        found = self.spec.sinks.get(qualified or typed or "", ())
        if not found and method and (qualified is None or self.own(qualified)):
            found = self.spec.sink_methods.get(method, ())  # a method of an object, not of a library module
        for sink in found:
            if (sink.chain or sink.receiver_names) and not _on_receiver(node, sink):
                continue
            if sink.sql_writes and not _writes(node):
                continue
            argv = sink.shell_argv and _shell_argv(node)
            if sink.when and not argv and not _true_keyword(node, sink.when):
                continue
            if sink.unless and self._exempt(node, sink):
                continue
            text = sink.cwe not in _STORED  # a sink of text: an object given to it is no text
            values = [v for i, (a, v) in enumerate(zip(node.args, args))
                      if (sink.args is None or i in sink.args) and not (text and self.is_object(a))]  # fmt: skip
            if sink.receiver and isinstance(node.func, ast.Attribute):
                values.append(receiver)
            given = {k.arg or "**": k.value for k in node.keywords}
            values += [v for k, v in keywords.items() if (sink.args is None or k in sink.keywords or k == "**")
                       and not (text and self.is_object(given.get(k)))]  # fmt: skip
            value = flat(values)
            if value.is_clean():
                continue
            name = qualified or (typed if typed in self.spec.sinks else None) or method or "call"
            index = self.site(node, "sink", f"{name.rsplit('.', 1)[-1]}()", name, (sink.cwe,))
            if index is not None:
                self.reach(value, ("k", index), sink.cwe)

    def _exempt(self, node: ast.Call, sink) -> bool:
        """Whether the call passes the argument that makes it safe (a parser, a safe Loader)."""
        given = [k.value for k in node.keywords if k.arg == sink.unless]
        if sink.unless_position is not None and len(node.args) > sink.unless_position:
            given.append(node.args[sink.unless_position])
        if not given:
            return False
        return not sink.safe_values or all((self.model.qualname(v) or "") in sink.safe_values for v in given)

    def call_site(self, node: ast.Call, qualified: str | None, args: list[Value], keywords: dict[str, Value]) -> Value:
        """A call whose callee the project index may know: edges to its arguments, a result
        labelled by the call."""
        reference = self.reference(node)
        if reference is None:
            return Value()
        index = self.site(node, "call", None, reference)
        if index is None:
            return Value()
        for i, value in enumerate(args):
            self.reach(value, ("a", index, i))
        for key, value in keywords.items():
            self.reach(value, ("a", index, key))
        return Value({(("r", index), frozenset()): ()})

    def reference(self, node: ast.Call) -> str | None:
        """Overridden by the function analysis, which knows the module and the class."""
        return self.model.call_name(node)

    def own(self, qualified: str) -> bool:
        """Whether a qualified name is the project's own (overridden by the function analysis)."""
        return True

    # -- constants -----------------------------------------------------------------------------
    def fold(self, node: ast.AST, state) -> object:
        """The constant value of an expression here, or NOT_CONSTANT."""
        try:
            return self._fold(node, state, 0)
        except Exception:  # noqa: BLE001 - folding is best effort: anything odd is not constant
            return NOT_CONSTANT

    def truth(self, node: ast.AST, state) -> object:
        """Whether a condition holds, when the source says: as `fold`, and also `x and False`
        (false whatever x is) and `x or True` (true)."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.truth(node.operand, state)
            return inner if inner is NOT_CONSTANT else not inner
        if isinstance(node, ast.BoolOp):
            deciding = not isinstance(node.op, ast.And)
            values = [self.truth(v, state) for v in node.values]
            if any(v is not NOT_CONSTANT and bool(v) is deciding for v in values):
                return deciding
            return NOT_CONSTANT if NOT_CONSTANT in values else (not deciding)
        value = self.fold(node, state)
        return value if value is NOT_CONSTANT else bool(value)

    def _fold(self, node: ast.AST, state, depth: int) -> object:
        if depth > 20:
            return NOT_CONSTANT
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in state.consts:
                return state.consts[node.id]
            return NOT_CONSTANT if node.id in state.vars else self.model.fold(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, _FOLDABLE):
            left, right = self._fold(node.left, state, depth + 1), self._fold(node.right, state, depth + 1)
            if left is NOT_CONSTANT or right is NOT_CONSTANT:
                return NOT_CONSTANT
            if isinstance(node.op, ast.Pow) and abs(right) > 64 or isinstance(node.op, ast.Mult) and not (
                isinstance(left, (int, float)) and isinstance(right, (int, float))
            ):
                return NOT_CONSTANT  # no huge numbers, no repeated strings
            return _OPS[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            operand = self._fold(node.operand, state, depth + 1)
            if operand is NOT_CONSTANT:
                return NOT_CONSTANT
            return (not operand) if isinstance(node.op, ast.Not) else -operand if isinstance(node.op, ast.USub) else NOT_CONSTANT
        if isinstance(node, ast.BoolOp):
            values = [self._fold(v, state, depth + 1) for v in node.values]
            if NOT_CONSTANT in values:
                return NOT_CONSTANT
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if isinstance(node, ast.Compare):
            left = self._fold(node.left, state, depth + 1)
            for op, right_node in zip(node.ops, node.comparators):
                right = self._fold(right_node, state, depth + 1)
                if left is NOT_CONSTANT or right is NOT_CONSTANT or type(op) not in _COMPARE:
                    return NOT_CONSTANT
                if not _COMPARE[type(op)](left, right):
                    return False
                left = right
            return True
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = [self._fold(e, state, depth + 1) for e in node.elts]
            return NOT_CONSTANT if NOT_CONSTANT in items else tuple(items) if not isinstance(node, ast.Set) else frozenset(items)
        if isinstance(node, ast.IfExp):
            test = self._fold(node.test, state, depth + 1)
            return NOT_CONSTANT if test is NOT_CONSTANT else self._fold(node.body if test else node.orelse, state, depth + 1)
        return self.model.fold(node)

    @staticmethod
    def dotted(node: ast.AST) -> str | None:
        """`x`, `self.x`, `self.form.data`: a name the state can hold a value for."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        return ".".join([node.id, *reversed(parts)])


_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
        ast.Mod: lambda a, b: a % b, ast.FloorDiv: lambda a, b: a // b, ast.Div: lambda a, b: a / b,
        ast.Pow: lambda a, b: a**b}  # fmt: skip


# Weaknesses decided by how a string starts: a URL whose scheme and host are fixed in the source
# ("/orders/" + slug, f"https://api.example.com/{path}") redirects and fetches within that site.
_PREFIXED = frozenset({601, 918})


def _prefixed(parts: list[Value]) -> Value:
    """A string made of `parts` in order: what comes after the first part cannot choose where a URL
    points (`f"{own_url}?{query}"`, `"/orders/" + slug`), so only the first part's data keeps those
    weaknesses."""
    if len(parts) < 2:
        return flat(parts)
    return flat([parts[0], *(cleansed(p, _PREFIXED) for p in parts[1:])])


_CONVERSION = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?([a-zA-Z%])")


def _numeric_holes_cleaned(node: ast.BinOp, right: Value, state, evaluator) -> Value:
    """`"... id = %d" % (status, order_id)`: what fills a numeric conversion is a number in the
    result, whatever it carried."""
    if not (isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)):
        return right
    kinds = [k for k in _CONVERSION.findall(node.left.value) if k != "%"]
    if isinstance(node.right, ast.Tuple) and len(node.right.elts) == len(kinds):
        parts = [Value() if kind in "diouxXeEfFgGc" else evaluator.eval(e, state) for kind, e in zip(kinds, node.right.elts)]
        return flat(parts)
    if len(kinds) == 1 and kinds[0] in "diouxXeEfFgGc" and not isinstance(node.right, (ast.Tuple, ast.Dict)):
        return Value()
    return right


# Uploaded files: their names and content may be anything (a path, a command), but storing one
# through the ORM is how uploads work, and the storage makes its name safe.
_UPLOADS = frozenset({"FILES", "files"})
_STORED = frozenset({20})
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash",
                     "/bin/zsh", "/bin/dash", "cmd", "cmd.exe", "powershell", "pwsh"})  # fmt: skip
_ALL_BUT_PATHS = frozenset(set(models.CWES) - {22})


def _on_receiver(call: ast.Call, sink) -> bool:
    """Whether a method sink's object is the one it is meant for: reached through `.objects` (a
    Django manager, a queryset made from one) or named like a database session."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if sink.receiver_names:
        name = Expressions.dotted(func.value) or ""
        return name in sink.receiver_names or name.rsplit(".", 1)[-1] in sink.receiver_names
    node = func.value
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        if isinstance(node, ast.Attribute):
            if node.attr == sink.chain:
                return True
            node = node.value
        else:
            node = node.func if isinstance(node, ast.Call) else node.value
    return False


_WRITES = re.compile(r"\s*(?:INSERT|UPDATE|REPLACE|MERGE|UPSERT)\b", re.IGNORECASE)


def _writes(call: ast.Call) -> bool:
    """`execute("INSERT INTO orders ... VALUES (?, ?)", params)`: a write whose text is fixed."""
    first = call.args[0] if call.args else None
    return isinstance(first, ast.Constant) and isinstance(first.value, str) and bool(_WRITES.match(first.value))


def _shell_argv(call: ast.Call) -> bool:
    """`run(["sh", "-c", script])`: an argument list whose program is a shell given a command."""
    first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "args"), None)
    if not isinstance(first, (ast.List, ast.Tuple)) or len(first.elts) < 2:
        return False
    program, option = first.elts[0], first.elts[1]
    return (isinstance(program, ast.Constant) and program.value in _SHELLS
            and isinstance(option, ast.Constant) and option.value in ("-c", "/c", "-Command"))  # fmt: skip


def _leading_hole(node: ast.AST) -> bool:
    """`"%s/orders" % host`: formatting whose text starts with the hole."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("%")


def _stringy(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))


def _true_keyword(call: ast.Call, name: str) -> bool:
    for keyword in call.keywords:
        if keyword.arg == name:
            return not (isinstance(keyword.value, ast.Constant) and not keyword.value.value)
    return False


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(cls: type, prefix: str) -> dict[type, object]:
    """Node class -> the method of `cls` named `<prefix><class name>` (a dispatch table: getattr
    with a formatted name for every node showed in the profile)."""
    return {node: getattr(cls, f"{prefix}{node.__name__}") for node in vars(ast).values()
            if isinstance(node, type) and issubclass(node, ast.AST) and hasattr(cls, f"{prefix}{node.__name__}")}  # fmt: skip


Expressions._evaluators = _table(Expressions, "ev_")  # type: ignore[attr-defined]
