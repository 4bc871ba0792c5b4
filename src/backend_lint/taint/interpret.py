"""One function's flow summary, by abstract interpretation of its body, statement by statement.

The state maps each variable to the labels its value may carry. Assignments replace (a variable
overwritten by a constant is clean again); branches whose condition folds to a constant are not
analysed; `if` branches are joined; loops run twice; a guard that checks a variable and leaves the
function (`if x not in ALLOWED: abort(400)`, `if not is_safe(url): return ...`, `if ".." in name:
raise ...`) cleans it for what follows. Sources start labels, sanitizers mark what they neutralise,
sinks record edges, calls into other functions record edges to their arguments and give a result
labelled by the call, resolved when the project is linked.
"""

from __future__ import annotations

import ast

from ..semantic import NOT_CONSTANT, SemanticModel
from functools import lru_cache

from .expressions import Expressions, _table
from .values import State, Value, cleansed, join, stepped

_EXITS = frozenset({"flask.abort", "werkzeug.exceptions.abort", "sys.exit", "os._exit", "exit", "quit",
                    "fastapi.HTTPException", "django.core.exceptions.PermissionDenied"})  # fmt: skip
_NOT_CHECKS = frozenset({"len", "str", "repr", "print", "type", "bool", "list", "tuple", "dict", "set", "id"})
MAX_STATEMENTS = 20_000  # statements interpreted per function (loops count twice); beyond, give up quietly


