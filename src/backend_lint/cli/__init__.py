"""The command line: `backend-lint [check] PATH...`, `backend-lint rules`, `backend-lint explain CODE`,
`backend-lint checklist [PATH...]`.

Only this package writes to stdout/stderr and chooses the exit code:
0 no finding at or above the gate, 1 findings (or files that could not be analysed),
2 usage, configuration or internal error; 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), as a
shell reports a process killed by those signals. An interrupted run ends its worker processes and
tools first, and leaves no partly written report, baseline or cache pack.
"""

from __future__ import annotations

import os
import signal
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


EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt, so the run cleans up."""


def _terminate(signum, frame) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    previous = signal.signal(signal.SIGTERM, _terminate) if _main_thread() else None
    try:
        if argv and argv[0] in COMMANDS:
            return COMMANDS[argv[0]](argv[1:])
        return cmd_check(argv)
    except (ConfigError, UsageError, BaselineError, DiffError) as exc:
        print(f"backend-lint: error: {visible(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except Terminated:
        print("backend-lint: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("backend-lint: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - last resort: one line, never a traceback
        if os.environ.get("BACKEND_LINT_DEBUG"):
            raise
        print(f"backend-lint: internal error: {type(exc).__name__}: {visible(str(exc))} "
              "(set BACKEND_LINT_DEBUG=1 for details)",
              file=sys.stderr)  # fmt: skip
        return EXIT_ERROR
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
