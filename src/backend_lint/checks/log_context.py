"""Rules of the `logging` category about what an error log carries (004_* "log errors with context")."""

from __future__ import annotations

import ast

from ..rule import Rule
from ._handlers import is_broad


class ErrorLogWithoutTraceback(Rule):
    """An error logged inside an `except` block without its traceback.

    ## What it does
    Flags `logger.error(...)` (on anything the semantic model knows as a logger) written directly in
    a broad `except` block (bare, `Exception`, `BaseException`) when the call passes no `exc_info`:
    what was caught is unknown, so the traceback is the only record of it. Passing `exc_info=True`, `exc_info=exc` or
    a `(type, value, tb)` tuple keeps the traceback, so it is not flagged (ruff's TRY400 only accepts
    `exc_info=True`; while this rule runs, TRY400 only corroborates it). `exc_info=False` is flagged.
    `logger.exception(...)`, calls in a function defined inside the handler, handlers that raise
    (the traceback travels with the exception), narrow handlers (`except IntegrityError:`,
    `except ImportError:`: the message says what happened) and messages that carry
    `traceback.format_exc()` are not flagged; neither are test files.

    ## Why is this bad?
    An error line without the traceback says that something failed but not where: the stack is lost
    at the one moment it exists. Use `logger.exception(...)` or pass `exc_info=True`.
    """

    code = "BL303"
    name = "error-log-without-traceback"
    category = "logging"
    severity = "low"
    agent = "devops/monitoring"
    checklist = ("principle.log-errors-with-context",)
    cwe = (778,)
    references = ("https://docs.python.org/3/library/logging.html#logging.Logger.exception",)
    NODES = (ast.Call,)

    INVALID = (
        """
        import logging
        logger = logging.getLogger(__name__)
        def sync(order):
            try:
                order.push()
            except Exception as exc:
                logger.error("push of %s failed: %s", order.id, exc)  # expect: BL303
        """,
        """
        import logging
        def sync(order):
            try:
                order.push()
            except Exception:
                logging.error("push failed", exc_info=False)  # expect: BL303
        """,
    )
    VALID = (
        # the real shape: the exception object (or True) is passed as exc_info; ruff's TRY400
        # flags `exc_info=exc`, which keeps the traceback all the same
        """
        import logging
        logger = logging.getLogger(__name__)
        def sync(order):
            try:
                order.push()
            except ConnectionError as exc:
                logger.error("push of %s failed", order.id, exc_info=exc)
            except Exception:
                logger.error("push of %s failed", order.id, exc_info=True)
        """,
        """
        import logging
        logger = logging.getLogger(__name__)
        def sync(order):
            try:
                order.push()
            except Exception:
                logger.exception("push of %s failed", order.id)
            logger.error("not in a handler")
        """,
        # the real shapes (superset, django-oscar): a missing optional dependency, an expected
        # integrity error, a traceback formatted into the message
        """
        import logging, traceback
        logger = logging.getLogger(__name__)
        def start():
            try:
                import fastmcp
            except ImportError:
                logger.error("Please install fastmcp: pip install fastmcp")
            try:
                record(order)
            except IntegrityError:
                logger.error("IntegrityError in analytics when recording a user order.")
            try:
                fastmcp.run()
            except Exception:
                logger.error("Traceback: %s", traceback.format_exc())
        """,
        # the real shape: an optional dependency is missing; the handler raises, so the traceback
        # is not lost (FastAPI's multipart check)
        """
        import logging
        logger = logging.getLogger(__name__)
        def ensure_multipart():
            try:
                import multipart
            except ImportError:
                logger.error("Form data requires python-multipart to be installed.")
                raise RuntimeError("python-multipart is not installed") from None
        """,
    )

    def visit(self, node: ast.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != "error" or ctx.is_test:
            return
        if ctx.model.logging_call(node) is None:
            return
        handler = _directly_in_handler(ctx.ancestors)
        if handler is None or any(isinstance(n, ast.Raise) for s in handler.body for n in ast.walk(s)):
            return  # a handler that raises passes the traceback on: logging it too would say it twice
        if not is_broad(handler, ctx.model) or _formats_traceback(node, ctx):
            return  # a narrow, expected exception (`except IntegrityError:`) is explained by its message
        for keyword in node.keywords:
            if keyword.arg is None:
                return  # **kwargs may carry exc_info
            if keyword.arg == "exc_info":
                value = keyword.value
                if not (isinstance(value, ast.Constant) and value.value in (False, None)):
                    return
        ctx.report(self, node, "error logged in an `except` block without its traceback; use "
                   "logger.exception(...) or pass exc_info=True")  # fmt: skip


def _formats_traceback(call: ast.Call, ctx) -> bool:
    """`logger.error("Traceback: %s", traceback.format_exc())`: the traceback is in the message."""
    return any(
        (ctx.model.call_name(n) or "").startswith(("traceback.format_exc", "traceback.format_exception"))
        for arg in call.args for n in ast.walk(arg) if isinstance(n, ast.Call)
    )  # fmt: skip


def _directly_in_handler(ancestors: list[ast.AST]) -> ast.ExceptHandler | None:
    for node in reversed(ancestors):
        if isinstance(node, ast.ExceptHandler):
            return node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return None
    return None
