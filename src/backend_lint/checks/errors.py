"""Rules of the `error-handling` category: explicit error handling, no silent try/except, and no
internal details in error responses."""

from __future__ import annotations

import ast

from ..rule import Rule
from ._handlers import BROAD, is_broad, quiet_statement, raises


def _cwe(handler: ast.ExceptHandler) -> tuple[int, ...]:
    """The most specific CWE first: an empty block (`pass`, `...`) is CWE-1069; a handler that
    does something but leaves no trace is CWE-390; a bare `except:` that logs catches too much (396)."""
    empty = all(isinstance(s, ast.Pass) or isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) for s in handler.body)
    return (1069, 390, 703) if empty else (390, 703)


class SilentException(Rule):
    """A broad `except` (or `contextlib.suppress(Exception)`) that swallows the error unseen.

    ## What it does
    Flags a handler that catches broadly (bare `except:`, `Exception`, `BaseException`, or a tuple
    holding one) whose body leaves no trace: only `pass`, `...`, `continue`, `break`, `return` /
    `return None`, assignments, or log calls below WARNING (debug/info logs are off in production).
    Flags `with contextlib.suppress(Exception):` the same way: it is the same swallowed error spelt
    differently, so it shares this code and name (one switch turns both off). Flags a bare
    `except:` even when it logs, unless it re-raises: it also catches `KeyboardInterrupt` and
    `SystemExit`.

    Not flagged: narrow exceptions handled on purpose (`except FileNotFoundError: return {}`,
    `suppress(ConnectionError)`); handlers that log at WARNING or above (a logger known to the
    semantic model: `logging.getLogger`, structlog, loguru, `app.logger`, `_LOGGER`), raise
    anything, return a value or call anything; handlers in `__del__`; cleanup handlers nested in an
    outer handler that re-raises (the original error still propagates). A handler that returns an
    error response without logging is not flagged here: the failure is explicit to the caller.

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
    checklist = ("standard.explicit-errors", "principle.log-errors-with-context", "api.error-handling")
    cwe = (390, 703)
    references = ("https://docs.python.org/3/tutorial/errors.html#handling-exceptions",)
    NODES = (ast.ExceptHandler, ast.With, ast.AsyncWith)
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
        """
        def describe(request):
            try:
                user = str(request.user)
            except Exception:  # expect: BL201
                user = "[unavailable]"
            return user
        """,
        """
        def first_line(path):
            try:
                return open(path).readline()
            except BaseException:  # expect: BL201
                return None
        """,
        """
        def poll(queue):
            while True:
                try:
                    handle(queue.get())
                except Exception:  # expect: BL201
                    ...
                    break
        """,
        # logged at debug level only: invisible in production (bandit and ruff accept this)
        """
        import logging
        logger = logging.getLogger(__name__)
        def refresh(token):
            try:
                renew(token)
            except Exception:  # expect: BL201
                logger.debug("renew failed", exc_info=True)
        """,
        """
        import contextlib
        def close_all(conns):
            for conn in conns:
                with contextlib.suppress(Exception):  # expect: BL201
                    conn.close()
        """,
        """
        from contextlib import suppress
        def warm(cache):
            with suppress(ValueError, BaseException):  # expect: BL201
                cache.warm()
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
        """
        def to_int(raw):
            try:
                return int(raw)
            except ValueError:
                return None
        """,
        """
        import contextlib
        def ping(client):
            with contextlib.suppress(ConnectionError):
                client.ping()
        """,
        # logged at warning or above with the exception, through a logger imported from elsewhere
        # (ruff's BLE001 only knows loggers created in the same module)
        """
        from .const import LOGGER
        def step(flow):
            try:
                flow.run()
            except Exception as err:
                LOGGER.warning("flow step failed: %s", err)
                return None
        """,
        """
        import logging
        logger = logging.getLogger(__name__)
        def notify(user):
            try:
                send_mail(user)
            except Exception as exc:
                logger.error("mail to %s failed", user.id, exc_info=exc)
        """,
        """
        import structlog
        log = structlog.get_logger()
        def charge(order):
            try:
                gateway.charge(order)
            except Exception:
                log.exception("charge_failed", order_id=order.id)
                return False
        """,
        """
        from loguru import logger
        def index(doc):
            try:
                search.index(doc)
            except Exception:
                logger.opt(exception=True).error("indexing failed")
        """,
        """
        class PaymentError(Exception):
            pass
        def pay(order):
            try:
                gateway.charge(order)
            except Exception as exc:
                raise PaymentError(order.id) from exc
        """,
        """
        from flask import Flask, jsonify
        app = Flask(__name__)
        @app.post("/orders")
        def create_order():
            try:
                order = place()
            except Exception:
                app.logger.exception("order failed")
                return jsonify(error="could not place the order"), 500
            return jsonify(id=order.id), 201
        """,
        # cleanup while the original error propagates: a failed rollback must not mask it
        """
        def save(conn, row):
            try:
                conn.insert(row)
            except Exception:
                try:
                    conn.rollback()
                except Exception:
                    pass
                raise
        """,
        """
        class Tempfile:
            def __del__(self):
                try:
                    self.close()
                except Exception:
                    pass
        """,
        """
        def worker(q):
            try:
                run(q)
            except:
                cleanup()
                raise
        """,
        # the error is handed on (an assignment that calls a handler or keeps the exception)
        """
        class App:
            def dispatch(self, request):
                try:
                    response = self.route(request)
                except Exception as exc:
                    response = self.handle_exception(exc)
                return response
            def poll(self):
                try:
                    self.step()
                except Exception as exc:
                    self.last_error = exc
        """,
        """
        def commit(session):
            try:
                session.commit()
            except:
                with util.safe_reraise():
                    session.rollback()
        """,
        # judgment call: an explicit error answer without a log is not silent (the caller sees it)
        """
        from flask import Flask, jsonify
        app = Flask(__name__)
        @app.get("/report")
        def report():
            try:
                return jsonify(build_report())
            except Exception:
                return jsonify(error="report unavailable"), 503
        """,
    )

    def visit(self, node: ast.AST, ctx) -> None:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            return self._visit_with(node, ctx)
        assert isinstance(node, ast.ExceptHandler)
        if not is_broad(node, ctx.model) or self._excused(ctx):
            return
        if node.type is None and not raises(node.body, bare_only=True):
            message = "bare `except:` also catches KeyboardInterrupt and SystemExit; catch Exception (or narrower)"
            quiet = all(quiet_statement(s, ctx.model, node.name) for s in node.body)
            if quiet:
                message += " and log or re-raise"
            ctx.report(self, node, message, end_line=node.lineno, cwe=_cwe(node) if quiet else (396, 703))
        elif all(quiet_statement(s, ctx.model, node.name) for s in node.body) and not raises(node.body):
            caught = ctx.segment(node.type) or "Exception"
            ctx.report(
                self, node, f"`except {caught}` swallows the error; log it (logger.exception), re-raise, "
                "or return an explicit error", end_line=node.lineno, cwe=_cwe(node),
            )  # fmt: skip

    def _visit_with(self, node: ast.With | ast.AsyncWith, ctx) -> None:
        for item in node.items:
            call = item.context_expr
            if (
                isinstance(call, ast.Call)
                and ctx.model.call_name(call) == "contextlib.suppress"
                and any((ctx.model.qualname(a) or "") in BROAD for a in call.args)
            ):
                ctx.report(
                    self, call, "`contextlib.suppress(Exception)` swallows every error; suppress the "
                    "specific exception you expect, or log it",
                )

    @staticmethod
    def _excused(ctx) -> bool:
        function = ctx.enclosing_function()
        if function is not None and function.name == "__del__":
            return True
        for outer in reversed(ctx.ancestors):
            if outer is function:
                return False
            if isinstance(outer, ast.ExceptHandler):  # best-effort cleanup while the error propagates
                return raises(outer.body)
        return False
