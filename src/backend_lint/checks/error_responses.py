"""Rules of the `error-handling` category about what an error response reveals (CWE-209)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..flow import models
from ..flow.defuse import ASSIGN, DefUse
from ..rule import Rule
from ._handlers import BROAD, caught_types, detail_expressions, own_nodes

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _reveals(handler: ast.ExceptHandler, model) -> bool:
    """Whether the text of what this handler catches is internal (broad or infrastructure errors)."""
    if handler.type is None:
        return True
    infrastructure, modules = models.qualified("infrastructure-error"), models.modules("infrastructure-error")
    for t in caught_types(handler):
        qn = model.qualname(t) or ""
        if qn in BROAD or qn in infrastructure or qn.startswith(modules):
            return True
    return False


def _error_handler_param(function: ast.FunctionDef | ast.AsyncFunctionDef, model) -> str | None:
    """For `@app.errorhandler(Exception)` / `@app.exception_handler(500)`, the exception parameter."""
    for deco in function.decorator_list:
        if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) and deco.args):
            continue
        if deco.func.attr not in models.names("error-handler"):
            continue
        arg = deco.args[0]
        if (model.qualname(arg) or "") in BROAD or model.fold(arg) == 500:
            params = function.args.posonlyargs + function.args.args
            return params[-1].arg if params else None
    return None


class ExceptionDetailsInResponse(Rule):
    """An error response that carries the exception's text or a traceback to the client.

    ## What it does
    Flags `return {"error": str(e)}` in a request handler, and `jsonify(error=repr(exc))`,
    `JSONResponse({"detail": f"{e}"})`, `HTTPException(500, detail=str(e))`,
    `Response(traceback.format_exc())` anywhere, when the exception was caught broadly (`Exception`,
    bare `except`) or comes from infrastructure (database drivers, SQLAlchemy, `OSError`, HTTP
    clients); also in `@app.errorhandler(Exception)` / `@app.exception_handler(Exception)`
    functions. A traceback is flagged whatever was caught, unless only sent in debug mode
    (`traceback.format_exc() if settings.DEBUG else "Internal Server Error"`). Messages of validation and domain errors
    (`except ValueError as e: return {"error": str(e)}, 400`) are meant for the client: not flagged.

    ## Why is this bad?
    Exception text reveals SQL, table and column names, file paths, hostnames and library versions:
    a map for an attacker (CWE-209). Log the details server-side with context and return a generic
    message, with a correlation id if support needs one.
    """

    code = "BL202"
    name = "exception-details-in-response"
    category = "error-handling"
    severity = "medium"
    agent = "auth-security/vulnerabilities"
    checklist = ("principle.no-internal-details", "api.error-handling")
    cwe = (209,)
    references = ("https://cwe.mitre.org/data/definitions/209.html",)
    NODES = (ast.ExceptHandler, ast.FunctionDef, ast.AsyncFunctionDef)

    INVALID = (
        """
        from flask import Flask, jsonify
        app = Flask(__name__)
        @app.get("/users/<int:uid>")
        def get_user(uid):
            try:
                return jsonify(load(uid))
            except Exception as e:
                return {"error": str(e)}, 500  # expect: BL202
        """,
        """
        from flask import jsonify
        def report(exc_source):
            try:
                exc_source()
            except Exception as exc:
                return jsonify(error=repr(exc)), 500  # expect: BL202
        """,
        """
        import traceback
        from django.http import HttpResponseServerError
        def export(request):
            try:
                return build(request)
            except KeyError:
                return HttpResponseServerError(traceback.format_exc())  # expect: BL202
        """,
        """
        from fastapi import FastAPI, HTTPException
        from sqlalchemy.exc import SQLAlchemyError
        app = FastAPI()
        @app.post("/items")
        def create(item: dict):
            try:
                return repo.add(item)
            except SQLAlchemyError as err:
                message = f"database error: {err}"
                raise HTTPException(status_code=500, detail=message)  # expect: BL202
        """,
        """
        from fastapi import FastAPI, Request
        from fastapi.responses import JSONResponse
        app = FastAPI()
        @app.exception_handler(Exception)
        async def unhandled(request: Request, exc: Exception):
            return JSONResponse({"detail": str(exc)}, status_code=500)  # expect: BL202
        """,
    )
    VALID = (
        """
        import logging
        from flask import Flask, jsonify
        app = Flask(__name__)
        logger = logging.getLogger(__name__)
        @app.get("/users/<int:uid>")
        def get_user(uid):
            try:
                return jsonify(load(uid))
            except Exception:
                logger.exception("loading user %s failed", uid)
                return jsonify(error="internal error"), 500
        """,
        # a validation message is written for the client
        """
        from fastapi import FastAPI, HTTPException
        app = FastAPI()
        @app.get("/convert")
        def convert(amount: str):
            try:
                return {"value": parse_amount(amount)}
            except ValueError as e:
                raise HTTPException(status_code=400, detail=str(e))
        """,
        """
        from flask import Flask, jsonify
        from werkzeug.exceptions import HTTPException
        app = Flask(__name__)
        @app.errorhandler(HTTPException)
        def http_error(e):
            return jsonify(error=e.description), e.code
        """,
        # the exception's text goes to the log, only its class name to the client
        """
        import logging
        from flask import jsonify
        log = logging.getLogger(__name__)
        def safe(call):
            try:
                return call()
            except Exception as e:
                log.error("call failed: %s", e)
                return jsonify(error=type(e).__name__), 500
        """,
        """
        import traceback
        from django.conf import settings
        from django.http import HttpResponseServerError
        def last_chance(handler, request):
            try:
                return handler(request)
            except Exception:
                return HttpResponseServerError(traceback.format_exc() if settings.DEBUG else "Internal Server Error")
        """,
        # a service function returning a result object is not a response
        """
        def sync(job):
            try:
                job.run()
            except Exception as e:
                return {"ok": False, "reason": str(e)}
        """,
    )

    def visit(self, node: ast.AST, ctx) -> None:
        if isinstance(node, ast.ExceptHandler):
            name = node.name if _reveals(node, ctx.model) else None
            returns_respond = ctx.function_role().handler
            scope = next((a for a in reversed(ctx.ancestors) if isinstance(a, _SCOPES)), ctx.tree)
        else:
            name = _error_handler_param(node, ctx.model)
            if name is None:
                return
            returns_respond, scope = True, node
        seen: set[int] = set()
        for sink, detail in _Leaks(node.body, name, ctx.model, scope).found(returns_respond):
            if sink.lineno not in seen:
                seen.add(sink.lineno)
                text = ctx.segment(detail) or "the exception"
                ctx.report(
                    self, sink, f"`{text}` sends internal error details to the client; log them and "
                    "return a generic message", end_line=sink.lineno,
                )


class _Leaks:
    """The responses of a block (an `except` body, an error handler's body) that carry exception
    text: directly, or through a local variable the block assigned it to (found in the def-use
    table of the block's scope)."""

    def __init__(self, body: list[ast.stmt], name: str | None, model, scope: ast.AST) -> None:
        self.body, self.name, self.model, self.scope = body, name, model, scope
        self._carried: dict[str, ast.expr | None] = {}

    def found(self, returns_respond: bool) -> Iterator[tuple[ast.AST, ast.expr]]:
        """(sink, detail) pairs: a response built, raised or returned with exception text in it."""
        nodes = list(own_nodes(self.body))  # walked twice
        debug_only = _debug_only(nodes)
        for node in nodes:
            if isinstance(node, ast.Call) and _is_response(node, self.model):
                value = node
            elif isinstance(node, ast.Return) and returns_respond and node.value is not None:
                value = node.value
            else:
                continue
            detail = next(detail_expressions(value, self.name, self.model), None)
            if detail is None:
                detail = next((d for n in ast.walk(value) if isinstance(n, ast.Name) and (d := self.carried(n.id))), None)
            if detail is not None and id(detail) not in debug_only:
                yield node, detail

    def carried(self, variable: str) -> ast.expr | None:
        """The exception detail the block's last `variable = <detail>` puts in `variable`, if any."""
        if variable not in self._carried:
            self._carried[variable] = None
            table: DefUse = self.model.flow(self.scope)
            for binding in reversed(table.bindings_of(variable)):
                node = binding.node
                if binding.kind == ASSIGN and binding.value is not None and len(node.targets) == 1 and self._inside(node):
                    detail = next(detail_expressions(binding.value, self.name, self.model), None)
                    if detail is not None:
                        self._carried[variable] = detail
                        break
        return self._carried[variable]

    def _inside(self, node: ast.AST) -> bool:
        first, last = self.body[0], self.body[-1]
        start, end = (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)
        return (first.lineno, first.col_offset) <= start and end <= (last.end_lineno, last.end_col_offset)


def _debug_only(nodes: list[ast.AST]) -> set[int]:
    """Of a block's own nodes, those that only run in debug mode: `tb if settings.DEBUG else "error"`,
    `if app.debug: ...`."""
    guarded: set[int] = set()
    for node in nodes:
        if isinstance(node, (ast.If, ast.IfExp)) and any(
            (isinstance(n, ast.Name) and n.id.lower() == "debug") or (isinstance(n, ast.Attribute) and n.attr.lower() == "debug")
            for n in ast.walk(node.test)
        ):
            branch = node.body if isinstance(node.body, list) else [node.body]
            guarded.update(id(n) for b in branch for n in ast.walk(b))
    return guarded


def _is_response(call: ast.Call, model) -> bool:
    qn = model.call_name(call) or ""
    return qn in models.qualified("response") or qn.startswith(models.modules("response"))
