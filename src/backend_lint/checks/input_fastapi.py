"""Rules of the `input-validation` category for FastAPI: loose endpoint signatures and bodies read by hand."""

from __future__ import annotations

import ast

from ..flow import models
from ._request_flow import RequestReadRule


class UnvalidatedFastapiInput(RequestReadRule):
    """A FastAPI endpoint taking `dict` / `Any` / untyped bodies, or reading `await request.json()` itself.

    ## What it does
    Flags, on the parameter's line, endpoint parameters typed `dict`, `dict[str, Any]`, `Mapping`,
    `list[dict]`, `Any`, `object`, or untyped with a `Body()` / `Form()` default (also inside
    `Annotated[...]` and `Optional[...]`); and reads of `await request.json()`, `.body()`,
    `.form()` on a `Request` whose value is used without a schema. Pydantic models, constrained
    scalars (`Query(ge=1, le=100)`, `int`, `str | None`) and `Depends(...)` parameters are validated.

    ## Why is this bad?
    FastAPI validates exactly what the signature declares: a `dict` or `Any` body accepts any JSON,
    and a body read by hand skips validation and the OpenAPI schema altogether (CWE-20).
    """

    code = "BL402"
    name = "unvalidated-fastapi-input"
    references = ("https://fastapi.tiangolo.com/tutorial/body/",)
    NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Attribute)
    ADVICE = "declare a pydantic model for it"
    INVALID = (
        """
        from typing import Any, Dict
        from fastapi import FastAPI, Body
        app = FastAPI()
        @app.post("/items")
        def create_item(item: dict):  # expect: BL402
            return repo.add(item)
        @app.put("/items/{item_id}")
        def update_item(
            item_id: int,
            patch: Dict[str, Any] = Body(...),  # expect: BL402
            extra=Body(None),  # expect: BL402
        ):
            return repo.update(item_id, patch, extra)
        """,
        """
        from typing import Annotated, Any
        from fastapi import APIRouter, Body
        router = APIRouter()
        @router.post("/bulk")
        async def bulk(
            rows: list[dict],  # expect: BL402
            meta: Annotated[Any, Body()],  # expect: BL402
            note: dict | None = None,  # expect: BL402
            dry_run: bool = False,
        ):
            return await repo.bulk(rows, meta, note)
        """,
        """
        from fastapi import FastAPI, Request
        app = FastAPI()
        @app.post("/webhook")
        async def webhook(request: Request):
            event = await request.json()  # expect: BL402
            await queue.push(event["type"], event)
        """,
        """
        import json
        from fastapi import FastAPI, Header, Request
        app = FastAPI()
        @app.post("/hooks/github")
        async def github(request: Request, signature: str = Header(...)):
            body = await request.body()  # expect: BL402
            verify_signature(body, signature)  # proves the sender, not the payload's shape
            event = json.loads(body)
            await queue.push(event["action"], event)
        """,
    )
    VALID = (
        """
        from fastapi import FastAPI, Query, Depends, Request
        from pydantic import BaseModel
        app = FastAPI()
        class Item(BaseModel):
            name: str
        @app.post("/items")
        def create_item(item: Item, user: dict = Depends(current_user)):
            return repo.add(item, user)
        @app.get("/items")
        def list_items(limit: int = Query(10, ge=1, le=100), q: str | None = None, tags: list[str] = Query([])):
            return repo.find(q, tags, limit)
        @app.post("/raw")
        async def raw(request: Request):
            item = Item.model_validate(await request.json())
            return repo.add(item, request.client.host)
        """,
        # a dict parameter of a plain function is not an endpoint
        """
        from fastapi import FastAPI
        app = FastAPI()
        def merge(defaults: dict, overrides: dict) -> dict:
            return {**defaults, **overrides}
        """,
        # middleware is not an endpoint: it reads the body to pass it on, the endpoint validates it
        """
        from fastapi import FastAPI, Request
        app = FastAPI()
        @app.middleware("http")
        async def audit(request: Request, call_next):
            body = await request.body()
            audit_log.write(request.url.path, len(body))
            return await call_next(request)
        """,
        """
        from fastapi import FastAPI, Header, Request
        app = FastAPI()
        @app.post("/hooks/github")
        async def github(request: Request, signature: str = Header(...)):
            body = await request.body()
            verify_signature(body, signature)
            event = GithubEvent.model_validate_json(body)
            await queue.push(event.action, event)
        """,
    )

    def begin(self, ctx) -> None:
        self._attributes = models.names("request-source", "fastapi")

    def visit(self, node: ast.AST, ctx) -> None:
        if node.__class__ is ast.Attribute:  # every attribute of the file: test the name before anything
            if node.attr in self._attributes:
                self._visit_read(node, ctx)
            return
        parent = ctx.parent()
        role = ctx.model.role(node, parent if isinstance(parent, ast.ClassDef) else None)
        if role.framework != "fastapi" or not role.handler:
            return
        args = node.args
        positional = args.posonlyargs + args.args
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        pairs = list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults))
        for arg, default in pairs:
            problem = _loose_parameter(arg, default, ctx.model)
            if problem:
                ctx.report(self, arg, f"parameter `{arg.arg}` is {problem}: FastAPI accepts any value; "
                           "declare a pydantic model (or constrained types) for it")  # fmt: skip

    def _visit_read(self, node: ast.Attribute, ctx) -> None:
        parent = ctx.parent()
        if not (isinstance(parent, ast.Call) and parent.func is node):
            return
        function = ctx.enclosing_function()
        if not isinstance(node.value, ast.Name) or function is None:
            return
        name = node.value.id
        role = ctx.function_role()
        if not (role.framework == "fastapi" and role.handler):
            return  # middleware and framework internals read bodies on purpose; endpoints must not
        if _is_request_param(function, name, ctx.model) or name == "request":
            self.check_read(ctx, parent, node)


