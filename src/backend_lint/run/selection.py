"""What a run runs: the engines, the rules, their options and agents, resolved once from the config.

Every rule selector of the config (select, ignore, per-file ignores, rule options, agent overrides)
is resolved here and nowhere else; an unknown one is a ConfigError naming its key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from ..catalog import RuleInfo
from ..config import Config, ConfigError, check_rule_options
from ..engines import registry
from ..files import PathMatcher

UNUSED_SUPPRESSION = "BL901"  # reported by the decisions stage, not by an engine


@lru_cache(maxsize=1)
def rule_catalog() -> dict[str, RuleInfo]:
    """Every rule of every engine, by code."""
    out: dict[str, RuleInfo] = {}
    for engine in registry().values():
        out.update(engine.rules())
    return out


def resolve_selectors(selectors: Iterable[str], infos: dict[str, RuleInfo], key: str) -> set[str]:
    """Codes named by selectors: codes, code prefixes, rule names, categories or `ALL`."""
    names = {info.name: code for code, info in infos.items()}
    categories: dict[str, set[str]] = {}
    for code, info in infos.items():
        categories.setdefault(info.category, set()).add(code)
    out: set[str] = set()
    for selector in selectors:
        upper = selector.upper()
        if upper == "ALL":
            out.update(infos)
        elif upper in infos:
            out.add(upper)
        elif selector in names:
            out.add(names[selector])
        elif selector in categories:
            out.update(categories[selector])
        elif any(code.startswith(upper) for code in infos):
            out.update(code for code in infos if code.startswith(upper))
        else:
            raise ConfigError(f"{key}: unknown rule, code prefix or category {selector!r}")
    return out


def one_rule(selector: str, infos: dict[str, RuleInfo], key: str) -> str:
    """The code of the one rule `selector` names (by code or name), or ConfigError."""
    resolve_selectors([selector], infos, key)  # the unknown-selector message first
    if selector.upper() in infos:
        return selector.upper()
    for code, info in infos.items():
        if info.name == selector:
            return code
    raise ConfigError(f"{key}: {selector!r} must name one rule, by code or name")


@dataclass(frozen=True)
class Selection:
    infos: dict[str, RuleInfo]  # every rule of every engine
    engines: tuple[str, ...]  # the engines that run, in rank order
    executables: dict[str, str]  # engine name -> executable ("" for in-process engines)
    codes: frozenset[str]  # the selected rules whose engine runs
    options: dict[str, dict] = field(default_factory=dict)  # rule options by code, typed like OPTIONS
    agents: dict[str, str] = field(default_factory=dict)  # agent overrides by code
    ignores: tuple[tuple[PathMatcher, frozenset[str]], ...] = ()  # per-file ignores
    notices: tuple[str, ...] = ()  # engines skipped because they are not installed

    def engine_codes(self, name: str) -> tuple[str, ...]:
        return tuple(sorted(c for c in self.codes if self.infos[c].engine == name and c != UNUSED_SUPPRESSION))

    @property
    def deferring(self) -> frozenset[str]:
        """Rules that only corroborate a native rule judging the same thing with more context (ruff's
        BLE001 for BL201, T201 for BL301): while that native rule runs, their findings are kept only
        merged into its findings (`also_reported_by`), never on their own."""
        return frozenset(c for c in self.codes if self.infos[c].extra.get("defer_to") in self.codes)

    @property
    def known(self) -> dict[str, str]:
        """Every rule code and name, upper-cased, to its code (what suppression comments may name)."""
        return {code.upper(): code for code in self.infos} | {info.name.upper(): code for code, info in self.infos.items()}

    def external(self) -> tuple[str, ...]:
        """The engines that run as programs and have a selected rule."""
        return tuple(n for n in self.engines if not registry()[n].in_process and self.engine_codes(n))

    def in_process(self) -> tuple[str, ...]:
        return tuple(n for n in self.engines if registry()[n].in_process)


def resolve(config: Config) -> Selection:
    """The run's Selection, or ConfigError for anything the config names that does not exist."""
    infos = rule_catalog()
    chosen = resolve_selectors(config.select, infos, "tool.backend-lint.select")
    chosen -= resolve_selectors(config.ignore, infos, "tool.backend-lint.ignore")
    ignores = []
    for pattern, selectors in config.per_file_ignores.items():
        codes = resolve_selectors(selectors, infos, f'tool.backend-lint.per-file-ignores."{pattern}"')
        ignores.append((PathMatcher([pattern], config.root), frozenset(codes)))
    options = {}
    for selector, given in config.rule_options.items():
        code = one_rule(selector, infos, "tool.backend-lint.rule-options")
        options[code] = check_rule_options(f"tool.backend-lint.rule-options.{selector}", given, infos[code])
    agents = {one_rule(s, infos, "tool.backend-lint.agents"): agent for s, agent in config.agents.items()}
    engines, executables, notices = choose_engines(config.engines)
    codes = frozenset(c for c in chosen if infos[c].engine in engines)
    return Selection(infos, engines, executables, codes, options, agents, tuple(ignores), notices)


def check_engine_names(names: Iterable[str], key: str = "tool.backend-lint.engines") -> None:
    unknown = [name for name in names if name not in registry()]
    if unknown:
        raise ConfigError(f"{key}: unknown engine {unknown[0]!r} (expected {', '.join(registry())})")


def choose_engines(requested: tuple[str, ...] | None) -> tuple[tuple[str, ...], dict[str, str], tuple[str, ...]]:
    """(engines to run, their executables, notices). Default: every installed engine but the
    previews (`Engine.default` false), which run only when named.

    An engine asked for by name that is not installed is a ConfigError (exit 2); one that is
    merely missing from the default set is skipped with one notice.
    """
    engines = registry()
    check_engine_names(requested or ())
    chosen: list[str] = []
    executables: dict[str, str] = {}
    notices: list[str] = []
    for name, engine in engines.items():
        if requested is not None and name not in requested or requested is None and not engine.default:
            continue
        executable = engine.find()
        if executable is None:
            if requested is not None:
                raise ConfigError(f"engines: {name} is not installed; install it with: {engine.install_hint}")
            notices.append(f"{name} is not installed, so its rules were skipped; install it with: {engine.install_hint}")
            continue
        chosen.append(name)
        executables[name] = executable
    return tuple(chosen), executables, tuple(notices)
