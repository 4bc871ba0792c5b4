"""Parameters of functions and lambdas, as `ast.arguments`.

An `ast.arg` runs from the parameter's name to the end of its annotation (a star before the
name and the default after it are not part of it); `ast.arguments` has no position. Defaults
of positional parameters are listed for the last ones only, keyword-only defaults one per
parameter (None where there is none).
"""

from __future__ import annotations

import ast

import libcst

from .common import Unsupported, identifier, make


class ArgumentMixin:
    """Builders of `ast.arguments`, `ast.arg` and `ast.Lambda`."""

    def arguments(self, node: libcst.Parameters) -> ast.arguments:
        positional = [*node.posonly_params, *node.params]
        _check_defaults(positional)
        star = node.star_arg
        if isinstance(star, libcst.ParamStar) and not node.kwonly_params:
            raise Unsupported("named arguments must follow bare *")
        return ast.arguments(
            posonlyargs=[self.parameter(param) for param in node.posonly_params],
            args=[self.parameter(param) for param in node.params],
            vararg=self.parameter(star) if isinstance(star, libcst.Param) else None,
            kwonlyargs=[self.parameter(param) for param in node.kwonly_params],
            kw_defaults=[self.optional(param.default) for param in node.kwonly_params],
            kwarg=self.parameter(node.star_kwarg) if node.star_kwarg is not None else None,
            defaults=[self.expr(param.default) for param in positional if param.default is not None],
        )

    def parameter(self, node: libcst.Param) -> ast.arg:
        annotation = node.annotation
        if annotation is not None and isinstance(annotation.annotation, libcst.StarredElement):
            self.note((3, 11))  # PEP 646: *args: *Ts
        result = make(ast.arg, arg=identifier(node.name), annotation=self.optional(annotation and annotation.annotation))
        last = self.last(annotation) if annotation is not None else self.last(node.name)
        return self.locate(result, self.first(node.name), last)

    def expr_Lambda(self, node: libcst.Lambda) -> ast.expr:
        return ast.Lambda(args=self.arguments(node.params), body=self.expr(node.body))


def _check_defaults(params: list[libcst.Param]) -> None:
    seen_default = False
    for param in params:
        if param.default is not None:
            seen_default = True
        elif seen_default:
            raise Unsupported("parameter without a default follows parameter with a default")
