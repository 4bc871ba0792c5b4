"""Expressions other than strings, lambdas and comprehensions' parts: names, numbers, operators,
calls, subscripts and displays.

CPython places an expression from the first to the last token its rule matched; its own
parentheses are not part of it, its operands' are. Tuples and generator expressions are the
exception: one pair of parentheses belongs to them, and a generator expression that is a call's
only argument takes the call's parentheses.
"""

from __future__ import annotations

import ast
from typing import Any

import libcst

from .common import LOAD, STORE, Unsupported, identifier, store

_BINARY = {
    "Add": ast.Add, "Subtract": ast.Sub, "Multiply": ast.Mult, "Divide": ast.Div,
    "FloorDivide": ast.FloorDiv, "Modulo": ast.Mod, "Power": ast.Pow, "MatrixMultiply": ast.MatMult,
    "LeftShift": ast.LShift, "RightShift": ast.RShift, "BitOr": ast.BitOr, "BitAnd": ast.BitAnd,
    "BitXor": ast.BitXor,
}  # fmt: skip
_UNARY = {"Plus": ast.UAdd, "Minus": ast.USub, "BitInvert": ast.Invert, "Not": ast.Not}
_COMPARE = {
    "Equal": ast.Eq, "NotEqual": ast.NotEq, "LessThan": ast.Lt, "LessThanEqual": ast.LtE,
    "GreaterThan": ast.Gt, "GreaterThanEqual": ast.GtE, "Is": ast.Is, "IsNot": ast.IsNot,
    "In": ast.In, "NotIn": ast.NotIn,
}  # fmt: skip
_SINGLETONS = {"True": True, "False": False, "None": None}


def operator(table: dict[str, type], node: libcst.CSTNode) -> ast.AST:
    return table[type(node).__name__]()


