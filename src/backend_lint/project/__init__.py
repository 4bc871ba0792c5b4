"""The project-wide index: which module each file is, what it defines and calls, linked across
the project (re-exports, inherited methods, the call graph, the import graph)."""

from __future__ import annotations

from .facts import FunctionFacts, ModuleFacts, ModuleHead, module_facts
from .index import ProjectIndex
from .modules import module_name, resolve_relative

__all__ = ["FunctionFacts", "ModuleFacts", "ModuleHead", "ProjectIndex", "module_facts", "module_name", "resolve_relative"]
