"""Which fields of a class hold no client text once validated: the `harmless` part of a form,
serializer or schema declaration, read from one class body (the field kinds are the flow models'
`harmless-field`, `text-field`, `pattern-field`, `choice-validator` and `typed-schema`).

A field is recorded with how it was recognised:

- "field": declared with a field class (`year = forms.IntegerField()`, `kind =
  fields.String(validate=OneOf([...]))`): harmless in whatever class declares it;
- "text": declared with a field class that holds text (`forms.CharField()`): a subclass
  redeclaring a harmless field of its base so makes it text again;
- "annotation": an annotated attribute (`year: int`, `kind: Literal["a", "b"]`, `name: str =
  Field(pattern=r"^[a-z0-9_-]+$")`): harmless only in a class the framework validates by its
  annotations (a pydantic model), which the project index decides across modules.

Text restricted by a pattern counts as harmless when the pattern is anchored at both ends and
admits only letters, digits, `_` and `-` (no quote, space, dot, slash or newline inside).
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from ..flow import models

# an anchored pattern made only of word characters, `-`, classes of those, quantifiers and groups
_PIECE = r"(?:[A-Za-z0-9_-]|\\[dw-]|\[\^?(?:[A-Za-z0-9_-]|\\[dw-])+\]|[?*+]|\{\d+(?:,\d*)?\}|\(\?:|[()|])"
_RESTRICTIVE = re.compile(rf"(?:\^|\\A){_PIECE}+(?:\$|\\Z|\\z)")
_CONTAINERS = frozenset({"list", "tuple", "set", "frozenset", "typing.List", "typing.Tuple", "typing.Set",
                         "typing.FrozenSet", "typing.Optional", "typing.Union", "collections.abc.Sequence"})  # fmt: skip


def restrictive(pattern: object) -> bool:
    """Whether a regular expression admits only harmless text (see the module's docstring)."""
    return isinstance(pattern, str) and "[^" not in pattern and _RESTRICTIVE.fullmatch(pattern) is not None


@lru_cache(maxsize=1)
def _kinds() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    scalars = models.qualified("scalar-type") | models.names("scalar-type")
    return (models.qualified("harmless-field"), models.qualified("pattern-field"), models.qualified("choice-validator"),
            scalars, models.qualified("text-field"))  # fmt: skip


def harmless_fields(cls: ast.ClassDef, name) -> tuple[tuple[str, str], ...]:
    """(attribute, how) for each harmless field the class body declares, and each text field
    declared with a field class; `name(node)`: the qualified name of an expression, or None."""
    out = []
    for stmt in cls.body:
        target = value = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            target, value = stmt.targets[0].id, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            target, value = stmt.target.id, stmt.value
        if target is None:
            continue
        how = _field_call(value, name) if isinstance(value, ast.Call) else None
        if how:
            out.append((target, how))
        elif isinstance(stmt, ast.AnnAssign) and (
            _annotation(stmt.annotation, name) or isinstance(value, ast.Call) and _patterned(value, name)
        ):
            out.append((target, "annotation"))
    return tuple(out)


def _qualified(node: ast.AST, name) -> str:
    found = name(node) or ""
    if found.startswith(("django.forms.fields.", "django.forms.models.")):
        return "django.forms." + found.rsplit(".", 1)[-1]  # re-exported by django.forms
    return found


def _field_call(call: ast.Call, name) -> str | None:
    """"field" for `forms.IntegerField(...)`, `serializers.ChoiceField(choices=...)`, a text field
    restricted by a pattern or to the code's choices; "text" for another text field; else None."""
    harmless, _, choices, _, text = _kinds()
    qualified = _qualified(call.func, name)
    if qualified in harmless or _patterned(call, name):
        return "field"
    for keyword in call.keywords:
        if keyword.arg in ("validate", "validators"):
            given = keyword.value.elts if isinstance(keyword.value, (ast.List, ast.Tuple)) else [keyword.value]
            for validator in given:
                if isinstance(validator, ast.Call) and (_qualified(validator.func, name) in choices or _patterned(validator, name)):
                    return "field"
    return "text" if qualified in text else None


def _patterned(call: ast.Call, name) -> bool:
    """`Field(pattern=r"^[a-z]+$")`, `RegexField(r"...")`, `Regexp(r"...")` with a restrictive pattern."""
    _, patterns, _, _, _ = _kinds()
    if _qualified(call.func, name) not in patterns:
        return False
    given = [k.value for k in call.keywords if k.arg in ("pattern", "regex")]
    if call.args and not (name(call.func) or "").startswith("pydantic."):  # Field(default, ...): no pattern there
        given.append(call.args[0])
    return any(isinstance(g, ast.Constant) and restrictive(g.value) for g in given)


def _annotation(node: ast.expr, name, depth: int = 0) -> bool:
    """An annotation whose values hold no text: a scalar type, a Literal, an enum, a constrained
    number, `Optional`/`list` of those, `Annotated[str, StringConstraints(pattern=...)]`."""
    if depth > 4:
        return False
    harmless, _, _, scalars, _ = _kinds()
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # int | None
        return all(_annotation(side, name, depth + 1) or _none(side) for side in (node.left, node.right))
    if isinstance(node, ast.Call):  # conint(gt=0), constr(pattern=...)
        return _qualified(node.func, name) in harmless or _patterned(node, name)
    if isinstance(node, ast.Subscript):
        outer = _qualified(node.value, name) or (node.value.id if isinstance(node.value, ast.Name) else "")
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if outer in ("typing.Literal", "typing_extensions.Literal"):
            return True
        if outer in ("typing.Annotated", "typing_extensions.Annotated"):
            return _annotation(parts[0], name, depth + 1) or any(
                isinstance(p, ast.Call) and _patterned(p, name) for p in parts[1:])  # fmt: skip
        if outer in _CONTAINERS:
            return all(_annotation(p, name, depth + 1) or _none(p) or isinstance(p, ast.Constant) and p.value is ...
                       for p in parts)  # fmt: skip
        return False
    found = _qualified(node, name) or (node.id if isinstance(node, ast.Name) else "")
    return found in scalars or found in harmless


def _none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None or isinstance(node, ast.Name) and node.id == "None"
