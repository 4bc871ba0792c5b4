"""Rules of the `logging` category: structured logs, never console printing (002_* quality standards)."""

from __future__ import annotations

import ast
import re

from ..rule import Example, Rule

_PRINTERS = {
    "print": "print()",
    "pprint.pprint": "pprint()",
    "pprint.pp": "pprint.pp()",
    "traceback.print_exc": "traceback.print_exc()",
    "traceback.print_exception": "traceback.print_exception()",
    "traceback.print_stack": "traceback.print_stack()",
    "traceback.print_tb": "traceback.print_tb()",
    "traceback.print_last": "traceback.print_last()",
    "rich.print": "rich.print()",
    "rich.pretty.pprint": "rich.pretty.pprint()",
}
_STD_STREAMS = {"sys.stdout", "sys.stderr"}
_PRINTER_ATTRS = frozenset(q.rsplit(".", 1)[-1] for q in _PRINTERS)  # what `x.y.print_exc` must end with


class PrintUsedForLogging(Rule):
    """`print` (or pprint / traceback printing) used where application code should log.

    ## What it does
    Flags `print(...)`, `pprint(...)` and `traceback.print_exc()` in application code, including
    `print(..., file=sys.stderr)`. Writing to a file you opened (`print(row, file=fh)`) is output,
    not logging, and is not flagged; neither are command-line entry points (click/typer commands,
    code under `if __name__ == "__main__":` and the functions it calls, `__main__.py`, `manage.py`,
    `cli.py` or a `cli/` package, Django `management/` packages, `scripts/` and `bin/` directories) and
    test files.

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
        """
        import sys, traceback
        def run(task):
            try:
                task()
            except Exception:
                traceback.print_exc(file=sys.stderr)  # expect: BL301
        """,
        """
        from flask import Flask, request
        app = Flask(__name__)
        @app.post("/login")
        def login():
            print("login attempt", request.remote_addr)  # expect: BL301
            return "ok"
        """,
        """
        from rich import print
        def sync(rows):
            print(f"synced {len(rows)} rows")  # expect: BL301
        """,
        # a module with a main guard: only what the guard calls is the script's entry point
        """
        def helper(x):
            print("helper", x)  # expect: BL301
        def main():
            return 0
        if __name__ == "__main__":
            main()
        """,
        Example("import sys\nprint('starting', file=sys.stdout)  # expect: BL301\n", path="app/worker.py"),
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
        """
        import io, traceback
        def render(rows, exc):
            buffer = io.StringIO()
            for row in rows:
                print(row, file=buffer)
            traceback.print_exc(file=buffer)
            return buffer.getvalue()
        """,
        # argparse script: main() is what the guard runs (ruff's T201 flags every one of these)
        """
        import argparse
        def main():
            args = argparse.ArgumentParser().parse_args()
            print("migrated", args)
        if __name__ == "__main__":
            main()
        """,
        """
        import typer
        app = typer.Typer()
        @app.command()
        def seed(count: int = 10):
            print(f"seeded {count} users")
        """,
        Example("import sys\nprint('Django admin', file=sys.stderr)\n", path="manage.py"),
        Example(
            "from django.core.management.base import BaseCommand\n"
            "class Command(BaseCommand):\n    def handle(self, *a, **k):\n        print('done')\n",
            path="shop/management/commands/rebuild.py",
        ),
        Example("def pytest_report_header():\n    print('env: ci')\n", path="conftest.py"),
        Example("def main():\n    print('install app[cli] first')\n", path="app/cli.py"),
        Example("import sys\ndef fail(msg):\n    print(f'error: {msg}', file=sys.stderr)\n", path="app/cli/check.py"),
        Example("for user in load():\n    print(user.email)\n", path="scripts/list_users.py"),
        """
        class Report:
            def print(self, line):
                self.lines.append(line)
        def build(report):
            report.print("header")
        """,
        """
        import logging
        from pprint import pformat
        logger = logging.getLogger(__name__)
        def dump(state):
            logger.debug("state: %s", pformat(state))
        """,
    )

    def visit(self, node: ast.Call, ctx) -> None:
        func = node.func
        if func.__class__ is ast.Attribute and func.attr not in _PRINTER_ATTRS:
            return  # most calls: a method no printer is named like (the qualified name ends with it)
        qualname = ctx.model.call_name(node)
        label = _PRINTERS.get(qualname or "")
        if label is None or ctx.is_test or _is_script(ctx.path) or ctx.model.in_main_guard(node.lineno):
            return
        target = next((k.value for k in node.keywords if k.arg in ("file", "stream")), None)
        if target is not None and not _is_none(target) and ctx.model.qualname(target) not in _STD_STREAMS:
            return  # writing to a file or buffer is output, not logging
        if ctx.function_role().cli or self._in_script_entry(ctx):
            return
        ctx.report(self, node, f"{label} used for logging; use a logger (logging.getLogger(__name__))")


    @staticmethod
    def _in_script_entry(ctx) -> bool:
        """Inside a function the module's `if __name__ == "__main__":` block calls (`main()`)."""
        top = ctx.ancestors[1] if len(ctx.ancestors) > 1 else None
        return isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)) and top.name in ctx.model.main_guard_calls()


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_script(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    parts = f"/{path}"
    return name in ("__main__.py", "manage.py", "cli.py") or any(
        d in parts for d in ("/management/", "/scripts/", "/bin/", "/cli/")
    )


class SecretInLogCall(Rule):
    """A password, token or other secret passed to a logging call.

    ## What it does
    Flags a call on a logger (as the semantic model knows them: `logging.getLogger`, structlog,
    loguru, `app.logger`, `_LOGGER`) whose arguments, f-string message, `extra={...}` or structlog
    keywords carry a value named like a secret: `password`, `user.password`, `data["api_key"]`,
    `request.form.get("password")`, `access_token`, `client_secret`, `card_number`. The message
    text itself (`"invalid password for %s"`) is not a secret; neither are values passed through a
    function (`len(token)`, `mask(token)`) nor names that describe one (`token_type`,
    `password_reset_url`, `max_tokens`, `password_hash`).

    ## Why is this bad?
    Logs are copied to aggregators, backups and support tickets, and read by far more people than
    the database; a secret written there is leaked (CWE-532). Log who and what, never the credential.
    """

    code = "BL302"
    name = "secret-in-log-call"
    category = "logging"
    severity = "high"
    agent = "auth-security/audit"
    checklist = ("principle.never-expose-sensitive-data", "standard.structured-logs")
    cwe = (532,)
    references = ("https://cwe.mitre.org/data/definitions/532.html",)
    NODES = (ast.Call,)

    INVALID = (
        """
        import logging
        logger = logging.getLogger(__name__)
        def login(user, password):
            logger.info("login %s %s", user, password)  # expect: BL302
        """,
        """
        import logging
        log = logging.getLogger("auth")
        def refresh(session):
            log.debug(f"refreshing with {session.refresh_token}")  # expect: BL302
        """,
        """
        from flask import Flask, request
        app = Flask(__name__)
        @app.post("/signup")
        def signup():
            app.logger.warning("signup payload", extra={"password": request.form.get("password")})  # expect: BL302
        """,
        """
        import structlog
        log = structlog.get_logger()
        def connect(cfg):
            log.info("connecting", dsn=cfg.url, api_key=cfg["API_KEY"])  # expect: BL302
        """,
        """
        import logging
        def pay(card_number, amount):
            logging.error("charge of %s failed for " + card_number, amount)  # expect: BL302
        """,
        # a user's or a session's token is a credential, and so is any qualified token of a record
        """
        import logging
        logger = logging.getLogger(__name__)
        def relink(user, payment):
            logger.info("relinking %s", user.token)  # expect: BL302
            logger.info("gateway call with %s", payment.access_token)  # expect: BL302
        """,
    )
    VALID = (
        """
        import logging
        logger = logging.getLogger(__name__)
        def login(user, password):
            logger.info("login attempt for %s", user.id)
            logger.warning("invalid password for %s", user.id)
        """,
        """
        import logging
        logger = logging.getLogger(__name__)
        def issue(token, token_type, max_tokens):
            logger.info("issued %s token (%d chars), limit %d", token_type, len(token), max_tokens)
            logger.debug("token prefix %s", mask(token))
        """,
        """
        import logging
        logger = logging.getLogger(__name__)
        def reset(user, password_reset_url, password_hash):
            logger.info("reset link %s sent; hash scheme %s", password_reset_url, password_hash[:7])
        """,
        # `.error()` on something that is not a logger: a form adding a field error
        """
        def validate(form, password):
            form.error("password", password)
        """,
        """
        import structlog
        log = structlog.get_logger()
        def login(user):
            log.info("login", user_id=user.id, password="***")
        """,
        # the real shape (mlflow): the route constant of an action and the *name* of a secret's setting
        """
        import logging
        from .handlers import UPDATE_USER_PASSWORD
        logger = logging.getLogger(__name__)
        def warn(setting):
            logger.warning(f"Rotate it by setting {setting.name}, or via {UPDATE_USER_PASSWORD}.")
        """,
        # the real shape: a payment transaction's `token` is its UUID reference, not a credential
        """
        import logging
        logger = logging.getLogger(__name__)
        def capture(payment, transaction):
            logger.warning("capture failed for payment %s", payment.token)
            logger.info("refunding transaction %s of %s", transaction.token, payment.order.token)
        """,
    )

    def visit(self, node: ast.Call, ctx) -> None:
        if ctx.model.logging_call(node) is None:
            return
        for value in _logged_values(node):
            leaked = _secret_value(value)
            if leaked is not None:
                ctx.report(self, node, f"`{leaked}` is written to the log; log an identifier, never the secret")
                return


def _logged_values(call: ast.Call):
    """What a logging call writes: its arguments (the message too), `extra` values and keywords."""
    yield from call.args
    for keyword in call.keywords:
        if keyword.arg in ("exc_info", "stack_info", "stacklevel"):
            continue
        if keyword.arg is not None and _secret_name(keyword.arg) and not isinstance(keyword.value, ast.Constant):
            yield ast.Name(id=keyword.arg)  # structlog / loguru: `log.info("x", password=value)`
        if isinstance(keyword.value, ast.Dict):
            for key, value in zip(keyword.value.keys, keyword.value.values):
                named = isinstance(key, ast.Constant) and isinstance(key.value, str) and _secret_name(key.value)
                if named and not isinstance(value, ast.Constant):
                    yield ast.Name(id=key.value)
                yield value
        else:
            yield keyword.value


def _secret_value(node: ast.expr) -> str | None:
    """The secret-named expression a value is made of, looking through strings built from parts."""
    if isinstance(node, ast.Name):
        return node.id if _secret_name(node.id) else None
    if isinstance(node, ast.Attribute):
        return ast.unparse(node) if _secret_name(node.attr) and not _record_reference(node) else None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        key = node.slice.value
        return ast.unparse(node) if isinstance(key, str) and _secret_name(key) else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        key = node.args[0] if node.args else None
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and _secret_name(key.value):
            return ast.unparse(node)
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("str", "repr"):
        parts = node.args
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        parts = [*node.args, *(k.value for k in node.keywords)]
    elif isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        parts = [node.left, *(node.right.elts if isinstance(node.right, ast.Tuple) else [node.right])]
    elif isinstance(node, (ast.Tuple, ast.List)):
        parts = node.elts
    elif isinstance(node, ast.Dict):
        parts = node.values
    else:
        return None
    return next((found for p in parts if p is not None and (found := _secret_value(p))), None)


_SECRET_WORDS = frozenset({
    "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "credential",
    "credentials", "cvv", "cvc", "ssn", "pin", "privatekey", "authorization",
})  # fmt: skip
_KEY_QUALIFIERS = frozenset({"api", "private", "secret", "access", "signing", "encryption", "client"})
_ACTION_WORDS = frozenset({"update", "create", "get", "set", "delete", "reset", "change", "forgot", "verify",
                           "validate", "rotate", "revoke", "refresh"})  # fmt: skip


# Business records whose `token` field is a public reference (a payment's or an order's UUID, a
# PSP transaction id), not a credential: `payment.token`, `self.transaction.token`.
_RECORD_WORDS = frozenset({
    "payment", "transaction", "order", "checkout", "invoice", "refund", "charge", "basket", "cart",
    "voucher", "ticket", "booking", "reservation", "subscription", "shipment", "giftcard", "receipt",
})  # fmt: skip


def _record_reference(node: ast.Attribute) -> bool:
    """`payment.token`: a bare `token` attribute of an object named like a business record."""
    if node.attr.lower() != "token":
        return False
    owner = node.value
    name = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
    words = [w.lower() for w in re.split(r"[_\W]+|(?<=[a-z0-9])(?=[A-Z])", name) if w]
    return bool(words) and words[-1].rstrip("s") in _RECORD_WORDS


def _secret_name(name: str) -> bool:
    """`password`, `db_password`, `refresh_token`, `apiKey`, `card_number`; not `token_type`,
    `password_reset_url`, `max_tokens`, `password_hash` (the last word names what it is)."""
    words = [w for w in re.split(r"[_\W]+|(?<=[a-z0-9])(?=[A-Z])", name) if w]
    if name.isupper() and words and words[0].lower() in _ACTION_WORDS:
        return False  # `UPDATE_USER_PASSWORD`, `RESET_PASSWORD`: the constant names an action (a route), not a secret
    words = [w.lower() for w in words]
    if not words:
        return False
    last = words[-1]
    if last in _SECRET_WORDS:
        return True
    if last == "key" and len(words) > 1 and words[-2] in _KEY_QUALIFIERS:
        return True
    return last == "number" and len(words) > 1 and words[-2] in ("card", "cc", "account")
