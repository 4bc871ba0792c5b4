"""Simple statements (those that fit on one line), imports and PEP 695 type parameters.

A simple statement runs from its first token to its last, without the `;` that may follow it
(`Converter.small` places it). PEP 695 maps onto the host: `type X[T] = Y` is an
`ast.TypeAlias` where the host has one (3.12+) and otherwise the assignment `X = Y` it
stands for; type parameters are kept where the host's nodes have a `type_params` field and
dropped elsewhere, as are PEP 696 defaults on a host without `TypeVar.default_value` (3.12).
"""

from __future__ import annotations

import ast
from typing import Any

import libcst

from .common import DEL, LOAD, STORE, Unsupported, identifier, make, store

_AUGMENTED = {
    "AddAssign": ast.Add, "SubtractAssign": ast.Sub, "MultiplyAssign": ast.Mult, "DivideAssign": ast.Div,
    "FloorDivideAssign": ast.FloorDiv, "ModuloAssign": ast.Mod, "PowerAssign": ast.Pow,
    "MatrixMultiplyAssign": ast.MatMult, "LeftShiftAssign": ast.LShift, "RightShiftAssign": ast.RShift,
    "BitOrAssign": ast.BitOr, "BitAndAssign": ast.BitAnd, "BitXorAssign": ast.BitXor,
}  # fmt: skip
_SINGLE_TARGETS = (ast.Name, ast.Attribute, ast.Subscript)


class StatementMixin:
    """Builders of simple statements; `Converter.small` gives them their positions."""

    def stmt_Expr(self, node: libcst.Expr) -> ast.stmt:
        return ast.Expr(value=self.expr(node.value))

    def stmt_Assign(self, node: libcst.Assign) -> ast.stmt:
        targets = [store(self.expr(target.target), STORE) for target in node.targets]
        return make(ast.Assign, targets=targets, value=self.expr(node.value))

    def stmt_AnnAssign(self, node: libcst.AnnAssign) -> ast.stmt:
        target = self.single_target(node.target)
        simple = int(isinstance(node.target, libcst.Name) and not node.target.lpar)
        annotation = self.expr(node.annotation.annotation)
        return ast.AnnAssign(target=target, annotation=annotation, value=self.optional(node.value), simple=simple)

    def stmt_AugAssign(self, node: libcst.AugAssign) -> ast.stmt:
        op = _AUGMENTED[type(node.operator).__name__]()
        return ast.AugAssign(target=self.single_target(node.target), op=op, value=self.expr(node.value))

    def single_target(self, node: libcst.CSTNode) -> ast.expr:
        target = self.expr(node)
        if not isinstance(target, _SINGLE_TARGETS):
            raise Unsupported("illegal target for annotation or augmented assignment")
        return store(target, STORE)

    def stmt_Pass(self, node: libcst.Pass) -> ast.stmt:
        return ast.Pass()

    def stmt_Break(self, node: libcst.Break) -> ast.stmt:
        return ast.Break()

    def stmt_Continue(self, node: libcst.Continue) -> ast.stmt:
        return ast.Continue()

    def stmt_Return(self, node: libcst.Return) -> ast.stmt:
        return ast.Return(value=self.optional(node.value))

    def stmt_Raise(self, node: libcst.Raise) -> ast.stmt:
        cause = self.expr(node.cause.item) if node.cause is not None else None
        return ast.Raise(exc=self.optional(node.exc), cause=cause)

    def stmt_Assert(self, node: libcst.Assert) -> ast.stmt:
        return ast.Assert(test=self.expr(node.test), msg=self.optional(node.msg))

    def stmt_Del(self, node: libcst.Del) -> ast.stmt:
        target = node.target
        if isinstance(target, libcst.Tuple) and not target.lpar:  # del a, b
            targets = [self.expr(element.value) for element in target.elements]
        else:
            targets = [self.expr(target)]
        for item in targets:
            if isinstance(item, ast.Starred):
                raise Unsupported("cannot delete starred")
            store(item, DEL)
        return ast.Delete(targets=targets)

    def stmt_Global(self, node: libcst.Global) -> ast.stmt:
        return ast.Global(names=[identifier(item.name) for item in node.names])

    def stmt_Nonlocal(self, node: libcst.Nonlocal) -> ast.stmt:
        return ast.Nonlocal(names=[identifier(item.name) for item in node.names])

    # -- imports ---------------------------------------------------------------------------

    def stmt_Import(self, node: libcst.Import) -> ast.stmt:
        return ast.Import(names=[self.alias(name) for name in node.names])

    def stmt_ImportFrom(self, node: libcst.ImportFrom) -> ast.stmt:
        if isinstance(node.names, libcst.ImportStar):
            star = self.first(node.names)
            names = [self.locate(ast.alias(name="*", asname=None), star, star)]
        else:
            names = [self.alias(name) for name in node.names]
        module = dotted(node.module) if node.module is not None else None
        return ast.ImportFrom(module=module, names=names, level=len(node.relative))

    def alias(self, node: libcst.ImportAlias) -> ast.alias:
        asname = identifier(node.asname.name) if node.asname is not None else None
        return self.locate(ast.alias(name=dotted(node.name), asname=asname), *self.without_comma(node))

    # -- PEP 695 ---------------------------------------------------------------------------

    def stmt_TypeAlias(self, node: libcst.TypeAlias) -> ast.stmt:
        self.note((3, 12))
        name = self.locate(ast.Name(id=identifier(node.name), ctx=STORE), *self.span(node.name))
        value = self.expr(node.value)
        if not hasattr(ast, "TypeAlias"):
            return make(ast.Assign, targets=[name], value=value)
        return ast.TypeAlias(name=name, type_params=self.type_params(node.type_parameters), value=value)

    def type_params(self, node: libcst.TypeParameters | None) -> list[Any]:
        """The host's type parameter nodes, or [] when it has none (or there are none)."""
        if node is None:
            return []
        self.note((3, 12))
        if not hasattr(ast, "TypeVar"):
            return []
        return [self.type_param(param) for param in node.params]

    def type_param(self, node: libcst.TypeParam) -> Any:
        param = node.param
        fields: dict[str, Any] = {"name": identifier(param.name)}
        if isinstance(param, libcst.TypeVar):
            kind = ast.TypeVar
            fields["bound"] = self.optional(param.bound)
        else:
            kind = ast.TypeVarTuple if isinstance(param, libcst.TypeVarTuple) else ast.ParamSpec
        default = self.type_default(node)  # PEP 696, dropped where the host has no field for it
        if "default_value" in kind._fields:
            fields["default_value"] = default
        return self.locate(kind(**fields), *self.without_comma(node))

    def type_default(self, node: libcst.TypeParam) -> ast.expr | None:
        if node.default is None:
            return None
        self.note((3, 13))
        value = self.expr(node.default)
        if node.star != "*":
            return value
        star = self.first(node.equal) + 1  # `*Ts = *tuple[int]`
        return self.locate(ast.Starred(value=value, ctx=LOAD), star, self.inner(node.default)[1])


def dotted(node: libcst.CSTNode) -> str:
    """`a.b.c` of a dotted module name."""
    if isinstance(node, libcst.Name):
        return identifier(node)
    return f"{dotted(node.value)}.{identifier(node.attr)}"
