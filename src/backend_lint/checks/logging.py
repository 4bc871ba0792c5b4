"""Rules of the `logging` category: structured logs, never console printing (002_* quality standards)."""

from __future__ import annotations

import ast

from ..rule import Example, Rule

_PRINTERS = {
    "print": "print()",
    "pprint.pprint": "pprint()",
    "pprint.pp": "pprint.pp()",
    "traceback.print_exc": "traceback.print_exc()",
    "traceback.print_exception": "traceback.print_exception()",
    "traceback.print_stack": "traceback.print_stack()",
}
_STD_STREAMS = {"sys.stdout", "sys.stderr"}


class PrintUsedForLogging(Rule):
    """`print` (or pprint / traceback printing) used where application code should log.

    ## What it does
    Flags `print(...)`, `pprint(...)` and `traceback.print_exc()` in application code, including
    `print(..., file=sys.stderr)`. Writing to a file you opened (`print(row, file=fh)`) is output,
    not logging, and is not flagged; neither are command-line entry points (click/typer commands,
    code under `if __name__ == "__main__":`, `__main__.py`, `manage.py`, Django management
    commands) and test files.

    ## Why is this bad?
    Printed lines have no level, no timestamp, no request context and no structure; in production
    they are lost or mixed with other output, cannot be filtered or alerted on, and can leak data.
    The standard asks for structured logs: use the `logging` module (or structlog).
    """

    code = "BL301"
    name = "print-used-for-logging"
    category = "logging"
    severity = "low"
    agent = "devops/monitoring"
    checklist = ("standard.structured-logs",)
    cwe = (778,)
    references = ("https://docs.python.org/3/howto/logging.html",)
    NODES = (ast.Call,)

    INVALID = (
        """
        def create_user(data):
            print("creating user", data["email"])  # expect: BL301
        """,
        """
        import sys
        def charge(order):
            print("payment failed", order.id, file=sys.stderr)  # expect: BL301
        """,
        """
        import traceback
        def sync():
            try:
                push()
            except Exception:
                traceback.print_exc()  # expect: BL301
                raise
        """,
        """
        from pprint import pprint as show
        def handler(payload):
            show(payload)  # expect: BL301
        """,
    )
    VALID = (
        """
        import logging
        logger = logging.getLogger(__name__)
        def create_user(data):
            logger.info("creating user", extra={"email": data["email"]})
        """,
        """
        def export(rows, path):
            with open(path, "w") as fh:
                for row in rows:
                    print(row, file=fh)
        """,
        """
        import click
        @click.command()
        def main():
            print("done")
        """,
        """
        def main():
            return 0
        if __name__ == "__main__":
            print("starting")
        """,
        Example("def test_x():\n    print('debug')\n", path="tests/test_users.py"),
        Example("print('usage: python -m app')\n", path="app/__main__.py"),
    )

    def visit(self, node: ast.Call, ctx) -> None:
        qualname = ctx.model.call_name(node)
        label = _PRINTERS.get(qualname or "")
        if label is None or ctx.is_test or _is_script(ctx.path) or ctx.model.in_main_guard(node.lineno):
            return
        if qualname == "print":
            target = next((k.value for k in node.keywords if k.arg == "file"), None)
            if target is not None and ctx.model.qualname(target) not in _STD_STREAMS:
                return  # writing to a file or buffer is output, not logging
        if ctx.function_role().cli:
            return
        ctx.report(self, node, f"{label} used for logging; use a logger (logging.getLogger(__name__))")


def _is_script(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in ("__main__.py", "manage.py") or "/management/commands/" in f"/{path}"