class ExpressionMixin:
    """Builders of `ast.expr` nodes; see `convert.Converter` for the helpers used."""

    # -- atoms -----------------------------------------------------------------------------

    def expr_Name(self, node: libcst.Name) -> ast.expr:
        if node.value in _SINGLETONS:
            return ast.Constant(value=_SINGLETONS[node.value], kind=None)
        return ast.Name(id=identifier(node), ctx=LOAD)

    def expr_Ellipsis(self, node: libcst.Ellipsis) -> ast.expr:
        return ast.Constant(value=..., kind=None)

    def expr_Integer(self, node: libcst.Integer) -> ast.expr:
        return ast.Constant(value=ast.literal_eval(node.value), kind=None)

    expr_Float = expr_Imaginary = expr_Integer

    # -- operators -------------------------------------------------------------------------

    def expr_BinaryOperation(self, node: libcst.BinaryOperation) -> ast.expr:
        return ast.BinOp(left=self.expr(node.left), op=operator(_BINARY, node.operator), right=self.expr(node.right))

    def expr_UnaryOperation(self, node: libcst.UnaryOperation) -> ast.expr:
        return ast.UnaryOp(op=operator(_UNARY, node.operator), operand=self.expr(node.expression))

    def expr_BooleanOperation(self, node: libcst.BooleanOperation) -> ast.expr:
        kind = type(node.operator)
        operands: list[libcst.CSTNode] = []
        pending: list[libcst.CSTNode] = [node]
        while pending:  # a chain of the same operator is one BoolOp, unless parenthesised
            item = pending.pop()
            if item is node or (isinstance(item, libcst.BooleanOperation) and type(item.operator) is kind and not item.lpar):
                pending.extend((item.right, item.left))
            else:
                operands.append(item)
        op = ast.And() if kind is libcst.And else ast.Or()
        return ast.BoolOp(op=op, values=[self.expr(item) for item in operands])

    def expr_Comparison(self, node: libcst.Comparison) -> ast.expr:
        return ast.Compare(
            left=self.expr(node.left),
            ops=[operator(_COMPARE, target.operator) for target in node.comparisons],
            comparators=[self.expr(target.comparator) for target in node.comparisons],
        )

    def expr_IfExp(self, node: libcst.IfExp) -> ast.expr:
        return ast.IfExp(test=self.expr(node.test), body=self.expr(node.body), orelse=self.expr(node.orelse))

    def expr_NamedExpr(self, node: libcst.NamedExpr) -> ast.expr:
        target = self.expr(node.target)
        if not isinstance(target, ast.Name):
            raise Unsupported("cannot use assignment expressions with this target")
        return ast.NamedExpr(target=store(target, STORE), value=self.expr(node.value))

    def expr_Await(self, node: libcst.Await) -> ast.expr:
        return ast.Await(value=self.expr(node.expression))

    def expr_Yield(self, node: libcst.Yield) -> ast.expr:
        if isinstance(node.value, libcst.From):
            return ast.YieldFrom(value=self.expr(node.value.item))
        return ast.Yield(value=self.optional(node.value))

    # -- trailers --------------------------------------------------------------------------

    def expr_Attribute(self, node: libcst.Attribute) -> ast.expr:
        return ast.Attribute(value=self.expr(node.value), attr=identifier(node.attr), ctx=LOAD)

    def expr_Subscript(self, node: libcst.Subscript) -> ast.expr:
        elements = node.slice
        if len(elements) == 1 and not isinstance(elements[0].comma, libcst.Comma) and not _starred(elements[0]):
            index = self.subscript_item(elements[0])
        else:
            index = ast.Tuple(elts=[self.subscript_item(element) for element in elements], ctx=LOAD)
            self.locate(index, self.first(elements[0]), self.last(elements[-1]))
        return ast.Subscript(value=self.expr(node.value), slice=index, ctx=LOAD)

    def subscript_item(self, element: libcst.SubscriptElement) -> ast.expr:
        item = element.slice
        if isinstance(item, libcst.Slice):
            result = ast.Slice(lower=self.optional(item.lower), upper=self.optional(item.upper), step=self.optional(item.step))
            return self.locate(result, *self.span(item))
        if item.star is not None:  # PEP 646: a[*b]
            self.note((3, 11))
            result = ast.Starred(value=self.expr(item.value), ctx=LOAD)
            return self.locate(result, *self.span(item))
        return self.expr(item.value)

    def expr_Call(self, node: libcst.Call) -> ast.expr:
        args, keywords = self.call_arguments(node.args)
        call = ast.Call(func=self.expr(node.func), args=args, keywords=keywords)
        first, last = self.inner(node)
        if len(node.args) == 1 and isinstance(args and args[0], ast.GeneratorExp) and not node.args[0].value.lpar:
            self.locate(args[0], self.first(node.args[0]) - 1, last)  # f(x for x in y)
        return self.locate(call, first, last)

    def call_arguments(self, arguments: Any) -> tuple[list[ast.expr], list[ast.keyword]]:
        """Positional and starred arguments, then keywords and `**` arguments, each in order."""
        args: list[ast.expr] = []
        keywords: list[ast.keyword] = []
        for argument in arguments:
            first, last = self.without_comma(argument)
            value = self.expr(argument.value)
            if argument.keyword is not None or argument.star == "**":
                name = identifier(argument.keyword) if argument.keyword is not None else None
                keywords.append(self.locate(ast.keyword(arg=name, value=value), first, last))
            elif argument.star == "*":
                args.append(self.locate(ast.Starred(value=value, ctx=LOAD), first, last))
            else:
                args.append(value)
        return args, keywords

    # -- displays --------------------------------------------------------------------------

    def elements(self, elements: Any) -> list[ast.expr]:
        return [self.expr(element if isinstance(element, libcst.StarredElement) else element.value) for element in elements]

    def expr_StarredElement(self, node: libcst.StarredElement) -> ast.expr:
        first, last = self.without_comma(node)
        depth = len(node.lpar)
        return self.locate(ast.Starred(value=self.expr(node.value), ctx=LOAD), first + depth, last - depth)

    def expr_Tuple(self, node: libcst.Tuple) -> ast.expr:
        return self.locate(ast.Tuple(elts=self.elements(node.elements), ctx=LOAD), *self.keep_one_paren(node))

    def keep_one_paren(self, node: libcst.CSTNode) -> tuple[int, int]:
        first, last = self.span(node)
        depth = max(len(node.lpar) - 1, 0)
        return first + depth, last - depth

    def expr_List(self, node: libcst.List) -> ast.expr:
        return ast.List(elts=self.elements(node.elements), ctx=LOAD)

    def expr_Set(self, node: libcst.Set) -> ast.expr:
        return ast.Set(elts=self.elements(node.elements))

    def expr_Dict(self, node: libcst.Dict) -> ast.expr:
        keys: list[ast.expr | None] = []
        values: list[ast.expr] = []
        for element in node.elements:
            keys.append(self.expr(element.key) if isinstance(element, libcst.DictElement) else None)
            values.append(self.expr(element.value))
        return ast.Dict(keys=keys, values=values)

    # -- comprehensions --------------------------------------------------------------------

    def generators(self, clause: libcst.CompFor) -> list[ast.comprehension]:
        result = []
        while clause is not None:
            target = store(self.expr(clause.target), STORE)
            ifs = [self.expr(condition.test) for condition in clause.ifs]
            is_async = int(clause.asynchronous is not None)
            result.append(ast.comprehension(target=target, iter=self.expr(clause.iter), ifs=ifs, is_async=is_async))
            clause = clause.inner_for_in
        return result

    def element_of_comprehension(self, node: libcst.CSTNode) -> ast.expr:
        if isinstance(node, libcst.StarredElement):
            raise Unsupported("iterable unpacking cannot be used in comprehension")  # PEP 798 is 3.15
        return self.expr(node)

    def expr_GeneratorExp(self, node: libcst.GeneratorExp) -> ast.expr:
        result = ast.GeneratorExp(elt=self.element_of_comprehension(node.elt), generators=self.generators(node.for_in))
        return self.locate(result, *self.keep_one_paren(node))

    def expr_ListComp(self, node: libcst.ListComp) -> ast.expr:
        return ast.ListComp(elt=self.element_of_comprehension(node.elt), generators=self.generators(node.for_in))

    def expr_SetComp(self, node: libcst.SetComp) -> ast.expr:
        return ast.SetComp(elt=self.element_of_comprehension(node.elt), generators=self.generators(node.for_in))

    def expr_DictComp(self, node: libcst.DictComp) -> ast.expr:
        key, value = self.expr(node.key), self.expr(node.value)
        return ast.DictComp(key=key, value=value, generators=self.generators(node.for_in))


def _starred(element: libcst.SubscriptElement) -> bool:
    return isinstance(element.slice, libcst.Index) and element.slice.star is not None
