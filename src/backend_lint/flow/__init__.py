"""The dataflow layer the rules share: facts about how values move inside a scope, and what the
frameworks and libraries a backend uses do with them.

- `defuse.DefUse`: the def-use table of a function (or lambda, class body, module): every binding of
  each local name in source order, every use, the parent of every node. Built once per scope and
  cached per file by the semantic model: rules ask `ctx.model.flow(function)`.
- `models`: the framework and library models (`models/*.toml`): request sources, validators,
  converters, SQL sinks and sanitizers, response constructors, infrastructure errors.

Nothing here resolves names or folds constants: that is the semantic model's, which builds on this.
"""

from __future__ import annotations

__all__ = ["defuse", "models"]
