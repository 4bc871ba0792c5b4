"""The abstract values of the taint analysis: which origins a value may carry data from, and what
was done to that data on the way.

A *label* is an origin (a node of the function's flow summary: one of its parameters, a source read
in it, or the result of a call it makes) with the set of CWEs already neutralised on the way (`int()`
neutralises every injection; `shlex.quote` only CWE-78; a schema only CWE-20). A value maps each of
its labels to the steps that brought it there (for the finding's trace: assignments, with lines).
Containers built from literals or stored into by constant keys keep one value per slot, so a
tainted `d["a"]` does not make `d["b"]` tainted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Node = tuple  # ("p", name) | ("s", site) | ("r", site) | ("ret",) | ("k", site) | ("a", site, key)
Label = tuple  # (origin node, frozenset of neutralised CWEs)
Step = tuple  # (line, note)
MAX_STEPS = 6  # steps kept per label: enough for a trace a reader follows
MAX_LABELS = 32  # labels kept per value (huge functions must not blow up)


@dataclass
class Value:
    labels: dict[Label, tuple[Step, ...]] = field(default_factory=dict)
    slots: dict[object, Value] | None = None  # constant key -> value, for containers of known shape
    request: str | None = None  # "django", "aiohttp", …: a framework request object (its attributes are sources)

    def is_clean(self) -> bool:
        """Carries nothing: no label, no tainted slot, no request object."""
        return not self.labels and self.request is None and not any(not s.is_clean() for s in (self.slots or {}).values())

    def whole(self) -> dict[Label, tuple[Step, ...]]:
        """Every label of the value, its slots' included (the value passed on as one thing)."""
        if not self.slots:
            return self.labels
        out = dict(self.labels)
        for slot in self.slots.values():
            for label, steps in slot.whole().items():
                out.setdefault(label, steps)
        return out

    def slot(self, key: object) -> Value:
        """What reading `value[key]` gives."""
        if self.slots is not None and key in self.slots:
            found = self.slots[key]
            return found if not self.labels else union([found, Value(dict(self.labels))])
        return Value(dict(self.whole()))


CLEAN = Value()  # shared: values are never changed in place


def union(values: list[Value]) -> Value:
    """The value that may be any of `values` (for a container's slots: slot by slot)."""
    values = [v for v in values if v is not None]
    if not values:
        return Value()
    if len(values) == 1:
        return values[0]
    labels: dict[Label, tuple[Step, ...]] = {}
    for value in values:
        for label, steps in value.labels.items():
            if label not in labels and len(labels) < MAX_LABELS:
                labels[label] = steps
    slots = None
    if all(v.slots is not None for v in values):
        keys = {k for v in values for k in v.slots}  # type: ignore[union-attr]
        slots = {k: union([v.slots.get(k, Value()) for v in values]) for k in keys}  # type: ignore[union-attr]
    else:
        for value in values:
            for label, steps in value.whole().items():
                if label not in labels and len(labels) < MAX_LABELS:
                    labels[label] = steps
    requests = {v.request for v in values}
    return Value(labels, slots, requests.pop() if len(requests) == 1 else None)


def flat(values: list[Value]) -> Value:
    """One value carrying everything `values` carry, slots merged in (an f-string, a concatenation)."""
    labels: dict[Label, tuple[Step, ...]] = {}
    for value in values:
        for label, steps in value.whole().items():
            if label not in labels and len(labels) < MAX_LABELS:
                labels[label] = steps
    return Value(labels)


def cleansed(value: Value, cwes: frozenset[int] | None) -> Value:
    """`value` after a sanitizer neutralising `cwes` (None: everything, the value is clean)."""
    if cwes is None:
        return Value()
    labels = {}
    for (origin, done), steps in value.whole().items():
        labels.setdefault((origin, done | cwes), steps)
    return Value(labels)


def stepped(value: Value, step: Step) -> Value:
    """`value` with one more step on its trace (an assignment to a named variable)."""
    if not value.labels and not value.slots:
        return value
    labels = {label: steps if len(steps) >= MAX_STEPS else (*steps, step) for label, steps in value.labels.items()}
    slots = None if value.slots is None else {k: stepped(v, step) for k, v in value.slots.items()}
    return Value(labels, slots, value.request)


@dataclass
class State:
    """What the variables of a function may hold at one point. Only variables that carry something
    are held (most of a function's variables carry nothing): a name not in `vars` is clean."""

    vars: dict[str, Value] = field(default_factory=dict)
    consts: dict[str, object] = field(default_factory=dict)  # names known to hold one constant here

    def copy(self) -> State:
        return State(dict(self.vars), dict(self.consts))

    def set(self, name: str, value: Value) -> None:
        """A clean attribute is held too (`request.GET = {...}` replaces what the request held)."""
        if value.is_clean() and "." not in name:
            self.vars.pop(name, None)
        else:
            self.vars[name] = value

    def same(self, other: State) -> bool:
        """Whether `other` holds no label this state lacks (a loop that adds nothing has converged)."""
        for name, value in other.vars.items():
            mine = self.vars.get(name)
            if mine is None or not set(value.whole()) <= set(mine.whole()):
                return False
        return True


def join(states: list[State | None]) -> State | None:
    """The state after paths that end in any of `states` (None: a path that does not get here)."""
    live = [s for s in states if s is not None]
    if not live:
        return None
    if len(live) == 1:
        return live[0]
    names = {n for s in live for n in s.vars}
    joined = State()
    for n in names:
        held = [s.vars[n] for s in live if n in s.vars]
        joined.vars[n] = held[0] if len(held) == len(live) and all(h is held[0] for h in held) else union(held)
    first = live[0].consts
    joined.consts = {n: v for n, v in first.items() if all(n in s.consts and s.consts[n] == v for s in live[1:])}
    return joined
