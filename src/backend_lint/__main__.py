"""`python -m backend_lint`: the command line.

For `-m`, Python puts the working directory first on `sys.path`, so when backend-lint is run from
the root of the repository it lints, that repository's own `yaml.py`, `rich.py` or `libcst/`
would be imported in place of the real ones, and so run. Linting never executes the code under
review: the working directory (`''` or its path) leaves `sys.path` before anything else is
imported. The package itself is already imported by then, from wherever it is installed.
"""

import os
import sys


def _drop_working_directory() -> None:
    try:
        cwd = os.path.realpath(os.getcwd())
    except OSError:  # a working directory that was removed holds nothing to import
        cwd = None
    sys.path[:] = [p for p in sys.path if p not in ("", ".") and os.path.realpath(p) != cwd]


if __name__ == "__main__":  # not in a worker process that re-imports the main module (spawn)
    _drop_working_directory()
    from backend_lint.cli import main

    sys.exit(main())