class Interpreter(Expressions):
    """Runs the statements of one function; `Expressions` evaluates what they contain."""

    def __init__(self, model: SemanticModel, segment, function: ast.AST, request_params: dict[str, Value]) -> None:
        super().__init__(model, segment)
        self.function = function
        self.budget = MAX_STATEMENTS
        self.initial = request_params
        self.unlabelled: set[str] = set()  # parameters not followed (a method's self: an object, not data)

    def summarise(self) -> None:
        state = State()
        args = self.function.args  # type: ignore[attr-defined]
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None and arg.arg not in self.unlabelled:
                state.vars[arg.arg] = self.initial.get(arg.arg) or Value({(("p", arg.arg), frozenset()): ()})
        for name, value in self.initial.items():
            if "." in name:  # self.request, self.kwargs of a class-based view
                state.vars[name] = value
        self.block(self.function.body, state)  # type: ignore[attr-defined]

    # -- statements ----------------------------------------------------------------------------
    def block(self, body: list[ast.stmt], state: State | None) -> State | None:
        """The state after `body`, or None when every path through it leaves (return, raise, …)."""
        for stmt in body:
            if state is None:
                return None
            self.budget -= 1
            if self.budget < 0:
                return state
            state = self.statement(stmt, state)
        return state

    def statement(self, stmt: ast.stmt, state: State) -> State | None:
        method = _statements(type(self)).get(stmt.__class__)
        if method is not None:
            return method(self, stmt, state)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            state.vars.pop(stmt.name, None)
            return state
        for child in ast.iter_child_nodes(stmt):  # anything else: evaluate what it holds
            if isinstance(child, ast.expr):
                self.eval(child, state)
        return state

    def do_Expr(self, stmt: ast.Expr, state: State) -> State | None:
        self.eval(stmt.value, state)
        call = stmt.value
        if isinstance(call, ast.Call):
            if (self.model.call_name(call) or "") in _EXITS:
                return None
            if state.vars and _raising_check(call):  # validate(x), path.relative_to(root): raises on bad input
                self.clean(state, self.checked(call), _raising_cwes(call))
        return state

    def do_Assign(self, stmt: ast.Assign, state: State) -> State:
        value = self.eval(stmt.value, state)
        constant = self.fold(stmt.value, state)
        for target in stmt.targets:
            self.bind(target, value, state, stmt.lineno, constant)
        return state

    def do_AnnAssign(self, stmt: ast.AnnAssign, state: State) -> State:
        if stmt.value is not None:
            self.bind(stmt.target, self.eval(stmt.value, state), state, stmt.lineno, self.fold(stmt.value, state))
        return state

    def do_AugAssign(self, stmt: ast.AugAssign, state: State) -> State:
        old = self.eval(stmt.target, state) if not isinstance(stmt.target, ast.Subscript) else Value()
        new = self.eval(stmt.value, state)
        if isinstance(stmt.op, (ast.Add, ast.Mod)) or isinstance(stmt.op, ast.Mult) and not old.is_clean():
            value = self.flatten([old, new])
        else:
            value = Value()  # arithmetic on numbers carries no text
        self.bind(stmt.target, value, state, stmt.lineno, NOT_CONSTANT)
        return state

    def do_Return(self, stmt: ast.Return, state: State) -> None:
        if stmt.value is not None:
            self.reach(self.eval(stmt.value, state), ("ret",))
        return None

    def do_Raise(self, stmt: ast.Raise, state: State) -> None:
        if stmt.exc is not None:
            self.eval(stmt.exc, state)
        return None

    def do_Continue(self, stmt: ast.stmt, state: State) -> None:
        return None

    do_Break = do_Continue

    def do_Delete(self, stmt: ast.Delete, state: State) -> State:
        for target in stmt.targets:
            name = self.dotted(target)
            if name:
                state.vars.pop(name, None)
                state.consts.pop(name, None)
        return state

    def do_If(self, stmt: ast.If, state: State) -> State | None:
        truth = self.truth(stmt.test, state)
        if truth is not NOT_CONSTANT:
            return self.block(stmt.body if truth else stmt.orelse, state)
        self.eval(stmt.test, state)
        positive, negative = self.refined(stmt.test, state)
        passed = self.passing(stmt.test)
        checked = self.checked(stmt.test) if state.vars or passed is not None else set()
        cwes = self.check_cwes(stmt.test)
        if passed is not None and checked:
            self.clean(positive if passed else negative, checked, cwes)  # the branch where the check held
        body = self.block(stmt.body, positive)
        orelse = self.block(stmt.orelse, negative)
        if body is None and orelse is not None:
            self.clean(orelse, checked, cwes)  # guard then leave: what follows saw a checked value
        elif orelse is None and body is not None:
            self.clean(body, checked, cwes)
        return join([body, orelse])

    def do_While(self, stmt: ast.While, state: State) -> State | None:
        truth = self.truth(stmt.test, state)
        if truth is not NOT_CONSTANT and not truth:
            return self.block(stmt.orelse, state)
        self.eval(stmt.test, state)
        first = self.block(stmt.body, state.copy())
        second = None
        if first is not None and not state.same(first):
            second = self.block(stmt.body, join([state, first]).copy())  # type: ignore[union-attr]
        after = join([state, first, second])
        return self.block(stmt.orelse, after) if after is not None else None

    def do_For(self, stmt: ast.For, state: State) -> State | None:
        items = self.flatten([self.eval(stmt.iter, state)])
        states: list[State | None] = [state]
        current: State | None = state.copy()
        for _ in range(2):  # a second pass only when the first added something
            if current is None:
                break
            entry = current.copy()
            self.bind(stmt.target, items, current, stmt.lineno, NOT_CONSTANT)
            current = self.block(stmt.body, current)
            states.append(current)
            if current is None or entry.same(current):
                break
            current = join([state, current]).copy()  # type: ignore[union-attr]
        after = join(states)
        return self.block(stmt.orelse, after.copy()) if after is not None else None

    do_AsyncFor = do_For

    def do_With(self, stmt: ast.With, state: State) -> State | None:
        for item in stmt.items:
            value = self.eval(item.context_expr, state)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, value, state, stmt.lineno, NOT_CONSTANT)
        return self.block(stmt.body, state)

    do_AsyncWith = do_With

    def do_Try(self, stmt: ast.Try, state: State) -> State | None:
        before = state.copy()
        body = self.block(stmt.body, state)
        after_body = self.block(stmt.orelse, body) if body is not None else None
        handlers = []
        for handler in stmt.handlers:
            entry = join([before, body])
            if entry is not None:
                entry = entry.copy()
                if handler.name:
                    entry.vars.pop(handler.name, None)
                handlers.append(self.block(handler.body, entry))
        end = join([after_body, *handlers])
        if stmt.finalbody:
            final = self.block(stmt.finalbody, (end or before).copy())
            return final if end is not None else None
        return end

    do_TryStar = do_Try

    def do_Match(self, stmt: ast.Match, state: State) -> State | None:
        subject = self.eval(stmt.subject, state)
        known = self.fold(stmt.subject, state)
        outcomes: list[State | None] = []
        exhaustive = False
        for case in stmt.cases:
            pattern = case.pattern
            if known is not NOT_CONSTANT and isinstance(pattern, ast.MatchValue):
                value = self.fold(pattern.value, state)
                if value is not NOT_CONSTANT and value != known:
                    continue  # this case cannot match the constant subject
            branch = state.copy()
            for node in ast.walk(pattern):
                name = getattr(node, "name", None) or getattr(node, "rest", None)
                if isinstance(name, str):
                    branch.set(name, subject)
            if case.guard is not None and self.truth(case.guard, branch) is False:
                continue
            outcomes.append(self.block(case.body, branch))
            if isinstance(pattern, ast.MatchAs) and pattern.pattern is None and case.guard is None:
                exhaustive = True
                break
            if known is not NOT_CONSTANT and isinstance(pattern, ast.MatchValue) and case.guard is None:
                exhaustive = True
                break
        if not exhaustive:
            outcomes.append(state)
        return join(outcomes)

    # -- binding and guards --------------------------------------------------------------------
    def bind(self, target: ast.expr, value: Value, state: State, line: int, constant: object) -> None:
        name = self.dotted(target)
        if name is not None:
            state.set(name, stepped(value, (line, name)))
            if constant is NOT_CONSTANT:
                state.consts.pop(name, None)
            else:
                state.consts[name] = constant
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            for i, element in enumerate(target.elts):
                part = value.slot(i) if value.slots is not None else value
                if isinstance(element, ast.Starred):
                    element, part = element.value, self.flatten([value])
                self.bind(element, part, state, line, NOT_CONSTANT)
        elif isinstance(target, ast.Subscript):
            self.store(target, value, state, line)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, value, state, line, NOT_CONSTANT)

    def store(self, target: ast.Subscript, value: Value, state: State, line: int) -> None:
        """`d[key] = value`: one slot of a container the function holds."""
        name = self.dotted(target.value)
        if name is None:
            self.eval(target.value, state)
            return
        container = state.vars.get(name) or Value(slots={})
        key = self.fold(target.slice, state)
        if key is NOT_CONSTANT or container.slots is None:
            state.set(name, self.flatten([container, value]))
            return
        slots = dict(container.slots)
        slots[key] = stepped(value, (line, f"{name}[{key!r}]"))
        state.set(name, Value(dict(container.labels), slots, container.request))

    def checked(self, test: ast.expr) -> set[str]:
        """Variables a condition checks: compared with something, tested for membership, passed to
        a predicate or a validator (`is_safe(url)`, `name.isdigit()`), but not only for truth or None.
        A checked read that is no variable (`is_safe(request.GET.get("next"))`) is named by its
        source text: the same read in the branch where the check held is clean too."""
        out: set[str] = set()
        for node in ast.walk(test):
            if isinstance(node, ast.Compare):
                if all(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops):
                    continue
                for operand in (node.left, *node.comparators):
                    name = self.dotted(operand)
                    if name:
                        out.add(name)
            elif isinstance(node, ast.Call):
                callee = self.model.call_name(node) or ""
                if callee in _NOT_CHECKS:
                    continue
                for arg in (*node.args, *(k.value for k in node.keywords)):
                    name = self.dotted(arg)
                    if name:
                        out.add(name)
                    elif isinstance(arg, (ast.Call, ast.Subscript)):
                        out.add(f"={ast.unparse(arg)}")
                if isinstance(node.func, ast.Attribute):
                    name = self.dotted(node.func.value)
                    if name:
                        out.add(name)
        return out

    def passing(self, test: ast.expr) -> bool | None:
        """In which branch a validating check held: True for the body (`if is_safe(url):`,
        `if url.startswith("/")`), False for the else branch (`if not is_safe(url):`, `if ".." in
        name:`), None when the test validates nothing (`if x:`, `if x is None:`, comparisons)."""
        negated = False
        while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test, negated = test.operand, not negated
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) and not negated:
            outcomes = [self.passing(v) for v in test.values]
            if True in outcomes:
                return True
            # `x and not is_safe(x)`: where it does not hold, x is empty or passed the check
            return False if False in outcomes else None
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) and not negated:
            return False if any(self.passing(v) is False for v in test.values) else None
        if isinstance(test, ast.Call):
            callee = self.model.call_name(test) or ""
            return None if callee in _NOT_CHECKS else not negated
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.In):
            if isinstance(test.left, ast.Constant):  # ".." in name: the check holds where it is absent
                return negated
        return None

    def refined(self, test: ast.expr, state: State) -> tuple[State, State]:
        """The states in which the branches run: `x in ALLOWED` / `x == "csv"` make `x` one of the
        constants in the branch where it holds."""
        positive, negative = state.copy(), state.copy()
        node, flipped = test, False
        while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            node, flipped = node.operand, not flipped
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            op, right = node.ops[0], node.comparators[0]
            name = self.dotted(node.left)
            if name and self.fold(right, state) is not NOT_CONSTANT:
                if isinstance(op, (ast.In, ast.Eq)):
                    (negative if flipped else positive).vars.pop(name, None)
                elif isinstance(op, (ast.NotIn, ast.NotEq)):
                    (positive if flipped else negative).vars.pop(name, None)
        return positive, negative

    def check_cwes(self, test: ast.expr) -> frozenset[int] | None:
        """What a check makes safe: a validator that only validates (`form.is_valid()`: the form's
        text fields are text still) neutralises what its model says; any other check (a
        comparison, an allow-list, a predicate of the project's) everything it checks."""
        while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test = test.operand
        if not isinstance(test, ast.Call):
            return None
        qualified = self.model.call_name(test)
        if qualified is not None:
            return self.spec.sanitizers.get(qualified)
        if isinstance(test.func, ast.Attribute):
            return self.spec.sanitizer_methods.get(test.func.attr)
        return None

    @staticmethod
    def clean(state: State, names: set[str], cwes: frozenset[int] | None = None) -> None:
        """The checked `names` are safe from here: for the weaknesses `cwes` (None: every one)."""
        for name in names:
            if cwes is not None:
                value = state.vars.get(name)
                if value is not None:
                    state.set(name, cleansed(value, cwes))
            elif name.startswith("="):
                state.consts[name] = True  # a checked read, by its text: `ev_Call` / `ev_Subscript` ask
            else:
                state.vars.pop(name, None)
                if "." in name:  # `upload.name` checked: that attribute of a tainted object is clean
                    state.consts[f"={name}"] = True


_RAISING = ("validate", "check", "ensure", "verify", "assert_", "full_clean", "relative_to", "raise_for")


def _raising_check(call: ast.Call) -> bool:
    """A call made for its exception, not its result: a validator that raises on bad input
    (`serializer.is_valid(raise_exception=True)` too)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name == "is_valid":
        return any(k.arg == "raise_exception" and not (isinstance(k.value, ast.Constant) and not k.value.value)
                   for k in call.keywords)  # fmt: skip
    return name.lstrip("_").startswith(_RAISING)


_SCHEMA_CHECKS = frozenset({"is_valid", "full_clean"})  # what they check is well-formed, not harmless


def _raising_cwes(call: ast.Call) -> frozenset[int] | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else ""
    return frozenset({20}) if name in _SCHEMA_CHECKS else None


@lru_cache(maxsize=8)
def _statements(cls: type) -> dict:
    return _table(cls, "do_")
