"""The command line: `backend-lint [check] PATH...`, `backend-lint rules`, `backend-lint explain CODE`,
`backend-lint checklist [PATH...]`.

Only this package writes to stdout/stderr and chooses the exit code:
0 no finding at or above the gate, 1 findings (or files that could not be analysed),
2 usage, configuration or internal error.
"""

from __future__ import annotations

import os
import sys

from ..baseline import BaselineError
from ..config import ConfigError
from ..diff import DiffError
from ..report.escape import visible
from .check import cmd_check, exit_code
from .info import cmd_checklist, cmd_explain, cmd_rules, explain_text
from .options import EXIT_ERROR, UsageError

COMMANDS = {"check": cmd_check, "rules": cmd_rules, "explain": cmd_explain, "checklist": cmd_checklist}
__all__ = ["main", "explain_text", "exit_code"]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            return COMMANDS[argv[0]](argv[1:])
        return cmd_check(argv)
    except (ConfigError, UsageError, BaselineError, DiffError) as exc:
        print(f"backend-lint: error: {visible(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("backend-lint: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - last resort: one line, never a traceback
        if os.environ.get("BACKEND_LINT_DEBUG"):
            raise
        print(f"backend-lint: internal error: {type(exc).__name__}: {visible(str(exc))} "
              "(set BACKEND_LINT_DEBUG=1 for details)",
              file=sys.stderr)  # fmt: skip
        return EXIT_ERROR
