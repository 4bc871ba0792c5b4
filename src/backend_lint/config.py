"""`[tool.backend-lint]` in pyproject.toml: one strict table, every key documented here.

| key | type | meaning |
|---|---|---|
| `select` | list of selectors | rules to run (codes, code prefixes, names, categories or `ALL`); default `["ALL"]` |
| `ignore` | list of selectors | rules not to run, applied after `select` |
| `exclude` | list of gitignore patterns | replaces the default excludes |
| `extend-exclude` | list of gitignore patterns | added to the excludes |
| `per-file-ignores` | table: pattern -> selectors | rules silenced in files matching the pattern |
| `min-severity` | string | lowest severity shown (`info` … `critical`) |
| `fail-on` | string | lowest severity that makes the exit code 1 (default: any shown finding) |
| `test-paths` | list of gitignore patterns | which files are tests (exempt from some rules) |
| `rule-options` | table: rule -> table | per-rule options, e.g. `[tool.backend-lint.rule-options.hardcoded-secret]`; rule by code or name; each option must be one the rule declares (`OPTIONS`), of the same type |
| `agents` | table: rule -> agent id | route a rule's findings to another specialist (rule by code or name; agent ids from the catalog) |
| `engines` | list | engines to run: `native`, `taint`, `semgrep`, `ruff` (default: every one installed) |
| `report-unused-suppressions` | bool | report suppression comments that silence nothing (BL901) |
| `max-findings-per-file` | integer ≥ 1 | show at most this many findings per file; the rest of each file becomes one summary finding (generated code); the exit code, `--fail-on` and baselines still count them all (default: no limit) |
| `ignore-foreign-suppressions` | bool | other tools' comments (`# nosec`, `# noqa: S608`, `# nosemgrep`) no longer silence their backend-lint equivalents (audit them) |

Patterns are relative to the directory holding the pyproject.toml. Unknown keys, wrong types and
unknown values are a `ConfigError` naming the key (exit code 2).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from . import gitignore
from .catalog import RuleInfo, load_catalog
from .model import SEVERITIES

DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules", "build", "dist",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".backend_lint_cache", "*.egg-info",
)  # fmt: skip
DEFAULT_TEST_PATHS = ("tests/", "test/", "tests.py", "test_*.py", "*_test.py", "conftest.py")  # tests.py: a Django app's


class ConfigError(Exception):
    """A configuration problem; the message names the key and is shown as one line."""


@dataclass(frozen=True)
class Config:
    root: Path
    source: Path | None = None
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    min_severity: str = "info"
    fail_on: str | None = None
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    rule_options: dict[str, dict[str, object]] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)
    engines: tuple[str, ...] | None = None
    report_unused_suppressions: bool = False
    max_findings_per_file: int | None = None
    ignore_foreign_suppressions: bool = False

    def replace(self, **changes) -> Config:
        return dataclasses.replace(self, **changes)


def _str_list(key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key}: expected a list of strings, got {value!r}")
    return tuple(value)


def _patterns(key: str, value: object) -> tuple[str, ...]:
    """gitignore patterns, each one usable (`gitignore.problem`)."""
    patterns = _str_list(key, value)
    for pattern in patterns:
        problem = gitignore.problem(gitignore.normalised(pattern))
        if problem:
            raise ConfigError(f"{key}: pattern {pattern!r:.80}: {problem}")
    return patterns


def _choice(choices: tuple[str, ...]):
    def check(key: str, value: object) -> str:
        if not isinstance(value, str) or value not in choices:
            raise ConfigError(f"{key}: expected one of {', '.join(choices)}, got {value!r}")
        return value

    return check


def _bool(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    return value


def _positive_int(key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{key}: expected a whole number of at least 1, got {value!r}")
    return value


def _table_of(check_value):
    def check(key: str, value: object) -> dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a table, got {value!r}")
        return {k: check_value(f"{key}.{k}", v) for k, v in value.items()}

    return check


def _per_file_ignores(key: str, value: object) -> dict:
    table = _table_of(_str_list)(key, value)
    for pattern in table:
        _patterns(key, [pattern])
    return table


def _str(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected a string, got {value!r}")
    return value


def _engines(key: str, value: object) -> tuple[str, ...]:
    """Engine names; whether each exists is checked against the engine registry when the run's
    selection is resolved (config sits below the engines)."""
    return _str_list(key, value)


def _agent(key: str, value: object) -> str:
    agent = _str(key, value)
    agents = load_catalog().agents
    if agent not in agents:
        raise ConfigError(f"{key}: unknown agent {agent!r}; the agents are listed in backend_lint/data/catalog.toml")
    return agent


def _options(key: str, value: object) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table, got {value!r}")
    return dict(value)


# key in pyproject -> (Config field, checker)
SCHEMA = {
    "select": ("select", _str_list),
    "ignore": ("ignore", _str_list),
    "exclude": ("exclude", _patterns),
    "extend-exclude": ("extend_exclude", _patterns),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "min-severity": ("min_severity", _choice(SEVERITIES)),
    "fail-on": ("fail_on", _choice(SEVERITIES)),
    "test-paths": ("test_paths", _patterns),
    "rule-options": ("rule_options", _table_of(_options)),
    "agents": ("agents", _table_of(_agent)),
    "engines": ("engines", _engines),
    "report-unused-suppressions": ("report_unused_suppressions", _bool),
    "max-findings-per-file": ("max_findings_per_file", _positive_int),
    "ignore-foreign-suppressions": ("ignore_foreign_suppressions", _bool),
}


def check_rule_options(key: str, options: dict[str, object], info: RuleInfo) -> dict[str, object]:
    """One rule's options checked against the defaults it declares (`OPTIONS`), typed like them.

    `key` names the table in messages, e.g. `tool.backend-lint.rule-options.hardcoded-secret`.
    """
    declared = info.extra.get("options", {})
    checked = {}
    for name, value in options.items():
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise ConfigError(f"{key}.{name}: unknown option of {info.code} {info.name} (its options: {known})")
        checked[name] = _option_value(f"{key}.{name}", value, declared[name])
    return checked


def _option_value(key: str, value: object, default: object) -> object:
    """`value` if it has the type of `default` (lists become the default's collection type)."""
    if isinstance(default, bool):
        return _bool(key, value)
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(default, int) and not isinstance(value, int)
        ):
            raise ConfigError(f"{key}: expected a {type(default).__name__}, got {value!r}")
        return value
    if isinstance(default, str):
        return _str(key, value)
    if isinstance(default, (list, tuple, set, frozenset)):
        kinds = tuple({type(item) for item in default}) or (object,)
        if not isinstance(value, list) or not all(isinstance(item, kinds) for item in value):
            names = " or ".join(sorted(k.__name__ for k in kinds))
            raise ConfigError(f"{key}: expected a list of {names}, got {value!r}")
        return type(default)(value)
    if isinstance(default, dict) and not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table, got {value!r}")
    return value


