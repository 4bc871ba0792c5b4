"""Rules of the `error-handling` category: explicit error handling, no silent try/except."""

from __future__ import annotations

import ast

from ..rule import Rule

BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
_LOG_METHODS = frozenset({"exception", "error", "critical", "warning", "warn", "fatal", "log"})


def _is_broad(handler: ast.ExceptHandler, model) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any((model.qualname(t) or "") in BROAD for t in types)


def _is_silent_body(body: list[ast.stmt]) -> bool:
    """pass / ... / continue / break / return [None] / assignments only: nothing explicit happens."""
    for stmt in body:
        if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # `...` or a docstring-like string
        if isinstance(stmt, ast.Return) and (stmt.value is None or _is_none(stmt.value)):
            continue
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            continue
        return False
    return True


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _logs(body: list[ast.stmt]) -> bool:
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _LOG_METHODS:
                return True
    return False


class SilentException(Rule):
    """A broad `except` that swallows the error without logging, re-raising or answering.

    ## What it does
    Flags handlers that catch broadly (bare `except:`, `Exception`, `BaseException`, or a tuple
    holding one of them) whose body does nothing explicit: only `pass`, `...`, `continue`,
    `break`, `return` / `return None`, or assignments. Flags a bare `except:` even when it logs,
    because it also catches `KeyboardInterrupt` and `SystemExit`. Narrow exceptions handled on
    purpose (`except FileNotFoundError: return {}`) are left alone.

    ## Why is this bad?
    A swallowed exception turns a failure into silently wrong data: nobody is alerted, nothing is
    logged, and the bug surfaces far from its cause. The standard asks for explicit error handling
    (no silent try/catch): log with context, re-raise, or return an explicit error.
    """

    code = "BL201"
    name = "silent-exception"
    category = "error-handling"
    severity = "medium"
    agent = "architecture/patterns"
    checklist = ("standard.explicit-errors", "api.error-handling")
    cwe = (390, 703)
    references = ("https://docs.python.org/3/tutorial/errors.html#handling-exceptions",)
    NODES = (ast.ExceptHandler,)

    INVALID = (
        """
        def load(cache, key):
            try:
                return cache[key]
            except Exception:  # expect: BL201
                pass
        """,
        """
        def sync(items):
            for item in items:
                try:
                    push(item)
                except:  # expect: BL201
                    continue
        """,
        """
        import logging
        log = logging.getLogger(__name__)
        def run(job):
            try:
                job()
            except:  # expect: BL201
                log.exception("job failed")
        """,
        """
        def parse(raw):
            try:
                value = int(raw)
            except (ValueError, Exception):  # expect: BL201
                value = None
            return value
        """,
    )
    VALID = (
        """
        import logging
        logger = logging.getLogger(__name__)
        def load(cache, key):
            try:
                return cache[key]
            except Exception:
                logger.exception("cache read failed for %s", key)
                raise
        """,
        """
        import json
        def read_settings(path):
            try:
                with open(path) as fh:
                    return json.load(fh)
            except FileNotFoundError:
                return {}
        """,
        """
        try:
            import ujson as json
        except ImportError:
            import json
        """,
    )

    def visit(self, node: ast.ExceptHandler, ctx) -> None:
        if not _is_broad(node, ctx.model):
            return
        if node.type is None and not _reraises(node.body):
            ctx.report(
                self, node, "bare `except:` also catches KeyboardInterrupt and SystemExit; catch Exception "
                "(or narrower) and log or re-raise", end_line=node.lineno
            )
        elif _is_silent_body(node.body) and not _logs(node.body):
            caught = ctx.segment(node.type) if node.type else "everything"
            ctx.report(
                self, node, f"`except {caught}` swallows the error; log it (logger.exception), re-raise, "
                "or return an explicit error", end_line=node.lineno
            )


def _reraises(body: list[ast.stmt]) -> bool:
    return any(isinstance(s, ast.Raise) and s.exc is None for s in body)
