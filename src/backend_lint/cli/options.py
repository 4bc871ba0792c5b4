"""What every linting command shares: exit codes, a one-line usage error, and the options that
decide which files, which config and which rules (`--config`, `--select`, `--ignore`, `--engines`,
`--jobs`), turned into one Config with the command line overriding pyproject.toml.
"""

from __future__ import annotations

import argparse
import os

from ..config import Config, load_config

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2), not the whole usage text."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def jobs(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if count < 0:
        raise argparse.ArgumentTypeError("must be 0 (one per CPU) or more")
    return count


def positive(value: str) -> int:
    count = jobs(value)
    if count < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return count


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """PATH..., --config, --select, --ignore, --engines, --jobs: shared by `check` and `checklist`."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--config", metavar="FILE", help="pyproject.toml to read [tool.backend-lint] from")
    parser.add_argument("--select", type=csv, action="extend", metavar="RULES", help="codes, names or categories to run")
    parser.add_argument("--ignore", type=csv, action="extend", metavar="RULES", help="codes, names or categories to skip")
    from ..engines import engine_names

    parser.add_argument(
        "--engines", type=csv, metavar="ENGINES",
        help=f"engines to run, comma separated: {', '.join(engine_names())} (default: every installed one)",
    )  # fmt: skip
    parser.add_argument("--jobs", "-j", type=jobs, default=0, metavar="N", help="worker processes (default: CPUs)")
    parser.add_argument(
        "--cache-dir", metavar="DIR", help="where to keep per-file results (default: .backend_lint_cache in the config root)"
    )
    parser.add_argument("--no-cache", action="store_true", help="analyse every file, read and write no cache")


def cache_dir(args: argparse.Namespace, config: Config) -> str | None:
    from ..run import DIRECTORY_NAME

    return None if args.no_cache else args.cache_dir or str(config.root / DIRECTORY_NAME)


def run_config(args: argparse.Namespace) -> tuple[list[str], Config]:
    """The paths (checked to exist) and the config, command-line flags over pyproject.toml."""
    from ..engines import engine_names
    from ..run import resolve_selectors, rule_catalog
    from ..run.selection import check_engine_names

    paths = args.paths or ["."]
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"path not found: {path}")
    config = load_config(paths, args.config)
    check_engine_names(config.engines or ())
    for flag, selectors in (("--select", args.select), ("--ignore", args.ignore)):
        resolve_selectors(selectors or (), rule_catalog(), flag)
    overrides: dict[str, object] = {}
    if args.select:
        overrides["select"] = tuple(args.select)
    if args.ignore:
        overrides["ignore"] = (*config.ignore, *args.ignore)
    if args.engines is not None:
        names = engine_names()
        unknown = [e for e in args.engines if e not in names]
        if unknown or not args.engines:
            raise UsageError(f"--engines: expected some of {', '.join(names)}, got {','.join(args.engines)!r}")
        overrides["engines"] = tuple(args.engines)
    for flag in ("min_severity", "fail_on"):
        if getattr(args, flag, None):
            overrides[flag] = getattr(args, flag)
    if getattr(args, "max_findings_per_file", None):
        overrides["max_findings_per_file"] = args.max_findings_per_file
    if getattr(args, "report_unused_suppressions", False):
        overrides["report_unused_suppressions"] = True
    if getattr(args, "ignore_foreign_suppressions", False):
        overrides["ignore_foreign_suppressions"] = True
    return paths, config.replace(**overrides)