def parse_table(table: dict, root: Path, source: Path | None) -> Config:
    values = {}
    for key, value in table.items():
        if key not in SCHEMA:
            raise ConfigError(f"tool.backend-lint: unknown key {key!r} (known: {', '.join(SCHEMA)})")
        attr, check = SCHEMA[key]
        values[attr] = check(f"tool.backend-lint.{key}", value)
    return Config(root=root, source=source, **values)


def read_pyproject(path: Path) -> dict | None:
    """The `[tool.backend-lint]` table of a pyproject.toml, or None when it has none."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    table = data.get("tool", {}).get("backend-lint")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.backend-lint must be a table")
    return table


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.backend-lint] table, from `start` upwards."""
    current = start if _is(start, os.path.isdir) else start.parent
    for directory in (current, *current.parents):
        candidate = directory / "pyproject.toml"
        if _is(candidate, os.path.isfile) and read_pyproject(candidate) is not None:
            return candidate
    return None


def _is(path: Path, test) -> bool:
    """`os.path.isdir`/`isfile`, False where the answer cannot be known (a directory we may not
    read: `Path.is_file` raises there)."""
    try:
        return test(path)
    except (OSError, ValueError):
        return False


def _resolved(path: str) -> Path:
    """`path` made absolute, through its symbolic links where they resolve (a link loop does not)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def load_config(paths: list[str], explicit: str | None = None) -> Config:
    """The config for a run: `--config FILE` if given, else found from the first path upwards."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"--config: no such file: {explicit}")
        table = read_pyproject(path)
        if table is None:
            raise ConfigError(f"--config: {explicit} has no [tool.backend-lint] table")
        return parse_table(table, path.resolve().parent, path)
    found = find_config(_resolved(paths[0] if paths else "."))
    if found is None:
        return Config(root=Path(os.getcwd()).resolve())
    return parse_table(read_pyproject(found) or {}, found.parent, found)