def _is_request_param(function, name: str, model) -> bool:
    for arg in function.args.posonlyargs + function.args.args + function.args.kwonlyargs:
        if arg.arg == name and arg.annotation is not None:
            return (model.qualname(arg.annotation) or "") in models.qualified("request-class", "fastapi")
    return False


_LOOSE = {"dict": "a plain dict", "typing.Dict": "a plain dict", "typing.Any": "typed Any", "object": "typed object",
          "typing.Mapping": "a plain mapping", "collections.abc.Mapping": "a plain mapping",
          "typing.MutableMapping": "a plain mapping", "list": "an untyped list", "typing.List": "an untyped list"}  # fmt: skip


def _loose_parameter(arg: ast.arg, default: ast.expr | None, model) -> str | None:
    if arg.arg in ("self", "cls"):
        return None
    default_qn = model.call_name(default) or "" if isinstance(default, ast.Call) else ""
    if default_qn.startswith("fastapi.") and default_qn.endswith("Depends"):
        return None
    annotation = arg.annotation
    if annotation is None:
        return "an untyped body" if default_qn.endswith(("Body", "Form")) and default_qn.startswith("fastapi.") else None
    return _loose_annotation(annotation, model)


def _loose_annotation(node: ast.expr, model, depth: int = 0) -> str | None:
    if depth > 3:
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # dict | None
        return _loose_annotation(node.left, model, depth + 1) or _loose_annotation(node.right, model, depth + 1)
    if isinstance(node, ast.Subscript):
        base = model.qualname(node.value) or ""
        inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        short = base.rsplit(".", 1)[-1]
        if short == "Annotated":
            return _loose_annotation(inner[0], model, depth + 1)
        if short in ("Optional", "Union"):
            return next((p for i in inner if (p := _loose_annotation(i, model, depth + 1))), None)
        if short in ("dict", "Dict", "Mapping", "MutableMapping"):
            return "a plain dict"
        if short in ("list", "List", "Sequence", "set", "Set"):
            found = _loose_annotation(inner[0], model, depth + 1)
            return f"a list of {found.split(' ', 1)[-1]}" if found else None
        return None
    return _LOOSE.get(model.qualname(node) or "")
